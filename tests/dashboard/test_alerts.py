"""The alerts API against a real watcher and its AlertManager (the simulated Claude Code holds a
dangerous command; a ``dialog-held`` rule fires on it), a real webhook receiver, and the
database: what the page's buttons do reaches the receiver and the database. Also the
history-only dashboard, which acts through the database alone."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.http_receiver import Receiver
from yesman.alerts import AlertState, read_alerts, read_deliveries
from yesman.dashboard import DashboardServer, parse_bind

from .conftest import Live, alert_rules, running, until

pytestmark = pytest.mark.tmux


async def firing(live: Live) -> dict[str, Any]:
    """The one firing alert, once GET /api/alerts shows it."""
    async with live.client() as client:

        async def look() -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = (await client.get("/api/alerts")).json()["active"]
            return [r for r in rows if r["state"] == "firing"]

        deadline = time.monotonic() + 15
        while not (rows := await look()):
            assert time.monotonic() < deadline, "no alert fired"
            await asyncio.sleep(0.05)
    (row,) = rows
    return row


async def test_a_firing_alert_is_listed_linked_and_acknowledged(
    live_alerts: Live, receiver: Receiver
) -> None:
    live = live_alerts
    pane, agent = await live.start_agent("dangerous")
    async with live.client() as client:
        # Held, not yet for a second: pending, listed, nothing sent.
        await until(live.manager.active, "the pending alert")
        listing = (await client.get("/api/alerts")).json()
        assert listing["live"] is True
        (pending,) = listing["active"]
        assert (pending["state"], pending["id"]) == ("pending", None)
        assert pending["ref"] == pending["fingerprint"]
        assert receiver.requests == []

        alert = await firing(live)
        assert alert["rule"] == "dialog-held"
        assert alert["severity"] == "warning"
        assert alert["labels"] == {
            "session": "agent0",
            "pane": pane,
            "agent": "claude-code-simulated",
            "tool": "Bash",
        }
        assert "rm -rf /" in alert["summary"]
        assert alert["fired"] - alert["started"] >= 1.0  # `for`
        assert alert["acknowledged"] is None
        assert alert["link"] == f"/alerts/{alert['id']}"

        # The notification links to the alert's page on this dashboard.
        first, reminder = await asyncio.to_thread(receiver.wait_for, 2, 10.0)
        assert (first["status"], first["repeat"], reminder["repeat"]) == ("firing", False, True)
        assert first["dashboard"] == f"{live.server.url}alerts/{alert['id']}"
        page = await client.get(f"/alerts/{alert['id']}")
        assert page.status_code == 200
        assert "rm -rf /" in page.text
        assert "Acknowledge" in page.text

        # The Agents page marks the pane.
        (row,) = (await client.get("/api/agents")).json()["agents"]
        assert [(a["id"], a["rule"]) for a in row["alerts"]] == [(alert["id"], "dialog-held")]
        assert "alert: dialog-held" in (await client.get("/fragments/agents")).text

        # Acknowledge: the reminders stop, and the database says who.
        assert (await client.post("/api/alerts/nope/ack")).status_code == 400
        assert (await client.post("/api/alerts/999/ack")).status_code == 404
        acked = await client.post(f"/api/alerts/{alert['id']}/ack")
        assert acked.status_code == 200, acked.text
        assert acked.json()["alert"]["acknowledged_by"] == "dashboard from 127.0.0.1"
        (stored,) = (await read_alerts(live.db)).firing
        assert stored.id == alert["id"]
        assert stored.acknowledged_by == "dashboard from 127.0.0.1"
        sent = len(receiver.requests)
        await asyncio.sleep(2.5)  # two and a half repeat intervals
        assert len(receiver.requests) == sent

        # The human answers in the pane: resolved, told once, listed as ended.
        live.tmux.run("send-keys", "-t", pane, "2")
        await agent.wait_for("answered")
        bodies = await asyncio.to_thread(receiver.wait_for, sent + 1, 10.0)
        assert (bodies[-1]["status"], bodies[-1]["acknowledged"]) == ("resolved", True)
        await live.manager.settle()
        await live.audit.flush()
        listing = (await client.get("/api/alerts")).json()
        assert listing["active"] == []
        assert [(r["id"], r["state"]) for r in listing["recent"]] == [(alert["id"], "resolved")]
        detail = (await client.get(f"/api/alerts/{alert['id']}")).json()
        outcomes = [(d["status"], d["outcome"]) for d in detail["deliveries"]]
        assert outcomes[0] == ("firing", "delivered")
        assert outcomes[-1] == ("resolved", "delivered")
        assert (await client.post(f"/api/alerts/{alert['id']}/ack")).status_code == 404


async def test_a_silence_from_the_api_holds_back_notifications_until_it_expires(
    live_alerts: Live, receiver: Receiver
) -> None:
    live = live_alerts
    async with live.client() as client:
        for bad in (
            {"seconds": 3600},
            {"rule": "dialog-held", "seconds": 0},
            {"rule": "dialog-held", "seconds": "1h"},
            {"rule": "dialog-held", "seconds": 3600, "matchers": ["session"]},
            {"rule": "dialog-held", "seconds": 3600, "matchers": {"session": 1}},
        ):
            refused = await client.post("/api/silences", json=bad)
            assert refused.status_code == 400, bad
            assert "send {" in refused.json()["error"]
        # Only the first agent's session: a second one is not silenced.
        made = await client.post(
            "/api/silences",
            json={"rule": "dialog-*", "seconds": 3600, "matchers": {"session": "agent0"}},
        )
        assert made.status_code == 201, made.text
        silence = made.json()["silence"]
        assert silence["matchers"] == {"session": "agent0"}
        assert 3599 < silence["remaining_s"] <= 3600
        (stored,) = (await read_alerts(live.db)).silences
        assert (stored.id, stored.rule, stored.created_by) == (
            silence["id"],
            "dialog-*",
            "dashboard from 127.0.0.1",
        )

        await live.start_agent("dangerous")
        alert = await firing(live)
        assert alert["silenced"] is True
        await live.manager.settle()
        await live.audit.flush()
        assert receiver.requests == []
        deliveries = await read_deliveries(live.db, alert["id"])
        assert [(d["sink"], d["outcome"]) for d in deliveries] == [("ops", "silenced")]

        # Expired while the alert still fires: its firing notification goes out now.
        assert (await client.delete("/api/silences/nope")).status_code == 400
        ended = await client.delete(f"/api/silences/{silence['id']}")
        assert ended.status_code == 200, ended.text
        (body,) = await asyncio.to_thread(receiver.wait_for, 1, 10.0)
        assert (body["status"], body["id"]) == ("firing", alert["id"])
        assert (await read_alerts(live.db)).silences == ()
        again = await client.post(f"/api/silences/{silence['id']}/expire")
        assert again.status_code == 404
        assert (await client.get("/api/alerts")).json()["silences"] == []


async def test_the_history_dashboard_acts_through_the_database(
    tmp_path: Path, receiver: Receiver
) -> None:
    """`yesman dashboard` beside a running watcher: its buttons write to the database and the
    watcher reads them back within its poll interval (a second)."""
    rules = alert_rules(f"{receiver.url}/hook", 'for = "0s"\nrepeat_interval = "1s"')
    async with (
        running(tmp_path, rules) as live,
        DashboardServer(parse_bind("127.0.0.1:0"), db=live.db) as history,
    ):
        await live.start_agent("dangerous")
        await asyncio.to_thread(receiver.wait_for, 2, 10.0)  # fired, and reminded
        token = {"Authorization": f"Bearer {history.token}"}
        async with httpx.AsyncClient(base_url=history.url, headers=token) as client:
            listing = (await client.get("/api/alerts")).json()
            assert listing["live"] is False
            assert listing["sinks"] == []
            (alert,) = listing["active"]
            assert alert["state"] == "firing"
            assert "no alert rules run in this process" in (await client.get("/alerts")).text

            acked = await client.post(f"/api/alerts/{alert['id']}/ack")
            assert acked.status_code == 200, acked.text
            asked = time.monotonic()
            await until(lambda: live.manager.active()[0].acknowledged, "the watcher to read it")
            assert time.monotonic() - asked < 2.0
            assert live.manager.active()[0].acknowledged_by == "dashboard from 127.0.0.1"
            sent = len(receiver.requests)
            await asyncio.sleep(2.0)
            assert len(receiver.requests) == sent  # no more reminders

            made = await client.post(
                "/api/silences", json={"rule": "dialog-held", "seconds": 3600, "comment": "x"}
            )
            assert made.status_code == 201, made.text
            silence_id = made.json()["silence"]["id"]
            await until(live.manager.silences, "the watcher to read the silence")
            assert live.manager.active()[0].silenced
            expired = await client.post(f"/api/silences/{silence_id}/expire")
            assert expired.status_code == 200
            await until(lambda: not live.manager.silences(), "the watcher to see it end")
            (stored,) = (await read_alerts(live.db)).firing
            assert stored.state is AlertState.FIRING
            assert stored.acknowledged_by == "dashboard from 127.0.0.1"
