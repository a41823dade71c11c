"""The route table and the ASGI app: every route behind the token (``_auth``).

A route added later (``/metrics`` from the exporter) is one more entry: pass it
in ``extra_routes`` (or add it to `ROUTES`); the token middleware wraps the whole app, so it is
protected like the rest, and the tests that walk `ROUTES` plus the extra ones cover it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from yesman.dashboard import _alert_api, _api, _site
from yesman.dashboard._auth import TokenAuth
from yesman.dashboard._context import Context

__all__ = ["ROUTES", "build_app", "cookie_name"]

ROUTES: Final[tuple[BaseRoute, ...]] = (
    # Pages
    Route("/", _site.agents_page, methods=["GET"]),
    Route("/held", _site.held_page, methods=["GET"]),
    Route("/performance", _site.performance_page, methods=["GET"]),
    Route("/audit", _site.audit_page, methods=["GET"]),
    Route("/baselines", _site.baselines_page, methods=["GET"]),
    Route("/baselines/compare", _site.compare_page, methods=["GET"]),
    Route("/alerts", _site.alerts_page, methods=["GET"]),
    Route("/alerts/{id}", _site.alert_page, methods=["GET"]),
    # Fragments the page script swaps in on live events
    Route("/fragments/agents", _site.fragment_agents, methods=["GET"]),
    Route("/fragments/held", _site.fragment_held, methods=["GET"]),
    Route("/fragments/components", _site.fragment_components, methods=["GET"]),
    Route("/fragments/alerts", _site.fragment_alerts, methods=["GET"]),
    # JSON API
    Route("/api/agents", _api.agents, methods=["GET"]),
    Route("/api/held", _api.held, methods=["GET"]),
    Route("/api/held/{id}/answer", _api.held_answer, methods=["POST"]),
    Route("/api/held/{id}/deny", _api.held_deny, methods=["POST"]),
    Route("/api/metrics/components", _api.components, methods=["GET"]),
    Route("/api/series", _api.series, methods=["GET"]),
    Route("/api/audit", _api.audit, methods=["GET"]),
    Route("/api/baselines", _api.baselines, methods=["GET"]),
    Route("/api/baselines/compare", _api.baseline_compare, methods=["GET"]),
    Route("/api/alerts", _alert_api.alerts, methods=["GET"]),
    Route("/api/alerts/{id}", _alert_api.alert, methods=["GET"]),
    Route("/api/alerts/{id}/ack", _alert_api.ack, methods=["POST"]),
    Route("/api/silences", _alert_api.silence, methods=["POST"]),
    Route("/api/silences/{id}", _alert_api.expire_silence, methods=["DELETE"]),
    Route("/api/silences/{id}/expire", _alert_api.expire_silence, methods=["POST"]),
    Route("/api/events", _api.events, methods=["GET"]),
    # The page script, its styles and the vendored chart library
    Mount("/static", StaticFiles(packages=[("yesman.dashboard", "static")]), name="static"),
)


def cookie_name(port: int) -> str:
    """The token cookie's name: cookies ignore ports, so each port gets its own."""
    return f"yesman_token_{port}"


def build_app(
    context: Context, *, token: str, port: int, extra_routes: Sequence[BaseRoute] = ()
) -> Starlette:
    """The dashboard app for `context`, every route (`ROUTES` and `extra_routes`) behind
    `token`."""
    app = Starlette(
        routes=[*ROUTES, *extra_routes],
        middleware=[Middleware(TokenAuth, token=token, cookie=cookie_name(port))],
    )
    app.state.context = context
    return app
