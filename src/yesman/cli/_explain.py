"""`yesman explain`: how yesman reads a saved screen and what it would do about it."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from yesman.agents import Agent, AgentScreen
from yesman.cli._agents import AgentOption, agent_named
from yesman.cli._app import app
from yesman.policy import Decision, Policy, PolicyContext, PolicyError

# Only the tail of a screen can hold a live dialog; a 10 MB log is read from its last MiB.
_MAX_READ = 1024 * 1024
_SHOWN_LINES = 40


@app.command()
def explain(
    file: Annotated[
        str, typer.Argument(help="Saved screen (`tmux capture-pane -p [-e]`); - reads stdin.")
    ] = "-",
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy TOML file (default: the shipped default policy)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    session: Annotated[str, typer.Option(help="tmux session name the rules see.")] = "",
    project: Annotated[
        Path | None,
        typer.Option(help="Project folder (the pane's cwd); default: the current directory."),
    ] = None,
    agent_name: AgentOption = None,
) -> None:
    """Show how yesman reads a saved screen and what it would do about it."""
    err = Console(stderr=True)
    agent = agent_named(agent_name, err)
    try:
        chosen = Policy.default() if policy is None else Policy.from_file(policy)
    except PolicyError as exc:
        err.print(f"[red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(2) from exc
    for warning in chosen.warnings:
        typer.echo(str(warning), err=True)
    try:
        text = _read_screen(file)
    except OSError as exc:
        err.print(
            f"[red]error:[/] cannot read screen {file}: {exc.strerror or exc}; "
            "give a file saved with `tmux capture-pane -p` or - for stdin",
            markup=True,
            highlight=False,
        )
        raise typer.Exit(2) from exc
    screen = agent.parse_screen(text)
    context = PolicyContext(
        session=session, project_dir=(project or Path.cwd()).absolute(), agent=agent.name
    )
    decision = chosen.decide(screen, context)
    if as_json:
        sys.stdout.write(json.dumps(_as_json(screen, decision)) + "\n")
        return
    _show(Console(), text, screen, decision, chosen.source, agent)


def _read_screen(file: str) -> str:
    if file == "-":
        data = sys.stdin.buffer.read()
        data = data[-_MAX_READ:]
    else:
        with open(file, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > _MAX_READ:
                fh.seek(size - _MAX_READ)
            data = fh.read(_MAX_READ)
    return data.decode("utf-8", errors="replace")


def _as_json(screen: AgentScreen, decision: Decision) -> dict[str, Any]:
    return {**screen.as_dict(), "decision": decision.as_dict()}


def _show(
    console: Console,
    text: str,
    screen: AgentScreen,
    decision: Decision,
    source: str,
    agent: Agent,
) -> None:
    console.print(Text.assemble(("agent  ", "bold"), agent.display_name))
    console.print(Text.assemble(("state  ", "bold"), screen.state.value))
    if screen.detail:
        console.print(Text.assemble(("detail ", "bold"), screen.detail))
    prompt = screen.prompt
    if prompt is not None:
        table = Table(show_header=False, box=None, padding=(0, 1))
        table.add_column(style="bold")
        table.add_column()
        table.add_row("kind", prompt.kind.value)
        table.add_row("tool", prompt.tool or "-")
        table.add_row("target", prompt.target or "-")
        if prompt.description:
            table.add_row("description", prompt.description)
        table.add_row("question", prompt.question or "-")
        for option in prompt.options:
            mark = "\u276f " if option.number == prompt.highlighted else "  "
            table.add_row(
                "option" if option.number == 1 else "", f"{mark}{option.number}. {option.text}"
            )
        table.add_row("warning", prompt.warning or "-")
        table.add_row("fingerprint", prompt.fingerprint)
        console.print(table)
    style = {"answer": "green", "deny": "yellow", "hold": "red", "none": "dim"}[decision.action]
    keys = " ".join(decision.keys) or "-"
    dry = " (dry run: nothing would be typed)" if decision.dry_run else ""
    console.print(
        Text.assemble(
            ("decision ", "bold"),
            (decision.action.value, f"bold {style}"),
            f"  keys {keys}  rule {decision.rule}{dry}",
        )
    )
    console.print(Text.assemble(("reason   ", "bold"), decision.reason))
    console.print(Text(f"policy   {source}", style="dim"))
    lines = agent.screen_lines(text)
    if not lines:
        return
    first, last = prompt.span if prompt is not None else (len(lines), -1)
    start = min(max(0, len(lines) - _SHOWN_LINES), first)
    console.rule("screen (dialog lines marked ▌)" if prompt is not None else "screen")
    for k in range(start, len(lines)):
        marked = first <= k <= last
        console.print(
            Text.assemble(
                ("▌ " if marked else "  ", "bold cyan"), (lines[k], "" if marked else "dim")
            )
        )
