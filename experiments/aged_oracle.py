"""What the aged lightness alone costs (2026-11-23; docs/experiments.md, "Where the aged error comes from"):
the truth's own ab (and half of it) joined to each photo's aged L, as `evaluate --aged` ages it, beside the
gray row on the aged and on the clean L.

    python experiments/aged_oracle.py ../shared/data/val 300
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
import torch  # noqa: E402

from colorizer.color import normalize_ab, srgb_u8_to_lab  # noqa: E402
from colorizer.evaluation.evaluate import constant_predictions, load_eval_set  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.evaluation.metrics import image_metrics, summarize  # noqa: E402


def truth_ab(rgb: np.ndarray, k: float = 1.0) -> torch.Tensor:
    lab = srgb_u8_to_lab(torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None])
    return normalize_ab(lab[:, 1:] * k)


data = load_eval_set(sys.argv[1], 256, int(sys.argv[2])).age()
for name, preds in [("gray, aged L", constant_predictions(data.inputs, (0.0, 0.0))),
                    ("truth ab, aged L", [join(x, truth_ab(t)) for x, t in zip(data.inputs, data.images)]),
                    ("truth ab x0.5, aged L", [join(x, truth_ab(t, 0.5)) for x, t in zip(data.inputs, data.images)]),
                    ("gray, clean L", constant_predictions(data.images, (0.0, 0.0)))]:
    s = summarize([image_metrics(p, t) for p, t in zip(preds, data.images)])
    print(f"{name:22s} PSNR {s['psnr']:.2f} CIEDE {s['ciede2000']:.2f} tail {s['tail20']:.3f} "
          f"CF {s['cf_pred']:.1f}/{s['cf_true']:.1f}")
