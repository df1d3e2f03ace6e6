"""`python -m colorizer evaluate DIR`: the literature's protocol on any folder of color photos.

Every image is squashed to size x size (256 by default, as in ColorFormer and DDColor); the model gets
only its L channel through the same Colorizer pipeline users get; the prediction is compared with the
squashed original: PSNR and SSIM on RGB uint8, mean CIEDE2000, colorfulness of prediction and truth,
|dCF| between their means, seconds per image. Two reference rows are always included: `gray`
(a = b = 0) and `mean-ab` (every pixel gets the mean ab of the evaluated images themselves).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .color import normalize_ab
from .errors import ColorizerError
from .imageio import find_images, load_image
from .inference import Colorizer
from .join import join
from .metrics import image_metrics, summarize, to_lab

COLUMNS = ("psnr", "ssim", "ciede2000", "cf_pred", "cf_true", "dcf", "sec_per_image")


def load_eval_set(root: str | Path | list[Path], size: int, limit: int | None = None) -> list[np.ndarray]:
    """Readable color photos under root (or the given files), squashed to size x size, as uint8 RGB."""
    files = list(root) if isinstance(root, list) else find_images(root)
    if not files:
        raise ColorizerError(f"{root}: no images to evaluate")
    images = []
    for f in files:
        if limit and len(images) >= limit:
            break
        try:
            rgb = load_image(f).rgb
        except ColorizerError:
            continue
        images.append(np.asarray(Image.fromarray(rgb).resize((size, size), Image.BICUBIC)))
    return images


def _constant_row(images: list[np.ndarray], ab: tuple[float, float]) -> dict:
    ab_small = normalize_ab(torch.tensor(ab, dtype=torch.float32).view(1, 2, 1, 1))
    rows = [image_metrics(join(t, ab_small), t) for t in images]
    return {**summarize(rows), "sec_per_image": 0.0}


def evaluate(root: str | Path, checkpoints: list[str] | None = None, size: int = 256, limit: int | None = None,
             working_size: int | None = None, temperature: float | None = None, progress: bool = True) -> dict:
    """Returns {row name: metrics dict}, reference rows first."""
    from tqdm import tqdm
    images = load_eval_set(root, size, limit)
    mean_ab = np.mean([to_lab(t)[..., 1:].reshape(-1, 2).mean(0) for t in images], axis=0)
    results = {"gray": _constant_row(images, (0.0, 0.0)),
               "mean-ab": _constant_row(images, (float(mean_ab[0]), float(mean_ab[1])))}
    results["mean-ab"]["mean_ab"] = [round(float(v), 2) for v in mean_ab]
    names = checkpoints or [e["name"] for e in Colorizer.available()]
    for name in names:
        c = Colorizer.load(name)
        rows, spent = [], 0.0
        for t in tqdm(images, desc=name, disable=not progress, leave=False):
            t0 = time.perf_counter()
            pred = np.asarray(c.colorize(t, size=working_size, temperature=temperature))
            spent += time.perf_counter() - t0
            rows.append(image_metrics(pred, t))
        results[name] = {**summarize(rows), "sec_per_image": spent / len(images), "arch": c.arch}
    return results


def format_table(results: dict) -> str:
    head = f"{'model':<28}" + "".join(f"{c:>14}" for c in COLUMNS)
    lines = [head, "-" * len(head)]
    for name, r in results.items():
        lines.append(f"{name:<28}" + "".join(f"{r.get(c, float('nan')):>14.4f}" for c in COLUMNS))
    return "\n".join(lines)


def main(args) -> int:
    res = evaluate(args.dir, args.checkpoint, args.size, args.limit, args.working_size, args.temperature)
    print(f"{next(iter(res.values()))['images']} images from {args.dir} at {args.size}x{args.size}")
    print(format_table(res))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"dir": str(args.dir), "size": args.size, "results": res}, indent=2))
        print(f"wrote {args.json}")
    return 0
