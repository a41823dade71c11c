"""Typed payloads: what each kind of event carries, as frozen dataclasses.

An event built with a payload (``Event(EventType.PROMPT_HELD, payload=PromptHeld(...))``) keeps
its fields typed for consumers that read them (the store, exporters, the dashboard, alerting:
``event.payload.reason``, a typo is a type error), and still offers ``event.data`` as a read-only
mapping of the same values for code written against the seed's dict-shaped events
(``event.data["reason"]``). The mapping is built on first access, so consumers that read fields
pay nothing for it.

Payloads hold plain values only (strings, numbers, tuples, nested payloads): they are the wire
format of an event, stored and exported as they are, never a reference to a live object.

Which payload each event type carries:

    SESSION_CREATED        SessionCreated
    SESSION_STOPPED        SessionStopped
    SESSION_RENAMED        SessionRenamed
    CLAUDE_STATUS_CHANGED  StatusChanged
    PROMPT_DETECTED        PromptDetected
    PROMPT_DECIDED         PromptDecided
    RESPONSE_SENT          ResponseSent
    PROMPT_HELD            PromptHeld
    AUTOMATION_CONTEXT     AutomationObserved
    SYSTEM_ERROR           SystemFault
    PERFORMANCE_METRICS    BusReport (the bus's own), PerformanceReport (a tracker's, in metrics)
    PERFORMANCE_ALERT      PerformanceAlert (in metrics)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yesman.bus._metrics import EventMetrics

__all__ = [
    "AutomationObserved",
    "BusReport",
    "DialogInfo",
    "OptionInfo",
    "PaneEvent",
    "Payload",
    "PayloadView",
    "PromptDecided",
    "PromptDetected",
    "PromptHeld",
    "ResponseSent",
    "SessionCreated",
    "SessionRenamed",
    "SessionStopped",
    "StatusChanged",
    "SystemFault",
]


def _plain(value: Any) -> Any:
    if isinstance(value, Payload):
        return value.as_dict()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, slots=True)
class Payload:
    """Base of every payload: ``as_dict()`` gives the plain, JSON-ready shape of its fields."""

    def as_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}


class PayloadView(Mapping[str, Any]):
    """``Event.data`` for an event built from a payload: its ``as_dict()``, made on first use."""

    __slots__ = ("_dict", "_payload")

    def __init__(self, payload: Payload) -> None:
        self._payload = payload
        self._dict: dict[str, Any] | None = None

    def _data(self) -> dict[str, Any]:
        if self._dict is None:
            self._dict = self._payload.as_dict()
        return self._dict

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __repr__(self) -> str:
        return repr(self._data())


@dataclass(frozen=True, slots=True)
class OptionInfo(Payload):
    """One numbered choice of a dialog."""

    number: int
    text: str


@dataclass(frozen=True, slots=True)
class DialogInfo(Payload):
    """The dialog an event is about, as it was read from the screen."""

    kind: str
    tool: str | None
    target: str | None
    question: str | None
    options: tuple[OptionInfo, ...]
    highlighted: int | None
    warning: str | None
    fingerprint: str

    @property
    def subject(self) -> str:
        """What the dialog is about, for one-line displays: target, else question, else kind."""
        return self.target or self.question or self.kind


@dataclass(frozen=True, slots=True, kw_only=True)
class PaneEvent(Payload):
    """Fields every pane event has: where it happened and which agent runs there
    (``agent_version``: its version as yesman read it, ``""`` while not known)."""

    session: str
    pane_id: str
    agent: str = ""
    agent_version: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionCreated(PaneEvent):
    """A pane started being watched."""

    session_id: str
    pane_pid: int
    path: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionStopped(PaneEvent):
    """A pane stopped being watched (it closed, or the server lost it)."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRenamed(Payload):
    """A tmux session was renamed; its panes are relabelled."""

    session_id: str
    old: str
    new: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChanged(PaneEvent):
    """The agent's state on screen changed (``old``/``new`` are ``ScreenState`` values)."""

    old: str | None
    new: str
    agent_running: bool
    detail: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PromptDetected(PaneEvent):
    """A new, fully drawn dialog is on screen."""

    prompt: DialogInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class PromptDecided(PaneEvent):
    """The policy's decision about a dialog (``action`` is an ``Action`` value). ``channel``:
    ``"screen"`` (read from the pane) or ``"hook"`` (asked by the agent's permission hook)."""

    action: str
    keys: tuple[str, ...]
    rule: str
    reason: str
    dry_run: bool
    prompt: DialogInfo
    channel: str = "screen"


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseSent(PaneEvent):
    """A dialog was answered. On the ``"screen"`` channel keys were typed and ``latency_ms``
    counts from the dialog's first output; on the ``"hook"`` channel the answer went back to the
    agent's hook (``keys`` empty) and ``latency_ms`` counts from the hook's request."""

    action: str
    keys: tuple[str, ...]
    rule: str
    latency_ms: float
    prompt: DialogInfo
    channel: str = "screen"


@dataclass(frozen=True, slots=True, kw_only=True)
class PromptHeld(PaneEvent):
    """A dialog is left for a human; ``alert`` marks a failure (an answer that did not take).
    ``channel`` says which channel decided to hold it (the event's time is when the dialog was
    asked for: for a hook, the request)."""

    reason: str
    rule: str
    alert: bool
    prompt: DialogInfo
    channel: str = "screen"


@dataclass(frozen=True, slots=True, kw_only=True)
class AutomationObserved(PaneEvent):
    """A fact seen on screen (tests failing, usage limit ...); ``details`` depend on ``context``.

    In ``as_dict()`` the details are merged into the top level, as the seed's events had them.
    """

    context: str
    summary: str
    line: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = {
            "session": self.session,
            "pane_id": self.pane_id,
            "agent": self.agent,
            "agent_version": self.agent_version,
            "context": self.context,
            "summary": self.summary,
            "line": self.line,
        }
        data.update(_plain(self.details))
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemFault(Payload):
    """Something went wrong outside any one dialog; ``details`` say more, by kind."""

    error: str
    source: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"error": self.error, "source": self.source}
        data.update(_plain(self.details))
        return data


@dataclass(frozen=True, slots=True, kw_only=True)
class BusReport(Payload):
    """The bus's own figures for one metrics interval (a ``PERFORMANCE_METRICS`` event)."""

    metrics: EventMetrics

    def as_dict(self) -> dict[str, Any]:
        return {"component": "event_bus", **self.metrics.to_dict()}
