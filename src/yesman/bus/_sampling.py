"""Queue-depth sampling for the bus: the depth history, the drain rate and the backlog estimate,
and the loop that runs a job every `interval` seconds where the interval may change at any time.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable

__all__ = ["DepthSampler", "every"]

log = logging.getLogger(__name__)


class DepthSampler:
    """Keeps the last `history_size` depth samples and `(time, processed)` pairs covering at
    least `window` seconds, from which the drain rate is measured.
    """

    __slots__ = ("_history", "_samples", "_window")

    def __init__(self, history_size: int, window: float) -> None:
        if history_size < 1:
            raise ValueError(f"queue_history_size must be at least 1, got {history_size}")
        if window <= 0:
            raise ValueError(f"drain_rate_window must be > 0, got {window}")
        self._history: deque[int] = deque(maxlen=history_size)
        self._samples: deque[tuple[float, int]] = deque()
        self._window = window

    @property
    def history(self) -> tuple[int, ...]:
        return tuple(self._history)

    def restart(self, now: float, processed: int) -> None:
        """Measure the drain rate afresh from `now` (the bus (re)started)."""
        self._samples.clear()
        self._samples.append((now, processed))

    def sample(self, now: float, depth: int, processed: int) -> None:
        self._history.append(depth)
        samples = self._samples
        samples.append((now, processed))
        horizon = now - self._window
        # Keep one sample at or before the horizon so the rate always spans the full window.
        while len(samples) > 2 and samples[1][0] <= horizon:
            samples.popleft()

    def drain_rate(self, now: float, processed: int) -> float:
        """Events processed per second since the oldest sample kept."""
        if not self._samples:
            return 0.0
        since, processed_then = self._samples[0]
        elapsed = now - since
        if elapsed <= 0:
            return 0.0
        return (processed - processed_then) / elapsed

    @staticmethod
    def backlog_ms(depth: int, rate: float) -> float:
        """Time the backlog needs at `rate`: 0 when empty, inf when events wait and none drain."""
        if depth == 0:
            return 0.0
        if rate > 0:
            return depth / rate * 1000.0
        return math.inf


async def every(
    interval: Callable[[], float], changed: asyncio.Event, job: Callable[[], None]
) -> None:
    """Call `job()` every `interval()` seconds, forever; 0 or less pauses it.

    Setting `changed` re-reads the interval at once and re-plans from the last run, so a shorter
    interval takes effect without waiting out the old one. A job that raises is logged and run
    again next time: the loop shares a task group with the bus's workers, and ending it would
    take them down too.
    """
    last = time.monotonic()
    while True:
        changed.clear()
        seconds = interval()
        if seconds <= 0:
            await changed.wait()
            continue
        delay = max(0.0, last + seconds - time.monotonic())
        try:
            await asyncio.wait_for(changed.wait(), timeout=delay)
            continue
        except TimeoutError:
            pass
        try:
            job()
        except Exception:
            log.exception("periodic job %s failed; it runs again in %ss", job, seconds)
        last = time.monotonic()
