"""How well colorizer.imageio.is_toned tells a toned black-and-white print from a colour photo.

Toned prints are made from real gray photos (val-historical's plates turned gray: real glass-plate prints)
the way such prints and their scans come: a sepia, selenium or cyanotype tone whose strength follows the
print's density, paper that yellowed unevenly, a scanner's grain, JPEG. Colour photos: val-ood and
val-historical as they are. Prints the share called toned in each; with --checkpoint, also the share of the toned
prints that the checkpoint decodes as old photos (toned, or judged old by its old-photo judgement).

    python experiments/toned_scans.py [--n 300] [--checkpoint effnet-unet]
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.evaluation.evaluate import evenly_spaced  # noqa: E402
from colorizer.imageio import find_images, has_color, is_toned, load_image  # noqa: E402

TONES = {"sepia": (112, 66, 20), "selenium": (94, 60, 72), "cyanotype": (20, 60, 120), "yellowed": (150, 130, 60)}


def toned_print(gray: np.ndarray, tone: tuple, rng: np.random.Generator, stain: bool) -> np.ndarray:
    """A gray photo (H, W) uint8 as a toned print's scan: the tone strongest in the mid-tones, paper white at
    the top, an uneven yellowing when stain, grain and JPEG at quality 60-90."""
    g = gray.astype(np.float32) / 255
    t = np.array(tone, np.float32) / 255
    weight = 4 * g * (1 - g)                                    # toning follows density: none in paper white
    rgb = g[..., None] * (1 - 0.6 * weight[..., None]) + 0.6 * weight[..., None] * t * g[..., None] / max(t.mean(), 1e-3) * 0.5
    rgb = g[..., None] + (rgb - g[..., None]) * rng.uniform(0.6, 1.4)
    if stain:
        h, w = g.shape
        yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
        blob = np.exp(-((xx - rng.uniform(0, 1)) ** 2 + (yy - rng.uniform(0, 1)) ** 2) / rng.uniform(0.05, 0.3))
        rgb = rgb * (1 - 0.12 * blob[..., None] * np.array([0.0, 0.15, 0.6]))
    rgb = np.clip(rgb + rng.normal(0, 0.01, rgb.shape), 0, 1)
    buf = io.BytesIO()
    Image.fromarray((rgb * 255).round().astype(np.uint8)).save(buf, "JPEG", quality=int(rng.integers(60, 91)))
    return np.asarray(Image.open(buf).convert("RGB"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--checkpoint", help="also the share its pipeline decodes as old photos (Colorizer.kind_of)")
    args = ap.parse_args()
    judge = None
    if args.checkpoint:
        from colorizer.inference import Colorizer
        judge = Colorizer.load(args.checkpoint)
    rng = np.random.default_rng(0)
    hist = evenly_spaced(find_images(Path(args.data) / "val-historical"), args.n)
    ood = evenly_spaced(find_images(Path(args.data) / "val-ood"), args.n)
    rows = {}
    for name, tone in TONES.items():
        for stain in (False, True):
            label, hits, old = f"{name}{' + stain' if stain else ''}", [], []
            for f in hist:
                gray = np.asarray(Image.open(f).convert("L"))
                x = toned_print(gray, tone, rng, stain)
                hits.append(has_color(x) and is_toned(x))
                if judge is not None:
                    old.append(judge.kind_of(load_image(x))[1] == "old photo")
            rows[f"{label} (toned)"] = np.mean(hits)
            if old:
                rows[f"{label} (decoded as old)"] = np.mean(old)
    for label, files in (("val-historical colour", hist), ("val-ood colour", ood)):
        rows[f"{label} (called toned)"] = np.mean([is_toned(load_image(f).rgb) for f in files])
    for k, v in rows.items():
        print(f"{k:<36} {v:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
