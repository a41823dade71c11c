"""What the dashboard needs from a running watcher, and the fan-out of its events to pages.

`Watcher` is the seam to the watcher (a `yesman.monitor.MonitorSupervisor` is one): the panes it
watches, the dialogs held for a human, and a human's answer to one of them.

`EventHub` subscribes to the watcher's bus and hands every event of `LIVE_EVENTS` to each open
event stream (one per open page) as one JSON line, serialised once for all of them. The bus
handler only serialises and puts into bounded queues, so it never waits on a slow page: a page
that falls `QUEUE_SIZE` events behind gets a ``resync`` message instead and reloads its data;
events flow to it again once it has read that message.
With no page open the handler returns at once. `EventHub.push` sends what is not a bus event
(an alert's change, from the alert manager's listener) the same way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Final, Protocol

from yesman._lifecycle import Service
from yesman.bus import AsyncEventBus, Event, EventType, Subscription
from yesman.monitor import HeldDialog, HumanAction, HumanResult, WatchedPane

__all__ = ["LIVE_EVENTS", "QUEUE_SIZE", "EventHub", "Watcher", "event_message"]

log = logging.getLogger(__name__)

LIVE_EVENTS: Final[tuple[EventType, ...]] = (
    EventType.SESSION_CREATED,
    EventType.SESSION_STOPPED,
    EventType.SESSION_RENAMED,
    EventType.CLAUDE_STATUS_CHANGED,
    EventType.PROMPT_DETECTED,
    EventType.PROMPT_DECIDED,
    EventType.RESPONSE_SENT,
    EventType.PROMPT_HELD,
    EventType.AUTOMATION_CONTEXT,
    EventType.SYSTEM_ERROR,
    EventType.PERFORMANCE_METRICS,
)
"""The bus's event types pushed to open pages. Alert changes are not bus events: the alert
manager tells the hub through `EventHub.push` (type ``alert``); pages ignore types they do not
know."""

QUEUE_SIZE: Final = 256
"""Events one page may fall behind before it is told to reload instead."""

# Reports are large and pages only need to know one arrived (they re-read the history).
_SUMMARY_ONLY: Final = frozenset({EventType.PERFORMANCE_METRICS})


class Watcher(Protocol):
    """The live side of a watcher, as the dashboard uses it (`MonitorSupervisor` fits)."""

    def watched(self) -> list[WatchedPane]: ...

    def held_dialogs(self) -> list[HeldDialog]: ...

    async def resolve_held(
        self,
        pane_id: str,
        fingerprint: str,
        action: HumanAction,
        *,
        channel: str = ...,
        option: int | None = ...,
        note: str = ...,
    ) -> HumanResult: ...


def event_message(event: Event) -> str:
    """One event as the JSON a page receives: type, time, source, correlation id and data."""
    data: Any
    if event.type in _SUMMARY_ONLY:
        data = {"source": event.source}
    elif event.payload is not None:
        data = event.payload.as_dict()
    else:
        data = dict(event.data)
    return json.dumps(
        {
            "type": event.type.value,
            "ts": event.timestamp,
            "source": event.source,
            "correlation_id": event.correlation_id,
            "data": data,
        },
        default=str,
        separators=(",", ":"),
    )


_RESYNC: Final = json.dumps({"type": "resync"})


class _Client:
    __slots__ = ("lagged", "queue")

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(QUEUE_SIZE)
        self.lagged = False

    def offer(self, message: str) -> None:
        if self.lagged:
            if not self.queue.empty():
                return  # the page has not read the resync notice yet
            self.lagged = False  # it has, and reloaded: events flow again
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            # Too far behind: drop what waits and tell the page to reload its data.
            self.lagged = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_RESYNC)

    def close(self) -> None:
        if self.queue.full():
            self.queue.get_nowait()  # the end marker matters more than one more event
        self.queue.put_nowait(None)


class EventHub(Service):
    """Fans the bus's live events out to the open event streams (module docstring).

    Without a bus (the history-only dashboard) streams stay open and carry heartbeats only.
    Lifecycle as in ``yesman._lifecycle``; `stop()` ends every open stream.
    """

    def __init__(self, bus: AsyncEventBus | None, kinds: Sequence[EventType] = LIVE_EVENTS) -> None:
        self._bus = bus
        self._kinds = tuple(kinds)
        self._clients: set[_Client] = set()
        self._subscriptions: list[Subscription] = []
        self._open = False
        self.sent = 0  # messages queued for pages, all pages together

    @property
    def clients(self) -> int:
        """Event streams open now."""
        return len(self._clients)

    async def start(self) -> None:
        self._open = True
        if self._subscriptions or self._bus is None:
            return
        self._subscriptions = [self._bus.subscribe(kind, self._on_event) for kind in self._kinds]

    async def stop(self) -> None:
        self._open = False
        for subscription in self._subscriptions:
            subscription.unsubscribe()
        self._subscriptions = []
        for client in self._clients:
            client.close()

    def _on_event(self, event: Event) -> None:
        if self._clients:
            self._offer(event_message(event))

    def push(self, kind: str, data: Mapping[str, Any], *, source: str) -> None:
        """Send a message that is not a bus event (an alert's change) to every open page, in
        the shape of `event_message`. Call it on the event loop; it never waits."""
        if not self._clients:
            return
        message = {"type": kind, "ts": time.time(), "source": source, "correlation_id": None}
        self._offer(json.dumps({**message, "data": data}, default=str, separators=(",", ":")))

    def _offer(self, message: str) -> None:
        for client in self._clients:
            client.offer(message)
        self.sent += len(self._clients)

    @asynccontextmanager
    async def listen(self) -> AsyncIterator[asyncio.Queue[str | None]]:
        """A queue of messages for one page (None once the hub stops), while the block runs."""
        client = _Client()
        if not self._open:
            client.close()  # a stopped hub: the stream ends at once
        self._clients.add(client)
        try:
            yield client.queue
        finally:
            self._clients.discard(client)
