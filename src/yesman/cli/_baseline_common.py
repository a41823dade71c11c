"""What `yesman baseline`, `yesman compare` and `yesman suggest` share: options, errors, tables."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from yesman.baseline import PerformanceBaseline
from yesman.store import default_db_path

__all__ = [
    "DbOption",
    "JsonOption",
    "baseline_table",
    "db_path",
    "fail",
    "parse_duration",
    "parse_range",
    "parse_when",
    "when",
]

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", dir_okay=False, help="database (default: $XDG_DATA_HOME/yesman/yesman.db)"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


def db_path(db: Path | None) -> Path:
    return db.expanduser() if db is not None else default_db_path()


def fail(command: str, message: str) -> typer.Exit:
    Console(stderr=True, highlight=False).print(Text(f"yesman {command}: {message}", style="red"))
    return typer.Exit(code=2)


_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_AGO = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")


def parse_when(text: str, now: float) -> float:
    """A moment: ``90s``/``30m``/``1h``/``7d``/``2w`` ago, ``now``, or an ISO date and time
    (local time unless it says otherwise). Raises ValueError saying what is accepted."""
    value = text.strip()
    if value == "now":
        return now
    match = _AGO.fullmatch(value)
    if match is not None:
        return now - float(match[1]) * _UNITS[match[2]]
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"cannot read the time {text!r}: use a duration ago (90s, 30m, 1h, 7d, 2w), "
            "'now', or an ISO date and time (2026-12-01T06:00)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.timestamp()


def parse_duration(text: str) -> float:
    """A length of time: ``90s``, ``30m``, ``12h``, ``14d``, ``52w``. Raises ValueError."""
    match = _AGO.fullmatch(text.strip())
    if match is None or float(match[1]) <= 0:
        raise ValueError(
            f"cannot read the duration {text!r}: use a positive number and a unit, "
            "s, m, h, d or w (90s, 30m, 12h, 14d, 52w)"
        )
    return float(match[1]) * _UNITS[match[2]]


def parse_range(text: str, now: float) -> tuple[float, float]:
    """``@SINCE`` or ``@SINCE..UNTIL`` (each as `parse_when`) as epoch seconds."""
    since, _, until = text.removeprefix("@").partition("..")
    return parse_when(since, now), parse_when(until or "now", now)


def when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def baseline_table(b: PerformanceBaseline) -> Table:
    title = (
        f"baseline {b.name or '(unnamed)'}: {b.environment.workload}, "
        f"{b.duration_seconds:.0f} s, {when(b.created)}"
    )
    table = Table(title=title, header_style="bold")
    table.add_column("component", no_wrap=True)
    for col in ("n", "p50 ms", "p95 ms", "p99 ms", "err", "cpu %", "mem Δ MB", "I/O KB", "raw"):
        table.add_column(col, justify="right")
    for name, c in b.components.items():
        table.add_row(
            name,
            str(c.count),
            f"{c.p50_ms:.2f}",
            f"{c.p95_ms:.2f}",
            f"{c.p99_ms:.2f}",
            str(c.errors),
            f"{c.cpu_percent:.1f}",
            f"{c.memory_growth_mb:.2f}",
            f"{(c.bytes_sent + c.bytes_received) / 1024:.1f}",
            str(len(c.samples_ms)),
        )
    s = b.system_metrics
    table.caption = (
        f"process CPU {s.cpu_percent:.1f} %, memory {s.memory_used_mb:.1f} MB "
        f"(peak {s.memory_peak_mb:.1f}), host CPU {s.host_cpu_percent:.1f} %, load "
        f"{s.load_1m:.2f}, loop lag p99 {s.loop_lag_p99_ms:.1f} ms; {s.sample_count} samples; "
        f"yesman {b.environment.yesman}, Python {b.environment.python}, "
        f"{b.environment.cores} x {b.environment.cpu_model}"
    )
    return table
