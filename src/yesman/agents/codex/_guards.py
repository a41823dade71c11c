"""How long to wait after a Codex dialog is drawn before typing into it.

Measured with ``scripts/measure_agent_guard.py`` (see its docstring for the method); the table
holds the smallest delay from which every key was taken, plus a margin. Unmeasured versions get
the longest measured guard plus the margin again.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from yesman.agents.codex._version import parse_version

__all__ = ["DEFAULT_GUARD", "GUARDS", "input_guard"]

_MARGIN: Final = 0.05
GUARDS: Final[Mapping[str, float]] = MappingProxyType({"0.171.0": round(0.0 + _MARGIN, 3)})
DEFAULT_GUARD: Final = round(max(GUARDS.values()) + _MARGIN, 3)


def input_guard(version: str | None) -> float:
    """Seconds to wait after a dialog is complete on screen, for this Codex version."""
    parsed = None if version is None else parse_version(version)
    if parsed is None:
        return DEFAULT_GUARD
    return GUARDS.get(parsed, DEFAULT_GUARD)
