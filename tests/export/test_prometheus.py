"""The Prometheus exposition of a real watcher on the simulated agent."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from yesman.agents import ScreenState
from yesman.bus import AsyncEventBus
from yesman.export import CATALOG, CONTENT_TYPE, PrometheusExporter
from yesman.metrics import ComponentTracker
from yesman.monitor import COMPONENTS, MonitorSupervisor
from yesman.testing import PrivateTmuxServer

from .conftest import Watcher, until, wait_until_idle


def scrape(exporter: PrometheusExporter) -> dict[str, list[Sample]]:
    """Family name -> its samples, parsed back by prometheus_client's own parser."""
    text = exporter.render().decode()
    return {f.name: f.samples for f in text_string_to_metric_families(text)}


def value(got: dict[str, list[Sample]], name: str, **labels: str) -> float:
    """The one sample called `name` (as exposed: `_total`, `_bucket` ...) with these labels."""
    found = [s.value for f in got.values() for s in f if s.name == name and s.labels == labels]
    assert len(found) == 1, f"{name}{labels}: {len(found)} samples"
    return found[0]


@pytest.mark.tmux
async def test_a_scrape_shows_the_dialogs_panes_and_components_of_a_real_watcher(
    watcher: Watcher,
) -> None:
    exporter = PrometheusExporter(watcher.supervisor)
    assert exporter.CONTENT_TYPE == CONTENT_TYPE == "text/plain; version=0.0.4; charset=utf-8"
    where = {"session": "work", "pane": watcher.pane, "agent": "claude-code-simulated"}

    # While the dangerous dialog is held, the pane is waiting and its wait grows.
    def held_for_a_while() -> bool:
        waits = scrape(exporter).get("yesman_pane_human_wait_seconds", [])
        return any(s.value > 0.3 for s in waits)

    await until(held_for_a_while, "the held dialog's wait to show")
    during = scrape(exporter)
    assert value(during, "yesman_pane_state", **where, state="waiting") == 1
    assert value(during, "yesman_human_wait_seconds_total") > 0.3

    await wait_until_idle(watcher)
    got = scrape(exporter)
    # Every family of the catalog is there (a watcher with a bus has a figure for each).
    assert set(got) == {spec.name for spec in CATALOG}

    dialogs = {
        (s.labels["outcome"], s.labels["kind"], s.labels["tool"]): s.value
        for s in got["yesman_dialogs"]
    }
    assert dialogs == {
        ("answer", "tool_permission", "Bash"): 1,
        ("hold", "tool_permission", "Bash"): 1,
    }
    assert all(s.labels["rule"] for s in got["yesman_dialogs"])
    assert {s.labels["agent"] for s in got["yesman_dialogs"]} == {"claude-code-simulated"}
    # The simulated agent draws Claude Code's banner: its version is read from the screen.
    assert value(got, "yesman_agent_info", **where, version="2.1.332") == 1
    assert value(got, "yesman_human_waits_total") == 1
    assert 1.2 < value(got, "yesman_human_wait_seconds_total") < 5
    assert value(got, "yesman_answers_unverified_total") == 0
    assert value(got, "yesman_panes_watched") == 1
    states = {s.labels["state"]: s.value for s in got["yesman_pane_state"]}
    assert states == {state.value: float(state is ScreenState.IDLE) for state in ScreenState}
    assert value(got, "yesman_pane_human_wait_seconds", **where) == 0

    # Component latency: one histogram per pipeline step, cumulative and consistent.
    latency = got["yesman_component_latency_seconds"]
    for component in COMPONENTS:
        buckets = [
            s for s in latency
            if s.name.endswith("_bucket") and s.labels["component"] == component
        ]  # fmt: skip
        counts = [s.value for s in buckets]
        assert counts == sorted(counts)
        assert buckets[-1].labels["le"] == "+Inf"
        count = value(got, "yesman_component_latency_seconds_count", component=component)
        assert counts[-1] == count
    captures = value(got, "yesman_component_latency_seconds_count", component="content_capture")
    assert captures >= 4
    assert value(got, "yesman_component_latency_seconds_sum", component="content_capture") > 0
    answers = value(got, "yesman_component_latency_seconds_count", component="response_sending")
    assert answers == 1
    io = {(s.labels["component"], s.labels["direction"]) for s in got["yesman_component_io_bytes"]}
    assert io == {(c, d) for c in COMPONENTS for d in ("sent", "received")}

    # The bus and the loop.
    published = {s.labels["event_type"]: s.value for s in got["yesman_bus_events_published"]}
    assert published["prompt.decided"] == 2
    assert published["response.sent"] == 1
    assert published["prompt.held"] == 1
    assert value(got, "yesman_bus_up") == 1
    assert value(got, "yesman_bus_queue_capacity") > 0
    assert value(got, "yesman_event_loop_lag_seconds_count") > 0
    assert value(got, "yesman_process_resident_memory_bytes") > 10e6

    # No command text in any label.
    text = exporter.render().decode()
    assert "rm -rf" not in text
    assert "npm test" not in text


async def test_without_a_supervisor_only_what_was_given_is_exported() -> None:
    async with AsyncEventBus(metrics_interval=0) as bus:
        got = scrape(PrometheusExporter(bus=bus))
    assert {name for name in got if not name.startswith("yesman_bus_")} == {
        "yesman_process_cpu_seconds",
        "yesman_process_resident_memory_bytes",
    }
    assert value(got, "yesman_bus_up") == 1


def test_a_watcher_not_started_yet_and_a_lone_tracker_can_be_scraped(
    tmux_server: PrivateTmuxServer,
) -> None:
    tracker = ComponentTracker(["step"])
    tracker.record_component_timing("step", 2.0)
    tracker.record_component_timing("step", 30.0, success=False, error_type="TimeoutError")
    tracker.count_io("step", sent=10, received=2000)
    registry = CollectorRegistry()
    # A supervisor that has not started (the dashboard may be scraped before it is ready).
    early = PrometheusExporter(MonitorSupervisor(tmux_server.server), registry=registry)
    assert early.registry is registry
    got = scrape(early)
    assert value(got, "yesman_panes_watched") == 0
    assert "yesman_pane_state" not in got
    assert value(got, "yesman_human_waits_total") == 0

    got = scrape(PrometheusExporter(tracker=tracker))
    assert value(got, "yesman_component_latency_seconds_count", component="step") == 2
    total = value(got, "yesman_component_latency_seconds_sum", component="step")
    assert total == pytest.approx(0.032)
    below = value(got, "yesman_component_latency_seconds_bucket", component="step", le="0.025")
    assert below == 1
    errors = value(got, "yesman_component_errors_total", component="step")
    assert errors == 1
    io = {s.labels["direction"]: s.value for s in got["yesman_component_io_bytes"]}
    assert io == {"sent": 10, "received": 2000}


def test_names_follow_prometheus_conventions() -> None:
    for spec in CATALOG:
        assert spec.name.startswith("yesman_"), spec.name
        assert not spec.name.endswith("_total"), f"{spec.name}: the exposition adds _total"
        for unit in ("_ms", "_milliseconds", "_mb", "_percent", "_kb"):
            assert unit not in spec.name, f"{spec.name}: use base units"
        assert spec.help.endswith("."), f"{spec.name}: help is a sentence"
        assert not {"target", "command", "reason"} & set(spec.labels)
    names = [spec.name for spec in CATALOG]
    assert len(names) == len(set(names))
