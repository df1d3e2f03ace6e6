"""The working shape's grid (colorizer.decoding.SHAPE_MULTIPLE), measured through `evaluate`.

The squashed protocol (`evaluate --size 256`) always gives the network a 192 x 192 input at working size
192, so it never saw what users' photos, of every aspect ratio, give it. This scores a folder at each
photo's own aspect ratio (`evaluate --keep-aspect`) with the working shape's sides rounded to each of the
given multiples (1: the shape as it falls, as before 2026-11-24), and, with --squares, the squashed photos
at square working sizes on and off the grid.

    python experiments/working_shape.py ../shared/data/val --multiples 1,4,8,16,32
    python experiments/working_shape.py ../shared/data/val --squares 176,184,188,190,192,196,200
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import colorizer.decoding as decoding  # noqa: E402
from colorizer.evaluation.evaluate import evaluate  # noqa: E402
from colorizer.evaluation.metrics import one_line  # noqa: E402


def line(label: str, m: dict) -> str:
    return f"{label:<34} {one_line(m)}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--checkpoint", default="effnet-unet")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--multiples", default="1,16")
    ap.add_argument("--squares", default="", help="square working sizes to score the squashed photos at")
    ap.add_argument("--aged", action="store_true")
    args = ap.parse_args()
    kw = dict(limit=args.limit, progress=False, semantic=False, aged=args.aged)
    for m in [int(v) for v in args.multiples.split(",") if v]:
        decoding.SHAPE_MULTIPLE = m
        r = evaluate(args.data, [args.checkpoint], 256, keep_aspect=True, **kw)["results"]
        if m == 1:
            print(line("gray, own aspect ratio", r["gray"]))
        print(line(f"{args.checkpoint}, sides multiples of {m}", r[args.checkpoint]), flush=True)
    decoding.SHAPE_MULTIPLE = 1
    for s in [int(v) for v in args.squares.split(",") if v]:
        r = evaluate(args.data, [args.checkpoint], 256, working_size=s, **kw)["results"]
        print(line(f"squashed, working {s} x {s}", r[args.checkpoint]), flush=True)


if __name__ == "__main__":
    main()
