"""The seed's ``_component_timings``-style dict-of-deques views onto a tracker's windows.

Reading an item gives a copy of the window as a ``deque`` (same ``maxlen``). Assigning a deque
sets the window length to the deque's ``maxlen``, keeps the newest samples already recorded, and
appends the deque's own values, so the seed's
``monitor._component_timings['content_capture'] = deque(maxlen=200)`` resizes the window.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, MutableMapping
from typing import Literal

from yesman.metrics._component import ComponentStats

__all__ = ["WindowKind", "WindowView"]

WindowKind = Literal["timings", "memory", "cpu", "network"]


class WindowView(MutableMapping[str, deque[float]]):
    """Component name -> window of samples (ms, MB delta, CPU %, or MB/s per I/O operation)."""

    def __init__(
        self,
        kind: WindowKind,
        stats: dict[str, ComponentStats],
        create: Callable[[str], ComponentStats],
    ) -> None:
        self._kind = kind
        self._stats = stats
        self._create = create

    def __getitem__(self, component: str) -> deque[float]:
        stats = self._stats[component]
        if self._kind == "timings":
            return deque(stats.timings, maxlen=stats.timings.maxlen)
        if self._kind == "memory":
            return deque(stats.memory, maxlen=stats.memory.maxlen)
        if self._kind == "cpu":
            return deque(stats.cpu_percents, maxlen=stats.cpu_percents.maxlen)
        return deque(
            (b / s / 1048576.0 if s > 0 else 0.0 for b, s in stats.io), maxlen=stats.io.maxlen
        )

    def __setitem__(self, component: str, window: deque[float]) -> None:
        if not isinstance(window, deque) or window.maxlen is None or window.maxlen < 1:
            raise TypeError(
                f"assign a deque with a maxlen, e.g. deque(maxlen=200), to resize the {self._kind} "
                f"window of {component!r}; got {window!r}"
            )
        stats = self._stats.get(component) or self._create(component)
        size = window.maxlen
        if self._kind == "timings":
            stats.resize(size)
            for value in window:
                stats.add_timing(float(value), None)
        elif self._kind == "memory":
            stats.memory = deque(stats.memory, maxlen=size)
            for value in window:
                stats.add_memory(float(value))
        elif self._kind == "cpu":
            stats.cpu_percents = deque(stats.cpu_percents, maxlen=size)
            for value in window:
                stats.add_cpu(float(value))
        else:
            if window:
                raise ValueError(
                    "the network window holds per-operation byte counts; record them with "
                    "record_component_network_io() and assign an empty deque to resize"
                )
            stats.io = deque(stats.io, maxlen=size)

    def __delitem__(self, component: str) -> None:
        """Forget the samples of this window (the component and its other windows stay)."""
        stats = self._stats[component]
        if self._kind == "timings":
            stats.clear_window()
        elif self._kind == "memory":
            stats.memory.clear()
        elif self._kind == "cpu":
            stats.cpu_percents.clear()
        else:
            stats.io.clear()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._stats))

    def __len__(self) -> int:
        return len(self._stats)
