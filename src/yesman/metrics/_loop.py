"""Event-loop health: lag, loop iterations per second, task steps per second, slow steps.

Lag is measured by a sampler task that sleeps a fixed interval and records how late it woke up: a
loop kept busy by a long callback wakes it late by about that long. Loop iterations are counted by
the application (``record_loop()`` once per pass of its own main loop, as the seed's monitor does);
task steps and slow steps come from the step wrapper of `yesman.metrics._attribution`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from yesman.metrics._attribution import SlowStep, StepAccounting
from yesman.metrics._stats import percentile

__all__ = ["LoopHealth", "LoopMonitor"]


@dataclass(frozen=True, slots=True)
class LoopHealth:
    """How responsive the event loop has been.

    Rates are over the interval since the previous `LoopMonitor.health` call that passed
    ``new_interval=True`` (the periodic report does), or since the monitor started.
    """

    loops_per_second: float
    task_steps_per_second: float
    lag_p50_ms: float
    lag_p99_ms: float
    lag_max_ms: float
    lag_samples: int
    slow_callbacks: int
    recent_slow_callbacks: tuple[SlowStep, ...]
    interval_seconds: float

    def as_dict(self) -> dict[str, object]:
        return {
            "loops_per_second": self.loops_per_second,
            "task_steps_per_second": self.task_steps_per_second,
            "loop_lag_p50_ms": self.lag_p50_ms,
            "loop_lag_p99_ms": self.lag_p99_ms,
            "loop_lag_max_ms": self.lag_max_ms,
            "loop_lag_samples": self.lag_samples,
            "slow_callbacks": self.slow_callbacks,
            "recent_slow_callbacks": [
                {
                    "component": s.component,
                    "task": s.task_name,
                    "duration_ms": s.duration_ms,
                    "at": s.at,
                }
                for s in self.recent_slow_callbacks
            ],
        }


class LoopMonitor:
    """Collects loop lag (when `run_lag_sampler` runs) and loop/step counters."""

    def __init__(
        self,
        *,
        lag_interval: float = 0.25,
        window: int = 240,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if not lag_interval > 0.0:
            raise ValueError(
                f"lag_interval must be a positive number of seconds, got {lag_interval!r}"
            )
        self.lag_interval = lag_interval
        self._clock = clock
        self._lags_ms: deque[float] = deque(maxlen=window)
        self._lag_max_ms = 0.0
        self._loops = 0
        self._interval_start = clock()
        self._loops_at_start = 0
        self._steps_at_start = 0
        self.accounting: StepAccounting | None = None

    def record_loop(self) -> None:
        """Count one pass of the application's main loop."""
        self._loops += 1

    @property
    def loops(self) -> int:
        return self._loops

    def record_lag(self, lag_ms: float) -> None:
        lag_ms = max(0.0, lag_ms)
        self._lags_ms.append(lag_ms)
        self._lag_max_ms = max(self._lag_max_ms, lag_ms)

    async def run_lag_sampler(self, started: asyncio.Event | None = None) -> None:
        """Sample lag until cancelled."""
        loop = asyncio.get_running_loop()
        if started is not None:
            started.set()
        while True:
            expected = loop.time() + self.lag_interval
            await asyncio.sleep(self.lag_interval)
            self.record_lag((loop.time() - expected) * 1000.0)

    def health(self, *, new_interval: bool = False) -> LoopHealth:
        now = self._clock()
        elapsed = now - self._interval_start
        acct = self.accounting
        steps = acct.steps if acct is not None else 0
        lags = sorted(self._lags_ms)
        result = LoopHealth(
            loops_per_second=(self._loops - self._loops_at_start) / elapsed if elapsed > 0 else 0.0,
            task_steps_per_second=(steps - self._steps_at_start) / elapsed if elapsed > 0 else 0.0,
            lag_p50_ms=percentile(lags, 50.0),
            lag_p99_ms=percentile(lags, 99.0),
            lag_max_ms=self._lag_max_ms,
            lag_samples=len(lags),
            slow_callbacks=acct.slow_count if acct is not None else 0,
            recent_slow_callbacks=tuple(acct.slow_steps) if acct is not None else (),
            interval_seconds=elapsed,
        )
        if new_interval:
            self._interval_start = now
            self._loops_at_start = self._loops
            self._steps_at_start = steps
        return result
