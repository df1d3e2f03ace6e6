"""Can one number tell an old print from a clean gray photo? A probe for routing photos between a clean-photo
and an old-print network (docs/experiments.md, "What v2's recipe is worth on unseen kinds").

    python experiments/old_print_statistics.py
"""
# Clean val photos, our aging (colorizer.aging, as `evaluate --aged`), and an aging by other code (scikit-image:
# fade, blur, gaussian noise, JPEG), on the 300 val tuning photos at 256 px; two statistics each.
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from scipy.ndimage import convolve
M = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], float)
def estimate_sigma(x):  # Immerkaer 1996, fast noise variance estimation
    return float(np.sqrt(np.pi / 2) * np.abs(convolve(x, M)[1:-1, 1:-1]).mean() / 6)
from skimage.filters import gaussian
from skimage.util import random_noise
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.evaluate import tuning_set
data = tuning_set(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/val", 300, 256, min_side=128)
clean = [np.asarray(Image.fromarray(x).convert("L"), dtype=np.float64) / 255 for x in data.model_inputs]
data.age()
ours = [np.asarray(Image.fromarray(x).convert("L"), dtype=np.float64) / 255 for x in data.model_inputs]
rng = np.random.default_rng(0)
def other(x):
    y = 0.15 + 0.7 * x                                             # faded, lifted black
    y = gaussian(y, sigma=rng.uniform(0.5, 1.5))
    y = random_noise(y, mode="gaussian", var=rng.uniform(2e-4, 2e-3), rng=int(rng.integers(1 << 30)))
    b = io.BytesIO(); Image.fromarray((y * 255).astype(np.uint8)).save(b, "JPEG", quality=int(rng.integers(40, 80)))
    return np.asarray(Image.open(b), dtype=np.float64) / 255
others = [other(x) for x in clean]
def stats(x):
    lo, hi = np.percentile(x, [1, 99])
    return estimate_sigma(x), hi - lo
def auc(a, b):  # P(stat of an aged photo > stat of a clean one)
    a, b = np.asarray(a), np.asarray(b)
    return float((a[:, None] > b[None, :]).mean() + 0.5 * (a[:, None] == b[None, :]).mean())
S = {k: np.array([stats(x) for x in v]) for k, v in (("clean", clean), ("ours", ours), ("other", others))}
for k in ("ours", "other"):
    print(f"{k}: noise AUC {auc(S[k][:, 0], S['clean'][:, 0]):.3f}, low contrast AUC {auc(-S[k][:, 1], -S['clean'][:, 1]):.3f}")
for k, v in S.items():
    print(k, "noise sigma median", np.median(v[:, 0]).round(4), "p90", np.percentile(v[:, 0], 90).round(4),
          "| 1-99% range median", np.median(v[:, 1]).round(3))
