"""Sinks delivering for real: HTTP receivers on loopback, programs, files, tmux clients; the
dispatcher's retries, timeouts and queues."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.http_receiver import Receiver
from yesman.alerts import (
    Alert,
    AlertState,
    DeliveryRecord,
    Notification,
    NotificationStatus,
    Severity,
    build_sinks,
    fingerprint,
    parse_alert_config,
)
from yesman.alerts._dispatch import Dispatcher
from yesman.testing import PrivateTmuxServer, eventually

T0 = 1_700_000_000.0


def notification(
    status: NotificationStatus = NotificationStatus.FIRING,
    *,
    session: str = "work",
    severity: Severity = Severity.WARNING,
    summary: str = "Bash 'rm -rf /' held for a human in work %3",
) -> Notification:
    labels = {"session": session, "pane": "%3", "agent": "claude-code", "tool": "Bash"}
    resolved = status is NotificationStatus.RESOLVED
    alert = Alert(
        id=42,
        fingerprint=fingerprint("dialog-held", labels),
        rule="dialog-held",
        kind="dialog-held",
        severity=severity,
        state=AlertState.RESOLVED if resolved else AlertState.FIRING,
        summary=summary,
        started=T0,
        fired=T0 + 2,
        ended=T0 + 30 if resolved else None,
        labels=labels,
        details={"target": "rm -rf /", "reason": "dangerous command"},
        value=2.0,
    )
    return Notification(
        alert=alert,
        status=status,
        time=T0 + 2,
        dashboard_url="http://127.0.0.1:8765/alerts/42",
    )


async def deliver(
    sinks_toml: str, *notes: Notification, names: list[str] | None = None, **kw: object
) -> list[DeliveryRecord]:
    config = parse_alert_config(sinks_toml, "sinks.toml")
    sinks = build_sinks(config, kw.pop("tmux", None))  # type: ignore[arg-type]
    records: list[DeliveryRecord] = []
    async with Dispatcher(sinks, record=records.append) as dispatcher:
        for note in notes:
            for name in names or list(sinks):
                dispatcher.submit(name, note)
        await dispatcher.wait_idle(30)
    return records


def webhook(url: str, extra: str = "") -> str:
    return f'[[sink]]\nname = "hook"\ntype = "webhook"\nurl = "{url}"\n{extra}\n'


async def test_json_webhook_posts_the_documented_schema(receiver: Receiver) -> None:
    (record,) = await deliver(
        webhook(f"{receiver.url}/hook", 'headers = { X-Token = "t0k" }'), notification()
    )
    assert (record.outcome, record.attempts) == ("delivered", 1)
    (request,) = receiver.requests
    assert request.path == "/hook"
    assert request.headers["X-Token"] == "t0k"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.body == {
        "version": "1",
        "source": "yesman",
        "status": "firing",
        "repeat": False,
        "id": 42,
        "fingerprint": fingerprint("dialog-held", request.body["labels"]),
        "rule": "dialog-held",
        "kind": "dialog-held",
        "severity": "warning",
        "summary": "Bash 'rm -rf /' held for a human in work %3",
        "labels": {"session": "work", "pane": "%3", "agent": "claude-code", "tool": "Bash"},
        "details": {"target": "rm -rf /", "reason": "dangerous command"},
        "value": 2.0,
        "started": "2023-11-14T22:13:20.000Z",
        "fired": "2023-11-14T22:13:22.000Z",
        "ended": None,
        "acknowledged": False,
        "dashboard": "http://127.0.0.1:8765/alerts/42",
        "sent": "2023-11-14T22:13:22.000Z",
    }


async def test_resolved_json_carries_the_end(receiver: Receiver) -> None:
    await deliver(webhook(f"{receiver.url}/hook"), notification(NotificationStatus.RESOLVED))
    (body,) = receiver.bodies()
    assert (body["status"], body["ended"]) == ("resolved", "2023-11-14T22:13:50.000Z")


async def test_slack_format(receiver: Receiver) -> None:
    await deliver(webhook(f"{receiver.url}/services/T/B/X", 'format = "slack"'), notification())
    (body,) = receiver.bodies("/services/T/B/X")
    assert body["text"].startswith(":rotating_light: [FIRING] dialog-held: Bash 'rm -rf /'")
    (attachment,) = body["attachments"]
    assert attachment["color"] == "warning"
    assert attachment["title_link"] == "http://127.0.0.1:8765/alerts/42"
    assert {"title": "session", "value": "work", "short": True} in attachment["fields"]


async def test_ntfy_format_posts_json_to_the_server_root_with_the_topic(
    receiver: Receiver,
) -> None:
    await deliver(
        webhook(f"{receiver.url}/agents-alerts", 'format = "ntfy"'),
        notification(severity=Severity.CRITICAL),
        notification(NotificationStatus.RESOLVED),
    )
    firing, resolved = receiver.bodies("/")
    assert firing["topic"] == "agents-alerts"
    assert (firing["title"], firing["priority"]) == ("Firing: dialog-held", 5)
    assert firing["tags"] == ["rotating_light", "dialog-held"]
    assert firing["click"] == "http://127.0.0.1:8765/alerts/42"
    assert "session=work" in firing["message"]
    assert (resolved["title"], resolved["priority"]) == ("Resolved: dialog-held", 2)


async def test_a_failing_receiver_is_retried_with_backoff_then_delivered(
    receiver: Receiver,
) -> None:
    receiver.statuses = [500, 503]
    started = time.monotonic()
    (record,) = await deliver(
        webhook(f"{receiver.url}/hook", 'retries = 3\nbackoff = "100ms"'), notification()
    )
    assert (record.outcome, record.attempts) == ("delivered", 3)
    assert len(receiver.requests) == 3
    gaps = [b.time - a.time for a, b in zip(receiver.requests, receiver.requests[1:], strict=False)]
    assert gaps[0] >= 0.09  # 100 ms, then 200 ms
    assert gaps[1] >= 0.19
    assert time.monotonic() - started < 5


async def test_a_refusal_is_not_retried(receiver: Receiver) -> None:
    receiver.statuses = [400]
    (record,) = await deliver(webhook(f"{receiver.url}/hook", "retries = 3"), notification())
    assert (record.outcome, record.attempts) == ("undelivered", 1)
    assert "answered 400: refused by the test" in record.error
    assert len(receiver.requests) == 1


async def test_a_dead_webhook_times_out_is_retried_then_undelivered_and_others_go_on(
    dead_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "alerts.jsonl"
    config = webhook(dead_url, 'timeout = "300ms"\nretries = 1\nbackoff = "50ms"')
    config += f'[[sink]]\nname = "file"\ntype = "log"\npath = "{log}"\n'
    started = time.monotonic()
    records = await deliver(config, notification())
    by_sink = {r.sink: r for r in records}
    assert by_sink["file"].outcome == "delivered"
    dead = by_sink["hook"]
    assert (dead.outcome, dead.attempts) == ("undelivered", 2)
    assert dead.error == "no answer within 0.3s"
    # The log sink did not wait for the dead one.
    assert records[0].sink == "file"
    assert json.loads(log.read_text())["rule"] == "dialog-held"
    assert time.monotonic() - started < 3


async def test_a_full_queue_gives_up_the_oldest(dead_url: str) -> None:
    config = parse_alert_config(webhook(dead_url, 'timeout = "300ms"\nretries = 0\nqueue = 1'))
    records: list[DeliveryRecord] = []
    async with Dispatcher(build_sinks(config), record=records.append) as dispatcher:
        dispatcher.submit("hook", notification(summary="n0"))
        await asyncio.sleep(0.05)  # the worker takes n0 and waits for the dead receiver
        for i in (1, 2, 3):
            dispatcher.submit("hook", notification(summary=f"n{i}"))
        await dispatcher.wait_idle(10)
        (stats,) = dispatcher.stats()
    assert (stats.queued, stats.dropped, stats.undelivered) == (4, 2, 2)
    outcomes = sorted((r.notification.alert.summary, r.outcome) for r in records)
    # n0 is in flight when n1..n3 arrive: n1 and n2 are pushed out by the newer ones.
    assert outcomes == [
        ("n0", "undelivered"),
        ("n1", "dropped"),
        ("n2", "dropped"),
        ("n3", "undelivered"),
    ]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def read(path: str | Path) -> str:
    return Path(path).read_text()


def script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


async def test_command_sink_gets_the_json_on_stdin_and_variables(tmp_path: Path) -> None:
    out = tmp_path / "got"
    prog = script(
        tmp_path / "page.sh",
        f'cat > {out}.json\necho "$YESMAN_ALERT_STATUS '
        f'$YESMAN_ALERT_RULE $YESMAN_ALERT_ID" > {out}.env\n',
    )
    (record,) = await deliver(
        f'[[sink]]\nname = "p"\ntype = "command"\ncommand = ["{prog}"]\n', notification()
    )
    assert record.outcome == "delivered"
    assert json.loads(read(f"{out}.json"))["summary"].startswith("Bash 'rm -rf /'")
    assert read(f"{out}.env") == "firing dialog-held 42\n"


async def test_command_sink_failures_and_timeouts(tmp_path: Path) -> None:
    failing = script(tmp_path / "fail.sh", "echo 'no route to pager' >&2\nexit 3\n")
    pidfile = tmp_path / "pid"
    slow = script(tmp_path / "slow.sh", f"echo $$ > {pidfile}\nexec sleep 30\n")
    config = (
        f'[[sink]]\nname = "fail"\ntype = "command"\ncommand = ["{failing}"]\nretries = 0\n'
        f'[[sink]]\nname = "slow"\ntype = "command"\ncommand = ["{slow}"]\nretries = 0\n'
        'timeout = "300ms"\n'
        '[[sink]]\nname = "none"\ntype = "command"\ncommand = "/nonexistent/pager"\n'
    )
    started = time.monotonic()
    records = {r.sink: r for r in await deliver(config, notification())}
    assert records["fail"].error == f"{failing} exited with status 3: no route to pager"
    assert records["slow"].error == "no answer within 0.3s"
    assert (records["none"].attempts, records["none"].error) == (
        1,
        "/nonexistent/pager: program not found",
    )
    assert time.monotonic() - started < 5
    pid = int(read(pidfile))
    eventually(lambda: not alive(pid), timeout=2)  # the timed-out program was killed


async def test_desktop_sink_runs_notify_send_with_urgency_from_severity(tmp_path: Path) -> None:
    argv_file = tmp_path / "argv"
    fake = script(tmp_path / "notify-send", f'printf "%s\\n" "$@" > {argv_file}\n')
    config = f'[[sink]]\nname = "d"\ntype = "desktop"\ncommand = ["{fake}"]\n'
    (record,) = await deliver(config, notification(severity=Severity.CRITICAL))
    assert record.outcome == "delivered"
    argv = argv_file.read_text().splitlines()
    assert argv[:4] == ["-a", "yesman", "-u", "critical"]
    assert argv[4] == "[FIRING] dialog-held: Bash 'rm -rf /' held for a human in work %3"
    assert argv[5:] == [
        "Bash 'rm -rf /' held for a human in work %3",
        "http://127.0.0.1:8765/alerts/42",
    ]


@pytest.fixture
def attached() -> Iterator[tuple[PrivateTmuxServer, PrivateTmuxServer]]:
    """(inner, outer): a client of `inner`'s session "work" runs in a pane of `outer`."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    with (
        PrivateTmuxServer(width=100, height=20) as inner,
        PrivateTmuxServer(width=100, height=20) as outer,
    ):
        inner.new_session("work", ["cat"])
        inner.new_session("other", ["cat"])
        outer.new_session(
            "view", ["env", "-u", "TMUX", *inner.argv("attach-session", "-t", "work")]
        )
        eventually(lambda: inner.run("list-clients", "-F", "#{session_name}") == "work", timeout=5)
        yield inner, outer


@pytest.mark.tmux
async def test_tmux_sink_shows_the_alert_on_clients_of_the_agents_session(
    attached: tuple[PrivateTmuxServer, PrivateTmuxServer],
) -> None:
    inner, outer = attached
    config = '[[sink]]\nname = "t"\ntype = "tmux"\ndisplay = "5s"\n'
    records = await deliver(
        config,
        notification(summary="rm #1 held in work %3 at 100%"),
        notification(session="nobody-attached"),
        tmux=inner.server,
    )
    shown, nobody = records
    assert (shown.outcome, shown.error) == ("delivered", "shown on 1 client(s)")
    # The attached client's status line shows it ('#' and '%' survive tmux's formats).
    await asyncio.to_thread(
        eventually,
        lambda: "[FIRING] dialog-held: rm #1 held in work %3 at 100%" in outer.capture("view"),
        timeout=5,
    )
    assert (nobody.outcome, nobody.error) == (
        "delivered",
        "no tmux client is attached to session nobody-attached",
    )
