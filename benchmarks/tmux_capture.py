"""capture-pane over the control channel vs one `tmux capture-pane` subprocess per capture.

Run: uv run python benchmarks/tmux_capture.py [--captures N] [--flood LINES]

Both are measured in the same run against the same private tmux server and the same 100x30 pane
full of text; the subprocess figure is the reference (what polling tools pay per capture).

Second figure: the CPU this process spends reading a flood of %output (a pane printing LINES
lines), next to the CPU the tmux server itself spends on the same flood.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

import psutil

from yesman.testing import PrivateTmuxServer, eventually_async
from yesman.tmux import ControlClient, PaneChanged


async def _control(client: ControlClient, pane: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        await client.capture_pane(pane)
        times.append(time.perf_counter() - start)
    return times


async def _subprocess(tmux: PrivateTmuxServer, pane: str, n: int) -> list[float]:
    times = []
    argv = tmux.argv("capture-pane", "-p", "-t", pane)
    for _ in range(n):
        start = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
        )
        await proc.communicate()
        times.append(time.perf_counter() - start)
    return times


async def _drawn(client: ControlClient, pane: str) -> bool:
    return "row 28" in await client.capture_pane(pane)


def _row(name: str, times: list[float]) -> str:
    us = sorted(t * 1e6 for t in times)
    p95 = us[min(len(us) - 1, int(0.95 * len(us)))]
    return f"{name:<32} median {statistics.median(us):9.0f} us   p95 {p95:9.0f} us   n={len(us)}"


async def _flood(tmux: PrivateTmuxServer, lines: int) -> None:
    script = f"input()\nfor i in range({lines}): print('flood line', i)\ninput()\n"
    pane = tmux.new_session("flood", [sys.executable, "-c", script])
    server = psutil.Process(tmux.server_pid())
    async with ControlClient(tmux.server) as client:
        changes = client.changes(pane)
        await asyncio.sleep(0.3)
        while changes.get_nowait() is not None:
            pass
        ours, theirs = time.process_time(), sum(server.cpu_times()[:2])
        start = time.perf_counter()
        await client.send_keys(pane, "Enter")
        seen: list[PaneChanged] = []
        while f"flood line {lines - 1}" not in await client.capture_pane(pane):
            seen.append(await anext(changes))
        wall = time.perf_counter() - start
        ours, theirs = time.process_time() - ours, sum(server.cpu_times()[:2]) - theirs
        outputs = client.statistics().outputs
    print(f"flood of {lines} lines in one pane: {wall * 1e3:.0f} ms wall")
    print(
        f"  this process (client)   {ours * 1e3:7.0f} ms CPU, {outputs} %output read, "
        f"{len(seen)} changes released, {ours / max(outputs, 1) * 1e6:.1f} us CPU per %output"
    )
    print(f"  tmux server (reference) {theirs * 1e3:7.0f} ms CPU")


async def main(captures: int, flood: int) -> None:
    script = "[print(f'row {i:02d} ' + 'text ' * 17) for i in range(29)]; input()"
    with PrivateTmuxServer() as tmux:
        pane = tmux.new_session("bench", [sys.executable, "-c", script])
        async with ControlClient(tmux.server) as client:
            await eventually_async(lambda: _drawn(client, pane))
            await _control(client, pane, 20)  # warm up both paths
            await _subprocess(tmux, pane, 5)
            control = await _control(client, pane, captures)
            spawned = await _subprocess(tmux, pane, captures)
    print(f"capture-pane of a 100x30 pane, {captures} captures each, tmux 3.3a")
    print(_row("control channel (yesman.tmux)", control))
    print(_row("subprocess per capture (ref)", spawned))
    ratio = statistics.median(spawned) / statistics.median(control)
    print(f"control channel is {ratio:.1f}x faster (median)")
    print()
    with PrivateTmuxServer() as tmux:
        await _flood(tmux, flood)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captures", type=int, default=300)
    parser.add_argument("--flood", type=int, default=50_000)
    args = parser.parse_args()
    asyncio.run(main(args.captures, args.flood))
