"""Colours from a reference photo (colorizer.reference.match): the user's colour photo of the same scene."""
from .match import Match, MatchSettings, Reference, match, with_user_hints

__all__ = ["Match", "MatchSettings", "Reference", "match", "with_user_hints"]
