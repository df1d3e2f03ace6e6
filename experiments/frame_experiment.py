"""What a scan's frame does to a colorization, and what colorizer.frame's handling changes (2026-11-24).

  synthetic  val photos (the tuning rule's, 128 px and more) in gray, set on a noisy frame of one tone
             (paper white, a black mount, a gray card) 32 px wide: the photo scored inside the frame, and
             the frame's chroma, with the frame found and left uncolored (as shipped) and with the whole
             image colorized (the frame handling off), against the photo colorized alone.
  found      the photos of a folder (squashed as `evaluate` does) in which a frame is found, scored with
             the handling on and off: on ordinary photo collections those are the real frames and plain
             backgrounds that are there.

    python experiments/frame_experiment.py synthetic ../shared/data/val --images 60
    python experiments/frame_experiment.py found ../shared/data/val
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402

from colorizer.frame import find_frame  # noqa: E402
from colorizer.evaluation.evaluate import load_eval_set, tuning_set  # noqa: E402
from colorizer.inference import Colorizer  # noqa: E402
from colorizer.evaluation.metrics import image_metrics, one_line, summarize, to_lab  # noqa: E402


def line(label: str, m: dict) -> str:
    return f"  {label:<40} {one_line(m)}"


def synthetic(c: Colorizer, root: str, n: int, width: int = 32) -> None:
    photos = tuning_set(root, n, 256, min_side=128).images
    grays = [(t.astype(np.float32) @ np.float32([0.299, 0.587, 0.114])).astype(np.uint8) for t in photos]  # a scan's gray
    rng = np.random.default_rng(0)
    alone = [image_metrics(c.colorize_arrays([g])[0], t) for g, t in zip(grays, photos)]
    print(line("the photo alone, unframed", summarize(alone)))
    for tone in (235, 20, 200):
        for label, ignore in (("frame found, left uncolored", False), ("frame colorized with the photo", True)):
            scores, chroma = [], []
            for g, t in zip(grays, photos):
                h, w = g.shape
                scan = np.clip(rng.normal(tone, 3, (h + 2 * width, w + 2 * width)), 0, 255).astype(np.uint8)
                scan[width:width + h, width:width + w] = g
                c.find_frames = not ignore
                out = c.colorize_arrays([scan])[0]
                scores.append(image_metrics(out[width:width + h, width:width + w], t))
                lab = to_lab(out)
                mask = np.ones(lab.shape[:2], bool)
                mask[width:width + h, width:width + w] = False
                chroma.append(np.hypot(lab[..., 1], lab[..., 2])[mask])
            c_all = np.concatenate(chroma)
            print(line(f"frame {tone}, {label}", summarize(scores))
                  + f"  frame chroma mean {c_all.mean():.2f}, 99th pct {np.percentile(c_all, 99):.1f}")


def found(c: Colorizer, root: str) -> None:
    ds = load_eval_set(root, 256)
    hits = [t for t in ds.images if find_frame(t) is not None]
    print(f"  {len(hits)} of {len(ds.images)} photos with a frame found (squashed to 256 x 256)")
    if not hits:
        return
    on = [image_metrics(c.colorize_arrays([t])[0], t) for t in hits]
    c.find_frames = False
    off = [image_metrics(c.colorize_arrays([t])[0], t) for t in hits]
    print(line("frame found, left uncolored", summarize(on)))
    print(line("frame colorized with the photo", summarize(off)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("synthetic", "found"))
    ap.add_argument("data")
    ap.add_argument("--checkpoint", default="effnet-unet")
    ap.add_argument("--images", type=int, default=60)
    args = ap.parse_args()
    c = Colorizer.load(args.checkpoint)
    print(f"{args.what}: {args.data}, {args.checkpoint}")
    synthetic(c, args.data, args.images) if args.what == "synthetic" else found(c, args.data)


if __name__ == "__main__":
    main()
