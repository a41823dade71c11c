"""The built-in rule kinds: what each watches, its defaults, and the settings it takes.

Agents (one alert per pane; labels ``session``, ``pane``, ``agent``):

    dialog-held        a dialog held for a human (by the policy, or because an answer did not
                       take) has waited longer than ``for``; label ``tool``
    agent-idle         the agent finished and sat idle at its prompt longer than ``for``
    agent-exited       the agent's process exited (until it runs again)
    usage-limit        the agent hit its usage limit (until it works again)
    api-errors         ``count`` API errors within ``window``
    tests-failing      test output says tests fail (until a run passes)
    answer-unverified  yesman typed an answer that did not take: a human must look

yesman itself (from the periodic performance reports; label ``component`` where it applies):

    component-latency  a component's p95 latency over ``threshold_ms`` in a report interval
    memory-leak        the tracker suspects a component of leaking memory
    bottleneck         the tracker reports a component as a bottleneck (its own thresholds)
    queue-utilisation  the event bus's queue peaked over ``threshold_percent`` full
    queue-overflow     at least ``min_events`` events were lost to a full bus queue
    loop-lag           the event loop's p99 lag over ``threshold_ms``
    tmux-disconnected  the connection to the tmux server was lost (until it answers again)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from yesman.alerts._model import Severity

__all__ = ["KINDS", "KindSpec", "RuleKind", "Setting"]


class RuleKind(StrEnum):
    DIALOG_HELD = "dialog-held"
    AGENT_IDLE = "agent-idle"
    AGENT_EXITED = "agent-exited"
    USAGE_LIMIT = "usage-limit"
    API_ERRORS = "api-errors"
    TESTS_FAILING = "tests-failing"
    ANSWER_UNVERIFIED = "answer-unverified"
    COMPONENT_LATENCY = "component-latency"
    MEMORY_LEAK = "memory-leak"
    BOTTLENECK = "bottleneck"
    QUEUE_UTILISATION = "queue-utilisation"
    QUEUE_OVERFLOW = "queue-overflow"
    LOOP_LAG = "loop-lag"
    TMUX_DISCONNECTED = "tmux-disconnected"


ALIASES: Final = {"queue-utilization": RuleKind.QUEUE_UTILISATION}


@dataclass(frozen=True, slots=True)
class Setting:
    """A kind-specific key of a rule: which `RuleConfig` field it fills, of what type."""

    field: str  # "threshold", "window", "components", "min_operations"
    type: str  # "number", "integer", "duration", "strings"
    default: float | None = None
    help: str = ""


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: RuleKind
    default_for: float
    severity: Severity
    agent: bool  # about one pane's agent: takes `sessions`, labels session/pane/agent
    settings: dict[str, Setting] = field(default_factory=dict)


def _spec(
    kind: RuleKind,
    default_for: float,
    severity: Severity,
    *,
    agent: bool,
    **settings: Setting,
) -> KindSpec:
    return KindSpec(kind, default_for, severity, agent, dict(settings))


_COMPONENTS = Setting("components", "strings", help="component names (default: all)")

KINDS: Final[dict[RuleKind, KindSpec]] = {
    s.kind: s
    for s in (
        _spec(RuleKind.DIALOG_HELD, 60.0, Severity.WARNING, agent=True),
        _spec(RuleKind.AGENT_IDLE, 300.0, Severity.INFO, agent=True),
        _spec(RuleKind.AGENT_EXITED, 0.0, Severity.WARNING, agent=True),
        _spec(RuleKind.USAGE_LIMIT, 0.0, Severity.WARNING, agent=True),
        _spec(
            RuleKind.API_ERRORS,
            0.0,
            Severity.WARNING,
            agent=True,
            count=Setting("threshold", "integer", 3, "API errors that fire the alert"),
            window=Setting("window", "duration", 600.0, "how far back errors count"),
        ),
        _spec(RuleKind.TESTS_FAILING, 600.0, Severity.INFO, agent=True),
        _spec(RuleKind.ANSWER_UNVERIFIED, 0.0, Severity.CRITICAL, agent=True),
        _spec(
            RuleKind.COMPONENT_LATENCY,
            120.0,
            Severity.WARNING,
            agent=False,
            threshold_ms=Setting("threshold", "number", 500.0, "p95 latency in ms"),
            components=_COMPONENTS,
            min_operations=Setting(
                "min_operations", "integer", 5, "operations an interval needs to count"
            ),
        ),
        _spec(RuleKind.MEMORY_LEAK, 0.0, Severity.WARNING, agent=False, components=_COMPONENTS),
        _spec(RuleKind.BOTTLENECK, 300.0, Severity.INFO, agent=False, components=_COMPONENTS),
        _spec(
            RuleKind.QUEUE_UTILISATION,
            60.0,
            Severity.WARNING,
            agent=False,
            threshold_percent=Setting("threshold", "number", 80.0, "peak queue fill in %"),
        ),
        _spec(
            RuleKind.QUEUE_OVERFLOW,
            0.0,
            Severity.CRITICAL,
            agent=False,
            min_events=Setting("threshold", "integer", 1, "events lost in one interval"),
        ),
        _spec(
            RuleKind.LOOP_LAG,
            120.0,
            Severity.WARNING,
            agent=False,
            threshold_ms=Setting("threshold", "number", 100.0, "p99 event-loop lag in ms"),
        ),
        _spec(RuleKind.TMUX_DISCONNECTED, 10.0, Severity.CRITICAL, agent=False),
    )
}
