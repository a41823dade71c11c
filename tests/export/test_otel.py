"""OTLP/HTTP export to a real local receiver that decodes the protobuf requests.

Needs the ``otel`` extra (`uv sync --extra otel`; CI installs every extra); the test that the
extra is optional runs either way, in a subprocess where the SDK cannot be imported.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web

from yesman.export import CATALOG, OtlpExporter

from .conftest import Watcher, until, wait_until_idle

metrics_service = pytest.importorskip(
    "opentelemetry.proto.collector.metrics.v1.metrics_service_pb2",
    reason="the otel extra is not installed (uv sync --extra otel)",
)


@dataclass
class Receiver:
    """An OTLP/HTTP metrics endpoint on loopback that keeps what it was sent."""

    requests: list[Any] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        assert request.headers["Content-Type"] == "application/x-protobuf"
        message = metrics_service.ExportMetricsServiceRequest()
        message.ParseFromString(body)
        self.requests.append(message)
        self.headers.append(dict(request.headers))
        reply = metrics_service.ExportMetricsServiceResponse().SerializeToString()
        return web.Response(body=reply, content_type="application/x-protobuf")

    def metrics(self, index: int = -1) -> dict[str, Any]:
        """Metric name -> metric (protobuf) of one request."""
        found: dict[str, Any] = {}
        for resource in self.requests[index].resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    assert metric.name not in found, f"{metric.name} sent twice in one batch"
                    found[metric.name] = metric
        return found


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    got = Receiver()
    app = web.Application()
    app.router.add_post("/v1/metrics", got.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    got.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield got
    finally:
        await runner.cleanup()


def attrs(point: Any) -> dict[str, str]:
    return {kv.key: kv.value.string_value for kv in point.attributes}


def number(point: Any) -> float:
    return float(point.as_double if point.HasField("as_double") else point.as_int)


@pytest.mark.tmux
async def test_the_same_metrics_reach_an_otlp_receiver(
    watcher: Watcher, receiver: Receiver
) -> None:
    await wait_until_idle(watcher)
    exporter = OtlpExporter(
        receiver.url, watcher.supervisor, interval=3600, headers={"Authorization": "Bearer t0k"}
    )
    assert exporter.url == receiver.url + "/v1/metrics"
    async with exporter:
        assert await exporter.export_now()
    # One export asked for, one at stop: the SDK's own collection at shutdown is not sent.
    assert len(receiver.requests) == 2
    assert (exporter.exports, exporter.failures) == (2, 0)
    assert receiver.headers[0]["Authorization"] == "Bearer t0k"
    resource = {
        kv.key: kv.value.string_value
        for kv in receiver.requests[0].resource_metrics[0].resource.attributes
    }
    assert resource["service.name"] == "yesman"

    got = receiver.metrics()
    assert set(got) == {spec.otel_name for spec in CATALOG}  # every metric, once
    assert {m.unit for m in got.values()} <= {spec.otel_unit for spec in CATALOG}
    dialogs = got["yesman.dialogs"]
    assert dialogs.sum.is_monotonic
    assert dialogs.sum.aggregation_temporality == 2  # cumulative
    by_outcome = {
        (attrs(p)["outcome"], attrs(p)["tool"]): number(p) for p in dialogs.sum.data_points
    }
    assert by_outcome == {("answer", "Bash"): 1, ("hold", "Bash"): 1}
    assert number(got["yesman.human.waits"].sum.data_points[0]) == 1
    assert got["yesman.human.wait"].unit == "s"

    states = {
        attrs(p)["state"]: number(p)
        for p in got["yesman.pane.state"].gauge.data_points
        if attrs(p)["pane"] == watcher.pane
    }
    assert states["idle"] == 1
    assert sum(states.values()) == 1

    latency = got["yesman.component.latency"]
    assert latency.unit == "s"
    assert latency.histogram.aggregation_temporality == 2
    capture = next(
        p for p in latency.histogram.data_points if attrs(p)["component"] == "content_capture"
    )
    assert capture.count >= 4
    assert sum(capture.bucket_counts) == capture.count
    assert len(capture.bucket_counts) == len(capture.explicit_bounds) + 1
    assert 0 < capture.min <= capture.max
    assert capture.sum > 0
    assert got["yesman.event_loop.lag"].histogram.data_points[0].count > 0
    assert number(got["yesman.bus.up"].gauge.data_points[0]) == 1


async def test_exports_run_every_interval_and_a_dead_endpoint_is_survived(
    receiver: Receiver,
) -> None:
    async with OtlpExporter(receiver.url, interval=0.1):
        await until(lambda: len(receiver.requests) >= 3, "three periodic exports", timeout=10)
    got = receiver.metrics(0)
    assert got["yesman.process.cpu"].sum.data_points[0].as_double > 0
    assert number(got["yesman.process.resident_memory"].gauge.data_points[0]) > 10e6

    # Nothing listens there: the export fails, is counted and logged, and the watcher goes on.
    dead = OtlpExporter("http://127.0.0.1:9/v1/metrics", interval=3600, timeout=0.5)
    async with dead:
        assert not await dead.export_now()
    assert dead.failures >= 1
    assert dead.exports == 0


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        ("http://collector:4318", "http://collector:4318/v1/metrics"),
        ("http://collector:4318/", "http://collector:4318/v1/metrics"),
        ("https://otel.example/custom/path", "https://otel.example/custom/path"),
    ],
)
def test_a_bare_endpoint_gets_the_standard_path(endpoint: str, url: str) -> None:
    assert OtlpExporter(endpoint).url == url


@pytest.mark.parametrize("endpoint", ["collector:4318", "ftp://x/y", "http://"])
def test_an_endpoint_that_is_no_http_url_is_refused(endpoint: str) -> None:
    with pytest.raises(ValueError, match=r"http:// or https:// URL"):
        OtlpExporter(endpoint)


def test_yesman_works_without_the_extra_and_says_how_to_install_it() -> None:
    # The SDK is installed here; this child process cannot import it, as without the extra.
    script = textwrap.dedent(
        """
        import sys

        class NoOpenTelemetry:
            def find_spec(self, name, path=None, target=None):
                if name == "opentelemetry" or name.startswith("opentelemetry."):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, NoOpenTelemetry())
        import yesman.cli, yesman.export, yesman.monitor
        from yesman.export import OtelMissingError, OtlpExporter, PrometheusExporter

        assert b"yesman_process_cpu_seconds_total" in PrometheusExporter().render()
        try:
            OtlpExporter("http://127.0.0.1:4318")
        except OtelMissingError as exc:
            print(exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert "pip install 'yesman[otel]'" in done.stdout
    assert "uv sync --extra otel" in done.stdout
    assert "opentelemetry" in done.stdout
