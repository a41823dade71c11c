"""`yesman baseline record|list|show|export|import|delete`: named performance baselines."""

from __future__ import annotations

import asyncio
import enum
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from yesman._errors import YesmanError
from yesman.baseline import (
    PerformanceBaseline,
    load_baseline,
    read_history_baseline,
    save_baseline,
)
from yesman.cli._app import app
from yesman.cli._baseline_common import (
    DbOption,
    JsonOption,
    baseline_table,
    db_path,
    fail,
    when,
)
from yesman.store import AuditStore

__all__ = ["baseline_app"]

baseline_app = typer.Typer(
    help="Record, list, show, export, import and delete performance baselines.",
    no_args_is_help=True,
)
app.add_typer(baseline_app, name="baseline")


class Workload(enum.StrEnum):
    DEMO = "demo"
    WATCH = "watch"


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


async def _record(
    duration: float, name: str, path: Path, show_progress: bool
) -> PerformanceBaseline:
    from yesman.workload import record_demo_workload  # noqa: PLC0415 (tmux, sim)

    console = Console(stderr=True)
    with Progress(
        TextColumn("recording baseline {task.fields[name]}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f} %"),
        TimeRemainingColumn(),
        console=console,
        disable=not show_progress,
        transient=True,
    ) as bar:
        task = bar.add_task("record", total=1.0, name=name)
        baseline = await record_demo_workload(
            duration, name, progress=lambda done: bar.update(task, completed=done)
        )
    async with AuditStore.open(path) as store:
        return await save_baseline(store, baseline)


async def _record_watch(duration: float, name: str, path: Path) -> PerformanceBaseline:
    """The running watcher's last ``duration`` seconds, from the history in the same database."""
    until = time.time()
    baseline = await read_history_baseline(path, until - duration, until, name=name)
    async with AuditStore.open(path) as store:
        return await save_baseline(store, baseline)


@baseline_app.command("record")
def record(
    name: Annotated[
        str | None, typer.Option("--name", help="save under this name (default: workload-time)")
    ] = None,
    duration: Annotated[
        float, typer.Option("--duration", min=1.0, help="seconds of figures to collect")
    ] = 60.0,
    workload: Annotated[
        Workload,
        typer.Option(
            "--workload",
            help="demo: run the standard simulated-agent workload for --duration seconds; "
            "watch: the last --duration seconds of a running watcher, from the history",
        ),
    ] = Workload.DEMO,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a baseline and save it in the database."""
    try:
        chosen = name or f"{workload.value}-{time.strftime('%Y%m%d-%H%M%S')}"
        if workload is Workload.WATCH:
            saved = asyncio.run(_record_watch(duration, chosen, db_path(db)))
        else:
            saved = asyncio.run(_record(duration, chosen, db_path(db), not as_json))
    except YesmanError as exc:
        raise fail("baseline record", str(exc)) from exc
    if as_json:
        _out(saved.to_json(indent=2))
        return
    console = Console(highlight=False)
    console.print(baseline_table(saved))
    console.print(f"saved as {saved.name!r} in {db_path(db)}")


@baseline_app.command("list")
def list_(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the saved baselines, newest first."""

    async def run() -> list[dict[str, object]]:
        if not db_path(db).exists():
            return []
        async with AuditStore.open(db_path(db), read_only=True) as store:
            rows = await store.list_baselines()
        return [
            {
                "name": r.name,
                "created": r.created,
                "workload": r.workload,
                "environment": r.environment,
            }
            for r in rows
        ]

    try:
        rows = asyncio.run(run())
    except YesmanError as exc:
        raise fail("baseline list", str(exc)) from exc
    if as_json:
        _out(json.dumps(rows, indent=2))
        return
    console = Console(highlight=False)
    if not rows:
        console.print("No baselines saved yet: `yesman baseline record --name NAME` makes one.")
        return
    table = Table(header_style="bold")
    for col in ("name", "created", "workload", "environment"):
        table.add_column(col)
    for r in rows:
        created = r["created"]
        assert isinstance(created, float)
        table.add_row(str(r["name"]), when(created), str(r["workload"]), str(r["environment"]))
    console.print(table)


def _load(db: Path | None, name: str) -> PerformanceBaseline:
    async def run() -> PerformanceBaseline:
        async with AuditStore.open(db_path(db), read_only=True) as store:
            return await load_baseline(store, name)

    return asyncio.run(run())


NameArgument = Annotated[str, typer.Argument(help="the baseline's name")]


@baseline_app.command("show")
def show(name: NameArgument, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show one baseline's figures."""
    try:
        baseline = _load(db, name)
    except YesmanError as exc:
        raise fail("baseline show", str(exc)) from exc
    if as_json:
        _out(baseline.to_json(indent=2))
    else:
        Console(highlight=False).print(baseline_table(baseline))


@baseline_app.command("export")
def export(
    name: NameArgument,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", dir_okay=False, help="file (default: stdout)")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a baseline's JSON document (schema in yesman.baseline._model) to a file or stdout."""
    try:
        baseline = _load(db, name)
    except YesmanError as exc:
        raise fail("baseline export", str(exc)) from exc
    text = baseline.to_json(indent=2)
    if output is None:
        _out(text)
        return
    try:
        output.expanduser().write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise fail("baseline export", f"cannot write {output}: {exc.strerror or exc}") from exc
    if as_json:
        _out(json.dumps({"name": name, "file": str(output)}))
    else:
        Console(highlight=False).print(f"wrote baseline {name!r} to {output}")


@baseline_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="an exported baseline JSON file")],
    name: Annotated[
        str | None, typer.Option("--name", help="save under this name (default: its own)")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="overwrite a saved baseline of that name")
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Save an exported baseline file in the database."""

    async def run() -> PerformanceBaseline:
        text = await asyncio.to_thread(file.expanduser().read_text, encoding="utf-8")
        baseline = PerformanceBaseline.from_json(text, source=str(file))
        async with AuditStore.open(db_path(db)) as store:
            return await save_baseline(store, baseline, name, replace_existing=replace)

    try:
        saved = asyncio.run(run())
    except OSError as exc:
        raise fail("baseline import", f"cannot read {file}: {exc.strerror or exc}") from exc
    except (YesmanError, ValueError) as exc:
        raise fail("baseline import", str(exc)) from exc
    if as_json:
        _out(json.dumps({"name": saved.name, "db": str(db_path(db))}))
    else:
        Console(highlight=False).print(f"imported {file} as {saved.name!r}")


@baseline_app.command("delete")
def delete(name: NameArgument, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Delete a saved baseline."""

    async def run() -> bool:
        async with AuditStore.open(db_path(db)) as store:
            return await store.delete_baseline(name)

    try:
        deleted = asyncio.run(run())
    except YesmanError as exc:
        raise fail("baseline delete", str(exc)) from exc
    if as_json:
        _out(json.dumps({"name": name, "deleted": deleted}))
    elif deleted:
        Console(highlight=False).print(f"deleted baseline {name!r}")
    if not deleted:
        raise fail("baseline delete", f"no baseline named {name!r} in {db_path(db)}")
