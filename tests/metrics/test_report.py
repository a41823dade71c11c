"""Periodic reports and bottleneck alerts on a real event bus."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest

from yesman.bus import AsyncEventBus, Event, EventType
from yesman.metrics import SEED_COMPONENTS, ComponentTracker, PerformanceReporter

SEED_KEYS = {
    "session_name",
    "loops_per_second",
    "component_response_times",
    "current_memory_mb",
    "memory_growth_mb",
    "current_cpu_percent",
}


def collect(bus: AsyncEventBus, event_type: EventType) -> list[Event]:
    seen: list[Event] = []
    bus.subscribe(event_type, seen.append)
    return seen


async def test_report_carries_the_seed_keys_and_loop_health() -> None:
    async with AsyncEventBus() as bus:
        reports = collect(bus, EventType.PERFORMANCE_METRICS)
        async with ComponentTracker(SEED_COMPONENTS) as tracker:
            async with tracker.track("content_capture"):
                await asyncio.sleep(0.005)
            tracker.record_loop()
            await PerformanceReporter(tracker, bus, "work").report_now()
        await bus.join()
    assert len(reports) == 1
    data = reports[0].data
    assert set(data) >= SEED_KEYS
    assert {"loop_lag_p50_ms", "loop_lag_p99_ms", "loop_lag_max_ms", "slow_callbacks"} <= set(data)
    assert data["session_name"] == "work"
    assert data["component_response_times"]["content_capture"]["sample_count"] == 1
    assert data["current_memory_mb"] > 1.0
    assert data["loops_per_second"] * data["interval_seconds"] == pytest.approx(1)
    assert data["host_network"]["scope"] == "host"


async def test_bottleneck_logs_the_seed_line_and_alerts_once_each_way(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="yesman.metrics")
    async with AsyncEventBus() as bus:
        alerts = collect(bus, EventType.PERFORMANCE_ALERT)
        tracker = ComponentTracker(window=3)
        reporter = PerformanceReporter(tracker, bus, "s", host_network=False)
        tracker.record_component_timing("content_capture", 150.5)
        for _ in range(3):
            await reporter.report_now()
        for _ in range(3):
            tracker.record_component_timing("content_capture", 1.0)
        for _ in range(2):
            await reporter.report_now()
        await bus.join()
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert (
        lines
        == [
            "Bottleneck in content_capture: avg=150.5ms, p95=150.5ms, errors=0, mem=0.0MB, "
            "cpu=0.0%, net=0.0MB/s"
        ]
        * 3
    )
    assert [(a.data["state"], a.data["component"]) for a in alerts] == [
        ("started", "content_capture"),
        ("resolved", "content_capture"),
    ]
    assert alerts[0].data["reasons"] == ["latency"]


async def test_reports_arrive_every_interval_and_the_interval_can_change() -> None:
    async with AsyncEventBus() as bus:
        reports = collect(bus, EventType.PERFORMANCE_METRICS)
        tracker = ComponentTracker()
        async with PerformanceReporter(tracker, bus, "s", interval=0.02) as reporter:
            await asyncio.sleep(0.13)
            reporter._performance_interval = 30.0  # the seed's configuration line
            seen = reporter.reports
            await asyncio.sleep(0.1)
            assert reporter.reports <= seen + 1
        await bus.join()
    assert 2 <= len(reports) <= 9


class _RefusingBus:
    def __init__(self) -> None:
        self.calls = 0

    async def publish(self, event: Event) -> bool:
        self.calls += 1
        return False


async def test_refused_publish_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    bus = _RefusingBus()
    reporter = PerformanceReporter(ComponentTracker(), bus, "s", host_network=False)
    await reporter.report_now()
    assert bus.calls == 1
    assert "refused" in caplog.text


async def test_a_failing_report_does_not_stop_reporting(caplog: pytest.LogCaptureFixture) -> None:
    class Flaky:
        def __init__(self) -> None:
            self.calls = 0

        async def publish(self, event: Event) -> bool:
            self.calls += 1
            if self.calls == 1:
                raise RuntimeError("bus exploded")
            return True

    bus = Flaky()
    async with PerformanceReporter(ComponentTracker(), bus, "s", interval=0.01, host_network=False):
        await asyncio.sleep(0.08)
    assert bus.calls >= 2
    assert "bus exploded" in caplog.text


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), "60"])
def test_bad_interval_is_refused(bad: Any) -> None:
    with pytest.raises((ValueError, TypeError), match="interval"):
        PerformanceReporter(ComponentTracker(), _RefusingBus(), "s", interval=bad)


async def test_seed_component_performance_analysis_example(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The seed's example, verbatim from `metrics = ...` on; the monitor is a stand-in."""

    class Monitor:  # what AsyncClaudeMonitor delegates to
        def __init__(self) -> None:
            self.tracker = ComponentTracker(SEED_COMPONENTS)
            self._get_component_metrics: Callable[[], dict[str, dict[str, Any]]] = (
                self.tracker._get_component_metrics
            )

    monitor = Monitor()
    monitor.tracker.record_component_timing("content_capture", 150.0, True)
    monitor.tracker.record_component_memory("prompt_detection", 6.0)

    # Get component metrics
    metrics = monitor._get_component_metrics()
    for component, stats in metrics.items():
        if stats['average_ms'] > 100:  # fmt: skip
            print(f"{component} is slow: {stats['average_ms']:.1f}ms average")
        if stats['avg_memory_delta_mb'] > 5:  # fmt: skip
            print(f"{component} uses high memory: {stats['avg_memory_delta_mb']:.1f}MB")

    assert capsys.readouterr().out.splitlines() == [
        "content_capture is slow: 150.0ms average",
        "prompt_detection uses high memory: 6.0MB",
    ]


class _CountingBus:
    """Accepts every event and says when ``want`` of them have arrived."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.want = 0
        self.enough = asyncio.Event()

    async def publish(self, event: Event) -> bool:
        self.events.append(event)
        if len(self.events) >= self.want:
            self.enough.set()
        return True


async def test_reporter_restarts_and_keeps_counting() -> None:
    bus = _CountingBus()
    reporter = PerformanceReporter(ComponentTracker(), bus, "s", interval=0.01, host_network=False)
    for run in (1, 2):
        bus.want, bus.enough = 2 * run, asyncio.Event()
        async with reporter:
            await reporter.start()  # already running: nothing happens
            await bus.enough.wait()
        stopped_at = reporter.reports
        await reporter.aclose()  # idempotent
        await asyncio.sleep(0.03)
        assert reporter.reports == stopped_at  # stopped means stopped
    assert reporter.reports == len(bus.events) >= 4
    assert {e.data["session_name"] for e in bus.events} == {"s"}


async def test_an_error_in_the_body_leaves_the_reporter_unchanged() -> None:
    with pytest.raises(ValueError, match="boom"):
        async with PerformanceReporter(ComponentTracker(), _RefusingBus(), "s"):
            raise ValueError("boom")
