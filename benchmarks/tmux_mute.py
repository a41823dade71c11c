"""What muting the output of non-agent panes saves the watcher.

Run: uv run python benchmarks/tmux_mute.py [--panes 30] [--seconds 5] [--interval 0.002]

A private tmux server runs PANES panes (3 sessions) that each print a 120-character line every
INTERVAL seconds, like build logs or `tail -f`. One `ControlClient` with a subscriber draining
`changes()` (a watcher's minimum work) is measured for SECONDS with every pane's output on,
then with every pane muted (`mute_output`), then on again. The figure is this process's CPU
time per wall second, the reference is the same client with output on, in the same run; the
tmux server's own CPU is shown beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time

import psutil

from yesman.testing import PrivateTmuxServer
from yesman.tmux import ControlClient, ControlConfig


def _printer(interval: float) -> list[str]:
    script = (
        "import itertools, time\n"
        "for i in itertools.count():\n"
        f"    print(str(i).rjust(8) + ' build log line ' + 'x' * 96, flush=True)\n"
        f"    time.sleep({interval})\n"
    )
    return [sys.executable, "-c", script]


async def _drain(client: ControlClient) -> None:
    async for _change in client.changes():
        pass


async def _measure(
    client: ControlClient, server: psutil.Process, seconds: float
) -> tuple[float, float, int]:
    outputs = client.statistics().outputs
    wall, ours, theirs = time.monotonic(), time.process_time(), sum(server.cpu_times()[:2])
    await asyncio.sleep(seconds)
    wall = time.monotonic() - wall
    ours = time.process_time() - ours
    theirs = sum(server.cpu_times()[:2]) - theirs
    return ours / wall, theirs / wall, client.statistics().outputs - outputs


async def main(panes: int, seconds: float, interval: float) -> None:
    with PrivateTmuxServer(prefix="yesman-bench") as tmux:
        ids: list[str] = []
        for n in range(panes):
            session = f"s{n % 3}"
            if n < 3:
                ids.append(tmux.new_session(session, _printer(interval)))
            else:
                ids.append(tmux.new_window(session, _printer(interval)))
        server = psutil.Process(tmux.server_pid())
        async with ControlClient(tmux.server, ControlConfig()) as client:
            drain = asyncio.create_task(_drain(client))
            await asyncio.sleep(1.0)  # warm up
            rows = [("output on (reference)", await _measure(client, server, seconds))]
            for pane in ids:
                await client.mute_output(pane)
            await asyncio.sleep(0.5)
            rows.append(("all panes muted", await _measure(client, server, seconds)))
            for pane in ids:
                await client.unmute_output(pane)
            await asyncio.sleep(0.5)
            rows.append(("output on again", await _measure(client, server, seconds)))
            drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drain
    print(f"{panes} panes, one 120-char line every {interval * 1e3:g} ms each; "
          f"{seconds:g} s per phase; CPU as % of one core")  # fmt: skip
    print(f"{'':<24}{'watcher':>10}{'tmux server':>14}{'%output/s':>12}")
    for label, (ours, theirs, outputs) in rows:
        print(f"{label:<24}{ours * 100:>9.1f}%{theirs * 100:>13.1f}%{outputs / seconds:>12.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panes", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--interval", type=float, default=0.002)
    args = parser.parse_args()
    asyncio.run(main(args.panes, args.seconds, args.interval))
