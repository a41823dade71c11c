"""Each rule kind's conditions, from the typed events the monitor, tracker and bus publish."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from yesman.alerts import RuleKind, parse_alert_config
from yesman.alerts._agent_rules import AGENT_EVALUATORS
from yesman.alerts._evaluator import Condition, Evaluator
from yesman.alerts._system_rules import SYSTEM_EVALUATORS
from yesman.bus import (
    AutomationObserved,
    BusReport,
    DialogInfo,
    Event,
    EventMetrics,
    EventType,
    Payload,
    PromptDetected,
    PromptHeld,
    ResponseSent,
    SessionCreated,
    SessionStopped,
    StatusChanged,
    SystemFault,
)
from yesman.metrics import (
    Bottleneck,
    BottleneckThresholds,
    ComponentInterval,
    ComponentMetrics,
    LogSketch,
    LoopHealth,
    PerformanceAlert,
    PerformanceReport,
    SketchState,
)

T0 = 1_700_000_000.0
WHERE = {"session": "work", "pane_id": "%3", "agent": "claude-code"}
TYPES: dict[type[Payload], EventType] = {
    PromptHeld: EventType.PROMPT_HELD,
    PromptDetected: EventType.PROMPT_DETECTED,
    ResponseSent: EventType.RESPONSE_SENT,
    StatusChanged: EventType.CLAUDE_STATUS_CHANGED,
    SessionStopped: EventType.SESSION_STOPPED,
    SessionCreated: EventType.SESSION_CREATED,
    AutomationObserved: EventType.AUTOMATION_CONTEXT,
    SystemFault: EventType.SYSTEM_ERROR,
    PerformanceReport: EventType.PERFORMANCE_METRICS,
    BusReport: EventType.PERFORMANCE_METRICS,
    PerformanceAlert: EventType.PERFORMANCE_ALERT,
}


def evaluator(kind: str, extra: str = "") -> Evaluator:
    (rule,) = parse_alert_config(f'[[rule]]\nkind = "{kind}"\n{extra}').rules
    return {**AGENT_EVALUATORS, **SYSTEM_EVALUATORS}[rule.kind](rule)


def feed(ev: Evaluator, payload: Payload, at: float) -> bool:
    kind = TYPES[type(payload)]
    assert kind in ev.events, f"{type(ev).__name__} does not listen to {kind}"
    return ev.observe(Event(kind, payload=payload, timestamp=at))


def dialog(fp: str = "f1", tool: str = "Bash", target: str = "rm -rf /") -> DialogInfo:
    return DialogInfo("permission", tool, target, None, (), None, None, fp)


def hold(alert: bool = False, fp: str = "f1", **where: str) -> PromptHeld:
    place: Any = {**WHERE, **where}
    return PromptHeld(**place, reason="dangerous", rule="guard", alert=alert, prompt=dialog(fp))


def status(new: str, running: bool = True) -> StatusChanged:
    return StatusChanged(**WHERE, old="waiting", new=new, agent_running=running)


def context(name: str, **details: Any) -> AutomationObserved:
    return AutomationObserved(
        **WHERE, context=name, summary=name.replace("_", " "), line=f"> {name}", details=details
    )


def only(conditions: list[Condition]) -> Condition:
    assert len(conditions) == 1, conditions
    return conditions[0]


def test_dialog_held_from_the_hold_until_the_pane_moves_on() -> None:
    ev = evaluator("dialog-held")
    assert feed(ev, hold(), T0)
    c = only(ev.conditions(T0 + 4))
    assert c.since == T0
    assert c.value == 4.0
    assert c.labels == {"session": "work", "pane": "%3", "agent": "claude-code", "tool": "Bash"}
    assert c.details["target"] == "rm -rf /"
    assert c.details["reason"] == "dangerous"
    assert "held for a human" in c.summary
    # The agent repainting the same dialog changes nothing.
    assert not feed(ev, status("waiting"), T0 + 1)
    assert not feed(ev, PromptDetected(**WHERE, prompt=dialog("f1")), T0 + 2)
    assert len(ev.conditions(T0 + 5)) == 1
    # The human answered: the agent works again.
    assert feed(ev, status("busy"), T0 + 6)
    assert ev.conditions(T0 + 7) == []


@pytest.mark.parametrize(
    "ender",
    [
        ResponseSent(
            **WHERE, action="answer", keys=("1",), rule="r", latency_ms=1.0, prompt=dialog("f1")
        ),
        PromptDetected(**WHERE, prompt=dialog("f2")),
        SessionStopped(**WHERE, reason="pane closed"),
        StatusChanged(**WHERE, old="waiting", new="idle", agent_running=True),
    ],
    ids=["answered", "another-dialog", "pane-closed", "idle"],
)
def test_what_ends_a_held_dialog(ender: Payload) -> None:
    ev = evaluator("dialog-held")
    feed(ev, hold(), T0)
    assert feed(ev, ender, T0 + 1)
    assert ev.conditions(T0 + 2) == []


def test_holds_are_per_pane_and_sessions_filter_them() -> None:
    ev = evaluator("dialog-held", 'sessions = ["work*"]')
    feed(ev, hold(), T0)
    feed(ev, hold(pane_id="%4", session="work-2"), T0)
    assert not feed(ev, hold(pane_id="%5", session="play"), T0)
    assert sorted(c.labels["pane"] for c in ev.conditions(T0)) == ["%3", "%4"]


def test_answer_unverified_takes_only_failed_answers() -> None:
    ev = evaluator("answer-unverified")
    assert not feed(ev, hold(alert=False), T0)
    assert feed(ev, hold(alert=True), T0 + 1)
    assert "answer did not take" in only(ev.conditions(T0 + 1)).summary


def test_agent_idle_from_idle_until_busy() -> None:
    ev = evaluator("agent-idle")
    feed(ev, status("idle"), T0)
    assert not feed(ev, status("idle"), T0 + 30)  # still idle: keeps its start
    assert only(ev.conditions(T0 + 60)).value == 60.0
    feed(ev, status("busy"), T0 + 61)
    assert ev.conditions(T0 + 62) == []


def test_agent_exited_until_it_runs_again() -> None:
    ev = evaluator("agent-exited")
    feed(ev, context("agent_exited"), T0)
    assert only(ev.conditions(T0)).details["line"] == "> agent_exited"
    assert not feed(ev, status("unknown", running=False), T0 + 1)
    assert feed(ev, status("idle", running=True), T0 + 2)
    assert ev.conditions(T0 + 3) == []


def test_usage_limit_until_the_agent_works_again() -> None:
    ev = evaluator("usage-limit")
    feed(ev, context("usage_limit", resets="5pm"), T0)
    assert only(ev.conditions(T0)).details["resets"] == "5pm"
    assert not feed(ev, status("idle"), T0 + 1)
    assert feed(ev, status("busy"), T0 + 2)
    assert ev.conditions(T0 + 2) == []


def test_tests_failing_until_a_run_passes() -> None:
    ev = evaluator("tests-failing")
    feed(ev, context("tests_failing", failed=2, passed=10), T0)
    feed(ev, context("tests_failing", failed=1, passed=11), T0 + 10)
    c = only(ev.conditions(T0 + 20))
    assert (c.since, c.details["failed"]) == (T0, "1")
    feed(ev, context("tests_passing", passed=12), T0 + 30)
    assert ev.conditions(T0 + 30) == []


def test_api_errors_count_inside_the_window() -> None:
    ev = evaluator("api-errors", 'count = 3\nwindow = "1m"')
    for t in (0, 10, 20):
        feed(ev, context("api_error"), T0 + t)
    c = only(ev.conditions(T0 + 21))
    assert (c.value, c.since) == (3.0, T0)
    assert ev.next_change(T0 + 21) == T0 + 60
    assert ev.conditions(T0 + 60.5) == []  # the first fell out of the window
    feed(ev, context("api_error"), T0 + 61)
    assert only(ev.conditions(T0 + 61)).value == 3.0


VERSIONED: dict[str, Any] = {**WHERE, "agent": "codex", "agent_version": "0.171.0"}


@pytest.mark.parametrize(
    ("kind", "extra", "payload"),
    [
        (
            "dialog-held",
            "",
            PromptHeld(**VERSIONED, reason="r", rule="guard", alert=False, prompt=dialog()),
        ),
        ("agent-idle", "", StatusChanged(**VERSIONED, old="busy", new="idle", agent_running=True)),
        (
            "agent-exited",
            "",
            AutomationObserved(**VERSIONED, context="agent_exited", summary="agent exited"),
        ),
        (
            "api-errors",
            "count = 1",
            AutomationObserved(**VERSIONED, context="api_error", summary="api error"),
        ),
    ],
    ids=["dialog-held", "agent-idle", "agent-exited", "api-errors"],
)
def test_pane_alerts_name_the_agent_and_its_version(
    kind: str, extra: str, payload: Payload
) -> None:
    ev = evaluator(kind, extra)
    assert feed(ev, payload, T0)
    c = only(ev.conditions(T0 + 1))
    assert c.labels["agent"] == "codex"
    assert c.details["agent_version"] == "0.171.0"
    assert "agent_version" not in c.labels, "a version is a detail: an update keeps the alert"


def test_no_version_no_version_detail() -> None:
    ev = evaluator("agent-idle")
    feed(ev, status("idle"), T0)
    assert "agent_version" not in only(ev.conditions(T0)).details


def metrics_report(
    at_p95: Mapping[str, tuple[float, int]] | None = None,
    *,
    lag_p99: float = 1.0,
    leak: str | None = None,
) -> PerformanceReport:
    intervals: dict[str, ComponentInterval] = {}
    components: dict[str, ComponentMetrics] = {}
    for name, (latency, count) in (at_p95 or {}).items():
        sketch = LogSketch()
        sketch.add_many([latency] * count)
        intervals[name] = ComponentInterval(
            name, count, 0, 0, SketchState.of(sketch), (), 0.0, 0, 0
        )
        components[name] = ComponentMetrics(component=name, sample_count=count)
    if leak:
        components[leak] = ComponentMetrics(
            component=leak, suspected_leak=True, retained_memory_mb=12.5
        )
    loop = LoopHealth(10.0, 100.0, 0.5, lag_p99, lag_p99 * 2, 40, 0, (), 60.0)
    return PerformanceReport(
        session_name="s",
        components=components,
        loop=loop,
        current_memory_mb=80,
        memory_growth_mb=0,
        current_cpu_percent=3,
        intervals=intervals,
    )


def test_component_latency_from_each_interval_p95() -> None:
    ev = evaluator("component-latency", "threshold_ms = 200\nmin_operations = 5")
    feed(ev, metrics_report({"content_capture": (250.0, 10), "prompt_detection": (5.0, 50)}), T0)
    c = only(ev.conditions(T0))
    assert c.labels == {"component": "content_capture"}
    assert c.value == pytest.approx(250.0, rel=0.02)
    feed(ev, metrics_report({"content_capture": (260.0, 10)}), T0 + 60)
    assert only(ev.conditions(T0 + 60)).since == T0
    # Too few operations to judge, then a quiet interval: no condition.
    feed(ev, metrics_report({"content_capture": (900.0, 2)}), T0 + 120)
    assert ev.conditions(T0 + 120) == []


def test_loop_lag_and_memory_leak() -> None:
    lag = evaluator("loop-lag", "threshold_ms = 50")
    feed(lag, metrics_report(lag_p99=80.0), T0)
    assert only(lag.conditions(T0)).value == 80.0
    feed(lag, metrics_report(lag_p99=10.0), T0 + 60)
    assert lag.conditions(T0 + 60) == []
    leak = evaluator("memory-leak")
    feed(leak, metrics_report(leak="automation_analysis"), T0)
    c = only(leak.conditions(T0))
    assert (c.labels["component"], c.value) == ("automation_analysis", 12.5)


def bus_report(overflow: int, depth: int, capacity: int = 100) -> BusReport:
    return BusReport(
        metrics=EventMetrics(
            queue_overflow_events=overflow, max_queue_depth=depth, queue_capacity=capacity
        )
    )


def test_queue_utilisation_from_the_interval_peak_and_overflow_per_interval() -> None:
    util = evaluator("queue-utilisation", "threshold_percent = 50")
    feed(util, bus_report(0, 70), T0)
    assert only(util.conditions(T0)).value == 70.0
    feed(util, bus_report(0, 10), T0 + 60)
    assert util.conditions(T0 + 60) == []
    over = evaluator("queue-overflow")
    feed(over, bus_report(0, 0), T0)
    assert over.conditions(T0) == []
    feed(over, bus_report(4, 100), T0 + 60)
    assert only(over.conditions(T0 + 60)).value == 4.0
    feed(over, bus_report(4, 100), T0 + 120)  # nothing lost since the last report
    assert over.conditions(T0 + 120) == []


def test_bottleneck_follows_the_trackers_alerts() -> None:
    ev = evaluator("bottleneck")
    found = Bottleneck("content_capture", ("latency",), 150.0, 200.0, 0, 0.0, 0.0, 0.0)
    feed(
        ev,
        PerformanceAlert(
            session_name="s", state="started", bottleneck=found, thresholds=BottleneckThresholds()
        ),
        T0,
    )
    assert only(ev.conditions(T0)).details["reasons"] == "latency"
    feed(
        ev,
        PerformanceAlert(
            session_name="s", state="resolved", bottleneck=found, thresholds=BottleneckThresholds()
        ),
        T0 + 60,
    )
    assert ev.conditions(T0 + 60) == []


def test_tmux_disconnected_until_the_server_shows_signs_of_life() -> None:
    ev = evaluator("tmux-disconnected")
    fault = SystemFault(error="tmux server lost: exited", source="tmux", details={"server": "-L w"})
    assert not feed(ev, SystemFault(error="handler failed", source="bus"), T0)
    feed(ev, fault, T0)
    assert only(ev.conditions(T0)).labels == {"server": "-L w"}
    assert not feed(ev, status("busy"), T0 - 1)  # published before the loss
    assert feed(ev, SessionCreated(**WHERE, session_id="$1", pane_pid=1, path="/"), T0 + 5)
    assert ev.conditions(T0 + 5) == []
    feed(ev, fault, T0 + 10)
    assert ev.mark_connected()  # type: ignore[attr-defined]
    assert ev.conditions(T0 + 11) == []


def test_every_kind_has_an_evaluator() -> None:
    assert set(AGENT_EVALUATORS) | set(SYSTEM_EVALUATORS) == set(RuleKind)
