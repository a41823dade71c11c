"""`yesman compare A B`: did B regress against A? Per component, with a test behind each verdict."""

from __future__ import annotations

import asyncio
import json
import sys
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
    Verdict,
    compare,
    resolve_baseline,
)
from yesman.cli._app import app
from yesman.cli._baseline_common import DbOption, JsonOption, db_path, fail, history_unavailable
from yesman.store import AuditStore

__all__ = ["compare_command"]

_STYLES = {
    Verdict.REGRESSED: "bold red",
    Verdict.IMPROVED: "green",
    Verdict.UNCHANGED: "",
    Verdict.INSUFFICIENT_DATA: "dim",
}


async def _resolve(
    path: Path, exists: bool, refs: tuple[str, str]
) -> tuple[PerformanceBaseline, ...]:
    if not exists:
        return tuple([await resolve_baseline(None, ref) for ref in refs])
    async with AuditStore.open(path, read_only=True) as store:
        return tuple([await resolve_baseline(store, ref) for ref in refs])


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


@app.command("compare")
def compare_command(
    a: Annotated[str | None, typer.Argument(help="reference: a baseline name or JSON file")] = None,
    b: Annotated[str | None, typer.Argument(help="candidate: a baseline name or JSON file")] = None,
    threshold: Annotated[
        float,
        typer.Option("--threshold", min=0.001, max=0.999, help="practical change, 0.1 = 10 %"),
    ] = 0.10,
    alpha: Annotated[
        float, typer.Option("--alpha", min=1e-9, max=0.5, help="significance level")
    ] = 0.01,
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="exit 1 when anything regressed")
    ] = False,
    since: Annotated[str | None, typer.Option("--since", help="a history range (e.g. 24h)")] = None,
    until: Annotated[str | None, typer.Option("--until", help="end of the history range")] = None,
    by: Annotated[str | None, typer.Option("--by", help="'session': rank sessions")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compare two baselines: per component p50/p95 ratios, Mann-Whitney U and a verdict."""
    try:
        if by is not None or since is not None or until is not None:
            raise history_unavailable("--by/--since/--until")
        if a is None or b is None:
            raise fail("compare", "give two baselines: yesman compare A B (names or JSON files)")
        path = db_path(db)
        base, cand = asyncio.run(_resolve(path, path.exists(), (a, b)))
        result = compare(base, cand, threshold=threshold, alpha=alpha)
    except YesmanError as exc:
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
