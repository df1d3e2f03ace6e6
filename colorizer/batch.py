"""Many photos at once, nothing lost: unique output names, never a silent overwrite, and a manifest appended
as each file finishes. Shared by the command line (`python -m colorizer colorize`) and the app's Batch tab.

Naming rule (also in `colorize --help`): a folder's results mirror its own sub-folders; with more than one
folder in a run, each folder's results go under a sub-folder named after it (prints/a.png ->
OUT/prints/a_colorized.png); files named one by one go straight into OUT. Two inputs that would still meet
(two folders of one name, a.jpg beside a.jpeg) are both written: the later one as a_colorized-2.png, -3...
"""
from __future__ import annotations

import csv
import os
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import ColorizerError
from .imageio import VIDEO_EXTENSIONS, encode_image, find_images, load_image, output_format

MANIFEST = "colorize.csv"
MANIFEST_FIELDS = ("input", "output", "status", "checkpoint", "decoding", "why", "repaired_share", "seconds", "error")


@dataclass(frozen=True)
class Job:
    """One input and where its result goes: `stem` is the output's path relative to the output folder,
    without its extension (a_colorized, prints/a_colorized-2)."""

    source: Path
    stem: Path
    video: bool = False

    def expected(self, outdir: Path, fmt_choice: str = "auto") -> Path:
        """Where the result will be, as far as is known before the file is read (a photo with alpha becomes PNG)."""
        return self.target(outdir, "MP4" if self.video else output_format(self.source, False, fmt_choice))

    def target(self, outdir: Path, fmt: str) -> Path:
        """fmt: 'JPEG', 'PNG' or 'MP4'."""
        return outdir / self.stem.with_name(self.stem.name + {"JPEG": ".jpg", "PNG": ".png", "MP4": ".mp4"}[fmt])


def plan(inputs: list[str]) -> tuple[list[Job], list[str]]:
    """The run's jobs in a fixed order (so that running the same command again gives the same names), and an
    error for each input that does not exist."""
    found: list[tuple[Path, Path]] = []  # (file, output path relative to OUT, with the input's own name)
    missing = []
    folders = [Path(raw) for raw in inputs if Path(raw).is_dir()]
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            videos = [f for f in p.rglob("*") if f.suffix.lower() in VIDEO_EXTENSIONS and f.is_file()]
            under = Path(p.resolve().name or "root") if len(folders) > 1 else Path()
            found += [(f, under / f.relative_to(p)) for f in sorted(find_images(p) + videos)]
        elif p.is_file():
            found.append((p, Path(p.name)))
        else:
            missing.append(f"{raw}: no such file or folder")
    return unique_names(found), missing


def unique_names(found: list[tuple[Path, Path]]) -> list[Job]:
    """Jobs whose output stems never meet, case-insensitively (a Mac's or Windows' disk would merge them): the
    extension is left out of the comparison, since the format is chosen only once the photo is read."""
    taken: set[str] = set()
    jobs = []
    for source, rel in found:
        base = rel.parent / f"{rel.stem}_colorized"
        stem, n = base, 1
        while stem.as_posix().lower() in taken:
            n += 1
            stem = base.with_name(f"{base.name}-{n}")
        taken.add(stem.as_posix().lower())
        jobs.append(Job(source, stem, source.suffix.lower() in VIDEO_EXTENSIONS))
    return jobs


def check_output(outdir: Path) -> None:
    """The output folder exists (made here) and takes a file: checked before any model loads."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ColorizerError(f"cannot create output folder {outdir}: {exc.strerror or exc}") from None
    if not os.access(outdir, os.W_OK | os.X_OK):
        raise ColorizerError(f"cannot write into output folder {outdir}: permission denied")


class Manifest:
    """colorize.csv in the output folder: one row per photo written or failed, appended and flushed as each
    finishes, so a crash loses no row of what was already written. A later run appends to it."""

    def __init__(self, outdir: Path, name: str = MANIFEST):
        self.path = outdir / name
        new = not self.path.exists() or self.path.stat().st_size == 0
        self._file = open(self.path, "a", newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._file, MANIFEST_FIELDS)
        if new:
            self._writer.writeheader()
            self._file.flush()

    def add(self, row: dict) -> None:
        self._writer.writerow({k: row.get(k, "") for k in MANIFEST_FIELDS})
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "Manifest":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def colorize_photo(c, source, name: str, target_for, overwrite: bool = False, fmt_choice: str = "auto",
                   max_pixels: int | None = None, inputs: frozenset = frozenset(), **options) -> dict:
    """Colorize one photo to a file and return its manifest row (status: written, skipped or failed).

    source: a path or the file's bytes; name: the name the user knows it by (its format, the messages);
    target_for(fmt) -> Path: where the result goes in that format. An existing file is skipped unless
    overwrite; the result is written to a hidden temporary file and renamed, so a failed write never leaves
    a broken file; a target among `inputs` (resolved paths) is never written. options: colorize_arrays' own
    (size, temperature, strength, repair, restore) and `hints` (this photo's list)."""
    row = {"input": name, "checkpoint": c.name}
    t0 = time.perf_counter()
    target = target_for(output_format(name, False, fmt_choice))
    row["output"] = str(target)
    if target.resolve() in inputs:
        return dict(row, status="failed", error=f"{name}: output {target} would overwrite an input; skipped")
    if target.exists() and not overwrite:
        return dict(row, status="skipped", error="exists (--overwrite replaces it)")
    tmp = target
    try:
        kw = {} if max_pixels is None else {"max_pixels": max_pixels}
        photo = load_image(source, preview_side=options.get("size") or c.working_size, **kw)
        hints = options.pop("hints", None)
        img = c.colorize_arrays([photo], hints=None if hints is None else [hints], **options)[0]
        used = c.route_for(photo)[0]
        _, kind, why = used.kind_of(photo)
        if img.shape[2] == 4:  # alpha always needs PNG
            target = target_for(output_format(name, True, fmt_choice))
            row["output"] = str(target)
            if target.exists() and not overwrite:
                return dict(row, status="skipped", error="exists (--overwrite replaces it)")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        encode_image(img, tmp, "PNG" if target.suffix == ".png" else "JPEG")
        tmp.replace(target)
        share = photo.memo.get("repaired_share")
        return dict(row, status="written", checkpoint=used.name, decoding=kind, why=why,
                    repaired_share="" if share is None else f"{share:.5f}",
                    seconds=f"{time.perf_counter() - t0:.3f}")
    except ColorizerError as exc:
        return dict(row, status="failed", error=str(exc), seconds=f"{time.perf_counter() - t0:.3f}")
    except OSError as exc:
        if tmp is not target:
            tmp.unlink(missing_ok=True)
        return dict(row, status="failed", error=f"{target}: cannot write ({exc.strerror or exc})")
