"""`yesman compare A B`: did B regress against A? Per component, with a test behind each verdict."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from yesman._errors import YesmanError
from yesman.baseline import (
    Comparison,
    ComponentComparison,
    PerformanceBaseline,
    SessionRank,
    Verdict,
    compare,
    read_history_baseline,
    read_session_ranking,
    resolve_baseline,
)
from yesman.cli._app import app
from yesman.cli._audit import agent_label
from yesman.cli._baseline_common import (
    DbOption,
    JsonOption,
    db_path,
    fail,
    parse_range,
    parse_when,
)
from yesman.store import AuditStore

__all__ = ["compare_command"]

_STYLES = {
    Verdict.REGRESSED: "bold red",
    Verdict.IMPROVED: "green",
    Verdict.UNCHANGED: "",
    Verdict.INSUFFICIENT_DATA: "dim",
}


async def _resolve(path: Path, exists: bool, ref: str, now: float) -> PerformanceBaseline:
    """A baseline name, an exported file, or ``@SINCE[..UNTIL]``: a range of the history."""
    if ref.startswith("@"):
        since, until = parse_range(ref, now)
        return await read_history_baseline(path, since, until, name=ref)
    if not exists:
        return await resolve_baseline(None, ref)
    async with AuditStore.open(path, read_only=True) as store:
        return await resolve_baseline(store, ref)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _row(table: Table, c: ComponentComparison) -> None:
    figures = {f.figure: f for f in c.figures}
    p50, p95 = figures.get("p50_ms"), figures.get("p95_ms")
    table.add_row(
        c.name,
        Text(c.verdict.value, style=_STYLES[c.verdict]),
        "-" if p50 is None else f"{p50.a:.2f} -> {p50.b:.2f}",
        _ratio(c.ratio_p50),
        "-" if p95 is None else f"{p95.a:.2f} -> {p95.b:.2f}",
        _ratio(c.ratio_p95),
        "-" if c.p_value is None else f"{c.p_value:.2g}",
        f"{c.n_a}/{c.n_b}",
    )


def _table(result: Comparison, a: str, b: str) -> Table:
    table = Table(
        title=f"{b} against {a} (threshold {result.threshold:.0%}, alpha {result.alpha:g})",
        header_style="bold",
    )
    for col in ("component", "verdict", "p50 ms", "ratio", "p95 ms", "ratio", "p", "n A/B"):
        table.add_column(col, justify="left" if col in {"component", "verdict"} else "right")
    for c in result.components.values():
        _row(table, c)
    for c in result.system.values():
        table.add_row(
            f"system: {c.name}",
            Text(c.verdict.value, style=_STYLES[c.verdict]),
            "",
            _ratio(c.ratio_p50),
            "",
            _ratio(c.ratio_p95),
            "-" if c.p_value is None else f"{c.p_value:.2g}",
            f"{c.n_a}/{c.n_b}",
        )
    if result.notes:
        table.caption = "; ".join(result.notes)
    return table


def _ranking_table(ranks: list[SessionRank], since: str, until: str) -> Table:
    table = Table(title=f"sessions by time blocked on a person, {since} to {until}")
    for col in (
        "session",
        "pane",
        "agent",
        "answered",
        "denied",
        "held",
        "open",
        "blocked s",
        "longest s",
        "answer p95 ms",
        "restarts",
        "exits",
        "errors",
    ):
        table.add_column(col, justify="left" if col in {"session", "pane", "agent"} else "right")
    for r in ranks:
        table.add_row(
            r.session, r.pane, agent_label(r.agent, r.agent_version),
            str(r.answered), str(r.denied), str(r.held), str(r.open_holds),
            f"{r.blocked_seconds:.0f}", f"{r.longest_wait_seconds:.0f}", f"{r.answer_p95_ms:.0f}",
            str(r.restarts), str(r.exits), str(r.errors),
        )  # fmt: skip
    return table


def _by_session(path: Path, since: str, until: str, as_json: bool) -> None:
    now = time.time()
    low, high = parse_when(since, now), parse_when(until, now)
    ranks = asyncio.run(read_session_ranking(path, low, high))
    if as_json:
        sys.stdout.write(json.dumps([dataclasses.asdict(r) for r in ranks], indent=2) + "\n")
    else:
        Console(highlight=False).print(_ranking_table(ranks, since, until))


class By(enum.StrEnum):
    SESSION = "session"


@app.command("compare")
def compare_command(
    a: Annotated[
        str | None,
        typer.Argument(help="reference: a baseline name, a JSON file, or @SINCE[..UNTIL]"),
    ] = None,
    b: Annotated[
        str | None,
        typer.Argument(
            help="candidate: the same kinds (default with --since: that range of the history)"
        ),
    ] = None,
    threshold: Annotated[
        float,
        typer.Option("--threshold", min=0.001, max=0.999, help="practical change, 0.1 = 10 %"),
    ] = 0.10,
    alpha: Annotated[
        float, typer.Option("--alpha", min=1e-9, max=0.5, help="significance level")
    ] = 0.01,
    min_delta_ms: Annotated[
        float,
        typer.Option("--min-delta-ms", min=0.0, help="a latency must also move this many ms"),
    ] = 0.05,
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="exit 1 when anything regressed")
    ] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="the candidate is the history from then (1h, 24h, ISO)"),
    ] = None,
    until: Annotated[str, typer.Option("--until", help="end of the history range")] = "now",
    by: Annotated[
        By | None, typer.Option("--by", help="session: rank sessions/panes over --since")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compare two baselines: per component p50/p95 ratios, Mann-Whitney U and a verdict.

    A and B are saved baseline names, exported JSON files, or ranges of the metric history
    written as @SINCE[..UNTIL] (@24h..12h, @2026-12-01T06:00..now); `--since X` is B = @X..UNTIL.
    """
    path = db_path(db)
    try:
        if by is By.SESSION:
            _by_session(path, since or "24h", until, as_json)
            return
        if b is None and since is not None:
            b = f"@{since}..{until}"
        if a is None or b is None:
            raise fail(
                "compare",
                "give two baselines: yesman compare A B (names, JSON files or @SINCE..UNTIL), "
                "or yesman compare A --since 1h",
            )
        now = time.time()
        exists = path.exists()
        base = asyncio.run(_resolve(path, exists, a, now))
        cand = asyncio.run(_resolve(path, exists, b, now))
        result = compare(base, cand, threshold=threshold, alpha=alpha, min_delta_ms=min_delta_ms)
    except (YesmanError, ValueError) as exc:
        raise fail("compare", str(exc)) from exc
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        console = Console(highlight=False)
        console.print(_table(result, a, b))
        worse = [
            n
            for n, c in (*result.components.items(), *result.system.items())
            if c.verdict is Verdict.REGRESSED
        ]
        if worse:
            console.print(Text("regressed: " + ", ".join(worse), style="bold red"))
    if fail_on_regression and result.regressed:
        raise typer.Exit(code=1)
