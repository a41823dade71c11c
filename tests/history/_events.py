"""Helpers for the history tests: real trackers, a real bus, real SQLite files."""

from __future__ import annotations

import time
from collections.abc import Sequence

from yesman.bus import DialogInfo, Event, EventType, PromptHeld, ResponseSent, StatusChanged
from yesman.metrics import ComponentTracker, PerformanceReporter

NOW = 1_800_000_000.0  # a fixed "now" for retention tests (2027-01-15)


class NoBus:
    async def publish(self, event: Event) -> bool:
        return True


def report_event(
    tracker: ComponentTracker,
    latencies: dict[str, Sequence[float]],
    *,
    at: float | None = None,
    errors: dict[str, int] | None = None,
) -> Event:
    """Record `latencies` per component on `tracker`, then cut one report as the reporter does."""
    for component, values in latencies.items():
        for ms in values:
            tracker.record_component_timing(component, ms)
        for _ in range((errors or {}).get(component, 0)):
            tracker.record_component_timing(component, 1.0, success=False, error_type="Boom")
    reporter = PerformanceReporter(tracker, NoBus(), "test", host_network=False)
    payload = reporter.build_payload(None, (), tracker.take_intervals())
    return Event(
        type=EventType.PERFORMANCE_METRICS,
        payload=payload,
        timestamp=time.time() if at is None else at,
    )


def dialog(tool: str = "Bash", target: str = "npm test") -> DialogInfo:
    return DialogInfo(
        kind="tool_permission",
        tool=tool,
        target=target,
        question="Do you want to proceed?",
        options=(),
        highlighted=1,
        warning=None,
        fingerprint=f"fp-{tool}-{target}",
    )


def answered(
    pane: str,
    at: float,
    latency_ms: float,
    action: str = "answer",
    *,
    agent: str = "",
    agent_version: str = "",
) -> Event:
    return Event(
        type=EventType.RESPONSE_SENT,
        payload=ResponseSent(
            session="work",
            pane_id=pane,
            agent=agent,
            agent_version=agent_version,
            action=action,
            keys=("1",),
            rule="allow:npm",
            latency_ms=latency_ms,
            prompt=dialog(),
        ),
        timestamp=at,
    )


def held(pane: str, at: float, *, agent: str = "", agent_version: str = "") -> Event:
    return Event(
        type=EventType.PROMPT_HELD,
        payload=PromptHeld(
            session="work",
            pane_id=pane,
            agent=agent,
            agent_version=agent_version,
            reason="no rule matched",
            rule="",
            alert=False,
            prompt=dialog("Write", "/etc/hosts"),
        ),
        timestamp=at,
    )


def status(pane: str, at: float, new: str = "working", old: str = "prompt") -> Event:
    return Event(
        type=EventType.CLAUDE_STATUS_CHANGED,
        payload=StatusChanged(session="work", pane_id=pane, old=old, new=new, agent_running=True),
        timestamp=at,
    )
