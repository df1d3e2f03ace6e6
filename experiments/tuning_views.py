"""The set-up the decoding experiments share: the 300 val photos scripts/tune_decode.py --min-side 128 draws,
clean and aged (evaluate --aged's aging), each with its tone restored as the default does, and the checkpoint
loaded on PyTorch (its decoding, working size and rebalancing from its metadata: Colorizer's own)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.decoding import decode  # noqa: E402
from colorizer.evaluation.evaluate import tuning_set  # noqa: E402
from colorizer.inference import Colorizer, tone_path  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.evaluation.metrics import image_metrics, summarize  # noqa: E402
from colorizer.restore import Restorer  # noqa: E402


def restored_views(checkpoint: str, data: str, images: int = 300):
    """-> (the photos (clean truth), the Colorizer, {"clean": [...], "aged": [...]} restored gray photos)."""
    photos = tuning_set(data, images, 256, 128)
    tone = Restorer.load(tone_path())
    views = {"clean": photos.images, "aged": photos.age().inputs}
    return photos.images, Colorizer.load(checkpoint, backend="torch"), \
        {view: [tone.restore_pixels(x) for x in xs] for view, xs in views.items()}


def score_line(c: Colorizer, outs: dict, truth: list, settings, post=lambda ab: ab) -> str:
    """outs: {view: [(restored photo, working L, model output)]} -> one printed line, clean | aged: PSNR /
    CIEDE2000 / tail20 and colorfulness, each output decoded with `settings`, `post` applied to its ab, and
    joined to the restored photo's own L."""
    line = []
    for view, rows in outs.items():
        m = summarize([image_metrics(join(g, post(decode(out, ls, settings, c.rebalance_lambda))), t)
                       for (g, ls, out), t in zip(rows, truth)])
        line.append(f"{view} {m['psnr']:.2f} / {m['ciede2000']:.2f} / {m['tail20']:.3f} CF {m['cf_pred']:.1f}")
    return " | ".join(line)
