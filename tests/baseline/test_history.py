"""Baselines from history read results (shaped like `yesman.history`'s), and session ranking."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from baseline.synthetic import draws
from yesman.baseline import (
    PerformanceBaseline,
    SuggestionKind,
    Verdict,
    baseline_from_history,
    compare,
    rank_sessions,
    read_history_baseline,
    suggest,
)
from yesman.bus import AsyncEventBus
from yesman.history import HistoryWriter
from yesman.metrics import ComponentTracker, PerformanceReporter
from yesman.store import AuditStore


@dataclass(frozen=True, slots=True)
class Component:
    component: str
    count: int
    error_count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    avg_cpu_percent: float
    memory_growth_mb: float
    bytes_sent: int
    bytes_received: int
    samples_ms: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Process:
    intervals: int = 10
    avg_cpu_percent: float = 2.0
    avg_memory_mb: float = 60.0
    peak_memory_mb: float = 62.0
    lag_p99_ms: float = 3.0
    lag_max_ms: float = 9.0


@dataclass(frozen=True, slots=True)
class Bus:
    reports: int = 10
    published: int = 20_000
    processed: int = 19_990
    dropped: int = 10
    overflow: int = 10
    avg_processing_ms: float = 0.5
    max_queue_depth: int = 1000
    peak_utilization_percent: float = 100.0
    queue_capacity: int = 1000
    worker_count: int = 4


@dataclass(frozen=True, slots=True)
class Dialog:
    outcome: str
    latency_ms: float | None
    wait_ms: float | None


@dataclass(frozen=True, slots=True)
class Point:
    end: float
    retained_memory_mb: float


@dataclass(frozen=True, slots=True)
class Series:
    component: str
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Session:
    session: str
    pane: str
    answered: int
    denied: int
    held: int
    open_holds: int
    answer_p95_ms: float
    wait_total_s: float
    wait_max_s: float
    agent: str = ""
    agent_version: str = ""


def _component(name: str, samples: list[float], growth: float = 0.0) -> Component:
    ordered = sorted(samples)
    return Component(
        component=name, count=len(samples), error_count=2, p50_ms=ordered[len(ordered) // 2],
        p95_ms=ordered[int(len(ordered) * 0.95)], p99_ms=ordered[-2],
        mean_ms=sum(samples) / len(samples), max_ms=ordered[-1], avg_cpu_percent=5.0,
        memory_growth_mb=growth, bytes_sent=10, bytes_received=20, samples_ms=tuple(samples),
    )  # fmt: skip


def _from(scale: float, seed: int) -> PerformanceBaseline:
    return baseline_from_history(
        since=1000.0,
        until=4600.0,
        components=[_component("content_capture", draws(300, seed=seed, scale=scale))],
        process=Process(),
        bus=Bus(),
        dialogs=[Dialog("answered", 40.0 + i, None) for i in range(20)]
        + [Dialog("held", None, 30_000.0 + 100 * i) for i in range(10)],
        series=[
            Series("content_capture", tuple(Point(1000.0 + 60 * i, 0.5 * i) for i in range(30)))
        ],
    )


def test_a_history_range_becomes_a_baseline() -> None:
    b = baseline_from_history(
        since=1000.0,
        until=4600.0,
        components=[_component("content_capture", draws(300, seed=1), growth=14.5)],
        process=Process(),
        bus=Bus(),
        dialogs=[Dialog("answered", 40.0 + i, None) for i in range(20)]
        + [Dialog("held", None, 30_000.0 + 100 * i) for i in range(10)]
        + [Dialog("held", None, None)],  # still waiting: no wait time yet
        series=[
            Series("content_capture", tuple(Point(1000.0 + 60 * i, 0.5 * i) for i in range(30)))
        ],
        name="@1h",
    )
    assert b.environment.workload == "watch"
    assert b.duration_seconds == 3600.0
    capture = b.components["content_capture"]
    assert (capture.count, capture.errors, len(capture.samples_ms)) == (300, 2, 300)
    assert b.components["dialog_answer"].count == 20
    assert b.components["human_wait"].count == 10
    assert b.components["human_wait"].p50_ms == pytest.approx(30_450.0)
    assert b.system_metrics.memory_used_mb == 60.0
    assert b.bus is not None
    assert b.bus.queue_overflow_events == 10
    assert len(b.monitoring_metrics) == 30
    kinds = {(s.kind, s.component) for s in suggest(b)}
    assert (SuggestionKind.QUEUE, None) in kinds  # the bus overflowed
    # retained memory rose at every series point: a suspected leak in that component
    assert (SuggestionKind.MEMORY_GROWTH, "content_capture") in kinds


def test_history_ranges_compare_like_baselines() -> None:
    a = _from(1.0, seed=1)
    b = _from(2.0, seed=2)
    result = compare(a, b)
    assert result.components["content_capture"].verdict is Verdict.REGRESSED
    assert result.components["dialog_answer"].verdict is Verdict.UNCHANGED


def test_sessions_rank_by_time_blocked() -> None:
    rows = [
        Session("fast", "%1", 50, 0, 1, 0, 40.0, 5.0, 5.0),
        Session("stuck", "%2", 3, 0, 6, 0, 45.0, 1800.0, 900.0),
        Session("waiting-now", "%3", 1, 0, 1, 1, 30.0, 0.0, 0.0),
    ]
    assert [r.session for r in rank_sessions(rows)] == ["waiting-now", "stuck", "fast"]


@dataclass(frozen=True)
class Activity:
    session: str
    pane: str
    agent: str
    restarts: int
    exits: int
    errors: int


def test_agent_trouble_joins_the_ranking_and_breaks_ties() -> None:
    rows = [
        Session("calm", "%1", 5, 0, 0, 0, 40.0, 0.0, 0.0),
        Session("crashy", "%2", 5, 0, 0, 0, 40.0, 0.0, 0.0),
    ]
    activity = [
        Activity("crashy", "%2", "claude", 3, 3, 1),
        Activity("silent", "%9", "claude", 0, 1, 4),  # no dialog at all, still ranked
    ]
    ranks = rank_sessions(rows, activity)
    assert [(r.session, r.restarts, r.exits, r.errors) for r in ranks] == [
        ("crashy", 3, 3, 1),
        ("silent", 0, 1, 4),
        ("calm", 0, 0, 0),
    ]
    assert ranks[1].answered == 0
    assert ranks[0].agent == "claude"


def test_a_pane_with_dialogs_only_is_ranked_under_the_agent_they_name() -> None:
    rows = [Session("work", "%1", 5, 0, 0, 0, 40.0, 0.0, 0.0, "codex", "0.171.0")]
    (rank,) = rank_sessions(rows, [Activity("work", "%1", "", 1, 0, 0)])
    assert (rank.agent, rank.agent_version, rank.restarts) == ("codex", "0.171.0", 1)
    (alone,) = rank_sessions(rows)
    assert (alone.agent, alone.agent_version) == ("codex", "0.171.0")


async def test_a_real_history_range_reads_back_as_a_baseline(tmp_path: Path) -> None:
    """Reports written by the history's writer, read back as a baseline."""
    db = tmp_path / "y.db"
    values = draws(120, seed=4)
    since = time.time() - 1.0
    tracker = ComponentTracker(["content_capture"])
    async with (
        AuditStore.open(db) as store,
        AsyncEventBus() as bus,
        HistoryWriter(store, bus),
        tracker,
        PerformanceReporter(tracker, bus, "test", interval=0.2),
    ):
        for v in values:
            tracker.record_component_timing("content_capture", v)
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.5)  # a report after the last operation
    made = await read_history_baseline(db, since, time.time() + 1.0, name="@range")
    capture = made.components["content_capture"]
    assert capture.count == 120
    assert sorted(capture.samples_ms) == pytest.approx(sorted(values))
    assert made.environment.workload == "watch"
    assert compare(made, made).components["content_capture"].verdict is Verdict.UNCHANGED
