"""Per-component sample storage (`ComponentStats`) and its snapshot (`ComponentMetrics`)."""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any

from yesman.metrics._interval import (
    DEFAULT_SAMPLE_SIZE,
    ComponentInterval,
    Reservoir,
    SketchState,
)
from yesman.metrics._memory import looks_like_leak
from yesman.metrics._stats import LogSketch, percentile, summarize

__all__ = ["ComponentMetrics", "ComponentStats"]


def _no_errors() -> dict[str, int]:
    return {}


@dataclass(frozen=True, slots=True)
class ComponentMetrics:
    """One component's figures at one moment.

    Latency fields without a prefix cover the recent window (``window`` operations); ``lifetime_*``
    fields cover every operation, from a sketch with ~1 % relative error. Memory is in MB (2**20
    bytes), throughput in MB/s, CPU percent is CPU time over wall time of the operation (100 = one
    core busy for the whole operation).
    """

    component: str
    # latency, recent window
    sample_count: int = 0
    success_count: int = 0
    error_count: int = 0
    error_rate: float = 0.0
    average_ms: float = 0.0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    min_ms: float = 0.0
    max_ms: float = 0.0
    # latency, lifetime
    total_count: int = 0
    total_error_count: int = 0
    cancelled_count: int = 0
    lifetime_average_ms: float = 0.0
    lifetime_p50_ms: float = 0.0
    lifetime_p95_ms: float = 0.0
    lifetime_p99_ms: float = 0.0
    lifetime_max_ms: float = 0.0
    error_types: dict[str, int] = field(default_factory=_no_errors)
    # memory
    avg_memory_delta_mb: float = 0.0
    peak_memory_mb: float = 0.0
    retained_memory_mb: float = 0.0
    suspected_leak: bool = False
    memory_sample_count: int = 0
    allocation_count: int = 0
    allocation_bytes: int = 0
    # cpu
    avg_cpu_percent: float = 0.0
    p95_cpu_percent: float = 0.0
    peak_cpu_percent: float = 0.0
    cpu_efficiency: float = 0.0
    total_cpu_seconds: float = 0.0
    cpu_unknown_count: int = 0
    # i/o
    bytes_sent: int = 0
    bytes_received: int = 0
    throughput_mbps: float = 0.0
    peak_throughput_mbps: float = 0.0
    network_operations: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A plain dict (the seed's ``stats['average_ms']`` shape)."""
        return asdict(self)


class ComponentStats:
    """Mutable samples of one component. Not thread-safe: use it from one thread (the loop's)."""

    __slots__ = (
        "alloc_bytes",
        "alloc_count",
        "bytes_received",
        "bytes_sent",
        "cancelled",
        "cpu_percents",
        "cpu_seconds",
        "error_seq",
        "error_types",
        "fold_at",
        "interval",
        "io",
        "io_ops",
        "mem_countdown",
        "mem_due",
        "memory",
        "memory_samples",
        "name",
        "peak_cpu",
        "peak_memory_mb",
        "peak_throughput",
        "reservoir",
        "retained_mb",
        "sketch",
        "taken",
        "timings",
        "total_errors",
        "unfolded",
        "unmeasured",
    )

    def __init__(self, name: str, window: int, resource_window: int) -> None:
        self.name = name
        self.timings: deque[float] = deque(maxlen=window)
        # Operation numbers (1-based) of recent failures: the window's errors are those numbered
        # above total - len(timings). Kept apart so a success costs one append, not two.
        self.error_seq: deque[int] = deque(maxlen=window)
        # The newest `unfolded` timings are not in the lifetime sketch yet; they are folded in
        # before the window could evict them (every `fold_at` operations) and at each snapshot.
        self.unfolded = 0
        self.fold_at = window
        # Lifetime = `sketch` (intervals already taken) merged with `interval` (the current one):
        # a fold feeds one sketch, not two. `reservoir` samples the current interval's timings.
        self.sketch = LogSketch()
        self.interval = LogSketch()
        self.reservoir = Reservoir()
        # Counter totals when the last interval was taken: errors, cancelled, cpu s, sent, received.
        self.taken: tuple[int, int, float, int, int] = (0, 0, 0.0, 0, 0)
        self.total_errors = 0
        self.cancelled = 0
        self.error_types: Counter[str] = Counter()
        self.memory: deque[float] = deque(maxlen=resource_window)
        self.memory_samples = 0
        # Whether the next tracked operation reads memory, and how many short ones until one does.
        self.mem_due = True
        self.mem_countdown = 1
        self.peak_memory_mb = 0.0
        self.retained_mb = 0.0
        self.alloc_count = 0
        self.alloc_bytes = 0
        self.cpu_percents: deque[float] = deque(maxlen=resource_window)
        self.peak_cpu = 0.0
        self.cpu_seconds = 0.0
        # Operations whose CPU and memory are unknown (async with in a task not step-accounted).
        self.unmeasured = 0
        self.io: deque[tuple[int, float]] = deque(maxlen=resource_window)
        self.bytes_sent = 0
        self.bytes_received = 0
        self.io_ops = 0
        self.peak_throughput = 0.0

    @property
    def total(self) -> int:
        return self.sketch.count + self.interval.count + self.unfolded

    def add_timing(self, ms: float, error_type: str | None) -> None:
        """One operation: ``error_type`` is None for a success.

        `TrackedOperation.__exit__` and `TimedOperation.__exit__` inline this; change all together.
        """
        self.timings.append(ms)
        self.unfolded += 1
        if self.unfolded >= self.fold_at:
            self.fold()
        if error_type is not None:
            self.add_failure(error_type)

    def add_failure(self, error_type: str) -> None:
        self.total_errors += 1
        self.error_types[error_type] += 1
        self.error_seq.append(self.total)

    def window_errors(self) -> int:
        oldest = self.total - len(self.timings)
        return sum(1 for seq in self.error_seq if seq > oldest)

    def fold(self) -> None:
        unfolded = self.unfolded
        if unfolded:
            timings = self.timings
            # The usual case (a fold every `window` operations) needs no copy.
            batch = (
                timings
                if unfolded == len(timings)
                else list(islice(timings, len(timings) - unfolded, None))
            )
            self.interval.add_many(batch)
            self.reservoir.offer_many(batch)
            self.unfolded = 0

    def take_interval(self, sample_size: int = DEFAULT_SAMPLE_SIZE) -> ComponentInterval:
        """What happened since the previous call (or since the start), and start a new interval."""
        self.fold()
        interval = self.interval
        now = (
            self.total_errors,
            self.cancelled,
            self.cpu_seconds,
            self.bytes_sent,
            self.bytes_received,
        )
        before = self.taken
        taken = ComponentInterval(
            component=self.name,
            count=interval.count,
            error_count=now[0] - before[0],
            cancelled_count=now[1] - before[1],
            sketch=SketchState.of(interval),
            samples_ms=self.reservoir.sample(sample_size),
            cpu_seconds=max(0.0, now[2] - before[2]),
            bytes_sent=now[3] - before[3],
            bytes_received=now[4] - before[4],
        )
        self.taken = now
        self.sketch.merge(interval)
        self.interval = LogSketch(interval.relative_accuracy)
        self.reservoir = Reservoir(max(sample_size, 1))
        return taken

    def add_memory(self, delta_mb: float) -> None:
        self.memory.append(delta_mb)
        self.memory_samples += 1
        self.retained_mb += delta_mb
        if delta_mb > self.peak_memory_mb:
            self.peak_memory_mb = delta_mb

    def add_cpu(self, percent: float, seconds: float = 0.0) -> None:
        self.cpu_percents.append(percent)
        self.cpu_seconds += seconds
        if percent > self.peak_cpu:
            self.peak_cpu = percent

    def add_io(self, sent: int, received: int, seconds: float) -> None:
        self.bytes_sent += sent
        self.bytes_received += received
        moved = sent + received
        if moved <= 0:
            return
        self.io_ops += 1
        self.io.append((moved, seconds))
        if seconds > 0.0:
            self.peak_throughput = max(self.peak_throughput, moved / seconds / 1048576.0)

    def resize(self, window: int) -> None:
        self.fold()
        self.timings = deque(self.timings, maxlen=window)
        self.error_seq = deque(self.error_seq, maxlen=window)
        self.fold_at = window

    def clear_window(self) -> None:
        self.fold()
        self.timings.clear()
        self.error_seq.clear()

    def lifetime_sketch(self) -> SketchState:
        """Every operation's latency (ms) so far, as an immutable sketch."""
        self.fold()
        sketch = self.sketch
        if self.interval.count:
            sketch = sketch.copy()
            sketch.merge(self.interval)
        return SketchState.of(sketch)

    def snapshot(
        self, *, cores: int, leak_min_samples: int, leak_threshold_mb: float
    ) -> ComponentMetrics:
        self.fold()
        window = summarize(self.timings)
        errors = self.window_errors()
        cpu = sorted(self.cpu_percents)
        avg_cpu = math.fsum(cpu) / len(cpu) if cpu else 0.0
        io_bytes = sum(b for b, _ in self.io)
        io_seconds = math.fsum(s for _, s in self.io)
        memory = list(self.memory)
        sketch = self.sketch
        if self.interval.count:
            sketch = sketch.copy()
            sketch.merge(self.interval)
        return ComponentMetrics(
            component=self.name,
            sample_count=window.count,
            success_count=window.count - errors,
            error_count=errors,
            error_rate=errors / window.count if window.count else 0.0,
            average_ms=window.mean,
            median_ms=window.median,
            p95_ms=window.p95,
            p99_ms=window.p99,
            min_ms=window.minimum,
            max_ms=window.maximum,
            total_count=self.total,
            total_error_count=self.total_errors,
            cancelled_count=self.cancelled,
            lifetime_average_ms=sketch.mean,
            lifetime_p50_ms=sketch.quantile(0.5),
            lifetime_p95_ms=sketch.quantile(0.95),
            lifetime_p99_ms=sketch.quantile(0.99),
            lifetime_max_ms=max(sketch.maximum, 0.0),
            error_types=dict(self.error_types),
            avg_memory_delta_mb=math.fsum(memory) / len(memory) if memory else 0.0,
            peak_memory_mb=self.peak_memory_mb,
            retained_memory_mb=self.retained_mb,
            suspected_leak=looks_like_leak(
                memory, min_samples=leak_min_samples, threshold_mb=leak_threshold_mb
            ),
            memory_sample_count=self.memory_samples,
            allocation_count=self.alloc_count,
            allocation_bytes=self.alloc_bytes,
            avg_cpu_percent=avg_cpu,
            p95_cpu_percent=percentile(cpu, 95.0),
            peak_cpu_percent=self.peak_cpu,
            cpu_efficiency=avg_cpu / cores,
            total_cpu_seconds=self.cpu_seconds,
            cpu_unknown_count=self.unmeasured,
            bytes_sent=self.bytes_sent,
            bytes_received=self.bytes_received,
            throughput_mbps=io_bytes / io_seconds / 1048576.0 if io_seconds > 0 else 0.0,
            peak_throughput_mbps=self.peak_throughput,
            network_operations=self.io_ops,
        )
