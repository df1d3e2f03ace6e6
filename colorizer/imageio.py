"""Reading user images safely: every way a file can be bad ends in one clear ColorizerError.

Handles paths, bytes, PIL images and numpy arrays; EXIF orientation; animated files (first frame);
palette, CMYK, 16-bit and float modes; alpha; and a pixel limit checked from the header *before*
decoding, so a decompression bomb never allocates its pixels.
"""
from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ColorizerError

DEFAULT_MAX_PIXELS = 50_000_000
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif")

ImageInput = Union[str, os.PathLike, bytes, Image.Image, np.ndarray]

# We enforce our own limit from the header; Pillow's bomb check would only warn below 2x its default.
Image.MAX_IMAGE_PIXELS = None


@dataclass
class LoadedImage:
    """An input reduced to what colorization needs."""

    rgb: np.ndarray            # (H, W, 3) uint8, EXIF-oriented
    alpha: np.ndarray | None   # (H, W) uint8 or None
    name: str = "image"

    @functools.cached_property
    def is_color(self) -> bool:
        """False when the input carried no color (gray modes or equal channels). Computed on first use:
        training reads thousands of photos and never asks."""
        return has_color(self.rgb)


def find_images(root: str | os.PathLike) -> list[Path]:
    """All image files under root (recursive, sorted), or [root] when it is a file."""
    root = Path(root)
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


def _describe(src: ImageInput) -> str:
    return str(src) if isinstance(src, (str, os.PathLike)) else type(src).__name__


def open_image(src: ImageInput, max_pixels: int = DEFAULT_MAX_PIXELS) -> Image.Image:
    """Open and fully decode src into a PIL image (first frame, EXIF orientation applied)."""
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
        g = _scale_to_uint8(arr)
        return np.repeat(g[:, :, None], 3, axis=2), None
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
            return np.repeat(arr[:, :, :1], 3, axis=2), arr[:, :, 1].copy()
    elif mode in ("RGBa",):
        img = img.convert("RGBA")
    elif mode not in ("RGB", "RGBA"):
        img = img.convert("RGB")  # CMYK, YCbCr, LAB, HSV...
    return _from_array(np.asarray(img))


def load_image(src: ImageInput, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Any supported input -> LoadedImage(rgb uint8, alpha, is_color)."""
    if isinstance(src, np.ndarray):
        if src.size == 0:
            raise ColorizerError(f"the image array is empty (shape {src.shape})")
        if src.ndim >= 2 and src.shape[0] * src.shape[1] > max_pixels:
            raise ColorizerError(f"the image array is {src.shape[1]}x{src.shape[0]}, over the "
                                 f"{max_pixels / 1e6:.0f}-megapixel limit")
        rgb, alpha = _from_array(np.asarray(src))
        name = "array"
    else:
        img = open_image(src, max_pixels=max_pixels)
        try:
            rgb, alpha = _from_pil(img)
        except ColorizerError:
            raise
        except Exception as exc:  # noqa: BLE001 - late decoding errors surface during conversion
            raise ColorizerError(f"{_describe(src)}: cannot convert mode {img.mode} ({exc})") from None
        name = Path(src).name if isinstance(src, (str, os.PathLike)) else "image"
    return LoadedImage(rgb=rgb, alpha=alpha, name=name)


def has_color(rgb: np.ndarray, tolerance: int = 3, share: float = 0.002) -> bool:
    """True when more than `share` of the pixels have channels that differ by more than `tolerance`."""
    small = rgb[:: max(1, rgb.shape[0] // 256), :: max(1, rgb.shape[1] // 256)].astype(np.int16)
    r, g, b = small[..., 0], small[..., 1], small[..., 2]
    # max - min of three channels is the largest pairwise difference; numpy reduces a length-3 last
    # axis slowly, three subtractions are ~10x faster
    spread = np.maximum(np.maximum(np.abs(r - g), np.abs(g - b)), np.abs(r - b))
    return bool((spread > tolerance).mean() > share)


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


def encode_image(img: Image.Image, fp, fmt: str) -> None:
    """Write img to a path or file object in the output format chosen by output_format."""
    if fmt == "JPEG":
        (img if img.mode in ("RGB", "L") else img.convert("RGB")).save(fp, format="JPEG", quality=95)
    else:
        img.save(fp, format="PNG", compress_level=1)

