"""A real Prometheus (Debian's `prometheus`) scrapes a real watcher's `/metrics` with a bearer
token, evaluates the shipped alerting rules, and answers PromQL about the simulated agent.

The endpoint is the dashboard's ``/metrics`` route, served by `yesman watch --http` (the same
`DashboardServer`, the same token middleware), so the scrape config here is the one a user
writes.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from yesman.cli._dashboard import extra_routes
from yesman.dashboard import DashboardServer, parse_bind
from yesman.store import AuditStore

from .conftest import Watcher, missing, wait_until_idle
from .test_contrib import RULES, dashboard_queries

pytestmark = pytest.mark.tmux


def scrape_config(target: str, token: str, rules: Path) -> str:
    """A Prometheus configuration scraping yesman every second with a bearer token (and, as a
    second job, with a wrong one)."""

    def job(name: str, credentials: str) -> dict[str, Any]:
        return {
            "job_name": name,
            "metrics_path": "/metrics",
            "authorization": {"type": "Bearer", "credentials": credentials},
            "static_configs": [{"targets": [target]}],
        }

    return json.dumps(  # JSON is YAML
        {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(rules)],
            "scrape_configs": [job("yesman", token), job("wrong-token", "not-" + token)],
        },
        indent=2,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Prometheus:
    """A Prometheus server on a loopback port with a throw-away database."""

    def __init__(self, binary: str, config: Path, data: Path) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log = data.parent / "prometheus.log"
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={data}",
                f"--web.listen-address={self.url.removeprefix('http://')}",
                "--log.level=warn",
            ],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def get(self, path: str, **params: str) -> Any:
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                return json.loads(reply.read())
        except urllib.error.HTTPError as exc:  # a bad query: say which, and why
            raise AssertionError(f"{path} {params}: {exc.code} {exc.read().decode()}") from None

    def query(self, promql: str) -> list[dict[str, Any]]:
        answer = self.get("/api/v1/query", query=promql)
        assert answer["status"] == "success", answer
        result: list[dict[str, Any]] = answer["data"]["result"]
        return result

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False

    async def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, f"prometheus exited: {self.log.read_text()}"
            if await asyncio.to_thread(self._ready):
                return
            assert time.monotonic() < deadline, f"prometheus never ready: {self.log.read_text()}"
            await asyncio.sleep(0.1)

    async def wait_for(self, promql: str, expected: float, timeout: float = 30.0) -> None:
        """Until the query returns one series of `expected` value (after some scrape)."""
        deadline = time.monotonic() + timeout
        while True:
            result = await asyncio.to_thread(self.query, promql)
            values = [float(r["value"][1]) for r in result]
            if values == [expected]:
                return
            assert time.monotonic() < deadline, f"{promql} = {values}, wanted [{expected}]"
            await asyncio.sleep(0.25)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log_file.close()


@pytest.fixture
def prometheus_binary() -> str:
    binary = shutil.which("prometheus")
    if binary is None:
        missing("the prometheus server is not installed (Debian: apt-get install prometheus)")
    return binary


async def test_prometheus_scrapes_the_watcher_and_answers_promql(
    watcher: Watcher, prometheus_binary: str, tmp_path: Path
) -> None:
    token = secrets.token_urlsafe(32)
    db = tmp_path / "yesman.db"
    async with AuditStore.open(db):  # the dashboard reads the history from it
        pass
    async with DashboardServer(
        parse_bind("127.0.0.1:0"),
        db=db,
        watcher=watcher.supervisor,
        bus=watcher.bus,
        token=token,
        extra_routes=extra_routes(watcher.supervisor, watcher.bus),
    ) as endpoint:
        config = tmp_path / "prometheus.yml"
        config.write_text(scrape_config(f"127.0.0.1:{endpoint.port}", token, RULES))
        prometheus = Prometheus(prometheus_binary, config, tmp_path / "tsdb")
        try:
            await prometheus.wait_ready()
            await wait_until_idle(watcher)
            # `up` is 1 only if the token was accepted (the endpoint answers 401 without it).
            await prometheus.wait_for('up{job="yesman"}', 1)
            await prometheus.wait_for(
                'yesman_dialogs_total{outcome="answer",tool="Bash",kind="tool_permission"}', 1
            )
            await prometheus.wait_for('sum(yesman_dialogs_total{outcome="hold"})', 1)
            await prometheus.wait_for("yesman_human_waits_total", 1)
            await prometheus.wait_for(
                f'yesman_pane_state{{pane="{watcher.pane}",session="work",state="idle"}}', 1
            )
            await prometheus.wait_for('up{job="wrong-token"}', 0)

            def one(promql: str) -> float:
                (series,) = prometheus.query(promql)
                return float(series["value"][1])

            waited = await asyncio.to_thread(one, "yesman_human_wait_seconds_total")
            assert 1.2 < waited < 5  # the agent cancelled the held dialog after 1.5 s
            p50 = await asyncio.to_thread(
                one,
                "histogram_quantile(0.5, sum by (le) "
                '(yesman_component_latency_seconds_bucket{component="content_capture"}))',
            )
            assert 0 < p50 < 1
            states = await asyncio.to_thread(
                prometheus.query, f'yesman_pane_state{{pane="{watcher.pane}"}}'
            )
            assert sorted(s["metric"]["state"] for s in states) == sorted(
                ["waiting", "busy", "idle", "error", "unknown"]
            )
            assert {s["metric"]["agent"] for s in states} == {"claude-code-simulated"}

            # Every dashboard query runs on a real server (Grafana's variables filled in).
            for query in dashboard_queries():
                filled = (
                    query.replace("$__rate_interval", "1m")
                    .replace("$__range", "5m")
                    .replace("$instance", ".*")
                )
                await asyncio.to_thread(prometheus.query, filled)  # asserts success
            assert await asyncio.to_thread(prometheus.query, "yesman_bus_up") != []

            # The shipped rules load and evaluate; nothing fires on a healthy watcher.
            rules = await asyncio.to_thread(prometheus.get, "/api/v1/rules")
            loaded = [r for g in rules["data"]["groups"] for r in g["rules"]]
            assert len(loaded) == 12
            await asyncio.sleep(1.5)
            rules = await asyncio.to_thread(prometheus.get, "/api/v1/rules")
            health = {r["name"]: r["health"] for g in rules["data"]["groups"] for r in g["rules"]}
            assert set(health.values()) == {"ok"}, health
            alerts = await asyncio.to_thread(prometheus.get, "/api/v1/alerts")
            assert alerts["data"]["alerts"] == []
        finally:
            prometheus.stop()
