"""`DashboardServer`: the dashboard served by uvicorn inside the caller's event loop.

    async with DashboardServer(
        parse_bind("8765"), db=path, watcher=supervisor, bus=bus, alerts=manager
    ) as dash:
        print(dash.login_url)     # http://127.0.0.1:8765/?token=...
        manager.dashboard_url = dash.alert_url  # notifications link to the alert's page

It runs on the loop it is started on (the watcher's: one process, no second daemon) as a
``yesman._lifecycle`` service. `start()` binds the socket itself, so a taken port or a bad address
is a `BindError` from `start()` (port 0 picks a free one; `port` says which), opens its own
read-only connection to the audit database (a missing database is a `StoreError`), subscribes to
the bus (and to the alert manager's changes, pushed to pages like events), and returns once
uvicorn accepts connections. `stop()` ends the open event streams,
lets requests in flight finish (up to 2 s), and closes everything; it can be started again.

uvicorn is told to leave the process alone: no signal handlers (the watcher owns SIGINT and
SIGTERM), no logging configuration, no access log (a first request's URL holds the token).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator, Sequence
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from yesman._lifecycle import Runner, Service
from yesman.alerts import Alert
from yesman.bus import AsyncEventBus
from yesman.dashboard._alert_views import alert_row
from yesman.dashboard._alerting import AlertDesk, Alerting, DatabaseDesk, ManagerDesk
from yesman.dashboard._app import build_app
from yesman.dashboard._auth import check_token, new_token
from yesman.dashboard._bind import Bind
from yesman.dashboard._context import Context
from yesman.dashboard._errors import DashboardError
from yesman.dashboard._live import EventHub, Watcher
from yesman.store import AuditStore

__all__ = ["DashboardServer"]

_GRACE = 2  # seconds requests in flight get at stop


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers (the process's owner decides when to stop), and
    with an event set once it accepts connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.accepting = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.accepting.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _push_alert(hub: EventHub, alert: Alert) -> None:
    hub.push("alert", alert_row(alert), source="alerts")


class DashboardServer(Service):
    """The dashboard on `bind` (see the module docstring).

    Args:
        bind: where to listen; an address other machines can reach needs ``allow_remote``.
        db: the audit database whose history, decisions and baselines are shown (read-only).
        watcher: the live side (`MonitorSupervisor`); None serves the history alone.
        bus: the watcher's event bus, for live updates (None: no live events).
        alerts: the watcher's alert manager (`yesman.alerts.AlertManager`); None shows the
            alerts stored in `db`, and acknowledgements and silences are written there.
        token: the token every request needs; None makes a random one (`token` says it).
        subtitle: one line under the navigation saying what is watched.
        extra_routes: more routes behind the same token (``/metrics``).
        heartbeat: seconds between keep-alive comments on idle event streams.
    """

    def __init__(
        self,
        bind: Bind,
        *,
        db: Path,
        watcher: Watcher | None = None,
        bus: AsyncEventBus | None = None,
        alerts: Alerting | None = None,
        token: str | None = None,
        allow_remote: bool = False,
        subtitle: str = "",
        extra_routes: Sequence[BaseRoute] = (),
        heartbeat: float = 15.0,
    ) -> None:
        bind.check(allow_remote=allow_remote)
        self.bind = bind
        self.db = Path(db)
        self.token = check_token(token) if token is not None else new_token()
        self._watcher = watcher
        self._bus = bus
        self._alerts = alerts
        self._subtitle = subtitle or (
            f"audit database {self.db}" if watcher is None else f"watching; audit {self.db}"
        )
        self._extra_routes = tuple(extra_routes)
        self._heartbeat = heartbeat
        self._port: int | None = None
        self._app: Starlette | None = None
        self._stop = asyncio.Event()
        self._runner = Runner("yesman.dashboard")
        self.hub: EventHub | None = None

    # ------------------------------------------------------------------ views

    @property
    def running(self) -> bool:
        return self._runner.running

    @property
    def port(self) -> int:
        """The port served on (the one picked, for port 0); the asked one before start."""
        return self._port if self._port is not None else self.bind.port

    @property
    def url(self) -> str:
        host = self.bind.host
        shown = f"[{host}]" if ":" in host else host
        if host in ("0.0.0.0", "::"):
            shown = socket.gethostname()  # an address a browser elsewhere can use
        return f"http://{shown}:{self.port}/"

    @property
    def alert_url(self) -> str:
        """An alert's page, with ``{id}`` for its id: what notifications link to (no token: a
        browser that opened the dashboard once has its cookie)."""
        return f"{self.url}alerts/{{id}}"

    @property
    def login_url(self) -> str:
        """The URL to open: it carries the token once, then a cookie does."""
        return f"{self.url}?token={self.token}"

    @property
    def app(self) -> Starlette | None:
        """The ASGI app while running (for tests that want to look at its routes)."""
        return self._app

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._runner.running:
            return
        self._stop = asyncio.Event()
        await self._runner.start(self._run)

    async def stop(self) -> None:
        await self._runner.stop(self._stop.set, timeout=_GRACE + 3)

    async def _run(self, ready: asyncio.Event) -> None:
        async with contextlib.AsyncExitStack() as stack:
            store = await stack.enter_async_context(AuditStore.open(self.db, read_only=True))
            hub = await stack.enter_async_context(EventHub(self._bus))
            sock = self.bind.socket()
            stack.callback(sock.close)
            self._port = int(sock.getsockname()[1])
            stored = DatabaseDesk(store, self.db)
            desk: AlertDesk = stored
            if self._alerts is not None:
                desk = ManagerDesk(self._alerts, stored)
                # Every change of an alert goes to the open pages like a bus event.
                stack.callback(self._alerts.add_listener(lambda a: _push_alert(hub, a)))
            context = Context(store, hub, self._watcher, desk, self._subtitle, self._heartbeat)
            app = build_app(
                context, token=self.token, port=self._port, extra_routes=self._extra_routes
            )
            config = uvicorn.Config(
                app,
                log_config=None,
                access_log=False,
                lifespan="off",
                ws="none",
                timeout_graceful_shutdown=_GRACE,
            )
            server = _Server(config)
            self._app, self.hub = app, hub
            stack.callback(self._forget)
            async with asyncio.TaskGroup() as tg:
                serving = tg.create_task(server.serve(sockets=[sock]), name="yesman.dashboard.http")
                accepting = tg.create_task(server.accepting.wait())
                await asyncio.wait({serving, accepting}, return_when=asyncio.FIRST_COMPLETED)
                accepting.cancel()
                if not server.started:
                    raise DashboardError(
                        f"the dashboard could not start serving on {self.bind.host}:{self._port}"
                        "; the log above says why"
                    )
                ready.set()
                stopping = tg.create_task(self._stop.wait())
                await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
                stopping.cancel()
                await hub.stop()  # ends the event streams, so uvicorn has no request to wait for
                server.should_exit = True

    def _forget(self) -> None:
        self._app, self.hub = None, None
