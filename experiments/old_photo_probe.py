"""Can an ImageNet-pretrained network's features tell a real old photograph from a modern one turned gray?

old-print v3 (colorizer.routing's small texture CNN, trained with the plates) could not: read at 256 px it took
sharpness for age (58% of val-ood's clean photos, at their own size, called old), read at 128 px it called only
7% of val-historical's plates old (AUC plates vs clean 0.75). Its texture statistics do not see what an old
photograph shows. This probe reads content: EfficientNet-Lite0's ImageNet features (from the PyPI wheel, gray L
repeated in three channels, short side 192 px) pooled over the photo, and a logistic regression on them.

Positives: train/historical's plates (as given: their gray is real) and, optionally, training photos aged by
colorizer.evaluation.aging; negatives: training photos clean. The threshold is the lowest that calls at most 5% of
val's clean tuning photos old. Reported: the shares called old of val-historical (the gray the evaluation gives,
squashed to 256), of val-ood clean and aged (the same), and the AUC plates vs val-ood clean.

    python experiments/old_photo_probe.py [--data ../shared/data] [--photos 2000] [--with-aged]

(2026-11-27, --photos 1500: plates alone as positives: val-historical 0.928 called old, val-ood clean 0.110, aged
0.039, AUC 0.974; with the aged photos among the positives: 0.627 / 0.123 / 0.450, AUC 0.856. The first became
colorizer.routing.ContentNet, old-photo v1.)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
import torch  # noqa: E402

from colorizer.color import photo_l  # noqa: E402
from colorizer.evaluation.evaluate import evenly_spaced, load_eval_set, tuning_files, tuning_set  # noqa: E402
from colorizer.routing import ContentNet, analysis_view  # noqa: E402
from colorizer.train.old_print import auc, fit_logistic  # noqa: E402


@torch.inference_mode()
def features(m: ContentNet, lums: list[torch.Tensor], side: int = 192) -> np.ndarray:
    return np.stack([m.features(analysis_view(l, side))[0].numpy() for l in lums])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--photos", type=int, default=2000)
    ap.add_argument("--with-aged", action="store_true")
    args = ap.parse_args()
    root = Path(args.data)
    torch.set_num_threads(2)
    m = ContentNet.from_imagenet()
    files = [f for f in tuning_files(root / "train", 10**9, 128, seed=2) if "historical" not in f.parts]
    modern = load_eval_set(evenly_spaced(files, args.photos), 256)
    clean = [photo_l(t) for t in modern.images]
    plates = [photo_l(t) for t in load_eval_set(root / "train" / "historical", 256).images]
    pos = features(m, plates)
    neg = features(m, clean)
    x, y = [pos, neg], [np.ones(len(pos)), np.zeros(len(neg))]
    if args.with_aged:
        aged = features(m, [photo_l(t) for t in modern.age().model_inputs])
        x.append(aged)
        y.append(np.ones(len(aged)))
    w, b = fit_logistic(np.concatenate(x), np.concatenate(y))
    prob = lambda z: torch.sigmoid(torch.tensor(z, dtype=torch.float32) @ w + b).numpy()  # noqa: E731
    val = tuning_set(root / "val", 300, 256, min_side=128)
    th = float(np.quantile(prob(features(m, [photo_l(t) for t in val.images])), 0.95, method="higher")) + 1e-6
    vh = prob(features(m, [photo_l(t) for t in load_eval_set(root / "val-historical", 256).images]))
    ood = load_eval_set(root / "val-ood", 256)
    oc = prob(features(m, [photo_l(t) for t in ood.images]))
    oa = prob(features(m, [photo_l(t) for t in ood.age().model_inputs]))
    print(f"threshold {th:.3f} (5% of val clean); called old: val-historical {np.mean(vh >= th):.3f}, val-ood clean "
          f"{np.mean(oc >= th):.3f}, val-ood aged {np.mean(oa >= th):.3f}; AUC val-historical vs val-ood clean {auc(vh, oc):.3f}"
          f"{' (aged photos among the positives)' if args.with_aged else ''}")


if __name__ == "__main__":
    main()
