"""The picture of what routing changes: clean val-ood photos an old-print judgement sends to a clean-photo
partner, as the default (v5) colours them alone and as the partner does, beside the original. The photos are
not picked by how they come out: of each kind named, the first ones (sorted file names) the judgement calls clean.

    python experiments/routing_figure.py ../shared/data/val-ood --clean runs/cand/v7.safetensors \
        --judge recipes/old-print-v1/model.safetensors --threshold 0.1 -o docs/images/routing.jpg
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from PIL import Image  # noqa: E402

from colorizer import Colorizer  # noqa: E402
from colorizer.evaluation.aging import gray_photo  # noqa: E402
from colorizer.color import photo_l  # noqa: E402
from colorizer.evaluation.evaluate import load_eval_set  # noqa: E402
from colorizer.imageio import find_images, load_image  # noqa: E402
from colorizer.evaluation.figures import grid  # noqa: E402
from colorizer.routing import OldPrintDetector, old_print_probability  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--kinds", default="fashion,sports,cars,produce,street")
    ap.add_argument("--per-kind", type=int, default=1)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--clean", required=True, help="the clean-photo partner's checkpoint")
    ap.add_argument("--judge", required=True, help="the old-print judgement's checkpoint")
    ap.add_argument("--threshold", type=float, default=0.1)
    ap.add_argument("-o", "--out", default="runs/routing.jpg")
    args = ap.parse_args()
    alone = Colorizer.load(route=False)
    partner = Colorizer.load(args.clean, route=False)
    judge = OldPrintDetector.load(args.judge, args.threshold)
    rows = []
    for kind in args.kinds.split(","):
        found = 0
        for f in find_images(Path(args.data) / kind):
            photo = load_eval_set([f], args.size).images[0]  # given as `evaluate` gives it: the model reads its L
            loaded = load_image(photo)
            score = old_print_probability(judge, loaded)
            if score >= judge.threshold:
                continue
            print(f"{kind}: {f.name}, old-print score {score:.3f}")
            rows.append([Image.fromarray(x) for x in (gray_photo(photo_l(photo)), alone.colorize_arrays([loaded])[0],
                                                        partner.colorize_arrays([loaded])[0], photo)])
            found += 1
            if found == args.per_kind:
                break
    sheet = grid(rows, ["gray input", f"default ({alone.name} v5)", f"partner ({partner.name})", "original"])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, quality=85)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
