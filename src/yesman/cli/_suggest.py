"""`yesman suggest [BASELINE]`: optimisations the figures support, with evidence; never applied."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from yesman._errors import YesmanError
from yesman.baseline import (
    BaselineNotFoundError,
    HeldAnswer,
    HumanChoice,
    PerformanceBaseline,
    Suggestion,
    load_baseline,
    read_history_baseline,
    resolve_baseline,
    suggest,
    suggest_pane_scaling,
    suggest_policy_rules,
)
from yesman.cli._app import app
from yesman.cli._baseline_common import DbOption, JsonOption, db_path, fail, parse_range
from yesman.history import read_pane_scaling
from yesman.store import AuditStore

__all__ = ["suggest_command"]


async def _baseline(db: DbOption, ref: str | None) -> PerformanceBaseline:
    path = db_path(db)
    if not path.exists():
        if ref is None:
            raise BaselineNotFoundError(
                f"no database at {path}; record a baseline first (yesman baseline record)"
            )
        return await resolve_baseline(None, ref)
    async with AuditStore.open(path, read_only=True) as store:
        if ref is not None:
            return await resolve_baseline(store, ref)
        rows = await store.list_baselines()
        if not rows:
            raise BaselineNotFoundError(
                f"no baselines saved in {path}; record one with `yesman baseline record`"
            )
        return await load_baseline(store, rows[0].name)


async def _human_answers(db: DbOption, since: float, until: float) -> list[HeldAnswer]:
    """Dialogs yesman held that a person then answered from the dashboard (rule ``human:*``),
    within the range: what the policy-rule suggestion learns from."""
    async with AuditStore.open(db_path(db), read_only=True) as store:
        rows = await store.list_decisions(limit=100_000, since=since)
    return [
        HeldAnswer(
            prompt_kind=r.prompt_kind,
            tool=r.tool,
            target=r.target,
            choice=HumanChoice.YES if r.action == "answer" else HumanChoice.NO,
            session=r.session,
        )
        for r in rows
        if r.rule.startswith("human:") and r.time < until and r.action in ("answer", "deny")
    ]


def _panel(s: Suggestion) -> Panel:
    body = Text()
    body.append("evidence\n", style="bold")
    for line in s.evidence:
        body.append(f"  {line}\n")
    body.append("change\n", style="bold")
    body.append(f"  {s.change}\n")
    body.append("expected effect\n", style="bold")
    body.append(f"  {s.expected_effect}")
    return Panel(body, title=f"[{s.kind.value}] {s.title}", title_align="left")


@app.command("suggest")
def suggest_command(
    baseline: Annotated[
        str | None,
        typer.Argument(help="a baseline name or JSON file (default: the newest saved)"),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="read the history instead: SINCE[..UNTIL] (24h, 7d..1d)"),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Suggest configuration and code changes from a baseline's figures or the history's
    (never applied)."""
    try:
        scaling: list[Suggestion] = []
        if since is not None:
            low, high = parse_range(since, time.time())
            chosen = asyncio.run(read_history_baseline(db_path(db), low, high, name=f"@{since}"))
            loads = asyncio.run(read_pane_scaling(db_path(db), low, high))
            scaling = suggest_pane_scaling(loads)
            scaling += suggest_policy_rules(asyncio.run(_human_answers(db, low, high)))
        else:
            chosen = asyncio.run(_baseline(db, baseline))
    except (YesmanError, ValueError) as exc:
        raise fail("suggest", str(exc)) from exc
    found = suggest(chosen) + scaling
    if as_json:
        out = {"baseline": chosen.name, "suggestions": [s.to_dict() for s in found]}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return
    console = Console(highlight=False)
    if not found:
        console.print(f"No suggestions: baseline {chosen.name!r} looks healthy.")
        return
    for s in found:
        console.print(_panel(s))
