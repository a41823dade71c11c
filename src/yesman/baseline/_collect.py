"""What one sampling interval saw (`Tick`), and a baseline's accumulation of ticks (`Collection`).

The monitor reads each open tracker once per interval and turns its lifetime counters into
differences: operations finished since the last read, their latencies (the newest entries of
the tracker's window), errors, bytes, slow loop steps. Latencies of operations that left the
window before being read are counted in ``samples_missed`` (raise the tracker's ``window`` or
shorten the interval if that number matters).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from yesman.baseline._model import (
    BusSummary,
    ComponentSummary,
    Environment,
    MonitoringSample,
    PerformanceBaseline,
    SystemMetrics,
)
from yesman.bus import EventMetrics
from yesman.metrics import LogSketch, percentile

__all__ = ["Collection", "ComponentTick", "Tick", "summarize_samples"]


@dataclass(slots=True)
class ComponentTick:
    """One component during one interval."""

    latencies_ms: list[float] = field(default_factory=list)
    operations: int = 0
    missed: int = 0
    errors: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    cpu_percent: float | None = None
    retained_mb: float = 0.0
    slow_steps_ms: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Tick:
    sample: MonitoringSample
    components: Mapping[str, ComponentTick]
    bus: EventMetrics | None


class _Component:
    """A component's running figures within one collection."""

    __slots__ = (
        "bytes_received",
        "bytes_sent",
        "count",
        "cpu",
        "errors",
        "first_retained",
        "last_retained",
        "missed",
        "reservoir",
        "seen",
        "sketch",
        "slow",
    )

    def __init__(self) -> None:
        self.sketch = LogSketch()
        self.reservoir: list[float] = []
        self.seen = 0
        self.count = self.errors = self.missed = 0
        self.bytes_sent = self.bytes_received = 0
        self.cpu: list[float] = []
        self.first_retained: float | None = None
        self.last_retained = 0.0
        self.slow: list[float] = []

    def add(self, tick: ComponentTick, cap: int, rng: random.Random) -> None:
        self.count += tick.operations
        self.errors += tick.errors
        self.missed += tick.missed
        self.bytes_sent += tick.bytes_sent
        self.bytes_received += tick.bytes_received
        if tick.cpu_percent is not None and tick.operations:
            self.cpu.append(tick.cpu_percent)
        if self.first_retained is None:
            self.first_retained = tick.retained_mb
        self.last_retained = tick.retained_mb
        self.slow.extend(tick.slow_steps_ms)
        if tick.latencies_ms:
            self.sketch.add_many(tick.latencies_ms)
        for value in tick.latencies_ms:
            # Reservoir sampling (Algorithm R): every latency seen is kept with equal chance.
            self.seen += 1
            if len(self.reservoir) < cap:
                self.reservoir.append(value)
            else:
                slot = rng.randrange(self.seen)
                if slot < cap:
                    self.reservoir[slot] = value

    def summary(self) -> ComponentSummary:
        sketch = self.sketch
        has = sketch.count > 0
        return ComponentSummary(
            count=self.count,
            errors=self.errors,
            error_rate=self.errors / self.count if self.count else 0.0,
            p50_ms=sketch.quantile(0.5) if has else 0.0,
            p95_ms=sketch.quantile(0.95) if has else 0.0,
            p99_ms=sketch.quantile(0.99) if has else 0.0,
            mean_ms=sketch.mean if has else 0.0,
            max_ms=max(sketch.maximum, 0.0) if has else 0.0,
            cpu_percent=math.fsum(self.cpu) / len(self.cpu) if self.cpu else 0.0,
            memory_growth_mb=self.last_retained - (self.first_retained or 0.0),
            bytes_sent=self.bytes_sent,
            bytes_received=self.bytes_received,
            samples_missed=self.missed,
            slow_steps=len(self.slow),
            slow_step_max_ms=max(self.slow, default=0.0),
            samples_ms=tuple(self.reservoir),
        )


def summarize_samples(samples_ms: Sequence[float], *, errors: int = 0) -> ComponentSummary:
    """A component summary straight from raw latencies (for figures not read from a tracker,
    such as the demo workload's answer latency)."""
    ordered = sorted(samples_ms)
    n = len(ordered)
    return ComponentSummary(
        count=n,
        errors=errors,
        error_rate=errors / n if n else 0.0,
        p50_ms=percentile(ordered, 50.0),
        p95_ms=percentile(ordered, 95.0),
        p99_ms=percentile(ordered, 99.0),
        mean_ms=math.fsum(ordered) / n if n else 0.0,
        max_ms=ordered[-1] if n else 0.0,
        samples_ms=tuple(samples_ms),
    )


class Collection:
    """The ticks of one baseline, folded as they arrive (memory bounded by ``max_samples``)."""

    def __init__(self, *, max_samples: int, seed: int = 0) -> None:
        self._cap = max_samples
        self._rng = random.Random(seed)  # seeded: the same run keeps the same sample
        self.samples: list[MonitoringSample] = []
        self._components: dict[str, _Component] = {}
        self._first_bus: EventMetrics | None = None
        self._last_bus: EventMetrics | None = None
        self._peak_depth = 0

    def add(self, tick: Tick) -> None:
        self.samples.append(tick.sample)
        for name, ct in tick.components.items():
            comp = self._components.get(name)
            if comp is None:
                comp = self._components[name] = _Component()
            comp.add(ct, self._cap, self._rng)
        if tick.bus is not None:
            if self._first_bus is None:
                self._first_bus = tick.bus
            self._last_bus = tick.bus
            self._peak_depth = max(self._peak_depth, tick.bus.queue_size, tick.bus.max_queue_depth)

    def build(
        self,
        *,
        created: float,
        duration: float,
        interval: float,
        environment: Environment,
        name: str | None,
    ) -> PerformanceBaseline:
        return PerformanceBaseline(
            name=name,
            created=created,
            duration_seconds=duration,
            interval_seconds=interval,
            environment=environment,
            system_metrics=system_summary(self.samples),
            monitoring_metrics=tuple(self.samples),
            components={name: c.summary() for name, c in self._components.items()},
            bus=self._bus_summary(),
        )

    def _bus_summary(self) -> BusSummary | None:
        first, last = self._first_bus, self._last_bus
        if first is None or last is None or last.events_published == 0:
            return None
        capacity = last.queue_capacity
        return BusSummary(
            events_published=last.events_published - first.events_published,
            events_processed=last.events_processed - first.events_processed,
            events_dropped=last.events_dropped - first.events_dropped,
            queue_capacity=capacity,
            worker_count=last.worker_count,
            peak_queue_depth=self._peak_depth,
            peak_utilization_percent=100.0 * self._peak_depth / capacity if capacity else 0.0,
            queue_overflow_events=last.queue_overflow_events - first.queue_overflow_events,
            average_processing_ms=last.average_processing_time,
            drain_rate_per_second=last.drain_rate_per_second,
        )


def system_summary(samples: Iterable[MonitoringSample]) -> SystemMetrics:
    rows = list(samples)
    if not rows:
        return SystemMetrics()
    n = len(rows)
    lags = sorted(s.loop_lag_ms for s in rows)
    return SystemMetrics(
        cpu_percent=math.fsum(s.cpu_percent for s in rows) / n,
        host_cpu_percent=math.fsum(s.host_cpu_percent for s in rows) / n,
        memory_used_mb=math.fsum(s.memory_used_mb for s in rows) / n,
        memory_peak_mb=max(s.memory_used_mb for s in rows),
        host_memory_used_mb=math.fsum(s.host_memory_used_mb for s in rows) / n,
        load_1m=math.fsum(s.load_1m for s in rows) / n,
        loop_lag_p50_ms=percentile(lags, 50.0),
        loop_lag_p99_ms=percentile(lags, 99.0),
        loop_lag_max_ms=lags[-1],
        sample_count=n,
    )
