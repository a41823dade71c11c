"""The shipped Grafana dashboard and Prometheus alerting rules: valid, and about real metrics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from yesman.export import CATALOG, Kind

from .conftest import missing

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "contrib" / "prometheus" / "yesman-rules.yml"
DASHBOARD = ROOT / "contrib" / "grafana" / "yesman.json"
README = ROOT / "README.md"

EMITTED = {name for spec in CATALOG for name in spec.sample_names}
"""Every sample name the exporter emits (tests/export/test_prometheus.py checks that a real
watcher's scrape has every family of the catalog)."""


def referenced(text: str) -> set[str]:
    return set(re.findall(r"\byesman_[a-z0-9_]+\b", text))


def dashboard_queries() -> list[str]:
    """The PromQL of every panel (the variable's `label_values()` is Grafana's, not PromQL)."""
    board = json.loads(DASHBOARD.read_text())
    return [t["expr"] for p in board["panels"] for t in p.get("targets", [])]


def test_promtool_accepts_the_alerting_rules() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        missing("promtool is not installed (Debian: apt-get install prometheus)")
    done = subprocess.run(
        [promtool, "check", "rules", str(RULES)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 12 rules found" in done.stdout


@pytest.mark.parametrize("path", [RULES, DASHBOARD], ids=lambda p: p.name)
def test_every_metric_referenced_is_one_the_exporter_emits(path: Path) -> None:
    names = referenced(path.read_text())
    assert names, f"{path} names no yesman metric"
    assert names - EMITTED == set()


def test_the_dashboard_is_importable_grafana_json() -> None:
    board: dict[str, Any] = json.loads(DASHBOARD.read_text())
    assert board["uid"] == "yesman-overview"
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"] for v in board["templating"]["list"]}
    assert variables == {"datasource", "instance"}
    for panel in board["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            # Every query follows the instance picker.
            assert 'instance=~"$instance"' in target["expr"], (panel["title"], target["expr"])
    # The panels the issue asks for are there.
    text = " ".join(dashboard_queries())
    for needed in (
        "yesman_component_latency_seconds_bucket",
        "yesman_component_cpu_seconds_total",
        "yesman_process_resident_memory_bytes",
        "yesman_component_io_bytes_total",
        "yesman_bus_queue_depth",
        "yesman_bus_queue_utilization_ratio",
        "yesman_bus_queue_overflows_total",
        "yesman_event_loop_lag_seconds_bucket",
        "yesman_pane_state",
        "yesman_pane_human_wait_seconds",
        "yesman_dialogs_total",
    ):
        assert needed in text


def test_the_readme_lists_every_metric() -> None:
    text = README.read_text()
    exposed = {
        spec.sample_names[0] if spec.kind is not Kind.HISTOGRAM else spec.name for spec in CATALOG
    }
    assert {name for name in exposed if f"`{name}`" not in text} == set()
    assert referenced(text) - EMITTED - {spec.name for spec in CATALOG} == set()
