"""`python -m colorizer evaluate DIR`: the literature's protocol on any folder of color photos.

Every image is squashed to size x size (256 by default, as in ColorFormer and DDColor); the model gets
only its L channel through the same Colorizer pipeline users get; the prediction is compared with the
squashed original. Columns, read together (a gray photo already scores well on PSNR; wild colors lose it):
  psnr, ssim      on RGB uint8
  ciede2000       mean color difference
  tail20          share of pixels with CIEDE2000 > 20: confidently wrong color (blotches, paint on gray things)
  paint           share of the truth's near-neutral pixels (chroma < 10: asphalt, white cloth, gray walls)
                  given a clear hue (chroma > 20): saturated color without evidence
  wash            share of 16x16-pixel blocks painted a confident wrong hue (block-mean chroma > 20 and
                  block-mean ab more than 25 from the original's): a red backdrop that was green
  semantic        share of photos whose ImageNet top-1 class (EfficientNet-Lite1) on the prediction equals
                  that on the original (colorizer.evaluation.semantic); `--no-semantic` skips it
  cf_pred/cf_true colorfulness (Hasler and Suesstrunk) of prediction and truth, and dcf = |difference|
`--aged` gives every row (the reference rows too) a fixed, seeded aging of each photo's L (colorizer.evaluation.aging:
grain, blur, fading, scratches...; the same aging of the same file on every run) and scores it against the
clean photo: how a colorizer does on an old print. Two reference rows are always included: `gray` (a = b = 0) and `mean-ab` (every pixel gets the mean ab
of the evaluated images themselves). `--by-source` adds one table per top-level folder (val-ood's kinds).
`--keep-aspect` resizes each photo to about size^2 pixels at its own aspect ratio instead of squashing it
square: users' photos are not square, and only then does the working shape vary as theirs does.
With `--json`, a sample grid PNG (gray | each row's prediction | truth, a fixed subset) is written beside it.
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ..color import normalize_ab
from ..errors import ColorizerError
from ..imageio import find_images, load_image, with_min_side
from ..inference import Colorizer, tone_path
from ..join import join
from .metrics import image_metrics, summarize, to_lab

COLUMNS = ("psnr", "ssim", "ciede2000", "tail20", "paint", "wash", "semantic", "cf_pred", "cf_true", "dcf", "sec_per_image")
GRID_IMAGES = 12


@dataclass
class EvalSet:
    images: list[np.ndarray]                        # uint8 RGB, squashed to size x size: the truth
    sources: list[str] = field(default_factory=list)  # top-level folder of each (its kind), "" for loose files
    keys: list[str] = field(default_factory=list)   # each file's path under root: what seeds its aging
    inputs: list[np.ndarray] | None = None          # what the models are given, when not `images` (aged copies)

    @property
    def model_inputs(self) -> list[np.ndarray]:
        return self.images if self.inputs is None else self.inputs

    def age(self) -> "EvalSet":
        """Every photo's input replaced by its seeded aging (colorizer.evaluation.aging.age_photo); the truth stays."""
        from .aging import age_photo, seeded_generator
        self.inputs = [age_photo(t, seeded_generator("evaluate-aged", k)) for t, k in zip(self.images, self.keys)]
        return self


def evenly_spaced(files: list, n: int) -> list:
    """n of files, evenly spaced over the list (all of them when there are no more than n)."""
    return files if n >= len(files) else [files[i * len(files) // n] for i in range(n)]


def squash(rgb: np.ndarray, size: int, keep_aspect: bool = False) -> np.ndarray:
    """A photo as the evaluation sees it: resized to size x size (bicubic), aspect ratio not kept; with
    keep_aspect, to about size^2 pixels at its own aspect ratio, as users' photos come."""
    h, w = rgb.shape[:2]
    k = size / (h * w) ** 0.5
    shape = (max(1, round(w * k)), max(1, round(h * k))) if keep_aspect else (size, size)
    return np.asarray(Image.fromarray(rgb).resize(shape, Image.BICUBIC))


def load_eval_set(root: str | Path | list[Path], size: int, limit: int | None = None,
                  keep_aspect: bool = False) -> EvalSet:
    """Readable color photos under root (or the given files), squashed to size x size (or, keep_aspect,
    about size^2 pixels at their own aspect ratio), as uint8 RGB."""
    files = list(root) if isinstance(root, list) else find_images(root)
    if not files:
        raise ColorizerError(f"{root}: no images to evaluate")
    if limit:  # evenly spaced over the sorted files: every kind of a by-kind folder
        files = evenly_spaced(files, limit)
    out = EvalSet([], [], [])
    for f in files:
        try:
            rgb = load_image(f).rgb
        except ColorizerError:
            continue
        out.images.append(squash(rgb, size, keep_aspect))
        rel = Path(f).relative_to(root) if not isinstance(root, list) else Path(Path(f).name)
        out.sources.append(rel.parts[0] if len(rel.parts) > 1 else "")
        out.keys.append(rel.as_posix())
    return out


def tuning_files(root: str | Path, n: int, min_side: int = 0, seed: int = 1) -> list[Path]:
    """The files decoding is tuned on (scripts/tune_decode.py and the experiments beside it): those under
    root stored with a short side of at least min_side (read from the header only), shuffled by seed, n of
    them picked as `load_eval_set` picks. One rule, so every script scores the same photos."""
    files = with_min_side(find_images(root), min_side)
    random.Random(seed).shuffle(files)
    return evenly_spaced(files, n)


def tuning_set(root: str | Path, n: int, size: int = 256, min_side: int = 0, seed: int = 1) -> EvalSet:
    """`tuning_files`, squashed to size x size as `load_eval_set` does."""
    return load_eval_set(tuning_files(root, n, min_side, seed), size)


def constant_predictions(images: list[np.ndarray], ab: tuple[float, float]) -> list[np.ndarray]:
    """Each photo's own L (of the input it is given) with one ab everywhere (the reference rows)."""
    ab_small = normalize_ab(torch.tensor(ab, dtype=torch.float32).view(1, 2, 1, 1))
    return [join(t, ab_small) for t in images]


def grid_indices(n: int, k: int = GRID_IMAGES) -> list[int]:
    """A fixed, evenly spread subset: the same photos for every run on the same folder."""
    m = min(k, n)
    return sorted({round(i * (n - 1) / max(1, m - 1)) for i in range(m)})


class _Scorer:
    """Per-image metrics for each row; the semantic column against the originals' classes."""

    def __init__(self, data: EvalSet, semantic: bool):
        self.data, self.semantic = data, semantic
        self.truth_top1 = None
        if semantic:
            from .semantic import top1
            self.truth_top1 = top1(data.images)

    def rows(self, preds: list[np.ndarray]) -> list[dict]:
        rows = [image_metrics(p, t) for p, t in zip(preds, self.data.images)]
        if self.semantic:
            from .semantic import agreement
            for r, a in zip(rows, agreement(preds, self.truth_top1)):
                r["semantic"] = float(a)
        return rows


def _summaries(rows: list[dict], sources: list[str], seconds: float) -> tuple[dict, dict]:
    overall = {**summarize(rows), "sec_per_image": seconds}
    by = {}
    for s in sorted(set(sources)):
        by[s] = {**summarize([r for r, src in zip(rows, sources) if src == s]), "sec_per_image": seconds}
    return overall, by


def evaluate(root: str | Path, checkpoints: list[str] | None = None, size: int = 256, limit: int | None = None,
             working_size: int | None = None, temperature: float | None = None, progress: bool = True,
             semantic: bool = True, keep_grid: bool = False, aged: bool = False, keep_aspect: bool = False,
             restore: bool | None = None, repair: bool | None = None) -> dict:
    """{'results': {row: metrics}, 'by_source': {source: {row: metrics}}, 'grid': ...}, reference rows first.
    restore: None, each checkpoint as its release chose; True or False, every row with or without tone
    restoration (colorizer.restore). Where the tone model is shipped and restore is not False, a reference
    row `gray-restored` shows what the restored tone alone scores."""
    from tqdm import tqdm
    data = load_eval_set(root, size, limit, keep_aspect)
    if aged:
        data.age()
    scorer = _Scorer(data, semantic)
    mean_ab = np.mean([to_lab(t)[..., 1:].reshape(-1, 2).mean(0) for t in data.images], axis=0)
    inputs = data.model_inputs
    preds = {"gray": (constant_predictions(inputs, (0.0, 0.0)), 0.0),
             "mean-ab": (constant_predictions(inputs, (float(mean_ab[0]), float(mean_ab[1]))), 0.0)}
    tone = tone_path()
    if restore is not False and tone.is_file():
        from ..restore import Restorer
        r = Restorer.load(tone)
        preds["gray-restored"] = (constant_predictions([r.restore_pixels(x) for x in inputs], (0.0, 0.0)), 0.0)
    results, by_source, picks = {}, {}, grid_indices(len(data.images))
    grid = {"truth": [data.images[i] for i in picks]}
    arch, old = {}, {}
    for name in checkpoints or [e["name"] for e in Colorizer.available()]:
        c = Colorizer.load(name, restore=restore)
        out, spent, old[name] = [], 0.0, 0
        for t in tqdm(inputs, desc=name, disable=not progress, leave=False):
            t0 = time.perf_counter()
            im = load_image(t)
            out.append(c.colorize_arrays([im], size=working_size, temperature=temperature, repair=repair)[0])
            spent += time.perf_counter() - t0
            old[name] += c.kind_of(im)[1] == "old photo"  # judged as the pipeline judged it, from the memo
        preds[name] = (out, spent / len(data.images))
        arch[name] = c.arch
    for name, (out, sec) in preds.items():
        results[name], by = _summaries(scorer.rows(out), data.sources, sec)
        if name in arch:
            results[name]["arch"] = arch[name]
            results[name]["old_photo_share"] = round(old[name] / max(1, len(out)), 4)
        for s, m in by.items():
            by_source.setdefault(s, {})[name] = m
        grid[name] = [out[i] for i in picks]
    results["mean-ab"]["mean_ab"] = [round(float(v), 2) for v in mean_ab]
    res = {"results": results, "by_source": by_source if len(by_source) > 1 else {}, "aged": aged,
           "keep_aspect": keep_aspect}
    if keep_grid:
        res["grid"] = grid
    return res


HINT_COUNTS = (0, 1, 2, 5, 10, 20, 50, 100)
HINT_PATCH = 5     # each simulated hint is the mean true color of a 5x5 patch (at the evaluation size)


def sample_hints(truth: np.ndarray, n: int, seed: int, patch: int = HINT_PATCH) -> list[list]:
    """Zhang et al. 2017's protocol: n points drawn at random (seeded) from the ground truth, each given
    the average true color of the small patch around it. [[x, y, [r, g, b]], ...] as a user passes them."""
    rng = np.random.default_rng(seed)
    h, w = truth.shape[:2]
    half = patch // 2
    out = []
    for y, x in zip(rng.integers(0, h, n), rng.integers(0, w, n)):
        y0, x0 = max(0, y - half), max(0, x - half)
        mean = truth[y0:y + half + 1, x0:x + half + 1].reshape(-1, 3).mean(0)
        out.append([int(x), int(y), [int(round(v)) for v in mean], 1])
    return out


def evaluate_hints(root: str | Path, checkpoints: list[str] | None, counts=HINT_COUNTS, size: int = 256,
                   limit: int | None = None, progress: bool = True, seed: int = 0) -> dict:
    """{checkpoint: {n: {'psnr', 'ciede2000', ...}}}: each photo colorized with n simulated hints (the same
    hints for every checkpoint). Checkpoints without a hint input are scored at n = 0 only."""
    from tqdm import tqdm
    data = load_eval_set(root, size, limit)
    out = {}
    for name in checkpoints or [e["name"] for e in Colorizer.available()][:1]:
        c = Colorizer.load(name)
        rows = {}
        for n in counts:
            if n and not c.accepts_hints:
                continue
            preds = [c.colorize_arrays([t], hints=[sample_hints(t, n, seed + i)] if n else None)[0]
                     for i, t in enumerate(tqdm(data.images, desc=f"{name} {n} hints", disable=not progress, leave=False))]
            rows[n] = summarize([image_metrics(p, t) for p, t in zip(preds, data.images)])
        out[name] = rows
    return out


def hints_table(results: dict) -> str:
    counts = sorted({n for rows in results.values() for n in rows})
    lines = ["| checkpoint | metric | " + " | ".join(f"{n} hints" for n in counts) + " |",
             "|---|---|" + "---|" * len(counts)]
    for name, rows in results.items():
        for key, label in (("psnr", "PSNR"), ("ciede2000", "CIEDE2000")):
            lines.append(f"| {name} | {label} | " + " | ".join(f"{rows[n][key]:.2f}" if n in rows else "-" for n in counts) + " |")
    return "\n".join(lines)


def grid_image(grid: dict) -> Image.Image:
    """gray | every row's prediction | truth, one photo a line."""
    from .figures import grid as make_grid
    names = ["gray", *[k for k in grid if k not in ("gray", "mean-ab", "truth")], "truth"]
    rows = [[Image.fromarray(grid[n][i]) for n in names] for i in range(len(grid["truth"]))]
    return make_grid(rows, names, tile=160)


def format_table(results: dict) -> str:
    head = f"{'model':<28}" + "".join(f"{c:>14}" for c in COLUMNS)
    lines = [head, "-" * len(head)]
    for name, r in results.items():
        lines.append(f"{name:<28}" + "".join(f"{r.get(c, float('nan')):>14.4f}" for c in COLUMNS))
    judged = [f"{name} {r['old_photo_share']:.0%}" for name, r in results.items() if r.get("old_photo_share")]
    if judged:  # checkpoints with an old-photo decoding (colorizer.inference.Colorizer.kind_of)
        lines.append("decoded as old photos: " + ", ".join(judged))
    return "\n".join(lines)


def main(args) -> int:
    if args.hints:
        try:
            counts = sorted({int(v) for v in args.hints.split(",")})
        except ValueError:
            raise ColorizerError(f"--hints {args.hints!r}: give counts like 0,1,2,5,10") from None
        res = evaluate_hints(args.dir, args.checkpoint, counts, args.size, args.limit)
        print(hints_table(res))
        if args.json:
            from .figures import line_plot
            path = Path(args.json)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"dir": str(args.dir), "size": args.size, "hints": res}, indent=2))
            series = {Path(name).stem: [(n, rows[n]["psnr"]) for n in sorted(rows)]
                      for name, rows in res.items() if len(rows) > 1}
            plot = path.with_name(path.stem + "_plot.png")
            line_plot(series, "hints per photo", "PSNR (dB)", log_x=True).save(plot)
            print(f"wrote {path} and {plot}")
        return 0
    res = evaluate(args.dir, args.checkpoint, args.size, args.limit, args.working_size, args.temperature,
                   semantic=args.semantic, keep_grid=bool(args.json), aged=args.aged, keep_aspect=args.keep_aspect,
                   restore=args.restore, repair=args.repair)
    shape = f"about {args.size}^2 pixels at their own aspect ratio" if args.keep_aspect else f"{args.size}x{args.size}"
    print(f"{next(iter(res['results'].values()))['images']} images from {args.dir} at {shape}"
          + (", aged (colorizer.evaluation.aging, seeded per file)" if args.aged else ""))
    print(format_table(res["results"]))
    if args.by_source:
        for source, rows in res["by_source"].items():
            print(f"\n[{source}] {next(iter(rows.values()))['images']} images")
            print(format_table(rows))
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        grid = res.pop("grid")
        path.write_text(json.dumps({"dir": str(args.dir), "size": args.size, **res}, indent=2))
        grid_path = path.with_name(path.stem + "_grid.png")
        grid_image(grid).save(grid_path)
        print(f"wrote {path} and {grid_path}")
    return 0
