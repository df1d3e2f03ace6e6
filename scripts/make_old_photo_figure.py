"""Before / after on old-print-like photos: each color photo aged as `evaluate --aged` ages it (the same
seeded colorizer.aging of the same file), colorized by two checkpoints through the same Colorizer the app
uses, beside the original (--clean: the photo's own L, not aged). Photos that are already gray (real old
prints) get no original column.

    python scripts/make_old_photo_figure.py --before v2.safetensors --after effnet-unet \\
        --root DIR PHOTO [PHOTO ...] -o docs/images/old-photos.jpg

PHOTO paths are taken under --root (their path under it seeds the aging, as in `evaluate --aged DIR`), so a
photo of val-ood shows here exactly what the aged table scored. --crop X,Y,W,H (fractions) per photo, in
order, picks the region worth looking at ("-" for the whole photo).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from colorizer import Colorizer  # noqa: E402
from colorizer.aging import age_photo, seeded_generator  # noqa: E402
from colorizer.evaluate import squash  # noqa: E402
from colorizer.imageio import load_image  # noqa: E402
from colorizer.presentation import grid  # noqa: E402


def crop(img: Image.Image, box: str) -> Image.Image:
    if box == "-":
        return img
    x, y, w, h = (float(v) for v in box.split(","))
    W, H = img.size
    return img.crop((round(x * W), round(y * H), round((x + w) * W), round((y + h) * H)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("photos", nargs="+")
    ap.add_argument("--root", default=".", help="the folder the photo paths are under (seeds the aging)")
    ap.add_argument("--before", required=True, help="checkpoint name or path")
    ap.add_argument("--after", default=None, help="default: the flagship")
    ap.add_argument("--before-label", default=None)
    ap.add_argument("--after-label", default=None)
    ap.add_argument("--crop", nargs="*", default=[], help="X,Y,W,H fractions per photo, '-' for none")
    ap.add_argument("--size", type=int, default=256, help="evaluation size (squash), as in evaluate")
    ap.add_argument("--clean", action="store_true", help="give the models each photo's own L, not its aging")
    ap.add_argument("-o", "--output", default="old-photos.jpg")
    args = ap.parse_args()
    root = Path(args.root)
    before, after = Colorizer.load(args.before), Colorizer.load(args.after)
    boxes = args.crop + ["-"] * (len(args.photos) - len(args.crop))
    rows = []
    for photo, box in zip(args.photos, boxes):
        loaded = load_image(root / photo)
        truth, colored = squash(loaded.rgb, args.size), loaded.is_color   # as `evaluate` sees it
        given = (age_photo(truth, seeded_generator("evaluate-aged", Path(photo).as_posix()))
                 if colored and not args.clean else truth)   # what both models are given
        tiles = [given, *(c.colorize_arrays([given])[0][..., :3] for c in (before, after))]
        tiles += [truth] if colored else [np.full_like(truth, 255)]
        rows.append([crop(Image.fromarray(t), box) for t in tiles])
    captions = ["input" if args.clean else "aged input", args.before_label or f"before\n{before.name}",
                args.after_label or f"after\n{after.name}", "original"]
    grid(rows, captions, tile=180).save(args.output, quality=90)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
