"""Event-loop health: lag, loop iterations per second, task steps per second, slow steps.

Lag is measured by a sampler task that sleeps a fixed interval and records how late it woke up: a
loop kept busy by a long callback wakes it late by about that long. Loop iterations are counted by
the application (``record_loop()`` once per pass of its own main loop, as the seed's monitor does);
task steps and slow steps come from the step wrapper of `yesman.metrics._steps`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from yesman.metrics._interval import SketchState
from yesman.metrics._stats import LogSketch, percentile
from yesman.metrics._steps import SlowStep, StepAccounting

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
        # Every sample since the start, for exporters (the percentiles cover the recent window).
        self._lag_sketch = LogSketch()
        self._loops = 0
        self._interval_start = clock()
        self._loops_at_start = 0
        self._steps_at_start = 0
        self.accounting: StepAccounting | None = None
        # Figures of step accountings used before the current one (a restarted tracker may get a
        # new one), so that counts keep accumulating across restarts.
        self._steps_banked = 0
        self._slow_banked = 0
        self._slow_steps_banked: deque[SlowStep] = deque(maxlen=50)
        self._steps_at_attach = 0
        self._slow_at_attach = 0

    def attach(self, accounting: StepAccounting) -> None:
        """Read task steps and slow steps from ``accounting`` from now on (keeping the counts)."""
        if accounting is self.accounting:
            return
        self._bank()
        self.accounting = accounting
        self._steps_at_attach = accounting.steps
        self._slow_at_attach = accounting.slow_count

    def _bank(self) -> None:
        old = self.accounting
        if old is not None:
            self._steps_banked += old.steps - self._steps_at_attach
            self._slow_steps_banked.extend(self._new_slow_steps(old))
            self._slow_banked += old.slow_count - self._slow_at_attach

    def _new_slow_steps(self, acct: StepAccounting) -> list[SlowStep]:
        count = min(acct.slow_count - self._slow_at_attach, len(acct.slow_steps))
        return list(acct.slow_steps)[len(acct.slow_steps) - count :] if count > 0 else []

    def _steps(self) -> int:
        acct = self.accounting
        return self._steps_banked + (acct.steps - self._steps_at_attach if acct is not None else 0)

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
        self._lag_sketch.add(lag_ms)

    def lag_sketch(self) -> SketchState:
        """Every lag sample (ms) since the monitor was made, as an immutable sketch."""
        return SketchState.of(self._lag_sketch)

    @property
    def slow_steps(self) -> int:
        """Task steps slower than the threshold, since the monitor was made."""
        acct = self.accounting
        return self._slow_banked + (
            acct.slow_count - self._slow_at_attach if acct is not None else 0
        )

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
        steps = self._steps()
        slow = self._slow_banked
        recent = list(self._slow_steps_banked)
        if acct is not None:
            slow += acct.slow_count - self._slow_at_attach
            recent.extend(self._new_slow_steps(acct))
        lags = sorted(self._lags_ms)
        result = LoopHealth(
            loops_per_second=(self._loops - self._loops_at_start) / elapsed if elapsed > 0 else 0.0,
            task_steps_per_second=(steps - self._steps_at_start) / elapsed if elapsed > 0 else 0.0,
            lag_p50_ms=percentile(lags, 50.0),
            lag_p99_ms=percentile(lags, 99.0),
            lag_max_ms=self._lag_max_ms,
            lag_samples=len(lags),
            slow_callbacks=slow,
            recent_slow_callbacks=tuple(recent[-50:]),
            interval_seconds=elapsed,
        )
        if new_interval:
            self._interval_start = now
            self._loops_at_start = self._loops
            self._steps_at_start = steps
        return result
