"""Can one number tell an old print from a clean gray photo? A probe for routing photos between a clean-photo
and an old-print network (docs/experiments.md, "What v2's recipe is worth on unseen kinds").

The 300 val tuning photos at 256 px, three ways: clean (turned gray as the product does), aged by
colorizer.evaluation.aging (as `evaluate --aged` ages them), and aged by other code (scikit-image: fade, blur, gaussian
noise, JPEG, on every photo). For two statistics, prints how often an aged photo scores above a clean one
(0.5 is chance).

    python experiments/old_print_statistics.py [VAL_DIR]
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from scipy.ndimage import convolve
from skimage.filters import gaussian
from skimage.util import random_noise

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.evaluation.aging import gray_photo  # noqa: E402
from colorizer.color import srgb_u8_to_l  # noqa: E402
from colorizer.evaluation.evaluate import tuning_set  # noqa: E402

LAPLACE = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], float)


def noise_sigma(x: np.ndarray) -> float:
    """Immerkaer (1996), fast noise estimation: the mean absolute response to a Laplacian difference mask."""
    return float(np.sqrt(np.pi / 2) * np.abs(convolve(x, LAPLACE)[1:-1, 1:-1]).mean() / 6)


def tonal_range(x: np.ndarray) -> float:
    lo, hi = np.percentile(x, [1, 99])
    return float(hi - lo)


def gray01(rgb_u8: np.ndarray) -> np.ndarray:
    """A gray uint8 RGB photo -> its gray level in [0, 1]."""
    return rgb_u8[..., 0].astype(np.float64) / 255


def other_aging(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    y = 0.15 + 0.7 * x  # faded, black lifted
    y = gaussian(y, sigma=rng.uniform(0.5, 1.5))
    y = random_noise(y, mode="gaussian", var=rng.uniform(2e-4, 2e-3), rng=int(rng.integers(1 << 30)))
    buf = io.BytesIO()
    Image.fromarray((y * 255).astype(np.uint8)).save(buf, "JPEG", quality=int(rng.integers(40, 80)))
    return np.asarray(Image.open(buf), dtype=np.float64) / 255


def above(aged: np.ndarray, clean: np.ndarray) -> float:
    """P(an aged photo's statistic > a clean one's), ties counted half (the area under the ROC curve)."""
    return float((aged[:, None] > clean[None, :]).mean() + 0.5 * (aged[:, None] == clean[None, :]).mean())


def main() -> None:
    data = tuning_set(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/val", 300, 256, min_side=128)
    views = {"clean": [gray01(gray_photo(srgb_u8_to_l(torch.from_numpy(t).permute(2, 0, 1))[0]))
                       for t in data.images]}
    views["ours"] = [gray01(x) for x in data.age().model_inputs]
    rng = np.random.default_rng(0)
    views["other"] = [other_aging(x, rng) for x in views["clean"]]
    stats = {k: np.array([(noise_sigma(x), tonal_range(x)) for x in v]) for k, v in views.items()}
    for k in ("ours", "other"):
        print(f"{k}: noise {above(stats[k][:, 0], stats['clean'][:, 0]):.3f}, "
              f"low contrast {above(-stats[k][:, 1], -stats['clean'][:, 1]):.3f}")
    for k, s in stats.items():
        print(f"{k}: noise sigma median {np.median(s[:, 0]):.4f}, p90 {np.percentile(s[:, 0], 90):.4f}; "
              f"1-99% range median {np.median(s[:, 1]):.3f}")


if __name__ == "__main__":
    main()
