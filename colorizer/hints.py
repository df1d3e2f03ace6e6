"""User color hints (Zhang et al. 2017, "Real-Time User-Guided Image Colorization with Learned Deep
Priors"): parsing and validation, rasterising to the model's extra input, and simulation for training.

A hint is (x, y, (r, g, b)): a point in the input image's full-resolution pixel coordinates and an sRGB
color 0-255. Only its chroma (CIELAB a, b) is used: the photo keeps its own lightness, so a hint says
"this region is blue", not "this pixel is this exact blue". The model input is three planes at the
working size: normalized a, normalized b, and a mask (1 where a hint is).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from .color import normalize_ab, rgb_to_lab
from .errors import ColorizerError

MAX_HINTS = 256
MAX_RADIUS = 64
#: what the library, CLI and app accept as hints: a list of [x, y, color] / {"x", "y", "color"} / Hint, or
#: its JSON text, or None (colorizer.hints.parse_hints says exactly)
HintInput = list | tuple | str | bytes | None


@dataclass(frozen=True)
class Hint:
    x: float
    y: float
    rgb: tuple[int, int, int]
    radius: int = 0  # in working-size pixels: 0 = one pixel, r = a (2r+1) square


def _color(value, where: str) -> tuple[int, int, int]:
    if isinstance(value, str):
        v = value.strip().lstrip("#")
        if len(v) != 6 or any(c not in "0123456789abcdefABCDEF" for c in v):
            raise ColorizerError(f"{where}: color {value!r} is not #rrggbb or [r, g, b]")
        return tuple(int(v[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
    if not isinstance(value, (list, tuple)) or len(value) != 3 or \
            not all(isinstance(c, (int, float)) and not isinstance(c, bool) and float(c).is_integer() and 0 <= c <= 255 for c in value):
        raise ColorizerError(f"{where}: color {value!r} must be three whole numbers from 0 to 255 (or #rrggbb)")
    return tuple(int(c) for c in value)  # type: ignore[return-value]


def parse_hints(raw, width: int, height: int, max_hints: int = MAX_HINTS) -> list[Hint]:
    """Hints from a list (or its JSON text) of [x, y, color] or {"x", "y", "color", "radius"?}; color is
    [r, g, b] (0-255) or "#rrggbb". Raises one ColorizerError naming the first bad entry."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ColorizerError(f"hints are not valid JSON ({exc.msg} at position {exc.pos})") from None
    if not isinstance(raw, (list, tuple)):
        raise ColorizerError("hints must be a list of [x, y, [r, g, b]] entries")
    if len(raw) > max_hints:
        raise ColorizerError(f"{len(raw)} hints given, at most {max_hints} are accepted")
    hints = []
    for i, h in enumerate(raw):
        where = f"hint {i + 1}"
        if isinstance(h, Hint):
            h = {"x": h.x, "y": h.y, "color": h.rgb, "radius": h.radius}
        if isinstance(h, dict):
            x, y, color, radius = h.get("x"), h.get("y"), h.get("color", h.get("rgb")), h.get("radius", 0)
        elif isinstance(h, (list, tuple)) and len(h) in (3, 4):
            x, y, color, radius = (*h, 0) if len(h) == 3 else h
        else:
            raise ColorizerError(f"{where}: {h!r} is not [x, y, [r, g, b]] or {{'x', 'y', 'color'}}")
        for name, v, limit in (("x", x, width), ("y", y, height)):
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v != v:
                raise ColorizerError(f"{where}: {name} must be a number, not {v!r}")
            if not 0 <= v < limit:
                raise ColorizerError(f"{where}: {name} = {v} lies outside the image (0 to {limit - 1})")
        if not isinstance(radius, int) or isinstance(radius, bool) or not 0 <= radius <= MAX_RADIUS:
            raise ColorizerError(f"{where}: radius must be a whole number from 0 to {MAX_RADIUS}, not {radius!r}")
        hints.append(Hint(float(x), float(y), _color(color, where), radius))
    return hints


def hint_ab(hints: list[Hint]) -> torch.Tensor:
    """(N, 2) normalized ab of the hints' colors (their lightness is dropped)."""
    if not hints:
        return torch.zeros(0, 2)
    rgb = torch.tensor([h.rgb for h in hints], dtype=torch.float32).T.reshape(3, -1, 1) / 255.0
    return normalize_ab(rgb_to_lab(rgb)[1:, :, 0].T)


def rasterize(hints: list[Hint], full_size: tuple[int, int], work_shape: tuple[int, int]) -> torch.Tensor:
    """The model's hint input (1, 3, h, w) at the working shape: normalized a, b, and a 0/1 mask.
    full_size is the photo's (width, height); hints are mapped to working pixels."""
    h, w = work_shape
    out = torch.zeros(1, 3, h, w)
    ab = hint_ab(hints)
    for hint, v in zip(hints, ab):
        cx = min(w - 1, int(hint.x * w / full_size[0]))
        cy = min(h - 1, int(hint.y * h / full_size[1]))
        r = hint.radius
        ys, xs = slice(max(0, cy - r), cy + r + 1), slice(max(0, cx - r), cx + r + 1)
        out[0, 0, ys, xs], out[0, 1, ys, xs], out[0, 2, ys, xs] = v[0], v[1], 1.0
    return out


def simulate(ab: torch.Tensor, generator: torch.Generator | None = None, p_none: float = 0.5,
             mean_count: float = 8.0, max_count: int = 64, max_patch: int = 4, p_edge: float = 0.5) -> torch.Tensor:
    """Training hints drawn from the true ab (B, 2, H, W, normalized) -> (B, 3, H, W) hint input.

    Per photo: with probability p_none no hint (so the model stays a good automatic colorizer); else a
    geometric number of hints (mean `mean_count`, at most `max_count`), each a square patch of side
    1..max_patch holding the average true ab of that patch; positions uniform or (p_edge) drawn where
    the color varies most, where a user would click to correct it."""
    b, _, hh, ww = ab.shape
    dev = ab.device
    out = torch.zeros(b, 3, hh, ww, device=dev)
    u = lambda *s: torch.rand(*s, generator=generator).to(dev)  # noqa: E731
    grad = (ab[..., 1:, :] - ab[..., :-1, :]).abs().sum(1)[..., :, :-1] + (ab[..., 1:] - ab[..., :-1]).abs().sum(1)[..., :-1, :]
    grad = F.pad(grad, (0, 1, 0, 1))
    for i in range(b):
        if float(u(1)) < p_none:
            continue
        n = min(max_count, 1 + int(torch.distributions.Geometric(probs=torch.tensor(1.0 / mean_count)).sample()))
        if float(u(1)) < p_edge and float(grad[i].sum()) > 0:
            idx = torch.multinomial(grad[i].flatten().cpu() + 1e-6, n, replacement=True, generator=generator).to(dev)
        else:
            idx = (u(n) * hh * ww).long().clamp_max(hh * ww - 1)
        sides = 1 + (u(n) * max_patch).long().clamp_max(max_patch - 1)
        for k in range(n):
            y, x, s = int(idx[k]) // ww, int(idx[k]) % ww, int(sides[k])
            y0, x0 = max(0, y - s // 2), max(0, x - s // 2)
            patch = ab[i, :, y0:y0 + s, x0:x0 + s]
            out[i, :2, y0:y0 + s, x0:x0 + s] = patch.mean(dim=(1, 2), keepdim=True)
            out[i, 2, y0:y0 + s, x0:x0 + s] = 1.0
    return out
