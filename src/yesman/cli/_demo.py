"""`yesman demo`: yesman at work, needing nothing but tmux."""

from __future__ import annotations

import asyncio
import logging

import typer
from rich.console import Console

from yesman.cli._app import app
from yesman.cli._demo_bus import run_bus_demo


@app.command()
def demo(
    quiet_logs: bool = typer.Option(
        True, "--quiet-logs/--show-logs", help="Hide the library's warning lines."
    ),
) -> None:
    """Show yesman at work: the event bus under a burst, with its metrics."""
    logging.basicConfig(level=logging.CRITICAL if quiet_logs else logging.WARNING)
    console = Console()
    asyncio.run(run_bus_demo(console))
