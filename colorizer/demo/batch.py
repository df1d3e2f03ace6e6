"""The app's Batch tab: many uploads or a .zip in, one .zip of results and their manifest out.

Everything a visitor sends is judged before it is decoded: the number of photos, the total size, each file's
size (and, by the library's loader, its pixels from the header). An archive is read member by member without
ever being unpacked to disk: a member is taken only if its name is a plain relative path, it is a regular file
(not a link), its extension is an image's, and its declared and its actual size are within the limits (a zip
bomb's members are read at most one byte past the limit); an archive inside the archive is not opened. Every
result, the previews and the zip are written into the request's own temporary folder, under names made here (a
member's own name is never used as a path). A photo that fails is listed with its reason; the rest go on.
"""
from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image

from ..batch import MANIFEST, Manifest, colorize_photo, unique_names
from ..color import l_to_gray_u8, photo_l
from ..imageio import IMAGE_EXTENSIONS, encode_image
from ..inference import Colorizer

ARCHIVES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar")
PREVIEW = 800  # long side of a result's previews on the page (the zip holds the full resolution)


@dataclass(frozen=True)
class BatchLimits:
    """What one batch may hold, checked before anything is decoded."""
    files: int = 50                     # photos
    total_bytes: int = 200 * 2**20      # all photos together (inside an archive: as unpacked)
    file_bytes: int = 25 * 2**20        # one photo
    pixels: int = 50_000_000            # one photo, from its header (the library's loader)
    members: int = 2000                 # entries an archive may list at all (thousands of tiny members: refused)

    def describe(self) -> str:
        return (f"up to {self.files} photos, {self.total_bytes / 2**20:.0f} MB in all, {self.file_bytes / 2**20:.0f} MB "
                f"and {self.pixels / 1e6:.0f} megapixels a photo")


@dataclass
class Gathered:
    """The photos of a batch, (name, bytes or path) in order, and what was left out, (name, why)."""
    photos: list[tuple[str, bytes | str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    total: int = 0

    def take(self, name: str, data: bytes | str, size: int, limits: BatchLimits) -> None:
        if len(self.photos) >= limits.files:
            self.skipped.append((name, f"over the limit of {limits.files} photos in one batch"))
        elif size > limits.file_bytes:
            self.skipped.append((name, f"{size / 2**20:.1f} MB, over the limit of {limits.file_bytes / 2**20:.0f} MB a photo"))
        elif self.total + size > limits.total_bytes:
            self.skipped.append((name, f"over the batch's limit of {limits.total_bytes / 2**20:.0f} MB in all"))
        else:
            self.photos.append((name, data))
            self.total += size


def _unsafe(name: str) -> str | None:
    """Why an archive member's name is not a plain relative path (None: it is)."""
    p = PurePosixPath(name.replace("\\", "/"))
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if ".." in p.parts:
        return "a path that climbs out of the archive (..)"
    if any(ord(ch) < 32 for ch in name):
        return "control characters in its name"
    return None


def _member_kind(info: zipfile.ZipInfo) -> str | None:
    """Why a member is not a regular file we would read (None: it is one)."""
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_IFMT(mode) and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):  # no type bits: a plain file
        return "not a regular file"
    if info.flag_bits & 0x1:
        return "encrypted"
    return None


def _read_archive(path: str, shown: str, into: Gathered, limits: BatchLimits) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > limits.members:
                into.skipped.append((shown, f"an archive of {len(infos)} entries, over the limit of {limits.members}: "
                                            "not opened"))
                return
            for info in infos:
                name = info.filename
                label = f"{shown}: {name}"
                if info.is_dir() or name.startswith("__MACOSX/") or PurePosixPath(name).name.startswith("._"):
                    continue  # folders and a Mac's resource forks: nothing to colorize, nothing to report
                why = _unsafe(name) or _member_kind(info)
                suffix = PurePosixPath(name).suffix.lower()
                if why is None and suffix in ARCHIVES:
                    why = "an archive inside the archive: not opened"
                elif why is None and suffix not in IMAGE_EXTENSIONS:
                    why = "not a photo (by its extension)"
                if why is None and info.file_size > limits.file_bytes:
                    why = f"{info.file_size / 2**20:.1f} MB unpacked, over the limit of {limits.file_bytes / 2**20:.0f} MB"
                if why:
                    into.skipped.append((label, why))
                    continue
                if len(into.photos) >= limits.files or into.total + info.file_size > limits.total_bytes:
                    into.take(label, b"", info.file_size, limits)  # records why it is left out
                    continue
                try:
                    with zf.open(info) as f:  # a member that unpacks past its declared size is stopped one byte on
                        data = f.read(limits.file_bytes + 1)
                except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
                    into.skipped.append((label, f"cannot be unpacked ({exc})"))
                    continue
                into.take(label, data, len(data), limits)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        into.skipped.append((shown, f"not a readable .zip archive ({exc})"))


def gather(uploads: list[str], limits: BatchLimits = BatchLimits()) -> Gathered:
    """The photos of the uploaded files (paths) and of any .zip among them, within the limits."""
    out = Gathered()
    for path in uploads:
        shown = Path(path).name
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as f:
                is_zip = f.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
        except OSError as exc:
            out.skipped.append((shown, f"cannot be read ({exc.strerror or exc})"))
            continue
        if is_zip or shown.lower().endswith(".zip"):
            _read_archive(path, shown, out, limits)
        elif Path(shown).suffix.lower() in ARCHIVES:
            out.skipped.append((shown, "only .zip archives are opened"))
        else:
            out.take(shown, path, size, limits)
    return out


def _previews(result: Path, folder: Path, stem: str) -> tuple[str, str]:
    """(gray, colour) previews of a written result: the gray is the result's own lightness, the photo's."""
    with Image.open(result) as im:
        im.draft("RGB", (PREVIEW, PREVIEW))
        small = im.convert("RGB")
    small.thumbnail((PREVIEW, PREVIEW), Image.BILINEAR)
    rgb = np.asarray(small)
    color, gray = folder / f"{stem}.jpg", folder / f"{stem}_gray.jpg"
    encode_image(rgb, color, "JPEG")
    encode_image(l_to_gray_u8(photo_l(rgb)).numpy(), gray, "JPEG")
    return str(gray), str(color)


@dataclass
class BatchResult:
    zip_path: str | None                       # the results and the manifest; None when nothing was colorized
    tiles: list[tuple[str, str]]               # (colour preview, caption) per result, for a gallery
    pairs: list[tuple[str, str]]               # (gray preview, colour preview), in the gallery's order
    failed: list[tuple[str, str]]              # (name, why): refused before decoding or failed while colorizing
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"**{len(self.tiles)} colorized**, {len(self.failed)} failed or skipped · {self.seconds:.1f} s"]
        if self.failed:
            lines += ["", "| file | why |", "|---|---|"] + [f"| {n} | {w.replace('|', '/')} |" for n, w in self.failed]
        return "\n".join(lines)


def run_batch(c: Colorizer, uploads: list[str], root: str, limits: BatchLimits = BatchLimits(), progress=None,
              **options) -> BatchResult:
    """Colorize a batch into a new folder under root: results, previews, the manifest and one zip of them.
    options: colorize_photo's (size, strength, repair...). progress(done, total, name) after each photo."""
    import time
    t0 = time.perf_counter()
    got = gather(uploads, limits)
    folder = Path(tempfile.mkdtemp(dir=root, prefix="batch-"))
    results, previews = folder / "colorized", folder / "previews"
    results.mkdir()
    previews.mkdir()
    # names made here: a member's basename, made unique (a_colorized-2); never its path
    jobs = unique_names([(Path(f"{i}"), Path(PurePosixPath(name.replace("\\", "/")).name or "photo"))
                         for i, (name, _) in enumerate(got.photos)])
    tiles, pairs, failed = [], [], list(got.skipped)
    with Manifest(results) as manifest:
        for k, ((name, data), job) in enumerate(zip(got.photos, jobs)):
            row = colorize_photo(c, data, name, lambda fmt: job.target(results, fmt), overwrite=True,
                                 max_pixels=limits.pixels, **options)
            if isinstance(data, str) and row.get("error"):  # the visitor's file name, never the server's path
                row["error"] = row["error"].replace(data, name)
            out = Path(row["output"])
            manifest.add(dict(row, output=f"colorized/{out.name}" if row["status"] == "written" else ""))
            if row["status"] == "written":
                pairs.append(_previews(out, previews, f"{k:04d}"))
                tiles.append((pairs[-1][1], f"{name} · {row['decoding'] or 'photo'}"))
            else:
                failed.append((name, row["error"]))
            if progress:
                progress(k + 1, len(got.photos), name)
    zip_path = None
    if tiles:
        zip_path = str(folder / "colorized.zip")
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_STORED) as zf:  # JPEG and PNG are compressed already
            for f in sorted(results.iterdir()):
                zf.write(f, f.name if f.name == MANIFEST else f"colorized/{f.name}")
    return BatchResult(zip_path, tiles, pairs, failed, time.perf_counter() - t0)
