"""Query parameters of the API: times, windows and audit filters."""

from __future__ import annotations

import pytest

from yesman.dashboard._views import AuditFilter, TimeWindow, parse_time
from yesman.store import DecisionRecord

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (None, None),
        ("", None),
        ("30s", NOW - 30),
        ("15m", NOW - 900),
        ("1h", NOW - 3600),
        ("1.5h", NOW - 5400),
        ("7d", NOW - 7 * 86400),
        ("2w", NOW - 14 * 86400),
        ("1767225600", 1767225600.0),
    ],
)
def test_parse_time(text: str | None, value: float | None) -> None:
    assert parse_time(text, NOW, name="since") == value


@pytest.mark.parametrize("text", ["yesterday", "-5", "1y", "nan", "inf"])
def test_parse_time_refuses_with_the_parameter_named(text: str) -> None:
    with pytest.raises(ValueError, match="since="):
        parse_time(text, NOW, name="since")


def test_time_window() -> None:
    window = TimeWindow.from_query({}, NOW)
    assert window == TimeWindow(NOW - 3600, None)
    assert window.end(NOW) == NOW
    assert TimeWindow.from_query({"since": "2h", "until": "1h"}, NOW).end(NOW) == NOW - 3600
    with pytest.raises(ValueError, match="until must be after since"):
        TimeWindow.from_query({"since": "1h", "until": "2h"}, NOW)


def record(**kw: object) -> DecisionRecord:
    base: dict[str, object] = {
        "session": "s",
        "pane": "%1",
        "prompt_kind": "tool_permission",
        "action": "answer",
        "first_seen": NOW,
        "tool": "Bash",
        "target": "make test",
        "rule": "allow-make",
        "reason": "routine",
        "agent": "gemini",
        "agent_version": "0.61.0",
    }
    base.update(kw)
    return DecisionRecord(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ({}, True),
        ({"action": "answer"}, True),
        ({"action": "deny"}, False),
        ({"tool": "bash"}, True),
        ({"tool": "Write"}, False),
        ({"rule": "allow-make"}, True),
        ({"rule": "allow"}, False),
        ({"rule": "human:"}, False),
        ({"q": "MAKE"}, True),
        ({"q": "routine"}, True),
        ({"q": "rm -rf"}, False),
        ({"agent": "gemini"}, True),
        ({"agent": "codex"}, False),
    ],
)
def test_audit_filter(query: dict[str, str], matches: bool) -> None:
    assert AuditFilter.from_query(query, NOW).matches(record()) is matches


def test_rule_prefix_finds_every_human_decision() -> None:
    flt = AuditFilter.from_query({"rule": "human:"}, NOW)
    assert flt.matches(record(rule="human:dashboard"))
    assert not flt.matches(record(rule="humane"))


@pytest.mark.parametrize("limit", ["0", "5001", "many"])
def test_audit_limit_is_checked(limit: str) -> None:
    with pytest.raises(ValueError, match="limit="):
        AuditFilter.from_query({"limit": limit}, NOW)
