"""Whole-process figures: current memory, growth since start, CPU percent over the last interval.

CPU percent is the process CPU time (``time.process_time()``, all threads) used between two calls
divided by the wall time between them; it never blocks, unlike ``psutil.cpu_percent(interval=...)``.
100 % means one core fully busy.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from yesman.metrics._memory import MB, RssReader

__all__ = ["ProcessSampler"]


class ProcessSampler:
    def __init__(self, rss: RssReader, *, clock: Callable[[], float] = time.perf_counter) -> None:
        self._rss = rss
        self._clock = clock
        self.baseline_mb = rss.rss_bytes() / MB
        self.peak_mb = self.baseline_mb
        self._last_cpu = time.process_time()
        self._last_wall = clock()

    def memory_mb(self) -> float:
        """Resident memory of the process now, in MB."""
        current = self._rss.rss_bytes() / MB
        self.peak_mb = max(self.peak_mb, current)
        return current

    def memory_growth_mb(self) -> float:
        """Resident memory now minus at start, in MB (negative when it shrank)."""
        return self.memory_mb() - self.baseline_mb

    def cpu_percent(self) -> float:
        """Process CPU percent since the previous call (or since start)."""
        cpu = time.process_time()
        wall = self._clock()
        used, elapsed = cpu - self._last_cpu, wall - self._last_wall
        self._last_cpu, self._last_wall = cpu, wall
        return 100.0 * used / elapsed if elapsed > 0 else 0.0
