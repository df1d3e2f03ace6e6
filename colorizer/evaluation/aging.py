"""Aging: a seeded, composable imitation of what time and a scanner do to a black-and-white print.

It works on the lightness channel only (CIELAB L in [0, 100], batched torch tensors (B, 1, H, W)), because
that is all a colorizer reads of an old photo: the truth's ab stays the clean photo's, so a network trained
on aged L learns to ignore what age adds (grain is not texture, a scratch is not an edge) and evaluation
can score the same colorizer on aged and clean input against the same truth.

Effects, in the order they happen to a print and then to its scan:
  fade          contrast lost, black point lifted, white point lowered, tone curve bent (gamma)
  illumination  uneven tone: vignetting, a light gradient across the sheet and soft blotches
  blur          lost resolution: the photo shrunk and enlarged again (a soft lens, a small negative)
  halftone      a printed screen of dots (newspaper and book reproductions), as a scanner sees it
  grain         film grain, clumped, strongest in the midtones
  scratches     thin bright or dark strokes, mostly along the film, some anywhere
  dust          small bright or dark specks
  cracks        jagged dark lines across the emulsion of a torn or folded print
  jpeg          the scanner's or a website's JPEG recompression

Every effect has a probability and a strength range (`Effect`); sizes are in pixels of a 128-pixel photo and
scale with the photo's short side, so a 96 px training crop and a 256 px evaluation photo age alike.
All randomness comes from the torch.Generator passed in: the same seed gives the same aging, bit for bit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F

REFERENCE_SIDE = 128  # sizes below are in pixels of a photo with this short side


@dataclass(frozen=True)
class Effect:
    p: float     # probability that a photo gets this effect
    lo: float    # strength drawn uniformly in [lo, hi] (its unit is given per effect in AgingConfig)
    hi: float


@dataclass(frozen=True)
class AgingConfig:
    fade: Effect = Effect(0.7, 0.05, 0.45)          # share of the tonal range lost (lifted black, lowered white)
    illumination: Effect = Effect(0.5, 0.1, 0.4)    # depth of the vignette and blotches (fraction of L)
    blur: Effect = Effect(0.5, 1.0, 2.2)            # resolution lost: shrink factor
    halftone: Effect = Effect(0.05, 0.2, 0.5)       # how much of the dot pattern survives the scan
    grain: Effect = Effect(0.6, 1.5, 6.0)           # grain's standard deviation in the midtones (L units)
    scratches: Effect = Effect(0.35, 1.0, 6.0)      # number of strokes
    dust: Effect = Effect(0.35, 5.0, 40.0)          # number of specks
    cracks: Effect = Effect(0.1, 1.0, 3.0)          # number of cracks
    jpeg: Effect = Effect(0.5, 25.0, 75.0)          # JPEG quality (lower is worse): drawn in [lo, hi]

    def only(self, name: str, strength: float | None = None) -> "AgingConfig":
        """This config with one effect always on (at `strength`, or its strongest) and every other off:
        what the tests and the documentation's examples use to show one effect alone."""
        off = {f: replace(getattr(self, f), p=0.0) for f in EFFECTS}
        e = getattr(self, name)
        s = strength if strength is not None else (e.lo if name == "jpeg" else e.hi)
        off[name] = Effect(1.0, s, s)
        return AgingConfig(**off)


EFFECTS = ("fade", "illumination", "blur", "halftone", "grain", "scratches", "dust", "cracks", "jpeg")
DEFAULT = AgingConfig()


def _u(g: torch.Generator, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo + (hi - lo) * float(torch.rand((), generator=g))


def _fade(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    black = 100 * s * _u(g, 0.3, 0.7)
    white = 100 - 100 * s * _u(g, 0.0, 0.5)
    gamma = math.exp(_u(g, -0.3, 0.3))
    return black + (white - black) * (x / 100).clamp(0, 1) ** gamma


def _grid(h: int, w: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel-centre coordinates in units of the reference photo (see REFERENCE_SIDE)."""
    k = REFERENCE_SIDE / min(h, w)
    ys = (torch.arange(h, device=device, dtype=torch.float32) + 0.5) * k
    xs = (torch.arange(w, device=device, dtype=torch.float32) + 0.5) * k
    return torch.meshgrid(ys, xs, indexing="ij")


def _illumination(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    h, w = x.shape[-2:]
    yy, xx = _grid(h, w, x.device)
    sy, sx = yy[-1, 0] + yy[0, 0], xx[0, -1] + xx[0, 0]  # the photo's extent in reference pixels
    cy, cx = sy * _u(g, 0.3, 0.7), sx * _u(g, 0.3, 0.7)
    r2 = ((yy - cy) / (sy / 2)) ** 2 + ((xx - cx) / (sx / 2)) ** 2
    field = 1 - s * _u(g, 0.3, 1.0) * (r2 / 2).clamp(max=1.5)          # vignette
    angle = _u(g, 0, 2 * math.pi)
    ramp = ((xx / sx - 0.5) * math.cos(angle) + (yy / sy - 0.5) * math.sin(angle))
    field = field * (1 + s * _u(g, -0.6, 0.6) * ramp)                     # light falling across the sheet
    blotch = torch.randn((1, 1, 4, 4), generator=g).to(x.device)
    blotch = F.interpolate(blotch, size=(h, w), mode="bicubic", align_corners=False)[0, 0]
    field = field * (1 + 0.5 * s * blotch.clamp(-2, 2))                  # soft stains and uneven development
    return x * field


def _blur(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    h, w = x.shape[-2:]
    small = (max(4, round(h / s)), max(4, round(w / s)))
    down = F.interpolate(x[None, None], size=small, mode="area")
    return F.interpolate(down, size=(h, w), mode="bilinear", align_corners=False)[0, 0]


def _halftone(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    h, w = x.shape[-2:]
    yy, xx = _grid(h, w, x.device)
    period = max(2.5, _u(g, 2.0, 3.5) * min(h, w) / REFERENCE_SIDE)  # pixels of this photo
    yy, xx = yy * min(h, w) / REFERENCE_SIDE, xx * min(h, w) / REFERENCE_SIDE
    theta = math.radians(_u(g, 15, 75))
    u = xx * math.cos(theta) + yy * math.sin(theta)
    v = -xx * math.sin(theta) + yy * math.cos(theta)
    screen = 0.5 + 0.25 * (torch.cos(2 * math.pi * u / period) + torch.cos(2 * math.pi * v / period))
    ink = torch.sigmoid((x / 100 - screen) * 12) * 100                    # white paper where the tone is above the screen
    k = max(1, round(period / 2)) * 2 + 1
    seen = F.avg_pool2d(ink[None, None], k, stride=1, padding=k // 2, count_include_pad=False)[0, 0]
    return x + s * (0.5 * ink + 0.5 * seen - x)                           # the scanner half resolves the dots


def _grain(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    h, w = x.shape[-2:]
    clump = _u(g, 1.0, 2.0) * min(h, w) / REFERENCE_SIDE
    small = (max(2, round(h / clump)), max(2, round(w / clump)))
    noise = torch.randn((1, 1, *small), generator=g).to(x.device)
    noise = F.interpolate(noise, size=(h, w), mode="bilinear", align_corners=False)[0, 0]
    noise = noise / noise.std().clamp_min(1e-6)
    t = (x / 100).clamp(0, 1)
    return x + s * (0.3 + 2.8 * t * (1 - t)) * noise                      # 4t(1-t) peaks in the midtones


def _segments_mask(h: int, w: int, segs: torch.Tensor, widths: torch.Tensor, device) -> torch.Tensor:
    """Coverage in [0, 1] of line segments (N, 4: y0, x0, y1, x1 in reference pixels) of given widths."""
    yy, xx = _grid(h, w, device)
    p = torch.stack([yy, xx], -1).reshape(-1, 1, 2)                       # (HW, 1, 2)
    a, b = segs[:, :2].to(device), segs[:, 2:].to(device)                 # (N, 2)
    ab = b - a
    t = (((p - a) * ab).sum(-1) / (ab * ab).sum(-1).clamp_min(1e-6)).clamp(0, 1)
    d = (p - (a + t[..., None] * ab)).norm(dim=-1)                        # (HW, N): distance to each segment
    cover = (widths.to(device) / 2 + 0.5 - d).clamp(0, 1)                 # anti-aliased edge, one pixel wide
    return cover.reshape(h, w, -1)


def _strokes(x: torch.Tensor, segs: torch.Tensor, widths: torch.Tensor, tone: torch.Tensor) -> torch.Tensor:
    """Draw segments with per-segment target lightness `tone` (L units) over x."""
    if len(segs) == 0:
        return x
    cover = _segments_mask(*x.shape[-2:], segs, widths, x.device)        # (H, W, N)
    for i in range(cover.shape[-1]):
        x = x + cover[..., i] * (tone[i].to(x.device) - x)
    return x


def _extent(x: torch.Tensor) -> tuple[float, float]:
    h, w = x.shape[-2:]
    k = REFERENCE_SIDE / min(h, w)
    return h * k, w * k


def _scratches(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    n = max(1, round(s))
    sh, sw = _extent(x)
    segs, widths, tone = [], [], []
    for _ in range(n):
        along = _u(g) < 0.7                                                # film scratches run along the strip
        angle = math.pi / 2 + _u(g, -0.15, 0.15) if along else _u(g, 0, math.pi)
        length = _u(g, 0.3, 1.2) * max(sh, sw)
        cy, cx = _u(g, 0, sh), _u(g, 0, sw)
        dy, dx = math.sin(angle) * length / 2, math.cos(angle) * length / 2
        segs.append([cy - dy, cx - dx, cy + dy, cx + dx])
        widths.append(_u(g, 0.4, 1.6))
        bright = _u(g) < 0.7
        tone.append(_u(g, 80, 100) if bright else _u(g, 0, 25))
    return _strokes(x, torch.tensor(segs), torch.tensor(widths), torch.tensor(tone))


def _dust(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    n = max(1, round(s))
    sh, sw = _extent(x)
    c = torch.rand((n, 2), generator=g) * torch.tensor([sh, sw])
    segs = torch.cat([c, c + torch.randn((n, 2), generator=g) * 0.8], 1)  # specks and short hairs
    widths = 0.5 + 2.0 * torch.rand(n, generator=g) ** 2
    bright = torch.rand(n, generator=g) < 0.6
    tone = torch.where(bright, 85 + 15 * torch.rand(n, generator=g), 20 * torch.rand(n, generator=g))
    return _strokes(x, segs, widths, tone)


def _cracks(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    n = max(1, round(s))
    sh, sw = _extent(x)
    segs, widths, tone = [], [], []
    for _ in range(n):
        y, x0 = _u(g, 0, sh), _u(g, 0, sw)
        heading = _u(g, 0, 2 * math.pi)
        dark = _u(g) < 0.75
        t = _u(g, 5, 30) if dark else _u(g, 80, 95)
        w = _u(g, 0.6, 1.5)
        for _ in range(int(_u(g, 8, 20))):                                 # a jagged random walk
            heading += _u(g, -0.8, 0.8)
            step = _u(g, 3, 10)
            y1, x1 = y + step * math.sin(heading), x0 + step * math.cos(heading)
            segs.append([y, x0, y1, x1])
            widths.append(w)
            tone.append(t)
            y, x0 = y1, x1
    return _strokes(x, torch.tensor(segs), torch.tensor(widths), torch.tensor(tone))


def _jpeg(x: torch.Tensor, s: float, g: torch.Generator) -> torch.Tensor:
    from torchvision.io import decode_jpeg, encode_jpeg  # libjpeg inside torchvision's wheel
    u8 = (x.clamp(0, 100) * 2.55).round().to(torch.uint8).cpu()[None]
    back = decode_jpeg(encode_jpeg(u8, quality=int(round(s))))[0]
    return back.to(x.device, torch.float32) / 2.55


_APPLY = {"fade": _fade, "illumination": _illumination, "blur": _blur, "halftone": _halftone, "grain": _grain,
          "scratches": _scratches, "dust": _dust, "cracks": _cracks, "jpeg": _jpeg}


def age_one(lum: torch.Tensor, generator: torch.Generator, config: AgingConfig = DEFAULT) -> tuple[torch.Tensor, dict]:
    """Age one photo's lightness (H, W), L in [0, 100]. Returns the aged L and what was applied
    ({effect: strength}). Every effect's coin and strength are drawn whether it applies or not, so
    switching one effect off leaves the others' draws unchanged."""
    x = lum.float()
    applied = {}
    for name in EFFECTS:
        e = getattr(config, name)
        on = float(torch.rand((), generator=generator)) < e.p
        strength = _u(generator, e.lo, e.hi)
        sub = torch.Generator().manual_seed(int(torch.randint(0, 2**62, (), generator=generator)))
        if on:
            x = _APPLY[name](x, strength, sub).clamp(0, 100)
            applied[name] = round(strength, 3)
    return x, applied


def age(lum: torch.Tensor, generator: torch.Generator, config: AgingConfig = DEFAULT, p: float = 1.0,
        skip: torch.Tensor | None = None) -> torch.Tensor:
    """Age a batch of lightness planes (B, 1, H, W) in [0, 100]; each photo with probability p, but those that
    `skip` (bool, (B,)) marks: real old prints, already aged by time."""
    out = lum.clone()
    for i in range(lum.shape[0]):
        if float(torch.rand((), generator=generator)) < p and (skip is None or not bool(skip[i])):
            out[i, 0] = age_one(lum[i, 0], generator, config)[0].to(lum.dtype)
    return out


def age_photo(rgb_u8, generator: torch.Generator, config: AgingConfig = DEFAULT):
    """An (H, W, 3) uint8 sRGB photo -> the gray (H, W, 3) uint8 photo an old print of it would be: its L
    aged, no color. What `evaluate --aged` gives every row, against the clean photo as the truth."""
    from ..color import photo_l
    lum = photo_l(rgb_u8)
    return gray_photo(age_one(lum, generator, config)[0])


def gray_photo(lum: torch.Tensor):
    """L (H, W) in [0, 100] -> the gray uint8 (H, W, 3) sRGB photo of that lightness and no color."""
    from ..color import lab_to_rgb
    lab = torch.cat([lum[None].float(), torch.zeros(2, *lum.shape)])
    return (lab_to_rgb(lab).permute(1, 2, 0) * 255).round().to(torch.uint8).numpy()


def seeded_generator(*keys) -> torch.Generator:
    """A generator seeded from stable keys (a name, an index, a step), the same on every machine and run
    (Python's hash() of a string is not)."""
    import zlib
    seed = 0
    for k in keys:
        seed = (seed * 1_000_003 + zlib.crc32(str(k).encode())) % 2**62
    return torch.Generator().manual_seed(seed)


__all__ = ["AgingConfig", "Effect", "EFFECTS", "DEFAULT", "age", "age_one", "age_photo", "gray_photo", "seeded_generator"]
