"""The JSON API against a real watcher on the simulated Claude Code (real HTTP, real SQLite)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from yesman.baseline import read_history_baseline, save_baseline
from yesman.bus import Event, EventType, SystemFault
from yesman.dashboard import DashboardServer, parse_bind
from yesman.store import AuditStore, StoreNotFoundError

from .conftest import REPORT_INTERVAL, Live, until

pytestmark = pytest.mark.tmux


async def test_held_dialog_denied_through_the_api(live: Live) -> None:
    pane, agent = await live.start_agent("dangerous")
    await until(live.supervisor.held_dialogs, "the dangerous command to be held")
    async with live.client() as client:
        agents = (await client.get("/api/agents")).json()
        assert agents["live"] is True
        (row,) = agents["agents"]
        assert row["pane_id"] == pane
        assert row["state"] == "waiting"
        assert row["dialog"]["tool"] == "Bash"
        assert "rm -rf /" in row["dialog"]["target"]
        assert row["waiting_s"] >= 0
        assert row["last_rule"] == "guard:dangerous-command"

        (held,) = (await client.get("/api/held")).json()["held"]
        assert held["pane_id"] == pane
        assert (held["agent"], held["agent_version"]) == ("claude-code-simulated", "2.1.332")
        assert held["rule"] == "guard:dangerous-command"
        url = f"/api/held/{held['id']}/deny"

        # The page showed another dialog: refused, nothing typed.
        stale = await client.post(url, json={"fingerprint": "an-older-dialog"})
        assert stale.status_code == 409
        assert stale.json()["reason"] == "changed"
        assert "no longer the one shown" in stale.json()["error"] or "not the one" in stale.text
        assert (await client.post(url, json={})).status_code == 400
        assert (await client.post(url, content=b"not json")).status_code == 400
        assert (await client.post(url, json={"fingerprint": "f", "option": "2"})).status_code == 400
        unknown = await client.post("/api/held/nope/deny", json={"fingerprint": "f"})
        assert unknown.status_code == 409
        assert agent.events("key") == []

        done = await client.post(url, json={"fingerprint": held["fingerprint"]})
        assert done.status_code == 200, done.text
        assert done.json()["keys"] == ["2"]
        assert done.json()["rule"] == "human:dashboard"
        assert done.json()["verified"] is True
        await agent.wait_for("answered")
        assert agent.events("answered")[0]["label"] == "No"
        again = await client.post(url, json={"fingerprint": held["fingerprint"]})
        assert again.status_code == 409  # answered once only

        await live.audit.flush()
        audit = (await client.get("/api/audit", params={"rule": "human:"})).json()["decisions"]
        assert [(d["action"], d["rule"], d["keys"]) for d in audit] == [
            ("deny", "human:dashboard", ["2"])
        ]
        assert "from 127.0.0.1" in audit[0]["reason"]
        holds = (await client.get("/api/audit", params={"action": "hold"})).json()["decisions"]
        assert [d["rule"] for d in holds] == ["guard:dangerous-command"]
        assert (await client.get("/api/audit", params={"limit": "0"})).status_code == 400

        # Every decision names the agent and the version its banner showed.
        simulated = {"agent": "claude-code-simulated"}
        mine = (await client.get("/api/audit", params=simulated)).json()["decisions"]
        assert {(d["agent"], d["agent_version"]) for d in mine} == {
            ("claude-code-simulated", "2.1.332")
        }
        assert len(mine) == 2
        other = await client.get("/api/audit", params={"agent": "codex"})
        assert other.json()["decisions"] == []
        page = await client.get("/audit", params=simulated)
        assert page.status_code == 200
        assert page.text.count("claude-code-simulated@2.1.332") == 2


async def test_metrics_and_series_from_the_history(live: Live) -> None:
    _, agent = await live.start_agent("bash", "write")
    await agent.wait_for("answered", count=2)
    await asyncio.sleep(REPORT_INTERVAL * 3)  # a few reports into the history
    await live.audit.flush()
    async with live.client() as client:
        asked = time.time()
        comps = (await client.get("/api/metrics/components", params={"since": "5m"})).json()
        answered = time.time()
        names = {c["component"] for c in comps["components"]}
        assert {"content_capture", "prompt_detection", "response_sending"} <= names
        sending = next(c for c in comps["components"] if c["component"] == "response_sending")
        assert sending["count"] >= 2
        assert 0 < sending["p50_ms"] <= sending["p95_ms"]
        assert asked - 300 <= comps["since"] <= answered - 300

        series = (await client.get("/api/series", params={"since": "2m", "points": "24"})).json()
        assert len(series["t"]) == 24
        capture = series["components"]["content_capture"]["p95_ms"]
        assert any(v is not None and v > 0 for v in capture)
        assert any(v is not None for v in series["process"]["cpu_percent"])
        assert any(v is not None for v in series["bus"]["max_queue_depth"])
        assert sum(series["answers"]["count"]) == 2
        assert any(v is not None and v > 0 for v in series["answers"]["p95_ms"])

        for bad in ({"since": "yesterday"}, {"since": "1h", "until": "2h"}, {"points": "0"}):
            response = await client.get("/api/series", params=bad)
            assert response.status_code == 400
            assert response.json()["error"]


async def test_baselines_list_and_compare(live: Live) -> None:
    _, agent = await live.start_agent("bash", "write", "edit")
    t0 = time.time()
    await agent.wait_for("answered", count=3)
    await asyncio.sleep(REPORT_INTERVAL * 3)
    await live.audit.flush()
    baseline = await read_history_baseline(live.db, t0 - 60, time.time() + 1, name="first")
    await save_baseline(live.audit, baseline)
    await save_baseline(live.audit, baseline, name="second")
    async with live.client() as client:
        listed = (await client.get("/api/baselines")).json()["baselines"]
        assert {b["name"] for b in listed} == {"first", "second"}
        compared = await client.get("/api/baselines/compare", params={"a": "first", "b": "second"})
        assert compared.status_code == 200
        body = compared.json()
        assert body["regressed"] is False  # the same figures on both sides
        assert "content_capture" in body["components"]
        missing = await client.get("/api/baselines/compare", params={"a": "first", "b": "nope"})
        assert missing.status_code == 404
        assert "no baseline named 'nope'" in missing.json()["error"]
        page = await client.get("/baselines/compare", params={"a": "first", "b": "second"})
        assert page.status_code == 200
        assert "no regression of B against A" in page.text


async def read_events(lines: AsyncIterator[str], count: int) -> list[dict[str, object]]:
    got: list[dict[str, object]] = []
    async for line in lines:
        if line.startswith("data: "):
            got.append(json.loads(line[len("data: ") :]))
            if len(got) == count:
                break
    return got


async def test_event_stream_pushes_bus_events(live: Live) -> None:
    async with live.client() as client, client.stream("GET", "/api/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.aiter_lines()
        (hello,) = await read_events(lines, 1)
        assert hello["type"] == "hello"
        assert hello["live"] is True
        await until(lambda: live.server.hub is not None and live.server.hub.clients, "listening")
        live.bus.publish_nowait(
            Event(EventType.SYSTEM_ERROR, payload=SystemFault(error="disk <full>"))
        )
        event = await asyncio.wait_for(read_events(lines, 1), timeout=5)
        assert event[0]["type"] == "system.error"
        assert event[0]["data"] == {"error": "disk <full>", "source": ""}
    await until(lambda: live.server.hub is not None and not live.server.hub.clients, "unsubscribed")


async def test_history_only_dashboard(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    async with AuditStore.open(db):
        pass  # an empty database, as a watcher leaves it
    server = DashboardServer(parse_bind("0"), db=db, token="t" * 20)
    async with server, httpx.AsyncClient(base_url=server.url) as client:
        headers = {"Authorization": "Bearer " + "t" * 20}
        agents = (await client.get("/api/agents", headers=headers)).json()
        assert agents == {"live": False, "time": agents["time"], "agents": []}
        refused = await client.post("/api/held/x/answer", headers=headers, json={"fingerprint": ""})
        assert refused.status_code == 409
        assert "history only" in refused.json()["error"]
        page = await client.get("/", headers=headers)
        assert "No watcher runs in this dashboard" in page.text
        empty = (await client.get("/api/series", headers=headers)).json()
        assert empty["history"] is None
        assert empty["components"] == {}
    assert not server.running
    # Restartable, on a new free port.
    async with server:
        assert server.running


async def test_stop_ends_open_event_streams(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    async with AuditStore.open(db):
        pass
    server = DashboardServer(parse_bind("0"), db=db, token="t" * 20, heartbeat=60)
    await server.start()
    headers = {"Authorization": "Bearer " + "t" * 20}
    async with (
        httpx.AsyncClient(base_url=server.url, headers=headers) as client,
        client.stream("GET", "/api/events") as stream,
    ):
        lines = stream.aiter_lines()
        assert (await read_events(lines, 1))[0]["type"] == "hello"
        started = time.monotonic()
        await server.stop()
        assert time.monotonic() - started < 2.0  # the stream did not hold the server up
        rest = [line async for line in lines]  # the stream ended
        assert not any(line.startswith("data:") for line in rest)
    assert not server.running


async def test_big_bodies_are_refused(live: Live) -> None:
    pane, _ = await live.start_agent("dangerous")
    (held,) = await until(live.supervisor.held_dialogs, "a held dialog")
    async with live.client() as client:
        big = await client.post(f"/api/held/{held.id}/deny", content=b"x" * 100_000)
    assert big.status_code == 413
    assert live.supervisor.held_dialogs() != []  # nothing was typed
    assert pane == held.pane_id


async def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    server = DashboardServer(parse_bind("0"), db=tmp_path / "nothing.db")
    with pytest.raises(StoreNotFoundError, match=r"nothing\.db"):
        await server.start()
    assert not server.running
