"""The whole watcher's CPU with many noisy panes that run no agent: muted vs not.

Run: uv run python benchmarks/noisy_panes.py [--panes 30] [--seconds 10] [--interval 0.005]

A private tmux server runs PANES panes that each print a 120-character line every INTERVAL
seconds (build logs, `tail -f`) and one simulated Claude Code pane that sits idle. A
`MonitorSupervisor` watches the server for SECONDS, first as `yesman watch` runs it (panes
without an agent muted), then with muting off, which is the reference, in the same run. The
figure is this process's CPU time per wall second (100 % = one core); the tmux server's CPU is
shown beside it. The issue reported 26-45 % of a core for 30 such panes before muting existed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import psutil

from yesman._simagent.harness import SIMULATED_CLAUDE, start_simulated_agent
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.testing import PrivateTmuxServer


def _printer(interval: float) -> list[str]:
    script = (
        "import itertools, time\n"
        "for i in itertools.count():\n"
        "    print(str(i).rjust(8) + ' build log line ' + 'x' * 96, flush=True)\n"
        f"    time.sleep({interval})\n"
    )
    return [sys.executable, "-c", script]


async def _measure(
    tmux: PrivateTmuxServer, server: psutil.Process, seconds: float, *, mute: bool
) -> tuple[float, float, int]:
    supervisor = MonitorSupervisor(
        tmux.server,
        agents=[SIMULATED_CLAUDE],
        settings=MonitorSettings(performance_interval=0),
        mute_unwatched=mute,
        lock=False,
    )
    async with supervisor:
        await asyncio.sleep(1.0)  # discovery and muting settle
        wall, ours = time.monotonic(), time.process_time()
        theirs = sum(server.cpu_times()[:2])
        await asyncio.sleep(seconds)
        wall = time.monotonic() - wall
        ours = time.process_time() - ours
        theirs = sum(server.cpu_times()[:2]) - theirs
        watched = len(supervisor.monitors)
    return 100 * ours / wall, 100 * theirs / wall, watched


async def main(panes: int, seconds: float, interval: float) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="yesman-bench-") as tmp,
        PrivateTmuxServer(prefix="yesman-bench", width=120, height=40) as tmux,
    ):
        start_simulated_agent(tmux, Path(tmp) / "project", "bash", session="agent", loop=False)
        for n in range(panes):
            tmux.new_session(f"noisy{n}", _printer(interval))
        server = psutil.Process(int(tmux.run("display-message", "-p", "#{pid}")))
        print(f"{panes} panes printing a line every {interval * 1000:.0f} ms, one idle agent pane")
        print(f"{'watcher':<34} {'watcher CPU':>12} {'tmux CPU':>10} {'watched':>8}")
        rows = []
        for label, mute in (
            ("muted (yesman watch default)", True),
            ("not muted (reference)", False),
        ):
            cpu, tmux_cpu, watched = await _measure(tmux, server, seconds, mute=mute)
            rows.append(cpu)
            print(f"{label:<34} {cpu:>11.1f}% {tmux_cpu:>9.1f}% {watched:>8}")
        muted, reference = rows
        print(f"muting saves {reference - muted:.1f} % of a core ({muted:.1f} vs {reference:.1f})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panes", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=0.005)
    args = parser.parse_args()
    asyncio.run(main(args.panes, args.seconds, args.interval))
