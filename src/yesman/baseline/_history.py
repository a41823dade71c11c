"""Baselines from the metric history (`yesman.history`), and the per-session ranking.

The Protocols below name the fields of the history's frozen read results that
`baseline_from_history` and `rank_sessions` use, so both also take hand-made rows.

A range of the history becomes an ordinary `PerformanceBaseline` (workload ``"watch"``): per
component the range's sketch percentiles and raw sample, the process and bus figures, the
dialogs' answer latency as the pseudo-component ``dialog_answer`` and the time held dialogs
waited for a person as ``human_wait`` (both with raw samples, so they are tested like any
component), and one monitoring sample per series point carrying each component's retained
memory (what the memory-growth rule reads).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from yesman.baseline._collect import summarize_samples
from yesman.baseline._errors import HistoryUnavailableError
from yesman.baseline._model import (
    BusSummary,
    ComponentSummary,
    MonitoringSample,
    PerformanceBaseline,
    SystemMetrics,
)
from yesman.baseline._system import environment
from yesman.history import (
    read_bus,
    read_components,
    read_dialog_records,
    read_dialogs,
    read_pane_activity,
    read_process,
    read_series,
)

__all__ = [
    "SessionRank",
    "baseline_from_history",
    "rank_sessions",
    "read_history_baseline",
    "read_session_ranking",
]


class HistoryComponent(Protocol):
    @property
    def component(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def error_count(self) -> int: ...
    @property
    def p50_ms(self) -> float: ...
    @property
    def p95_ms(self) -> float: ...
    @property
    def p99_ms(self) -> float: ...
    @property
    def mean_ms(self) -> float: ...
    @property
    def max_ms(self) -> float: ...
    @property
    def avg_cpu_percent(self) -> float: ...
    @property
    def memory_growth_mb(self) -> float: ...
    @property
    def bytes_sent(self) -> int: ...
    @property
    def bytes_received(self) -> int: ...
    @property
    def samples_ms(self) -> tuple[float, ...]: ...


class HistoryPoint(Protocol):
    @property
    def end(self) -> float: ...
    @property
    def retained_memory_mb(self) -> float: ...


class HistorySeries(Protocol):
    @property
    def component(self) -> str: ...
    @property
    def points(self) -> Sequence[HistoryPoint]: ...


class HistoryProcess(Protocol):
    @property
    def intervals(self) -> int: ...
    @property
    def avg_cpu_percent(self) -> float: ...
    @property
    def avg_memory_mb(self) -> float: ...
    @property
    def peak_memory_mb(self) -> float: ...
    @property
    def lag_p99_ms(self) -> float: ...
    @property
    def lag_max_ms(self) -> float: ...


class HistoryBus(Protocol):
    @property
    def reports(self) -> int: ...
    @property
    def published(self) -> int: ...
    @property
    def processed(self) -> int: ...
    @property
    def dropped(self) -> int: ...
    @property
    def overflow(self) -> int: ...
    @property
    def avg_processing_ms(self) -> float: ...
    @property
    def max_queue_depth(self) -> int: ...
    @property
    def peak_utilization_percent(self) -> float: ...
    @property
    def queue_capacity(self) -> int: ...
    @property
    def worker_count(self) -> int: ...


class HistoryDialog(Protocol):
    @property
    def outcome(self) -> str: ...  # a StrEnum: "answered", "denied" or "held"
    @property
    def latency_ms(self) -> float | None: ...
    @property
    def wait_ms(self) -> float | None: ...


class HistorySession(Protocol):
    @property
    def session(self) -> str: ...
    @property
    def pane(self) -> str: ...
    @property
    def answered(self) -> int: ...
    @property
    def denied(self) -> int: ...
    @property
    def held(self) -> int: ...
    @property
    def open_holds(self) -> int: ...
    @property
    def answer_p95_ms(self) -> float: ...
    @property
    def wait_total_s(self) -> float: ...
    @property
    def wait_max_s(self) -> float: ...
    @property
    def agent(self) -> str: ...
    @property
    def agent_version(self) -> str: ...


def baseline_from_history(
    *,
    since: float,
    until: float,
    components: Iterable[HistoryComponent],
    process: HistoryProcess,
    bus: HistoryBus | None = None,
    dialogs: Iterable[HistoryDialog] = (),
    series: Iterable[HistorySeries] = (),
    name: str | None = None,
) -> PerformanceBaseline:
    """A baseline made of the history's figures between ``since`` and ``until``."""
    summaries: dict[str, ComponentSummary] = {
        c.component: ComponentSummary(
            count=c.count,
            errors=c.error_count,
            error_rate=c.error_count / c.count if c.count else 0.0,
            p50_ms=c.p50_ms,
            p95_ms=c.p95_ms,
            p99_ms=c.p99_ms,
            mean_ms=c.mean_ms,
            max_ms=c.max_ms,
            cpu_percent=c.avg_cpu_percent,
            memory_growth_mb=c.memory_growth_mb,
            bytes_sent=c.bytes_sent,
            bytes_received=c.bytes_received,
            samples_ms=tuple(c.samples_ms),
        )
        for c in components
    }
    rows = list(dialogs)
    answers = [d.latency_ms for d in rows if d.latency_ms is not None and d.outcome != "held"]
    waits = [d.wait_ms for d in rows if d.wait_ms is not None and d.outcome == "held"]
    if answers:
        summaries["dialog_answer"] = summarize_samples(answers)
    if waits:
        summaries["human_wait"] = summarize_samples(waits)
    memory: dict[float, dict[str, float]] = {}
    for s in series:
        for p in s.points:
            memory.setdefault(p.end, {})[s.component] = p.retained_memory_mb
    samples = tuple(
        MonitoringSample(t=at - since, component_memory_mb=per)
        for at, per in sorted(memory.items())
    )
    return PerformanceBaseline(
        name=name,
        created=time.time(),
        duration_seconds=until - since,
        interval_seconds=(until - since) / max(len(samples), 1),
        environment=environment("watch"),
        system_metrics=SystemMetrics(
            cpu_percent=process.avg_cpu_percent,
            memory_used_mb=process.avg_memory_mb,
            memory_peak_mb=process.peak_memory_mb,
            loop_lag_p99_ms=process.lag_p99_ms,
            loop_lag_max_ms=process.lag_max_ms,
            sample_count=process.intervals,
        ),
        monitoring_metrics=samples,
        components=summaries,
        bus=None
        if bus is None or bus.reports == 0
        else BusSummary(
            events_published=bus.published,
            events_processed=bus.processed,
            events_dropped=bus.dropped,
            queue_capacity=bus.queue_capacity,
            worker_count=bus.worker_count,
            peak_queue_depth=bus.max_queue_depth,
            peak_utilization_percent=bus.peak_utilization_percent,
            queue_overflow_events=bus.overflow,
            average_processing_ms=bus.avg_processing_ms,
        ),
    )


@dataclass(frozen=True, slots=True)
class SessionRank:
    """One pane of one session over a range, for "which agent is stuck".

    Dialogs: answered, denied, held (``open_holds`` still waiting when read), time blocked on a
    person and the answer latency p95. The agent: its name and version (``""``: not known),
    restarts, exits, and errors (API errors and usage limits) seen on its screen. Component
    latencies are measured per watcher, not per pane, so `yesman history` shows them, not this
    ranking.
    """

    session: str
    pane: str
    answered: int
    denied: int
    held: int
    open_holds: int
    blocked_seconds: float
    longest_wait_seconds: float
    answer_p95_ms: float
    agent: str = ""
    agent_version: str = ""
    restarts: int = 0
    exits: int = 0
    errors: int = 0


class HistoryActivity(Protocol):
    @property
    def session(self) -> str: ...
    @property
    def pane(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def restarts(self) -> int: ...
    @property
    def exits(self) -> int: ...
    @property
    def errors(self) -> int: ...


def rank_sessions(
    rows: Iterable[HistorySession], activity: Iterable[HistoryActivity] = ()
) -> list[SessionRank]:
    """Panes ordered by how long they were blocked on a person (open holds first), then by
    how many dialogs were held, then by restarts and errors. A pane with activity but no
    dialog is ranked too."""
    by_pane = {(a.session, a.pane): a for a in activity}
    ranked = []
    for r in rows:
        a = by_pane.pop((r.session, r.pane), None)
        ranked.append(
            SessionRank(
                session=r.session,
                pane=r.pane,
                answered=r.answered,
                denied=r.denied,
                held=r.held,
                open_holds=r.open_holds,
                blocked_seconds=r.wait_total_s,
                longest_wait_seconds=r.wait_max_s,
                answer_p95_ms=r.answer_p95_ms,
                agent_version=r.agent_version,
                **_activity(a, r.agent),
            )
        )
    for a in by_pane.values():
        ranked.append(
            SessionRank(
                session=a.session,
                pane=a.pane,
                answered=0,
                denied=0,
                held=0,
                open_holds=0,
                blocked_seconds=0.0,
                longest_wait_seconds=0.0,
                answer_p95_ms=0.0,
                **_activity(a),
            )
        )
    ranked.sort(
        key=lambda r: (
            -r.open_holds,
            -r.blocked_seconds,
            -r.held,
            -(r.restarts + r.exits + r.errors),
            r.session,
            r.pane,
        )
    )
    return ranked


def _activity(a: HistoryActivity | None, agent: str = "") -> dict[str, Any]:
    """The pane's agent trouble; its agent from the dialogs (`agent`) unless the activity
    names one."""
    if a is None:
        return {"agent": agent}
    return {
        "agent": a.agent or agent,
        "restarts": a.restarts,
        "exits": a.exits,
        "errors": a.errors,
    }


async def read_history_baseline(
    db: str | Path | None, since: float, until: float, *, name: str | None = None
) -> PerformanceBaseline:
    """The history between ``since`` and ``until`` (epoch seconds) of database ``db`` as a
    baseline; `HistoryUnavailableError` when there is no history, or nothing in that range."""
    if not (math.isfinite(since) and math.isfinite(until) and since < until):
        raise ValueError(f"the range must have since < until, got {since!r} .. {until!r}")
    process = cast("HistoryProcess", await read_process(db, since, until))
    if process.intervals == 0:
        raise HistoryUnavailableError(
            "the history has no performance reports between "
            f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(since))} and "
            f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(until))}; is `yesman watch` "
            "running with this --db, and has it reported yet?"
        )
    return baseline_from_history(
        since=since,
        until=until,
        components=await read_components(db, since, until),
        process=process,
        bus=await read_bus(db, since, until),
        dialogs=await read_dialog_records(db, since, until),
        series=await read_series(db, since, until),
        name=name,
    )


async def read_session_ranking(
    db: str | Path | None, since: float, until: float
) -> list[SessionRank]:
    """`rank_sessions` over the history's per-pane dialog summaries and agent activity."""
    return rank_sessions(
        await read_dialogs(db, since, until),
        await read_pane_activity(db, since, until),
    )
