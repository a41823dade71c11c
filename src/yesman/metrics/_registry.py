"""Which `ComponentTracker` objects are running in this process, for process-wide readers.

A tracker adds itself on ``start()`` and leaves on ``stop()``; the set holds weak references, so
a tracker dropped without stopping disappears with it and the registry never keeps one alive.
`yesman.baseline` reads it so a library user needs no wiring to have their components sampled.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yesman.metrics._tracker import ComponentTracker

__all__ = ["open_trackers"]

_OPEN: weakref.WeakSet[ComponentTracker] = weakref.WeakSet()


def register(tracker: ComponentTracker) -> None:
    _OPEN.add(tracker)


def unregister(tracker: ComponentTracker) -> None:
    _OPEN.discard(tracker)


def open_trackers() -> tuple[ComponentTracker, ...]:
    """The trackers started and not stopped yet, in no particular order."""
    return tuple(_OPEN)
