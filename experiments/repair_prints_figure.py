"""Cracked prints as benchmarks/repair.py draws them (val-ood photos at 384 px, crack shapes of repair/cracks/val,
scanned), repaired by two detectors: the scan | what each finds (red) and its repair | the undamaged scan.

    python experiments/repair_prints_figure.py --data ../shared/data --a weights/repair.safetensors \
        --b recipes/repair-v7/repair-v7.safetensors -o docs/images/repair-prints.jpg
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from colorizer.color import l_to_gray_u8, photo_l  # noqa: E402
from colorizer.demo.page import mark_defects  # noqa: E402
from colorizer.evaluation.aging import seeded_generator  # noqa: E402
from colorizer.evaluation.defects import crack_shapes, cracked_print  # noqa: E402
from colorizer.evaluation.evaluate import load_eval_set  # noqa: E402
from colorizer.evaluation.figures import grid  # noqa: E402
from colorizer.imageio import find_images  # noqa: E402
from colorizer.repair import Repairer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--photos", type=int, nargs="+", default=[3, 45, 121, 200])
    ap.add_argument("-o", "--out", required=True)
    args = ap.parse_args()
    root = Path(args.data)
    kinds = sorted(p for p in (root / "val-ood").iterdir() if p.is_dir())
    ood = [f for k in kinds for f in find_images(k)[:: max(1, len(find_images(k)) // 30)][:30]]  # the benchmark's 300
    images = load_eval_set([ood[i] for i in args.photos], 384).images
    shapes = crack_shapes(str(root / "repair" / "cracks" / "val"))
    a, b = Repairer.load(args.a), Repairer.load(args.b)
    gray = lambda lum: Image.fromarray(l_to_gray_u8(torch.as_tensor(lum)).numpy())  # noqa: E731
    rows = []
    for i, rgb in zip(args.photos, images):
        damaged, mask, clean = (t.numpy() for t in cracked_print(photo_l(rgb), seeded_generator("repair-prints", i), shapes))
        row = [gray(damaged)]
        for r in (a, b):
            found = r.find(damaged)
            row += [mark_defects(gray(damaged), found), gray(r.fill(damaged.astype(np.float32), found))]
        rows.append(row + [gray(clean)])
    caps = ["cracked print", f"found: {Path(args.a).stem}", "repaired", f"found: {Path(args.b).stem}", "repaired",
            "undamaged scan"]
    grid(rows, caps, tile=256).convert("RGB").save(args.out, quality=88)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
