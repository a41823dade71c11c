"""The performance-monitoring gates on synthetic runs: regression against a baseline (file,
saved name, or the newest of the same workload and machine), bus overflow, leaks, loop lag."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from baseline.synthetic import baseline, draws
from gates.support import (
    CountingWorkload,
    context,
    current_run,
    export_scaled,
    run_performance,
    with_workload,
)
from yesman.baseline import BusSummary, ComponentSummary, save_baseline, summarize_samples
from yesman.gates import GateStatus
from yesman.store import AuditStore
from yesman.store._schema import _MIGRATIONS


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("summaries", [True, False], ids=["samples-and-summaries", "samples"])
async def test_a_baseline_three_times_faster_fails_and_names_the_component(
    tmp_path: Path, summaries: bool
) -> None:
    # Another run of the same workload, its raw samples made three times faster, exported.
    file = export_scaled(
        baseline(seed=1, name="fast"), tmp_path / "fast.json", 1 / 3, summaries=summaries
    )
    results, report = await run_performance(current_run(), context(tmp_path, baseline=str(file)))
    gate = results["baseline-regression"]
    assert gate.status is GateStatus.FAILED
    assert report.exit_code == 1
    assert "content_capture" in gate.summary
    assert "prompt_detection" in gate.summary
    assert "'fast'" in gate.summary  # which baseline it was compared with
    finding = next(f for f in gate.findings if f.where == "component content_capture")
    assert "regressed" in finding.message
    assert "p=" in finding.message
    # The ratios are the factor: the current run is three times slower.
    row = {r["component"]: r for r in gate.details["performance"]["components"]}
    assert row["content_capture"]["verdict"] == "regressed"
    assert row["content_capture"]["ratio_p50"] == pytest.approx(3.0, rel=0.15)
    assert row["content_capture"]["p_value"] < 1e-6
    assert gate.metrics["regressed"] == gate.metrics["regressed_median"] == 2
    # The other gates judge the run alone and are fine.
    assert {n: r.status for n, r in results.items() if n != "baseline-regression"} == {
        "bus-overflow": GateStatus.SKIPPED,  # the synthetic run has no bus
        "memory-leak": GateStatus.PASSED,
        "loop-lag": GateStatus.PASSED,
    }


async def test_the_same_workload_again_passes(tmp_path: Path) -> None:
    file = tmp_path / "same.json"
    file.write_text(baseline(seed=1, name="same").to_json(), encoding="utf-8")
    results, report = await run_performance(current_run(), context(tmp_path, baseline=str(file)))
    gate = results["baseline-regression"]
    assert gate.status is GateStatus.PASSED, gate.summary
    assert "2 unchanged" in gate.summary
    assert report.exit_code == 0


@pytest.mark.parametrize("how", ["file", "saved-name"])
async def test_a_baseline_of_another_workload_is_skipped_with_the_reason(
    tmp_path: Path, how: str
) -> None:
    other = with_workload(baseline(seed=1, name="watched"), "watch")
    if how == "file":
        ref = str(_write(tmp_path / "watched.json", other.to_json()))
    else:
        ref = "watched"
        async with AuditStore.open(tmp_path / "yesman.db") as store:
            await save_baseline(store, other)
    results, report = await run_performance(current_run(), context(tmp_path, baseline=ref))
    gate = results["baseline-regression"]
    assert gate.status is GateStatus.SKIPPED
    assert "workload 'watch'" in gate.summary
    assert "workload 'synthetic'" in gate.summary
    assert "do not compare" in gate.summary
    assert report.exit_code == 0
    # The absolute checks ran anyway.
    assert results["loop-lag"].status is GateStatus.PASSED
    # Under --strict the skip fails the run.
    _, strict = await run_performance(current_run(), context(tmp_path, baseline=ref, strict=True))
    assert strict.exit_code == 1


async def test_no_database_is_skipped_and_nothing_is_created(tmp_path: Path) -> None:
    results, _ = await run_performance(current_run(), context(tmp_path))
    gate = results["baseline-regression"]
    assert gate.status is GateStatus.SKIPPED
    assert "yesman baseline record" in gate.summary
    assert not (tmp_path / "yesman.db").exists()
    # The figures of the run are in the report even without a comparison.
    perf = gate.details["performance"]
    assert [r["component"] for r in perf["components"]] == ["content_capture", "prompt_detection"]
    assert all(r["verdict"] is None for r in perf["components"])


async def test_the_newest_baseline_of_the_same_workload_and_machine_is_picked(
    tmp_path: Path,
) -> None:
    current = current_run()
    same = dataclasses.replace(baseline(seed=1, name="old-same"), created=1000.0)
    elsewhere = dataclasses.replace(
        baseline(seed=2, name="new-elsewhere"),
        created=3000.0,
        environment=dataclasses.replace(current.environment, cores=64),
    )
    watch = dataclasses.replace(
        with_workload(baseline(seed=3, name="newest-watch"), "watch"), created=4000.0
    )
    async with AuditStore.open(tmp_path / "yesman.db") as store:
        for b in (same, elsewhere, watch):
            await save_baseline(store, b)
    results, _ = await run_performance(current, context(tmp_path))
    gate = results["baseline-regression"]
    assert gate.status is GateStatus.PASSED, gate.summary
    assert "'old-same'" in gate.summary
    assert "newest saved baseline of workload 'synthetic'" in gate.summary
    assert gate.details["performance"]["baseline"]["name"] == "old-same"

    async with AuditStore.open(tmp_path / "yesman.db") as store:
        await store.delete_baseline("old-same")
    results, _ = await run_performance(current, context(tmp_path))
    gate = results["baseline-regression"]
    assert gate.status is GateStatus.SKIPPED
    assert "other machines" in gate.summary
    assert "'new-elsewhere'" in gate.summary
    assert "--baseline" in gate.summary


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(None, "neither a saved baseline", id="missing"),
        pytest.param("{not json", "not JSON", id="not-json"),
        pytest.param('{"schema": "other"}', "not a yesman baseline", id="foreign"),
    ],
)
async def test_an_unreadable_baseline_is_an_error_saying_what_to_do(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    file = tmp_path / "b.json"
    if content is not None:
        file.write_text(content, encoding="utf-8")
    results, report = await run_performance(current_run(), context(tmp_path, baseline=str(file)))
    gate = results["baseline-regression"]
    assert gate.status is GateStatus.ERROR
    assert expected in gate.summary
    assert report.exit_code == 2
    assert gate.details["performance"]["components"]  # the run's figures are still reported


def _bus(**kw: int | float) -> BusSummary:
    figures: dict[str, int | float] = {
        "events_published": 500,
        "events_processed": 500,
        "queue_capacity": 100,
        "worker_count": 4,
        "peak_queue_depth": 10,
        "peak_utilization_percent": 10.0,
        "average_processing_ms": 0.5,
    }
    figures.update(kw)
    return BusSummary(**figures)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bus", "expected", "said"),
    [
        pytest.param(_bus(), GateStatus.PASSED, "no overflow", id="quiet"),
        pytest.param(
            _bus(peak_queue_depth=85, peak_utilization_percent=85.0),
            GateStatus.WARNING,
            "max_queue_size=256",
            id="nearly-full",
        ),
        pytest.param(
            _bus(
                peak_queue_depth=100,
                peak_utilization_percent=100.0,
                queue_overflow_events=7,
                events_dropped=7,
            ),
            GateStatus.FAILED,
            "7 events lost to a full queue",
            id="overflow",
        ),
    ],
)
async def test_bus_overflow(
    tmp_path: Path, bus: BusSummary, expected: GateStatus, said: str
) -> None:
    results, _ = await run_performance(current_run(bus=bus), context(tmp_path))
    gate = results["bus-overflow"]
    assert gate.status is expected
    assert said in gate.summary
    assert gate.metrics["queue_overflow_events"] == bus.queue_overflow_events
    assert gate.details == {}
    perf = results["baseline-regression"].details["performance"]
    assert perf["bus"]["queue_overflow_events"] == bus.queue_overflow_events


@pytest.mark.parametrize(
    ("memory", "expected"),
    [
        pytest.param([50.0 + 0.01 * (i % 3) for i in range(30)], GateStatus.PASSED, id="flat"),
        pytest.param([50.0 + 0.8 * i for i in range(30)], GateStatus.FAILED, id="growing"),
        pytest.param([50.0, 60.0, 70.0, 80.0], GateStatus.SKIPPED, id="too-few-samples"),
    ],
)
async def test_memory_leak(tmp_path: Path, memory: list[float], expected: GateStatus) -> None:
    results, _ = await run_performance(current_run(memory=memory), context(tmp_path))
    gate = results["memory-leak"]
    assert gate.status is expected, gate.summary
    if expected is GateStatus.FAILED:
        assert "suspected leak" in gate.summary
        assert gate.findings[0].where == "process"
        assert "50.0 -> 73.2 MB" in gate.findings[0].message
    if expected is GateStatus.SKIPPED:
        assert "--duration 5" in gate.summary


async def test_loop_lag_over_100_ms_fails_and_names_the_blocking_component(
    tmp_path: Path,
) -> None:
    run = current_run()
    blocking = dataclasses.replace(
        run.components["prompt_detection"], slow_steps=12, slow_step_max_ms=400.0
    )
    laggy = dataclasses.replace(
        run,
        system_metrics=dataclasses.replace(
            run.system_metrics, loop_lag_p50_ms=20.0, loop_lag_p99_ms=180.0, loop_lag_max_ms=400
        ),
        components={**run.components, "prompt_detection": blocking},
    )
    results, _ = await run_performance(laggy, context(tmp_path))
    gate = results["loop-lag"]
    assert gate.status is GateStatus.FAILED
    assert "lag p99 180.0 ms" in gate.summary
    assert "blocking: prompt_detection" in gate.summary
    assert gate.findings[0].where == "component prompt_detection"
    under = dataclasses.replace(
        laggy, system_metrics=dataclasses.replace(laggy.system_metrics, loop_lag_p99_ms=99.5)
    )
    results, _ = await run_performance(under, context(tmp_path))
    assert results["loop-lag"].status is GateStatus.PASSED
    assert "lag p99 99.5 ms" in results["loop-lag"].summary


async def test_the_workload_runs_once_for_the_four_gates(tmp_path: Path) -> None:
    workload = CountingWorkload(current_run())
    results, _ = await run_performance(workload, context(tmp_path, duration=12.5))
    assert len(results) == 4
    assert workload.calls == [12.5]


async def test_a_failing_workload_is_an_error_in_every_gate_and_runs_once(
    tmp_path: Path,
) -> None:
    workload = CountingWorkload(FileNotFoundError(2, "No such file or directory", "tmux"))
    results, report = await run_performance(workload, context(tmp_path))
    assert {r.status for r in results.values()} == {GateStatus.ERROR}
    assert all("tmux" in r.summary for r in results.values())
    assert workload.calls == [30.0]
    assert report.exit_code == 2


async def test_the_table_carries_the_seed_line_per_component(tmp_path: Path) -> None:
    run = current_run()
    slow = ComponentSummary(
        count=40,
        errors=1,
        p50_ms=140.0,
        p95_ms=200.1,
        mean_ms=150.5,
        memory_growth_mb=2.5,
        cpu_percent=25.3,
        bytes_sent=int(1.2 * 1024 * 1024 * run.duration_seconds),
        samples_ms=(140.0,) * 40,
    )
    run = dataclasses.replace(run, components={**run.components, "content_capture": slow})
    results, _ = await run_performance(run, context(tmp_path))
    rows = {r["component"]: r for r in results["baseline-regression"].details["performance"][
        "components"]}  # fmt: skip
    assert rows["content_capture"]["line"] == (
        "Bottleneck in content_capture: avg=150.5ms, p95=200.1ms, errors=1, mem=2.5MB, "
        "cpu=25.3%, net=1.2MB/s"
    )
    assert rows["content_capture"]["bottleneck"] == ["latency", "io"]
    quiet = rows["prompt_detection"]
    assert quiet["line"].startswith("prompt_detection: avg=")
    assert quiet["bottleneck"] == []
    json.dumps(results["baseline-regression"].details)  # JSON-ready as it is


async def test_a_regressed_process_figure_is_a_warning(tmp_path: Path) -> None:
    file = tmp_path / "same.json"
    file.write_text(baseline(seed=1, name="same").to_json(), encoding="utf-8")
    run = current_run()
    busier = tuple(dataclasses.replace(s, cpu_percent=9.0 + 0.1 * (i % 4))
                   for i, s in enumerate(run.monitoring_metrics))  # fmt: skip
    results, report = await run_performance(
        dataclasses.replace(run, monitoring_metrics=busier), context(tmp_path, baseline=str(file))
    )
    gate = results["baseline-regression"]
    assert gate.status is GateStatus.WARNING, gate.summary
    assert "process figures regressed" in gate.summary
    (finding,) = gate.findings
    assert finding.where == "process cpu_percent"
    assert finding.severity is GateStatus.WARNING
    assert report.exit_code == 0
    _, strict = await run_performance(
        dataclasses.replace(run, monitoring_metrics=busier),
        context(tmp_path, baseline=str(file), strict=True),
    )
    assert strict.exit_code == 1


def _old_database(path: Path) -> Path:
    """A database written before baselines existed (schema 2), never migrated."""
    conn = sqlite3.connect(path)
    for migration in _MIGRATIONS[:2]:
        for statement in migration:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    return path


async def test_a_database_from_before_baselines_holds_none(tmp_path: Path) -> None:
    _old_database(tmp_path / "yesman.db")
    results, _ = await run_performance(current_run(), context(tmp_path))
    gate = results["baseline-regression"]
    assert gate.status is GateStatus.SKIPPED
    assert "no saved baseline of workload 'synthetic'" in gate.summary
    # A baseline file still works beside such a database.
    file = _write(tmp_path / "same.json", baseline(seed=1, name="same").to_json())
    results, _ = await run_performance(current_run(), context(tmp_path, baseline=str(file)))
    assert results["baseline-regression"].status is GateStatus.PASSED


async def test_a_regression_of_the_tail_alone_is_a_warning(tmp_path: Path) -> None:
    # The slower 45 % of operations take twice as long: p95 x2, the median where it was.
    ordered = sorted(draws(400, seed=101))
    cut = int(len(ordered) * 0.55)
    slow_tail = summarize_samples(ordered[:cut] + [x * 2 for x in ordered[cut:]])
    run = current_run()
    run = dataclasses.replace(run, components={**run.components, "content_capture": slow_tail})
    file = _write(tmp_path / "same.json", baseline(seed=1, name="same").to_json())
    results, report = await run_performance(run, context(tmp_path, baseline=str(file)))
    gate = results["baseline-regression"]
    row = {r["component"]: r for r in gate.details["performance"]["components"]}
    assert row["content_capture"]["verdict"] == "regressed"  # compare() calls it so
    assert gate.status is GateStatus.WARNING, gate.summary
    assert "the tail only regressed: content_capture" in gate.summary
    (finding,) = gate.findings
    assert finding.where == "component content_capture (tail only)"
    assert finding.severity is GateStatus.WARNING
    assert report.exit_code == 0
