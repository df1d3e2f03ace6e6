"""A smaller, gray copy of a training folder for the repair detector, to take where only so many bytes go (a
rented GPU machine receives the repository and at most 64 MiB beside it, not the 319 MB of `train/`).

The detector reads lightness alone, so each photo is stored as its CIELAB L (colorizer.color.l_to_gray_u8: the
gray whose L is the photo's, so `photo_l` reads it back within half a level) in a JPEG of quality 75, about a
third of the colour file. Only what `train.py repair` reads is taken (colorizer.train.repair.training_files: a short
side of at least --min-side, its crop; never the historical plates), read as it reads them. Photos are drawn in a
seeded random order until --mib is reached, so every source keeps its share.

    python scripts/gray_subset.py ../shared/data/train runs/gray-subset --mib 44 --seed 6
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from PIL import Image  # noqa: E402

from colorizer.color import l_to_gray_u8, photo_l  # noqa: E402
from colorizer.imageio import load_image  # noqa: E402
from colorizer.train.repair import training_files  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--mib", type=float, default=44.0, help="stop once the copies take this many MiB")
    ap.add_argument("--min-side", type=int, default=128)
    ap.add_argument("--quality", type=int, default=75)
    ap.add_argument("--seed", type=int, default=6)
    a = ap.parse_args()
    if a.out.exists() and any(a.out.iterdir()):
        sys.exit(f"{a.out} is not empty: give a new folder")
    files, large = training_files(a.root, 0), set(training_files(a.root, a.min_side))
    random.Random(a.seed).shuffle(files)  # every candidate first, then the size rule: the draw of 2026-11-28
    total, kept, budget = 0, 0, a.mib * 2**20
    for f in (f for f in files if f in large):
        dst = a.out / f.relative_to(a.root).with_suffix(".jpg")
        dst.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(l_to_gray_u8(photo_l(load_image(f).rgb)).numpy()).save(dst, quality=a.quality)
        total += dst.stat().st_size
        kept += 1
        if total >= budget:
            break
    print(f"{kept} photos, {total / 2**20:.1f} MiB in {a.out}")


if __name__ == "__main__":
    main()
