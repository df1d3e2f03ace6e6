"""Image-quality metrics used by training validation, `evaluate` and the app. Inputs are uint8 RGB
(H, W, 3) numpy arrays, the protocol of the colorization literature (PSNR/SSIM on RGB uint8)."""
from __future__ import annotations

import numpy as np
import torch
from skimage.color import deltaE_ciede2000
from skimage.metrics import structural_similarity

from ..color import rgb_to_lab


def psnr(pred: np.ndarray, truth: np.ndarray) -> float:
    mse = np.mean((pred.astype(np.float64) - truth.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255.0 ** 2 / mse))


def ssim(pred: np.ndarray, truth: np.ndarray) -> float:
    if min(pred.shape[:2]) < 7:
        return float("nan")  # the 7x7 window does not fit
    return float(structural_similarity(pred, truth, channel_axis=2, data_range=255))


def to_lab(rgb_u8: np.ndarray) -> np.ndarray:
    t = torch.tensor(rgb_u8, dtype=torch.float64).permute(2, 0, 1) / 255.0
    return rgb_to_lab(t).permute(1, 2, 0).numpy()


def ciede2000(pred: np.ndarray, truth: np.ndarray) -> float:
    """Mean CIEDE2000 color difference over the pixels."""
    return float(deltaE_ciede2000(to_lab(truth), to_lab(pred)).mean())


def colorfulness(rgb: np.ndarray) -> float:
    """Hasler and Suesstrunk (2003): sigma_rgyb + 0.3 * mu_rgyb, on 0..255 RGB."""
    x = rgb.astype(np.float64)
    rg = x[..., 0] - x[..., 1]
    yb = 0.5 * (x[..., 0] + x[..., 1]) - x[..., 2]
    sigma = np.sqrt(rg.std() ** 2 + yb.std() ** 2)
    mu = np.sqrt(rg.mean() ** 2 + yb.mean() ** 2)
    return float(sigma + 0.3 * mu)


# A pixel this far from the truth (CIEDE2000) has a confidently wrong color: the blotches. A gray pixel
# over a strongly colored one is also this far, so the gray row's tail is the reference.
TAIL_DE = 20.0


# Saturated color without evidence: a pixel whose truth is near neutral (chroma below NEUTRAL_C: asphalt, a
# white dress, a gray wall, concrete) given a chroma above PAINT_C (a plainly visible hue; skin is about 20-25).
NEUTRAL_C, PAINT_C = 10.0, 20.0


def neutral_paint(pred_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    """Share of the truth's near-neutral pixels that the prediction paints a clear hue; NaN when the photo has
    none (summaries skip it). Read beside colorfulness: a timid model scores 0 here and loses elsewhere."""
    neutral = np.hypot(truth_lab[..., 1], truth_lab[..., 2]) < NEUTRAL_C
    if not neutral.any():
        return float("nan")
    return float((np.hypot(pred_lab[..., 1], pred_lab[..., 2])[neutral] > PAINT_C).mean())


# A region painted a confident wrong hue (a red backdrop that was green, a blue uniform that was brown): a
# WASH_BLOCK x WASH_BLOCK block whose mean chroma in the prediction is above WASH_C and whose mean ab lies
# more than WASH_DAB from the truth's. PSNR and CIEDE2000 average such regions away and tail20 counts
# pixels, not regions; this is what a person sees as "painted the wrong colour".
WASH_BLOCK, WASH_C, WASH_DAB = 16, 20.0, 25.0


def _block_means(x: np.ndarray, k: int) -> np.ndarray:
    """(H, W, C) -> (H // k, W // k, C) means of whole k x k blocks (a ragged edge is left out)."""
    h, w = x.shape[0] // k * k, x.shape[1] // k * k
    return x[:h, :w].reshape(h // k, k, w // k, k, -1).mean(axis=(1, 3))


def wash(pred_lab: np.ndarray, truth_lab: np.ndarray, block: int = WASH_BLOCK) -> float:
    """Share of block x block regions painted a confident wrong hue; NaN for a photo smaller than one block.
    Read beside colorfulness: gray scores 0 here, and loses elsewhere."""
    if min(pred_lab.shape[:2]) < block:
        return float("nan")
    chroma = _block_means(np.hypot(pred_lab[..., 1], pred_lab[..., 2])[..., None], block)[..., 0]
    dab = np.linalg.norm(_block_means(pred_lab[..., 1:], block) - _block_means(truth_lab[..., 1:], block), axis=-1)
    return float(((chroma > WASH_C) & (dab > WASH_DAB)).mean())


def image_metrics(pred: np.ndarray, truth: np.ndarray) -> dict:
    pred_lab, truth_lab = to_lab(pred), to_lab(truth)
    de = deltaE_ciede2000(truth_lab, pred_lab)
    return {"psnr": psnr(pred, truth), "ssim": ssim(pred, truth), "ciede2000": float(de.mean()),
            "tail20": float((de > TAIL_DE).mean()), "paint": neutral_paint(pred_lab, truth_lab),
            "wash": wash(pred_lab, truth_lab), "cf_pred": colorfulness(pred), "cf_true": colorfulness(truth)}


def summarize(rows: list[dict]) -> dict:
    """Means over images, plus |dCF| = |mean CF(pred) - mean CF(truth)|."""
    if not rows:
        return {}
    out = {k: float(np.nanmean([r[k] for r in rows])) for k in rows[0]}
    out["dcf"] = abs(out["cf_pred"] - out["cf_true"])
    out["images"] = len(rows)
    return out


def one_line(m: dict) -> str:
    """A summary (summarize's) as the experiments print it: the columns read together, on one line."""
    return (f"PSNR {m['psnr']:.2f}  CIEDE2000 {m['ciede2000']:.2f}  tail20 {m['tail20']:.3f}  paint {m['paint']:.3f}  "
            f"wash {m['wash']:.3f}  CF {m['cf_pred']:.1f} (truth {m['cf_true']:.1f})")
