"""Typed payloads of the events the metrics layer publishes.

``PerformanceReport`` is the periodic ``PERFORMANCE_METRICS`` event of a tracker, and
``PerformanceAlert`` the ``PERFORMANCE_ALERT`` when a bottleneck starts or ends. Their ``as_dict()``
is the seed's dict shape (``session_name``, ``component_response_times`` ...), which is what
``Event.data`` shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from yesman.bus import Payload
from yesman.metrics._bottleneck import Bottleneck, BottleneckThresholds
from yesman.metrics._component import ComponentMetrics
from yesman.metrics._interval import ComponentInterval
from yesman.metrics._io import HostNetworkDelta
from yesman.metrics._loop import LoopHealth

__all__ = ["PerformanceAlert", "PerformanceReport"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PerformanceReport(Payload):
    """One interval's figures of a tracker (``PERFORMANCE_METRICS``)."""

    session_name: str
    components: Mapping[str, ComponentMetrics]
    loop: LoopHealth
    current_memory_mb: float
    memory_growth_mb: float
    current_cpu_percent: float
    host_network: HostNetworkDelta | None = None
    bottlenecks: tuple[Bottleneck, ...] = ()
    # What each component did during this interval (mergeable sketch, raw sample, counter
    # deltas), for the history. Typed consumers only: not in `as_dict()`, which stays the seed's.
    intervals: Mapping[str, ComponentInterval] = field(default_factory=dict)

    @property
    def loops_per_second(self) -> float:
        return self.loop.loops_per_second

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "session_name": self.session_name,
            "loops_per_second": self.loop.loops_per_second,
            "component_response_times": {n: m.as_dict() for n, m in self.components.items()},
            "current_memory_mb": self.current_memory_mb,
            "memory_growth_mb": self.memory_growth_mb,
            "current_cpu_percent": self.current_cpu_percent,
            "interval_seconds": self.loop.interval_seconds,
        }
        data.update(self.loop.as_dict())
        if self.host_network is not None:
            net = self.host_network
            data["host_network"] = {
                "scope": "host",
                "bytes_sent": net.host_bytes_sent,
                "bytes_received": net.host_bytes_received,
                "throughput_mbps": net.host_throughput_mbps,
            }
        data["bottlenecks"] = [b.as_dict() for b in self.bottlenecks]
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class PerformanceAlert(Payload):
    """A bottleneck started or ended (``PERFORMANCE_ALERT``); ``state`` is the transition."""

    session_name: str
    state: str  # "started" | "resolved"
    bottleneck: Bottleneck
    thresholds: BottleneckThresholds

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.bottleneck.as_dict())
        data.update(
            state=self.state,
            session_name=self.session_name,
            message=self.bottleneck.message(),
            thresholds={
                "average_ms": self.thresholds.average_ms,
                "memory_delta_mb": self.thresholds.memory_delta_mb,
                "cpu_percent": self.thresholds.cpu_percent,
                "throughput_mbps": self.thresholds.throughput_mbps,
            },
        )
        return data
