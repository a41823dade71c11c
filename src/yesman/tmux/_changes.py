"""Turning a flood of `%output` notifications into few, timely `PaneChanged` values.

`ChangeDebouncer.mark()` runs for every `%output` line, so it only touches a dict. A pane is
released once it has been quiet for `quiet` seconds, or `max_delay` seconds after its first
output even if it never goes quiet (a spinner redrawing every 80 ms still gets captured).

Subscribers read the released changes through `yesman.tmux._streams.ChangeStream`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from yesman.tmux._notifications import PaneChanged

__all__ = ["ChangeDebouncer", "DebounceConfig"]


@dataclass(frozen=True, slots=True)
class DebounceConfig:
    """`quiet`: release after this long without output; `max_delay`: release at the latest this
    long after the first output of a burst (both seconds)."""

    quiet: float = 0.030
    max_delay: float = 0.150

    def __post_init__(self) -> None:
        if not (self.quiet >= 0 and self.max_delay >= self.quiet):
            raise ValueError(
                f"debounce needs 0 <= quiet <= max_delay, got quiet={self.quiet} "
                f"max_delay={self.max_delay}"
            )


class ChangeDebouncer:
    """Per-pane debounce state plus the loop that releases due panes."""

    def __init__(
        self,
        emit: Callable[[PaneChanged], None],
        config: DebounceConfig = DebounceConfig(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._emit = emit
        self._config = config
        self._clock = clock
        # pane_id -> [first, last, count]; a list so mark() updates in place
        self._dirty: dict[str, list[float]] = {}
        self._wake = asyncio.Event()

    def mark(self, pane_id: str) -> None:
        """Note output in a pane (called once per %output line: keep it cheap)."""
        now = self._clock()
        state = self._dirty.get(pane_id)
        if state is None:
            self._dirty[pane_id] = [now, now, 1.0]
            # only a newly dirty pane can bring the next deadline forward
            self._wake.set()
        else:
            state[1] = now
            state[2] += 1.0

    def forget(self, pane_id: str) -> None:
        """Drop pending output of a pane that closed."""
        self._dirty.pop(pane_id, None)

    def pending(self) -> int:
        return len(self._dirty)

    def release_due(self) -> float | None:
        """Emit every pane that is due; return the next deadline (clock time) or None."""
        now = self._clock()
        quiet, cap = self._config.quiet, self._config.max_delay
        next_deadline: float | None = None
        due: list[str] = []
        for pane_id, (first, last, _count) in self._dirty.items():
            deadline = min(last + quiet, first + cap)
            if deadline <= now:
                due.append(pane_id)
            elif next_deadline is None or deadline < next_deadline:
                next_deadline = deadline
        for pane_id in due:
            first, last, count = self._dirty.pop(pane_id)
            self._emit(PaneChanged(pane_id, first, last, now, int(count)))
        return next_deadline

    async def run(self) -> None:
        """Release due panes forever (run it inside the owner's TaskGroup)."""
        while True:
            self._wake.clear()
            deadline = self.release_due()
            if deadline is None:
                await self._wake.wait()
                continue
            delay = deadline - self._clock()
            if delay <= 0:
                continue
            try:
                async with asyncio.timeout(delay):
                    await self._wake.wait()
            except TimeoutError:
                pass
