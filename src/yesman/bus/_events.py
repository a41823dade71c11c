"""The values that travel on the bus: `Event`, its `EventType` and `EventPriority`."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from yesman.bus._payloads import Payload, PayloadView

__all__ = ["Event", "EventPriority", "EventType"]


class EventType(StrEnum):
    """What an event is about. Values are dotted strings, stable across releases."""

    PERFORMANCE_METRICS = "performance.metrics"
    PERFORMANCE_ALERT = "performance.alert"
    SESSION_CREATED = "session.created"
    SESSION_STOPPED = "session.stopped"
    SESSION_RENAMED = "session.renamed"
    CLAUDE_STATUS_CHANGED = "claude.status_changed"
    PROMPT_DETECTED = "prompt.detected"
    PROMPT_DECIDED = "prompt.decided"
    RESPONSE_SENT = "response.sent"
    PROMPT_HELD = "prompt.held"
    AUTOMATION_CONTEXT = "automation.context"
    SYSTEM_ERROR = "system.error"
    CUSTOM = "custom"


class EventPriority(IntEnum):
    """Dispatch order for waiting events: a higher value is dispatched first."""

    LOW = 0
    NORMAL = 1
    HIGH = 2
    CRITICAL = 3


def _empty_data() -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened.

    `data` should be treated as read-only by handlers: the same mapping is handed to every
    subscriber. `timestamp` is wall-clock seconds since the epoch (`time.time()`), so it can be
    stored and compared across processes.

    Events that yesman publishes carry a typed `payload` (see ``yesman.bus._payloads``); their
    `data` is then a read-only view of the same values. Give either `data` or `payload`.
    """

    type: EventType
    data: Mapping[str, Any] = field(default_factory=_empty_data)
    source: str = ""
    timestamp: float = field(default_factory=time.time)
    correlation_id: str | None = None
    priority: EventPriority = EventPriority.NORMAL
    payload: Payload | None = None

    def __post_init__(self) -> None:
        # Accept the plain values too ("prompt.detected", 2) but nothing that is not one.
        kind: object = self.type  # typed as EventType, but callers may pass anything
        if not isinstance(kind, EventType):
            try:
                object.__setattr__(self, "type", EventType(self.type))
            except (ValueError, TypeError):
                known = ", ".join(t.value for t in EventType)
                raise ValueError(
                    f"Event type must be an EventType (one of: {known}), got {self.type!r}"
                ) from None
        priority: object = self.priority
        if not isinstance(priority, EventPriority):
            try:
                object.__setattr__(self, "priority", EventPriority(self.priority))
            except (ValueError, TypeError):
                raise ValueError(
                    f"Event priority must be an EventPriority (LOW, NORMAL, HIGH, CRITICAL), "
                    f"got {self.priority!r}"
                ) from None
        data: object = self.data
        if not isinstance(data, Mapping):
            raise TypeError(f"Event data must be a mapping, got {type(self.data).__name__}")
        if self.payload is not None:
            if self.data:
                raise ValueError("give an Event either data or a payload, not both")
            object.__setattr__(self, "data", PayloadView(self.payload))
