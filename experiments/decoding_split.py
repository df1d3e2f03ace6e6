"""The default's figures on a folder, split by the decoding each photo got: those judged old photos (toned, or called
old by the old-photo judgement) and the others. `evaluate` prints the share judged old; this says where the wash is.

    python experiments/decoding_split.py [DIR] [--checkpoint effnet-unet] [--size 256]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.evaluation.evaluate import load_eval_set  # noqa: E402
from colorizer.evaluation.metrics import image_metrics, one_line, summarize  # noqa: E402
from colorizer.imageio import load_image  # noqa: E402
from colorizer.inference import Colorizer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default="../shared/data/val-historical")
    ap.add_argument("--checkpoint", default="effnet-unet")
    ap.add_argument("--size", type=int, default=256)
    args = ap.parse_args()
    data = load_eval_set(args.dir, args.size)
    c = Colorizer.load(args.checkpoint)
    split: dict[str, list[dict]] = {}
    for x, truth in zip(data.model_inputs, data.images):
        im = load_image(x)  # one LoadedImage, so the judgement is made once and read back from its memo
        out = c.colorize_arrays([im])[0]
        split.setdefault(c.kind_of(im)[1], []).append(image_metrics(out, truth))
    everything = [r for rows in split.values() for r in rows]
    for name, rows in [*sorted(split.items()), ("all", everything)]:
        print(f"{name:10s} {len(rows):4d}  {one_line(summarize(rows))}")


if __name__ == "__main__":
    main()
