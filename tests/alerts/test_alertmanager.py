"""The ``alertmanager`` webhook format against a real Alertmanager (Debian's
prometheus-alertmanager), which routes what it gets to a receiver of ours."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest

from support.http_receiver import Receiver
from yesman.alerts import AlertManager, parse_alert_config
from yesman.bus import AsyncEventBus, DialogInfo, Event, EventType, PromptHeld, StatusChanged
from yesman.testing import eventually_async

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")

pytestmark = pytest.mark.skipif(
    BINARY is None,
    reason="Alertmanager is not installed (Debian: apt install prometheus-alertmanager; "
    ".ci/run installs it)",
)

T = TypeVar("T")
WHERE = {"session": "work", "pane_id": "%3", "agent": "claude-code"}


async def until(check: Callable[[], T], timeout: float = 5.0) -> T:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {check}")
        await asyncio.sleep(0.02)
    return value


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def alertmanager(tmp_path: Path, receiver: Receiver) -> Iterator[str]:
    """A real Alertmanager on a loopback port that sends every group to `receiver`."""
    assert BINARY is not None
    config = tmp_path / "alertmanager.yml"
    config.write_text(
        "route:\n"
        "  receiver: yesman-test\n"
        "  group_by: ['alertname']\n"
        "  group_wait: 100ms\n"
        "  group_interval: 500ms\n"
        "  repeat_interval: 1h\n"
        "receivers:\n"
        "  - name: yesman-test\n"
        "    webhook_configs:\n"
        f"      - url: {receiver.url}/from-alertmanager\n"
        "        send_resolved: true\n"
    )
    port = free_port()
    log = (tmp_path / "alertmanager.log").open("w")
    proc = subprocess.Popen(
        [
            BINARY,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",  # no gossip: a single instance
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    raise AssertionError(
                        "Alertmanager did not start: " + (tmp_path / "alertmanager.log").read_text()
                    ) from None
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


async def am_alerts(url: str) -> list[dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{url}/api/v2/alerts", params={"active": "true"}) as response,
    ):
        assert response.status == 200
        found: list[dict[str, Any]] = await response.json()
        return found


async def test_alerts_reach_alertmanager_and_come_back_through_its_routes(
    alertmanager: str, receiver: Receiver
) -> None:
    config = parse_alert_config(
        f'[[sink]]\nname = "am"\ntype = "webhook"\nformat = "alertmanager"\n'
        f'url = "{alertmanager}"\n'
        '[[rule]]\nkind = "dialog-held"\nfor = "0s"\nsinks = ["am"]\nlabels = { team = "agents" }\n'
        '[defaults]\ndashboard_url = "http://127.0.0.1:8765/alerts/{id}"\n'
    )
    prompt = DialogInfo("permission", "Bash", "rm -rf /", None, (), None, None, "fp1")
    async with AsyncEventBus(metrics_interval=0) as bus, AlertManager(config, bus) as manager:
        bus.publish_nowait(
            Event(
                EventType.PROMPT_HELD,
                payload=PromptHeld(
                    **WHERE, reason="dangerous", rule="guard", alert=False, prompt=prompt
                ),
            )
        )
        await until(manager.active)
        await manager.settle()
        (stats,) = manager.sink_stats()
        assert (stats.delivered, stats.undelivered) == (1, 0), stats.last_error
        (stored,) = await eventually_async(lambda: am_alerts(alertmanager), timeout=5)
        assert stored["labels"] == {
            "alertname": "dialog-held",
            "severity": "warning",
            "team": "agents",
            "session": "work",
            "pane": "%3",
            "agent": "claude-code",
            "tool": "Bash",
        }
        assert stored["annotations"]["summary"] == "Bash 'rm -rf /' held for a human in work %3"
        assert stored["annotations"]["target"] == "rm -rf /"
        assert stored["annotations"]["yesman_id"] == "1"
        assert stored["generatorURL"] == "http://127.0.0.1:8765/alerts/1"
        assert stored["status"]["state"] == "active"
        # Alertmanager routes it on to our receiver, as it would to Slack or a pager.
        (routed,) = await until(lambda: receiver.bodies("/from-alertmanager"), timeout=10)
        assert routed["status"] == "firing"
        assert routed["alerts"][0]["labels"]["alertname"] == "dialog-held"

        # The human answers: the alert resolves in Alertmanager, which says so too.
        bus.publish_nowait(
            Event(
                EventType.CLAUDE_STATUS_CHANGED,
                payload=StatusChanged(**WHERE, old="waiting", new="busy", agent_running=True),
            )
        )
        await until(lambda: not manager.active())
        await manager.settle()
        assert await until(
            lambda: [b for b in receiver.bodies("/from-alertmanager") if b["status"] == "resolved"],
            timeout=10,
        )
    assert await am_alerts(alertmanager) == []


async def test_an_alert_silenced_while_firing_still_ends_in_alertmanager(
    alertmanager: str,
) -> None:
    config = parse_alert_config(
        f'[[sink]]\nname = "am"\ntype = "webhook"\nformat = "alertmanager"\n'
        f'url = "{alertmanager}"\nsend_resolved = false\n'
        '[[rule]]\nkind = "dialog-held"\nfor = "0s"\nsinks = ["am"]\n'
    )
    prompt = DialogInfo("permission", "Bash", "rm -rf /", None, (), None, None, "fp1")
    async with AsyncEventBus(metrics_interval=0) as bus, AlertManager(config, bus) as manager:
        held = PromptHeld(**WHERE, reason="dangerous", rule="guard", alert=False, prompt=prompt)
        bus.publish_nowait(Event(EventType.PROMPT_HELD, payload=held))
        await eventually_async(lambda: am_alerts(alertmanager), timeout=10)
        await manager.silence("*", 600)
        bus.publish_nowait(
            Event(
                EventType.CLAUDE_STATUS_CHANGED,
                payload=StatusChanged(**WHERE, old="waiting", new="busy", agent_running=True),
            )
        )
        await until(lambda: not manager.active())
        await manager.settle()
        # Silenced and send_resolved = false, yet Alertmanager must not keep a stale alert.
        assert await am_alerts(alertmanager) == []
