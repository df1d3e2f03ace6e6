"""Cracked portraits as benchmarks/repair.py renders its prints (val-ood/portraits at 384 px, the crack shapes of
repair/cracks/val, scanned), cropped where the damage is of each of the benchmark's widths (< 3, 3-6, >= 6 px):
the scan | detected and repaired (--repair, the shipped detector by default, with its fill) | Telea given the true
mask | Telea relaxed given the true mask | the shipped learned fill given the true mask, where one ships | a learned
fill given the true mask (--fill) | the undamaged scan. Each crop's PSNR of L inside the true mask
is printed.

    python experiments/repair_widths_figure.py --data ../shared/data -o docs/images/repair-widths-fill-v4.jpg
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from benchmarks.repair import psnr  # noqa: E402
from colorizer.color import l_to_gray_u8, photo_l  # noqa: E402
from colorizer.evaluation.aging import seeded_generator  # noqa: E402
from colorizer.evaluation.defects import WIDTHS, crack_shapes, cracked_print, local_width  # noqa: E402
from colorizer.evaluation.evaluate import load_eval_set  # noqa: E402
from colorizer.evaluation.figures import grid  # noqa: E402
from colorizer.imageio import find_images  # noqa: E402
from colorizer.repair import FILL_CHECKPOINT, REPAIR_CHECKPOINT, Repairer, fill_defects  # noqa: E402

CROP = 96


def best_window(sel: np.ndarray) -> tuple[int, int, int]:
    """(count, y, x): the CROP x CROP window holding the most of `sel`, on a grid of CROP / 4."""
    s = CROP // 4
    best = (-1, 0, 0)
    for y in range(0, sel.shape[0] - CROP + 1, s):
        for x in range(0, sel.shape[1] - CROP + 1, s):
            best = max(best, (int(sel[y:y + CROP, x:x + CROP].sum()), y, x))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--repair", default=str(REPAIR_CHECKPOINT), help="the detector (default: the shipped one)")
    ap.add_argument("--shipped-fill", default=str(FILL_CHECKPOINT) if FILL_CHECKPOINT.is_file() else "",
                    help="the repair's own learned fill ('': Telea relaxed, as shipped without one)")
    ap.add_argument("--fill", default="", help="a learned fill to show beside Telea, given the true mask")
    ap.add_argument("--photos", type=int, default=40, help="portraits searched for each width's crop")
    ap.add_argument("-o", "--out", required=True)
    args = ap.parse_args()
    root = Path(args.data)
    files = find_images(root / "val-ood" / "portraits")[: args.photos]
    images = load_eval_set(files, 384).images
    shapes = crack_shapes(str(root / "repair" / "cracks" / "val"))
    shipped = Repairer.load(args.repair, args.shipped_fill or None)
    learned = Repairer.load(args.repair, args.fill) if args.fill else None
    prints = [tuple(t.numpy() for t in cracked_print(photo_l(rgb), seeded_generator("repair-widths", i), shapes))
              for i, rgb in enumerate(images)]
    gray = lambda lum: Image.fromarray(l_to_gray_u8(torch.as_tensor(lum)).numpy())  # noqa: E731
    widths = [local_width(m) for _, m, _ in prints]
    rows, used = [], set()
    for lo, hi in WIDTHS:  # each width's crop from a portrait of its own
        (count, y, x), i = max((best_window(m & (w >= lo) & (w < hi)), i)
                               for i, ((_, m, _), w) in enumerate(zip(prints, widths)) if i not in used)
        used.add(i)
        damaged, mask, clean = prints[i]
        f = damaged.astype(np.float32)
        panels = {"scan": damaged, "detected and repaired": shipped.fill(f, shipped.find(damaged)),
                  "Telea, true mask": shipped.fill(f, mask, telea_only=True), "Telea relaxed, true mask": fill_defects(f, mask)}
        if shipped.learned is not None:  # the shipped learned fill beside the relaxation it corrects
            panels[f"{shipped.learned.metadata.get('release', 'shipped fill')}, true mask"] = shipped.fill(f, mask)
        if learned is not None:
            panels["learned fill, true mask"] = learned.fill(f, mask)
        panels["undamaged"] = clean
        box = (slice(y, y + CROP), slice(x, x + CROP))
        m = mask[box]
        print(f"width {lo:g}-{hi:g} px: portrait {i}, crop at ({y}, {x}), {count} px of that width; L inside the mask: "
              + ", ".join(f"{k} {psnr(v[box][m], clean[box][m]):.2f} dB" for k, v in panels.items() if k != "undamaged"))
        rows.append([gray(v[box]).resize((2 * CROP, 2 * CROP), Image.NEAREST) for v in panels.values()])
    name = shipped.metadata.get("release", Path(args.repair).stem)
    caps = [f"repaired by\n{name}" if k == "detected and repaired" else k.replace(", ", ",\n") for k in panels]
    grid(rows, caps, tile=2 * CROP).convert("RGB").save(args.out, quality=90)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
