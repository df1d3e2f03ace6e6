"""A small network that corrects the relaxed fill (colorizer.repair.fill.relax) inside the hole, read at half the
detector's scale: fill v4 on.

Why this and not FillNet (fill v1-v3): the relaxed fill is already the smooth surface the hole's rim implies, and
what is left is what a smooth surface cannot carry: an edge that crosses the crack, a shadow's gradient, the rim's
darker line that should not be carried in. That correction is smooth at the scale of the damage, so it is read at a
short side of at most WORK_SIDE (half the detector's 384 px reading, where a print's crack is 1-3 px) and enlarged:
a megapixel's correction costs one 192 x 256 reading of a 10 k-weight network (about 10 ms on ONNX Runtime),
where fill v3 read every tile of wide damage at full resolution (1.8 s).

The network sees three planes at that scale: the relaxed lightness, the share of each pixel that is hole, and the
hole's depth (px from its rim, counted at the reading scale of a 384 px print, over DEPTH_SCALE). Trained by
`python train.py inpaint --refine` (colorizer.train.inpaint) on cracked prints with the real crack shapes of
repair/cracks/train.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from ..errors import ColorizerError

ARCH = "fill-refine-net"
WORK_SIDE = 192     # px: the correction's reading, a short side at most this (half of a 384 px print)
DEPTH_SCALE = 8.0   # px (at a 384 px print's scale) of depth that the network's depth plane reads as 1


class RefineNet(nn.Module):
    """(B, 3, h, w): the relaxed L * 2 - 1, the hole's share, its depth -> a correction of L / 100 (B, 1, h, w).
    Dilated 3 x 3 convolutions (Yu and Koltun, 2016): a 35 px field at the reading scale (a 384 px print's 70 px)
    for 10 k weights. The last layer starts near zero: an untrained network is within a hair of the relaxed fill."""

    arch_name = ARCH
    MULTIPLE = 1
    in_channels = 3

    def __init__(self, width: int = 16, dilations: tuple[int, ...] = (1, 2, 4, 8, 1)):
        super().__init__()
        self.arch_kwargs = {"width": width, "dilations": list(dilations)}
        layers: list[nn.Module] = []
        for i, d in enumerate(dilations):
            layers += [nn.Conv2d(self.in_channels if i == 0 else width, width, 3, padding=d, dilation=d), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.head = nn.Conv2d(width, 1, 3, padding=1)
        with torch.no_grad():  # small, not zero: a zero head passes no gradient to the layers below it, and they stay
            self.head.weight.mul_(0.01)  # the random features they start as (fill v4's first run: +0.04 dB, not +0.40)
            self.head.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


def build(arch: str, **kwargs) -> RefineNet:
    if arch != ARCH:
        raise ColorizerError(f"not a fill correction (its architecture is {arch!r}, not {ARCH!r})")
    return RefineNet(**kwargs)


def planes(l01: torch.Tensor, hole: torch.Tensor, depth: torch.Tensor) -> torch.Tensor:
    """The network's input (B, 3, h, w) from the relaxed L in [0, 1], the hole's share and its depth (px at a 384 px
    print's scale), each already at the reading's size: training and the repair make it here alike."""
    return torch.cat([l01 * 2 - 1, hole, (depth / DEPTH_SCALE).clamp(max=1)], 1)


def refined(net: RefineNet, l01: torch.Tensor, hole: torch.Tensor, depth: torch.Tensor) -> torch.Tensor:
    """Training's reading (B, 1, H, W) -> the relaxed L corrected inside the hole, read at half size (area) and
    enlarged (bilinear), as RefinedFill reads a 384 px print."""
    size = (l01.shape[-2] // 2, l01.shape[-1] // 2)
    fix = net(planes(*(F.interpolate(t, size=size, mode="area") for t in (l01, hole, depth))))
    return (l01 + F.interpolate(fix, size=l01.shape[-2:], mode="bilinear", align_corners=False) * hole).clamp(0, 1)


def reading_size(shape: tuple[int, int]) -> tuple[int, int]:
    """The correction's reading of a photo of `shape`: half its size, or a short side of WORK_SIDE if that is less."""
    h, w = shape
    k = max(2.0, min(h, w) / WORK_SIDE)
    return max(1, round(h / k)), max(1, round(w / k))


def depth_of(hole: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Each hole pixel's distance from the rim (px, float32), counted at a 384 px print's scale."""
    import cv2
    k = 2.0 * WORK_SIDE / max(1.0, min(shape)) if min(shape) > 2 * WORK_SIDE else 1.0
    return cv2.distanceTransform(hole.astype(np.uint8), cv2.DIST_L2, 5) * np.float32(k)


class RefinedFill:
    """A loaded RefineNet (PyTorch, or its ONNX Runtime export): corrects the relaxed fill of one plane."""

    after_relax = True  # colorizer.repair.fill_defects relaxes Telea's fill first, then adds `correction` to it

    def __init__(self, net: RefineNet, metadata: dict | None = None, runner=None):
        self.net, self.metadata = net.eval(), metadata or {}
        self.runner = runner or self.net

    @torch.inference_mode()
    def correction(self, filled: np.ndarray, mask: np.ndarray, peak: float) -> np.ndarray:
        """What to add to the relaxed fill `filled` (float (H, W) in [0, peak]) inside `mask` (bool, the grown mask):
        float32 (H, W), meaningful inside the mask only. One reading for a photo, whatever its channels: a scan's
        three channels differ by a tint, and the network reads lightness. The reading is shrunk and enlarged with
        OpenCV (area, then bilinear: at a factor of 2 what training's torch functions do, and several times faster
        at a megapixel)."""
        import cv2
        h, w = reading_size(mask.shape)
        three = cv2.merge([np.asarray(filled, np.float32) * np.float32(1 / peak), mask.astype(np.float32),
                           depth_of(mask, mask.shape)])
        small = np.moveaxis(cv2.resize(three, (w, h), interpolation=cv2.INTER_AREA), -1, 0)  # one pass: 30% faster
        fix = self.runner(planes(*(torch.from_numpy(np.ascontiguousarray(a))[None, None] for a in small)))[0, 0].numpy()
        return cv2.resize(fix, mask.shape[::-1], interpolation=cv2.INTER_LINEAR) * np.float32(peak)


__all__ = ["ARCH", "DEPTH_SCALE", "WORK_SIDE", "RefineNet", "RefinedFill", "build", "depth_of", "planes", "reading_size",
           "refined"]
