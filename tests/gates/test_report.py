"""The reports: the JSON document and its schema, JUnit XML that parses and has the structure CI
systems read, Markdown for a pull request; and the run kept in the history."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from baseline.synthetic import baseline
from gates.support import context, current_run, export_scaled, run_performance
from yesman.gates import (
    ENHANCED_SECURITY,
    FAMILIES,
    PERFORMANCE_MONITORING,
    REPORT_SCHEMA,
    REPORT_SCHEMA_VERSION,
    Finding,
    GateReport,
    GateResult,
    GateStatus,
    record_report,
    render_json,
    render_junit,
    render_markdown,
)
from yesman.history import read_gate_runs


def _result(name: str, status: GateStatus, **kw: Any) -> GateResult:
    return GateResult(
        family=kw.pop("family", ENHANCED_SECURITY),
        name=name,
        title=f"title of {name}",
        status=status,
        summary=kw.pop("summary", f"{name} is {status.value}"),
        duration_s=0.25,
        **kw,
    )


def _report(strict: bool = False) -> GateReport:
    return GateReport(
        results=(
            _result("ok", GateStatus.PASSED, metrics={"cases": 312}),
            _result(
                "warn",
                GateStatus.WARNING,
                findings=(
                    Finding("rule picks don't ask again", "policy.toml:12", GateStatus.WARNING),
                ),
            ),
            _result("skip", GateStatus.SKIPPED, summary="nothing to compare with"),
            _result(
                "bad",
                GateStatus.FAILED,
                summary="rm -rf / | sh was answered <b>yes</b>",
                findings=(Finding("answered `rm -rf /` \x1b[31mred\x1b[0m", "rule 7"),),
                metrics={"ratio": math.inf},
            ),
            _result("broken", GateStatus.ERROR, family=PERFORMANCE_MONITORING),
        ),
        started=1_764_570_000.0,
        finished=1_764_570_034.25,
        strict=strict,
        families=FAMILIES,
        environment={"yesman": "0.1.0"},
    )


def test_json_document() -> None:
    doc = json.loads(render_json(_report()))
    assert doc["schema"] == REPORT_SCHEMA == "yesman.gates.report"
    assert doc["schema_version"] == REPORT_SCHEMA_VERSION == 1
    assert (doc["exit_code"], doc["result"]) == (1, "failed")
    assert doc["duration_s"] == 34.25
    assert doc["counts"] == {"passed": 1, "warning": 1, "skipped": 1, "failed": 1, "error": 1}
    assert doc["families"] == list(FAMILIES)
    assert [g["id"] for g in doc["gates"]] == [
        "enhanced-security/ok", "enhanced-security/warn", "enhanced-security/skip",
        "enhanced-security/bad", "performance-monitoring/broken",
    ]  # fmt: skip
    bad = doc["gates"][3]
    assert bad["status"] == "failed"
    assert bad["fails_run"] is True
    assert bad["metrics"] == {"ratio": None}  # not finite: null, so the document stays JSON
    assert bad["findings"] == [
        {
            "message": "answered `rm -rf /` \x1b[31mred\x1b[0m",
            "where": "rule 7",
            "severity": "failed",
        }
    ]
    assert [g["fails_run"] for g in doc["gates"]] == [False, False, False, True, False]
    strict = json.loads(render_json(_report(strict=True)))
    assert [g["fails_run"] for g in strict["gates"]] == [False, True, True, True, False]


def _check_junit_structure(root: ET.Element) -> None:
    """What JUnit consumers rely on, checked without an XSD."""
    assert root.tag == "testsuites"
    for suite in root:
        assert suite.tag == "testsuite"
        cases = suite.findall("testcase")
        assert {c.tag for c in suite} <= {"properties", "testcase", "system-out"}
        outcome = {"failure": 0, "error": 0, "skipped": 0}
        for case in cases:
            assert case.get("name")
            assert case.get("classname")
            float(case.get("time", "x"))
            tags = [c.tag for c in case]
            assert set(tags) <= {"failure", "error", "skipped", "system-out"}
            marks = [t for t in tags if t != "system-out"]
            assert len(marks) <= 1
            for t in marks:
                outcome[t] += 1
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == outcome["failure"]
        assert int(suite.get("errors", "-1")) == outcome["error"]
        assert int(suite.get("skipped", "-1")) == outcome["skipped"]
    for key in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(key, "-1")) == sum(int(s.get(key, "0")) for s in root)


def _cases(root: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name", ""): c for c in root.iter("testcase")}


def test_junit_one_suite_per_family_one_case_per_gate() -> None:
    text = render_junit(_report())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text)
    _check_junit_structure(root)
    assert [s.get("name") for s in root] == list(FAMILIES)
    cases = _cases(root)
    assert cases["ok"].find("failure") is None
    assert "cases=312" in (cases["ok"].findtext("system-out") or "")
    assert cases["warn"].find("failure") is None  # a warning passes unless strict
    assert "policy.toml:12" in (cases["warn"].findtext("system-out") or "")
    skipped = cases["skip"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "nothing to compare with"
    failure = cases["bad"].find("failure")
    assert failure is not None
    assert failure.get("message") == "rm -rf / | sh was answered <b>yes</b>"
    assert failure.text == "rule 7: answered `rm -rf /` [31mred[0m"  # no control codes
    assert cases["broken"].find("error") is not None
    assert cases["broken"].get("classname") == "yesman.gates.performance-monitoring"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "1", "1")


def test_junit_under_strict_a_skip_and_a_warning_are_failures() -> None:
    root = ET.fromstring(render_junit(_report(strict=True)))
    _check_junit_structure(root)
    cases = _cases(root)
    for name, kind in (("skip", "skipped"), ("warn", "warning")):
        failure = cases[name].find("failure")
        assert failure is not None, name
        assert failure.get("type") == kind
        assert cases[name].find("skipped") is None
    assert root.get("failures") == "3"


def test_junit_of_a_family_without_gates_is_an_empty_suite() -> None:
    report = GateReport((), 1.0, 2.0, strict=False, families=(ENHANCED_SECURITY,))
    root = ET.fromstring(render_junit(report))
    _check_junit_structure(root)
    (suite,) = root
    assert (suite.get("name"), suite.get("tests")) == (ENHANCED_SECURITY, "0")


def test_markdown_table_escapes_what_would_break_it() -> None:
    text = render_markdown(_report())
    assert text.startswith("## yesman quality gates: ❌ failed (exit 1)")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 5
    bad = next(r for r in rows if "enhanced-security/bad" in r)
    # Four unescaped pipes: the row's own cells, none from the summary's `| sh`.
    assert bad.replace("\\|", "").count("|") == 4
    assert "rm -rf / \\| sh was answered &lt;b>yes&lt;/b>" in bad
    assert "<details>" in text
    assert "`policy.toml:12`" in text
    assert "### Performance" not in text  # no performance gate carried figures


async def test_markdown_and_json_carry_the_performance_figures(tmp_path: Path) -> None:
    file = export_scaled(baseline(seed=1, name="fast"), tmp_path / "fast.json", 1 / 3)
    _, report = await run_performance(current_run(), context(tmp_path, baseline=str(file)))
    text = render_markdown(report)
    assert "### Performance" in text
    assert "Baseline `fast`" in text
    row = next(line for line in text.splitlines() if line.startswith("| `content_capture`"))
    assert "**regressed**" in row
    assert "content_capture: avg=" in text  # the seed's line, in a code block
    doc = json.loads(render_json(report))
    perf = doc["gates"][0]["details"]["performance"]
    assert [c["component"] for c in perf["components"]] == ["content_capture", "prompt_detection"]
    assert {"cpu_percent", "loop_lag_p99_ms", "memory_start_mb"} <= set(perf["system"])
    assert perf["baseline"]["name"] == "fast"


@pytest.mark.parametrize("strict", [False, True])
async def test_a_run_is_kept_in_the_history(tmp_path: Path, strict: bool) -> None:
    db = tmp_path / "yesman.db"
    report = _report(strict=strict)
    saved = await record_report(db, report)
    assert saved.id is not None
    (run,) = await read_gate_runs(db, with_reports=True)
    assert run.exit_code == 1
    assert run.strict is strict
    assert run.families == FAMILIES
    assert run.counts == report.counts()
    assert run.duration_s == pytest.approx(34.25)
    assert json.loads(run.report)["gates"][3]["name"] == "bad"
