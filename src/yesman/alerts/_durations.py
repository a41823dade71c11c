"""Durations as rules files write them: ``"2s"``, ``"500ms"``, ``"5m"``, ``"1h30m"``, ``"7d"``."""

from __future__ import annotations

import math
import re
from typing import Final

__all__ = ["format_duration", "parse_duration"]

_UNITS: Final = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_PART: Final = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_WHOLE: Final = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+")

HELP: Final = "a duration such as 30s, 500ms, 5m, 1h30m or 7d"


def parse_duration(value: object, *, allow_zero: bool = True) -> float:
    """Seconds for a duration string (or a plain number of seconds); ValueError otherwise."""
    seconds = math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(value.strip()))
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not allow_zero):
        raise ValueError(HELP if allow_zero else f"{HELP}, more than zero")
    return seconds


def format_duration(seconds: float) -> str:
    """A short human form: ``45s``, ``3m``, ``2h5m``, ``3d4h``."""
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs}s" if secs and minutes < 10 else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours}h" if hours else f"{days}d"
