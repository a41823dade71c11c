"""A `GateReport` as Markdown, for a pull-request comment or a CI job summary.

A heading with the outcome, one table (gate, result, evidence), the findings of each gate that
has any (folded in ``<details>``), then the performance figures when the performance gates ran:
the component table against the baseline, the seed's line per component, the event bus and the
process. Text from gates is escaped so a pipe or an angle bracket in a command cannot break
the table or inject HTML.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from yesman.gates._model import GateReport, GateResult, GateStatus

__all__ = ["render_markdown"]

_ICON: Final = {
    GateStatus.PASSED: "✅ passed",
    GateStatus.WARNING: "⚠️ warning",
    GateStatus.SKIPPED: "⏭️ skipped",
    GateStatus.FAILED: "❌ failed",
    GateStatus.ERROR: "💥 error",
}
_OUTCOME: Final = {0: "✅ passed", 1: "❌ failed", 2: "💥 could not run"}


def _cell(text: object) -> str:
    """Safe inside a table cell: no HTML, no pipes, no line breaks."""
    value = str(text).replace("&", "&amp;").replace("<", "&lt;")
    return value.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool | str):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _verdict(value: object) -> str:
    return f"**{value}**" if value == "regressed" else _num(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _findings(r: GateResult) -> list[str]:
    if not r.findings:
        return []
    lines = [
        "<details>",
        f"<summary>{_cell(r.gate_id)}: {len(r.findings)} finding(s)</summary>",
        "",
    ]
    lines += [
        f"- **{f.severity.value}**"
        + (f" `{_cell(f.where).replace('`', '')}`" if f.where else "")
        + f": {_cell(f.message)}"
        for f in r.findings
    ]
    return [*lines, "", "</details>", ""]


def _performance(perf: Mapping[str, Any]) -> list[str]:
    workload = perf.get("workload") or {}
    env = workload.get("environment") or {}
    base = perf.get("baseline") or {}
    lines = [
        "### Performance",
        "",
        f"Workload `{_cell(workload.get('name', '?'))}`, "
        f"{_num(workload.get('duration_seconds'), 0)} s, {workload.get('samples', 0)} samples, "
        f"{env.get('cores', '?')} x {_cell(env.get('cpu_model', '?'))}, "
        f"yesman {_cell(env.get('yesman', '?'))}. "
        + (
            f"Baseline `{_cell(base.get('name') or '(file)')}` ({_cell(base.get('how', ''))})."
            if base.get("name") and not base.get("skip_reason")
            else f"No comparison: {_cell(base.get('skip_reason') or 'no baseline')}."
        ),
        "",
    ]
    header = ["component", "n", "p50 ms", "p95 ms", "p99 ms", "errors"]
    header += ["base p50", "base p95", "ratio p50", "ratio p95", "p-value", "verdict"]
    rows = []
    for c in perf.get("components") or []:
        ref = c.get("baseline") or {}
        rows.append(
            [
                f"`{_cell(c['component'])}`",
                _num(c.get("count")),
                _num(c.get("p50_ms")),
                _num(c.get("p95_ms")),
                _num(c.get("p99_ms")),
                _num(c.get("errors")),
                _num(ref.get("p50_ms")),
                _num(ref.get("p95_ms")),
                _num(c.get("ratio_p50")),
                _num(c.get("ratio_p95")),
                "–" if c.get("p_value") is None else f"{c['p_value']:.2g}",
                f"**{c['verdict']}**"
                if c.get("verdict") == "regressed"
                else _num(c.get("verdict")),
            ]
        )
    lines += [*_table(header, rows), ""]
    seed_lines = [str(c.get("line", "")) for c in perf.get("components") or []]
    if seed_lines:
        lines += ["```", *(s.replace("```", "'''") for s in seed_lines), "```", ""]
    bus = perf.get("bus")
    if bus:
        lines += _table(
            [
                "published",
                "processed",
                "dropped",
                "overflow",
                "peak depth",
                "peak %",
                "handling ms",
            ],
            [
                [
                    _num(bus.get("events_published")),
                    _num(bus.get("events_processed")),
                    _num(bus.get("events_dropped")),
                    _num(bus.get("queue_overflow_events")),
                    f"{_num(bus.get('peak_queue_depth'))} / {_num(bus.get('queue_capacity'))}",
                    _num(bus.get("peak_utilization_percent"), 1),
                    _num(bus.get("average_processing_ms"), 3),
                ]
            ],
        )
        lines.append("")
    s = perf.get("system") or {}
    lines += _table(
        [
            "CPU %",
            "host CPU %",
            "memory MB (start → end, peak)",
            "load 1m",
            "loop lag ms p50/p99/max",
        ],
        [
            [
                _num(s.get("cpu_percent"), 1),
                _num(s.get("host_cpu_percent"), 1),
                f"{_num(s.get('memory_start_mb'), 1)} → {_num(s.get('memory_end_mb'), 1)}, "
                f"{_num(s.get('memory_peak_mb'), 1)}",
                _num(s.get("load_1m")),
                f"{_num(s.get('loop_lag_p50_ms'), 1)} / {_num(s.get('loop_lag_p99_ms'), 1)} / "
                f"{_num(s.get('loop_lag_max_ms'), 1)}",
            ]
        ],
    )
    notes = perf.get("notes") or []
    if notes:
        lines += ["", *(f"> {_cell(n)}" for n in notes)]
    return [*lines, ""]


def render_markdown(report: GateReport) -> str:
    counts = report.counts()
    took = report.finished - report.started
    lines = [
        f"## yesman quality gates: {_OUTCOME[report.exit_code]} (exit {report.exit_code})",
        "",
        ", ".join(f"{n} {status}" for status, n in counts.items())
        + f" · strict: {'yes' if report.strict else 'no'}"
        + f" · families: {', '.join(report.families) or 'none'} · {took:.1f} s",
        "",
    ]
    missing = [f for f in report.families if not any(r.family == f for r in report.results)]
    lines += [f"_No gate of family `{f}` in this build._" for f in missing]
    if missing:
        lines.append("")
    if report.results:
        rows = [
            [f"`{_cell(r.gate_id)}`", _ICON[r.status], _cell(r.summary)] for r in report.results
        ]
        lines += [*_table(["gate", "result", "evidence"], rows), ""]
    for r in report.results:
        lines += _findings(r)
    for r in report.results:
        perf = r.details.get("performance")
        if isinstance(perf, Mapping):
            lines += _performance(perf)
            break
    return "\n".join(lines).rstrip() + "\n"
