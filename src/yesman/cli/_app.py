"""The typer application every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="yesman",
    help="Watch coding agents in tmux, answer their permission dialogs by policy, "
    "and measure every step.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Watch coding agents in tmux, answer their permission dialogs by policy, and measure
    every step."""
