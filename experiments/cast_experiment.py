"""Does shrinking a photo's shared tint beat the prior correction at equal colorfulness? A grayscale photo
says nothing about its light's color, yet the network often gives a whole photo one tint (a street washed warm,
a room gone red); here each photo's mean ab is shrunk by a fraction `cast` after decoding, keeping the colors'
differences within the photo. On the 300 val photos scripts/tune_decode.py --min-side 128 draws, clean and aged (evaluate
--aged's aging), the tone restored as the default does, working size and guided radius from the checkpoint:
every prior correction x cast is scored, so the two knobs can be compared along the colorfulness axis.

    python experiments/cast_experiment.py weights/effnet-unet.safetensors --data ../shared/data/val
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch  # noqa: E402

from colorizer.decoding import run_model  # noqa: E402
from colorizer.inference import model_input  # noqa: E402
from tuning_views import restored_views, score_line  # noqa: E402


def shrink_cast(ab: torch.Tensor, k: float) -> torch.Tensor:
    return ab - k * ab.mean(dim=(-2, -1), keepdim=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--data", required=True, help="the validation folder (not val-ood)")
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--alphas", default="0,0.15,0.3,0.45")
    ap.add_argument("--casts", default="0,0.25,0.5,0.75,1")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    truth, c, given = restored_views(args.checkpoint, args.data, args.images)
    with torch.inference_mode():
        outs = {view: [(g, ls, run_model(c.model, ls, None, c.decoding)) for g in gs
                       for ls in [model_input(g, c.working_size)]] for view, gs in given.items()}
    for a in (float(v) for v in args.alphas.split(",")):
        for k in (float(v) for v in args.casts.split(",")):
            s = replace(c.decoding, prior_correction=a)
            print(f"alpha {a:.2f} cast {k:.2f}: " + score_line(c, outs, truth, s, lambda ab: shrink_cast(ab, k)), flush=True)

if __name__ == "__main__":
    main()
