"""Does a dead webhook delay answers? Answer latency with alerts going to a webhook that never
answers, beside no alerting at all and a healthy webhook, measured in the same run.

Run: uv run python benchmarks/alerts.py [--panes 4] [--rounds 3] [--seconds 10]

Workload, on a private tmux server: `--panes` simulated Claude Code panes looping harmless
dialogs (answered by policy) and one pane whose dangerous command is held for a human. The
watcher is the one `yesman watch --alerts` runs (supervisor, bus, audit database, alert
manager), without the agent's input guard so that yesman's own path is what is timed.

Rules in the alerting rounds: ``dialog-held`` for the held pane and ``agent-idle`` with
``for = "0s"`` on every pane, so each looping pane fires (and resolves) an alert between its
dialogs: a notification every second or so per pane, all to one sink.

Modes, interleaved round by round (a fresh watcher each round, the same panes):
* none:    no alert manager (the reference);
* healthy: every notification POSTed to a local HTTP receiver that answers at once;
* dead:    every notification POSTed to a port that accepts connections and never answers
           (timeout 5 s, 2 retries): deliveries pile up, the queue drops the oldest.

Printed: answer latency (`ResponseSent.latency_ms`, first output of the dialog to keys sent),
p50 / p95 / max and count per mode, the ratio of each mode's p50 and p95 to the reference's,
and what the sink did (delivered, undelivered, dropped, in flight at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import socket
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

from yesman._simagent.harness import SIMULATED_CLAUDE, start_simulated_agent
from yesman.alerts import AlertManager, SinkStats, parse_alert_config
from yesman.bus import AsyncEventBus, Event, EventType, ResponseSent
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class _Healthy:
    """A loopback HTTP server answering 200 at once (asyncio, in this loop)."""

    def __init__(self) -> None:
        self.requests = 0
        self.server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                self.requests += 1
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        writer.close()

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/hook"


def _rules(url: str) -> str:
    return (
        f'[[sink]]\nname = "hook"\ntype = "webhook"\nurl = "{url}"\ntimeout = "5s"\n'
        'retries = 2\nbackoff = "500ms"\nqueue = 100\n'
        '[[rule]]\nkind = "dialog-held"\nfor = "0s"\nsinks = ["hook"]\n'
        '[[rule]]\nkind = "agent-idle"\nfor = "0s"\nsinks = ["hook"]\n'
    )


@contextlib.asynccontextmanager
async def _watcher(
    tmux: PrivateTmuxServer, db: Path, url: str | None
) -> AsyncIterator[tuple[list[float], AlertManager | None]]:
    latencies: list[float] = []

    def answered(event: Event) -> None:
        if isinstance(event.payload, ResponseSent):
            latencies.append(event.payload.latency_ms)

    async with AuditStore.open(db) as store, AsyncEventBus(metrics_interval=0) as bus:
        bus.subscribe(EventType.RESPONSE_SENT, answered)
        async with contextlib.AsyncExitStack() as stack:
            manager = None
            if url is not None:
                manager = await stack.enter_async_context(
                    AlertManager(parse_alert_config(_rules(url)), bus, store=store, drain=0.5)
                )
            await stack.enter_async_context(
                MonitorSupervisor(
                    tmux.server,
                    event_bus=bus,
                    audit=store,
                    agents=[SIMULATED_CLAUDE],
                    settings=MonitorSettings(performance_interval=0, min_dialog_age=0.0),
                )
            )
            yield latencies, manager


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--panes", type=int, default=4, help="panes looping harmless dialogs")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each mode")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of one round")
    args = parser.parse_args()
    # Hundreds of alerts fire here on purpose: their log lines would bury the figures.
    logging.getLogger("yesman.alerts").setLevel(logging.ERROR)

    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead.listen(1024)  # the kernel accepts; nobody ever reads or answers
    dead_url = f"http://127.0.0.1:{dead.getsockname()[1]}/hook"
    healthy = _Healthy()
    healthy_url = await healthy.start()
    modes: dict[str, str | None] = {"none": None, "healthy": healthy_url, "dead": dead_url}
    results: dict[str, list[float]] = {mode: [] for mode in modes}
    sinks: dict[str, list[SinkStats]] = {mode: [] for mode in modes}
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="yesman-bench-alerts-") as tmp,
        PrivateTmuxServer(width=120, height=40) as tmux,
    ):
        root = Path(tmp)
        for i in range(args.panes):
            start_simulated_agent(
                tmux, root / "p", "bash", "write", session=f"busy{i}", loop=True, speed=4.0
            )
        start_simulated_agent(tmux, root / "p", "dangerous", session="held")
        for round_ in range(args.rounds):
            for mode, url in modes.items():
                db = root / f"{mode}-{round_}.db"
                async with _watcher(tmux, db, url) as (latencies, manager):
                    await asyncio.sleep(args.seconds)
                    if manager is not None:
                        sinks[mode].extend(manager.sink_stats())
                results[mode].extend(latencies)
                print(f"  round {round_ + 1} {mode:<8} {len(latencies):4d} answers", flush=True)
    dead.close()
    if healthy.server is not None:
        healthy.server.close()

    print(
        f"\nanswer latency, first output of a dialog -> keys sent; {args.panes} busy panes + 1 "
        f"held, {args.rounds} x {args.seconds:.0f} s per mode, interleaved "
        f"({time.monotonic() - started:.0f} s)"
    )
    ref = results["none"]
    print(
        f"  {'mode':<9}{'answers':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
        f"{'p50/ref':>9}{'p95/ref':>9}"
    )
    for mode, values in results.items():
        if not values:
            print(f"  {mode:<9}{0:>8}")
            continue
        p50, p95 = _pct(values, 50), _pct(values, 95)
        print(
            f"  {mode:<9}{len(values):>8}{p50:>9.1f}{p95:>9.1f}{max(values):>9.1f}"
            f"{p50 / _pct(ref, 50):>9.2f}{p95 / _pct(ref, 95):>9.2f}"
        )
    for mode in ("healthy", "dead"):
        stats = sinks[mode]
        queued = sum(s.queued for s in stats)
        done = sum(s.delivered for s in stats)
        failed = sum(s.undelivered for s in stats)
        dropped = sum(s.dropped for s in stats)
        print(
            f"  sink in {mode} rounds: {queued} notifications queued, {done} delivered, "
            f"{failed} undelivered, {dropped} dropped from a full queue, "
            f"{queued - done - failed - dropped} waiting or in flight when the rounds ended"
        )
    if ref:
        print(
            f"  reference spread: stdev of the no-alert latencies {statistics.pstdev(ref):.1f} ms"
        )
    print(f"  healthy receiver got {healthy.requests} POSTs")


if __name__ == "__main__":
    asyncio.run(main())
