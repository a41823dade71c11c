"""`yesman alerts`: list, acknowledge and silence alerts; write, check and try a rules file.

Also the piece `yesman watch --alerts FILE` uses: `load_rules()` (checked before the watcher
starts) and `alerting()` (the manager, or nothing, inside the watcher's stack).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from yesman._errors import YesmanError
from yesman.alerts import (
    Alert,
    AlertConfig,
    AlertListing,
    AlertManager,
    DeliveryRecord,
    Notification,
    NotificationStatus,
    Severity,
    ack_alert,
    add_silence,
    build_sinks,
    default_rules_path,
    default_rules_text,
    expire_silence,
    fingerprint,
    format_duration,
    load_alert_config,
    parse_duration,
    parse_ref,
    read_alerts,
    read_deliveries,
)
from yesman.alerts import AlertState as State
from yesman.bus import AsyncEventBus
from yesman.cli._app import app
from yesman.cli._baseline_common import DbOption, JsonOption, db_path, fail, when
from yesman.store import AuditStore
from yesman.tmux import TmuxServer

__all__ = ["alerting", "alerts_app", "load_rules"]

alerts_app = typer.Typer(
    help="List firing and recent alerts; ack, silence; write, check and test a rules file.",
    invoke_without_command=True,
)
app.add_typer(alerts_app, name="alerts")


# ---------------------------------------------------------------------- for `yesman watch`


def load_rules(path: Path | None) -> AlertConfig | None:
    """The rules of ``--alerts FILE`` (None without it); a bad file exits with its error."""
    if path is None:
        return None
    try:
        return load_alert_config(path)
    except YesmanError as exc:
        raise fail("watch", str(exc)) from None


def alerting(
    config: AlertConfig | None, bus: AsyncEventBus, store: AuditStore, server: TmuxServer
) -> contextlib.AbstractAsyncContextManager[AlertManager | None]:
    """The alert manager for a watcher (alerts in its database), or None without rules."""
    if config is None:
        return contextlib.nullcontext(None)
    return AlertManager(config, bus, store=store, tmux=server)


# ---------------------------------------------------------------------- listing


def _age(seconds: float) -> str:
    return format_duration(max(0.0, seconds))


def _where(alert: Alert) -> str:
    keys = ("session", "pane", "tool", "component", "server")
    return " ".join(alert.labels[k] for k in keys if alert.labels.get(k))


_SEVERITY_STYLE = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _firing_table(alerts: Sequence[Alert], now: float) -> Table:
    table = Table(title="Firing", header_style="bold", title_justify="left")
    for name in ("id", "severity", "rule", "where", "summary", "for", "sent", "state"):
        table.add_column(name, overflow="fold")
    for a in alerts:
        flags = [f for f, on in (("acked", a.acknowledged), ("silenced", a.silenced)) if on]
        table.add_row(
            str(a.id),
            Text(a.severity.value, style=_SEVERITY_STYLE[a.severity]),
            a.rule,
            _where(a),
            a.summary,
            _age(now - a.started),
            str(a.notifications),
            ", ".join(flags) or "firing",
        )
    return table


def _recent_table(alerts: Sequence[Alert]) -> Table:
    table = Table(title="Recent", header_style="bold", title_justify="left")
    for name in ("id", "rule", "where", "summary", "fired", "lasted", "state"):
        table.add_column(name, overflow="fold")
    for a in alerts:
        lasted = "" if a.ended is None else _age(a.ended - a.started)
        table.add_row(
            str(a.id),
            a.rule,
            _where(a),
            a.summary,
            when(a.fired or a.started),
            lasted,
            a.state.value + (" (watcher stopped)" if a.state is State.STOPPED else ""),
        )
    return table


def _print_listing(listing: AlertListing, db: Path) -> None:
    console = Console()
    now = time.time()
    if listing.firing:
        console.print(_firing_table(listing.firing, now))
    else:
        console.print(f"No alert is firing (database {db}).")
    if listing.recent:
        console.print(_recent_table(listing.recent))
    if listing.silences:
        table = Table(title="Silences", header_style="bold", title_justify="left")
        for name in ("id", "rule", "matching", "until", "by", "comment"):
            table.add_column(name, overflow="fold")
        for s in listing.silences:
            matching = " ".join(f"{k}={v}" for k, v in s.matchers.items())
            table.add_row(str(s.id), s.rule, matching, when(s.until), s.created_by, s.comment)
        console.print(table)


@alerts_app.callback()
def alerts(
    ctx: typer.Context,
    as_json: JsonOption = False,
    db: DbOption = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="How many recent (ended) alerts to show.")
    ] = 20,
) -> None:
    """Alerts firing now and recent ones, from the database a watcher writes."""
    if ctx.invoked_subcommand is not None:
        return
    path = db_path(db)
    try:
        listing = asyncio.run(read_alerts(path, limit=limit))
    except YesmanError as exc:
        raise fail("alerts", str(exc)) from None
    if as_json:
        typer.echo(json.dumps(listing.as_dict(), indent=2, ensure_ascii=False))
    else:
        _print_listing(listing, path)


@alerts_app.command("show")
def show(
    alert_id: Annotated[int, typer.Argument(help="The alert's id.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One alert and every notification sent about it, per sink."""
    path = db_path(db)

    async def run() -> tuple[Alert | None, list[dict[str, object]]]:
        listing = await read_alerts(path, limit=10_000)
        found = next((a for a in (*listing.firing, *listing.recent) if a.id == alert_id), None)
        return found, await read_deliveries(path, alert_id)

    try:
        alert, deliveries = asyncio.run(run())
    except YesmanError as exc:
        raise fail("alerts show", str(exc)) from None
    if alert is None:
        raise fail("alerts show", f"no alert {alert_id} in {path}; `yesman alerts` lists them")
    if as_json:
        out = {**alert.as_dict(), "deliveries": deliveries}
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False, default=str))
        return
    console = Console()
    console.print(
        f"[bold]alert {alert.id}[/] {alert.rule} ({alert.severity.value}), "
        f"{alert.state.value}: {alert.summary}",
        highlight=False,
    )
    for key, value in (*alert.labels.items(), *alert.details.items()):
        console.print(f"  {key}: {value}", highlight=False, markup=False)
    table = Table(title="Notifications", header_style="bold", title_justify="left")
    for name in ("time", "sink", "status", "outcome", "attempts", "error / note"):
        table.add_column(name, overflow="fold")
    for d in deliveries:
        table.add_row(
            when(float(str(d["time"]))),
            str(d["sink"]),
            str(d["status"]),
            str(d["outcome"]),
            str(d["attempts"]),
            str(d["error"]),
        )
    console.print(table)


# ---------------------------------------------------------------------- acting


@alerts_app.command("ack")
def ack(
    alert: Annotated[str, typer.Argument(help="The alert's id (or fingerprint).")],
    db: DbOption = None,
) -> None:
    """Acknowledge a firing alert: its repeat notifications stop (the watcher learns it
    within a second)."""
    path = db_path(db)
    try:
        done = asyncio.run(ack_alert(path, parse_ref(alert)))
    except (YesmanError, ValueError) as exc:
        raise fail("alerts ack", str(exc)) from None
    typer.echo(f"acknowledged alert {done.id} ({done.rule}: {done.summary})")


@alerts_app.command("silence")
def silence(
    rule: Annotated[str, typer.Argument(help="Rule name, or a glob ('*' for every rule).")],
    duration: Annotated[str, typer.Option("--for", help="How long: 30m, 1h, 2d ...")] = "1h",
    match: Annotated[
        list[str] | None,
        typer.Option(
            "--match",
            help="Only alerts with this label value: session=work (a glob "
            "value is fine). Repeatable.",
        ),
    ] = None,
    comment: Annotated[str, typer.Option("--comment", help="Why, for the listing.")] = "",
    db: DbOption = None,
) -> None:
    """Send no notifications for a rule's alerts for a while (they are still recorded)."""
    try:
        seconds = parse_duration(duration, allow_zero=False)
    except ValueError as exc:
        raise fail("alerts silence", f"--for {duration!r}: {exc}") from None
    matchers: dict[str, str] = {}
    for item in match or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise fail("alerts silence", f"--match {item!r}: write it as label=value")
        matchers[key.strip()] = value.strip()
    path = db_path(db)
    try:
        made = asyncio.run(add_silence(path, rule, seconds, matchers=matchers, comment=comment))
    except (YesmanError, ValueError) as exc:
        raise fail("alerts silence", str(exc)) from None
    scope = "".join(f" with {k}={v}" for k, v in matchers.items())
    typer.echo(
        f"silence {made.id}: no notifications for rule {made.rule!r}{scope} until "
        f"{when(made.until)} (`yesman alerts unsilence {made.id}` ends it)"
    )


@alerts_app.command("unsilence")
def unsilence(
    silence_id: Annotated[int, typer.Argument(help="The silence's id.")], db: DbOption = None
) -> None:
    """End a silence now."""
    path = db_path(db)
    try:
        ended = asyncio.run(expire_silence(path, silence_id))
    except YesmanError as exc:
        raise fail("alerts unsilence", str(exc)) from None
    if not ended:
        raise fail(
            "alerts unsilence", f"no active silence {silence_id}; `yesman alerts` lists them"
        )
    typer.echo(f"silence {silence_id} ended")


# ---------------------------------------------------------------------- rules files


@alerts_app.command("init")
def init(
    path: Annotated[
        Path | None,
        typer.Argument(help="Where to write (default: $XDG_CONFIG_HOME/yesman/alerts.toml)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write the default rules file to copy and edit; `-` prints it."""
    text = default_rules_text()
    if path is not None and str(path) == "-":
        sys.stdout.write(text)
        return
    target = (path or default_rules_path()).expanduser()
    if target.exists() and not force:
        raise fail("alerts init", f"{target} exists; pass --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")
    typer.echo(f"wrote {target}; edit it, then: yesman watch --alerts {target}")


@alerts_app.command("check")
def check(path: Annotated[Path, typer.Argument(help="The rules file.")]) -> None:
    """Check a rules file and show what it sets up."""
    try:
        config = load_alert_config(path)
    except YesmanError as exc:
        raise fail("alerts check", str(exc)) from None
    console = Console()
    table = Table(title=f"Rules in {path}", header_style="bold", title_justify="left")
    for name in ("rule", "kind", "for", "severity", "sinks", "repeat"):
        table.add_column(name)
    for r in config.rules:
        table.add_row(
            r.name,
            r.kind.value,
            format_duration(r.for_seconds) if r.for_seconds else "0s",
            r.severity.value,
            ", ".join(r.sinks) or "(none: log only)",
            format_duration(r.repeat_interval),
        )
    console.print(table)
    for s in config.sinks:
        target = s.url or " ".join(s.command) or s.path or ""
        console.print(f"sink {s.name}: {s.type.value} {target}".rstrip(), highlight=False)
    console.print("ok", style="green")


@alerts_app.command("test")
def try_sinks(
    path: Annotated[Path, typer.Argument(help="The rules file whose sinks to try.")],
    sink: Annotated[
        list[str] | None, typer.Option("--sink", help="Only this sink. Repeatable.")
    ] = None,
    socket_name: Annotated[
        str | None,
        typer.Option("-L", "--socket-name", help="tmux server socket name, for a tmux sink."),
    ] = None,
) -> None:
    """Send one test notification through the sinks of a rules file, and say what happened."""
    try:
        config = load_alert_config(path)
    except YesmanError as exc:
        raise fail("alerts test", str(exc)) from None
    names = sink or [s.name for s in config.sinks]
    unknown = [n for n in names if n not in {s.name for s in config.sinks}]
    if unknown:
        raise fail("alerts test", f"{path} defines no sink {unknown[0]!r}")
    records = asyncio.run(_send_test(config, names, TmuxServer(socket_name=socket_name)))
    failed = 0
    for record in records:
        ok = record.outcome == "delivered"
        failed += not ok
        note = f": {record.error}" if record.error else ""
        typer.echo(f"{record.sink}: {record.outcome} after {record.attempts} attempt(s){note}")
    if failed:
        raise typer.Exit(code=1)


async def _send_test(
    config: AlertConfig, names: Sequence[str], server: TmuxServer
) -> list[DeliveryRecord]:
    from yesman.alerts._dispatch import Dispatcher  # noqa: PLC0415 (the test path only)

    now = time.time()
    labels = {"session": "yesman-test"}
    alert = Alert(
        id=None,
        fingerprint=fingerprint("yesman-test", labels),
        rule="yesman-test",
        kind="test",
        severity=Severity.INFO,
        state=State.FIRING,
        summary="a test notification from `yesman alerts test`",
        started=now,
        fired=now,
        labels=labels,
    )
    sinks = {n: s for n, s in build_sinks(config, server).items() if n in names}
    records: list[DeliveryRecord] = []
    async with Dispatcher(sinks, record=records.append, drain=60.0) as dispatcher:
        note = Notification(
            alert=alert,
            status=NotificationStatus.FIRING,
            time=now,
            dashboard_url=config.defaults.dashboard_url,
        )
        for name in sinks:
            dispatcher.submit(name, note)
        await dispatcher.wait_idle()
    return records
