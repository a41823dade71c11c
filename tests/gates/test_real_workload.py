"""The performance gates on the real demo workload (a private tmux server, the simulated agent,
the real watcher), briefly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gates.support import context
from yesman.gates import GateStatus, default_gates, run_gates

pytestmark = pytest.mark.tmux


async def test_the_demo_workload_through_every_performance_gate(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    report = await run_gates(
        default_gates(["performance-monitoring"]), context(tmp_path, duration=3.0)
    )
    results = {r.name: r for r in report.results}
    regression = results["baseline-regression"]
    assert regression.status is GateStatus.SKIPPED  # a fresh database holds no baseline
    assert "no saved baseline" in regression.summary
    perf = regression.details["performance"]
    assert perf["workload"]["name"] == "demo"
    rows = {r["component"]: r for r in perf["components"]}
    # The watcher really captured, parsed and answered the simulated agent's dialogs.
    assert rows["content_capture"]["count"] > 0
    assert rows["prompt_detection"]["count"] > 0
    assert rows["dialog_answer"]["count"] > 0
    assert rows["content_capture"]["line"].endswith("MB/s")
    assert perf["bus"]["events_published"] > 0
    assert results["bus-overflow"].status is GateStatus.PASSED
    samples = perf["workload"]["samples"]
    assert results["memory-leak"].status is (
        GateStatus.SKIPPED if samples < 5 else GateStatus.PASSED
    )
    lag = results["loop-lag"]
    assert lag.metrics["samples"] == samples
    assert lag.status is (
        GateStatus.PASSED if float(lag.metrics["loop_lag_p99_ms"]) <= 100 else GateStatus.FAILED
    )
    assert not (tmp_path / "yesman.db").exists()  # the gates only read the database
