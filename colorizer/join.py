"""Full-resolution pixel work, compiled: the photo's L for the model, and the join of its L with the
predicted ab into the uint8 result.

This is where a 12-megapixel photo spends its time, so each step is one compiled loop (numba) that
touches every pixel once, instead of ~30 whole-image tensor operations in float32. Per pixel the join
reads R, G, B, computes CIE Y (so the photo's own L is kept exactly), blends the prediction upsampled
bilinearly (the sampling of F.interpolate(align_corners=False)), converts Lab -> sRGB and rounds to
uint8. The cube root and the sRGB gamma come from finely sampled tables; tests/test_join.py checks the
result against the float reference in colorizer.color (at most one 8-bit level, on ~1% of values).
Rows are split into blocks that run on a small thread pool (the kernels release the GIL), so both
cores work and concurrent requests are safe: numba's own parallel layer must not be entered from two
Python threads at once.

The constants are colorizer.color's; this module re-expresses that conversion per pixel.
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
from numba import njit

from .color import _RGB_FROM_XYZ, _WHITE_D65, _XYZ_FROM_RGB, AB_SCALE, L_CENTER, L_SCALE, _linear_lut


def _tables():
    y = np.linspace(0.0, 1.0, (1 << 16) + 1)  # CIE f(Y): 65,537 samples, |error| in L < 0.01
    f_of_y = np.where(y > 0.008856, np.cbrt(y), 7.787 * y + 16.0 / 116.0)
    lin = np.linspace(0.0, 1.0, (1 << 18) + 1)  # sRGB gamma straight to uint8: 262,145 samples
    srgb = np.where(lin > 0.0031308, 1.055 * np.power(lin, 1 / 2.4) - 0.055, 12.92 * lin)
    y_from_rgb = _linear_lut("cpu").double().numpy()[None, :] * _XYZ_FROM_RGB[1].numpy()[:, None]  # (3, 256)
    to_rgb = (_RGB_FROM_XYZ * _WHITE_D65[None, :]).numpy()  # (X/Xn, Y, Z/Zn) -> linear RGB
    return (y_from_rgb.astype(np.float32), f_of_y.astype(np.float32),
            np.clip(np.round(srgb * 255.0), 0, 255).astype(np.uint8), to_rgb.astype(np.float32))


Y_FROM_RGB, F_OF_Y, SRGB_U8, TO_RGB = _tables()


@njit(nogil=True, fastmath=True)
def _f_of_y(y, f_of_y):
    n = f_of_y.shape[0] - 1
    return f_of_y[int(min(max(y, 0.0), 1.0) * n + 0.5)]


@njit(nogil=True, fastmath=True)
def _luminance_rows(rgb, row0, row1, y_from_rgb, f_of_y, center, scale, out):
    for i in range(row0, row1):
        for j in range(rgb.shape[1]):
            y = y_from_rgb[0, rgb[i, j, 0]] + y_from_rgb[1, rgb[i, j, 1]] + y_from_rgb[2, rgb[i, j, 2]]
            out[i, j] = (116.0 * _f_of_y(y, f_of_y) - 16.0 - center) / scale


@njit(nogil=True, fastmath=True)
def _join_rows(rgb, ab_rows, y0s, y1s, wys, row0, row1, y_from_rgb, f_of_y, srgb_u8, to_rgb, out):
    """Rows [row0, row1). ab_rows (2, h, W): the small ab already upsampled along x and in ab units,
    so each pixel blends two rows."""
    m = srgb_u8.shape[0] - 1
    for i in range(row0, row1):
        ya, yb, wy = y0s[i], y1s[i], wys[i]
        for j in range(rgb.shape[1]):
            y = y_from_rgb[0, rgb[i, j, 0]] + y_from_rgb[1, rgb[i, j, 1]] + y_from_rgb[2, rgb[i, j, 2]]
            fy = _f_of_y(y, f_of_y)
            a = ab_rows[0, ya, j] + (ab_rows[0, yb, j] - ab_rows[0, ya, j]) * wy
            b = ab_rows[1, ya, j] + (ab_rows[1, yb, j] - ab_rows[1, ya, j]) * wy
            fx = fy + a * (1.0 / 500.0)
            fz = max(fy - b * (1.0 / 200.0), 0.0)  # negative z clipped, as scikit-image and color.lab_to_rgb do
            xx = fx * fx * fx if fx > 0.2068966 else (fx - 16.0 / 116.0) * (1.0 / 7.787)
            zz = fz * fz * fz if fz > 0.2068966 else (fz - 16.0 / 116.0) * (1.0 / 7.787)
            for c in range(3):  # Y is the photo's own: its L is kept, not recomputed
                lin = to_rgb[c, 0] * xx + to_rgb[c, 1] * y + to_rgb[c, 2] * zz
                out[i, j, c] = srgb_u8[int(min(max(lin, 0.0), 1.0) * m + 0.5)]


_ROWS_PER_TASK = 128
_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=max(1, min(4, torch.get_num_threads(), os.cpu_count() or 1)),
                                       thread_name_prefix="colorizer-pixels")
        return _POOL


def _over_rows(kernel, h: int, head: tuple, tail: tuple) -> None:
    """Run kernel(*head, row0, row1, *tail) for blocks of rows on the pool and wait for all."""
    tasks = [_pool().submit(kernel, *head, r, min(h, r + _ROWS_PER_TASK), *tail) for r in range(0, h, _ROWS_PER_TASK)]
    for t in tasks:
        t.result()


def _uint8_rgb(rgb: np.ndarray) -> np.ndarray:
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected a uint8 (H, W, 3) array, got {rgb.dtype} {rgb.shape}")
    return np.ascontiguousarray(rgb)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """uint8 sRGB (H,W,3) -> normalized L (H,W) float32, as color.normalize_l(rgb_to_lab(rgb/255)[L])."""
    rgb = _uint8_rgb(rgb)
    out = np.empty(rgb.shape[:2], dtype=np.float32)
    _over_rows(_luminance_rows, rgb.shape[0], (rgb,),
               (Y_FROM_RGB, F_OF_Y, np.float32(L_CENTER), np.float32(L_SCALE), out))
    return out


def _axis(n_out: int, n_in: int):
    """Source indices and weights of bilinear resampling, align_corners=False (as F.interpolate)."""
    src = np.clip((np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5, 0.0, n_in - 1)
    i0 = np.floor(src).astype(np.int64)
    return i0, np.minimum(i0 + 1, n_in - 1), (src - i0).astype(np.float32)


def join(rgb: np.ndarray, ab_norm: torch.Tensor | np.ndarray) -> np.ndarray:
    """uint8 photo (H,W,3) + normalized ab (2,h,w) or (1,2,h,w) at any small size -> uint8 (H,W,3) with
    the photo's L and the ab upsampled bilinearly to (H, W)."""
    rgb = _uint8_rgb(rgb)
    if isinstance(ab_norm, torch.Tensor):
        ab_norm = ab_norm.detach().float().cpu().numpy()
    ab = np.asarray(ab_norm, dtype=np.float32).reshape(2, *np.shape(ab_norm)[-2:])
    h, w = rgb.shape[:2]
    y0, y1, wy = _axis(h, ab.shape[1])
    x0, x1, wx = _axis(w, ab.shape[2])
    ab_rows = np.ascontiguousarray((ab[:, :, x0] + (ab[:, :, x1] - ab[:, :, x0]) * wx) * np.float32(AB_SCALE))
    out = np.empty((h, w, 3), dtype=np.uint8)
    _over_rows(_join_rows, h, (rgb, ab_rows, y0, y1, wy), (Y_FROM_RGB, F_OF_Y, SRGB_U8, TO_RGB, out))
    return out


def warm_up() -> None:
    """Compile the kernels now (a few seconds, once per process) rather than on the first request.
    Numba compiles read-only arrays (np.asarray of a PIL image) as a type of their own: build both."""
    frozen = np.zeros((2, 2, 3), np.uint8)
    frozen.flags.writeable = False
    for rgb in (np.zeros((2, 2, 3), np.uint8), frozen):
        luminance(rgb)
        join(rgb, np.zeros((2, 1, 1), np.float32))
