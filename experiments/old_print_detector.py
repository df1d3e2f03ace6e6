"""Two judgements of "does this gray photo look like an old print?" compared (colorizer/routing.py routes
photos by the better one): a dozen statistics of the lightness fitted by a sign-constrained logistic
regression, here, and the small CNN the product ships (`python train.py old-print`, colorizer.train.old_print).

The statistics are fitted on N training photos at 256 px (not val, whose photos choose decodings; never
val-ood), each clean (turned gray as the product does) and aged by colorizer.evaluation.aging with its own seeds. Both
judgements are checked on the 300 val tuning photos four ways: clean, aged as `evaluate --aged` ages them, and
aged by two recipes of other code neither ever saw (scikit-image's fade, blur, noise and JPEG; and a soft print
of a small negative with Poisson grain and a gamma). Prints the area under the ROC curve against the clean
photos and the share sent to the old-print network at the threshold; writes the fitted statistics as JSON.

    python experiments/old_print_detector.py [--cnn recipes/old-print-v1/model.safetensors] [--n 1200]
        [--out runs/detector.json]
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from scipy import ndimage
from skimage.filters import gaussian
from skimage.util import random_noise

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.evaluation.aging import age_one, seeded_generator  # noqa: E402
from colorizer.evaluation.evaluate import tuning_set  # noqa: E402
from colorizer.routing import OldPrintDetector, analysis_view  # noqa: E402
from colorizer.color import photo_l  # noqa: E402
from colorizer.train.old_print import auc  # noqa: E402

FEATURES = ("noise", "flat_noise", "flat_grain", "sharpness", "black", "white", "range", "median",
            "border_minus_centre", "specks", "blockiness", "local_contrast", "levels")
# Which way each statistic may push the judgement (+1: more of it, more like an old print; -1: less; 0: either),
# as physics says: more grain never makes a photo look newer. Without these signs the fit leaned on an accident
# of our aging (a sign flipped between two correlated noise measures) and lost 0.19 AUC on other code's aging.
SIGNS = (+1, +1, +1, +1, +1, -1, -1, 0, -1, +1, +1, 0, 0)
_LAPLACE = np.array([[1.0, -2.0, 1.0], [-2.0, 4.0, -2.0], [1.0, -2.0, 1.0]])
_BINOMIAL = np.array([0.25, 0.5, 0.25])


def _blur3(x: np.ndarray) -> np.ndarray:
    return ndimage.convolve1d(ndimage.convolve1d(x, _BINOMIAL, axis=0, mode="nearest"), _BINOMIAL, axis=1, mode="nearest")


def _gradient_energy(x: np.ndarray) -> float:
    return float(np.abs(np.diff(x, axis=0)).mean() + np.abs(np.diff(x, axis=1)).mean())


def print_features(lum: torch.Tensor | np.ndarray) -> np.ndarray:
    """The statistics named in FEATURES for one photo's lightness (H, W) in [0, 100]."""
    x = analysis_view(lum)[0, 0].numpy().astype(np.float64)
    h, w = x.shape
    lap = np.abs(ndimage.convolve(x, _LAPLACE, mode="nearest"))[1:-1, 1:-1]  # Immerkaer (1996): noise sigma
    sigma = (np.pi / 2) ** 0.5 / 6                                            # ~ sqrt(pi/2) / 6 * mean |L * mask|
    soft = _blur3(x)
    grad = (np.abs(soft[1:-1, 2:] - soft[1:-1, :-2]) + np.abs(soft[2:, 1:-1] - soft[:-2, 1:-1]))
    mid = x[1:-1, 1:-1]
    mid = (mid > 0.15) & (mid < 0.85)  # film grain is strongest in the midtones; clipped tones hide it
    grad = grad if mid.mean() < 0.1 else np.where(mid, grad, np.inf)
    flat = grad <= np.quantile(grad[np.isfinite(grad)], 0.3)  # the smoothest 30%: where grain shows, edges do not
    coarse = ndimage.gaussian_filter(x, 1.0, mode="nearest") - ndimage.gaussian_filter(x, 3.0, mode="nearest")
    grain = np.abs(coarse[1:-1, 1:-1][flat]).mean()  # clumped grain, 2-4 px across: below a 3x3 mask's scale
    sharpness = _gradient_energy(soft) / max(_gradient_energy(x), 1e-6)  # near 1: already soft (lost resolution)
    black, med, white = np.quantile(x, [0.01, 0.5, 0.99])
    bh, bw = max(1, h // 8), max(1, w // 8)
    centre = x[h // 4:h - h // 4, w // 4:w - w // 4].mean()
    ring = np.concatenate([x[:bh].ravel(), x[-bh:].ravel(), x[:, :bw].ravel(), x[:, -bw:].ravel()])
    specks = (np.abs(x - ndimage.median_filter(x, size=3, mode="nearest")) > 0.12).mean()
    dx = np.abs(np.diff(x, axis=1))
    at_block = dx[:, 7::8].mean() / max(dx.mean(), 1e-6)  # steps between 8x8 JPEG blocks stand out
    blocks = x[:h - h % 16, :w - w % 16].reshape(h // 16, 16, w // 16, 16)
    local = np.median(blocks.std(axis=(1, 3)))
    levels = len(np.unique(np.round(x * 255))) / 256
    return np.array([sigma * lap.mean(), sigma * lap[flat].mean(), grain, sharpness, black, white, white - black, med,
                     ring.mean() - centre, specks, at_block, local, levels], dtype=np.float64)



@dataclass(frozen=True)
class StatisticsDetector:
    """P(old print) = sigmoid(coef . (features - mean) / scale + bias), stored as JSON by this script."""
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    bias: float
    threshold: float = 0.5
    features: tuple[str, ...] = FEATURES

    def __post_init__(self):
        if self.features != FEATURES or not len(self.mean) == len(self.scale) == len(self.coef) == len(FEATURES):
            raise ValueError(f"an old-print detector needs one mean, scale and coefficient for each of {FEATURES}")

    def probability_of(self, features: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(features) - np.array(self.mean)) / np.array(self.scale)
        return 1 / (1 + np.exp(-(z @ np.array(self.coef) + self.bias)))

    def probability(self, lum: torch.Tensor | np.ndarray) -> float:
        return float(self.probability_of(print_features(lum))[0])

    def is_old_print(self, lum: torch.Tensor | np.ndarray) -> bool:
        return self.probability(lum) >= self.threshold

    def to_metadata(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_metadata(cls, meta: dict) -> "StatisticsDetector":
        try:
            return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in meta.items()})
        except TypeError as exc:
            raise ValueError(f"unreadable old-print detector settings: {exc}") from None



def fit_detector(features: np.ndarray, is_old: np.ndarray, l2: float = 1e-3, threshold: float = 0.5) -> StatisticsDetector:
    """Logistic regression (L-BFGS, a little L2) on standardized features, each coefficient of the sign SIGNS
    gives it (or zero); rows are photos."""
    mean, scale = features.mean(0), features.std(0) + 1e-9
    z = torch.tensor((features - mean) / scale, dtype=torch.float64)
    y = torch.tensor(is_old, dtype=torch.float64)
    signs = torch.tensor(SIGNS, dtype=torch.float64)
    v = torch.zeros(z.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([v, b], max_iter=500, line_search_fn="strong_wolfe")

    def weights() -> torch.Tensor:  # signed features: sign * softplus, others free
        return torch.where(signs == 0, v, signs * F.softplus(v, beta=4))

    def closure():
        opt.zero_grad()
        w = weights()
        loss = F.binary_cross_entropy_with_logits(z @ w + b, y) + l2 * (w * w).sum()
        loss.backward()
        return loss
    opt.step(closure)
    return StatisticsDetector(tuple(mean.tolist()), tuple(scale.tolist()), tuple(weights().detach().tolist()),
                            float(b.detach()), threshold)



def jpeg(y: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray((np.clip(y, 0, 1) * 255).round().astype(np.uint8)).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(buf).convert("L"), dtype=np.float64) / 255


def other_aging(l: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """scikit-image's fade, blur, gaussian noise and JPEG, on every photo (as old_print_statistics.py)."""
    y = 0.15 + 0.7 * l.numpy() / 100
    y = gaussian(y, sigma=rng.uniform(0.5, 1.5))
    y = random_noise(y, mode="gaussian", var=rng.uniform(2e-4, 2e-3), rng=int(rng.integers(1 << 30)))
    return torch.from_numpy(jpeg(y, int(rng.integers(40, 80))) * 100)


def other_aging_2(l: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """A small negative printed soft: shrunk 2-4x and enlarged, Poisson grain, a gamma, a lifted black."""
    x = l.numpy() / 100
    h, w = x.shape
    k = rng.uniform(2, 4)
    small = Image.fromarray((x * 255).astype(np.uint8)).resize((max(8, int(w / k)), max(8, int(h / k))), Image.BILINEAR)
    y = np.asarray(small.resize((w, h), Image.BICUBIC), dtype=np.float64) / 255
    photons = rng.uniform(30, 200)
    y = rng.poisson(y * photons) / photons
    y = np.clip(y, 0, 1) ** rng.uniform(0.7, 1.4)
    y = rng.uniform(0.05, 0.2) + (1 - rng.uniform(0.1, 0.3)) * y
    return torch.from_numpy(np.clip(y, 0, 1) * 100)


def val_views(root: str) -> dict[str, list[torch.Tensor]]:
    val = tuning_set(root, 300, 256, min_side=128)
    clean = [photo_l(t) for t in val.images]
    rng = np.random.default_rng(0)
    return {"clean": clean, "aged (evaluate --aged)": [photo_l(t) for t in val.age().model_inputs],
            "aged, other code 1": [other_aging(l, rng) for l in clean],
            "aged, other code 2": [other_aging_2(l, rng) for l in clean]}


def report(name: str, p: dict[str, np.ndarray], threshold: float) -> None:
    for k, v in p.items():
        line = f"{name}, val {k:>24s}: to the old-print network {np.mean(v >= threshold):.3f}"
        if k != "clean":
            line += f", AUC against clean {auc(v, p['clean']):.3f}"
        print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", default="../shared/data/train")
    ap.add_argument("--val", default="../shared/data/val")
    ap.add_argument("--n", type=int, default=1200)
    ap.add_argument("--cnn", default=None, help="a trained old-print checkpoint to check beside the statistics")
    ap.add_argument("--out", default="runs/detector.json")
    a = ap.parse_args()
    t0 = time.time()
    fit_set = tuning_set(a.train, a.n, 256, min_side=128, seed=2)
    clean = [photo_l(t) for t in fit_set.images]
    aged = [age_one(l, seeded_generator("old-print-detector", k))[0] for l, k in zip(clean, fit_set.keys)]
    det = fit_detector(np.stack([print_features(l) for l in clean + aged]), np.r_[np.zeros(len(clean)), np.ones(len(aged))])
    print(f"statistics fitted on {len(clean)} training photos x 2 in {time.time() - t0:.0f} s")
    for name, c in sorted(zip(FEATURES, det.coef), key=lambda t: -abs(t[1])):
        print(f"  {name:>20s} {c:+.2f}")
    views = val_views(a.val)
    report("statistics", {k: det.probability_of(np.stack([print_features(l) for l in v])) for k, v in views.items()},
           det.threshold)
    if a.cnn:
        cnn = OldPrintDetector.load(a.cnn)
        report("cnn", {k: cnn.probabilities(v) for k, v in views.items()}, cnn.threshold)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(det.to_metadata(), indent=1))
    print(f"wrote {a.out} ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
