"""Evaluators of the agent rule kinds: one condition per pane, from the monitor's events.

What starts and ends each condition (events as the monitor publishes them, `yesman.monitor`):

    dialog-held        PROMPT_HELD starts it; the pane's next RESPONSE_SENT, a status change
    answer-unverified  to anything but "waiting", a different dialog detected, or the pane
                       closing (SESSION_STOPPED) ends it. answer-unverified takes only the holds
                       that mark a failure (``alert``: the answer did not take)
    agent-idle         a status change to "idle" starts it, any other status change ends it
    agent-exited       AUTOMATION_CONTEXT ``agent_exited`` starts it; a status change with the
                       agent running again, ``agent_restarted`` or the pane closing ends it
    usage-limit        ``usage_limit`` starts it; the agent busy again or the pane closing ends it
    tests-failing      ``tests_failing`` starts it; ``tests_passing`` or the pane closing ends it
    api-errors         ``api_error`` contexts are counted per pane over ``window``; the
                       condition holds while at least ``count`` are inside the window
"""

from __future__ import annotations

from collections import deque

from yesman.alerts._config import RuleConfig
from yesman.alerts._durations import format_duration
from yesman.alerts._evaluator import (
    Condition,
    Evaluator,
    PaneConditions,
    pane_details,
    pane_labels,
)
from yesman.alerts._kinds import RuleKind
from yesman.bus import (
    AutomationObserved,
    Event,
    EventType,
    PaneEvent,
    PromptDetected,
    PromptHeld,
    ResponseSent,
    SessionStopped,
    StatusChanged,
)

__all__ = ["AGENT_EVALUATORS"]


class _PaneRule(Evaluator):
    """A condition per pane, ended by the pane closing; subclasses say what starts and ends it."""

    def __init__(self, rule: RuleConfig) -> None:
        super().__init__(rule)
        self.panes = PaneConditions()

    def observe(self, event: Event) -> bool:
        payload = event.payload
        if not isinstance(payload, PaneEvent) or not self.wants(payload):
            return False
        if isinstance(payload, SessionStopped):
            return self.panes.end(payload.pane_id)
        return self.update(event, payload)

    def update(self, event: Event, payload: PaneEvent) -> bool:
        raise NotImplementedError

    def conditions(self, now: float) -> list[Condition]:
        return self.panes.elapsed(now)


class DialogHeld(_PaneRule):
    events = frozenset(
        {
            EventType.PROMPT_HELD,
            EventType.PROMPT_DETECTED,
            EventType.RESPONSE_SENT,
            EventType.CLAUDE_STATUS_CHANGED,
            EventType.SESSION_STOPPED,
        }
    )
    only_failures = False

    def __init__(self, rule: RuleConfig) -> None:
        super().__init__(rule)
        self._dialogs: dict[str, str] = {}  # pane -> fingerprint of the held dialog

    def update(self, event: Event, payload: PaneEvent) -> bool:
        pane = payload.pane_id
        if isinstance(payload, PromptHeld):
            if self.only_failures and not payload.alert:
                return False
            prompt = payload.prompt
            what = prompt.tool or prompt.kind
            subject = prompt.subject if len(prompt.subject) <= 80 else prompt.subject[:79] + "…"
            verb = "answer did not take" if payload.alert else "held for a human"
            details = {
                "dialog": prompt.kind,
                "target": prompt.target or "",
                "question": prompt.question or "",
                "reason": payload.reason,
                "policy_rule": payload.rule,
            }
            self._dialogs[pane] = prompt.fingerprint
            return self.panes.start(
                pane,
                Condition(
                    labels=pane_labels(payload, tool=prompt.tool or prompt.kind),
                    since=event.timestamp,
                    summary=f"{what} {subject!r} {verb} in {payload.session} {pane}",
                    details=pane_details(payload, {k: v for k, v in details.items() if v}),
                ),
            )
        held = self._dialogs.get(pane)
        if held is None:
            return False
        ends = (
            isinstance(payload, ResponseSent)
            or (isinstance(payload, StatusChanged) and payload.new != "waiting")
            or (isinstance(payload, PromptDetected) and payload.prompt.fingerprint != held)
        )
        if ends:
            del self._dialogs[pane]
            return self.panes.end(pane)
        return False


class AnswerUnverified(DialogHeld):
    only_failures = True


class AgentIdle(_PaneRule):
    events = frozenset({EventType.CLAUDE_STATUS_CHANGED, EventType.SESSION_STOPPED})

    def update(self, event: Event, payload: PaneEvent) -> bool:
        if not isinstance(payload, StatusChanged):
            return False
        if payload.new != "idle":
            return self.panes.end(payload.pane_id)
        if self.panes.get(payload.pane_id) is not None:
            return False
        wait = self.rule.for_seconds
        over = f" for over {format_duration(wait)}" if wait > 0 else ""
        return self.panes.start(
            payload.pane_id,
            Condition(
                labels=pane_labels(payload),
                since=event.timestamp,
                summary=f"agent idle in {payload.session} {payload.pane_id}{over}",
                details=pane_details(payload),
            ),
        )


class _ContextRule(_PaneRule):
    """Started by one automation context, ended by another or by a status change."""

    events = frozenset(
        {
            EventType.AUTOMATION_CONTEXT,
            EventType.CLAUDE_STATUS_CHANGED,
            EventType.SESSION_STOPPED,
        }
    )
    starts = ""
    ends_on_context: frozenset[str] = frozenset()

    def ends_on_status(self, status: StatusChanged) -> bool:
        return False

    def update(self, event: Event, payload: PaneEvent) -> bool:
        pane = payload.pane_id
        if isinstance(payload, StatusChanged):
            return self.ends_on_status(payload) and self.panes.end(pane)
        if not isinstance(payload, AutomationObserved):
            return False
        if payload.context in self.ends_on_context:
            return self.panes.end(pane)
        if payload.context != self.starts:
            return False
        details = {k: str(v) for k, v in payload.details.items()}
        if payload.line:
            details["line"] = payload.line
        return self.panes.start(
            pane,
            Condition(
                labels=pane_labels(payload),
                since=event.timestamp,
                summary=f"{payload.summary} in {payload.session} {pane}",
                details=pane_details(payload, details),
            ),
        )


class AgentExited(_ContextRule):
    starts = "agent_exited"
    ends_on_context = frozenset({"agent_restarted"})

    def ends_on_status(self, status: StatusChanged) -> bool:
        return status.agent_running


class UsageLimit(_ContextRule):
    starts = "usage_limit"

    def ends_on_status(self, status: StatusChanged) -> bool:
        return status.new == "busy"


class TestsFailing(_ContextRule):
    starts = "tests_failing"
    ends_on_context = frozenset({"tests_passing"})


class ApiErrors(Evaluator):
    """At least ``threshold`` API errors in the last ``window`` seconds, per pane."""

    events = frozenset({EventType.AUTOMATION_CONTEXT, EventType.SESSION_STOPPED})

    def __init__(self, rule: RuleConfig) -> None:
        super().__init__(rule)
        self._errors: dict[str, deque[float]] = {}
        self._where: dict[str, AutomationObserved] = {}
        self._since: dict[str, float] = {}

    def observe(self, event: Event) -> bool:
        payload = event.payload
        if not isinstance(payload, PaneEvent) or not self.wants(payload):
            return False
        pane = payload.pane_id
        if isinstance(payload, SessionStopped):
            self._since.pop(pane, None)
            self._where.pop(pane, None)
            return self._errors.pop(pane, None) is not None
        if not isinstance(payload, AutomationObserved) or payload.context != "api_error":
            return False
        self._errors.setdefault(pane, deque(maxlen=10_000)).append(event.timestamp)
        self._where[pane] = payload
        return True

    def conditions(self, now: float) -> list[Condition]:
        found: list[Condition] = []
        count, window = int(self.rule.threshold), self.rule.window
        for pane, times in list(self._errors.items()):
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) < count:
                self._since.pop(pane, None)
                if not times:
                    del self._errors[pane]
                continue
            since = self._since.setdefault(pane, times[-count] if count else now)
            where = self._where[pane]
            found.append(
                Condition(
                    labels=pane_labels(where),
                    since=since,
                    summary=f"{len(times)} API error{'s' if len(times) > 1 else ''} in "
                    f"{format_duration(window)} in {where.session} {pane}",
                    value=float(len(times)),
                    details=pane_details(where, {"last_error": where.line} if where.line else {}),
                )
            )
        return found

    def next_change(self, now: float) -> float | None:
        oldest = [times[0] + self.rule.window for times in self._errors.values() if times]
        return min(oldest) if oldest else None


AGENT_EVALUATORS: dict[RuleKind, type[Evaluator]] = {
    RuleKind.DIALOG_HELD: DialogHeld,
    RuleKind.ANSWER_UNVERIFIED: AnswerUnverified,
    RuleKind.AGENT_IDLE: AgentIdle,
    RuleKind.AGENT_EXITED: AgentExited,
    RuleKind.USAGE_LIMIT: UsageLimit,
    RuleKind.TESTS_FAILING: TestsFailing,
    RuleKind.API_ERRORS: ApiErrors,
}
