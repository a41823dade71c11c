"""`yesman watch` and `yesman status`: the main job, and a one-shot look."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from yesman._errors import YesmanError
from yesman.agents import (
    Agent,
    AgentRegistry,
    PermissionMode,
    Prompt,
    ScreenState,
    builtin_agents,
)
from yesman.alerts import AlertConfig
from yesman.bus import AsyncEventBus, Event, EventType, PromptHeld, ResponseSent
from yesman.cli._agents import agents_for_watch
from yesman.cli._alerts import alerting, load_rules
from yesman.cli._app import app
from yesman.cli._baseline_common import parse_duration
from yesman.cli._dashboard import (
    AllowRemoteOption,
    DashboardOptions,
    HttpOption,
    HttpTokenOption,
    announce,
    dashboard_options,
    serve_dashboard,
)
from yesman.cli._views import HeldLog, watch_view
from yesman.history import HistorySettings, HistoryWriter
from yesman.monitor import MonitorSettings, MonitorSupervisor, RestartPolicy
from yesman.policy import Policy, PolicyError
from yesman.store import AuditStore, default_db_path
from yesman.tmux import (
    ControlClient,
    PaneInfo,
    ServerLockedError,
    TmuxServer,
    process_trees,
)

log = logging.getLogger(__name__)

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

SocketName = Annotated[
    str | None, typer.Option("-L", "--socket-name", help="tmux server socket name (as tmux -L).")
]
SocketPath = Annotated[
    Path | None, typer.Option("-S", "--socket-path", help="tmux server socket path (as tmux -S).")
]


def _server(socket_name: str | None, socket_path: Path | None) -> TmuxServer:
    try:
        return TmuxServer.from_flags(socket_name, socket_path)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _fail(message: str) -> typer.Exit:
    """Say what went wrong on stderr (never in the way of a live view or JSON on stdout)."""
    Console(stderr=True, highlight=False).print(Text.assemble(("error: ", "bold red"), message))
    return typer.Exit(code=2)


def _policy(policy_file: Path | None) -> Policy:
    """The policy to use; its lint warnings go to stderr with file and line."""
    try:
        policy = Policy.from_file(policy_file) if policy_file else Policy.default()
    except PolicyError as exc:
        raise _fail(str(exc)) from None
    for warning in policy.warnings:
        typer.echo(str(warning), err=True)
    return policy


@app.command()
def watch(
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            help="Sessions (name or $id) or panes (%id) to watch. Default: every pane running "
            "a coding agent yesman knows (Claude Code), including ones that appear later.",
            show_default=False,
        ),
    ] = None,
    socket_name: SocketName = None,
    socket_path: SocketPath = None,
    policy_file: Annotated[
        Path | None, typer.Option("--policy", help="Policy TOML file (default: the shipped one).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Decide and record, but send no keys.")
    ] = False,
    db: Annotated[
        Path | None, typer.Option("--db", help="Audit database (default: XDG data dir).")
    ] = None,
    restart: Annotated[
        bool,
        typer.Option("--restart", help="Restart the agent when it exits (with backoff)."),
    ] = False,
    agent_cmd: Annotated[
        list[str] | None,
        typer.Option(
            "--agent-cmd",
            help="Also treat a process whose command line contains this text as the default "
            "agent, Claude Code (for wrappers around it). Repeatable.",
        ),
    ] = None,
    live: Annotated[bool, typer.Option("--live/--no-live", help="Show the live view.")] = True,
    no_wait: Annotated[
        bool,
        typer.Option(
            "--no-wait",
            help="Fail when a named session or pane does not exist, instead of waiting for it.",
        ),
    ] = False,
    busy_capture_interval: Annotated[
        float,
        typer.Option(
            "--busy-capture-interval",
            min=0.02,
            max=5.0,
            help="Capture a pane that draws without pause at most this often (seconds). "
            "Raise it when `yesman suggest` says captures slow down with many panes.",
        ),
    ] = 0.1,
    keep_raw: Annotated[
        str,
        typer.Option(
            "--keep-raw",
            help="How long the history keeps one row per report interval (14d, 36h ...).",
        ),
    ] = "14d",
    keep_rollups: Annotated[
        str,
        typer.Option(
            "--keep-rollups",
            help="How long the history keeps hourly roll-ups and dialog outcomes (52w ...).",
        ),
    ] = "365d",
    http: HttpOption = None,
    http_token: HttpTokenOption = None,
    allow_remote: AllowRemoteOption = False,
    hooks: Annotated[
        bool,
        typer.Option(
            "--hooks/--no-hooks",
            help="Answer agents' permission hooks (`yesman hooks install`) on this tmux "
            "server's hook socket, beside the screen.",
        ),
    ] = True,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Log more.")] = False,
    otlp_endpoint: Annotated[
        str | None,
        typer.Option(
            "--otlp-endpoint",
            metavar="URL",
            help="Also export the metrics over OTLP/HTTP to this OpenTelemetry collector "
            "(e.g. http://127.0.0.1:4318) every 15 s; needs the otel extra.",
        ),
    ] = None,
    alerts_file: Annotated[
        Path | None,
        typer.Option("--alerts", help="Alert rules (TOML; `yesman alerts init` writes one)."),
    ] = None,
) -> None:
    """Watch coding-agent panes and answer their dialogs by policy, until Ctrl-C."""
    dashboard = dashboard_options(http, http_token, allow_remote)
    console = Console(stderr=not live)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    server = _server(socket_name, socket_path)
    policy = _policy(policy_file)
    settings = MonitorSettings(dry_run=dry_run, busy_capture_interval=busy_capture_interval)
    history = _history_settings(keep_raw, keep_rollups)
    if otlp_endpoint is not None:
        from yesman.export import otlp_metrics_url, require_otel  # noqa: PLC0415 (35 ms)

        try:  # before anything starts: a missing extra or a bad URL is a usage error
            otlp_metrics_url(otlp_endpoint)
            require_otel()
        except (ValueError, YesmanError) as exc:
            raise _fail(str(exc)) from None
    alerts = load_rules(alerts_file)
    try:
        asyncio.run(
            _watch(
                console,
                server,
                policy,
                db=db or default_db_path(),
                targets=targets or [],
                settings=settings,
                restart=RestartPolicy(enabled=restart),
                agents=agents_for_watch(agent_cmd or []),
                live=live,
                wait_for_targets=not no_wait,
                history=history,
                otlp_endpoint=otlp_endpoint,
                dashboard=dashboard,
                alerts=alerts,
                hooks=hooks,
            )
        )
    except ServerLockedError as exc:
        raise _fail(
            f"{exc}\n(`yesman watch --dry-run` watches and decides without answering)"
        ) from None
    except YesmanError as exc:  # every error yesman raises on purpose says what to do
        raise _fail(str(exc)) from None
    except _MissingTargets as exc:
        raise _fail(str(exc)) from None


def _history_settings(keep_raw: str, keep_rollups: str) -> HistorySettings:
    try:
        raw, rollups = parse_duration(keep_raw), parse_duration(keep_rollups)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if rollups < raw:
        raise _fail(
            f"--keep-rollups ({keep_rollups}) is shorter than --keep-raw ({keep_raw}); "
            "roll-ups summarise raw rows, so keep them at least as long"
        )
    return HistorySettings(raw_retention=raw, rollup_retention=rollups)


class _MissingTargets(Exception):
    """Named sessions or panes do not exist and the user asked not to wait for them."""


def _event_line(event: Event) -> str:
    """One plain line per answer or hold, for --no-live output and logs."""
    payload = event.payload
    if isinstance(payload, ResponseSent):
        what = f"{payload.prompt.tool or payload.prompt.kind} {payload.prompt.subject!r}"
        keys = "+".join(payload.keys)
        return f"answered {payload.session} {payload.pane_id}: {what} with {keys} ({payload.rule})"
    if isinstance(payload, PromptHeld):
        what = f"{payload.prompt.tool or payload.prompt.kind} {payload.prompt.subject!r}"
        return f"HELD {payload.session} {payload.pane_id}: {what}: {payload.reason}"
    return f"{event.type.value}: {dict(event.data)}"


async def _live_view(
    console: Console,
    supervisor: MonitorSupervisor,
    held: HeldLog,
    header: str,
    stop: asyncio.Event,
) -> None:
    view = watch_view(supervisor.watched(), {}, held, header)
    with Live(view, console=console, refresh_per_second=4) as screen:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.5)
            screen.update(
                watch_view(supervisor.watched(), supervisor.get_component_metrics(), held, header)
            )


async def _watch(
    console: Console,
    server: TmuxServer,
    policy: Policy,
    *,
    db: Path,
    targets: list[str],
    settings: MonitorSettings,
    restart: RestartPolicy,
    agents: AgentRegistry,
    live: bool,
    wait_for_targets: bool = True,
    history: HistorySettings | None = None,
    otlp_endpoint: str | None = None,
    dashboard: DashboardOptions | None = None,
    alerts: AlertConfig | None = None,
    hooks: bool = True,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # SIGHUP too: a closed terminal must not kill the watcher mid-answer without cleanup.
    for sig in _STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    held = HeldLog()
    try:
        async with (
            AuditStore.open(db) as audit,
            AsyncEventBus() as bus,
            # Every performance report and dialog outcome into the same database (yesman history).
            HistoryWriter(audit, bus, history),
            # Alert rules over the same events; notifications go out off the watcher's path.
            alerting(alerts, bus, audit, server) as alert_manager,
        ):
            bus.subscribe(EventType.PROMPT_HELD, held)
            supervisor = MonitorSupervisor(
                server,
                event_bus=bus,
                policy=policy,
                audit=audit,
                targets=targets,
                settings=settings,
                restart=restart,
                agents=agents,
                hooks=hooks,
            )
            mode = " [dry run: no keys are sent]" if settings.dry_run else ""
            watching = (
                f"yesman watching {server.describe()} with {policy.source}{mode}; audit: {db}."
            )
            header = f"{watching} Ctrl-C to stop."
            otlp: contextlib.AbstractAsyncContextManager[object] = contextlib.nullcontext()
            if otlp_endpoint is not None:
                from yesman.export import OtlpExporter  # noqa: PLC0415 (only when asked for)

                # Stopped before the supervisor: its last export has the final figures.
                otlp = OtlpExporter(otlp_endpoint, supervisor)
                header += f" Metrics to {otlp_endpoint} (OTLP)."
            if not live:
                console.print(header, soft_wrap=True, markup=False)
                for kind in (EventType.RESPONSE_SENT, EventType.PROMPT_HELD):
                    bus.subscribe(
                        kind,
                        lambda e: console.print(_event_line(e), soft_wrap=True, markup=False),
                    )
            async with supervisor, otlp, contextlib.AsyncExitStack() as web:
                hooks_note = (
                    f"hooks answered on {supervisor.hook_server.path}"
                    if supervisor.hook_server is not None
                    else "hooks not answered"
                )
                header = f"{header} ({hooks_note})"
                if not live:
                    console.print(hooks_note, soft_wrap=True, markup=False)
                if dashboard is not None:
                    # Stops before the supervisor does (the same `async with`, entered later).
                    dash = await web.enter_async_context(
                        serve_dashboard(
                            dashboard,
                            db=db,
                            supervisor=supervisor,
                            bus=bus,
                            alerts=alert_manager,
                            subtitle=watching,
                        )
                    )
                    if alert_manager is not None and alert_manager.dashboard_url is None:
                        # Notifications link to the alert's page (unless the rules file names
                        # another address, one a proxy serves, say).
                        alert_manager.dashboard_url = dash.alert_url
                    announce(console, dash)
                    header += f"\nDashboard: {dash.login_url}"
                missing = supervisor.missing_targets()
                if missing and not wait_for_targets:
                    raise _MissingTargets(
                        f"no session or pane named {', '.join(missing)} on "
                        f"{server.describe()}; `yesman status` lists the agent panes there"
                    )
                if missing:
                    Console(stderr=True, highlight=False).print(
                        f"waiting for {', '.join(missing)} to appear on {server.describe()} "
                        "(Ctrl-C to stop; --no-wait fails instead)"
                    )
                if live:
                    await _live_view(console, supervisor, held, header, stop)
                else:
                    await stop.wait()
            unrecorded = supervisor.unrecorded_decisions
    finally:
        for sig in _STOP_SIGNALS:
            loop.remove_signal_handler(sig)
    if unrecorded:
        console.print(
            f"yesman stopped; {unrecorded} decision(s) could not be written to the audit log "
            f"{db} (none of those was typed); the log above says why."
        )
    else:
        console.print("yesman stopped; every decision is in the audit log (yesman audit).")


@app.command()
def status(
    socket_name: SocketName = None,
    socket_path: SocketPath = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    agent_cmd: Annotated[
        list[str] | None,
        typer.Option(
            "--agent-cmd",
            help="Also treat a process whose command line contains this text as the default "
            "agent, Claude Code (for wrappers around it). Repeatable.",
        ),
    ] = None,
) -> None:
    """Every pane running a coding agent on a tmux server, and what it is doing."""
    console = Console()
    server = _server(socket_name, socket_path)
    try:
        rows = asyncio.run(_status(server, agents_for_watch(agent_cmd or [])))
    except YesmanError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps([row.as_dict() for row in rows], indent=2))
        return
    table = Table(title=f"Agent panes on {server.describe()}", header_style="bold")
    for name in ("pane", "session", "agent", "pid", "state", "mode", "dialog", "path"):
        table.add_column(name)
    for row in rows:
        dialog = ""
        if row.prompt is not None:
            p = row.prompt
            dialog = f"{p.kind.value} {p.tool or ''}: {p.target or p.question or ''}".strip()
        agent = row.agent.display_name + (f" {row.version}" if row.version else "")
        table.add_row(
            row.pane.pane_id,
            row.pane.session_name,
            agent,
            str(row.pane.pane_pid),
            Text(row.state.value),
            _mode_text(row.mode),
            dialog,
            row.pane.current_path,
        )
    if not rows:
        known = ", ".join(a.display_name for a in builtin_agents())
        console.print(f"No pane on this server runs a coding agent yesman knows ({known}).")
    else:
        console.print(table)


def _mode_text(mode: PermissionMode | None) -> Text:
    if mode in (PermissionMode.AUTO, PermissionMode.BYPASS):
        # The agent answers its own dialogs: yesman will never see them.
        return Text(f"{mode.value}: answers its own dialogs", style="bold red")
    return Text(mode.value if mode else "")


@dataclass(frozen=True, slots=True)
class _StatusRow:
    pane: PaneInfo
    agent: Agent
    version: str | None
    state: ScreenState
    prompt: Prompt | None
    mode: PermissionMode | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "pane_id": self.pane.pane_id,
            "agent": self.agent.name,
            "agent_version": self.version,
            "session": self.pane.session_name,
            "session_id": self.pane.session_id,
            "pane_pid": self.pane.pane_pid,
            "path": self.pane.current_path,
            "state": self.state.value,
            "mode": self.mode.value if self.mode else None,
            "prompt": self.prompt.as_dict() if self.prompt else None,
        }


async def _status(server: TmuxServer, agents: AgentRegistry) -> list[_StatusRow]:
    async with ControlClient(server) as client:
        panes = await client.list_panes()
        trees = await asyncio.to_thread(process_trees, [p.pane_pid for p in panes])
        rows: list[_StatusRow] = []
        for pane in panes:
            tree = trees.get(pane.pane_pid, ())
            agent = agents.identify(tree)
            process = agent.find_process(tree) if agent is not None else None
            if agent is None or process is None:
                continue
            text = await client.capture_pane(pane.pane_id)
            screen = agent.parse_screen(text)
            version = await asyncio.to_thread(agent.version_of_process, process)
            version = version or agent.version_from_screen(text)
            rows.append(_StatusRow(pane, agent, version, screen.state, screen.prompt, screen.mode))
        return rows
