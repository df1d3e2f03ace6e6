"""Decoding experiments of 2026-11-23 (not shipped), on the 300 val photos scripts/tune_decode.py --min-side 128
draws, working 224, guided radius 4, each printed against the prior correction alpha so that they can be
compared at equal colorfulness (docs/experiments.md, "Five more tries"):

  neutral     a logit bonus `beta` on the bins within `r` of gray, on top of the prior correction: the
              decode-time form of "a loss that does not reward color where the truth is neutral".
              Result: on the prior correction's own curve; it buys nothing alpha does not.
  multiscale  the model's probabilities at working 224 averaged with those at 160 (the training crops'
              size) and/or the mirrored view. Result: 224+160 gains 0.09-0.15 dB and 0.06-0.12 CIEDE2000 at
              equal colorfulness, mirroring about half that; not in colorizer/decoding.py yet (the hint planes
              need a rule at the second scale).

    python experiments/decode_experiments.py neutral weights/effnet-unet.safetensors --data ../shared/data/val
    python experiments/decode_experiments.py multiscale weights/effnet-unet.safetensors --data ../shared/data/val
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from colorizer import bins  # noqa: E402
from colorizer.color import normalize_ab  # noqa: E402
from colorizer.decoding import DecodeSettings, upsample_ab  # noqa: E402
from colorizer.evaluation.evaluate import tuning_set  # noqa: E402
from colorizer.inference import Colorizer, model_input  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.evaluation.metrics import image_metrics, summarize  # noqa: E402

ALPHAS = (0.3, 0.4, 0.5, 0.6)
NEUTRAL = ((0.0, 0), (0.5, 15), (1.0, 15), (1.0, 5))  # (bonus, within this ab radius of gray)
VIEWS = ("224", "224+160", "224+flip", "224+160+flip")


def score(label: str, imgs, inputs, log_probs, shift) -> None:
    """Decode each photo's log-probabilities with `shift` and print the summary row."""
    centers = bins.load_bins()["centers"]
    rows = [image_metrics(join(x, upsample_ab(normalize_ab(bins.annealed_mean(lp, centers, 0.38, shift)),
                                              ls.shape[-2:], ls, DecodeSettings(guide_radius=4))), x)
            for x, ls, lp in zip(imgs, inputs, log_probs)]
    m = summarize(rows)
    print(f"{label}: PSNR {m['psnr']:.2f} CIEDE {m['ciede2000']:.2f} tail {m['tail20']:.3f} "
          f"CF {m['cf_pred']:.1f}/{m['cf_true']:.1f} |dCF| {m['dcf']:.1f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("experiment", choices=("neutral", "multiscale"))
    ap.add_argument("checkpoint")
    ap.add_argument("--data", required=True, help="the validation folder (not val-ood)")
    args = ap.parse_args()
    imgs = tuning_set(args.data, 300, min_side=128).images  # the photos tune_decode.py --min-side 128 draws
    c = Colorizer.load(args.checkpoint, backend="torch")
    lam = c.rebalance_lambda
    inputs = [model_input(x, 224) for x in imgs]

    def probs(l_norm: torch.Tensor, like: torch.Tensor | None = None) -> torch.Tensor:
        p = F.softmax(c.model(l_norm)["logits"].float(), dim=1)
        return p if like is None else F.interpolate(p, size=like.shape[-2:], mode="bilinear", align_corners=False)

    with torch.inference_mode():
        views = []
        for x, ls in zip(imgs, inputs):
            p = probs(ls)
            views.append({"224": p, "160": probs(model_input(x, 160), p), "flip": probs(ls.flip(-1)).flip(-1)})
    for alpha in ALPHAS:
        shift = bins.prior_correction(alpha, lam)
        if args.experiment == "neutral":
            radius = bins.load_bins()["centers"].norm(dim=1)
            for beta, r in NEUTRAL:
                lp = [v["224"].clamp_min(1e-12).log() for v in views]
                score(f"alpha {alpha} bonus {beta} within {r}", imgs, inputs, lp, shift + beta * (radius < r).float())
        else:
            for name in VIEWS:
                parts = name.split("+")
                lp = [(sum(v[k] for k in parts) / len(parts)).clamp_min(1e-12).log() for v in views]
                score(f"{name} alpha {alpha}", imgs, inputs, lp, shift)


if __name__ == "__main__":
    main()
