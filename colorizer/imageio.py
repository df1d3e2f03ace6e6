"""Reading user images safely: every way a file can be bad ends in one clear ColorizerError.

Handles paths, bytes, PIL images and numpy arrays; EXIF orientation; animated files (first frame);
palette, CMYK, 16-bit and float modes; alpha; and a pixel limit checked from the header *before*
decoding, so a decompression bomb never allocates its pixels.
"""
from __future__ import annotations

import functools
import io
import math
import os
from concurrent.futures import Future
from pathlib import Path
from typing import Union

import numpy as np
import simplejpeg
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ColorizerError
from .threads import pool

DEFAULT_MAX_PIXELS = 50_000_000
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif")
VIDEO_EXTENSIONS = (".mp4", ".mov", ".webm", ".avi", ".mkv", ".m4v")  # and animated .gif: colorizer.video.stream

ImageInput = Union[str, os.PathLike, bytes, Image.Image, np.ndarray]

# We enforce our own limit from the header; Pillow's bomb check would only warn below 2x its default.
Image.MAX_IMAGE_PIXELS = None


class LoadedImage:
    """An input reduced to what colorization needs. A gray photo keeps one channel: a third of the
    memory, and the pixel kernels read it with one table lookup instead of three.

    `pixels` may still be decoding in the background (a JPEG loaded with `preview_side`): `preview`,
    a reduced decode made first, is then enough for the model's input, and reading `pixels` waits."""

    def __init__(self, pixels: np.ndarray | Future, alpha: np.ndarray | None = None, name: str = "image",
                 preview: np.ndarray | None = None, shape: tuple[int, int] | None = None):
        self._pixels = pixels      # (H, W) gray or (H, W, 3) RGB, uint8, EXIF-oriented; or its Future
        self.alpha = alpha         # (H, W) uint8 or None
        self.name = name
        self.preview = preview     # the same photo reduced (same aspect), or None
        self.shape = shape if shape is not None else pixels.shape[:2]  # (H, W), known before decoding
        self.memo: dict = {}       # what inference derives from the photo (model input, gray panel): a re-run
                                   # of the same photo with new hints reuses it

    @property
    def pixels(self) -> np.ndarray:
        if isinstance(self._pixels, Future):
            self._pixels = self._pixels.result()  # a failed background decode raises its ColorizerError here
        return self._pixels

    @functools.cached_property
    def rgb(self) -> np.ndarray:
        """(H, W, 3) uint8, a gray photo's channel repeated."""
        return self.pixels if self.pixels.ndim == 3 else np.repeat(self.pixels[:, :, None], 3, axis=2)

    @functools.cached_property
    def is_color(self) -> bool:
        """False when the input carried no color: gray modes, equal channels, or one tone over a gray photo
        (a sepia or cyanotype print, a scan with a color cast), whose colors are the print's, not the scene's.
        Computed on first use: training reads thousands of photos and never asks."""
        return self.pixels.ndim == 3 and has_color(self.pixels) and not self.is_toned

    @functools.cached_property
    def is_toned(self) -> bool:
        """A toned black-and-white print (sepia, selenium, cyanotype, a yellowed scan): some colour, one tone."""
        return self.pixels.ndim == 3 and has_color(self.pixels) and is_toned(self.pixels)


def find_images(root: str | os.PathLike) -> list[Path]:
    """All image files under root (recursive, sorted), or [root] when it is a file."""
    root = Path(root)
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


def with_min_side(files: list[Path], min_side: int) -> list[Path]:
    """The files stored with a short side of at least min_side pixels (read from each header only, so a
    folder of 58,000 photos takes seconds); all of them when min_side is 0. Files that cannot be read are kept:
    the loader reports and skips them as it does everywhere else."""
    if not min_side:
        return list(files)
    kept = []
    for f in files:
        try:
            with Image.open(f) as img:
                small = min(img.size) < min_side
        except (OSError, ValueError, Image.DecompressionBombError):
            small = False
        if not small:
            kept.append(f)
    return kept


def _describe(src: ImageInput) -> str:
    return str(src) if isinstance(src, (str, os.PathLike)) else type(src).__name__


def _open_lazy(src: ImageInput, max_pixels: int) -> Image.Image:
    """Open src and check its header (size, pixel limit) without decoding any pixels."""
    name = _describe(src)
    if isinstance(src, Image.Image):
        img = src
    else:
        if isinstance(src, (str, os.PathLike)):
            path = Path(src)
            if not path.is_file():
                raise ColorizerError(f"{name}: no such file")
            if path.stat().st_size == 0:
                raise ColorizerError(f"{name}: the file is empty (0 bytes)")
            fp: object = path
        elif isinstance(src, (bytes, bytearray)):
            if not src:
                raise ColorizerError("the uploaded data is empty (0 bytes)")
            fp = io.BytesIO(src)
        else:
            raise ColorizerError(f"cannot read an image from a {type(src).__name__}")
        try:
            img = Image.open(fp)
        except UnidentifiedImageError:
            raise ColorizerError(f"{name}: not a recognised image file (corrupt, or not an image)") from None
        except Exception as exc:  # noqa: BLE001 - Pillow's decoders raise many types on malformed data
            raise ColorizerError(f"{name}: the image data is damaged or truncated ({exc})") from None
    w, h = img.size
    if w * h > max_pixels:
        raise ColorizerError(
            f"{name}: {w}x{h} is {w * h / 1e6:.1f} megapixels, over the limit of {max_pixels / 1e6:.0f} megapixels")
    if w < 1 or h < 1:
        raise ColorizerError(f"{name}: the image has no pixels ({w}x{h})")
    return img


def open_image(src: ImageInput, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Open and fully decode src into a PIL image (first frame, EXIF orientation applied)."""
    return _decode_pil(_open_lazy(src, max_pixels), _describe(src))


def _decode_pil(img: Image.Image, name: str) -> Image.Image:
    try:
        if getattr(img, "is_animated", False):
            img.seek(0)  # animated GIF/WebP/APNG: colorize the first frame
        img.load()
        img = ImageOps.exif_transpose(img)
    except MemoryError:
        raise ColorizerError(f"{name}: not enough memory to decode this image") from None
    except Exception as exc:  # noqa: BLE001 - any decoder failure on malformed data is the file's fault
        raise ColorizerError(f"{name}: the image data is damaged or truncated ({type(exc).__name__}: {exc})") from None
    return img


# EXIF orientation -> the numpy view that undoes it, as ImageOps.exif_transpose does for PIL images
# (tests/test_bad_inputs.py checks all eight against it).
_ORIENT = {2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
           5: lambda a: a.swapaxes(0, 1), 6: lambda a: np.rot90(a, -1),
           7: lambda a: a[::-1, ::-1].swapaxes(0, 1), 8: lambda a: np.rot90(a)}


def _jpeg_data(img: Image.Image, src: ImageInput) -> bytes | None:
    """The file's bytes when it is a gray or YCbCr JPEG that simplejpeg can decode, else None."""
    if img.format != "JPEG" or img.mode not in ("L", "RGB") or not isinstance(src, (str, os.PathLike, bytes, bytearray)):
        return None
    try:
        return bytes(src) if isinstance(src, (bytes, bytearray)) else Path(src).read_bytes()
    except OSError:
        return None


def decode_jpeg(data: bytes, gray: bool, orientation: int, min_side: int = 0) -> np.ndarray | None:
    """Decode with simplejpeg (libjpeg-turbo) straight into a numpy array: ~3x faster than through
    Pillow at 12 MP, which decodes into 4-byte pixels and then copies. With min_side, libjpeg's DCT
    scaling (1/2, 1/4, 1/8) gives the smallest version with at least min_side^2 pixels of the same
    aspect, for a fraction of the cost. None when simplejpeg refuses the data: Pillow then decodes it
    and words any error, so a damaged file reads the same either way."""
    try:
        h, w = simplejpeg.decode_jpeg_header(data)[:2]
        k = min_side / (h * w) ** 0.5
        arr = simplejpeg.decode_jpeg(data, colorspace="GRAY" if gray else "RGB", min_height=math.ceil(h * k),
                                     min_width=math.ceil(w * k))
    except MemoryError:
        raise ColorizerError("not enough memory to decode this image") from None
    except Exception:  # noqa: BLE001 - strict decoding refused it; Pillow's more lenient path decides
        return None
    arr = arr[:, :, 0] if gray else arr
    return np.ascontiguousarray(_ORIENT[orientation](arr)) if orientation in _ORIENT else arr


def _scale_to_uint8(arr: np.ndarray) -> np.ndarray:
    """Any numeric array -> uint8, scaling 16-bit and float data rather than clipping it."""
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8) * 255
    if np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all():
            raise ColorizerError("the image contains NaN or infinite values")
        top = 1.0 if arr.max(initial=0) <= 1.0 else 255.0 if arr.max() <= 255.0 else 65535.0
        return np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if np.issubdtype(arr.dtype, np.integer):
        top = 65535.0 if arr.max(initial=0) > 255 else 255.0
        return np.clip(arr.astype(np.float64) / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
    raise ColorizerError(f"unsupported pixel type {arr.dtype}")


def _from_array(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        return _scale_to_uint8(arr), None
    if arr.ndim == 3 and arr.shape[2] in (3, 4):
        arr = _scale_to_uint8(arr)
        return np.ascontiguousarray(arr[:, :, :3]), (arr[:, :, 3].copy() if arr.shape[2] == 4 else None)
    raise ColorizerError(f"an image array must be HxW, HxWx1, HxWx3 or HxWx4, got shape {arr.shape}")


def _from_pil(img: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    mode = img.mode
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif mode.startswith("I;16"):  # 16-bit: always scale by the full 16-bit range, even a dark image
        arr = np.asarray(img).astype(np.float64) / 65535.0
        return _from_array(arr)
    elif mode in ("I", "F"):
        return _from_array(np.asarray(img))
    elif mode in ("1", "L"):
        img = img.convert("L")
    elif mode in ("LA", "La", "PA"):
        img = img.convert("RGBA") if mode == "PA" else img
        if img.mode != "RGBA":
            arr = np.asarray(img.convert("LA"))
            return arr[:, :, 0].copy(), arr[:, :, 1].copy()
    elif mode in ("RGBa",):
        img = img.convert("RGBA")
    elif mode not in ("RGB", "RGBA"):
        img = img.convert("RGB")  # CMYK, YCbCr, LAB, HSV...
    return _from_array(np.asarray(img))


def load_image(src: ImageInput, max_pixels: int = DEFAULT_MAX_PIXELS, preview_side: int | None = None) -> LoadedImage:
    """Any supported input -> LoadedImage(pixels uint8, gray or RGB; alpha).

    With preview_side, a JPEG is first decoded reduced (at least preview_side^2 pixels, by DCT
    scaling: a few ms) and its full decode runs on a background thread, so the model can work from the
    preview while the full photo decodes."""
    if isinstance(src, np.ndarray):
        if src.size == 0:
            raise ColorizerError(f"the image array is empty (shape {src.shape})")
        if src.ndim >= 2 and src.shape[0] * src.shape[1] > max_pixels:
            raise ColorizerError(f"the image array is {src.shape[1]}x{src.shape[0]}, over the "
                                 f"{max_pixels / 1e6:.0f}-megapixel limit")
        return LoadedImage(*_from_array(np.asarray(src)), name="array")
    img = _open_lazy(src, max_pixels)
    name = Path(src).name if isinstance(src, (str, os.PathLike)) else "image"
    data = _jpeg_data(img, src)
    if data is not None:
        gray, orientation = img.mode == "L", img.getexif().get(0x0112, 1)
        img.close()
        shape = (img.width, img.height) if orientation in (5, 6, 7, 8) else (img.height, img.width)
        # worth it only when the photo is well over the preview's size: otherwise one decode serves
        if preview_side and img.width * img.height >= 16 * preview_side ** 2:
            full = pool("decode", 2).submit(_decode_full, data, gray, orientation, src, max_pixels)  # starts now
            preview = decode_jpeg(data, gray, orientation, preview_side)  # meanwhile, on this thread
            return LoadedImage(full, name=name, preview=preview, shape=shape)
        return LoadedImage(_decode_full(data, gray, orientation, src, max_pixels), name=name)
    return LoadedImage(*_pil_pixels(img, src), name=name)


def _decode_full(data: bytes, gray: bool, orientation: int, src: ImageInput, max_pixels: int) -> np.ndarray:
    pixels = decode_jpeg(data, gray, orientation)
    return pixels if pixels is not None else _pil_pixels(_open_lazy(src, max_pixels), src)[0]


def _pil_pixels(img: Image.Image, src: ImageInput) -> tuple[np.ndarray, np.ndarray | None]:
    img = _decode_pil(img, _describe(src))
    try:
        return _from_pil(img)
    except ColorizerError:
        raise
    except Exception as exc:  # noqa: BLE001 - late decoding errors surface during conversion
        raise ColorizerError(f"{_describe(src)}: cannot convert mode {img.mode} ({exc})") from None


def has_color(rgb: np.ndarray, tolerance: int = 3, share: float = 0.002) -> bool:
    """True when more than `share` of the pixels have channels that differ by more than `tolerance`."""
    small = rgb[:: max(1, rgb.shape[0] // 256), :: max(1, rgb.shape[1] // 256)].astype(np.int16)
    r, g, b = small[..., 0], small[..., 1], small[..., 2]
    # max - min of three channels is the largest pairwise difference; numpy reduces a length-3 last
    # axis slowly, three subtractions are ~10x faster
    spread = np.maximum(np.maximum(np.abs(r - g), np.abs(g - b)), np.abs(r - b))
    return bool((spread > tolerance).mean() > share)


# A toned print's colour is one hue whose strength follows the print's density: at each lightness its ab is
# nearly the same everywhere. A colour photo has objects of different colours at the same lightness. Measured
# with experiments/toned_scans.py (2026-11-27) on sepia, selenium, cyanotype and yellowed prints made from
# val-historical's real glass-plate grays (stained or not, JPEG 60-90) against colour photos: 81% of the toned
# prints (300 plates, 8 kinds of toning) are caught; 0 of 300 val-historical and 1 of 300 val-ood colour photos
# are taken for one. The rule it replaced (hue alone, within 7 degrees for 90% of the coloured pixels) caught
# 44%, and 0.7% of val-ood.
TONE_HUE_SPREAD = 20.0   # degrees around the mean hue within which 90% of the coloured pixels lie
TONE_RESIDUAL = 6.0      # ab units: 90% of the pixels lie this close to the mean ab of their lightness
TONE_MIN_CHROMA = 4.0    # a pixel counts as coloured above this chroma (CIELAB)


def is_toned(rgb: np.ndarray) -> bool:
    """True for a monochrome photo in one tone (sepia, selenium, cyanotype, a yellowed scan, a scanner's cast):
    its coloured pixels share one hue, and at any lightness its colour is the same everywhere."""
    import torch

    from .color import rgb_to_lab
    small = rgb[:: max(1, rgb.shape[0] // 256), :: max(1, rgb.shape[1] // 256), :3].astype(np.float32)  # a copy
    lab = rgb_to_lab(torch.from_numpy(small).permute(2, 0, 1) / 255).reshape(3, -1).numpy()
    lum, a, b = lab
    colored = np.hypot(a, b) > TONE_MIN_CHROMA
    if colored.mean() < 0.01:
        return False
    hue = np.exp(1j * np.arctan2(b[colored], a[colored]))
    spread = np.quantile(np.degrees(np.abs(np.angle(hue * np.conj(hue.mean())))), 0.9)
    level = np.clip((lum / 100 * 24).astype(int), 0, 23)  # 24 lightness levels
    count = np.maximum(np.bincount(level, minlength=24), 1)
    mean_a, mean_b = np.bincount(level, a, 24) / count, np.bincount(level, b, 24) / count
    residual = np.quantile(np.hypot(a - mean_a[level], b - mean_b[level]), 0.9)
    return bool(spread < TONE_HUE_SPREAD and residual < TONE_RESIDUAL)


# Outputs: a JPEG photo stays a JPEG (quality 95; the predicted chroma is smooth by construction, so
# 4:2:0 subsampling loses none of it, and encoding is ~50x faster than PNG at 12 MP); everything else,
# and anything with alpha, is written as PNG at compression level 1 (4x faster than the default 6 for
# files ~20% larger).
def output_format(source: str | os.PathLike, has_alpha: bool = False, choice: str = "auto") -> str:
    """'JPEG' or 'PNG' for the colorized version of `source` (choice: auto | png | jpeg)."""
    if choice == "png" or has_alpha:
        return "PNG"
    if choice == "jpeg":
        return "JPEG"
    return "JPEG" if Path(source).suffix.lower() in (".jpg", ".jpeg") else "PNG"


def encode_image(img: Image.Image | np.ndarray, fp, fmt: str) -> None:
    """Write an image (PIL, or a uint8 (H,W), (H,W,3) or (H,W,4) array) to a path or file object in the
    format output_format chose. JPEG goes through simplejpeg straight from the array (2x Pillow at
    12 MP, which first copies into 4-byte pixels), 4:2:0 as Pillow does at this quality."""
    if fmt == "JPEG":
        arr = np.asarray(img if isinstance(img, np.ndarray) or img.mode in ("RGB", "L") else img.convert("RGB"))
        arr = arr[:, :, None] if arr.ndim == 2 else arr[:, :, :3]  # alpha is never asked of JPEG
        data = simplejpeg.encode_jpeg(np.ascontiguousarray(arr), quality=95,
                                      colorspace="GRAY" if arr.shape[2] == 1 else "RGB",
                                      colorsubsampling="Gray" if arr.shape[2] == 1 else "420")
        if isinstance(fp, (str, os.PathLike)):
            with open(fp, "wb") as f:
                f.write(data)
        else:
            fp.write(data)
    else:
        (Image.fromarray(img) if isinstance(img, np.ndarray) else img).save(fp, format="PNG", compress_level=1)
