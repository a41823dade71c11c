"""What the performance gates share: one run of the standard workload, and the baseline to
compare it with.

`PerformanceRun` runs the workload once per duration however many gates ask (each gate of the
family reads the same run), and remembers a failure so the other gates report it instead of
running it again. `pick_reference` finds the baseline: the one named by ``--baseline`` (a saved
name or an exported file), else the newest saved baseline of the same workload on the same
kind of machine (same workload name and agent versions, same CPU model and core count; the
kernel may differ). The database is only read, never created.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from yesman.baseline import (
    Environment,
    PerformanceBaseline,
    load_baseline,
    resolve_baseline,
)
from yesman.gates._model import GateContext
from yesman.store import AuditStore

__all__ = [
    "PerformanceRun",
    "Reference",
    "Workload",
    "WorkloadFailure",
    "demo_workload",
    "load_reference",
    "pick_reference",
    "same_machine",
    "same_workload",
]

_log = logging.getLogger(__name__)

Workload = Callable[[float], Awaitable[PerformanceBaseline]]
"""Runs a workload for the given seconds and returns its figures (not saved)."""

RECORD_HINT = "`yesman baseline record --workload demo --name NAME` saves one"


async def demo_workload(duration: float) -> PerformanceBaseline:
    """The standard workload: the demo's simulated agent under the real watcher."""
    from yesman.workload import record_demo_workload  # noqa: PLC0415 (tmux, simulator)

    return await record_demo_workload(duration, None)


@dataclass(frozen=True, slots=True)
class WorkloadFailure:
    """The workload could not run; ``message`` says why and what to do."""

    message: str


class PerformanceRun:
    """The workload's figures for every gate of one run of the gates (run once per duration)."""

    def __init__(self, workload: Workload | None = None) -> None:
        self._workload = workload or demo_workload
        self._lock = asyncio.Lock()
        self._results: dict[float, PerformanceBaseline | WorkloadFailure] = {}

    async def current(self, duration: float) -> PerformanceBaseline | WorkloadFailure:
        async with self._lock:
            if duration not in self._results:
                self._results[duration] = await self._run(duration)
            return self._results[duration]

    async def _run(self, duration: float) -> PerformanceBaseline | WorkloadFailure:
        try:
            return await self._workload(duration)
        except Exception as exc:  # any failure of tmux, the simulator or the watcher
            _log.warning("the standard workload failed", exc_info=True)
            return WorkloadFailure(
                f"the standard workload could not run ({type(exc).__name__}: {exc}); it needs "
                "tmux on PATH and a writable temporary folder"
            )


@dataclass(frozen=True, slots=True)
class Reference:
    """The baseline to compare with and how it was chosen, or why there is none."""

    baseline: PerformanceBaseline | None
    how: str
    skip_reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        b = self.baseline
        return {
            "name": None if b is None else b.name,
            "created": None if b is None else b.created,
            "workload": None if b is None else b.environment.workload,
            "environment": None if b is None else b.environment.key,
            "how": self.how,
            "skip_reason": self.skip_reason,
        }


def same_workload(a: Environment, b: Environment) -> bool:
    """Same work: the workload's name and the (simulated or real) agent versions it drove."""
    return a.workload == b.workload and dict(a.agent_versions) == dict(b.agent_versions)


def same_machine(a: Environment, b: Environment) -> bool:
    """Same kind of machine: CPU model and core count (a kernel update does not matter)."""
    return a.cpu_model == b.cpu_model and a.cores == b.cores


def _describe(env: Environment) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in sorted(env.agent_versions.items()))
    return f"workload {env.workload!r}" + (f" ({versions})" if versions else "")


async def _has_baselines(store: AuditStore) -> bool:
    """False for a database from before baselines existed (opened read-only, not migrated)."""

    def run(conn: sqlite3.Connection) -> bool:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'baselines'"
        ).fetchone()
        return found is not None

    return await store.run_read(run)


async def load_reference(db: Path, ref: str) -> PerformanceBaseline:
    """``ref`` as a saved baseline's name in ``db`` (when it exists) or an exported file."""
    if not await asyncio.to_thread(db.exists):
        return await resolve_baseline(None, ref)
    async with AuditStore.open(db, read_only=True) as store:
        return await resolve_baseline(store if await _has_baselines(store) else None, ref)


async def pick_reference(context: GateContext, current: PerformanceBaseline) -> Reference:
    """The baseline for ``current``. Raises `yesman.baseline.BaselineError` for a ``--baseline``
    that names nothing readable and `yesman.store.StoreError` for a database that cannot be
    read."""
    env = current.environment
    db = context.db_path
    if context.baseline is not None:
        chosen = await load_reference(db, context.baseline)
        how = f"named by --baseline {context.baseline}"
        if not same_workload(chosen.environment, env):
            return Reference(
                chosen,
                how,
                skip_reason=(
                    f"baseline {chosen.name or context.baseline!r} was recorded with "
                    f"{_describe(chosen.environment)}, this run is {_describe(env)}: they do not "
                    f"compare; {RECORD_HINT}"
                ),
            )
        return Reference(chosen, how)
    if not await asyncio.to_thread(db.exists):
        return Reference(
            None, "none", skip_reason=f"no saved baseline to compare with ({db} does not exist); "
            f"{RECORD_HINT}"
        )  # fmt: skip
    async with AuditStore.open(db, read_only=True) as store:
        saved = await store.list_baselines() if await _has_baselines(store) else []
        rows = [r for r in saved if r.workload == env.workload]
        others: list[str] = []
        for row in rows:  # newest first
            candidate = await load_baseline(store, row.name)
            if same_workload(candidate.environment, env) and same_machine(
                candidate.environment, env
            ):
                return Reference(
                    candidate,
                    f"the newest saved baseline of {_describe(env)} on {env.cores} x "
                    f"{env.cpu_model}",
                )
            others.append(row.name)
    if others:
        reason = (
            f"no saved baseline of {_describe(env)} on {env.cores} x {env.cpu_model} in {db}: "
            f"the {len(others)} of that workload are from other machines or agent versions "
            f"(newest {others[0]!r}); pass one with --baseline to compare anyway, or record one "
            f"here: {RECORD_HINT}"
        )
    else:
        reason = f"no saved baseline of {_describe(env)} in {db}; {RECORD_HINT}"
    return Reference(None, "none", skip_reason=reason)
