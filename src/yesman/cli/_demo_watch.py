"""The main part of `yesman demo`: the real watcher on a simulated Claude Code in private tmux.

A private tmux server (its own socket, killed at the end) runs the simulated agent, which draws
Claude Code's dialogs one after another: routine tool permissions, a dangerous command and a
question meant for a human. A `MonitorSupervisor` watches it exactly as `yesman watch` would,
answering or holding by the default policy, with decisions written to a throw-away audit database.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.live import Live

from yesman._simagent.harness import SIMULATED_CLAUDE, start_simulated_agent
from yesman.bus import AsyncEventBus, EventType
from yesman.cli._audit import decisions_table
from yesman.cli._views import HeldLog, components_table, watch_view
from yesman.monitor import MonitorSettings, MonitorSupervisor
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer

__all__ = ["run_watch_demo"]


async def run_watch_demo(
    console: Console, *, speed: float = 1.5, hold_timeout: float = 4.0, limit: float = 120.0
) -> int:
    """Run the scenario; returns the number of decisions recorded."""
    with (
        tempfile.TemporaryDirectory(prefix="yesman-demo-") as tmp,
        PrivateTmuxServer(prefix="yesman-demo", width=120, height=40) as tmux,
    ):
        root = Path(tmp)
        db = root / "audit.db"
        _, agent = start_simulated_agent(
            tmux, root / "project", session="demo", speed=speed, hold_timeout=hold_timeout
        )
        held = HeldLog()
        async with AuditStore.open(db) as audit, AsyncEventBus() as bus:
            bus.subscribe(EventType.PROMPT_HELD, held)
            supervisor = MonitorSupervisor(
                tmux.server,
                event_bus=bus,
                audit=audit,
                agents=[SIMULATED_CLAUDE],
                settings=MonitorSettings(performance_interval=0),
            )
            header = (
                f"yesman demo: watching a simulated Claude Code on tmux -L {tmux.socket_name} "
                f"(attach with: tmux -L {tmux.socket_name} attach)"
            )
            async with supervisor:
                deadline = time.monotonic() + limit
                view = watch_view(supervisor.watched(), {}, held, header)
                with Live(view, console=console, refresh_per_second=8) as live:
                    while time.monotonic() < deadline and not agent.finished():
                        await asyncio.sleep(0.25)
                        live.update(
                            watch_view(
                                supervisor.watched(),
                                supervisor.get_component_metrics(),
                                held,
                                header,
                            )
                        )
                metrics = supervisor.get_component_metrics()
            records = list(reversed(await audit.list_decisions(limit=100)))
        console.print(decisions_table(records, db, console.width))
        console.print(components_table(metrics, title="Component metrics (the watcher itself)"))
        answered = sum(1 for r in records if r.action == "answer")
        on_hold = sum(1 for r in records if r.action == "hold")
        console.print(
            f"{len(records)} dialogs: {answered} answered, {on_hold} held for a human "
            "(the simulated agent cancelled those after a few seconds, as a person might)."
        )
        return len(records)
