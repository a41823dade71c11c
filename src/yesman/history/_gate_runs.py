"""Runs of `yesman gates` in the audit database (the ``gate_runs`` table, migration 5).

    saved = await record_gate_run(store, GateRun(time=..., duration_s=..., ...))
    runs = await read_gate_runs(db, limit=20)            # newest first, without reports
    full = await read_gate_runs(db, limit=1, with_reports=True)

A run is kept as the few columns a listing needs (when, how long, which families, strict,
exit code, how many gates ended in each status) plus the whole JSON report as text; what the
report means is `yesman.gates`' business, so this layer stores and returns it unparsed. Writes
go through `AuditStore.run_write` (committed and fsynced before the coroutine returns). A
database from before migration 5, opened read-only, reads as no runs.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from yesman.history._read import HistoryDB
from yesman.store import AuditStore

__all__ = ["GATE_STATUSES", "GateRun", "read_gate_runs", "record_gate_run"]

GATE_STATUSES = ("passed", "warning", "skipped", "failed", "error")
"""The status names counted per run; also the count columns of ``gate_runs``."""


def _no_counts() -> dict[str, int]:
    return dict.fromkeys(GATE_STATUSES, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class GateRun:
    """One run of the gates. ``time`` is when it started (epoch seconds); ``counts`` maps each
    of `GATE_STATUSES` to how many gates ended so; ``report`` is the JSON report's text (empty
    in listings that did not ask for it)."""

    time: float
    duration_s: float
    families: tuple[str, ...]
    strict: bool
    exit_code: int
    counts: Mapping[str, int] = field(default_factory=_no_counts)
    report: str = ""
    id: int | None = None


async def record_gate_run(store: AuditStore, run: GateRun) -> GateRun:
    """Store ``run``; once committed, return it with its ``id``."""
    unknown = set(run.counts) - set(GATE_STATUSES)
    if unknown:
        raise ValueError(
            f"gate run counts have unknown statuses {sorted(unknown)}; known: {GATE_STATUSES}"
        )
    if not run.report:
        raise ValueError("a gate run needs its JSON report; nothing to record")
    params = (
        float(run.time),
        float(run.duration_s),
        json.dumps(list(run.families)),
        int(run.strict),
        int(run.exit_code),
        *(int(run.counts.get(status, 0)) for status in GATE_STATUSES),
        run.report,
    )

    def insert(conn: sqlite3.Connection) -> int:
        cur = conn.execute(
            "INSERT INTO gate_runs (time, duration_s, families, strict, exit_code, "
            f"{', '.join(GATE_STATUSES)}, report) VALUES ({', '.join('?' * len(params))})",
            params,
        )
        return int(cur.lastrowid or 0)

    return replace(run, id=await store.run_write(insert))


async def read_gate_runs(
    db: HistoryDB = None,
    *,
    limit: int = 20,
    since: float | None = None,
    with_reports: bool = False,
) -> tuple[GateRun, ...]:
    """The newest ``limit`` runs (started at or after ``since``), newest first. Reports are
    left out (``report == ""``) unless ``with_reports``: each can be tens of kilobytes."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive integer, got {limit!r}")
    select = _select(limit, since, with_reports=with_reports)
    if isinstance(db, AuditStore):
        return await db.run_read(select)
    async with AuditStore.open(db, read_only=True) as store:
        return await store.run_read(select)


def _select(
    limit: int, since: float | None, *, with_reports: bool
) -> Callable[[sqlite3.Connection], tuple[GateRun, ...]]:
    columns = f"id, time, duration_s, families, strict, exit_code, {', '.join(GATE_STATUSES)}" + (
        ", report" if with_reports else ""
    )
    where = "" if since is None else "WHERE time >= ?"
    params: tuple[float | int, ...] = (limit,) if since is None else (float(since), limit)

    def run(conn: sqlite3.Connection) -> tuple[GateRun, ...]:
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'gate_runs'"
        ).fetchone()
        if exists is None:
            return ()
        rows = conn.execute(
            f"SELECT {columns} FROM gate_runs {where} ORDER BY time DESC, id DESC LIMIT ?",
            params,
        ).fetchall()
        return tuple(
            GateRun(
                id=row["id"],
                time=row["time"],
                duration_s=row["duration_s"],
                families=tuple(json.loads(row["families"])),
                strict=bool(row["strict"]),
                exit_code=row["exit_code"],
                counts={status: int(row[status]) for status in GATE_STATUSES},
                report=row["report"] if with_reports else "",
            )
            for row in rows
        )

    return run
