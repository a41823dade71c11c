"""Alerts from a real watcher on the simulated Claude Code in private tmux: a held dialog fires
once after ``for``, resolves when the human answers, repeats only after the repeat interval and
not once acknowledged; a silenced rule sends nothing; a dead webhook delays no answer."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from support.http_receiver import Receiver
from yesman._simagent.harness import SIMULATED_CLAUDE, AgentLog, start_simulated_agent
from yesman.alerts import (
    AlertManager,
    AlertState,
    ack_alert,
    add_silence,
    parse_alert_config,
    read_alerts,
    read_deliveries,
)
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer

pytestmark = pytest.mark.tmux

T = TypeVar("T")


async def until(check: Callable[[], T], what: str, timeout: float = 15.0) -> T:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
    return value


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(width=120, height=40) as server:
        yield server


@dataclass
class Watch:
    bus: AsyncEventBus
    store: AuditStore
    manager: AlertManager
    db: Path
    events: list[Event]

    def of(self, kind: EventType) -> list[Event]:
        return [e for e in self.events if e.type is kind]


@asynccontextmanager
async def watching(tmux: PrivateTmuxServer, db: Path, rules: str) -> AsyncIterator[Watch]:
    """The watcher as `yesman watch --alerts` wires it: one bus, one database, the manager."""
    config = parse_alert_config(rules, "rules.toml")
    events: list[Event] = []
    async with AuditStore.open(db) as store, AsyncEventBus(metrics_interval=0) as bus:
        for kind in (EventType.PROMPT_HELD, EventType.RESPONSE_SENT):
            bus.subscribe(kind, events.append)
        async with (
            AlertManager(config, bus, store=store, tmux=tmux.server, poll_interval=0.2) as manager,
            MonitorSupervisor(
                tmux.server,
                event_bus=bus,
                audit=store,
                agents=[SIMULATED_CLAUDE],
                settings=MonitorSettings(performance_interval=0),
            ),
        ):
            yield Watch(bus, store, manager, db, events)


def webhook_rules(url: str, rule: str) -> str:
    return (
        f'[[sink]]\nname = "ops"\ntype = "webhook"\nurl = "{url}"\nretries = 0\n'
        f'[[rule]]\nkind = "dialog-held"\nsinks = ["ops"]\n{rule}\n'
    )


def start(
    tmux: PrivateTmuxServer, tmp_path: Path, *scenarios: str, **kw: Any
) -> tuple[str, AgentLog]:
    return start_simulated_agent(tmux, tmp_path / "project", *scenarios, **kw)


async def test_a_held_dialog_fires_once_after_for_and_resolves_when_the_human_answers(
    tmux: PrivateTmuxServer, tmp_path: Path, receiver: Receiver
) -> None:
    pane, agent = start(tmux, tmp_path, "dangerous")
    rules = webhook_rules(f"{receiver.url}/hook", 'for = "1500ms"\nrepeat_interval = "1h"')
    async with watching(tmux, tmp_path / "audit.db", rules) as w:
        (held,) = await until(lambda: w.of(EventType.PROMPT_HELD), "the dialog held")
        (firing,) = await asyncio.to_thread(receiver.wait_for, 1, 10.0)
        fired_at = receiver.requests[0].time
        assert fired_at - held.timestamp >= 1.5  # not before `for`
        assert fired_at - held.timestamp < 3.5
        assert firing["status"] == "firing"
        assert firing["labels"] == {
            "session": "work",
            "pane": pane,
            "agent": "claude-code-simulated",
            "tool": "Bash",
        }
        assert firing["details"]["target"] == "rm -rf /"
        assert firing["details"]["agent_version"] == "2.1.332"  # from the agent's banner
        # Still held, well inside the repeat interval: nothing more.
        await asyncio.sleep(2.0)
        assert len(receiver.requests) == 1
        (active,) = w.manager.active()
        assert (active.state, active.id, active.notifications) == (AlertState.FIRING, 1, 1)

        # The human answers the dialog in the pane ("No"): the alert resolves.
        tmux.run("send-keys", "-t", pane, "2")
        await until(lambda: agent.events("answered") or agent.events("key"), "the human's key")
        _, resolved = await asyncio.to_thread(receiver.wait_for, 2, 10.0)
        assert resolved["status"] == "resolved"
        assert resolved["fingerprint"] == firing["fingerprint"]
        assert resolved["id"] == firing["id"] == 1
        assert resolved["ended"] is not None
        assert w.manager.active() == ()
        await w.manager.settle()
        listing = await read_alerts(w.store)
        (stored,) = listing.recent
        assert (stored.state, stored.notifications, stored.id) == (AlertState.RESOLVED, 2, 1)
        deliveries = await read_deliveries(w.store, 1)
        assert [(d["status"], d["outcome"]) for d in deliveries] == [
            ("firing", "delivered"),
            ("resolved", "delivered"),
        ]
    assert len(receiver.requests) == 2


async def test_repeats_follow_the_repeat_interval_and_stop_once_acknowledged(
    tmux: PrivateTmuxServer, tmp_path: Path, receiver: Receiver
) -> None:
    start(tmux, tmp_path, "dangerous")
    db = tmp_path / "audit.db"
    rules = webhook_rules(f"{receiver.url}/hook", 'for = "0s"\nrepeat_interval = "1s"')
    async with watching(tmux, db, rules) as w:
        bodies = await asyncio.to_thread(receiver.wait_for, 3, 10.0)
        assert [b["repeat"] for b in bodies[:3]] == [False, True, True]
        gaps = [
            b.time - a.time for a, b in zip(receiver.requests, receiver.requests[1:3], strict=False)
        ]
        assert all(0.9 <= g < 2.0 for g in gaps), gaps
        # `yesman alerts ack 1` in another process: its own connection to the database.
        acked = await ack_alert(db, 1, by="alice")
        assert acked.acknowledged_by == "alice"
        await until(lambda: w.manager.active()[0].acknowledged, "the watcher to read the ack")
        sent = len(receiver.requests)
        await asyncio.sleep(2.5)
        assert len(receiver.requests) == sent
        assert receiver.bodies()[-1]["status"] == "firing"


async def test_a_silenced_rule_sends_nothing(
    tmux: PrivateTmuxServer, tmp_path: Path, receiver: Receiver
) -> None:
    pane, agent = start(tmux, tmp_path, "dangerous")
    db = tmp_path / "audit.db"
    async with AuditStore.open(db):  # the database exists before the watcher, as in real use
        pass
    silence = await add_silence(db, "dialog-held", 3600, comment="lunch", by="bob")
    rules = webhook_rules(f"{receiver.url}/hook", 'for = "0s"')
    async with watching(tmux, db, rules) as w:
        await until(
            lambda: w.manager.active() and w.manager.active()[0].state is AlertState.FIRING,
            "the alert to fire",
        )
        (alert,) = w.manager.active()
        assert alert.silenced
        assert [s.id for s in w.manager.silences()] == [silence.id]
        tmux.run("send-keys", "-t", pane, "2")
        await until(lambda: not w.manager.active(), "the alert to resolve")
        await w.manager.settle()
        assert receiver.requests == []
        (stored,) = (await read_alerts(w.store)).recent
        assert (stored.state, stored.silenced, stored.notifications) == (
            AlertState.RESOLVED,
            True,
            0,
        )
        deliveries = await read_deliveries(w.store, stored.id or 0)
        assert [(d["sink"], d["outcome"]) for d in deliveries] == [("ops", "silenced")]
    assert agent.events("key")


async def test_a_dead_webhook_does_not_hold_up_answers_in_other_panes(
    tmux: PrivateTmuxServer, tmp_path: Path, dead_url: str
) -> None:
    start(tmux, tmp_path, "dangerous", session="held")
    _, busy = start(tmux, tmp_path, "bash", "write", session="busy", loop=True)
    rules = webhook_rules(dead_url, 'for = "0s"').replace("retries = 0", 'timeout = "30s"')
    async with watching(tmux, tmp_path / "audit.db", rules) as w:
        await until(w.manager.active, "the held dialog's alert")
        await until(lambda: w.manager.sink_stats()[0].queued == 1, "the notification queued")
        answered_before = len(w.of(EventType.RESPONSE_SENT))
        await asyncio.sleep(4.0)
        (stats,) = w.manager.sink_stats()
        # The notification is still waiting on the dead receiver...
        assert (stats.delivered, stats.undelivered) == (0, 0)
        # ... while the other pane's dialogs kept being answered.
        answered = w.of(EventType.RESPONSE_SENT)[answered_before:]
        assert len(answered) >= 2
        assert all(e.data["session"] == "busy" for e in answered)
    assert len(busy.events("answered")) >= 2


async def test_agent_rules_from_the_simulated_agent_api_errors_and_idle(
    tmux: PrivateTmuxServer, tmp_path: Path, receiver: Receiver
) -> None:
    start(tmux, tmp_path, "error")
    start(tmux, tmp_path, "bash", session="done")  # answered, then idle at its prompt
    rules = (
        f'[[sink]]\nname = "ops"\ntype = "webhook"\nurl = "{receiver.url}/hook"\n'
        '[[rule]]\nkind = "api-errors"\ncount = 1\nwindow = "5m"\nsinks = ["ops"]\n'
        '[[rule]]\nkind = "agent-idle"\nfor = "1s"\nsinks = ["ops"]\n'
    )

    def fired(rule: str) -> dict[str, dict[str, Any]]:
        return {
            b["labels"]["session"]: b
            for b in receiver.bodies()
            if b["rule"] == rule and b["status"] == "firing"
        }

    async with watching(tmux, tmp_path / "audit.db", rules):
        errors = await until(lambda: fired("api-errors"), "the api-errors alert")
        await until(lambda: "done" in fired("agent-idle"), "the agent-idle alert")
    assert list(errors) == ["work"]
    assert "429" in errors["work"]["details"]["last_error"]
    assert (
        errors["work"]["summary"] == f"1 API error in 5m in work {errors['work']['labels']['pane']}"
    )
