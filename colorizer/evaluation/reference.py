"""`python -m colorizer evaluate DIR --reference crops`: what a reference photo of the same scene gives.

The yardstick (defined so, not tuned): each photo squashed to 256x256 as `evaluate` does (columns of the squashed
photo). Input: the gray of columns 96-255. Reference: the colour of columns 0-159 of the same photo, so it shows 40%
of what the input shows and 60% of the input is new to it. Unrelated reference: columns 0-159 of another photo (in a
folder of kinds, such as val-ood, the next photo of another kind; otherwise the photo 100 places further in sorted
order, wrapping round; a photo whose columns 0-159 have no colour, gray or one tone, gives no reference and is left
out of every row). Every row is scored against the truth's columns 96-255, and on its "unseen part", columns
160-255, which the reference does not show. Rows: gray (no colour), automatic (no reference), referenced, unrelated.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from ..imageio import LoadedImage
from ..inference import Colorizer
from ..join import join
from .evaluate import load_eval_set
from .metrics import image_metrics, summarize

INPUT_FROM, REFERENCE_TO, UNSEEN_FROM = 96, 160, 160
UNRELATED_STEP = 100
ROWS = ("gray", "automatic", "referenced", "unrelated")


def usable(images: list[np.ndarray]) -> list[bool]:
    """Which photos can give a reference: those whose columns 0-159 have colour (not gray, not one tone)."""
    return [LoadedImage(np.ascontiguousarray(t[:, :REFERENCE_TO])).is_color for t in images]


def unrelated_index(i: int, sources: list[str], ok: list[bool] | None = None) -> int:
    """The photo whose left part is photo i's unrelated reference (see the module's yardstick), among the usable."""
    n = len(sources)
    ok = ok or [True] * n
    if len(set(sources)) > 1:
        return next(((i + k) % n for k in range(1, n) if sources[(i + k) % n] != sources[i] and ok[(i + k) % n]),
                    (i + 1) % n)
    step = UNRELATED_STEP if n > UNRELATED_STEP else max(1, n // 2)
    return next(((i + step + k) % n for k in range(n) if ok[(i + step + k) % n]), (i + step) % n)


def _scores(pred: np.ndarray, truth: np.ndarray) -> dict:
    m = image_metrics(pred, truth)
    cut = UNSEEN_FROM - INPUT_FROM
    unseen = image_metrics(pred[:, cut:], truth[:, cut:])
    return {**m, **{f"{k}_unseen": unseen[k] for k in ("psnr", "ciede2000", "wash")}}


def crop_rows(c: Colorizer, images: list[np.ndarray], sources: list[str] | None = None, progress: bool = False) -> dict:
    """{row: summary} for the rows of the yardstick (ROWS), each with the *_unseen columns; the referenced rows also
    with `taken` (share of the input that took the reference's colours) and `related` (colorizer.reference)."""
    from tqdm import tqdm
    sources = sources or [""] * len(images)
    rows: dict[str, list[dict]] = {r: [] for r in ROWS}
    spent = {r: 0.0 for r in ROWS}
    ok = usable(images)
    for i, full in enumerate(tqdm(images, desc="reference crops", disable=not progress, leave=False)):
        if not ok[i]:  # no colour to give: left out of every row (counted as `left_out`)
            continue
        truth = np.ascontiguousarray(full[:, INPUT_FROM:])
        photo = LoadedImage(truth)  # one photo for the three runs: its judgement and model input are made once
        rows["gray"].append(_scores(join(truth, np.zeros((2, 1, 1), np.float32)), truth))
        for name, ref in (("automatic", None), ("referenced", full[:, :REFERENCE_TO]),
                          ("unrelated", images[unrelated_index(i, sources, ok)][:, :REFERENCE_TO])):
            t0 = time.perf_counter()
            res = c.run(photo, reference=None if ref is None else np.ascontiguousarray(ref))
            spent[name] += time.perf_counter() - t0
            r = _scores(np.asarray(res.color), truth)
            if ref is not None:
                r["taken"], r["related"] = res.reference_taken, res.reference_related
            rows[name].append(r)
    kept = max(1, sum(ok))
    return {name: {**summarize(r), "sec_per_image": spent[name] / kept, "left_out": len(images) - sum(ok)}
            for name, r in rows.items()}


COLUMNS = ("psnr", "ciede2000", "wash", "dcf", "psnr_unseen", "ciede2000_unseen", "wash_unseen", "taken")


def crops_table(res: dict) -> str:
    head = f"{'row':<14}" + "".join(f"{c:>18}" for c in COLUMNS)
    lines = [head, "-" * len(head)]
    for name, r in res.items():
        lines.append(f"{name:<14}" + "".join(f"{r.get(c, float('nan')):>18.4f}" for c in COLUMNS))
    a, b = res["automatic"], res["referenced"]
    lines.append(f"referenced - automatic: PSNR {b['psnr'] - a['psnr']:+.2f} dB, CIEDE2000 "
                 f"{b['ciede2000'] - a['ciede2000']:+.2f}; unseen part {b['psnr_unseen'] - a['psnr_unseen']:+.2f} dB, "
                 f"{b['ciede2000_unseen'] - a['ciede2000_unseen']:+.2f}")
    u = res["unrelated"]
    lines.append(f"unrelated - automatic: PSNR {u['psnr'] - a['psnr']:+.2f} dB, wash {u['wash'] - a['wash']:+.4f}")
    return "\n".join(lines)


def main(args) -> int:
    """`evaluate DIR --reference crops`: each checkpoint's table (the default's when none is named)."""
    data = load_eval_set(args.dir, args.size, args.limit)
    out = {}
    for name in args.checkpoint or [e["name"] for e in Colorizer.available()][:1]:
        c = Colorizer.load(name, restore=args.restore)
        out[name] = crop_rows(c, data.images, data.sources, progress=True)
        print(f"{name}: {len(data.images)} photos from {args.dir}, the reference yardstick (crops)")
        print(crops_table(out[name]))
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"dir": str(args.dir), "size": args.size, "reference": "crops", "results": out}, indent=2))
        print(f"wrote {path}")
    return 0
