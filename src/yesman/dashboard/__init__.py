"""yesman.dashboard: the web dashboard, served from the watcher's own event loop.

    from yesman.dashboard import DashboardServer, parse_bind

    async with DashboardServer(
        parse_bind("8765"), db=db, watcher=supervisor, bus=bus, alerts=manager
    ) as dash:
        print(dash.login_url)

Pages (server-rendered HTML and a small script, no build step): Agents, Held (Answer / Deny),
Performance (charts over the history, drawn with the vendored uPlot), Audit, Baselines, Alerts
(Acknowledge, Silence, Expire). A JSON API behind them, and live updates pushed from the event
bus and the alert manager as Server-Sent Events. Every request needs the token (``_auth``);
held-dialog answers go through the watcher's own answer path
(`yesman.monitor.MonitorSupervisor.resolve_held`); alert actions go to the watcher's
`yesman.alerts.AlertManager`, or without one to the database, where a watcher reads them back.

Modules: ``_bind`` (where to listen), ``_auth`` (the token), ``_live`` (the watcher seam and the
event fan-out), ``_alerting`` (the alert manager seam, or the database), ``_views`` /
``_series`` / ``_alert_views`` (the data), ``_html`` / ``_pages`` / ``_alert_pages`` (the
markup), ``_site`` / ``_api`` / ``_alert_api`` (handlers), ``_app`` (the route table),
``_server`` (uvicorn as a service).

Layering: above the alerts, monitor, history, baseline and store; only the CLI imports it.
"""

from yesman.dashboard._alerting import Alerting
from yesman.dashboard._app import ROUTES, build_app, cookie_name
from yesman.dashboard._auth import MIN_TOKEN_LENGTH, TOKEN_ENV, check_token, new_token
from yesman.dashboard._bind import DEFAULT_HOST, Bind, parse_bind
from yesman.dashboard._context import Context
from yesman.dashboard._errors import BindError, DashboardError
from yesman.dashboard._live import LIVE_EVENTS, EventHub, Watcher
from yesman.dashboard._server import DashboardServer

__all__ = [
    "DEFAULT_HOST",
    "LIVE_EVENTS",
    "MIN_TOKEN_LENGTH",
    "ROUTES",
    "TOKEN_ENV",
    "Alerting",
    "Bind",
    "BindError",
    "Context",
    "DashboardError",
    "DashboardServer",
    "EventHub",
    "Watcher",
    "build_app",
    "check_token",
    "cookie_name",
    "new_token",
    "parse_bind",
]
