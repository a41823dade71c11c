"""A `GateReport` as JSON (for programs) and JUnit XML (for CI systems); Markdown is in
`yesman.gates._markdown`.

The JSON document (``schema_version`` 1)::

    {
      "schema": "yesman.gates.report",       constant, identifies the document
      "schema_version": 1,                   bumped on any incompatible change
      "started": 1764570000.0,               wall-clock seconds since the epoch
      "finished": 1764570034.2,
      "duration_s": 34.2,
      "strict": false,                       --strict: warnings and skips fail the run
      "families": ["enhanced-security", "performance-monitoring"],   the families asked for
      "exit_code": 0,                        0 passed, 1 a gate failed, 2 a gate could not run
      "result": "passed" | "failed" | "error",    the exit code in words
      "counts": {"passed": 7, "warning": 1, "skipped": 1, "failed": 0, "error": 0},
      "environment": {"yesman", "python", "platform", "policy", "db", "project"},
      "gates": [ in the order they ran:
        {"id": "performance-monitoring/loop-lag",    family/name, stable across versions
         "family", "name", "title",
         "status": "passed" | "warning" | "skipped" | "failed" | "error",
         "fails_run": false,                 whether this gate's status fails the run
         "summary": "one line: what was found, or why skipped, or what to do",
         "findings": [{"message", "where": "file:line, pane, rule, component" | null,
                       "severity": "failed" | "warning" | "passed"}],
         "metrics": {name: number or text},  the gate's own figures, flat
         "details": {...},                   larger structures; the performance-monitoring
                                             baseline-regression gate puts the performance
                                             table here as "performance" (its shape is in
                                             yesman.gates._perf_tables)
         "duration_s": 0.012} ]
    }

Numbers that are not finite (a ratio against zero) are written as null. Readers should ignore
keys they do not know: adding a key is not a version bump; removing one or changing its meaning
is.

JUnit XML: one ``<testsuite>`` per family asked for (also an empty one), one ``<testcase>`` per
gate (``classname`` ``yesman.gates.<family>``, ``name`` the gate's name). ``failed`` is a
``<failure>``, ``error`` an ``<error>``, ``skipped`` a ``<skipped>``; a warning is a passing
case with the warning in ``<system-out>``. Under ``--strict`` a warning or a skip is a
``<failure>`` (``type`` says which), as it fails the run. Every case's ``<system-out>`` has the
summary, findings and metrics. Characters XML 1.0 cannot hold (terminal control codes) are
dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import socket
from collections.abc import Mapping
from typing import Any, Final
from xml.etree import ElementTree as ET

from yesman.gates._model import GateReport, GateResult, GateStatus

__all__ = ["REPORT_SCHEMA", "REPORT_SCHEMA_VERSION", "render_json", "render_junit", "report_dict"]

REPORT_SCHEMA: Final = "yesman.gates.report"
REPORT_SCHEMA_VERSION: Final = 1

_RESULT_WORDS: Final = {0: "passed", 1: "failed", 2: "error"}


def _plain(value: Any) -> Any:
    """JSON-ready: non-finite floats become None, tuples lists, mappings dicts."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


def report_dict(report: GateReport) -> dict[str, Any]:
    """The JSON document (module docstring) as plain Python values."""
    return {
        "schema": REPORT_SCHEMA,
        "schema_version": REPORT_SCHEMA_VERSION,
        "started": report.started,
        "finished": report.finished,
        "duration_s": round(report.finished - report.started, 3),
        "strict": report.strict,
        "families": list(report.families),
        "exit_code": report.exit_code,
        "result": _RESULT_WORDS[report.exit_code],
        "counts": report.counts(),
        "environment": dict(report.environment),
        "gates": [
            _plain({**r.as_dict(), "fails_run": r.status.fails(strict=report.strict)})
            for r in report.results
        ],
    }


def render_json(report: GateReport, *, indent: int | None = 2) -> str:
    return json.dumps(report_dict(report), indent=indent, allow_nan=False, ensure_ascii=False)


# -- JUnit XML

_NOT_XML: Final = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _case_text(r: GateResult) -> str:
    lines = [f"{r.status.value}: {r.summary}"]
    lines += [f"  [{f.severity.value}] {f}" for f in r.findings]
    if r.metrics:
        lines.append("metrics: " + ", ".join(f"{k}={v}" for k, v in r.metrics.items()))
    return "\n".join(lines)


def _junit_kind(r: GateResult, strict: bool) -> tuple[str, str] | None:
    """The child element (tag, type) a result gets, or None for a passing case."""
    if r.status is GateStatus.FAILED:
        return "failure", "failed"
    if r.status is GateStatus.ERROR:
        return "error", "error"
    if r.status is GateStatus.SKIPPED:
        return ("failure", "skipped") if strict else ("skipped", "skipped")
    if r.status is GateStatus.WARNING and strict:
        return "failure", "warning"
    return None


def _testcase(parent: ET.Element, r: GateResult, strict: bool) -> None:
    case = ET.SubElement(
        parent,
        "testcase",
        name=_xml(r.name),
        classname=_xml(f"yesman.gates.{r.family}"),
        time=f"{r.duration_s:.3f}",
    )
    kind = _junit_kind(r, strict)
    if kind is not None:
        tag, type_ = kind
        child = ET.SubElement(case, tag, message=_xml(r.summary), type=type_)
        if tag != "skipped":
            child.text = _xml("\n".join(str(f) for f in r.findings) or r.summary)
    ET.SubElement(case, "system-out").text = _xml(_case_text(r))


def _suite_counts(results: list[GateResult], strict: bool) -> dict[str, str]:
    kinds = [_junit_kind(r, strict) for r in results]
    return {
        "tests": str(len(results)),
        "failures": str(sum(1 for k in kinds if k is not None and k[0] == "failure")),
        "errors": str(sum(1 for k in kinds if k is not None and k[0] == "error")),
        "skipped": str(sum(1 for k in kinds if k is not None and k[0] == "skipped")),
        "time": f"{sum(r.duration_s for r in results):.3f}",
    }


def render_junit(report: GateReport) -> str:
    """The report as JUnit XML (module docstring), with its XML declaration."""
    stamp = dt.datetime.fromtimestamp(report.started).astimezone().isoformat(timespec="seconds")
    results = list(report.results)
    families = list(report.families) + [
        f for f in dict.fromkeys(r.family for r in results) if f not in report.families
    ]
    root = ET.Element(
        "testsuites", {"name": "yesman gates", **_suite_counts(results, report.strict)}
    )
    for family in families:
        members = [r for r in results if r.family == family]
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": _xml(family),
                **_suite_counts(members, report.strict),
                "timestamp": stamp,
                "hostname": _xml(socket.gethostname()),
            },
        )
        props = ET.SubElement(suite, "properties")
        for key, value in (("strict", str(report.strict).lower()), *report.environment.items()):
            ET.SubElement(props, "property", name=_xml(key), value=_xml(str(value)))
        for r in members:
            _testcase(suite, r, report.strict)
        if not members:
            ET.SubElement(suite, "system-out").text = f"no gate of family {family} in this build"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
