"""`EventHub`: one serialisation per event for all pages, bounded queues, resync, clean end."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from yesman.bus import AsyncEventBus, Event, EventType, SessionStopped, SystemFault
from yesman.dashboard import EventHub
from yesman.dashboard._live import QUEUE_SIZE, event_message


@pytest.fixture
async def bus() -> AsyncIterator[AsyncEventBus]:
    async with AsyncEventBus(metrics_interval=0) as b:
        yield b


def stopped(pane: str) -> Event:
    return Event(
        EventType.SESSION_STOPPED,
        payload=SessionStopped(session="s", pane_id=pane, reason="pane closed"),
        correlation_id="c1",
    )


async def test_every_open_page_gets_each_event(bus: AsyncEventBus) -> None:
    async with EventHub(bus) as hub, hub.listen() as first, hub.listen() as second:
        assert hub.clients == 2
        bus.publish_nowait(stopped("%1"))
        bus.publish_nowait(Event(EventType.CUSTOM, data={"not": "live"}))  # not pushed
        await bus.join()
        for queue in (first, second):
            message = queue.get_nowait()
            assert message is not None
            got = json.loads(message)
            assert got["type"] == "session.stopped"
            assert got["correlation_id"] == "c1"
            assert got["data"] == {
                "session": "s",
                "pane_id": "%1",
                "agent": "",
                "agent_version": "",
                "reason": "pane closed",
            }
            assert queue.empty()
    assert hub.clients == 0


async def test_nothing_is_serialised_without_a_page(bus: AsyncEventBus) -> None:
    async with EventHub(bus) as hub:
        bus.publish_nowait(stopped("%1"))
        await bus.join()
        assert hub.sent == 0


async def test_a_page_that_falls_behind_is_told_to_reload(bus: AsyncEventBus) -> None:
    async with EventHub(bus) as hub, hub.listen() as queue:
        for i in range(QUEUE_SIZE + 10):
            bus.publish_nowait(stopped(f"%{i}"))
        await bus.join()
        messages = [queue.get_nowait() for _ in range(queue.qsize())]
        assert messages == [json.dumps({"type": "resync"})]
        # Once the page has read the notice (and reloaded), events flow again.
        bus.publish_nowait(stopped("%next"))
        await bus.join()
        message = queue.get_nowait()
        assert message is not None
        assert json.loads(message)["data"]["pane_id"] == "%next"


async def test_pushed_messages_reach_every_page_in_the_event_shape() -> None:
    """What the alert manager's listener sends (alert changes are not bus events)."""
    async with EventHub(None) as hub:
        hub.push("alert", {"id": 1}, source="alerts")  # no page open: nothing is kept
        assert hub.sent == 0
        async with hub.listen() as first, hub.listen() as second:
            hub.push("alert", {"id": 2, "state": "firing"}, source="alerts")
            for queue in (first, second):
                message = queue.get_nowait()
                assert message is not None
                got = json.loads(message)
                assert (got["type"], got["source"], got["correlation_id"]) == (
                    "alert",
                    "alerts",
                    None,
                )
                assert got["data"] == {"id": 2, "state": "firing"}
                assert got["ts"] > 0
            assert hub.sent == 2


async def test_stop_ends_every_stream() -> None:
    hub = EventHub(None)
    await hub.start()
    async with hub.listen() as queue:
        await hub.stop()
        assert await asyncio.wait_for(queue.get(), 1) is None
    async with hub.listen() as late:  # a stream opened after stop ends at once
        assert late.get_nowait() is None


def test_reports_are_sent_as_a_notice_only() -> None:
    message = json.loads(
        event_message(
            Event(EventType.PERFORMANCE_METRICS, data={"huge": list(range(1000))}, source="bus")
        )
    )
    assert message["data"] == {"source": "bus"}
    fault = json.loads(event_message(Event(EventType.SYSTEM_ERROR, payload=SystemFault(error="x"))))
    assert fault["data"] == {"error": "x", "source": ""}
