"""Make colorizer/assets/ab_bins.json: the in-gamut ab bin centres and their empirical prior.

Centres: every point of a 10-unit ab grid whose cell (+-5) contains a color of the sRGB cube
(sampled densely, converted with colorizer.color). Zhang et al. report 313 such bins for their
gamut test; this exact cell-overlap test on the sRGB cube gives the count printed below.
Prior: the share of training pixels whose nearest centre is each bin, over a random sample of the
training images at the training crop scale, smoothed with a Gaussian (sigma 5 ab units) as in the paper.

    python scripts/make_ab_bins.py --data ../shared/data/train --images 4000
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.bins import ASSET, nearest_bin  # noqa: E402
from colorizer.color import rgb_to_lab  # noqa: E402
from colorizer.imageio import find_images, open_image  # noqa: E402

GRID = 10.0


def gamut_centers(n: int = 160) -> torch.Tensor:
    g = torch.linspace(0, 1, n, dtype=torch.float64)
    cube = torch.stack(torch.meshgrid(g, g, g, indexing="ij")).reshape(3, n * n, n)
    ab = rgb_to_lab(cube)[1:].reshape(2, -1)
    cells = set()
    for da in np.linspace(-4.99, 4.99, 5):
        for db in np.linspace(-4.99, 4.99, 5):
            q = torch.round((ab + torch.tensor([[da], [db]], dtype=ab.dtype)) / GRID).long()
            cells |= set(map(tuple, torch.unique(q.T, dim=0).tolist()))
    return torch.tensor(sorted(cells), dtype=torch.float32) * GRID


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--images", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(ASSET))
    args = ap.parse_args()

    centers = gamut_centers()
    files = find_images(args.data)
    random.Random(args.seed).shuffle(files)
    counts = torch.zeros(len(centers), dtype=torch.float64)
    used = 0
    for f in files[: args.images]:
        try:
            img = open_image(f).convert("RGB")
        except Exception:  # noqa: BLE001 - a bad file simply does not count
            continue
        rgb = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]
        idx = nearest_bin(rgb_to_lab(rgb)[:, 1:], centers)
        counts += torch.bincount(idx.flatten(), minlength=len(centers)).double()
        used += 1
    prior = counts / counts.sum()
    # Gaussian smoothing of the prior over ab space (sigma 5), as in Zhang et al.
    d2 = torch.cdist(centers.double(), centers.double()) ** 2
    kernel = torch.exp(-d2 / (2 * 5.0 ** 2))
    prior = kernel @ prior / kernel.sum(1)
    prior = prior / prior.sum()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({
        "grid": GRID,
        "centers": centers.int().tolist(),
        "prior": [round(float(p), 8) for p in prior],
        "source": f"{used} images sampled from {Path(args.data).name} (seed {args.seed}); "
                  f"made by scripts/make_ab_bins.py",
    }))
    print(f"{len(centers)} in-gamut bins; prior from {used} images -> {args.out}")


if __name__ == "__main__":
    main()
