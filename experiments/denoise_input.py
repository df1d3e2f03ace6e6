"""Does the network read an old print better through a denoised copy? On aged photos the colors come out duller
than on clean ones at the same decoding (the network hedges where grain and dust cover the evidence). Here the
network's working copy of L is denoised first (OpenCV: median, Gaussian, non-local means) while the colors still
join the photo's own L, on the 300 val photos scripts/tune_decode.py --min-side 128 draws, clean and aged, tone
restored as the default does; every denoiser x prior correction is scored, to compare at equal colorfulness.

    python experiments/denoise_input.py weights/effnet-unet.safetensors --data ../shared/data/val
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import cv2  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from colorizer.decoding import run_model  # noqa: E402
from colorizer.inference import model_input  # noqa: E402
from tuning_views import restored_views, score_line  # noqa: E402


def denoised(ls: torch.Tensor, how: str) -> torch.Tensor:
    """The working copy (1,1,h,w), normalized L in about [-0.5, 0.5], through one OpenCV denoiser."""
    x = ls[0, 0].numpy().astype(np.float32)
    if how == "none":
        return ls
    if how == "median3":
        y = cv2.medianBlur(x, 3)
    elif how.startswith("gauss"):
        y = cv2.GaussianBlur(x, (0, 0), float(how[5:]))
    elif how.startswith("nlm"):
        u8 = np.clip((x + 0.5) * 255.0 + 0.5, 0, 255).astype(np.uint8)
        y = cv2.fastNlMeansDenoising(u8, None, float(how[3:]), 5, 15).astype(np.float32) / 255.0 - 0.5
    else:
        raise ValueError(how)
    return torch.from_numpy(np.ascontiguousarray(y))[None, None]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--data", required=True, help="the validation folder (not val-ood)")
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--alphas", default="0,0.15,0.3")
    ap.add_argument("--denoisers", default="none,median3,gauss0.8,nlm6,nlm12")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    truth, c, given = restored_views(args.checkpoint, args.data, args.images)
    for how in args.denoisers.split(","):
        with torch.inference_mode():  # the guide of the upsampling and the joined L stay the photo's own
            outs = {view: [(g, ls, run_model(c.model, denoised(ls, how), None, c.decoding)) for g in gs
                           for ls in [model_input(g, c.working_size)]] for view, gs in given.items()}
        for a in (float(v) for v in args.alphas.split(",")):
            s = replace(c.decoding, prior_correction=a)
            print(f"{how} alpha {a:.2f}: " + score_line(c, outs, truth, s), flush=True)

if __name__ == "__main__":
    main()
