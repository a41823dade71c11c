"""`yesman history`: what the watcher measured over a time range, per component.

A table with one row per component: operations, errors, p50/p95/p99 latency (within 1 %, from
the stored sketches), CPU, memory, I/O and a sparkline of the p95 across the range; then the
watcher process, the event bus and the dialogs per pane. The database is opened read-only.

``--json`` prints one object::

    {"db": str, "since": float, "until": float,          # epoch seconds, the range asked for
     "covered": {"start": float, "end": float} | null,   # what the whole history spans
     "components": [{"component", "intervals", "count", "error_count", "error_rate",
                     "p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms",
                     "cpu_seconds", "avg_cpu_percent", "peak_cpu_percent",
                     "avg_memory_delta_mb", "peak_memory_mb", "retained_memory_mb",
                     "memory_growth_mb", "bytes_sent", "bytes_received",
                     "start", "end", "series_p95_ms": [float | null, ...]}],
     "process": {ProcessSummary fields}, "bus": {BusSummary fields},
     "dialogs": [{DialogSummary fields}]}

``series_p95_ms`` has one entry per equal-width bucket of the range (null: nothing ran).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from yesman.cli._app import app
from yesman.cli._audit import agent_label
from yesman.history import (
    BusSummary,
    ComponentSeries,
    ComponentSummary,
    DialogSummary,
    ProcessSummary,
    TimeRange,
    read_bus,
    read_components,
    read_dialogs,
    read_process,
    read_series,
    read_time_range,
)
from yesman.store import AuditStore, StoreError, default_db_path

__all__ = ["history", "parse_when", "sparkline"]

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_AGO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_BARS = "▁▂▃▄▅▆▇█"
_POINTS = 24


def parse_when(text: str, now: float) -> float:
    """Epoch seconds for ``1h``/``30m``/``2d``/``90s``/``1w`` ago, an ISO date or date-time
    (local time unless it names a zone), or ``now``; ValueError otherwise."""
    if text.strip().lower() == "now":
        return now
    match = _AGO.match(text)
    if match:
        return now - float(match.group(1)) * _UNITS[match.group(2)]
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"cannot read {text!r} as a time: use a duration ago such as 30m, 1h, 2d, 1w, "
            "or an ISO date-time such as 2026-12-01T06:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.timestamp()


def sparkline(values: list[float | None]) -> str:
    """One block character per value, scaled from the smallest to the largest; gaps are spaces."""
    present = [v for v in values if v is not None]
    if not present:
        return " " * len(values)
    low, high = min(present), max(present)
    span = high - low
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        elif span <= 0:
            out.append(_BARS[0])
        else:
            out.append(_BARS[min(len(_BARS) - 1, int((value - low) / span * len(_BARS)))])
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _View:
    since: float
    until: float
    covered: TimeRange | None
    components: tuple[ComponentSummary, ...]
    series: dict[str, ComponentSeries]
    process: ProcessSummary
    bus: BusSummary
    dialogs: tuple[DialogSummary, ...]


async def _load(path: Path, since: float, until: float, component: str | None) -> _View:
    async with AuditStore.open(path, read_only=True) as store:
        components = await read_components(store, since, until, component, max_samples=0)
        series = await read_series(store, since, until, component, points=_POINTS)
        return _View(
            since=since,
            until=until,
            covered=await read_time_range(store),
            components=components,
            series={s.component: s for s in series},
            process=await read_process(store, since, until),
            bus=await read_bus(store, since, until),
            dialogs=await read_dialogs(store, since, until),
        )


def _p95_series(series: ComponentSeries | None) -> list[float | None]:
    if series is None:
        return []
    return [p.p95_ms if p.count else None for p in series.points]


def _json(path: Path, view: _View) -> dict[str, Any]:
    components = []
    for c in view.components:
        row = {
            f.name: getattr(c, f.name)
            for f in dataclasses.fields(c)
            if f.name not in ("samples_ms", "sketch")
        }
        row["error_rate"] = c.error_rate
        row["series_p95_ms"] = _p95_series(view.series.get(c.component))
        components.append(row)
    covered = view.covered
    return {
        "db": str(path),
        "since": view.since,
        "until": view.until,
        "covered": None if covered is None else {"start": covered.start, "end": covered.end},
        "components": components,
        "process": dataclasses.asdict(view.process),
        "bus": dataclasses.asdict(view.bus),
        "dialogs": [dataclasses.asdict(d) for d in view.dialogs],
    }


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def _when(t: float) -> str:
    return dt.datetime.fromtimestamp(t).astimezone().strftime("%Y-%m-%d %H:%M")


def _tables(path: Path, view: _View) -> Group:
    title = f"Performance history {_when(view.since)} .. {_when(view.until)} ({path})"
    table = Table(title=title, header_style="bold")
    for name in ("component", "ops", "errors", "p50 ms", "p95 ms", "p99 ms", "CPU s", "CPU %"):
        table.add_column(name, justify="left" if name == "component" else "right")
    for name in ("mem MB", "I/O"):
        table.add_column(name, justify="right")
    table.add_column(f"p95 over the range ({_POINTS} buckets)", no_wrap=True)
    for c in view.components:
        errors = Text(str(c.error_count), style="red" if c.error_count else "")
        table.add_row(
            c.component,
            str(c.count),
            errors,
            _ms(c.p50_ms),
            _ms(c.p95_ms),
            _ms(c.p99_ms),
            f"{c.cpu_seconds:.2f}",
            f"{c.avg_cpu_percent:.1f}",
            f"{c.retained_memory_mb:+.1f}",
            _bytes(c.bytes_sent + c.bytes_received),
            Text(sparkline(_p95_series(view.series.get(c.component))), style="cyan"),
        )
    p, b = view.process, view.bus
    process = Text(
        f"watcher: {p.intervals} reports, CPU {p.avg_cpu_percent:.1f} % avg "
        f"({p.peak_cpu_percent:.1f} peak), memory {p.avg_memory_mb:.0f} MB avg "
        f"({p.peak_memory_mb:.0f} peak), loop lag p99 {p.lag_p99_ms:.1f} ms, "
        f"{p.slow_callbacks} slow steps\n"
        f"bus: {b.published} published, {b.processed} processed, {b.dropped} dropped "
        f"({b.overflow} overflow), queue peak {b.max_queue_depth}"
        f"/{b.queue_capacity} ({b.peak_utilization_percent:.1f} %)"
    )
    parts: list[Any] = [table, process]
    if view.dialogs:
        dialogs = Table(title="Dialogs", header_style="bold")
        left = ("session", "pane", "agent")
        for name in (*left, "answered", "denied", "held", "open", "answer p50 ms"):
            dialogs.add_column(name, justify="left" if name in left else "right")
        dialogs.add_column("waited for a human", justify="right")
        for d in view.dialogs:
            dialogs.add_row(
                d.session,
                d.pane,
                agent_label(d.agent, d.agent_version),
                str(d.answered),
                str(d.denied),
                Text(str(d.held), style="yellow" if d.held else ""),
                str(d.open_holds),
                _ms(d.answer_p50_ms),
                f"{d.wait_total_s:.0f} s (max {d.wait_max_s:.0f} s)",
            )
        parts.append(dialogs)
    return Group(*parts)


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False).print(Text(f"yesman history: {message}", style="red"))
    return typer.Exit(code=1)


@app.command()
def history(
    since: Annotated[
        str, typer.Option("--since", help="start: a duration ago (30m, 1h, 2d) or ISO time")
    ] = "1h",
    until: Annotated[
        str, typer.Option("--until", help="end: a duration ago, an ISO time, or now")
    ] = "now",
    component: Annotated[
        str | None, typer.Option("--component", help="only this component")
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", dir_okay=False, help="database (default: $XDG_DATA_HOME/yesman/yesman.db)"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON (shape: see docs)")] = False,
) -> None:
    """Per-component latency percentiles, errors, CPU, memory and I/O recorded by `yesman watch`."""
    now = time.time()
    try:
        start, end = parse_when(since, now), parse_when(until, now)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if end < start:
        raise _fail(f"--until ({until}) is before --since ({since})")
    path = db.expanduser() if db is not None else default_db_path()
    if not path.exists():
        raise _fail(f"no database at {path}; run `yesman watch` first or pass --db")
    try:
        view = asyncio.run(_load(path, start, end, component))
    except StoreError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        sys.stdout.write(json.dumps(_json(path, view), indent=2) + "\n")
        return
    console = Console(highlight=False)
    if not view.components and not view.dialogs and view.process.intervals == 0:
        covered = view.covered
        span = (
            f"; the history covers {_when(covered.start)} .. {_when(covered.end)}"
            if covered is not None
            else "; it is empty (run `yesman watch`)"
        )
        console.print(f"Nothing recorded in {path} between {_when(start)} and {_when(end)}{span}.")
        return
    console.print(_tables(path, view))
