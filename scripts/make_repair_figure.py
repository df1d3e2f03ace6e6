"""Before / after of the repair (colorizer.repair), crops at 2x so a speck is visible on a slide:

  - val-ood photos with defects drawn (colorizer.evaluation.defects, the benchmark's seeds): damaged | what the
    repair finds (red) | repaired | the clean photo;
  - val-historical's gray plates where it finds the most: gray | found | repaired | colorized as shipped (the
    default repairs the photos it judges old first).

    python scripts/make_repair_figure.py --data ../shared/data --ood 3 --historical 3 -o docs/images/repair.jpg
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from colorizer import Colorizer  # noqa: E402
from colorizer.color import photo_l  # noqa: E402
from colorizer.demo.page import mark_defects  # noqa: E402
from colorizer.evaluation.aging import gray_photo, seeded_generator  # noqa: E402
from colorizer.evaluation.defects import draw_defects  # noqa: E402
from colorizer.evaluation.evaluate import load_eval_set  # noqa: E402
from colorizer.evaluation.figures import grid  # noqa: E402
from colorizer.imageio import find_images  # noqa: E402
from colorizer.repair import default_repairer, find_defects, repair_photo  # noqa: E402


def crop2x(img: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    return img.crop(box).resize(((box[2] - box[0]) * 2, (box[3] - box[1]) * 2), Image.NEAREST)


def busiest(mask: np.ndarray, side: int) -> tuple[int, int, int, int]:
    """The side x side window holding the most masked pixels (a stride of side / 4)."""
    h, w = mask.shape
    best, box = -1, (0, 0, min(side, w), min(side, h))
    for y in range(0, max(1, h - side + 1), max(1, side // 4)):
        for x in range(0, max(1, w - side + 1), max(1, side // 4)):
            n = int(mask[y:y + side, x:x + side].sum())
            if n > best:
                best, box = n, (x, y, x + min(side, w), y + min(side, h))
    return box


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--ood", type=int, default=3)
    ap.add_argument("--historical", type=int, default=3)
    ap.add_argument("--side", type=int, default=128, help="crop side in pixels of the 256 px photo")
    ap.add_argument("-o", "--out", required=True)
    args = ap.parse_args()
    root, r, c = Path(args.data), default_repairer(), Colorizer.load()
    rows = []
    ood = find_images(root / "val-ood")
    for i, f in enumerate(ood[:: len(ood) // args.ood][: args.ood]):
        rgb = load_eval_set([f], 256).images[0]
        lum = photo_l(rgb)
        damaged, _, _ = draw_defects(lum, seeded_generator("repair-figure", i))
        gray = gray_photo(damaged)
        found = find_defects(gray, r)
        box = busiest(found, args.side)
        rows.append([crop2x(Image.fromarray(gray), box), crop2x(mark_defects(Image.fromarray(gray), found), box),
                     crop2x(repair_photo(gray, r).convert("RGB"), box), crop2x(Image.fromarray(gray_photo(lum)), box)])
    plates = load_eval_set(root / "val-historical", 256).images
    masks = [(find_defects(gray_photo(photo_l(p)), r), p) for p in plates]
    masks.sort(key=lambda m: -int(m[0].sum()))  # the plates where it finds the most
    for found, rgb in masks[: args.historical]:
        gray = gray_photo(photo_l(rgb))
        box = busiest(found, args.side)
        rows.append([crop2x(Image.fromarray(gray), box), crop2x(mark_defects(Image.fromarray(gray), found), box),
                     crop2x(repair_photo(gray, r).convert("RGB"), box), crop2x(c.colorize(gray), box)])
    captions = ["damaged / real plate", "found (red)", "repaired", "clean truth /\ncolorized as shipped"]
    sheet = grid(rows, captions, tile=240)
    sheet.save(args.out, quality=88)
    print(f"wrote {args.out}: {args.ood} val-ood photos with drawn defects, {args.historical} val-historical plates")


if __name__ == "__main__":
    torch.set_num_threads(2)
    main()
