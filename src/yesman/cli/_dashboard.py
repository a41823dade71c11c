"""`yesman dashboard` (the history alone) and the ``--http`` options `yesman watch` shares.

The dashboard package loads starlette and uvicorn (about 0.4 s), so it is imported only when a
dashboard is asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.text import Text

from yesman._errors import YesmanError
from yesman.cli._app import app
from yesman.store import default_db_path

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from yesman.alerts import AlertManager
    from yesman.bus import AsyncEventBus
    from yesman.dashboard import Bind, DashboardServer
    from yesman.monitor import MonitorSupervisor

__all__ = ["DashboardOptions", "dashboard_options", "extra_routes", "serve_dashboard"]

TOKEN_ENV = "YESMAN_HTTP_TOKEN"  # the same name as yesman.dashboard.TOKEN_ENV (tested)

HttpOption = Annotated[
    str | None,
    typer.Option(
        "--http",
        metavar="[HOST:]PORT",
        help="Serve the web dashboard on this address (default host 127.0.0.1; port 0 picks "
        "a free one). Its URL, with the access token, is printed at start.",
        show_default=False,
    ),
]
HttpTokenOption = Annotated[
    str | None,
    typer.Option(
        "--http-token",
        envvar=TOKEN_ENV,
        help="The dashboard's access token (at least 16 characters). Default: a new random "
        "one each start.",
        show_default=False,
    ),
]
AllowRemoteOption = Annotated[
    bool,
    typer.Option(
        "--allow-remote",
        help="Allow a --http address other machines can reach (anyone with the token can "
        "then answer your agents' dialogs).",
    ),
]


@dataclass(frozen=True, slots=True)
class DashboardOptions:
    """The ``--http`` options, checked before anything starts."""

    bind: Bind
    token: str | None
    allow_remote: bool


def dashboard_options(
    http: str | None, token: str | None, allow_remote: bool
) -> DashboardOptions | None:
    """The checked options, or None without ``--http``; a bad value is a usage error."""
    if http is None:
        if token is not None and not token:
            raise typer.BadParameter("--http-token is empty")
        return None
    from yesman.dashboard import DashboardError, check_token, parse_bind  # noqa: PLC0415

    try:
        bind = parse_bind(http)
        bind.check(allow_remote=allow_remote)
        if token is not None:
            check_token(token)
    except DashboardError as exc:
        raise typer.BadParameter(str(exc)) from None
    return DashboardOptions(bind, token, allow_remote)


def extra_routes(supervisor: MonitorSupervisor, bus: AsyncEventBus) -> Sequence[BaseRoute]:
    """Routes the watcher's dashboard serves beside its own, behind the same token (the token
    middleware wraps every route; tests/dashboard/test_auth.py walks these too)."""
    from starlette.requests import Request  # noqa: PLC0415 (only with --http)
    from starlette.responses import Response  # noqa: PLC0415
    from starlette.routing import Route  # noqa: PLC0415

    from yesman.export import PrometheusExporter  # noqa: PLC0415

    exporter = PrometheusExporter(supervisor, bus)

    # `async def`: a plain function would run in a thread, away from the snapshots it reads.
    async def metrics(request: Request) -> Response:
        return Response(exporter.render(), media_type=exporter.CONTENT_TYPE)

    return [Route("/metrics", metrics, methods=["GET"])]


def announce(console: Console, server: DashboardServer) -> None:
    """Print where the dashboard is, with its token, and warn about a reachable address."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if not server.bind.loopback:
        err.print(
            Text.assemble(
                ("warning: ", "bold yellow"),
                f"the dashboard listens on {server.bind.host}:{server.port}, reachable from "
                "other machines; anyone holding its token can answer your agents' dialogs. "
                "The connection is not encrypted: put it behind TLS (a reverse proxy) or an "
                "SSH tunnel.",
            )
        )
    err.print(Text.assemble(("dashboard: ", "bold"), server.login_url))


@contextlib.asynccontextmanager
async def serve_dashboard(
    options: DashboardOptions,
    *,
    db: Path,
    supervisor: MonitorSupervisor | None = None,
    bus: AsyncEventBus | None = None,
    alerts: AlertManager | None = None,
    subtitle: str = "",
) -> AsyncIterator[DashboardServer]:
    """Run the dashboard for the block's duration (on the caller's loop). Without `alerts`
    (the watcher's manager) it shows the alerts stored in `db`."""
    from yesman.dashboard import DashboardServer  # noqa: PLC0415 (0.4 s: only when asked)

    routes = extra_routes(supervisor, bus) if supervisor is not None and bus is not None else ()
    server = DashboardServer(
        options.bind,
        db=db,
        watcher=supervisor,
        bus=bus,
        alerts=alerts,
        token=options.token,
        allow_remote=options.allow_remote,
        subtitle=subtitle,
        extra_routes=routes,
    )
    async with server:
        yield server


async def _serve_history(options: DashboardOptions, db: Path) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    try:
        subtitle = f"history only (no watcher): {db}"
        async with serve_dashboard(options, db=db, subtitle=subtitle) as server:
            announce(Console(), server)
            Console(stderr=True, highlight=False).print("Ctrl-C to stop.")
            await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(sig)


@app.command()
def dashboard(
    db: Annotated[
        Path | None,
        typer.Option("--db", dir_okay=False, help="Audit database (default: XDG data dir)."),
    ] = None,
    http: HttpOption = "127.0.0.1:8765",
    http_token: HttpTokenOption = None,
    allow_remote: AllowRemoteOption = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Log more.")] = False,
) -> None:
    """Serve the web dashboard over the history alone (no watcher, no answers; its alert
    buttons write acknowledgements and silences to the database, for the watcher)."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    options = dashboard_options(http or "127.0.0.1:8765", http_token, allow_remote)
    assert options is not None
    path = db.expanduser() if db is not None else default_db_path()
    try:
        asyncio.run(_serve_history(options, path))
    except YesmanError as exc:
        Console(stderr=True, highlight=False).print(
            Text.assemble(("error: ", "bold red"), str(exc))
        )
        raise typer.Exit(code=2) from None
