"""Does a second opinion know when the colors are wrong? (2026-11-24; not shipped)

Most of the flagship's error is whole photos in a plausible but wrong palette: each photo's ab scaled by the
truth's least-squares factor (an oracle) would gain about 2 dB. The pooled features did not predict that
factor (chroma_scale_experiment.py). Here the predictor is agreement: the least-squares factor of a second
prediction onto the shipped one (1: the same colors; 0: unrelated ones), from another checkpoint trained
differently (--other), from a snapshot of the same run (--snapshot), or from the mirrored photo. Scored on
the tuning rule's val photos, clean and aged: the correlation with the oracle factor, and the photos'
colors scaled by the agreement (as is, and divided by its mean so that colorfulness stays put), or
averaged with the second prediction.

    git show 4472408:weights/effnet-unet.safetensors > v2.safetensors
    git show 5138628:recipes/effnet-unet-v3/ema.safetensors > v3-step16745.safetensors
    python experiments/agreement_scale.py weights/effnet-unet.safetensors --other v2.safetensors \\
        --snapshot v3-step16745.safetensors --data ../shared/data/val --images 300
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
import torch  # noqa: E402

from colorizer.color import AB_SCALE  # noqa: E402
from colorizer.evaluation.evaluate import tuning_set  # noqa: E402
from colorizer.inference import Colorizer  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.evaluation.metrics import image_metrics, one_line, summarize, to_lab  # noqa: E402


def ab_of(c: Colorizer, imgs: list[np.ndarray], mirrored: bool = False) -> list[np.ndarray]:
    """Each photo's predicted ab (H, W, 2) in Lab units, read back from the colorized photo."""
    out = []
    for x in imgs:
        rgb = c.colorize_arrays([np.ascontiguousarray(x[:, ::-1]) if mirrored else x])[0]
        ab = to_lab(rgb)[..., 1:]
        out.append(ab[:, ::-1] if mirrored else ab)
    return out


def factor(a: np.ndarray, b: np.ndarray) -> float:
    """The least-squares factor k of a ~ k * b: how much of b's color a supports."""
    return float((a * b).sum() / max((b ** 2).sum(), 1e-6))


def score(label: str, inputs, truth, abs_) -> None:
    m = summarize([image_metrics(join(x, torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1))) / AB_SCALE), t)
                   for x, t, a in zip(inputs, truth, abs_)])
    print(f"  {label:<34} {one_line(m)}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--other", required=True, help="a checkpoint trained differently")
    ap.add_argument("--snapshot", required=True, help="an earlier state of the same run (decoded as the checkpoint)")
    ap.add_argument("--data", required=True, help="the validation folder (not val-ood)")
    ap.add_argument("--images", type=int, default=300)
    args = ap.parse_args()
    main_c = Colorizer.load(args.checkpoint, backend="torch")
    other, snap = Colorizer.load(args.other, backend="torch"), Colorizer.load(args.snapshot, backend="torch")
    snap.decoding = main_c.decoding
    data = tuning_set(args.data, args.images, 256, min_side=128)
    truth = data.images
    for view, inputs in (("clean", list(truth)), ("aged", data.age().inputs)):
        ab = ab_of(main_c, inputs)
        oracle = np.array([np.clip(factor(to_lab(t)[..., 1:], a), 0, 1.5) for t, a in zip(truth, ab)])
        seconds = {"another checkpoint": ab_of(other, inputs), "a snapshot": ab_of(snap, inputs),
                   "the mirrored photo": ab_of(main_c, inputs, mirrored=True)}
        print(f"{view} ({len(truth)} photos)")
        score("as shipped", inputs, truth, ab)
        score("oracle factor", inputs, truth, [a * k for a, k in zip(ab, oracle)])
        for name, other_ab in seconds.items():
            r = np.array([factor(o, a) for o, a in zip(other_ab, ab)])
            print(f"  {name}: agreement's correlation with the oracle factor {np.corrcoef(r, oracle)[0, 1]:.3f}")
            r = np.clip(r, 0, 1)
            score("scaled by the agreement", inputs, truth, [a * k for a, k in zip(ab, r)])
            score("scaled by agreement / its mean", inputs, truth, [a * k / r.mean() for a, k in zip(ab, r)])
            score("averaged with it", inputs, truth, [(a + o) / 2 for a, o in zip(ab, other_ab)])


if __name__ == "__main__":
    main()
