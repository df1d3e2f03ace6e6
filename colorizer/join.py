"""Full-resolution pixel work, compiled: the photo's L for the model, and the join of its L with the
predicted ab into the uint8 result.

This is where a 12-megapixel photo spends its time, so each step is one compiled loop (numba) that
touches every pixel once, instead of ~30 whole-image tensor operations in float32. Per pixel the join
reads the photo (one gray channel, or R, G, B), computes CIE Y (so the photo's own L is kept exactly),
blends the prediction upsampled bilinearly (the sampling of F.interpolate(align_corners=False)),
converts Lab -> sRGB and rounds to uint8. The cube root and the sRGB gamma come from finely sampled
tables (a gray photo needs only 256-entry ones); tests/test_join.py checks the result against the
float reference in colorizer.color (at most one 8-bit level, on ~1% of values).
Rows are split into blocks that run on a small thread pool (the kernels release the GIL), so both
cores work and concurrent requests are safe: numba's own parallel layer must not be entered from two
Python threads at once.

The constants are colorizer.color's; this module re-expresses that conversion per pixel.
"""
from __future__ import annotations

import numpy as np
import torch
from numba import njit

from .color import _RGB_FROM_XYZ, _WHITE_D65, _XYZ_FROM_RGB, AB_SCALE, GRAY_STEPS, L_CENTER, L_SCALE, _linear_lut, gray_table
from .threads import cpu_workers, pool


def _cie_f(y: np.ndarray) -> np.ndarray:
    return np.where(y > 0.008856, np.cbrt(y), 7.787 * y + 16.0 / 116.0)


def _tables():
    f_of_y = _cie_f(np.linspace(0.0, 1.0, (1 << 16) + 1))  # 65,537 samples: |error| in L < 0.01
    lin = np.linspace(0.0, 1.0, (1 << 18) + 1)  # sRGB gamma straight to uint8: 262,145 samples
    srgb = np.where(lin > 0.0031308, 1.055 * np.power(lin, 1 / 2.4) - 0.055, 12.92 * lin)
    y_u8 = _linear_lut("cpu").double().numpy()  # a gray level's linear value is its Y (matrix rows sum to 1)
    y_from_rgb = y_u8[None, :] * _XYZ_FROM_RGB[1].numpy()[:, None]  # (3, 256)
    to_rgb = (_RGB_FROM_XYZ * _WHITE_D65[None, :]).numpy()  # (X/Xn, Y, Z/Zn) -> linear RGB
    f32 = np.float32
    return (y_from_rgb.astype(f32), f_of_y.astype(f32), np.clip(np.round(srgb * 255.0), 0, 255).astype(np.uint8),
            to_rgb.astype(f32), y_u8.astype(f32), _cie_f(y_u8).astype(f32))


Y_FROM_RGB, F_OF_Y, SRGB_U8, TO_RGB, Y_U8, F_U8 = _tables()


# The kernels work a row at a time in three passes: gather the photo's Y and f(Y) by table, then the
# Lab -> linear RGB arithmetic over plain float arrays (which the compiler vectorizes: ~3x faster than
# one scalar loop doing everything per pixel), then the gamma table into the interleaved uint8 output.
# A gray photo (2-D) and an RGB one (3-D) differ only in the first pass, `_fill`, whose branch numba settles
# from the array's type when it compiles. cache=True keeps the compiled kernels on disk (numba's cache, beside
# this file or in the user's cache folder where that is read-only): a new process loads them in a fraction of
# a second instead of compiling them for ten (a CLI call, each worker of a Space).
@njit(nogil=True, fastmath=True, cache=True)
def _fill(px, i, ys, fys, y_table, f_table):
    row = px[i]
    if px.ndim == 2:  # gray: one table lookup a pixel
        for j in range(row.shape[0]):
            ys[j] = y_table[row[j]]
            fys[j] = f_table[row[j]]
    else:  # sRGB: Y summed from the three channels' tables, f(Y) from its fine table
        n = f_table.shape[0] - 1
        for j in range(row.shape[0]):
            y = y_table[0, row[j, 0]] + y_table[1, row[j, 1]] + y_table[2, row[j, 2]]
            ys[j] = y
            fys[j] = f_table[int(min(max(y, 0.0), 1.0) * n + 0.5)]


@njit(nogil=True, fastmath=True, cache=True)
def _join_rows(px, ab_rows, y0s, y1s, wys, row0, row1, y_table, f_table, srgb_u8, to_rgb, out):
    """Rows [row0, row1). ab_rows (2, h, W): the small ab already upsampled along x and in ab units,
    so each pixel blends two rows."""
    w = px.shape[1]
    f32 = np.float32
    m, zero, one, half = f32(srgb_u8.shape[0] - 1), f32(0.0), f32(1.0), f32(0.5)
    edge, k = f32(6.0 / 29.0), f32(3.0 * (6.0 / 29.0) ** 2)  # f^-1 is t^3 above 6/29, linear below
    r = to_rgb
    ys, fys = np.empty(w, f32), np.empty(w, f32)
    i0, i1, i2 = np.empty(w, np.int32), np.empty(w, np.int32), np.empty(w, np.int32)
    for i in range(row0, row1):
        _fill(px, i, ys, fys, y_table, f_table)
        a0, a1, b0, b1, wy = ab_rows[0, y0s[i]], ab_rows[0, y1s[i]], ab_rows[1, y0s[i]], ab_rows[1, y1s[i]], wys[i]
        for j in range(w):
            y, fy = ys[j], fys[j]
            fx = fy + (a0[j] + (a1[j] - a0[j]) * wy) * f32(1.0 / 500.0)
            fz = max(fy - (b0[j] + (b1[j] - b0[j]) * wy) * f32(1.0 / 200.0), zero)  # negative z clipped, as color.lab_to_rgb does
            xx = fx * fx * fx if fx > edge else (fx - f32(4.0 / 29.0)) * k
            zz = fz * fz * fz if fz > edge else (fz - f32(4.0 / 29.0)) * k
            # Y is the photo's own: its L is kept, not recomputed from fy
            i0[j] = np.int32(min(max(r[0, 0] * xx + r[0, 1] * y + r[0, 2] * zz, zero), one) * m + half)
            i1[j] = np.int32(min(max(r[1, 0] * xx + r[1, 1] * y + r[1, 2] * zz, zero), one) * m + half)
            i2[j] = np.int32(min(max(r[2, 0] * xx + r[2, 1] * y + r[2, 2] * zz, zero), one) * m + half)
        o = out[i]
        for j in range(w):
            o[j, 0] = srgb_u8[i0[j]]
            o[j, 1] = srgb_u8[i1[j]]
            o[j, 2] = srgb_u8[i2[j]]


@njit(nogil=True, fastmath=True, cache=True)
def _l_rows(px, k, row0, row1, y_table, f_table, center, scale, out):
    """Output rows [row0, row1) of the normalized L averaged over k x k blocks (partial ones at the edges):
    k rows of f(Y) are summed column-wise (vectorized), then each block of k columns once."""
    h, w = px.shape[0], px.shape[1]
    ys, fys, cols = np.empty(w, np.float32), np.empty(w, np.float32), np.empty(w, np.float32)
    for r in range(row0, row1):
        rows = min(h, r * k + k) - r * k
        cols[:] = 0.0
        for i in range(r * k, r * k + rows):
            _fill(px, i, ys, fys, y_table, f_table)
            for j in range(w):
                cols[j] += fys[j]
        for c in range(out.shape[1]):
            s = np.float32(0.0)
            for j in range(c * k, min(w, c * k + k)):
                s += cols[j]
            mean_f = s / (rows * (min(w, c * k + k) - c * k))
            out[r, c] = (116.0 * mean_f - 16.0 - center) / scale  # L = 116 f(Y) - 16 on both branches of f


@njit(nogil=True, fastmath=True, cache=True)
def _tone_rows(px, p_rows, y0s, y1s, wys, row0, row1, y_table, f_table, center, gray_u8, steps, out):
    """Rows [row0, row1) of colorizer.restore's tone curves applied to the photo's L, as gray uint8:
    L' = center + exp(g) (L - center) + o, with (g, o) = p_rows (already upsampled along x) blended
    between two rows; the gray level of L' by table (color.l_to_gray_u8's)."""
    w = px.shape[1]
    f32 = np.float32
    ys, fys = np.empty(w, f32), np.empty(w, f32)
    top = f32(gray_u8.shape[0] - 1)
    for i in range(row0, row1):
        _fill(px, i, ys, fys, y_table, f_table)
        g0, g1, o0, o1, wy = p_rows[0, y0s[i]], p_rows[0, y1s[i]], p_rows[1, y0s[i]], p_rows[1, y1s[i]], wys[i]
        o = out[i]
        for j in range(w):
            lum = f32(116.0) * fys[j] - f32(16.0)
            g = g0[j] + (g1[j] - g0[j]) * wy
            v = center + np.exp(g) * (lum - center) + o0[j] + (o1[j] - o0[j]) * wy
            o[j] = gray_u8[np.int32(min(max(v * steps, f32(0.0)), top) + f32(0.5))]


_PIXELS_PER_TASK = 512 * 1024
def _pool():
    return pool("pixels", cpu_workers())


def _over_rows(kernel, rows: int, row_pixels: int, head: tuple, tail: tuple) -> None:
    """Run kernel(*head, row0, row1, *tail) for blocks of rows on the pool and wait for all."""
    step = max(1, _PIXELS_PER_TASK // max(1, row_pixels))
    tasks = [_pool().submit(kernel, *head, r, min(rows, r + step), *tail) for r in range(0, rows, step)]
    for t in tasks:
        t.result()


def _pixels(px: np.ndarray) -> np.ndarray:
    if px.dtype != np.uint8 or not (px.ndim == 2 or (px.ndim == 3 and px.shape[2] == 3)):
        raise ValueError(f"expected a uint8 (H, W) or (H, W, 3) array, got {px.dtype} {px.shape}")
    return np.ascontiguousarray(px)


def _tables_for(px: np.ndarray) -> tuple:
    """The first pass's tables for a gray or an RGB photo."""
    return (Y_U8, F_U8) if px.ndim == 2 else (Y_FROM_RGB, F_OF_Y)


def luminance(pixels: np.ndarray, k: int = 1) -> np.ndarray:
    """uint8 gray (H,W) or sRGB (H,W,3) -> normalized L float32 (as color.normalize_l(rgb_to_lab(rgb/255)[L])),
    averaged over k x k blocks: shape (ceil(H/k), ceil(W/k)). Averaging while reading lets the model's
    input be made from a 12 MP photo without a full-size float plane."""
    px = _pixels(pixels)
    h, w = px.shape[:2]
    out = np.empty((-(-h // k), -(-w // k)), dtype=np.float32)
    tables = _tables_for(px)
    _over_rows(_l_rows, out.shape[0], w * k, (px, k), tables + (np.float32(L_CENTER), np.float32(L_SCALE), out))
    return out


def _axis(n_out: int, n_in: int):
    """Source indices and weights of bilinear resampling, align_corners=False (as F.interpolate)."""
    src = np.clip((np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5, 0.0, n_in - 1)
    i0 = np.floor(src).astype(np.int64)
    return i0, np.minimum(i0 + 1, n_in - 1), (src - i0).astype(np.float32)


def _along_x(small: np.ndarray, h: int, w: int):
    """A small (C, h', w') grid bilinearly upsampled along x to width w, and the row indices and weights that
    blend it along y to height h (the kernels do that per pixel): F.interpolate's sampling, align_corners=False."""
    y0, y1, wy = _axis(h, small.shape[1])
    x0, x1, wx = _axis(w, small.shape[2])
    return y0, y1, wy, np.ascontiguousarray(small[:, :, x0] + (small[:, :, x1] - small[:, :, x0]) * wx)


def join(pixels: np.ndarray, ab_norm: torch.Tensor | np.ndarray) -> np.ndarray:
    """uint8 photo, gray (H,W) or RGB (H,W,3), + normalized ab (2,h,w) or (1,2,h,w) at any small size ->
    uint8 (H,W,3) with the photo's L and the ab upsampled bilinearly to (H, W)."""
    px = _pixels(pixels)
    if isinstance(ab_norm, torch.Tensor):
        ab_norm = ab_norm.detach().float().cpu().numpy()
    ab = np.asarray(ab_norm, dtype=np.float32).reshape(2, *np.shape(ab_norm)[-2:])
    h, w = px.shape[:2]
    y0, y1, wy, ab_rows = _along_x(ab * np.float32(AB_SCALE), h, w)
    out = np.empty((h, w, 3), dtype=np.uint8)
    tables = _tables_for(px)
    _over_rows(_join_rows, h, w, (px, ab_rows, y0, y1, wy), tables + (SRGB_U8, TO_RGB, out))
    return out


def tone_gray(pixels: np.ndarray, params: torch.Tensor | np.ndarray) -> np.ndarray:
    """uint8 photo, gray (H,W) or RGB (H,W,3), + tone curves (2,h,w) or (1,2,h,w) on a small grid
    (colorizer.restore) -> the uint8 (H,W) gray photo of its restored lightness. One pass over the pixels;
    tests/test_restore.py checks it against restore.apply_tone and color.l_to_gray_u8."""
    px = _pixels(pixels)
    if isinstance(params, torch.Tensor):
        params = params.detach().float().cpu().numpy()
    p = np.asarray(params, dtype=np.float32).reshape(2, *np.shape(params)[-2:])
    h, w = px.shape[:2]
    y0, y1, wy, p_rows = _along_x(p, h, w)
    out = np.empty((h, w), dtype=np.uint8)
    tables = _tables_for(px)
    gray = gray_table().numpy()
    _over_rows(_tone_rows, h, w, (px, p_rows, y0, y1, wy),
               tables + (np.float32(L_CENTER), gray, np.float32(GRAY_STEPS), out))
    return out


def warm_up() -> None:
    """Compile the kernels now (a few seconds, once per process) rather than on the first request.
    Numba compiles read-only arrays (np.asarray of a PIL image) as a type of their own: build both."""
    for shape in ((2, 2), (2, 2, 3)):
        frozen = np.zeros(shape, np.uint8)
        frozen.flags.writeable = False
        for px in (np.zeros(shape, np.uint8), frozen):
            luminance(px)
            join(px, np.zeros((2, 1, 1), np.float32))
            tone_gray(px, np.zeros((2, 1, 1), np.float32))
