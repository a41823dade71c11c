"""`yesman audit`: list the decisions yesman recorded, as a table or as JSON."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from yesman._errors import YesmanError
from yesman.cli._app import app
from yesman.store import AuditStore, DecisionRecord, default_db_path

__all__ = ["agent_label", "audit", "decisions_table"]

_ACTION_STYLES = {"answer": "green", "hold": "yellow", "refuse": "red", "deny": "red"}


def _clean(value: str) -> str:
    """Screen text can hold escape sequences; never replay them into the user's terminal."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in value)


def _when(timestamp: float) -> str:
    moment = dt.datetime.fromtimestamp(timestamp).astimezone()
    if moment.date() == dt.datetime.now().astimezone().date():
        return moment.strftime("%H:%M:%S")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _verified(value: bool | None) -> Text:
    if value is None:
        return Text("?", style="dim")
    return Text("yes", style="green") if value else Text("NO", style="bold red")


def _action(rec: DecisionRecord) -> Text:
    label = rec.action + (" (dry run)" if rec.dry_run else "")
    return Text(_clean(label), style=_ACTION_STYLES.get(rec.action, ""))


def _latency(rec: DecisionRecord) -> Text:
    return Text("-" if rec.latency_ms is None else f"{rec.latency_ms:.0f} ms")


def agent_label(agent: str, version: str) -> str:
    """``name@version``, the name alone when the version is not known, ``-`` for neither."""
    if not agent:
        return "-"
    return f"{agent}@{version}" if version else agent


def _agent(rec: DecisionRecord) -> str:
    return agent_label(rec.agent, rec.agent_version)


def _text(getter: Callable[[DecisionRecord], str]) -> Callable[[DecisionRecord], Text]:
    return lambda rec: Text(_clean(getter(rec)))


# (header, needed console width, column options, cell); narrow terminals drop the later extras
# rather than squeezing every column to one character.
_COLUMNS: tuple[tuple[str, int, dict[str, Any], Callable[[DecisionRecord], Text]], ...] = (
    ("when", 0, {"no_wrap": True}, lambda rec: Text(_when(rec.time))),
    ("session", 0, {"min_width": 7, "overflow": "fold"}, _text(lambda rec: rec.session)),
    ("pane", 100, {"no_wrap": True}, _text(lambda rec: rec.pane)),
    ("agent", 110, {"min_width": 6, "overflow": "fold"}, _text(_agent)),
    ("kind", 150, {"min_width": 6, "overflow": "fold"}, _text(lambda rec: rec.prompt_kind)),
    ("tool", 0, {"min_width": 5, "overflow": "fold"}, _text(lambda rec: rec.tool)),
    (
        "target",
        0,
        {"min_width": 14, "max_width": 48, "overflow": "fold"},
        _text(lambda rec: rec.target),
    ),
    ("action", 0, {"no_wrap": True}, _action),
    ("keys", 100, {"no_wrap": True}, _text(lambda rec: " ".join(rec.keys) or "-")),
    ("via", 100, {"no_wrap": True}, _text(lambda rec: rec.channel)),
    ("rule", 120, {"min_width": 8, "overflow": "fold"}, _text(lambda rec: rec.rule)),
    ("latency", 0, {"justify": "right", "no_wrap": True}, _latency),
    ("verified", 0, {"no_wrap": True}, lambda rec: _verified(rec.verified)),
    (
        "reason",
        150,
        {"min_width": 12, "max_width": 48, "overflow": "fold"},
        _text(lambda rec: rec.reason),
    ),
)


def decisions_table(records: list[DecisionRecord], path: Path, width: int) -> Table:
    """The audit table, dropping less important columns on narrow terminals."""
    columns = [column for column in _COLUMNS if column[1] <= width]
    table = Table(title=Text(f"Decisions in {path}"), title_justify="left")
    for header, _, options, _cell in columns:
        table.add_column(header, **options)
    for rec in records:
        table.add_row(*(cell(rec) for _, _, _, cell in columns))
    return table


async def _load(
    path: Path, limit: int, session: str | None, agent: str | None
) -> list[DecisionRecord]:
    """The newest `limit` decisions, oldest first: read top to bottom like a log.

    Read-only: a reader never migrates, never switches the journal mode and refuses a file that
    is not a yesman database (another program's, or an empty one) without touching it.
    """
    async with AuditStore.open(path, read_only=True) as store:
        newest_first = await store.list_decisions(limit=limit, session=session, agent=agent)
    return newest_first[::-1]


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False).print(Text(f"yesman audit: {message}", style="red"))
    return typer.Exit(code=1)


@app.command()
def audit(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            dir_okay=False,
            help="audit database (default: $XDG_DATA_HOME/yesman/yesman.db)",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print a JSON array of records instead of a table")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="show the newest N decisions (oldest first)")
    ] = 50,
    session: Annotated[
        str | None, typer.Option("--session", help="only decisions about this tmux session")
    ] = None,
    agent: Annotated[
        str | None,
        typer.Option("--agent", help="only decisions about this agent: claude-code, codex, gemini"),
    ] = None,
) -> None:
    """List the decisions yesman took: what it saw, what it did, why, and whether it took."""
    path = db.expanduser() if db is not None else default_db_path()
    if not path.exists():
        if db is not None:
            raise _fail(f"no audit database at {path}; check the --db path")
        if as_json:
            sys.stdout.write("[]\n")
        else:
            Console(highlight=False).print(
                f"No decisions recorded yet ({path} does not exist). "
                "Run `yesman watch` or `yesman demo` first."
            )
        return
    try:
        records = asyncio.run(_load(path, limit, session, agent))
    except YesmanError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        sys.stdout.write(json.dumps([rec.to_json() for rec in records], indent=2) + "\n")
        return
    console = Console(highlight=False)
    if not records:
        where = f" for session {session!r}" if session else ""
        where += f" about agent {agent!r}" if agent is not None else ""
        console.print(Text(f"No decisions recorded{where} in {path}."))
        return
    console.print(decisions_table(records, path, console.width))
