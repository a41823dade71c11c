"""Suggestion rules: each fires on the figures it names, with a concrete change, else not."""

from __future__ import annotations

import asyncio
import dataclasses
import time

from baseline.synthetic import baseline
from yesman.baseline import (
    BusSummary,
    PerformanceMonitor,
    SuggestionKind,
    suggest,
)
from yesman.metrics import ComponentTracker


def test_healthy_baseline_has_no_suggestions() -> None:
    calm = BusSummary(
        events_published=100,
        queue_capacity=1000,
        peak_queue_depth=12,
        peak_utilization_percent=1.2,
        worker_count=2,
        average_processing_ms=0.1,
    )
    assert suggest(baseline(seed=1, bus=calm)) == []


def test_a_full_queue_gets_a_size_and_worker_count() -> None:
    full = BusSummary(
        events_published=30_000,
        queue_capacity=1000,
        peak_queue_depth=1000,
        peak_utilization_percent=100.0,
        queue_overflow_events=40,
        worker_count=1,
        average_processing_ms=2.0,
    )
    b = baseline(seed=1, bus=full)  # 30 s: 1000 events/s x 2 ms = 2 workers' worth of work
    (s,) = suggest(b)
    assert s.kind is SuggestionKind.QUEUE
    assert s.change == "AsyncEventBus(max_queue_size=2048, worker_count=3)"
    assert any("40 events lost" in e for e in s.evidence)


def test_steady_memory_growth_is_a_suspected_leak() -> None:
    growing = [50.0 + 0.5 * i for i in range(30)]  # +0.5 MB a second
    (s,) = suggest(baseline(seed=1, memory=growing))
    assert s.kind is SuggestionKind.MEMORY_GROWTH
    assert "1800 MB/hour" in " ".join(s.evidence)


def test_noisy_flat_memory_is_not_a_leak() -> None:
    noisy = [50.0 + (3.0 if i % 2 else -3.0) for i in range(30)]
    assert suggest(baseline(seed=1, memory=noisy)) == []


async def test_a_component_that_blocks_the_loop_should_move_to_a_thread() -> None:
    tracker = ComponentTracker(["blocking_parse"], slow_callback_threshold=0.05)
    monitor = PerformanceMonitor(interval=0.1, lag_interval=0.02)
    async with tracker, monitor:

        async def work() -> None:
            for _ in range(4):
                async with tracker.track("blocking_parse"):
                    time.sleep(0.08)  # noqa: ASYNC251 (the blocking work under test)
                    await asyncio.sleep(0)
                await asyncio.sleep(0.05)

        task = asyncio.create_task(work())
        made = await monitor.establish_baseline(0.9)
        await task
    parse = made.components["blocking_parse"]
    assert parse.slow_steps >= 3
    found = [s for s in suggest(made) if s.kind is SuggestionKind.SLOW_STEP]
    assert [s.component for s in found] == ["blocking_parse"]
    assert "asyncio.to_thread" in found[0].change


def test_component_memory_rising_every_interval() -> None:
    b = baseline(seed=1)
    samples = tuple(
        dataclasses.replace(s, component_memory_mb={"content_capture": 0.2 * i})
        for i, s in enumerate(b.monitoring_metrics)
    )
    comps = dict(b.components)
    comps["content_capture"] = dataclasses.replace(comps["content_capture"], memory_growth_mb=5.8)
    found = suggest(dataclasses.replace(b, monitoring_metrics=samples, components=comps))
    assert [(s.kind, s.component) for s in found] == [
        (SuggestionKind.MEMORY_GROWTH, "content_capture")
    ]
