"""Which part of aging costs a colorizer most, and does cleaning its input help (2026-11-23; docs/experiments.md,
"Where the aged error comes from").

Each row ages the same val photos (the tuning rule's photos, `evaluate.tuning_set`) a different way, seeded per
file as `evaluate --aged` is, and scores the checkpoint against the clean photo:
  clean              no aging;
  only:EFFECT        one effect always on, its strength drawn from its DEFAULT range (the others off);
  all                colorizer.evaluation.aging.DEFAULT, what `evaluate --aged` uses;
  all, levels        DEFAULT, the network given its input stretched to the full tonal range (0.5th-99.5th
                     percentile of L to 0-100), the output keeping the aged L the user has;
  all, median3       DEFAULT, the network given a 3x3 median of its input (grain, dust, thin scratches), the
                     output keeping the aged L.
A `gray` row (a = b = 0 on the same input) beside each, because a score only means something beside it.

    python experiments/aged_effects.py CHECKPOINT --data ../shared/data/val --images 60
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from colorizer.evaluation.aging import DEFAULT, EFFECTS, Effect, age_photo, gray_photo, seeded_generator  # noqa: E402
from colorizer.color import normalize_ab, srgb_u8_to_l, srgb_u8_to_lab  # noqa: E402
from colorizer.evaluation.evaluate import constant_predictions, tuning_set  # noqa: E402
from colorizer.inference import Colorizer  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.evaluation.metrics import image_metrics, summarize  # noqa: E402


def alone(name: str):
    """DEFAULT with only this effect, always on, strength drawn from its own range."""
    off = {f: replace(getattr(DEFAULT, f), p=0.0) for f in EFFECTS}
    e = getattr(DEFAULT, name)
    off[name] = Effect(1.0, e.lo, e.hi)
    return replace(DEFAULT, **off)


def lightness(gray_u8: np.ndarray) -> torch.Tensor:
    return srgb_u8_to_l(torch.from_numpy(np.ascontiguousarray(gray_u8)).permute(2, 0, 1))[0]


def levels(gray_u8: np.ndarray) -> np.ndarray:
    lum = lightness(gray_u8)
    lo, hi = torch.quantile(lum.flatten(), torch.tensor([0.005, 0.995]))
    return gray_photo(((lum - lo) / (hi - lo).clamp(min=1.0) * 100).clamp(0, 100))


def median3(gray_u8: np.ndarray) -> np.ndarray:
    lum = lightness(gray_u8)[None, None]
    patches = F.unfold(F.pad(lum, (1, 1, 1, 1), mode="replicate"), 3)
    return gray_photo(patches.median(dim=1).values.view(lum.shape[-2:]))


def keep_l(pred_rgb: np.ndarray, gray_u8: np.ndarray) -> np.ndarray:
    """The prediction's ab on the given photo's L (the pipeline's join)."""
    lab = srgb_u8_to_lab(torch.from_numpy(np.ascontiguousarray(pred_rgb)).permute(2, 0, 1))
    return join(gray_u8, normalize_ab(lab[1:]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--data", required=True)
    ap.add_argument("--images", type=int, default=60)
    ap.add_argument("--min-side", type=int, default=128)
    args = ap.parse_args()
    data = tuning_set(args.data, args.images, min_side=args.min_side)
    c = Colorizer.load(args.checkpoint)
    rows = [("clean", None, None)] + [(f"only:{n}", alone(n), None) for n in EFFECTS] + \
           [("all", DEFAULT, None), ("all, levels", DEFAULT, levels), ("all, median3", DEFAULT, median3)]
    print(f"{args.checkpoint} on {len(data.images)} photos of {args.data}; model | gray")
    for label, config, clean_input in rows:
        inputs = data.images if config is None else \
            [age_photo(t, seeded_generator("evaluate-aged", k), config) for t, k in zip(data.images, data.keys)]
        if clean_input is None:
            preds = [c.colorize_arrays([x])[0] for x in inputs]
        else:
            preds = [keep_l(c.colorize_arrays([clean_input(x)])[0], x) for x in inputs]
        m = summarize([image_metrics(p, t) for p, t in zip(preds, data.images)])
        g = summarize([image_metrics(p, t) for p, t in zip(constant_predictions(inputs, (0.0, 0.0)), data.images)])
        print(f"{label:18s} PSNR {m['psnr']:.2f} | {g['psnr']:.2f}  CIEDE {m['ciede2000']:.2f} | {g['ciede2000']:.2f}"
              f"  tail {m['tail20']:.3f} | {g['tail20']:.3f}  paint {m['paint']:.3f}  CF {m['cf_pred']:.1f}/{m['cf_true']:.1f}",
              flush=True)


if __name__ == "__main__":
    main()
