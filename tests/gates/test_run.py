"""`run_gates` and `default_gates`: order, timing, crashing gates, exit codes, families."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from gates.support import context
from yesman.gates import (
    ENHANCED_SECURITY,
    FAMILIES,
    PERFORMANCE_MONITORING,
    Gate,
    GateContext,
    GateResult,
    GateStatus,
    default_gates,
    run_gates,
)


@dataclass
class ScriptedGate:
    """A gate (the public `Gate` protocol) that ends as told, after ``seconds``."""

    name: str
    outcome: GateStatus | Exception | str
    seconds: float = 0.0
    family: str = ENHANCED_SECURITY
    title: str = "scripted"

    async def run(self, context: GateContext) -> GateResult:
        await asyncio.sleep(self.seconds)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        if isinstance(self.outcome, GateStatus):
            return GateResult(
                self.family, self.name, self.title, self.outcome, f"ended {self.name}"
            )
        return self.outcome  # type: ignore[return-value]  # a broken gate


async def test_gates_run_in_order_timed_and_a_crash_stops_nothing(tmp_path: Path) -> None:
    seen: list[tuple[str, str | None]] = []

    def progress(gate: Gate, result: GateResult | None) -> None:
        seen.append((gate.name, None if result is None else result.status.value))

    gates = [
        ScriptedGate("first", GateStatus.PASSED, seconds=0.05),
        ScriptedGate("boom", RuntimeError("the disk is made of cheese")),
        ScriptedGate("liar", "not a result"),
        ScriptedGate("last", GateStatus.PASSED),
    ]
    report = await run_gates(gates, context(tmp_path), progress=progress)
    assert [r.name for r in report.results] == ["first", "boom", "liar", "last"]
    assert seen == [
        ("first", None), ("first", "passed"), ("boom", None), ("boom", "error"),
        ("liar", None), ("liar", "error"), ("last", None), ("last", "passed"),
    ]  # fmt: skip
    first, boom, liar, last = report.results
    assert first.duration_s >= 0.05
    assert report.finished - report.started >= 0.05
    assert boom.status is GateStatus.ERROR
    assert "RuntimeError: the disk is made of cheese" in boom.summary
    where = boom.findings[0].where
    assert where is not None
    assert re.search(r"test_run\.py:\d+$", where)  # the line that raised
    assert "Traceback" in boom.details["traceback"]
    assert "not a GateResult" in liar.summary
    assert last.status is GateStatus.PASSED
    assert report.exit_code == 2
    assert report.families == (ENHANCED_SECURITY,)
    assert report.environment["policy"] == "<default policy>"


@pytest.mark.parametrize(
    ("statuses", "strict", "code"),
    [
        pytest.param([GateStatus.PASSED, GateStatus.PASSED], False, 0, id="all-pass"),
        pytest.param([GateStatus.PASSED, GateStatus.FAILED], False, 1, id="one-fails"),
        pytest.param([GateStatus.ERROR, GateStatus.PASSED], False, 2, id="one-cannot-run"),
        pytest.param([GateStatus.ERROR, GateStatus.FAILED], False, 1, id="failure-beats-error"),
        pytest.param([GateStatus.SKIPPED, GateStatus.WARNING], False, 0, id="skip-and-warn"),
        pytest.param([GateStatus.SKIPPED, GateStatus.PASSED], True, 1, id="strict-skip"),
        pytest.param([GateStatus.WARNING, GateStatus.PASSED], True, 1, id="strict-warning"),
        pytest.param([], False, 0, id="no-gates"),
    ],
)
async def test_exit_codes(
    tmp_path: Path, statuses: list[GateStatus], strict: bool, code: int
) -> None:
    gates = [ScriptedGate(f"g{i}", s) for i, s in enumerate(statuses)]
    report = await run_gates(gates, context(tmp_path, strict=strict))
    assert report.exit_code == code
    assert report.strict is strict


async def test_families_asked_for_are_recorded_even_without_gates(tmp_path: Path) -> None:
    report = await run_gates([], context(tmp_path), families=FAMILIES)
    assert report.families == FAMILIES
    assert report.results == ()


def test_default_gates_by_family() -> None:
    perf = default_gates([PERFORMANCE_MONITORING])
    assert [g.name for g in perf] == [
        "baseline-regression",
        "bus-overflow",
        "memory-leak",
        "loop-lag",
    ]
    assert {g.family for g in perf} == {PERFORMANCE_MONITORING}
    both = default_gates(reversed(FAMILIES))  # the order asked for does not matter
    assert [g.family for g in both] == sorted((g.family for g in both), key=FAMILIES.index)
    with pytest.raises(ValueError, match="performance-monitoring"):
        default_gates(["performance"])
