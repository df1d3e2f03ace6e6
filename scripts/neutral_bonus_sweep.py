"""Session 7 experiment (not shipped): does a decoding that favours the neutral bins beat the prior
correction at equal colorfulness? The decode-time form of "a loss that does not reward color where the truth
is neutral": a logit bonus `beta` on the bins within `radius` of gray, on top of the prior correction.
Same 300 val photos as scripts/tune_decode.py --min-side 128, working 224, guided radius 4. Answer (README):
no, it lies on the prior correction's own PSNR/CIEDE2000-against-colorfulness curve.

    python scripts/neutral_bonus_sweep.py runs/cand/v2.safetensors --data ../shared/data/val
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from colorizer import bins  # noqa: E402
from colorizer.color import normalize_ab  # noqa: E402
from colorizer.decoding import DecodeSettings, run_model, upsample_ab  # noqa: E402
from colorizer.evaluate import load_eval_set  # noqa: E402
from colorizer.imageio import find_images  # noqa: E402
from colorizer.inference import Colorizer, model_input  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.metrics import image_metrics, summarize  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--data", required=True, help="the validation folder (not val-ood)")
    args = ap.parse_args()
    files = [f for f in find_images(args.data) if min(Image.open(f).size) >= 128]
    random.Random(1).shuffle(files)  # the photos tune_decode.py draws
    imgs = load_eval_set(files, 256, 300).images
    c = Colorizer.load(args.checkpoint, backend="torch")
    lam = c.metadata.get("training", {}).get("config", {}).get("rebalance_lambda", 0.5)
    centers = bins.load_bins()["centers"]
    radius = centers.norm(dim=1)
    with torch.inference_mode():
        inputs = [model_input(x, 224) for x in imgs]
        outs = [(ls, run_model(c.model, ls, None, DecodeSettings())["logits"]) for ls in inputs]
    for alpha in (0.3, 0.4, 0.5, 0.6):
        for beta, r in ((0.0, 0), (0.5, 15), (1.0, 15), (1.0, 5)):
            shift = bins.prior_correction(alpha, lam) + beta * (radius < r).float()
            rows = [image_metrics(join(x, upsample_ab(normalize_ab(bins.annealed_mean(lg, centers, 0.38, shift)),
                                                      ls.shape[-2:], ls, DecodeSettings(guide_radius=4))), x)
                    for (ls, lg), x in zip(outs, imgs)]
            m = summarize(rows)
            print(f"alpha {alpha} bonus {beta} within {r}: PSNR {m['psnr']:.2f} CIEDE {m['ciede2000']:.2f} "
                  f"tail {m['tail20']:.3f} CF {m['cf_pred']:.1f}/{m['cf_true']:.1f} |dCF| {m['dcf']:.1f}", flush=True)


if __name__ == "__main__":
    main()
