"""`AlertManager` on a real bus: events in, alerts and notifications out; the in-process API a
dashboard uses (active, recent, ack, silence, listeners); the tmux probe; stale rows."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from yesman.alerts import (
    Alert,
    AlertManager,
    AlertState,
    Severity,
    parse_alert_config,
    read_alerts,
)
from yesman.alerts._rows import insert_alert
from yesman.bus import (
    AsyncEventBus,
    DialogInfo,
    Event,
    EventType,
    PromptHeld,
    StatusChanged,
    SystemFault,
)
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer

T = TypeVar("T")
WHERE = {"session": "work", "pane_id": "%3", "agent": "claude-code"}


async def until(check: Callable[[], T], timeout: float = 10.0) -> T:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s")
        await asyncio.sleep(0.01)
    return value


def held(pane: str = "%3") -> Event:
    prompt = DialogInfo("permission", "Bash", "rm -rf /", None, (), None, None, f"fp{pane}")
    place = {**WHERE, "pane_id": pane}
    return Event(
        EventType.PROMPT_HELD,
        payload=PromptHeld(**place, reason="dangerous", rule="guard", alert=False, prompt=prompt),
    )


def moved_on(pane: str = "%3") -> Event:
    place = {**WHERE, "pane_id": pane}
    return Event(
        EventType.CLAUDE_STATUS_CHANGED,
        payload=StatusChanged(**place, old="waiting", new="busy", agent_running=True),
    )


def log_rules(path: Path, rules: str) -> str:
    return f'[[sink]]\nname = "file"\ntype = "log"\npath = "{path}"\n{rules}'


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


async def test_the_dashboard_api_without_a_database(tmp_path: Path) -> None:
    out = tmp_path / "n.jsonl"
    rules = log_rules(out, '[[rule]]\nkind = "dialog-held"\nfor = "0s"\nsinks = ["file"]\n')
    seen: list[tuple[str | None, AlertState]] = []
    async with (
        AsyncEventBus(metrics_interval=0) as bus,
        AlertManager(parse_alert_config(rules), bus) as manager,
    ):
        remove = manager.add_listener(lambda a: seen.append((a.labels.get("pane"), a.state)))
        bus.publish_nowait(held("%3"))
        bus.publish_nowait(held("%4"))
        await until(lambda: len(manager.active()) == 2)
        firing = manager.active()
        assert {a.state for a in firing} == {AlertState.FIRING}
        assert sorted(a.id or 0 for a in firing) == [1, 2]  # numbered in memory
        alert: Alert = firing[0]
        with pytest.raises(AttributeError):
            alert.state = AlertState.RESOLVED  # type: ignore[misc]  # frozen records
        acked = await manager.ack(alert.id or 0, by="dash")
        assert acked.acknowledged_by == "dash"
        silence = await manager.silence("dialog-held", 60, matchers={"pane": "%4"}, by="dash")
        assert [s.id for s in manager.silences()] == [silence.id]
        assert {a.labels["pane"]: a.silenced for a in manager.active()} == {"%3": False, "%4": True}
        assert await manager.unsilence(silence.id or 0)
        assert manager.silences() == ()
        bus.publish_nowait(moved_on("%3"))
        await until(lambda: len(manager.active()) == 1)
        (resolved,) = manager.recent()
        assert (resolved.labels["pane"], resolved.state) == ("%3", AlertState.RESOLVED)
        await manager.settle()
        remove()
    assert [(n["status"], n["labels"]["pane"]) for n in lines(out)] == [  # type: ignore[index]
        ("firing", "%3"),
        ("firing", "%4"),
        ("resolved", "%3"),
    ]
    assert ("%3", AlertState.PENDING) in seen
    assert ("%3", AlertState.RESOLVED) in seen


async def test_a_stopped_watcher_leaves_firing_alerts_stopped(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    rules = log_rules(tmp_path / "n.jsonl", '[[rule]]\nkind = "dialog-held"\nfor = "0s"\n')
    async with AuditStore.open(db) as store, AsyncEventBus(metrics_interval=0) as bus:
        async with AlertManager(parse_alert_config(rules), bus, store=store) as manager:
            bus.publish_nowait(held())
            await until(manager.active)
            await manager.settle()
        listing = await read_alerts(store)
    assert listing.firing == ()
    assert [a.state for a in listing.recent] == [AlertState.STOPPED]


async def test_rows_left_firing_by_a_killed_watcher_read_as_stopped(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    async with AuditStore.open(db) as store:
        now = time.time()
        alert = Alert(
            id=None,
            fingerprint="ab12",
            rule="dialog-held",
            kind="dialog-held",
            severity=Severity.WARNING,
            state=AlertState.FIRING,
            summary="s",
            started=now,
            fired=now,
        )
        row = await store.run_write(lambda conn: insert_alert(conn, alert))
        # This process owns the row: it reads as firing. A dead owner's does not.
        assert [a.id for a in (await read_alerts(store)).firing] == [row]
        await store.run_write(
            lambda conn: conn.execute("UPDATE alerts SET pid = 2147483646 WHERE id = ?", (row,))
        )
        listing = await read_alerts(store)
    assert listing.firing == ()
    assert [(a.id, a.state) for a in listing.recent] == [(row, AlertState.STOPPED)]


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer() as server:
        server.new_session("work")
        yield server


@pytest.mark.tmux
async def test_tmux_disconnected_resolves_once_the_server_answers_a_probe(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    out = tmp_path / "n.jsonl"
    rules = log_rules(out, '[[rule]]\nkind = "tmux-disconnected"\nfor = "0s"\nsinks = ["file"]\n')
    async with (
        AsyncEventBus(metrics_interval=0) as bus,
        AlertManager(
            parse_alert_config(rules), bus, tmux=tmux.server, probe_interval=0.2
        ) as manager,
    ):
        bus.publish_nowait(
            Event(
                EventType.SYSTEM_ERROR,
                payload=SystemFault(
                    error="tmux server lost: exited",
                    source="tmux",
                    details={"server": tmux.server.describe()},
                ),
            )
        )
        await until(manager.active)
        await until(lambda: not manager.active())  # the probe found the server answering
        await manager.settle()
    assert [n["status"] for n in lines(out)] == ["firing", "resolved"]
