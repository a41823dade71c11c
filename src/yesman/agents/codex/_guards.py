"""How long to wait after a Codex dialog is drawn before typing into it.

Measured with ``scripts/measure_agent_guard.py codex`` on 2026-12-01 (2 CPUs shared with other
test runs, 120x40 pane, capture polled every 5 ms). D is the time from the dialog being complete
on screen (the same prompt read twice in a row) to ``1`` being typed once; a key counts as taken
when the dialog goes within 1.5 s:

=====================  ===============
D after complete       0.171.0
=====================  ===============
0 ms                   6/6 taken
20, 50, 100 ms         9/9 taken
=====================  ===============

No key was dropped, even at D = 0: Codex has no measurable input guard. The table keeps the
50 ms margin Claude Code's guards use; unmeasured versions get it twice, since a release may add
a guard.
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
