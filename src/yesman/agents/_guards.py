"""Input guards per agent version: one rule for every agent.

An agent may ignore keys that arrive too soon after it draws a dialog. Each agent measures, per
release, the delay from which every key took (``scripts/measure_input_guard.py``,
``scripts/measure_agent_guard.py``); a `GuardTable` turns those measurements into the wait
before typing:

* a measured release: its delay plus ``margin``;
* a release between two measured ones: the longer of the two neighbours' guards (the guard
  changed in some release between them, and which one is not known);
* older than the oldest, newer than the newest, or unreadable: the longest guard plus the margin
  again (:attr:`GuardTable.default`), since a new release may lengthen it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Generic, Protocol, Self, TypeVar

__all__ = ["GuardTable", "Release", "release"]

MARGIN: Final = 0.05
_RELEASE_RE: Final = re.compile(r"(\d{1,4})\.(\d{1,4})\.(\d{1,6})")

Release = tuple[int, int, int]


def release(text: str | None) -> Release | None:
    """The first ``x.y.z`` in ``text`` as numbers (so 0.61.0 < 0.171.0), or None."""
    m = None if text is None else _RELEASE_RE.search(text)
    return None if m is None else (int(m[1]), int(m[2]), int(m[3]))


class _Ordered(Protocol):
    def __lt__(self, other: Self, /) -> bool: ...


V = TypeVar("V", bound=_Ordered)


class GuardTable(Generic[V]):
    """Seconds to wait after a dialog is complete on screen, per release (see the docstring)."""

    __slots__ = ("default", "guards")

    def __init__(self, measured: Mapping[V, float], margin: float = MARGIN) -> None:
        if not measured:
            raise ValueError("a guard table needs at least one measured release")
        self.guards: Mapping[V, float] = MappingProxyType(
            {version: round(seconds + margin, 3) for version, seconds in measured.items()}
        )
        self.default: float = round(max(self.guards.values()) + margin, 3)

    def guard(self, version: V | None) -> float:
        if version is None:
            return self.default
        known = self.guards.get(version)
        if known is not None:
            return known
        below = [v for v in self.guards if v < version]
        above = [v for v in self.guards if version < v]
        if not below or not above:
            return self.default
        return max(self.guards[max(below)], self.guards[min(above)])
