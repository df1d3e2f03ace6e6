"""Hysteresis on the defect map (tried 2026-11-29, not shipped): a piece of the thresholded map (8-connected) is kept
only where its probability reaches a seed threshold somewhere, as in Canny's edge detector. Why it was tried: on the
real old plates of val-historical, most of what the shipped detector flags lies on the photos' own thin bright lines
(birch trunks and their reflections, a rod, a highlight), in pieces whose probability never reaches 0.5. Filling them
erases the trunk.

For each seed it prints:
- val (the tuning set, as colorizer.train.repair's rule reads it): exact F1 of drawn defects and of cracked prints,
  and the pixels flagged on the same photos clean;
- val-ood (benchmarks/repair.py's figures): drawn defects F1 and dB, cracked prints F1 at 2 px and dB, clean pixels
  flagged;
- val-historical: the share of each plate's pixels flagged (every third plate; no mask exists, so a yardstick of
  how much of a real old photo the repair touches).

With --figure, instead: the plates of val-historical the shipped map flags most (every third plate), each as the
print | the map as shipped (red) | repaired with it | the map with the last seed (red) | repaired with that.

    python experiments/repair_hysteresis.py [--data ../shared/data] [--seeds 0 0.5]
    python experiments/repair_hysteresis.py --figure docs/images/repair-hysteresis-plates.jpg
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from benchmarks.repair import clean_share, defect_figures, print_figures  # noqa: E402
from PIL import Image  # noqa: E402

from colorizer.color import denormalize_l, l_to_gray_u8  # noqa: E402
from colorizer.evaluation.defects import MaskCounts, crack_shapes  # noqa: E402
from colorizer.evaluation.evaluate import load_eval_set, tuning_set  # noqa: E402
from colorizer.evaluation.figures import grid  # noqa: E402
from colorizer.imageio import find_images, load_image  # noqa: E402
from colorizer.join import luminance  # noqa: E402
from colorizer.repair import FILL_CHECKPOINT, REPAIR_CHECKPOINT, Repairer  # noqa: E402
from colorizer.train.repair import val_pairs  # noqa: E402


def hysteresis(p: np.ndarray, low: float, high: float) -> np.ndarray:
    """p >= low, in the 8-connected pieces that reach `high` somewhere (high <= low: the plain threshold)."""
    m = p >= low
    if high <= low or not m.any():
        return m
    n, labels = cv2.connectedComponents(m.view(np.uint8), connectivity=8)
    seeded = np.zeros(n, bool)
    seeded[labels[p >= high]] = True
    seeded[0] = False
    return seeded[labels]


class SeededRepairer(Repairer):
    """The shipped repairer, its map kept only where a piece reaches `seed`."""

    seed = 0.0

    def find(self, lum, shape=None) -> np.ndarray:
        return hysteresis(self.probabilities(lum, shape).numpy(), self.threshold, self.seed)


def figure(r: SeededRepairer, plates: list, seed: float, out: str, n: int = 3) -> None:
    """The n plates the shipped map flags most: print | map | repaired, as shipped and with `seed`."""
    def views(px: np.ndarray, lum: np.ndarray) -> list[Image.Image]:
        m = r.find(lum)
        marked = np.repeat(px[..., None], 3, -1)
        marked[m] = (255, 0, 0)
        return [Image.fromarray(marked), Image.fromarray(r.fill(px, m))]
    r.seed = 0.0
    worst = sorted(plates, key=lambda t: -r.find(t[1]).mean())[:n]
    rows = []
    for px, lum in worst:
        r.seed = 0.0
        shipped = views(px, lum)
        r.seed = seed
        rows.append([Image.fromarray(px), *shipped, *views(px, lum)])
    grid(rows, ["the print", "map as shipped", "repaired", f"map, seed {seed:g}", "repaired"], tile=256).save(out, quality=90)
    print(f"wrote {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--seeds", type=float, nargs="+", default=[0.0, 0.5])
    ap.add_argument("--per-kind", type=int, default=30)
    ap.add_argument("--figure", help="write the figure of the most flagged plates here instead")
    args = ap.parse_args()
    root = Path(args.data)
    base = Repairer.load(REPAIR_CHECKPOINT, FILL_CHECKPOINT if FILL_CHECKPOINT.is_file() else None)
    r = SeededRepairer(base.net, base.threshold, base.metadata, base.learned, base.runner)
    lums = [denormalize_l(torch.from_numpy(luminance(load_image(f).pixels)))
            for f in find_images(root / "val-historical")[::3]]  # each plate's lightness, as the repair reads it
    if args.figure:
        return figure(r, [(l_to_gray_u8(lum).numpy(), lum.numpy()) for lum in lums], args.seeds[-1], args.figure)
    pairs = val_pairs(str(root / "val"), 200, str(root / "repair" / "cracks"))
    ood = [f for kind in sorted(p for p in (root / "val-ood").iterdir() if p.is_dir())
           for f in find_images(kind)[:: max(1, len(find_images(kind)) // args.per_kind)][: args.per_kind]]
    ood_256, ood_384 = load_eval_set(ood, 256).images, load_eval_set(ood, 384).images
    shapes = crack_shapes(str(root / "repair" / "cracks" / "val"))
    plates = [lum.numpy() for lum in lums]
    val_clean = tuning_set(root / "val", 200, 256, min_side=128).images
    for seed in args.seeds:
        r.seed = seed
        row = [f"seed {seed:.2f}:"]
        for name, kind in (("drawn", 0), ("prints", 1)):
            counts = MaskCounts()
            flagged = []
            for clean, damaged, mask in pairs[kind::2]:
                counts.add(r.find(damaged), mask.numpy())
                flagged.append(r.find(clean).mean())
            s = counts.scores()
            row.append(f"val {name} F1 {s['f1']:.4f} (P {s['precision']:.3f} R {s['recall']:.3f}), "
                       f"clean {np.mean(flagged):.4%}")
        d = defect_figures(r, ood_256)
        p = print_figures(r, ood_384, shapes)
        row.append(f"val-ood drawn F1 {d['f1']:.4f} (P {d['precision']:.3f} R {d['recall']:.3f}) "
                   f"{d['psnr_in_mask_repaired'] - d['psnr_in_mask_damaged']:+.2f} dB; prints F1 {p['f1']:.4f} "
                   f"(R {p['recall']:.3f}) {p['psnr_in_mask_repaired'] - p['psnr_in_mask_damaged']:+.2f} dB; clean "
                   f"val {clean_share(r, val_clean):.3%} val-ood {clean_share(r, ood_256):.3%} prints "
                   f"{p['clean_flagged']:.3%}")
        shares = [r.find(lum).mean() for lum in plates]
        row.append(f"val-historical flagged: mean {np.mean(shares):.3%}, median {np.median(shares):.3%}, "
                   f"90th percentile {np.quantile(shares, 0.9):.3%}")
        print("\n  ".join(row), flush=True)


if __name__ == "__main__":
    main()
