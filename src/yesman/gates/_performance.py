"""The ``performance-monitoring`` gates: the standard workload, checked four ways.

All four read one run of the workload (`PerformanceRun`, ``context.duration`` seconds of the
demo's simulated agent under the real watcher, or an injected workload):

``baseline-regression``
    compares the run with a baseline (`yesman.baseline.compare`: Mann-Whitney U on the raw
    samples and a 10 % practical threshold). A ``regressed`` component whose median (p50) got
    slower beyond the threshold fails the gate, named with its p50/p95 ratios and p-value. A
    component ``regressed`` by its tail alone (p95 beyond the threshold, p50 not) and a regressed
    process figure (CPU, memory, loop lag) are warnings: between two processes on a shared
    machine the p95 of a sub-millisecond step moved by up to 25 % (and a bimodal one, such as the
    cached process check, by 5x) while the medians stayed within 6 %. No baseline, or one of
    another workload: skipped, saying why. It carries the full performance table
    (`yesman.gates._perf_tables`) whatever its status.
``bus-overflow``
    fails when the event bus lost events to a full queue; warns when the queue peaked above
    70 % of its capacity (with the size and worker count `yesman.baseline.suggest` proposes).
``memory-leak``
    fails on a suspected leak by the rule of `yesman.baseline.suggest` (process memory rising
    steadily by 5 MB or more with r² >= 0.8, or a component's retained memory rising in most
    intervals); needs at least 5 samples (``--duration 5``).
``loop-lag``
    fails when the event loop's lag p99 over the run's samples exceeds 100 ms, naming the
    components whose steps held the loop.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any, Final

from yesman._errors import YesmanError
from yesman.baseline import (
    ComponentComparison,
    PerformanceBaseline,
    SuggestionKind,
    Verdict,
    compare,
    suggest,
)
from yesman.gates._model import (
    PERFORMANCE_MONITORING,
    Finding,
    Gate,
    GateContext,
    GateResult,
    GateStatus,
)
from yesman.gates._perf_run import PerformanceRun, Workload, WorkloadFailure, pick_reference
from yesman.gates._perf_tables import performance_details

__all__ = [
    "LOOP_LAG_LIMIT_MS",
    "MIN_DELTA_MS",
    "BaselineRegressionGate",
    "BusOverflowGate",
    "LoopLagGate",
    "MemoryLeakGate",
    "performance_gates",
]

LOOP_LAG_LIMIT_MS: Final = 100.0
MIN_DELTA_MS: Final = 0.05  # a latency quantile must move this much to count (compare's default)
_LEAK_MIN_SAMPLES: Final = 5  # the leak rule's least-squares fit needs this many


def _fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"x{value:.2f}"


def _fmt_p(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2g}"


class _PerformanceGate:
    """What the four gates share: the family, the shared run, turning a failed run into ERROR."""

    _name: str = ""
    _title: str = ""

    def __init__(self, run: PerformanceRun) -> None:
        self._run = run

    @property
    def family(self) -> str:
        return PERFORMANCE_MONITORING

    @property
    def name(self) -> str:
        return self._name

    @property
    def title(self) -> str:
        return self._title

    def _result(
        self,
        status: GateStatus,
        summary: str,
        *,
        findings: Sequence[Finding] = (),
        metrics: Mapping[str, float | int | str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> GateResult:
        return GateResult(
            family=self.family,
            name=self.name,
            title=self.title,
            status=status,
            summary=summary,
            findings=tuple(findings),
            metrics=dict(metrics or {}),
            details=dict(details or {}),
        )

    async def run(self, context: GateContext) -> GateResult:
        current = await self._run.current(context.duration)
        if isinstance(current, WorkloadFailure):
            return self._result(GateStatus.ERROR, current.message)
        return await self.check(context, current)

    async def check(self, context: GateContext, current: PerformanceBaseline) -> GateResult:
        raise NotImplementedError


class BaselineRegressionGate(_PerformanceGate):
    _name = "baseline-regression"
    _title = "Standard workload against the baseline"

    async def check(self, context: GateContext, current: PerformanceBaseline) -> GateResult:
        try:
            reference = await pick_reference(context, current)
        except YesmanError as exc:  # an unreadable --baseline or database
            return self._result(
                GateStatus.ERROR,
                str(exc),
                details={"performance": performance_details(current, None, None)},
            )
        base = reference.baseline
        if reference.skip_reason is not None or base is None:
            return self._result(
                GateStatus.SKIPPED,
                reference.skip_reason or "no baseline",
                details={"performance": performance_details(current, reference, None)},
                metrics={"components": len(current.components)},
            )
        comparison = compare(base, current, min_delta_ms=MIN_DELTA_MS)
        details = {"performance": performance_details(current, reference, comparison)}
        verdicts = list(comparison.components.values())
        counts = {v: sum(1 for c in verdicts if c.verdict is v) for v in Verdict}
        metrics: dict[str, float | int | str] = {
            "baseline": base.name or "(file)",
            "components": len(verdicts),
            **{v.value.replace("-", "_"): n for v, n in counts.items()},
        }
        against = f"baseline {base.name or context.baseline!r} ({reference.how})"
        note = "" if comparison.comparable else f"; note: {comparison.notes[0]}"
        if counts[Verdict.INSUFFICIENT_DATA] == len(verdicts):
            return self._result(
                GateStatus.SKIPPED,
                f"too few samples to judge any component against {against}: run longer "
                f"(--duration, now {context.duration:g} s){note}",
                metrics=metrics,
                details=details,
            )
        regressed = [c for c in verdicts if c.verdict is Verdict.REGRESSED]
        median = [c for c in regressed if _median_moved(c, base, current, comparison.threshold)]
        tail = [c for c in regressed if c not in median]
        findings = [_regression(c, f"component {c.name}", GateStatus.FAILED) for c in median]
        findings += [
            _regression(c, f"component {c.name} (tail only)", GateStatus.WARNING) for c in tail
        ]
        findings += [
            _regression(c, f"process {name}", GateStatus.WARNING)
            for name, c in comparison.system.items()
            if name != "bus" and c.verdict is Verdict.REGRESSED  # the bus has its own gate
        ]
        metrics["regressed_median"] = len(median)
        if median:
            what = "component" if len(median) == 1 else "components"
            summary = f"{len(median)} {what} regressed against {against}: {_named(median)}"
            if tail:
                summary += f"; the tail only of {_named(tail)}"
            status = GateStatus.FAILED
        else:
            status = GateStatus.WARNING if findings else GateStatus.PASSED
            summary = (
                f"no component's median regressed against {against}: "
                f"{counts[Verdict.UNCHANGED]} unchanged, {counts[Verdict.IMPROVED]} improved, "
                f"{counts[Verdict.INSUFFICIENT_DATA]} with too few samples"
                + (f"; the tail only regressed: {_named(tail)}" if tail else "")
                + ("; process figures regressed" if len(findings) > len(tail) else "")
            )
        return self._result(
            status, summary + note, findings=tuple(findings), metrics=metrics, details=details
        )


def _median_moved(
    c: ComponentComparison,
    base: PerformanceBaseline,
    current: PerformanceBaseline,
    threshold: float,
) -> bool:
    """Whether the median of the raw samples (what compare() tests) got slower beyond the
    threshold and by at least `MIN_DELTA_MS`, not only the tail."""
    if c.ratio_p50 is None or c.ratio_p50 <= 1.0 + threshold:
        return False
    a, b = base.components.get(c.name), current.components.get(c.name)
    if a is None or b is None or not a.samples_ms or not b.samples_ms:
        return False
    return statistics.median(b.samples_ms) - statistics.median(a.samples_ms) >= MIN_DELTA_MS


def _named(components: Sequence[ComponentComparison]) -> str:
    return ", ".join(
        f"{c.name} (p50 {_fmt_ratio(c.ratio_p50)}, p95 {_fmt_ratio(c.ratio_p95)}, "
        f"p={_fmt_p(c.p_value)})"
        for c in components
    )


def _regression(c: ComponentComparison, where: str, severity: GateStatus) -> Finding:
    """The ratios the verdict rests on (raw samples), then the summaries' quantiles in ms."""
    figures = {f.figure: f for f in c.figures}
    quantiles = ", ".join(
        f"{q} {figures[f'{q}_ms'].a:.2f} -> {figures[f'{q}_ms'].b:.2f} ms"
        for q in ("p50", "p95")
        if f"{q}_ms" in figures
    )
    return Finding(
        f"regressed: p50 {_fmt_ratio(c.ratio_p50)}, p95 {_fmt_ratio(c.ratio_p95)} on the raw "
        f"samples (Mann-Whitney U p={_fmt_p(c.p_value)}, n={c.n_a} baseline / {c.n_b} now)"
        + (f"; {quantiles}" if quantiles else ""),
        where=where,
        severity=severity,
    )


class BusOverflowGate(_PerformanceGate):
    _name = "bus-overflow"
    _title = "Event bus overflow"

    async def check(self, context: GateContext, current: PerformanceBaseline) -> GateResult:
        bus = current.bus
        if bus is None:
            return self._result(
                GateStatus.SKIPPED,
                "the workload published no events on the event bus: nothing to check",
            )
        metrics: dict[str, float | int | str] = {
            "events_published": bus.events_published,
            "events_processed": bus.events_processed,
            "events_dropped": bus.events_dropped,
            "queue_overflow_events": bus.queue_overflow_events,
            "peak_queue_depth": bus.peak_queue_depth,
            "queue_capacity": bus.queue_capacity,
            "peak_utilization_percent": round(bus.peak_utilization_percent, 1),
        }
        advice = [s for s in suggest(current) if s.kind is SuggestionKind.QUEUE]
        change = f"; suggested: {advice[0].change}" if advice else ""
        peak = (
            f"queue peaked at {bus.peak_queue_depth} of {bus.queue_capacity} "
            f"({bus.peak_utilization_percent:.0f} %)"
        )
        if bus.queue_overflow_events:
            return self._result(
                GateStatus.FAILED,
                f"{bus.queue_overflow_events} events lost to a full queue; {peak}{change}",
                findings=tuple(Finding(e, where="event bus") for e in advice[0].evidence)
                if advice
                else (Finding(f"{bus.queue_overflow_events} events lost", where="event bus"),),
                metrics=metrics,
            )
        if advice:
            return self._result(
                GateStatus.WARNING,
                f"no overflow, but the {peak}{change}",
                findings=tuple(
                    Finding(e, where="event bus", severity=GateStatus.WARNING)
                    for e in advice[0].evidence
                ),
                metrics=metrics,
            )
        return self._result(
            GateStatus.PASSED,
            f"no overflow: {bus.events_published} events published, {peak}",
            metrics=metrics,
        )


class MemoryLeakGate(_PerformanceGate):
    _name = "memory-leak"
    _title = "Memory growth (suspected leak)"

    async def check(self, context: GateContext, current: PerformanceBaseline) -> GateResult:
        samples = current.monitoring_metrics
        if len(samples) < _LEAK_MIN_SAMPLES:
            return self._result(
                GateStatus.SKIPPED,
                f"the run took {len(samples)} samples; the leak rule needs at least "
                f"{_LEAK_MIN_SAMPLES} (--duration {_LEAK_MIN_SAMPLES} or more)",
            )
        start, end = samples[0].memory_used_mb, samples[-1].memory_used_mb
        metrics: dict[str, float | int | str] = {
            "memory_start_mb": round(start, 2),
            "memory_end_mb": round(end, 2),
            "memory_peak_mb": round(current.system_metrics.memory_peak_mb, 2),
            "samples": len(samples),
        }
        leaks = [s for s in suggest(current) if s.kind is SuggestionKind.MEMORY_GROWTH]
        if leaks:
            return self._result(
                GateStatus.FAILED,
                "; ".join(s.title for s in leaks),
                findings=tuple(
                    Finding(f"{evidence} ({s.change})", where=s.component or "process")
                    for s in leaks
                    for evidence in s.evidence
                ),
                metrics=metrics,
            )
        return self._result(
            GateStatus.PASSED,
            f"no steady growth: resident memory {start:.1f} -> {end:.1f} MB over "
            f"{samples[-1].t - samples[0].t:.0f} s",
            metrics=metrics,
        )


class LoopLagGate(_PerformanceGate):
    _name = "loop-lag"
    _title = "Event-loop lag"

    async def check(self, context: GateContext, current: PerformanceBaseline) -> GateResult:
        s = current.system_metrics
        if s.sample_count == 0:
            return self._result(GateStatus.SKIPPED, "the run took no samples of the loop's lag")
        metrics: dict[str, float | int | str] = {
            "loop_lag_p50_ms": round(s.loop_lag_p50_ms, 2),
            "loop_lag_p99_ms": round(s.loop_lag_p99_ms, 2),
            "loop_lag_max_ms": round(s.loop_lag_max_ms, 2),
            "limit_ms": LOOP_LAG_LIMIT_MS,
            "samples": s.sample_count,
        }
        figures = (
            f"lag p99 {s.loop_lag_p99_ms:.1f} ms (p50 {s.loop_lag_p50_ms:.1f}, max "
            f"{s.loop_lag_max_ms:.1f}) over {s.sample_count} samples"
        )
        if s.loop_lag_p99_ms <= LOOP_LAG_LIMIT_MS:
            return self._result(
                GateStatus.PASSED, f"{figures}; limit {LOOP_LAG_LIMIT_MS:.0f} ms", metrics=metrics
            )
        slow = [x for x in suggest(current) if x.kind is SuggestionKind.SLOW_STEP]
        return self._result(
            GateStatus.FAILED,
            f"{figures}, over the {LOOP_LAG_LIMIT_MS:.0f} ms limit"
            + (f"; blocking: {', '.join(x.component or '?' for x in slow)}" if slow else ""),
            findings=tuple(
                Finding(f"{x.evidence[0]}; {x.change}", where=f"component {x.component}")
                for x in slow
            ),
            metrics=metrics,
        )


def performance_gates(workload: Workload | None = None) -> list[Gate]:
    """The family's gates, sharing one run of ``workload`` (default: the demo workload)."""
    run = PerformanceRun(workload)
    return [
        BaselineRegressionGate(run),
        BusOverflowGate(run),
        MemoryLeakGate(run),
        LoopLagGate(run),
    ]
