"""Rules files: the issue's example, the shipped default, and clear errors with the line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from yesman.alerts import (
    AlertConfigError,
    RuleKind,
    Severity,
    SinkType,
    WebhookFormat,
    default_rules_text,
    load_alert_config,
    parse_alert_config,
    parse_duration,
)

ISSUE_EXAMPLE = """\
[[sink]]
name = "ops"
type = "webhook"
url = "http://127.0.0.1:9099/hook"

[[rule]]
kind = "dialog-held"
for = "2s"
sinks = ["ops"]
"""


def test_the_issue_example_reads_as_written() -> None:
    config = parse_alert_config(ISSUE_EXAMPLE, "example.toml")
    (sink,) = config.sinks
    assert (sink.name, sink.type, sink.url, sink.format) == (
        "ops",
        SinkType.WEBHOOK,
        "http://127.0.0.1:9099/hook",
        WebhookFormat.JSON,
    )
    (rule,) = config.rules
    assert (rule.name, rule.kind, rule.for_seconds, rule.sinks) == (
        "dialog-held",
        RuleKind.DIALOG_HELD,
        2.0,
        ("ops",),
    )
    assert rule.severity is Severity.WARNING
    assert rule.repeat_interval == 4 * 3600


def test_the_shipped_default_covers_the_agent_and_yesman_kinds() -> None:
    config = parse_alert_config(default_rules_text(), "default.toml")
    kinds = {r.kind for r in config.rules}
    assert kinds == set(RuleKind) - {RuleKind.BOTTLENECK}
    assert {s.type for s in config.sinks} == {SinkType.TMUX, SinkType.LOG}
    api = next(r for r in config.rules if r.kind is RuleKind.API_ERRORS)
    assert (api.threshold, api.window) == (3, 600.0)
    # Rules without sinks use [defaults].sinks.
    held = next(r for r in config.rules if r.kind is RuleKind.DIALOG_HELD)
    assert held.sinks == ("tmux", "log")


def test_settings_of_every_kind_and_sink_are_read() -> None:
    text = """
    [defaults]
    repeat_interval = "30m"
    dashboard_url = "http://127.0.0.1:8765/alerts/{id}"

    [[sink]]
    name = "chat"
    type = "webhook"
    url = "https://hooks.example.invalid/T1/B2"
    format = "slack"
    headers = { X-Token = "${YESMAN_TEST_TOKEN}" }
    retries = 5
    backoff = "250ms"
    timeout = "3s"
    queue = 10
    min_severity = "warning"
    send_resolved = false

    [[sink]]
    name = "page"
    type = "command"
    command = "notify-me --to 'on call'"

    [[rule]]
    kind = "component-latency"
    threshold_ms = 250
    components = ["content_capture"]
    min_operations = 2
    for = "90s"
    labels = { team = "infra" }
    sinks = ["chat", "page"]

    [[rule]]
    name = "api-errors-work"
    kind = "api-errors"
    count = 5
    window = "2m"
    sessions = ["work*"]
    severity = "critical"
    repeat_interval = "1h"
    """
    os.environ["YESMAN_TEST_TOKEN"] = "s3cret"
    try:
        config = parse_alert_config(text, "t.toml")
    finally:
        del os.environ["YESMAN_TEST_TOKEN"]
    chat, page = config.sinks
    assert chat.headers == {"X-Token": "s3cret"}
    assert (chat.retries, chat.backoff, chat.timeout, chat.queue) == (5, 0.25, 3.0, 10)
    assert (chat.min_severity, chat.send_resolved) == (Severity.WARNING, False)
    assert page.command == ("notify-me", "--to", "on call")
    assert page.timeout == 10.0  # programs get longer than HTTP by default
    latency, api = config.rules
    assert (latency.threshold, latency.components, latency.min_operations) == (
        250.0,
        ("content_capture",),
        2,
    )
    assert (latency.for_seconds, latency.repeat_interval) == (90.0, 1800.0)
    assert latency.labels == {"team": "infra"}
    assert (api.name, api.threshold, api.window, api.sessions) == (
        "api-errors-work",
        5,
        120.0,
        ("work*",),
    )
    assert config.defaults.dashboard_url == "http://127.0.0.1:8765/alerts/{id}"


def test_rules_under_an_alerts_table_are_read_too() -> None:
    text = '[[alerts.sink]]\nname = "l"\ntype = "log"\n\n[[alerts.rule]]\nkind = "loop-lag"\n'
    config = parse_alert_config(text, "c.toml")
    assert [r.kind for r in config.rules] == [RuleKind.LOOP_LAG]


BAD = [
    pytest.param(
        '[[rule]]\nkind = "dialog-hold"\n',
        ["line 2", "rule[0].kind", "did you mean 'dialog-held'", "got 'dialog-hold'"],
        id="unknown-kind",
    ),
    pytest.param(
        '[[rule]]\nkind = "dialog-held"\n\n[[rule]]\nkind = "agent-idle"\nfor = "soon"\n',
        ["line 6", "rule 'agent-idle': for", "30s", "got 'soon'"],
        id="bad-duration-line-of-the-second-rule",
    ),
    pytest.param(
        '[[rule]]\nkind = "loop-lag"\nthreshold = 3\n',
        ["line 3", "unknown key 'threshold'", "did you mean 'threshold_ms'"],
        id="unknown-key",
    ),
    pytest.param(
        '[[sink]]\nname = "ops"\ntype = "log"\n\n[[rule]]\nkind = "dialog-held"\n'
        'sinks = ["opps"]\n',
        ["line 7", "sinks", "one of the sinks defined here: ops", "got 'opps'"],
        id="unknown-sink",
    ),
    pytest.param(
        '[[sink]]\nname = "ops"\ntype = "webhook"\nurl = "ftp://x"\n',
        ["line 4", "sink 'ops': url", "http:// or https://"],
        id="bad-url",
    ),
    pytest.param(
        '[[sink]]\nname = "ops"\ntype = "webhook"\nurl = "http://x"\nformat = "teams"\n',
        ["line 5", "format", "json, slack, ntfy, alertmanager"],
        id="bad-format",
    ),
    pytest.param(
        '[[sink]]\nname = "a"\ntype = "pager"\n',
        ["line 3", "type", "webhook, desktop, tmux, command, log"],
        id="bad-sink-type",
    ),
    pytest.param(
        '[[rule]]\nkind = "dialog-held"\n[[rule]]\nkind = "dialog-held"\n',
        ["line 3", "rule[0] is also called 'dialog-held'"],
        id="duplicate-rule",
    ),
    pytest.param(
        '[[rule]]\nkind = "dialog-held"\nseverity = "urgent"\n',
        ["line 3", "info, warning, critical"],
        id="bad-severity",
    ),
    pytest.param(
        '[[rule]]\nkind = "component-latency"\nsessions = ["w"]\n',
        ["line 3", "unknown key 'sessions'"],
        id="sessions-only-for-agent-kinds",
    ),
    pytest.param(
        '[[sink]]\nname = "h"\ntype = "webhook"\nurl = "http://x/${YESMAN_NOT_SET_EVER}"\n',
        ["line 4", "environment variable YESMAN_NOT_SET_EVER"],
        id="missing-environment-variable",
    ),
    pytest.param(
        '[[rule]]\nkind = "dialog-held"\nlabels = { "bad-name" = "x" }\n',
        ["line 3", "label names", "bad-name"],
        id="bad-label-name",
    ),
    pytest.param(
        '[defaults]\nrepeat = "1h"\n',
        ["line 2", "defaults: unknown key 'repeat'", "repeat_interval"],
        id="unknown-default",
    ),
    pytest.param(
        '[[rule]]\nkind = "dialog-held"\nfor = "2s"\nsinks = ["ops"\n',
        ["line 4", "invalid TOML", "Unclosed array"],
        id="toml-syntax",
    ),
    pytest.param(
        '[[rule]]\nkind = "dialog-held"\nfor = "2 s"\n',
        ["line 3", "rule 'dialog-held': for", "got '2 s'"],
        id="duration-with-a-space",
    ),
]


@pytest.mark.parametrize(("text", "says"), BAD)
def test_bad_files_name_the_file_the_line_and_what_was_expected(text: str, says: list[str]) -> None:
    with pytest.raises(AlertConfigError) as caught:
        parse_alert_config(text, "/etc/yesman/alerts.toml")
    message = str(caught.value)
    assert message.startswith("alert rules file /etc/yesman/alerts.toml")
    for part in says:
        assert part in message, message


def test_a_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(AlertConfigError, match="yesman alerts init"):
        load_alert_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("2s", 2.0), ("500ms", 0.5), ("5m", 300.0), ("1h30m", 5400.0), ("7d", 604800.0), (3, 3.0)],
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "2", "s", "-1s", "1x", True, None, "1.5.2s"])
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)
