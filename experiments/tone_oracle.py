"""How much of the aged photos' error a low-frequency lightness correction could remove (2026-11-25;
docs/experiments.md, "Tone restoration"): the gray row of `evaluate --aged`'s photos with the truth's own
L error averaged over k x k blocks and added back (upsampled bilinearly), an upper bound for a restoration
that moves tone on a coarse grid, as colorizer.restore does.

    python experiments/tone_oracle.py ../shared/data/val 200
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from colorizer.color import l_to_gray_u8, srgb_u8_to_l  # noqa: E402
from colorizer.evaluation.evaluate import constant_predictions, load_eval_set  # noqa: E402
from colorizer.evaluation.metrics import image_metrics, summarize  # noqa: E402


def lum(rgb: np.ndarray) -> torch.Tensor:
    return srgb_u8_to_l(torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1))[0]


data = load_eval_set(sys.argv[1], 256, int(sys.argv[2])).age()
for k in (0, 4, 8, 16):
    preds = []
    for x, t in zip(data.inputs, data.images):
        la = lum(x)
        if k:
            d = F.avg_pool2d((lum(t) - la)[None, None], k)
            la = (la + F.interpolate(d, size=la.shape, mode="bilinear", align_corners=False)[0, 0]).clamp(0, 100)
        preds.append(l_to_gray_u8(la).numpy())
    s = summarize([image_metrics(p, t) for p, t in zip(constant_predictions(preds, (0.0, 0.0)), data.images)])
    print(f"{'aged L as given' if not k else f'oracle correction on {k}x{k} blocks':36s} "
          f"PSNR {s['psnr']:.2f} CIEDE2000 {s['ciede2000']:.2f} tail20 {s['tail20']:.3f}", flush=True)
