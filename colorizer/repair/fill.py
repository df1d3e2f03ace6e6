"""The learned fill for wide damage: where a print's emulsion flaked off or a crack opened 6 to 20 px wide, Telea's
fast marching (colorizer.repair.Repairer.fill) smears the rim across the hole. `FillNet` is a small U-Net of gated
convolutions (Yu et al., "Free-Form Image Inpainting with Gated Convolution", ICCV 2019) over the lightness and
the hole's mask, with dilated convolutions at its coarsest level for context; it is trained by
`python train.py inpaint` (colorizer.train.inpaint) on our photos with the real crack shapes as holes.

It runs only where it is needed: on tiles around the pixels whose damage is wide (`WIDE`, the local width of the
mask), after Telea has filled everything; a thin line stays Telea's, which is as good there and costs nothing.

Where no learned fill ships, `relax` smooths Telea's fill instead: a few milliseconds a megapixel, and on cracked
prints 0.2-0.9 dB closer to the photo inside the mask, most where the damage is wide (docs/experiments.md).
"""
from __future__ import annotations

import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from numba import njit

from ..checkpoints import load_checkpoint, save_checkpoint
from ..errors import ColorizerError

ARCH = "fill-net"
WIDE = 5.0     # px: damage at least this wide is filled by the network (below it, Telea is as good)
TILE = 96      # the tiles the network fills, each read with CONTEXT px around it
CONTEXT = 16
BATCH = 8      # tiles a forward pass


def local_width(mask: np.ndarray) -> np.ndarray:
    """Each mask pixel's stroke width (px; 0 off the mask): twice the largest distance to the background within
    two pixels of it, less one (a line's centre is where the distance peaks)."""
    from scipy.ndimage import distance_transform_edt  # (imported here: only a repair with wide damage needs it)
    d = torch.from_numpy(distance_transform_edt(mask).astype(np.float32))
    peak = F.max_pool2d(d[None, None], 5, stride=1, padding=2)[0, 0].numpy()
    return np.where(mask, 2 * peak - 1, 0.0)


class _Gated(nn.Module):
    """A gated convolution: features times a learned, per-pixel gate (what is hole, what is photo)."""

    def __init__(self, a: int, b: int, stride: int = 1, dilation: int = 1):
        super().__init__()
        self.conv = nn.Conv2d(a, 2 * b, 3, stride, padding=dilation, dilation=dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f, g = self.conv(x).chunk(2, dim=1)
        return F.elu(f) * torch.sigmoid(g)


class FillNet(nn.Module):
    """(L in [0, 1], hole mask) -> L in [0, 1] (B, 1, H, W); H and W multiples of 4.

    residual=False (fill v1): the hole is zeroed and the network paints it. residual=True (fill v2 on): the input is
    Telea's fill and the network adds a correction inside the hole, its last layer starting at zero, so an untrained
    network is Telea exactly and training can only move it where the photos say Telea is wrong (v1, painting from
    nothing, was still below Telea after 1,000 steps)."""

    arch_name = ARCH
    MULTIPLE = 4

    def __init__(self, width: int = 16, residual: bool = False):
        super().__init__()
        self.residual = bool(residual)
        self.arch_kwargs = {"width": width, **({"residual": True} if residual else {})}
        c = [width, 2 * width, 4 * width]
        self.e0 = nn.Sequential(_Gated(2, c[0]), _Gated(c[0], c[0]))
        self.e1 = nn.Sequential(_Gated(c[0], c[1], 2), _Gated(c[1], c[1]))
        self.e2 = nn.Sequential(_Gated(c[1], c[2], 2), _Gated(c[2], c[2], dilation=2), _Gated(c[2], c[2], dilation=4),
                                _Gated(c[2], c[2], dilation=8))
        self.d1 = nn.Sequential(_Gated(c[2] + c[1], c[1]), _Gated(c[1], c[1]))
        self.d0 = nn.Sequential(_Gated(c[1] + c[0], c[0]), _Gated(c[0], c[0]))
        self.head = nn.Conv2d(c[0], 1, 3, padding=1)
        if self.residual:
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)

    def forward(self, l01: torch.Tensor, hole: torch.Tensor) -> torch.Tensor:
        x = torch.cat([(l01 if self.residual else l01 * (1 - hole)) * 2 - 1, hole], 1)
        s0 = self.e0(x)
        s1 = self.e1(s0)
        y = self.e2(s1)
        y = self.d1(torch.cat([F.interpolate(y, size=s1.shape[-2:], mode="nearest"), s1], 1))
        y = self.d0(torch.cat([F.interpolate(y, size=s0.shape[-2:], mode="nearest"), s0], 1))
        if self.residual:
            return (l01 + self.head(y) * hole).clamp(0, 1)
        return l01 * (1 - hole) + torch.sigmoid(self.head(y)) * hole


def _build(arch: str, **kwargs) -> FillNet:
    if arch != ARCH:
        raise ColorizerError(f"not a fill network (its architecture is {arch!r}, not {ARCH!r})")
    return FillNet(**kwargs)


def save_fill(path: str | os.PathLike, net: FillNet, metadata: dict) -> None:
    save_checkpoint(path, net, metadata)


RELAX_PASSES = 3    # Gauss-Seidel passes over the whole hole: Telea's streaks smoothed
RELAX_WIDE = 10     # over-relaxed passes where the hole is wide: its middle, far from any rim, brought to the smooth
OVERRELAX = 1.7     # surface its rim implies (without the over-relaxation, about sixty passes)


def relax(planes: np.ndarray, hole: np.ndarray, deep: float) -> np.ndarray:
    """`planes` (H, W) or (H, W, C), float32: Telea's fill, with the hole's pixels relaxed toward the harmonic
    surface its rim fixes, every channel alike: each pixel becomes the mean of its four neighbours, red and black
    pixels in turn (Gauss-Seidel), RELAX_PASSES times everywhere and RELAX_WIDE times over-relaxed within two pixels
    of a hole pixel `deep` px or more from the rim. Why: Telea carries the rim's values inward along its marching
    front and leaves streaks across a wide hole; its expected content given only the rim is smooth (on val's
    cracked prints, PSNR inside the mask rose 0.26 / 0.49 / 0.87 dB at < 3 / 3-6 / >= 6 px). The photo's border
    rows and columns stay as Telea left them."""
    import cv2
    h, w = hole.shape
    inner = hole.copy()
    inner[[0, -1]] = False
    inner[:, [0, -1]] = False
    if not inner.any():
        return planes

    def colours(sel: np.ndarray) -> list[np.ndarray]:  # a red pixel's four neighbours are all black
        idx = np.flatnonzero(sel)
        return [idx[(idx // w + idx % w) % 2 == k] for k in (0, 1)]

    depth = cv2.distanceTransform(inner.astype(np.uint8), cv2.DIST_L2, 5)
    wide = inner & (cv2.dilate((depth >= deep).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0)
    schedule = [(colours(inner), RELAX_PASSES, 1.0)] + ([(colours(wide), RELAX_WIDE, OVERRELAX)] if wide.any() else [])
    stack = np.array(np.moveaxis(np.reshape(planes, (h, w, -1)), -1, 0), dtype=np.float32, order="C")  # (C, H, W)
    for plane in stack:  # one contiguous plane at a time
        for (red, black), n, omega in schedule:
            _gauss_seidel(plane.reshape(-1), red, black, w, n, np.float32(omega))
    return np.moveaxis(stack, 0, -1).reshape(np.shape(planes))


@njit(nogil=True, fastmath=True, cache=True)
def _gauss_seidel(v, red, black, w, passes, omega):
    """`passes` red-black passes over the flat plane `v` (width w) at the given pixels: a pixel's four neighbours
    are all of the other colour, so each half-pass reads only values the other half wrote (numpy's gathers gave
    the same numbers at five times the time)."""
    for _ in range(passes):
        for sel in (red, black):
            for c in sel:
                v[c] += omega * (np.float32(0.25) * (v[c - 1] + v[c + 1] + v[c - w] + v[c + w]) - v[c])


def _cut(plane: np.ndarray, tiles: list) -> np.ndarray:
    """The tiles' read boxes of a plane (all of one shape), stacked as float32 (N, h, w)."""
    return np.stack([plane[r0:r1, c0:c1] for _, (r0, c0, r1, c1) in tiles]).astype(np.float32)


class LearnedFill:
    """A loaded FillNet: fills the wide parts of a mask on one plane, tile by tile."""

    after_relax = False  # it fills over Telea's fill (colorizer.repair.fill_defects)

    def __init__(self, net: FillNet, metadata: dict | None = None):
        self.net, self.metadata = net.eval(), metadata or {}
        self.wide = float(self.metadata.get("wide", WIDE))

    @classmethod
    def load(cls, path: str | os.PathLike) -> "LearnedFill":
        net, meta = load_checkpoint(path, build=_build)
        return cls(net, meta)

    @torch.inference_mode()
    def fill(self, plane: np.ndarray, mask: np.ndarray, filled: np.ndarray, peak: float) -> np.ndarray:
        """`filled` (Telea's fill of `plane`, same shape) with the mask's wide parts filled by the network instead.
        plane: (H, W) float in [0, peak] (the lightness, or a channel); mask: bool (H, W), the grown mask."""
        wide = mask & (local_width(mask) >= self.wide)
        if not wide.any():
            return filled
        out = filled.copy()
        h, w = mask.shape
        ys, xs = np.nonzero(wide)
        src = filled if self.net.residual else plane  # a residual network corrects Telea's fill
        groups: dict[tuple[int, int], list] = {}  # tiles of one shape go through the network together: a batch of 8
        for ty, tx in sorted({(y // TILE, x // TILE) for y, x in zip(ys, xs)}):  # costs a quarter a tile of one
            y0, x0 = ty * TILE, tx * TILE
            box = (y0, x0, min(h, y0 + TILE), min(w, x0 + TILE))
            read = (max(0, y0 - CONTEXT), max(0, x0 - CONTEXT), min(h, box[2] + CONTEXT), min(w, box[3] + CONTEXT))
            groups.setdefault((read[2] - read[0], read[3] - read[1]), []).append((box, read))
        for (th, tw), tiles in groups.items():
            ph, pw = (-th) % FillNet.MULTIPLE, (-tw) % FillNet.MULTIPLE
            for k in range(0, len(tiles), BATCH):
                part = tiles[k:k + BATCH]
                hole = torch.from_numpy(_cut(mask, part))[:, None]
                l01 = torch.from_numpy(_cut(src, part) / peak)[:, None]
                pred = self.net(F.pad(l01, (0, pw, 0, ph), mode="replicate"), F.pad(hole, (0, pw, 0, ph)))
                for p, ((y0, x0, y1, x1), (r0, c0, _, _)) in zip(pred[:, 0, :th, :tw].numpy() * peak, part):
                    sel = wide[y0:y1, x0:x1]
                    out[y0:y1, x0:x1][sel] = p[y0 - r0:y1 - r0, x0 - c0:x1 - c0][sel]
        return out


def load_fill(path: str | os.PathLike, backend: str = "auto"):
    """The learned fill at `path`: a RefinedFill (fill v4 on; on ONNX Runtime unless backend is "torch") or a
    LearnedFill (fill v1-v3), by the architecture its checkpoint names."""
    from ..checkpoints import read_metadata
    from . import refine
    if read_metadata(path).get("arch") != refine.ARCH:
        return LearnedFill.load(path)
    from .runtime import onnx_runner
    net, meta = load_checkpoint(path, build=refine.build)
    return refine.RefinedFill(net, meta, onnx_runner(path, net, meta, backend))


__all__ = ["ARCH", "FillNet", "LearnedFill", "WIDE", "load_fill", "local_width", "relax", "save_fill"]
