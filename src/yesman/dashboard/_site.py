"""The HTML pages and the fragments their script reloads (rendering is in ``_pages``)."""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from yesman.alerts import parse_ref
from yesman.baseline import BaselineError
from yesman.dashboard._alert_api import RECENT_DEFAULT
from yesman.dashboard._alert_pages import alert_detail, alerts_body, alerts_fragment
from yesman.dashboard._api import compare_baselines
from yesman.dashboard._context import Context, context
from yesman.dashboard._html import e, page
from yesman.dashboard._pages import (
    agents_fragment,
    audit_body,
    baselines_body,
    compare_body,
    components_fragment,
    held_fragment,
    performance_body,
)
from yesman.dashboard._views import (
    AuditFilter,
    TimeWindow,
    agent_rows,
    component_rows,
    held_rows,
    read_audit,
)
from yesman.history import read_components

__all__ = [
    "agents_page",
    "alert_page",
    "alerts_page",
    "audit_page",
    "baselines_page",
    "compare_page",
    "fragment_agents",
    "fragment_alerts",
    "fragment_components",
    "fragment_held",
    "held_page",
    "performance_page",
]


def _page(ctx: Context, title: str, active: str, body: str, status: int = 200) -> Response:
    html = page(title, active, body, subtitle=ctx.subtitle, live=ctx.watcher is not None)
    return HTMLResponse(html, status_code=status)


def _agents_html(ctx: Context) -> str:
    if ctx.watcher is None:
        return agents_fragment([], live=False)
    watcher = ctx.watcher
    rows = agent_rows(
        watcher.watched(), watcher.held_dialogs(), time.time(), ctx.alerts.firing_here()
    )
    return agents_fragment(rows, live=True)


def _held_html(ctx: Context) -> str:
    if ctx.watcher is None:
        return held_fragment([], live=False)
    return held_fragment(held_rows(ctx.watcher.held_dialogs(), time.time()), live=True)


async def _components_html(ctx: Context, query: dict[str, str]) -> str:
    window = TimeWindow.from_query(query, time.time())
    summaries = await read_components(ctx.store, window.since, window.until, max_samples=0)
    return components_fragment(component_rows(summaries))


async def agents_page(request: Request) -> Response:
    ctx = context(request)
    body = f'<div id="agents" data-fragment="/fragments/agents">{_agents_html(ctx)}</div>'
    return _page(ctx, "Agents", "/", body)


async def held_page(request: Request) -> Response:
    ctx = context(request)
    body = f'<div id="held" data-fragment="/fragments/held">{_held_html(ctx)}</div>'
    return _page(ctx, "Held", "/held", body)


async def performance_page(request: Request) -> Response:
    ctx = context(request)
    range_key = request.query_params.get("since") or "1h"
    try:
        components = await _components_html(ctx, {"since": range_key})
    except ValueError as exc:
        return _page(ctx, "Performance", "/performance", f'<p class="error">{e(exc)}</p>', 400)
    return _page(ctx, "Performance", "/performance", performance_body(range_key, components))


async def audit_page(request: Request) -> Response:
    ctx = context(request)
    values = dict(request.query_params)
    try:
        flt = AuditFilter.from_query(values, time.time())
    except ValueError as exc:
        return _page(ctx, "Audit", "/audit", f'<p class="error">{e(exc)}</p>', 400)
    records = await read_audit(ctx.store, flt)
    return _page(ctx, "Audit", "/audit", audit_body(records, values))


async def baselines_page(request: Request) -> Response:
    ctx = context(request)
    return _page(ctx, "Baselines", "/baselines", baselines_body(await ctx.store.list_baselines()))


async def compare_page(request: Request) -> Response:
    ctx = context(request)
    a, b = request.query_params.get("a"), request.query_params.get("b")
    title = f"Compare {b} against {a}"
    if not a or not b:
        return _page(
            ctx, title, "/baselines", '<p class="error">Pick a baseline A and a B.</p>', 400
        )
    try:
        comparison = await compare_baselines(ctx, a, b)
    except BaselineError as exc:
        return _page(ctx, title, "/baselines", f'<p class="error">{e(exc)}</p>', 404)
    heading = f"<h2>B = {e(b)} against A = {e(a)}</h2>"
    return _page(ctx, title, "/baselines", heading + compare_body(a, b, comparison))


async def _alerts_html(ctx: Context) -> str:
    return alerts_fragment(await ctx.alerts.snapshot(recent=RECENT_DEFAULT))


async def alerts_page(request: Request) -> Response:
    ctx = context(request)
    return _page(ctx, "Alerts", "/alerts", alerts_body(await _alerts_html(ctx)))


async def alert_page(request: Request) -> Response:
    """``/alerts/{id}``: the page notifications link to (``dashboard_url``)."""
    ctx = context(request)
    raw = request.path_params["id"]
    title = f"Alert {raw}"
    try:
        ref = parse_ref(raw)
    except ValueError as exc:
        return _page(ctx, title, "/alerts", f'<p class="error">{e(exc)}</p>', 400)
    found = await ctx.alerts.find(ref)
    if found is None:
        missing = (
            f'<p class="error">No alert {e(raw)} is known here. '
            '<a href="/alerts">The Alerts page</a> lists the firing and recent ones.</p>'
        )
        return _page(ctx, title, "/alerts", missing, 404)
    deliveries = await ctx.alerts.deliveries(found.id) if found.id is not None else []
    heading = f'<h2>{e(found.summary)}</h2><p><a href="/alerts">All alerts</a></p>'
    return _page(ctx, title, "/alerts", heading + alert_detail(found, deliveries))


async def fragment_alerts(request: Request) -> Response:
    return HTMLResponse(await _alerts_html(context(request)))


async def fragment_agents(request: Request) -> Response:
    return HTMLResponse(_agents_html(context(request)))


async def fragment_held(request: Request) -> Response:
    return HTMLResponse(_held_html(context(request)))


async def fragment_components(request: Request) -> Response:
    try:
        html = await _components_html(context(request), dict(request.query_params))
    except ValueError as exc:
        return HTMLResponse(f'<p class="error">{e(exc)}</p>', status_code=400)
    return HTMLResponse(html)
