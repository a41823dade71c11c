"""Runs of `yesman gates` in the store: written through the worker, listed newest first."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from yesman.history import GateRun, read_gate_runs, record_gate_run
from yesman.store import SCHEMA_VERSION, AuditStore, StoreNotFoundError
from yesman.store._schema import _MIGRATIONS

T0 = 1_700_000_000.0


def _run(n: int, exit_code: int = 0) -> GateRun:
    return GateRun(
        time=T0 + 60 * n,
        duration_s=31.5 + n,
        families=("enhanced-security", "performance-monitoring"),
        strict=n % 2 == 1,
        exit_code=exit_code,
        counts={"passed": 5, "warning": 1, "skipped": n, "failed": 0, "error": 0},
        report=json.dumps({"schema": "yesman.gates.report", "n": n}),
    )


async def test_record_and_list_newest_first(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    async with AuditStore.open(path) as store:
        saved = [await record_gate_run(store, _run(n, exit_code=n % 3)) for n in range(5)]
        assert all(s.id for s in saved)
        listed = await read_gate_runs(store, limit=3)
    assert [r.time for r in listed] == [T0 + 240, T0 + 180, T0 + 120]
    newest = listed[0]
    assert newest.families == ("enhanced-security", "performance-monitoring")
    assert (newest.strict, newest.exit_code, newest.duration_s) == (False, 1, 35.5)
    assert newest.counts == {"passed": 5, "warning": 1, "skipped": 4, "failed": 0, "error": 0}
    assert newest.report == ""  # listings leave the reports out unless asked
    # A fresh reader (another process would do the same) sees every committed run.
    full = await read_gate_runs(path, limit=10, since=T0 + 60, with_reports=True)
    assert [json.loads(r.report)["n"] for r in full] == [4, 3, 2, 1]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


async def test_a_database_from_before_gate_runs_reads_empty(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for migration in _MIGRATIONS[:3]:
        for statement in migration:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    assert await read_gate_runs(path) == ()
    # Opening it for writing migrates it; the run is then kept.
    async with AuditStore.open(path) as store:
        await record_gate_run(store, _run(0))
    assert len(await read_gate_runs(path)) == 1


async def test_bad_input_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    async with AuditStore.open(tmp_path / "y.db") as store:
        with pytest.raises(ValueError, match="unknown statuses"):
            await record_gate_run(
                store,
                GateRun(
                    time=T0, duration_s=1.0, families=(), strict=False, exit_code=0,
                    counts={"ok": 1}, report="{}",
                ),
            )  # fmt: skip
        with pytest.raises(ValueError, match="JSON report"):
            await record_gate_run(
                store,
                GateRun(time=T0, duration_s=1.0, families=(), strict=False, exit_code=0),
            )
        assert await read_gate_runs(store) == ()
        with pytest.raises(ValueError, match="positive integer"):
            await read_gate_runs(store, limit=0)
    with pytest.raises(StoreNotFoundError):
        await read_gate_runs(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()
