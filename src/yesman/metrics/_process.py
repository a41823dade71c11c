"""Whole-process figures: memory now and since start, CPU percent since the last call, host NICs.

CPU percent is the process CPU time (``time.process_time()``, all threads) used between two calls
divided by the wall time between them; it never blocks, unlike ``psutil.cpu_percent(interval=...)``.
100 % means one core fully busy. Network figures are the host's NIC counters
(`yesman.metrics._io.HostNetworkSampler`), labelled as host figures and charged to no component.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from yesman.metrics._io import HostNetworkDelta, HostNetworkSampler
from yesman.metrics._memory import MB, RssReader

__all__ = ["ProcessSampler"]


class ProcessSampler:
    """The process-wide readings behind a tracker's ``measure_*`` methods."""

    def __init__(self, rss: RssReader, *, clock: Callable[[], float] = time.perf_counter) -> None:
        self._rss = rss
        self._clock = clock
        self.baseline_mb = rss.rss_bytes() / MB
        self.peak_mb = self.baseline_mb
        self._last_cpu = time.process_time()
        self._last_wall = clock()
        self._host_net: HostNetworkSampler | None = None

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

    def host_network_delta(self) -> HostNetworkDelta:
        """Host-wide NIC bytes since the previous call (the first call: since now, so zero-ish)."""
        if self._host_net is None:
            # Read lazily: the counters cost ~30-120 us and many programs never ask.
            self._host_net = HostNetworkSampler()
        return self._host_net.delta()
