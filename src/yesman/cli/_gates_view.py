"""The rich tables `yesman gates` prints: the gates (gate, result, evidence) and, when the
performance gates ran, the workload's components against the baseline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from yesman.gates import GateReport, GateResult, GateStatus

__all__ = ["gates_view"]

_STYLE: Final = {
    GateStatus.PASSED: "green",
    GateStatus.WARNING: "yellow",
    GateStatus.SKIPPED: "dim",
    GateStatus.FAILED: "bold red",
    GateStatus.ERROR: "bold magenta",
}
_MAX_FINDINGS: Final = 5  # per gate in the table; the reports carry every one
_OUTCOME: Final = {
    0: ("passed", "bold green"),
    1: ("FAILED", "bold red"),
    2: ("ERROR", "bold magenta"),
}


def _evidence(r: GateResult) -> Text:
    """The summary and the problems found; evidence that something is fine (a finding of
    severity ``passed``, such as a known gap) is left to the JSON and Markdown reports."""
    text = Text(r.summary)
    problems = [f for f in r.findings if f.severity is not GateStatus.PASSED]
    for f in problems[:_MAX_FINDINGS]:
        text.append("\n  • " + str(f), style=_STYLE.get(f.severity, ""))
    hidden = len(r.findings) - min(len(problems), _MAX_FINDINGS)
    if hidden > 0:
        more = "more" if problems else ("note" if hidden == 1 else "notes")
        text.append(f"\n  … and {hidden} {more} (see --json or --markdown)", style="dim")
    return text


def _gates_table(report: GateReport) -> Table:
    table = Table(title="yesman quality gates", header_style="bold", show_lines=True)
    table.add_column("gate", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("evidence", overflow="fold")
    for r in report.results:
        label = r.status.value
        if r.status.fails(strict=report.strict) and r.status is not GateStatus.FAILED:
            label += " (strict)"
        table.add_row(r.gate_id, Text(label, style=_STYLE[r.status]), _evidence(r))
    for family in report.families:
        if not any(r.family == family for r in report.results):
            table.add_row(family, Text("none", style="dim"), "no gate of this family in this build")
    return table


def _fmt(value: Any, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def _performance_table(perf: Mapping[str, Any]) -> RenderableType:
    workload = perf.get("workload") or {}
    base = perf.get("baseline") or {}
    against = (
        f"against baseline {base.get('name')!r}"
        if base.get("name") and not base.get("skip_reason")
        else "no baseline"
    )
    took = _fmt(workload.get("duration_seconds"), ".0f")
    table = Table(
        title=f"workload {workload.get('name')}, {took} s, {against}", header_style="bold"
    )
    table.add_column("component", no_wrap=True)
    for col in ("n", "p50 ms", "p95 ms", "p99 ms", "base p95", "ratio p95", "p", "verdict"):
        table.add_column(col, justify="right")
    for c in perf.get("components") or []:
        ref = c.get("baseline") or {}
        verdict = c.get("verdict")
        table.add_row(
            c["component"],
            str(c.get("count", 0)),
            _fmt(c.get("p50_ms")),
            _fmt(c.get("p95_ms")),
            _fmt(c.get("p99_ms")),
            _fmt(ref.get("p95_ms")),
            _fmt(c.get("ratio_p95"), ".2f") + ("x" if c.get("ratio_p95") is not None else ""),
            _fmt(c.get("p_value"), ".2g"),
            Text(verdict or "-", style="bold red" if verdict == "regressed" else ""),
        )
    s = perf.get("system") or {}
    bus = perf.get("bus") or {}
    table.caption = (
        f"process CPU {_fmt(s.get('cpu_percent'), '.1f')} %, memory "
        f"{_fmt(s.get('memory_start_mb'), '.1f')} -> {_fmt(s.get('memory_end_mb'), '.1f')} MB, "
        f"loop lag p99 {_fmt(s.get('loop_lag_p99_ms'), '.1f')} ms; bus "
        f"{bus.get('events_published', 0)} events, {bus.get('queue_overflow_events', 0)} lost "
        f"to overflow, peak {_fmt(bus.get('peak_utilization_percent'), '.1f')} %"
    )
    lines = [c["line"] for c in perf.get("components") or [] if c.get("bottleneck")]
    if not lines:
        return table
    return Group(table, Text("\n".join(lines), style="yellow"))


def gates_view(report: GateReport) -> RenderableType:
    """The gates table, the performance table when there is one, and the outcome line."""
    parts: list[RenderableType] = [_gates_table(report)]
    for r in report.results:
        perf = r.details.get("performance")
        if isinstance(perf, Mapping):
            parts.append(_performance_table(perf))
            break
    word, style = _OUTCOME[report.exit_code]
    counts = ", ".join(f"{n} {status}" for status, n in report.counts().items() if n)
    parts.append(
        Text.assemble(
            (f"{word}", style),
            f" (exit {report.exit_code}): {counts or 'no gates ran'}"
            + (" (strict)" if report.strict else "")
            + f" in {report.finished - report.started:.1f} s",
        )
    )
    return Group(*parts)
