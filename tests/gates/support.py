"""Helpers for the gate tests: a context on a temporary database, synthetic workload runs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from baseline.synthetic import baseline
from yesman.baseline import PerformanceBaseline
from yesman.gates import GateContext, GateReport, GateResult, performance_gates, run_gates
from yesman.policy import Policy

_POLICY = Policy.default()


def context(tmp_path: Path, **kw: Any) -> GateContext:
    return GateContext(
        policy=_POLICY,
        db_path=tmp_path / "yesman.db",
        project_dir=tmp_path,
        home=tmp_path,
        **kw,
    )


class CountingWorkload:
    """A workload that returns a prepared run and counts how often it was asked."""

    def __init__(self, run: PerformanceBaseline | Exception) -> None:
        self.run = run
        self.calls: list[float] = []

    async def __call__(self, duration: float) -> PerformanceBaseline:
        self.calls.append(duration)
        if isinstance(self.run, Exception):
            raise self.run
        return self.run


async def run_performance(
    current: PerformanceBaseline | CountingWorkload, ctx: GateContext
) -> tuple[dict[str, GateResult], GateReport]:
    workload = current if isinstance(current, CountingWorkload) else CountingWorkload(current)
    report = await run_gates(performance_gates(workload), ctx)
    return {r.name: r for r in report.results}, report


def current_run(**kw: object) -> PerformanceBaseline:
    """Another draw of the synthetic workload: what this version measured now."""
    return baseline(seed=101, **kw)  # type: ignore[arg-type]


def export_scaled(
    run: PerformanceBaseline, path: Path, factor: float, *, summaries: bool = True
) -> Path:
    """Export ``run`` as a baseline file with every raw sample times ``factor`` (and the
    summaries' quantiles too, unless ``summaries`` is false)."""
    doc = json.loads(run.to_json())
    for c in doc["components"].values():
        c["samples_ms"] = [x * factor for x in c["samples_ms"]]
        for key in ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms") if summaries else ():
            c[key] *= factor
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def with_workload(run: PerformanceBaseline, workload: str) -> PerformanceBaseline:
    env = dataclasses.replace(run.environment, workload=workload)
    return dataclasses.replace(run, environment=env)
