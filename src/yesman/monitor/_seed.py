"""The seed's metric method names on a monitor, delegated to its `ComponentTracker`."""

from __future__ import annotations

from typing import Any

from yesman.metrics import ComponentMetrics, ComponentTracker, HostNetworkDelta

__all__ = ["SeedMetricsMixin"]


class SeedMetricsMixin:
    """`monitor._record_component_timing(...)`, `monitor._get_component_metrics()` and the rest
    of the seed's API reference, so its examples run against a monitor unchanged."""

    tracker: ComponentTracker

    @property
    def _component_timings(self) -> Any:
        return self.tracker._component_timings

    def _record_component_timing(self, component: str, duration_ms: float, success: bool) -> None:
        self.tracker._record_component_timing(component, duration_ms, success)

    def _record_component_memory(self, component: str, memory_delta_mb: float) -> None:
        self.tracker._record_component_memory(component, memory_delta_mb)

    def _record_component_cpu(self, component: str, cpu_percent: float) -> None:
        self.tracker._record_component_cpu(component, cpu_percent)

    def _record_component_network_io(
        self, component: str, sent: int, recv: int, duration: float
    ) -> None:
        self.tracker._record_component_network_io(component, sent, recv, duration)

    def _get_component_metrics(self) -> dict[str, dict[str, Any]]:
        return self.tracker._get_component_metrics()

    def get_component_metrics(self) -> dict[str, ComponentMetrics]:
        return self.tracker.get_component_metrics()

    def _measure_memory_usage(self) -> float:
        return self.tracker._measure_memory_usage()

    def _measure_cpu_usage(self) -> float:
        return self.tracker._measure_cpu_usage()

    def _measure_network_io_delta(self) -> HostNetworkDelta:
        return self.tracker._measure_network_io_delta()
