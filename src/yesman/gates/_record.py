"""Keeping a run of the gates in the history (`yesman.history.GateRun`, table ``gate_runs``)."""

from __future__ import annotations

from pathlib import Path

from yesman.gates._model import GateReport
from yesman.gates._report import render_json
from yesman.history import GateRun, record_gate_run
from yesman.store import AuditStore

__all__ = ["gate_run", "record_report"]


def gate_run(report: GateReport) -> GateRun:
    """The history row of ``report``, with its JSON report (compact) as text."""
    return GateRun(
        time=report.started,
        duration_s=report.finished - report.started,
        families=tuple(report.families),
        strict=report.strict,
        exit_code=report.exit_code,
        counts=report.counts(),
        report=render_json(report, indent=None),
    )


async def record_report(db: AuditStore | Path, report: GateReport) -> GateRun:
    """Store ``report`` in the database (a path is opened, created and migrated if need be);
    returns the row once committed. Raises `yesman.store.StoreError` when it cannot."""
    if isinstance(db, AuditStore):
        return await record_gate_run(db, gate_run(report))
    async with AuditStore.open(db) as store:
        return await record_gate_run(store, gate_run(report))
