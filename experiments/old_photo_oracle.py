"""How far can 'quiet where unsure' take a network on real old photographs? An oracle that knows the truth.

For each val-historical plate the checkpoint's old-photo decoding without gating is computed at the evaluation
size; then three oracles, each told the plate's true colours:
  gate    the 16 px blocks whose colour lies more than 25 from the truth's are turned gray (a perfect gating:
          never a wrong hue, every right one kept);
  gain    the right blocks' chroma scaled by the one factor (per plate) that brings them closest to the truth;
  hue     the guessed chroma kept, its hue replaced by the truth's (what better hue knowledge would give).
If even the perfect gate is short of the bar (PSNR >= 23.25, CIEDE2000 <= 10.03, wash <= 0.02, |dCF| <= 10), what
is missing is knowledge of the colours, not calibration.

    python experiments/old_photo_oracle.py [--checkpoint weights/effnet-unet.safetensors] [--images 332]
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
import torch  # noqa: E402

from colorizer.color import lab_to_rgb, photo_l  # noqa: E402
from colorizer.decoding import DecodeSettings, decode, run_model  # noqa: E402
from colorizer.evaluation.aging import gray_photo  # noqa: E402
from colorizer.evaluation.evaluate import tuning_set  # noqa: E402
from colorizer.evaluation.metrics import WASH_BLOCK, _block_means, image_metrics, summarize, to_lab  # noqa: E402
from colorizer.inference import Colorizer, model_input  # noqa: E402
from colorizer.join import join  # noqa: E402


def blocks_up(x: np.ndarray, k: int, shape) -> np.ndarray:
    """The means of whole k x k blocks (as `wash` reads them), spread back over each block's pixels (the ragged
    edge takes its neighbour block's)."""
    h, w = shape
    hb, wb = h // k, w // k
    up = np.repeat(np.repeat(_block_means(x, k), k, 0), k, 1)
    out = np.empty((h, w, *x.shape[2:]), x.dtype)
    out[...] = up[np.minimum(np.arange(h), hb * k - 1)][:, np.minimum(np.arange(w), wb * k - 1)]
    return out


def to_rgb(lab: np.ndarray) -> np.ndarray:
    rgb = lab_to_rgb(torch.from_numpy(lab).permute(2, 0, 1)[None].float())[0].permute(1, 2, 0).numpy()
    return (rgb * 255).round().clip(0, 255).astype(np.uint8)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", default="weights/effnet-unet.safetensors")
    ap.add_argument("--data", default="../shared/data/val-historical")
    ap.add_argument("--images", type=int, default=332)
    args = ap.parse_args()
    c = Colorizer.load(args.checkpoint, backend="torch")
    old = DecodeSettings.from_metadata(c.metadata["old_photo"])
    plain = replace(old, confidence=0.0, gain=1.0)
    data = tuning_set(args.data, args.images, 256)
    tone = c._tone_model() if c.restore_default else None
    rows = {k: [] for k in ("as shipped (old decoding)", "old decoding, no gating", "oracle gate", "oracle gate + gain", "oracle hue")}
    for truth in data.images:
        x = tone.restore_pixels(truth) if tone is not None else truth
        ls = model_input(x, c.working_size)
        with torch.inference_mode():
            out = run_model(c.model, ls, None, plain)
        shipped = join(x, decode(out, ls, old, c.rebalance_lambda))
        pred = join(x, decode(out, ls, plain, c.rebalance_lambda))
        pl, tl = to_lab(pred), to_lab(truth)
        k = WASH_BLOCK
        pb, tb = blocks_up(pl[..., 1:], k, pl.shape[:2]), blocks_up(tl[..., 1:], k, tl.shape[:2])
        right = np.linalg.norm(pb - tb, axis=-1) <= 25
        gated = pl.copy()
        gated[..., 1:] *= right[..., None]
        num = (gated[..., 1:] * tl[..., 1:]).sum()
        den = (gated[..., 1:] ** 2).sum()
        g = float(np.clip(num / den, 0.5, 3.0)) if den > 0 else 1.0
        gained = gated.copy()
        gained[..., 1:] *= g
        hue = pl.copy()
        tc = np.linalg.norm(tl[..., 1:], axis=-1, keepdims=True)
        hue[..., 1:] = tl[..., 1:] / np.maximum(tc, 1e-6) * np.linalg.norm(pl[..., 1:], axis=-1, keepdims=True)
        for name, p in zip(rows, (shipped, pred, to_rgb(gated), to_rgb(gained), to_rgb(hue))):
            rows[name].append(image_metrics(p, truth))
    gray = summarize([image_metrics(gray_photo(photo_l(t)), t) for t in data.images])
    print(f"{len(data.images)} photos of {args.data}, {Path(args.checkpoint).name}")
    print(f"{'gray':28s} PSNR {gray['psnr']:.2f} CIEDE {gray['ciede2000']:.2f} wash {gray['wash']:.3f} CF {gray['cf_pred']:.1f}/{gray['cf_true']:.1f}")
    for name, r in rows.items():
        m = summarize(r)
        print(f"{name:28s} PSNR {m['psnr']:.2f} CIEDE {m['ciede2000']:.2f} wash {m['wash']:.3f} CF {m['cf_pred']:.1f}/{m['cf_true']:.1f}")


if __name__ == "__main__":
    main()
