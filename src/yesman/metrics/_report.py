"""`PerformanceReporter`: the periodic PERFORMANCE_METRICS report and bottleneck alerts.

Every ``_performance_interval`` seconds (default 60) the reporter publishes one
``PERFORMANCE_METRICS`` event with the seed's keys (``session_name``, ``loops_per_second``,
``component_response_times``, ``current_memory_mb``, ``memory_growth_mb``, ``current_cpu_percent``)
plus loop health and host network figures, logs one WARNING per bottleneck in the seed's format, and
publishes ``PERFORMANCE_ALERT`` once when a bottleneck starts (``state="started"``) and once when it
ends (``state="resolved"``).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Protocol

from yesman._lifecycle import Runner
from yesman.bus import Event, EventPriority, EventType
from yesman.metrics._bottleneck import (
    LOG_FORMAT,
    Bottleneck,
    BottleneckThresholds,
    BottleneckTransitions,
    find_bottlenecks,
)
from yesman.metrics._component import ComponentMetrics
from yesman.metrics._interval import ComponentInterval
from yesman.metrics._payloads import PerformanceAlert, PerformanceReport
from yesman.metrics._tracker import ComponentTracker

__all__ = ["EventPublisher", "PerformanceReporter"]

logger = logging.getLogger(__name__)


class EventPublisher(Protocol):
    """What the reporter needs from a bus (`yesman.bus.AsyncEventBus` is one)."""

    async def publish(self, event: Event) -> bool: ...


class PerformanceReporter:
    """Publishes a tracker's figures periodically; `report_now` on demand.

    Lifecycle as in `yesman._lifecycle`: ``start()``/``stop()``/``aclose()``, idempotent and
    restartable, or ``async with``. ``sleep`` is injectable so tests can drive the schedule.
    """

    def __init__(
        self,
        tracker: ComponentTracker,
        bus: EventPublisher,
        session_name: str,
        *,
        interval: float = 60.0,
        thresholds: BottleneckThresholds | None = None,
        source: str = "yesman.metrics",
        host_network: bool = True,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.tracker = tracker
        self.bus = bus
        self.session_name = session_name
        self._performance_interval = self._check_interval(interval)
        self.thresholds = thresholds if thresholds is not None else BottleneckThresholds()
        self.source = source
        self._host_network = host_network
        self._sleep = sleep
        self._transitions = BottleneckTransitions()
        self._runner = Runner("yesman-performance-report")
        self.reports = 0

    @staticmethod
    def _check_interval(interval: float) -> float:
        if isinstance(interval, bool) or not isinstance(interval, int | float):
            raise TypeError(f"performance interval must be seconds as a number, got {interval!r}")
        if not (math.isfinite(interval) and interval > 0):
            raise ValueError(f"performance interval must be > 0 seconds, got {interval!r}")
        return float(interval)

    @property
    def interval(self) -> float:
        return self._performance_interval

    @interval.setter
    def interval(self, seconds: float) -> None:
        self._performance_interval = self._check_interval(seconds)

    @property
    def active_bottlenecks(self) -> dict[str, Bottleneck]:
        return dict(self._transitions.active)

    @property
    def running(self) -> bool:
        return self._runner.running

    async def start(self) -> None:
        """Start publishing every interval (the first report one interval from now)."""
        await self._runner.start(self._run)

    async def stop(self) -> None:
        """Stop publishing. Idempotent; ``start()`` resumes, ``reports`` and alert state kept."""
        task = self._runner.task
        await self._runner.stop(task.cancel if task is not None else _nothing, timeout=5.0)

    aclose = stop

    async def __aenter__(self) -> PerformanceReporter:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _run(self, started: asyncio.Event) -> None:
        started.set()
        while True:
            # Read each time: the seed changes `_performance_interval` on a live monitor.
            await self._sleep(self._performance_interval)
            try:
                await self.report_now()
            except Exception:
                # A failing report must not end reporting; the next interval tries again.
                logger.exception("performance report for session %s failed", self.session_name)

    def build_payload(
        self,
        components: Mapping[str, ComponentMetrics] | None = None,
        bottlenecks: tuple[Bottleneck, ...] = (),
        intervals: Mapping[str, ComponentInterval] | None = None,
    ) -> PerformanceReport:
        """The PERFORMANCE_METRICS payload for now (starts a new loop-rate interval)."""
        tracker = self.tracker
        if components is None:
            components = tracker.get_component_metrics()
        return PerformanceReport(
            session_name=self.session_name,
            components=dict(components),
            loop=tracker.loop_health(new_interval=True),
            current_memory_mb=tracker.measure_memory_usage(),
            memory_growth_mb=tracker.memory_growth_mb(),
            current_cpu_percent=tracker.measure_cpu_usage(),
            host_network=tracker.measure_network_io_delta() if self._host_network else None,
            bottlenecks=bottlenecks,
            intervals=dict(intervals) if intervals is not None else {},
        )

    def build_report(
        self, components: Mapping[str, ComponentMetrics] | None = None
    ) -> dict[str, Any]:
        """The PERFORMANCE_METRICS payload for now, in the seed's dict shape."""
        return self.build_payload(components).as_dict()

    async def report_now(self) -> dict[str, Any]:
        """Build, publish and check one report; returns its payload (the seed's dict shape)."""
        components = self.tracker.get_component_metrics()
        found = tuple(find_bottlenecks(components, self.thresholds))
        # Only the periodic report takes intervals: an on-demand `build_report` must not cut one.
        intervals = self.tracker.take_intervals()
        payload = self.build_payload(components, found, intervals)
        self.reports += 1
        await self._publish(
            Event(type=EventType.PERFORMANCE_METRICS, payload=payload, source=self.source)
        )
        for bottleneck in found:
            logger.warning(LOG_FORMAT, *bottleneck.log_args())
        started, ended = self._transitions.update(list(found))
        for bottleneck in started:
            await self._publish(self._alert(bottleneck, "started"))
        for bottleneck in ended:
            await self._publish(self._alert(bottleneck, "resolved"))
        return payload.as_dict()

    def _alert(self, bottleneck: Bottleneck, state: str) -> Event:
        alert = PerformanceAlert(
            session_name=self.session_name,
            state=state,
            bottleneck=bottleneck,
            thresholds=self.thresholds,
        )
        return Event(
            type=EventType.PERFORMANCE_ALERT,
            payload=alert,
            source=self.source,
            priority=EventPriority.HIGH if state == "started" else EventPriority.NORMAL,
        )

    async def _publish(self, event: Event) -> None:
        if not await self.bus.publish(event):
            logger.warning(
                "event bus refused %s for session %s (queue full or bus stopped)",
                event.type,
                self.session_name,
            )


def _nothing() -> None:
    return None
