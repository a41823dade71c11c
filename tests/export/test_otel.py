"""OTLP/HTTP export to a real local receiver that decodes the protobuf requests.

Needs the ``otel`` extra (`uv sync --extra otel`; CI installs every extra). That the extra is
optional is tested in test_optional.py, which runs either way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from yesman._errors import LifecycleError
from yesman.export import CATALOG, OtlpExporter

from .conftest import Watcher, missing, until, wait_until_idle

try:
    from support.otlp_receiver import OtlpReceiver, attributes, number
except ImportError:
    missing("the otel extra is not installed (uv sync --extra otel)", module=True)


@pytest.fixture
async def receiver() -> AsyncIterator[OtlpReceiver]:
    async with OtlpReceiver() as got:
        yield got


@pytest.mark.tmux
async def test_the_same_metrics_reach_an_otlp_receiver(
    watcher: Watcher, receiver: OtlpReceiver
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
        (attributes(p)["outcome"], attributes(p)["tool"]): number(p)
        for p in dialogs.sum.data_points
    }
    assert by_outcome == {("answer", "Bash"): 1, ("hold", "Bash"): 1}
    assert number(got["yesman.human.waits"].sum.data_points[0]) == 1
    assert got["yesman.human.wait"].unit == "s"

    states = {
        attributes(p)["state"]: number(p)
        for p in got["yesman.pane.state"].gauge.data_points
        if attributes(p)["pane"] == watcher.pane
    }
    assert states["idle"] == 1
    assert sum(states.values()) == 1

    latency = got["yesman.component.latency"]
    assert latency.unit == "s"
    assert latency.histogram.aggregation_temporality == 2
    capture = next(
        p for p in latency.histogram.data_points if attributes(p)["component"] == "content_capture"
    )
    assert capture.count >= 4
    assert sum(capture.bucket_counts) == capture.count
    assert len(capture.bucket_counts) == len(capture.explicit_bounds) + 1
    assert 0 < capture.min <= capture.max
    assert capture.sum > 0
    assert got["yesman.event_loop.lag"].histogram.data_points[0].count > 0
    assert number(got["yesman.bus.up"].gauge.data_points[0]) == 1


async def test_exports_run_every_interval_and_a_dead_endpoint_is_survived(
    receiver: OtlpReceiver,
) -> None:
    async with OtlpExporter(receiver.url, interval=0.1):
        await until(lambda: len(receiver.requests) >= 3, "three periodic exports", timeout=10)
    got = receiver.metrics(0)
    assert got["yesman.process.cpu"].sum.data_points[0].as_double > 0
    assert number(got["yesman.process.resident_memory"].gauge.data_points[0]) > 10e6

    idle = OtlpExporter(receiver.url)
    with pytest.raises(LifecycleError, match="not running"):
        await idle.export_now()

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
