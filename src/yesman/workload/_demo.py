"""The demo workload behind `yesman baseline record --workload demo` and `yesman gates`.

The demo's simulated Claude Code, looping its scripted dialogs at a fixed speed in a private
tmux server (120x40), watched by the real watcher with the default policy: the same work on
every version and machine, so baselines compare like with like. The figures start after a
warm-up of `WARM_UP` seconds. The answer latency of the
dialogs the watcher typed is added as the pseudo-component ``dialog_answer``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

from yesman._simagent.harness import SIMULATED_CLAUDE, start_simulated_agent
from yesman.baseline import PerformanceBaseline, PerformanceMonitor, summarize_samples
from yesman.bus import AsyncEventBus
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer

__all__ = ["DEMO_SPEED", "WARM_UP", "record_demo_workload"]

DEMO_SPEED: Final = 1.5
_HOLD_TIMEOUT: Final = 4.0
# Seconds the watcher runs before the figures count: the first captures and parses of a fresh
# tmux server and process are slower (cold caches, imports), which made two runs of the same
# version differ by ~12 % in content_capture p50 without it.
WARM_UP: Final = 3.0


async def record_demo_workload(
    duration: float, name: str | None, progress: Callable[[float], None] | None = None
) -> PerformanceBaseline:
    """Run the demo workload for ``duration`` seconds and return its baseline (not saved)."""
    with (
        tempfile.TemporaryDirectory(prefix="yesman-baseline-") as tmp,
        PrivateTmuxServer(prefix="yesman-baseline", width=120, height=40) as tmux,
    ):
        root = Path(tmp)
        start_simulated_agent(
            tmux,
            root / "project",
            session="demo",
            speed=DEMO_SPEED,
            hold_timeout=_HOLD_TIMEOUT,
            loop=True,
        )
        async with AuditStore.open(root / "audit.db") as audit, AsyncEventBus() as bus:
            supervisor = MonitorSupervisor(
                tmux.server,
                event_bus=bus,
                audit=audit,
                agents=[SIMULATED_CLAUDE],
                settings=MonitorSettings(performance_interval=0),
            )
            monitor = PerformanceMonitor(bus=bus)
            async with supervisor:
                await asyncio.sleep(WARM_UP)
                baseline = await monitor.establish_baseline(
                    duration,
                    name,
                    workload="demo",
                    agent_versions={"claude": f"simulated@{DEMO_SPEED}x"},
                    progress=progress,
                )
            decisions = await audit.list_decisions(limit=100_000, since=baseline.created)
    latencies = [d.latency_ms for d in decisions if d.latency_ms is not None]
    components = dict(baseline.components)
    components["dialog_answer"] = summarize_samples(latencies)
    return dataclasses.replace(baseline, components=components)
