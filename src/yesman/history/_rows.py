"""Turning payloads into history rows. Runs on the store's thread, never on the event loop.

The bus handler only queues a job holding the (immutable) payload; these functions do the
conversion, serialisation and INSERTs inside the store's next batch. Counters that the payloads
carry as totals since start (the bus's, slow loop steps) are turned into per-interval deltas
here; `Deltas` keeps the previous totals and is touched by the store's thread only, in job order.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from enum import StrEnum

from yesman.bus import BusReport
from yesman.metrics import PerformanceReport, pack_samples

__all__ = [
    "Deltas",
    "DialogOutcome",
    "DialogRow",
    "end_hold",
    "insert_bus",
    "insert_dialog",
    "insert_report",
]


@dataclass(slots=True)
class Deltas:
    """Previous totals of counters reported as totals, for per-interval deltas."""

    previous: dict[str, int] = field(default_factory=dict)

    def step(self, name: str, total: int) -> int:
        """What `total` added since the previous call. The first total, and one smaller than the
        previous (the counter restarted), count whole: counters start at zero."""
        before = self.previous.get(name)
        self.previous[name] = total
        if before is None or total < before:
            return total
        return total - before


def insert_report(
    conn: sqlite3.Connection,
    time: float,
    report: PerformanceReport,
    deltas: Deltas,
    panes: int | None = None,
) -> int:
    """Store one `PerformanceReport`: a process row and one row per component.

    ``panes``: how many panes were watched when the report was made (None: unknown).
    """
    loop = report.loop
    net = report.host_network
    seconds = loop.interval_seconds
    conn.execute(
        "INSERT INTO history_reports (time, interval_seconds, session_name, cpu_percent, "
        "memory_mb, memory_growth_mb, loops_per_second, task_steps_per_second, lag_p50_ms, "
        "lag_p99_ms, lag_max_ms, slow_callbacks, host_bytes_sent, host_bytes_received, "
        "bottlenecks, panes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            time,
            seconds,
            report.session_name,
            report.current_cpu_percent,
            report.current_memory_mb,
            report.memory_growth_mb,
            loop.loops_per_second,
            loop.task_steps_per_second,
            loop.lag_p50_ms,
            loop.lag_p99_ms,
            loop.lag_max_ms,
            deltas.step(f"slow:{report.session_name}", loop.slow_callbacks),
            net.host_bytes_sent if net is not None else 0,
            net.host_bytes_received if net is not None else 0,
            json.dumps([b.component for b in report.bottlenecks]),
            panes,
        ),
    )
    rows = []
    for name, metrics in report.components.items():
        interval = report.intervals.get(name)
        if interval is None:
            # A report without interval data (built by hand): figures, but no latencies.
            sketch, samples, count, errors, cancelled, cpu_s, sent, received = (
                None, None, 0, 0, 0, 0.0, 0, 0,
            )  # fmt: skip
        elif interval.count == 0 and interval.error_count == 0:
            continue  # idle this interval: no row (at a 1 s interval most components are)
        else:
            sketch = interval.sketch.to_bytes()
            samples = pack_samples(interval.samples_ms)
            count = interval.count
            errors = interval.error_count
            cancelled = interval.cancelled_count
            cpu_s = interval.cpu_seconds
            sent = interval.bytes_sent
            received = interval.bytes_received
        rows.append(
            (
                time,
                seconds,
                name,
                count,
                errors,
                cancelled,
                sketch,
                samples,
                cpu_s,
                metrics.avg_cpu_percent,
                metrics.peak_cpu_percent,
                metrics.avg_memory_delta_mb,
                metrics.peak_memory_mb,
                metrics.retained_memory_mb,
                sent,
                received,
            )
        )
    conn.executemany(
        "INSERT INTO history_components (time, interval_seconds, component, count, errors, "
        "cancelled, sketch, samples, cpu_seconds, avg_cpu_percent, peak_cpu_percent, "
        "avg_memory_delta_mb, peak_memory_mb, retained_memory_mb, bytes_sent, bytes_received) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def insert_bus(conn: sqlite3.Connection, time: float, report: BusReport, deltas: Deltas) -> None:
    """Store one bus report; its totals become deltas since the previous one."""
    m = report.metrics
    conn.execute(
        "INSERT INTO history_bus (time, published, processed, dropped, overflow, handler_errors, "
        "average_processing_ms, max_queue_depth, queue_utilization_percent, queue_capacity, "
        "worker_count, drain_rate_per_second) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            time,
            deltas.step("bus:published", m.events_published),
            deltas.step("bus:processed", m.events_processed),
            deltas.step("bus:dropped", m.events_dropped),
            deltas.step("bus:overflow", m.queue_overflow_events),
            deltas.step("bus:handler_errors", m.handler_errors),
            m.average_processing_time,
            m.max_queue_depth,
            m.queue_utilization_percent,
            m.queue_capacity,
            m.worker_count,
            m.drain_rate_per_second,
        ),
    )


class DialogOutcome(StrEnum):
    """How a dialog ended for yesman: answered by policy, denied by policy, or held for a human."""

    ANSWERED = "answered"
    DENIED = "denied"
    HELD = "held"


@dataclass(frozen=True, slots=True)
class DialogRow:
    """One dialog outcome as the writer stores it (``latency_ms`` only for answers; ``agent``
    and ``agent_version`` as the pane's event named them, ``""`` when not known)."""

    time: float
    session: str
    pane: str
    outcome: DialogOutcome
    prompt_kind: str
    tool: str
    target: str
    fingerprint: str
    rule: str
    reason: str
    latency_ms: float | None
    correlation_id: str | None
    agent: str = ""
    agent_version: str = ""


def insert_dialog(conn: sqlite3.Connection, row: DialogRow) -> int:
    cur = conn.execute(
        "INSERT INTO history_dialogs (time, session, pane, outcome, prompt_kind, tool, target, "
        "fingerprint, rule, reason, latency_ms, correlation_id, agent, agent_version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.time,
            row.session,
            row.pane,
            row.outcome.value,
            row.prompt_kind,
            row.tool,
            row.target,
            row.fingerprint,
            row.rule,
            row.reason,
            row.latency_ms,
            row.correlation_id,
            row.agent,
            row.agent_version,
        ),
    )
    return int(cur.lastrowid or 0)


def end_hold(conn: sqlite3.Connection, row_id: int, ended: float) -> None:
    """A held dialog left the screen at `ended`: record when and how long it waited."""
    conn.execute(
        "UPDATE history_dialogs SET ended = ?, wait_ms = max(0.0, (? - time) * 1000.0) "
        "WHERE id = ? AND ended IS NULL",
        (ended, ended, row_id),
    )


# What the per-pane ranking counts, from the monitor's AUTOMATION_CONTEXT events.
PANE_EVENT_KINDS = frozenset(
    {"agent_restarted", "agent_exited", "api_error", "usage_limit", "tests_failing", "build_error"}
)


def insert_pane_event(
    conn: sqlite3.Connection,
    time: float,
    where: tuple[str, str, str],
    kind: str,
    summary: str,
) -> None:
    """One thing that happened to a pane's agent; ``where`` is (session, pane, agent)."""
    session, pane, agent = where
    conn.execute(
        "INSERT INTO history_pane_events (time, session, pane, agent, kind, summary) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (time, session, pane, agent, kind, summary[:500]),
    )
