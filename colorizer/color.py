"""sRGB <-> CIELAB (D65, 2 degree observer) for batched torch tensors, and the L/ab normalization.

This is the only place in the project where color spaces are converted. The constants follow
scikit-image (`skimage.color.rgb2lab` / `lab2rgb`) so the results agree with it to well under 0.05
(tests/test_color.py). Everything is differentiable, works on any device and dtype >= float16, and
expects channels in dimension -3: (..., 3, H, W).

Why hand-written rather than kornia: it is 60 lines, it matches scikit-image's constants exactly
(kornia uses slightly different matrix digits), and it avoids a dependency for one function.
"""
from __future__ import annotations

import numpy as np
import torch

# sRGB (linear) -> XYZ, the matrix scikit-image uses.
_XYZ_FROM_RGB = torch.tensor(
    [[0.412453, 0.357580, 0.180423],
     [0.212671, 0.715160, 0.072169],
     [0.019334, 0.119193, 0.950227]], dtype=torch.float64)
_RGB_FROM_XYZ = torch.linalg.inv(_XYZ_FROM_RGB)
_WHITE_D65 = torch.tensor([0.95047, 1.0, 1.08883], dtype=torch.float64)

# Normalization every model shares: L in [0, 100] -> (L - 50) / 100 in [-0.5, 0.5];
# ab (roughly [-110, 110] for sRGB) -> ab / 110 in about [-1, 1].
L_CENTER = 50.0
L_SCALE = 100.0
AB_SCALE = 110.0


def _matmul_channels(x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    """Apply a 3x3 matrix to the channel dimension (-3) of x."""
    return torch.einsum("ij,...jhw->...ihw", m.to(device=x.device, dtype=x.dtype), x)


def rgb_to_lab(rgb: torch.Tensor) -> torch.Tensor:
    """sRGB in [0, 1], shape (..., 3, H, W) -> Lab with L in [0, 100], a and b in about [-110, 110]."""
    rgb = rgb.clamp(0.0, 1.0)
    return _lab_from_linear(torch.where(rgb > 0.04045, ((rgb + 0.055) / 1.055).clamp_min(1e-8) ** 2.4, rgb / 12.92))


def srgb_u8_to_lab(rgb_u8: torch.Tensor) -> torch.Tensor:
    """uint8 sRGB (..., 3, H, W) -> Lab float32: rgb_to_lab(rgb_u8 / 255), with the gamma expansion read
    from a 256-entry table instead of a power per value (the training batches' fast path)."""
    return _lab_from_linear(_linear_lut(rgb_u8.device)[rgb_u8.long()])


def _lab_from_linear(linear: torch.Tensor) -> torch.Tensor:
    xyz = _matmul_channels(linear, _XYZ_FROM_RGB)
    xyz = xyz / _WHITE_D65.to(device=xyz.device, dtype=xyz.dtype).view(3, 1, 1)
    f = torch.where(xyz > 0.008856, xyz.clamp_min(1e-8) ** (1.0 / 3.0), 7.787 * xyz + 16.0 / 116.0)
    fx, fy, fz = f.unbind(-3)
    lum = torch.where(xyz[..., 1, :, :] > 0.008856, 116.0 * fy - 16.0, 903.3 * xyz[..., 1, :, :])
    return torch.stack([lum, 500.0 * (fx - fy), 200.0 * (fy - fz)], dim=-3)


def lab_to_rgb(lab: torch.Tensor) -> torch.Tensor:
    """Lab (..., 3, H, W) -> sRGB in [0, 1], out-of-gamut values clipped as scikit-image does."""
    lum, a, b = lab.unbind(-3)
    fy = (lum + 16.0) / 116.0
    fx = a / 500.0 + fy
    fz = (fy - b / 200.0).clamp_min(0.0)  # scikit-image clips negative z the same way
    f = torch.stack([fx, fy, fz], dim=-3)
    xyz = torch.where(f > 0.2068966, f ** 3, (f - 16.0 / 116.0) / 7.787)
    xyz = xyz * _WHITE_D65.to(device=xyz.device, dtype=xyz.dtype).view(3, 1, 1)
    linear = _matmul_channels(xyz, _RGB_FROM_XYZ)
    rgb = torch.where(linear > 0.0031308, 1.055 * linear.clamp_min(1e-8) ** (1 / 2.4) - 0.055, 12.92 * linear)
    return rgb.clamp(0.0, 1.0)


GRAY_STEPS = 256  # table entries per unit of L: a 12 MP plane is one lookup instead of ~10 float passes


def gray_table() -> torch.Tensor:
    """uint8 sRGB gray level of L = i / GRAY_STEPS: lab_to_rgb's arithmetic with a = b = 0, since a neutral
    color's linear R, G and B all equal its Y."""
    if "gray" not in _LUTS:
        fy = (torch.arange(100 * GRAY_STEPS + 1, dtype=torch.float64) / GRAY_STEPS + 16.0) / 116.0
        y = torch.where(fy > 0.2068966, fy ** 3, (fy - 16.0 / 116.0) / 7.787)
        s = torch.where(y > 0.0031308, 1.055 * y.clamp_min(1e-8) ** (1 / 2.4) - 0.055, 12.92 * y)
        _LUTS["gray"] = (s.clamp(0.0, 1.0) * 255.0).round().to(torch.uint8)
    return _LUTS["gray"]


def l_to_gray_u8(lum: torch.Tensor) -> torch.Tensor:
    """L in [0, 100] (any shape) -> the uint8 sRGB gray level of that lightness (a = b = 0), by table."""
    return gray_table()[(lum.float().clamp(0.0, 100.0) * GRAY_STEPS).round_().long()]


def srgb_u8_to_l(rgb_u8: torch.Tensor) -> torch.Tensor:
    """uint8 sRGB (..., 3, H, W) -> L in [0, 100], (..., 1, H, W), float32: the float reference that
    colorizer.join.luminance (the compiled full-resolution path) is tested against."""
    return srgb_u8_to_lab(rgb_u8)[..., :1, :, :]


def photo_l(rgb_u8) -> torch.Tensor:
    """A uint8 (H, W, 3) sRGB photo as numpy -> its L (H, W) in [0, 100]: how aging, evaluation and the
    old-print judgement's training read a photo's lightness."""
    return srgb_u8_to_l(torch.from_numpy(np.array(rgb_u8, dtype=np.uint8)).permute(2, 0, 1))[0]


_LUTS: dict = {}


def _linear_lut(device) -> torch.Tensor:
    key = str(device)
    if key not in _LUTS:
        v = torch.arange(256, dtype=torch.float64) / 255.0
        lin = torch.where(v > 0.04045, ((v + 0.055) / 1.055) ** 2.4, v / 12.92)
        _LUTS[key] = lin.float().to(device)
    return _LUTS[key]


def normalize_l(lum: torch.Tensor) -> torch.Tensor:
    return (lum - L_CENTER) / L_SCALE


def denormalize_l(l_norm: torch.Tensor) -> torch.Tensor:
    return l_norm * L_SCALE + L_CENTER


def normalize_ab(ab: torch.Tensor) -> torch.Tensor:
    return ab / AB_SCALE


def denormalize_ab(ab_norm: torch.Tensor) -> torch.Tensor:
    return ab_norm * AB_SCALE


def rgb_to_model_input(rgb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """sRGB (B,3,H,W), float in [0,1] or uint8 -> (normalized L (B,1,H,W), normalized ab (B,2,H,W)),
    the training pair."""
    lab = srgb_u8_to_lab(rgb) if rgb.dtype == torch.uint8 else rgb_to_lab(rgb)
    return normalize_l(lab[:, :1]), normalize_ab(lab[:, 1:])


def join_l_ab(l_norm: torch.Tensor, ab_norm: torch.Tensor) -> torch.Tensor:
    """Normalized L (B,1,H,W) and normalized ab (B,2,H,W) -> sRGB [0, 1] (B,3,H,W)."""
    return lab_to_rgb(torch.cat([denormalize_l(l_norm), denormalize_ab(ab_norm)], dim=1))
