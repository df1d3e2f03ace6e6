"""The colour-strength setting, checked without loading the model (the command line checks it first)."""
from __future__ import annotations

from .errors import ColorizerError

MAX_STRENGTH = 2.0


def check_strength(strength: float | None) -> float:
    """The colour-strength factor: None ("auto") is 1, the colours as decoded for this kind of photo; 0 is
    gray; above 1 more vivid, up to MAX_STRENGTH (beyond it most hues leave the sRGB gamut)."""
    if strength is None:
        return 1.0
    try:
        value = float(strength)
    except (TypeError, ValueError):
        raise ColorizerError(f"colour strength must be a number from 0 to {MAX_STRENGTH:g}, not {strength!r}") from None
    if not 0.0 <= value <= MAX_STRENGTH:  # NaN fails too
        raise ColorizerError(f"colour strength must be from 0 (gray) to {MAX_STRENGTH:g} (vivid), not {strength!r}")
    return value
