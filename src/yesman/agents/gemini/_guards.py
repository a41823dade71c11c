"""How long to wait after a Gemini CLI dialog is drawn before typing into it.

Measured with ``scripts/measure_agent_guard.py gemini`` on 2026-12-01 (2 CPUs shared with other
test runs, 120x40 pane, capture polled every 5 ms). D is the time from the dialog being complete
on screen (the same prompt read twice in a row) to ``1`` being typed once; a key counts as taken
when the dialog goes within 1.5 s:

=====================  ===============
D after complete       0.61.0
=====================  ===============
0 ms                   6/6 taken
20, 50, 100 ms         9/9 taken
=====================  ===============

No key was dropped, even at D = 0: Gemini CLI has no measurable input guard. The rule that turns
measurements into waits (a 50 ms margin; unmeasured versions get it twice, since a release may
add a guard) is `yesman.agents._guards.GuardTable`, shared by every agent.
"""

from __future__ import annotations

from typing import Final

from yesman.agents._guards import GuardTable, Release, release

__all__ = ["DEFAULT_GUARD", "GUARDS", "input_guard"]

_TABLE: Final[GuardTable[Release]] = GuardTable({(0, 61, 0): 0.0})
GUARDS: Final = _TABLE.guards
DEFAULT_GUARD: Final = _TABLE.default


def input_guard(version: str | None) -> float:
    """Seconds to wait after a dialog is complete on screen, for this Gemini CLI version."""
    return _TABLE.guard(release(version))
