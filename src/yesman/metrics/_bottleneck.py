"""Bottleneck detection: which components cross the thresholds, and when that starts and ends.

The defaults are the seed's: average latency above 100 ms, memory delta above 5 MB, CPU above 50 %,
I/O above 1 MB/s. `Bottleneck.message` is the seed's log line, character for character::

    Bottleneck in content_capture: avg=150.5ms, p95=200.1ms, errors=0, mem=2.5MB, cpu=25.3%,
    net=1.2MB/s   (one line)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from yesman.metrics._component import ComponentMetrics

__all__ = [
    "LOG_FORMAT",
    "Bottleneck",
    "BottleneckThresholds",
    "BottleneckTransitions",
    "find_bottlenecks",
]

LOG_FORMAT = (
    "Bottleneck in %s: avg=%.1fms, p95=%.1fms, errors=%d, mem=%.1fMB, cpu=%.1f%%, net=%.1fMB/s"
)


@dataclass(frozen=True, slots=True)
class BottleneckThresholds:
    """A component is a bottleneck when any figure is strictly above its limit.

    CPU counts only when an operation also burns at least `cpu_min_ms` of CPU on average: a
    sub-millisecond synchronous step (parsing a screen, applying a policy) is by nature ~100 %
    CPU of its own wall time, yet holds the event loop for no time worth reporting.
    """

    average_ms: float = 100.0
    memory_delta_mb: float = 5.0
    cpu_percent: float = 50.0
    throughput_mbps: float = 1.0
    cpu_min_ms: float = 10.0

    def __post_init__(self) -> None:
        for name in (
            "average_ms",
            "memory_delta_mb",
            "cpu_percent",
            "throughput_mbps",
            "cpu_min_ms",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise ValueError(
                    f"bottleneck threshold {name} must be a number >= 0, got {value!r}"
                )


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """A component over one or more thresholds, with the figures that put it there."""

    component: str
    reasons: tuple[str, ...]
    average_ms: float
    p95_ms: float
    error_count: int
    memory_delta_mb: float
    cpu_percent: float
    throughput_mbps: float

    def message(self) -> str:
        return LOG_FORMAT % self.log_args()

    def log_args(self) -> tuple[str, float, float, int, float, float, float]:
        """Arguments for `LOG_FORMAT`, for lazy ``logger.warning(LOG_FORMAT, *args)``."""
        return (
            self.component,
            self.average_ms,
            self.p95_ms,
            self.error_count,
            self.memory_delta_mb,
            self.cpu_percent,
            self.throughput_mbps,
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "component": self.component,
            "reasons": list(self.reasons),
            "average_ms": self.average_ms,
            "p95_ms": self.p95_ms,
            "error_count": self.error_count,
            "memory_delta_mb": self.memory_delta_mb,
            "cpu_percent": self.cpu_percent,
            "throughput_mbps": self.throughput_mbps,
        }


def find_bottlenecks(
    metrics: Mapping[str, ComponentMetrics], thresholds: BottleneckThresholds
) -> list[Bottleneck]:
    """Components over a threshold, in the order given."""
    found: list[Bottleneck] = []
    for name, m in metrics.items():
        reasons = tuple(
            reason
            for reason, over in (
                ("latency", m.average_ms > thresholds.average_ms),
                ("memory", m.avg_memory_delta_mb > thresholds.memory_delta_mb),
                (
                    "cpu",
                    m.avg_cpu_percent > thresholds.cpu_percent
                    and m.average_ms * m.avg_cpu_percent / 100.0 >= thresholds.cpu_min_ms,
                ),
                ("io", m.throughput_mbps > thresholds.throughput_mbps),
            )
            if over
        )
        if reasons:
            found.append(
                Bottleneck(
                    component=name,
                    reasons=reasons,
                    average_ms=m.average_ms,
                    p95_ms=m.p95_ms,
                    error_count=m.error_count,
                    memory_delta_mb=m.avg_memory_delta_mb,
                    cpu_percent=m.avg_cpu_percent,
                    throughput_mbps=m.throughput_mbps,
                )
            )
    return found


class BottleneckTransitions:
    """Remembers which components are bottlenecks, to report only starts and ends."""

    def __init__(self) -> None:
        self._active: dict[str, Bottleneck] = {}

    @property
    def active(self) -> Mapping[str, Bottleneck]:
        return dict(self._active)

    def update(self, current: list[Bottleneck]) -> tuple[list[Bottleneck], list[Bottleneck]]:
        """Return (started, ended); ``ended`` holds the last known state of each resolved one."""
        now = {b.component: b for b in current}
        started = [b for name, b in now.items() if name not in self._active]
        ended = [b for name, b in self._active.items() if name not in now]
        self._active = now
        return started, ended
