"""Restarts, exits and errors of each pane's agent, from AUTOMATION_CONTEXT events."""

from __future__ import annotations

import time
from pathlib import Path

from yesman.bus import AsyncEventBus, AutomationObserved, Event, EventType
from yesman.history import HistoryWriter, read_pane_activity
from yesman.store import AuditStore

# Recent: maintenance at the writer's start prunes rows older than the retention.
T0 = time.time() - 3600


def _seen(pane: str, context: str, at: float, session: str = "work") -> Event:
    return Event(
        type=EventType.AUTOMATION_CONTEXT,
        payload=AutomationObserved(
            session=session, pane_id=pane, agent="claude", context=context, summary=context
        ),
        timestamp=T0 + at,
    )


async def test_agent_activity_is_counted_per_pane_and_range(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    events = [
        _seen("%1", "agent_restarted", 100.0),
        _seen("%1", "agent_exited", 101.0),
        _seen("%1", "agent_restarted", 200.0),
        _seen("%1", "api_error", 201.0),
        _seen("%2", "usage_limit", 150.0, session="other"),
        _seen("%2", "idle", 151.0, session="other"),  # not counted: not trouble
        _seen("%2", "git_commit", 152.0, session="other"),
    ]
    async with AuditStore.open(path) as store, AsyncEventBus() as bus, HistoryWriter(store, bus):
        for event in events:
            assert await bus.publish(event)
        await bus.join()
    one, two = await read_pane_activity(path)
    assert (one.session, one.pane, one.restarts, one.exits, one.api_errors) == (
        "other", "%2", 0, 0, 0,
    )  # fmt: skip
    assert one.usage_limits == 1
    assert one.errors == 1
    assert (two.session, two.pane, two.agent) == ("work", "%1", "claude")
    assert (two.restarts, two.exits, two.errors) == (2, 1, 1)
    (early,) = await read_pane_activity(path, since=T0, until=T0 + 150.0)
    assert (early.restarts, early.exits, early.errors) == (1, 1, 0)
    assert await read_pane_activity(path, session="nobody") == ()


async def test_a_database_from_before_schema_4_reads_as_no_activity(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    async with AuditStore.open(path):
        pass
    assert await read_pane_activity(path) == ()
