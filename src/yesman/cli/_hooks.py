"""`yesman hooks install | uninstall | status`, and `yesman hook` in the command list.

`yesman hook` itself never reaches this module: `yesman.cli.main` hands it to
``yesman.hooks._client`` before the command-line framework loads (an agent runs it before every
permission dialog). The `hook` command here only lists it in `yesman --help`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from yesman._errors import YesmanError
from yesman.agents import Agent, HookScope, builtin_agents
from yesman.cli._agents import AgentOption, agent_named
from yesman.cli._app import app
from yesman.cli._watch import SocketName, SocketPath, _server
from yesman.hooks import (
    HookLocation,
    InstallOutcome,
    hook_command,
    hook_pending_step,
    hook_status,
    install_hook,
    ping_watcher,
    socket_for_server,
    uninstall_hook,
)

__all__ = ["hook", "hooks_app"]

hooks_app = typer.Typer(
    name="hooks",
    help="Install yesman's permission hook in an agent's settings, remove it, or check it.",
    no_args_is_help=True,
)
app.add_typer(hooks_app)


class NoWatcher(StrEnum):
    evaluate = "evaluate"
    human = "human"


ScopeOption = Annotated[
    HookScope,
    typer.Option(
        "--scope",
        help="user: every project (Claude Code: ~/.claude/settings.json; Codex: "
        "$CODEX_HOME/hooks.json, else ~/.codex/hooks.json); project: this project, shared "
        "(.claude/settings.json; .codex/hooks.json); local: this project, you only (Claude Code's "
        ".claude/settings.local.json; Codex has none).",
    ),
]
ProjectOption = Annotated[
    Path | None, typer.Option("--project", help="The project folder (default: the current folder).")
]


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def hook(ctx: typer.Context) -> None:
    """Run by an agent before a permission dialog: asks the watcher, prints its decision."""
    from yesman.hooks._client import main  # noqa: PLC0415 (normally reached before typer)

    raise typer.Exit(main(list(ctx.args)))


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False).print(
        Text.assemble(("error: ", "bold red"), message), soft_wrap=True
    )
    return typer.Exit(code=2)


def _executable(given: Path | None) -> Path:
    """The yesman the agent should run: given, else the one running now, else the one on PATH."""
    if given is not None:
        if not (given.is_file() and os.access(given, os.X_OK)):
            raise _fail(f"--executable {given} is not an executable file")
        return given.absolute()
    running = Path(sys.argv[0])
    if running.name == "yesman" and running.is_file():
        return running.absolute()
    found = shutil.which("yesman")
    if found:
        return Path(found).absolute()
    raise _fail("cannot tell which yesman to install; pass --executable /path/to/yesman")


@hooks_app.command("install")
def install(
    scope: ScopeOption = HookScope.USER,
    agent: AgentOption = None,
    project: ProjectOption = None,
    no_watcher: Annotated[
        NoWatcher,
        typer.Option(
            "--no-watcher",
            help="When no `yesman watch` runs: evaluate (decide in the hook with the policy) or "
            "human (leave the dialog to you).",
        ),
    ] = NoWatcher.evaluate,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy", help="Policy for deciding in the hook (default: the shipped one)."
        ),
    ] = None,
    db: Annotated[
        Path | None, typer.Option("--db", help="Audit database for decisions taken in the hook.")
    ] = None,
    timeout: Annotated[
        int,
        typer.Option(
            "--timeout", min=2, max=600, help="Seconds the agent gives the hook before its dialog."
        ),
    ] = 10,
    executable: Annotated[
        Path | None,
        typer.Option("--executable", help="The yesman the agent runs (default: this one)."),
    ] = None,
) -> None:
    """Add yesman's permission hook to the agent's settings (idempotent; a backup is kept)."""
    err = Console(stderr=True, highlight=False)
    the_agent = agent_named(agent, err)
    if policy is not None and not policy.is_file():
        raise _fail(f"--policy {policy} is not a file")
    command = hook_command(
        _executable(executable),
        the_agent,
        no_watcher=no_watcher.value,
        policy=policy,
        db=db,
        # The hook gives up on the watcher before the agent gives up on the hook.
        reply_timeout=max(1.0, timeout - 3.0) if timeout < 8 else None,
    )
    folder = (project or Path.cwd()).absolute()
    try:
        outcome, path = install_hook(
            the_agent,
            scope,
            command=command,
            home=Path.home(),
            project=folder,
            timeout=timeout,
        )
        changed = outcome is not InstallOutcome.UNCHANGED
        pending = hook_pending_step(
            the_agent, scope, home=Path.home(), project=folder, changed=changed
        )
    except YesmanError as exc:
        raise _fail(str(exc)) from None
    console = Console(highlight=False)
    console.print(f"{outcome.value}: {path}\n  runs: {command}", soft_wrap=True, markup=False)
    if pending:
        console.print(f"next: {pending}", soft_wrap=True, markup=False)


@hooks_app.command("uninstall")
def uninstall(
    scope: ScopeOption = HookScope.USER,
    agent: AgentOption = None,
    project: ProjectOption = None,
) -> None:
    """Take yesman's hook out (exactly as before when nothing else changed the file)."""
    the_agent = agent_named(agent, Console(stderr=True, highlight=False))
    try:
        outcome, path = uninstall_hook(
            the_agent, scope, home=Path.home(), project=(project or Path.cwd()).absolute()
        )
    except YesmanError as exc:
        raise _fail(str(exc)) from None
    Console(highlight=False).print(f"{outcome.value}: {path}", soft_wrap=True, markup=False)


@dataclass(frozen=True, slots=True)
class _Watcher:
    socket: str
    answers: bool
    detail: str


@hooks_app.command("status")
def status(
    agent: Annotated[
        str | None,
        typer.Option(
            "--agent",
            help="Only this agent (default: every agent yesman can install a hook for).",
            show_default=False,
        ),
    ] = None,
    project: ProjectOption = None,
    socket_name: SocketName = None,
    socket_path: SocketPath = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Where yesman's hook is installed, and whether a watcher of this tmux server answers it."""
    err = Console(stderr=True, highlight=False)
    agents = [agent_named(agent, err)] if agent else _hooked_agents()
    folder = (project or Path.cwd()).absolute()
    locations = [
        where for a in agents for where in hook_status(a, home=Path.home(), project=folder)
    ]
    server = _server(socket_name, socket_path)
    hook_socket = socket_for_server(server.resolved_socket_path())
    answers, detail = ping_watcher(hook_socket)
    watcher = _Watcher(hook_socket, answers, detail)
    if as_json:
        typer.echo(json.dumps(_as_json(locations, watcher, server.describe()), indent=2))
        return
    console = Console(highlight=False)
    for the_agent in agents:
        _print_locations(console, the_agent, [w for w in locations if w.agent == the_agent.name])
    if watcher.answers:
        console.print(f"watcher of {server.describe()}: answers ({detail})", markup=False)
    else:
        console.print(
            Text.assemble(
                f"watcher of {server.describe()}: ",
                ("none answers", "yellow"),
                f" ({detail}); a hook decides by itself or leaves dialogs to you, as its "
                "--no-watcher says",
            )
        )


def _hooked_agents() -> list[Agent]:
    return [a for a in builtin_agents() if a.hook is not None]


def _print_locations(console: Console, agent: Agent, locations: list[HookLocation]) -> None:
    table = Table(title=f"yesman's hook for {agent.display_name}", title_justify="left")
    for name in ("scope", "settings file", "installed", "runs"):
        table.add_column(name, overflow="fold")
    for where in locations:
        state = (
            Text(where.problem, style="red")
            if where.problem
            else Text("yes", style="green")
            if where.installed
            else Text("no" if where.exists else "no (no file)", style="dim")
        )
        runs = "\n".join(
            f"{h.command} (timeout {h.timeout:g} s)" if h.timeout else h.command
            for h in where.hooks
        )
        table.add_row(where.scope.value, str(where.path), state, runs)
    console.print(table)
    for where in locations:
        if where.pending:
            console.print(
                Text.assemble((f"{where.scope.value}: ", "yellow"), where.pending), soft_wrap=True
            )


def _as_json(locations: list[HookLocation], watcher: _Watcher, server: str) -> dict[str, Any]:
    return {
        "settings": [
            {
                "agent": where.agent,
                "scope": where.scope.value,
                "path": str(where.path),
                "exists": where.exists,
                "installed": where.installed,
                "hooks": [{"command": h.command, "timeout": h.timeout} for h in where.hooks],
                "backup": where.backup,
                "problem": where.problem,
                "pending": where.pending,
            }
            for where in locations
        ],
        "watcher": {
            "tmux_server": server,
            "socket": watcher.socket,
            "answers": watcher.answers,
            "detail": watcher.detail,
        },
    }
