"""Defects of an old print with their exact masks: what the repair network (colorizer.repair) learns to find
and what its benchmark scores it on.

colorizer.evaluation.aging imitates a print's aging as a whole; here each physical defect is drawn on the
lightness (CIELAB L in [0, 100]) with the mask of the pixels it covers, so a detector can be trained and
measured pixel by pixel. What real scans show (val-historical's glass plates, family prints):
  scratches   long thin strokes, mostly along the film, bright (emulsion scraped off) or dark, slightly bent
  hairs       lint and hairs on the scanner glass: thin curling strokes, mostly dark
  dust        specks of one to a few pixels, white (on the negative) or black (on the print)
  cracks      branching jagged lines where the emulsion broke, the paper showing through (bright) or dark
  creases     a fold: a long gentle line, bright where the emulsion cracked along it
  emulsion    flakes of emulsion lost: irregular blobs of bare paper
  corners     a torn or folded-over corner: a jagged triangle of paper
  stains      water stains: soft rings of darker tone. Tone, not a defect to fill (the tone restoration evens
              it out), so they are drawn but never in the mask: a detector must learn to leave them alone.
  print cracks  real crack networks (hand-annotated shapes, ../shared/data/repair/cracks: `crack_shapes`) drawn
              as a print's cracked emulsion: the paper showing through, near-white with a little texture, an
              uneven width of 1 to 6 pixels at the scan's own resolution, a faint darker rim (not in the mask:
              the fill's one-pixel growth takes it) and flakes of emulsion lost beside the crack. Off unless
              `shapes` are given and the config draws them (PRINT_DEFECTS).

Sizes are in pixels of a photo whose short side is REFERENCE_SIDE (128) and scale with the photo's short side
(or `side`, the short side of the whole photo a crop was cut from), as in aging. A pixel is in the mask when the
defect covers at least half of it and moves its lightness by at least MIN_CONTRAST: a defect the eye cannot
see is not one to find. The same seed gives the same defects, bit for bit.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..repair.fill import local_width  # noqa: F401 (the benchmark's width classes read it from here)
from .aging import DEFAULT as AGING, REFERENCE_SIDE, _segments_mask, _u, age_one

MIN_CONTRAST = 8.0  # L units a covered pixel must move to count as defective


@dataclass(frozen=True)
class DefectConfig:
    """Probability that a photo gets each kind, and how many (drawn uniformly in [lo, hi])."""
    scratches: tuple = (0.5, 1, 4)
    hairs: tuple = (0.35, 1, 3)
    dust: tuple = (0.65, 4, 60)
    cracks: tuple = (0.25, 1, 3)
    creases: tuple = (0.12, 1, 2)
    emulsion: tuple = (0.15, 1, 6)
    corners: tuple = (0.05, 1, 1)
    stains: tuple = (0.15, 1, 3)
    print_cracks: tuple = (0.0, 1, 2)  # last: the kinds before it draw from the seed as they always did


# the last kind's draws come after every other's: a config without it draws what it always drew, bit for bit
KINDS = ("scratches", "hairs", "dust", "cracks", "creases", "emulsion", "corners", "stains", "print_cracks")
DEFAULT_DEFECTS = DefectConfig()
# a cracked old print: real crack networks most of the time, with the drawn kinds beside them
PRINT_DEFECTS = replace(DEFAULT_DEFECTS, print_cracks=(0.8, 1, 3), cracks=(0.35, 1, 4), creases=(0.2, 1, 2),
                        emulsion=(0.3, 1, 8), corners=(0.1, 1, 1))
# aging without its own strokes: what a scan adds that is not a defect to fill (fade, uneven light, blur, grain, JPEG)
SCAN_ONLY = replace(AGING, scratches=replace(AGING.scratches, p=0.0), dust=replace(AGING.dust, p=0.0),
                    cracks=replace(AGING.cracks, p=0.0))
CRACK_WIDTH = (1.0, 6.0)  # a print crack's width in pixels at the scan's resolution (the masks' median is 5 px)


@functools.cache
def crack_shapes(folder: str) -> tuple[np.ndarray, ...]:
    """The real crack masks of a folder (bool, True on the crack), e.g. ../shared/data/repair/cracks/train."""
    from PIL import Image
    files = sorted(Path(folder).glob("*.png"))
    if not files:
        raise FileNotFoundError(f"no crack masks (*.png) in {folder}")
    return tuple(np.array(Image.open(f).convert("L")) > 127 for f in files)


_WIDTHS: dict[int, float] = {}  # id of a mask of crack_shapes' (cached, so kept alive) -> its median width


def _median_width(shape: np.ndarray) -> float:
    """A mask's stroke width, as the data's README reads it: the distance transform along its skeleton (2d - 1)."""
    if id(shape) not in _WIDTHS:
        from scipy.ndimage import distance_transform_edt
        from skimage.morphology import skeletonize
        d = distance_transform_edt(shape)[skeletonize(shape.astype(np.uint8)) > 0]
        _WIDTHS[id(shape)] = max(1.0, float(np.median(2 * d - 1))) if d.size else 1.0
    return _WIDTHS[id(shape)]


def _crack_cover(shape: np.ndarray, g: torch.Generator, h: int, w: int, width: float | None = None) -> torch.Tensor:
    """A real crack network on an (h, w) crop: coverage in [0, 1], at a random width of CRACK_WIDTH (or `width`;
    at most the mask's own), flipped, turned and placed at random (a mask larger than the crop is cut, a smaller one
    lies somewhere on it)."""
    m = torch.from_numpy(shape)
    if _u(g) < 0.5:
        m = m.T
    m = m.flip(0) if _u(g) < 0.5 else m
    m = m.flip(1) if _u(g) < 0.5 else m
    width = _u(g, *CRACK_WIDTH) if width is None else width
    k = min(1.0, width / _median_width(shape))  # never enlarged: a wide shape is a real wide crack
    if k < 1:  # shrink by area: a thin line keeps a partial coverage...
        cover = F.interpolate(m[None, None].float(), scale_factor=k, mode="area", recompute_scale_factor=False)[0, 0]
    else:
        cover = m.float()
    cover = (cover / max(k, 0.35)).clamp(0, 1)  # ...raised so that it stays connected, not broken into dots
    # an uneven width: a smooth random field thins and thickens the line along its length
    field = F.interpolate(torch.rand(1, 1, 6, 6, generator=g), size=cover.shape, mode="bicubic", align_corners=False)[0, 0]
    cover = (cover * (0.55 + 0.9 * field)).clamp(0, 1)
    ch, cw = cover.shape
    out = torch.zeros(h, w)
    y0, x0 = int(_u(g, -0.5, 0.5) * ch + _u(g, 0, max(1, h - ch))), int(_u(g, -0.5, 0.5) * cw + _u(g, 0, max(1, w - cw)))
    ys, xs = max(0, y0), max(0, x0)
    ye, xe = min(h, y0 + ch), min(w, x0 + cw)
    if ye > ys and xe > xs:
        out[ys:ye, xs:xe] = cover[ys - y0:ye - y0, xs - x0:xe - x0]
    return out


def _coords(h: int, w: int, side: float, device) -> tuple[torch.Tensor, torch.Tensor]:
    k = REFERENCE_SIDE / side
    ys = (torch.arange(h, device=device, dtype=torch.float32) + 0.5) * k
    xs = (torch.arange(w, device=device, dtype=torch.float32) + 0.5) * k
    return torch.meshgrid(ys, xs, indexing="ij")


def _polyline(g, y: float, x: float, heading: float, steps: int, step: tuple, turn: float) -> list[list[float]]:
    segs = []
    for _ in range(steps):
        heading += _u(g, -turn, turn)
        n = _u(g, *step)
        y1, x1 = y + n * math.sin(heading), x + n * math.cos(heading)
        segs.append([y, x, y1, x1])
        y, x = y1, x1
    return segs


def _lines(h, w, side, segs, width, device) -> torch.Tensor:
    """Coverage (H, W) of a polyline of one width, in pixels of this crop (scaled like aging's strokes)."""
    scale = side / min(h, w)  # _segments_mask draws in reference pixels of this crop's own short side
    s = torch.tensor(segs, dtype=torch.float32) * scale
    cover = _segments_mask(h, w, s, torch.full((len(segs),), width * scale), device)
    return cover.amax(-1)


def _discs(yy, xx, centers, radii, px: float) -> torch.Tensor:
    """Coverage of discs (reference units), the edge anti-aliased over one pixel (px: pixels per unit). Computed
    only over the box the discs reach (a speck covers a few pixels of the photo; the rest is 0, as before)."""
    out = torch.zeros_like(yy)
    reach = float(radii.max()) + 1.0 / px
    (y0, x0), (y1, x1) = (centers.amin(0) - reach).tolist(), (centers.amax(0) + reach).tolist()
    r0, r1 = max(0, int(y0 * px) - 1), min(yy.shape[0], int(y1 * px) + 2)
    c0, c1 = max(0, int(x0 * px) - 1), min(yy.shape[1], int(x1 * px) + 2)
    if r1 > r0 and c1 > c0:
        sy, sx = yy[r0:r1, c0:c1, None], xx[r0:r1, c0:c1, None]
        d = ((sy - centers[:, 0]) ** 2 + (sx - centers[:, 1]) ** 2).sqrt()
        out[r0:r1, c0:c1] = ((radii - d) * px + 0.5).clamp(0, 1).amax(-1)
    return out


def draw_defects(lum: torch.Tensor, g: torch.Generator, config: DefectConfig = DEFAULT_DEFECTS,
                 side: float | None = None, shapes: tuple[np.ndarray, ...] = ()) -> tuple[torch.Tensor, torch.Tensor, dict]:
    """Draw defects on one photo's lightness (H, W) in [0, 100]. Returns the damaged L, the mask (bool, H, W)
    and what was drawn ({kind: count}). side: the short side of the whole photo when lum is a crop of it.
    shapes: real crack masks (crack_shapes) for the print cracks; without them none are drawn."""
    x = lum.float().clone()
    h, w = x.shape
    side = float(side or min(h, w))
    yy, xx = _coords(h, w, side, x.device)
    ey, ex = h * REFERENCE_SIDE / side, w * REFERENCE_SIDE / side  # the crop's extent in reference pixels
    mask = torch.zeros(h, w, dtype=torch.bool, device=x.device)
    drawn = {}

    def lay(cover: torch.Tensor, tone, opacity: float = 1.0, in_mask: bool = True) -> None:
        nonlocal x, mask
        tone = tone if torch.is_tensor(tone) else torch.tensor(float(tone))
        before = x
        x = x + opacity * cover * (tone - x)
        if in_mask:
            mask |= (cover >= 0.5) & ((x - before).abs() >= MIN_CONTRAST)

    for kind in KINDS:
        p, lo, hi = getattr(config, kind)
        on = _u(g) < p
        n = int(round(_u(g, lo, hi)))
        sub = torch.Generator().manual_seed(int(torch.randint(0, 2**62, (), generator=g)))
        if not on or n < 1 or (kind == "print_cracks" and not shapes):
            continue
        drawn[kind] = n
        for _ in range(n):
            if kind == "scratches":
                along = _u(sub) < 0.7
                heading = math.pi / 2 + _u(sub, -0.12, 0.12) if along else _u(sub, 0, math.pi)
                length = _u(sub, 0.3, 1.2) * max(ey, ex)
                y0, x0 = _u(sub, 0, ey) - math.sin(heading) * length / 2, _u(sub, 0, ex) - math.cos(heading) * length / 2
                k = int(_u(sub, 2, 6))
                segs = _polyline(sub, y0, x0, heading, k, (length / k, length / k), 0.05)
                bright = _u(sub) < 0.7
                lay(_lines(h, w, side, segs, _u(sub, 0.3, 1.2), x.device), _u(sub, 78, 100) if bright else _u(sub, 0, 22),
                    _u(sub, 0.7, 1.0))
            elif kind == "hairs":
                segs = _polyline(sub, _u(sub, 0, ey), _u(sub, 0, ex), _u(sub, 0, 2 * math.pi), int(_u(sub, 6, 16)),
                                 (0.8, 2.5), 0.6)
                dark = _u(sub) < 0.65
                lay(_lines(h, w, side, segs, _u(sub, 0.25, 0.7), x.device), _u(sub, 0, 18) if dark else _u(sub, 85, 100))
            elif kind == "dust":
                c = torch.stack([torch.rand(1, generator=sub) * ey, torch.rand(1, generator=sub) * ex], 1)
                parts = int(_u(sub, 1, 3))  # an irregular speck: a few overlapping dots
                c = c + torch.randn(parts, 2, generator=sub) * 0.4
                r = 0.15 + 1.1 * torch.rand(parts, generator=sub) ** 2
                bright = _u(sub) < 0.6
                lay(_discs(yy, xx, c, r, side / REFERENCE_SIDE), _u(sub, 85, 100) if bright else _u(sub, 0, 20), _u(sub, 0.75, 1.0))
            elif kind == "cracks":
                y0, x0, head = _u(sub, 0, ey), _u(sub, 0, ex), _u(sub, 0, 2 * math.pi)
                segs = _polyline(sub, y0, x0, head, int(_u(sub, 8, 22)), (2, 7), 0.7)
                for s in list(segs):  # branches
                    if _u(sub) < 0.18:
                        segs += _polyline(sub, s[2], s[3], head + _u(sub, -1.6, 1.6), int(_u(sub, 2, 6)), (1.5, 5), 0.7)
                paper = _u(sub) < 0.6
                lay(_lines(h, w, side, segs, _u(sub, 0.4, 1.3), x.device), _u(sub, 80, 97) if paper else _u(sub, 3, 25))
            elif kind == "creases":
                heading = _u(sub, 0, math.pi)
                length = 1.6 * max(ey, ex)
                y0, x0 = _u(sub, 0, ey) - math.sin(heading) * length / 2, _u(sub, 0, ex) - math.cos(heading) * length / 2
                segs = _polyline(sub, y0, x0, heading, 8, (length / 8, length / 8), 0.04)
                lay(_lines(h, w, side, segs, _u(sub, 0.6, 1.8), x.device), _u(sub, 75, 95), _u(sub, 0.6, 0.95))
            elif kind == "emulsion":
                c0 = torch.tensor([[_u(sub, 0, ey), _u(sub, 0, ex)]])
                parts = int(_u(sub, 3, 7))
                c = c0 + torch.randn(parts, 2, generator=sub) * _u(sub, 0.5, 2.5)
                r = 0.4 + 2.0 * torch.rand(parts, generator=sub)
                lay(_discs(yy, xx, c, r, side / REFERENCE_SIDE), _u(sub, 88, 100))
            elif kind == "corners":
                leg_y, leg_x = _u(sub, 6, 22), _u(sub, 6, 22)
                cy, cx = (0.0 if _u(sub) < 0.5 else ey), (0.0 if _u(sub) < 0.5 else ex)
                u = (yy - cy).abs() / leg_y + (xx - cx).abs() / leg_x
                edge = 1.0 + 0.08 * torch.sin(yy * _u(sub, 1, 3)) * torch.cos(xx * _u(sub, 1, 3))  # torn, not cut
                lay(((edge - u) * 8).clamp(0, 1), _u(sub, 90, 100))
            elif kind == "print_cracks":  # sized in this crop's own pixels: a print's crack is thin at any scan size
                cover = _crack_cover(shapes[int(torch.randint(len(shapes), (), generator=sub))], sub, h, w).to(x.device)
                rim = (F.max_pool2d(cover[None, None], 3, 1, 1)[0, 0] - cover).clamp(0, 1) * _u(sub, 0.2, 0.6)
                lay(rim, x * _u(sub, 0.6, 0.85), in_mask=False)  # the lifted edge, dirt in the crack
                paper = _u(sub, 78, 98) + torch.randn(h, w, generator=sub).to(x.device) * _u(sub, 0.5, 3)
                lay(cover, paper, _u(sub, 0.8, 1.0))
                on_crack = (cover > 0.5).nonzero()
                for _ in range(int(_u(sub, 0, 6)) if len(on_crack) else 0):  # flakes: emulsion lost beside the crack
                    y, x_ = on_crack[int(torch.randint(len(on_crack), (), generator=sub))].tolist()
                    c = torch.tensor([[y, x_]], dtype=torch.float32) * REFERENCE_SIDE / side  # in reference units
                    c = c + torch.randn(int(_u(sub, 2, 5)), 2, generator=sub) * _u(sub, 0.3, 1.5) * REFERENCE_SIDE / side
                    r = (_u(sub, 0.8, 3.5) + torch.rand(len(c), generator=sub) * 1.5) * REFERENCE_SIDE / side
                    lay(_discs(yy, xx, c, r, side / REFERENCE_SIDE), paper, _u(sub, 0.85, 1.0))
            else:  # stains: a soft ring of darker tone, never in the mask
                cy, cx, r = _u(sub, 0, ey), _u(sub, 0, ex), _u(sub, 8, 40)
                d = ((yy - cy) ** 2 + (xx - cx) ** 2).sqrt() / r
                ring = torch.exp(-((d - 1) / 0.08) ** 2) * 0.6 + (d < 1).float() * 0.25
                lay(ring.clamp(0, 1), x * _u(sub, 0.55, 0.85), _u(sub, 0.3, 0.8), in_mask=False)
    return x.clamp(0, 100), mask, drawn


def cracked_print(lum: torch.Tensor, g: torch.Generator, shapes: tuple[np.ndarray, ...],
                  config: DefectConfig = PRINT_DEFECTS) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A photo's lightness made a cracked old print and scanned: real crack shapes beside the drawn kinds, then the
    scan (SCAN_ONLY) over it. Returns (the damaged scan, the mask, the same print's scan without the damage): the
    last is the truth a repair is scored against (the same fading, blur and grain, drawn from the same seed)."""
    damaged, mask, _ = draw_defects(lum, g, config, shapes=shapes)
    state = g.get_state()
    aged = age_one(damaged, g, SCAN_ONLY)[0]
    twin = torch.Generator()
    twin.set_state(state)
    return aged, mask, age_one(lum.float(), twin, SCAN_ONLY)[0]


def defect_photo(rgb_u8, g: torch.Generator, config: DefectConfig = DEFAULT_DEFECTS):
    """An (H, W, 3) uint8 photo -> (its gray with defects drawn, uint8 (H, W, 3); the mask, bool (H, W) numpy;
    its clean gray, uint8 (H, W, 3)): what the repair benchmark scores the detector and the repair on."""
    from ..color import photo_l
    from .aging import gray_photo
    lum = photo_l(rgb_u8)
    damaged, mask, _ = draw_defects(lum, g, config)
    return gray_photo(damaged), mask.numpy(), gray_photo(lum)


@dataclass
class MaskCounts:
    """Pixel counts of a found mask against the true one, pooled over photos: the detector's precision, recall
    and F1 (the repair trainer's threshold rule and benchmarks/repair.py read them alike). With a `tolerance` of
    r pixels, a found pixel within r of the truth is right and a true pixel within r of a found one is found (the
    usual boundary tolerance of crack detection: an edge a pixel off is no miss)."""
    tp: int = 0        # true pixels found (within the tolerance)
    fp: int = 0        # found pixels not near the truth
    fn: int = 0        # true pixels not found
    hit: int = 0       # found pixels near the truth (tp when the tolerance is 0)
    tolerance: int = 0

    def add(self, found, truth) -> "MaskCounts":
        """Count one photo's (or a pooled) found mask against its truth (bool arrays of one shape)."""
        near_truth, near_found = truth, found
        if self.tolerance:
            near_truth = dilate(torch.as_tensor(np.asarray(truth)), self.tolerance).numpy()
            near_found = dilate(torch.as_tensor(np.asarray(found)), self.tolerance).numpy()
        self.tp += int((near_found & truth).sum())
        self.fn += int((~near_found & truth).sum())
        self.hit += int((found & near_truth).sum())
        self.fp += int((found & ~near_truth).sum())
        return self

    def scores(self) -> dict:
        precision, recall = self.hit / max(1, self.hit + self.fp), self.tp / max(1, self.tp + self.fn)
        return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / max(1e-9, precision + recall)}


def dilate(mask: torch.Tensor, r: int) -> torch.Tensor:
    """A bool mask (H, W) grown by r pixels (a square neighbourhood)."""
    if r <= 0:
        return mask
    return F.max_pool2d(mask[None, None].float(), 2 * r + 1, stride=1, padding=r)[0, 0] > 0


WIDTHS = ((0.0, 3.0), (3.0, 6.0), (6.0, float("inf")))  # the width classes of the repair benchmark, in pixels



__all__ = ["CRACK_WIDTH", "DEFAULT_DEFECTS", "PRINT_DEFECTS", "SCAN_ONLY", "WIDTHS", "DefectConfig", "KINDS",
           "crack_shapes", "cracked_print", "local_width", "MIN_CONTRAST", "MaskCounts", "defect_photo", "dilate", "draw_defects"]
