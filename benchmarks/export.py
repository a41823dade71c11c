"""What a Prometheus scrape of a watcher with 20 panes costs, beside prometheus_client's own.

Run: uv run python benchmarks/export.py [--panes 20] [--scrapes 300]

A private tmux server runs PANES simulated Claude Code agents; each shows a routine dialog
(answered) and a dangerous one (held, then cancelled by the agent), then sits idle. A
`MonitorSupervisor` watches them all, with an event bus, as `yesman watch` does. Once every pane
is idle, `PrometheusExporter.render()` runs SCRAPES times on the event loop (as the dashboard's
``/metrics`` route will); the snapshot alone is timed too.

The reference, in the same run: prometheus_client's `generate_latest` over a registry of plain
labelled gauges with as many samples as the scrape has, that is, the cost of the text format
itself with no figures to gather. The target from the issue is < 10 ms per scrape.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, generate_latest

from yesman._simagent.harness import SIMULATED_CLAUDE, AgentLog, start_simulated_agent
from yesman.bus import AsyncEventBus
from yesman.export import PrometheusExporter, take_snapshot
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.testing import PrivateTmuxServer


def _time(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def _reference_registry(samples: int) -> CollectorRegistry:
    """Plain gauges, five labels each, `samples` samples in all (20 per family)."""
    registry = CollectorRegistry()
    families = max(1, samples // 20)
    for f in range(families):
        gauge = Gauge(
            f"reference_family_{f}",
            "A plain gauge of the reference registry.",
            ["session", "pane", "agent", "state", "component"],
            registry=registry,
        )
        for i in range(samples // families):
            gauge.labels("work", f"%{i}", "claude-code", "idle", f"c{f}").set(i * 1.5)
    return registry


async def _wait_idle(supervisor: MonitorSupervisor, agents: list[AgentLog], panes: int) -> None:
    for agent in agents:
        await agent.wait_for("idle", timeout=120)
    deadline = time.monotonic() + 60
    while [p.status.state.value for p in supervisor.watched()] != ["idle"] * panes:
        if time.monotonic() > deadline:
            raise SystemExit("the watcher never saw every pane idle")
        await asyncio.sleep(0.1)


async def _run(panes: int, scrapes: int) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="yesman-bench-") as tmp,
        PrivateTmuxServer(prefix="yesman-bench", width=120, height=40) as tmux,
    ):
        agents = [
            start_simulated_agent(
                tmux,
                Path(tmp) / f"project{i}",
                "bash",
                "dangerous",
                session=f"work{i}",
                hold_timeout=1.0,
            )[1]
            for i in range(panes)
        ]
        async with (
            AsyncEventBus(metrics_interval=0) as bus,
            MonitorSupervisor(
                tmux.server,
                event_bus=bus,
                agents=[SIMULATED_CLAUDE],
                settings=MonitorSettings(performance_interval=0),
            ) as supervisor,
        ):
            await _wait_idle(supervisor, agents, panes)
            exporter = PrometheusExporter(supervisor)
            body = exporter.render()
            samples = sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
            dialogs = sum(supervisor.dialog_totals().decisions.values())
            scrape = _time(exporter.render, scrapes)
            snapshot = _time(lambda: take_snapshot(exporter.sources), scrapes)
    reference_registry = _reference_registry(samples)
    reference = _time(lambda: generate_latest(reference_registry), scrapes)
    ref_samples = sum(
        1
        for line in generate_latest(reference_registry).splitlines()
        if line and not line.startswith(b"#")
    )

    print(f"watcher: {panes} panes, {dialogs} dialogs decided; scrape: {samples} samples, "
          f"{len(body):,} bytes; {scrapes} scrapes each")  # fmt: skip
    print(f"{'what':<52}  {'median ms':>9}  {'p95 ms':>7}")
    print(f"{'-' * 52}  {'-' * 9}  {'-' * 7}")
    rows = [
        ("PrometheusExporter.render() (target < 10 ms)", scrape),
        ("  of which the snapshot (take_snapshot)", snapshot),
        (f"reference: generate_latest, {ref_samples} plain gauge samples", reference),
    ]
    for name, (median, p95) in rows:
        print(f"{name:<52}  {median:>9.3f}  {p95:>7.3f}")
    print(
        f"\nscrape / reference: {scrape[0] / reference[0]:.2f}x; "
        f"{'within' if scrape[1] < 10 else 'OVER'} the 10 ms target at p95"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--panes", type=int, default=20)
    parser.add_argument("--scrapes", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(_run(args.panes, args.scrapes))


if __name__ == "__main__":
    main()
