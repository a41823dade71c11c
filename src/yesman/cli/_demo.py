"""`yesman demo`: yesman at work, needing nothing but tmux."""

from __future__ import annotations

import asyncio
import logging
import shutil
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.rule import Rule

from yesman.cli._app import app


class Part(StrEnum):
    ALL = "all"
    WATCH = "watch"
    TRACKER = "tracker"
    BUS = "bus"


@app.command()
def demo(
    only: Annotated[
        Part, typer.Option("--only", help="Run one part: watch, tracker or bus.")
    ] = Part.ALL,
    speed: Annotated[
        float, typer.Option("--speed", min=0.1, help="How fast the simulated agent works.")
    ] = 1.5,
    show_logs: Annotated[
        bool, typer.Option("--show-logs", help="Show the library's warning lines.")
    ] = False,
) -> None:
    """Show yesman at work: the watcher on a simulated Claude Code, then the tracker and the
    bus under load."""
    logging.basicConfig(level=logging.WARNING if show_logs else logging.CRITICAL)
    console = Console()
    if only in (Part.ALL, Part.WATCH) and shutil.which("tmux") is None:
        console.print(
            "[bold red]yesman demo needs tmux.[/] Install it (Debian/Ubuntu: "
            "`sudo apt-get install tmux`, macOS: `brew install tmux`) and run it again, or run "
            "`yesman demo --only tracker` / `--only bus`, which do not need it."
        )
        raise typer.Exit(code=2)
    asyncio.run(_demo(console, only, speed))


async def _demo(console: Console, only: Part, speed: float) -> None:
    # Imported here: each part pulls in a good share of the library, which other commands
    # should not pay for at start-up.
    if only in (Part.ALL, Part.WATCH):
        from yesman.cli._demo_watch import run_watch_demo  # noqa: PLC0415

        console.print(Rule("1. The watcher on a simulated Claude Code"))
        await run_watch_demo(console, speed=speed)
    if only in (Part.ALL, Part.TRACKER):
        from yesman.cli._demo_tracker import run_tracker_demo  # noqa: PLC0415

        console.print(Rule("2. Per-component tracking: latency, CPU, memory, I/O"))
        await run_tracker_demo(console)
    if only in (Part.ALL, Part.BUS):
        from yesman.cli._demo_bus import run_bus_demo  # noqa: PLC0415

        console.print(Rule("3. The event bus under a burst"))
        await run_bus_demo(console)
