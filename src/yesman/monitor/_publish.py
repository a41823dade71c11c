"""Turning what a monitor sees into typed events on the bus."""

from __future__ import annotations

from typing import TypedDict

from yesman.agents import Prompt
from yesman.bus import (
    AsyncEventBus,
    DialogInfo,
    Event,
    EventPriority,
    EventType,
    OptionInfo,
    Payload,
)

__all__ = ["Publisher", "Where", "dialog_info"]


class Where(TypedDict):
    """The fields every pane event carries: where it happened and which agent (and version,
    ``""`` until known) runs there."""

    session: str
    pane_id: str
    agent: str
    agent_version: str


def dialog_info(prompt: Prompt) -> DialogInfo:
    """The event payload's view of a parsed dialog (the same shape as ``Prompt.as_dict()``)."""
    return DialogInfo(
        kind=prompt.kind.value,
        tool=prompt.tool,
        target=prompt.target,
        question=prompt.question,
        options=tuple(OptionInfo(o.number, o.text) for o in prompt.options),
        highlighted=prompt.highlighted,
        warning=prompt.warning,
        fingerprint=prompt.fingerprint,
    )


class Publisher:
    """Publishes one component's events without ever blocking it.

    A full bus refuses the event (and counts it as dropped); the pipeline goes on, because an
    event missed by a display must never delay an answer.
    """

    __slots__ = ("_bus", "_source")

    def __init__(self, bus: AsyncEventBus | None, source: str) -> None:
        self._bus = bus
        self._source = source

    def __call__(
        self,
        kind: EventType,
        payload: Payload,
        *,
        priority: EventPriority = EventPriority.NORMAL,
        correlation_id: str | None = None,
    ) -> None:
        if self._bus is None:
            return
        self._bus.publish_nowait(
            Event(
                type=kind,
                source=self._source,
                priority=priority,
                correlation_id=correlation_id,
                payload=payload,
            )
        )
