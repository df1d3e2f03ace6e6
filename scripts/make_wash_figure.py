"""Before / after on the real old photographs where the modern decoding paints a wash: val-historical's plates
(squashed to 256 x 256 as `evaluate` gives them), colorized by the default with its modern decoding for every
photo (before) and as it ships, old photographs decoded for old photographs (after), beside the plate's own
colours. The N photos with the most wash before are shown, each captioned with its wash before and after.

    python scripts/make_wash_figure.py ../shared/data/val-historical -n 6 -o docs/images/old-photo-decoding.jpg
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from colorizer import Colorizer  # noqa: E402
from colorizer.color import photo_l  # noqa: E402
from colorizer.evaluation.aging import gray_photo  # noqa: E402
from colorizer.evaluation.evaluate import load_eval_set  # noqa: E402
from colorizer.evaluation.figures import grid  # noqa: E402
from colorizer.evaluation.metrics import to_lab, wash  # noqa: E402
from colorizer.imageio import load_image  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root")
    ap.add_argument("-n", type=int, default=6)
    ap.add_argument("--checkpoint", default="effnet-unet")
    ap.add_argument("-o", "--out", required=True)
    args = ap.parse_args()
    data = load_eval_set(args.root, 256)
    modern = Colorizer.load(args.checkpoint, route=False)   # one decoding for every photo: the modern one
    shipped = Colorizer.load(args.checkpoint)                # as it ships: two decodings
    rows = []
    for rgb in data.images:
        truth, gray = to_lab(rgb), gray_photo(photo_l(rgb))  # the pipeline reads the lightness only
        before = modern.colorize_arrays([gray])[0]
        im = load_image(gray)
        after = shipped.colorize_arrays([im])[0]
        rows.append((wash(to_lab(before), truth), wash(to_lab(after), truth), shipped.kind_of(im)[1], gray, before, after, rgb))
    rows.sort(key=lambda r: -r[0])
    tiles = [[Image.fromarray(r[3]), Image.fromarray(r[4]), Image.fromarray(r[5]), Image.fromarray(r[6])] for r in rows[:args.n]]
    for r in rows[:args.n]:
        print(f"wash {r[0]:.3f} -> {r[1]:.3f} ({r[2]})")
    captions = ["gray plate (input)", "modern decoding\n(before)", "as shipped (after):\nold photos decoded as such", "the plate's colours"]
    sheet = grid(tiles, captions, tile=220)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, quality=88)
    print(f"wrote {args.out}: the {args.n} of {len(rows)} photos with the most wash before; mean wash of those "
          f"{np.mean([r[0] for r in rows[:args.n]]):.3f} -> {np.mean([r[1] for r in rows[:args.n]]):.3f}")


if __name__ == "__main__":
    main()
