"""The JSON API and the event stream (documented in the README, "Dashboard").

Errors are JSON ``{"error": "..."}`` saying what was wrong and what to do: 400 for a bad
parameter, 404 for an unknown baseline, 409 when a held dialog cannot be answered as asked
(nothing was typed), 503 when the watcher could not act (tmux gone).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from yesman._errors import YesmanError
from yesman.baseline import BaselineError, Comparison, compare, load_baseline
from yesman.dashboard._context import Context, context
from yesman.dashboard._series import read_performance
from yesman.dashboard._views import (
    AuditFilter,
    TimeWindow,
    agent_rows,
    component_rows,
    held_rows,
    read_audit,
)
from yesman.history import read_components
from yesman.monitor import HumanAction, HumanAnswerRefused

__all__ = [
    "agents",
    "audit",
    "baseline_compare",
    "baselines",
    "client_of",
    "components",
    "error",
    "events",
    "held",
    "held_answer",
    "held_deny",
    "read_json",
    "series",
]

_MAX_BODY = 16 * 1024


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def read_json(request: Request, shape: str) -> Any:
    """The request's JSON body (an empty one reads as ``{}``), or the error `Response` to send:
    413 past a small object's size (read no further), 400 when it is not JSON. `shape` shows
    what to send."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BODY:
            return error(413, f"the request body is too large; send {shape}")
    try:
        return json.loads(body or b"{}")
    except ValueError:
        return error(400, f"the body must be JSON: {shape}")


def client_of(request: Request) -> str:
    """The address a request came from, for the record of who acted."""
    return request.client.host if request.client else "unknown"


def _query(request: Request) -> dict[str, str]:
    return dict(request.query_params)


async def agents(request: Request) -> Response:
    """``GET /api/agents``: every watched pane (empty, ``live: false`` without a watcher)."""
    ctx = context(request)
    now = time.time()
    if ctx.watcher is None:
        return JSONResponse({"live": False, "time": now, "agents": []})
    rows = agent_rows(
        ctx.watcher.watched(), ctx.watcher.held_dialogs(), now, ctx.alerts.firing_here()
    )
    return JSONResponse({"live": True, "time": now, "agents": rows})


async def held(request: Request) -> Response:
    """``GET /api/held``: dialogs on screen now that wait for a human, oldest first."""
    ctx = context(request)
    now = time.time()
    if ctx.watcher is None:
        return JSONResponse({"live": False, "time": now, "held": []})
    return JSONResponse(
        {"live": True, "time": now, "held": held_rows(ctx.watcher.held_dialogs(), now)}
    )


async def _resolve(request: Request, action: HumanAction) -> Response:
    ctx = context(request)
    if ctx.watcher is None:
        return error(
            409,
            "this dashboard shows the history only (yesman dashboard); answer from the "
            "dashboard of `yesman watch --http`, or in the pane itself",
        )
    data = await read_json(request, '{"fingerprint": "...", "option": N}')
    if isinstance(data, Response):
        return data
    if not isinstance(data, dict) or not isinstance(data.get("fingerprint"), str):
        return error(
            400,
            'send the fingerprint of the dialog you saw: {"fingerprint": "..."} '
            "(GET /api/held lists it), so a dialog that changed meanwhile is not answered",
        )
    option = data.get("option")
    if option is not None and (isinstance(option, bool) or not isinstance(option, int)):
        return error(400, f"option must be an option number, got {option!r}")
    held_id = request.path_params["id"]
    found = next((h for h in ctx.watcher.held_dialogs() if h.id == held_id), None)
    if found is None:
        return error(
            409,
            "that dialog is no longer held for a human (it was answered, cancelled or went "
            "away); nothing was typed",
        )
    try:
        result = await ctx.watcher.resolve_held(
            found.pane_id,
            data["fingerprint"],
            action,
            channel="dashboard",
            option=option,
            note=f"from {client_of(request)}",
        )
    except HumanAnswerRefused as exc:
        return JSONResponse({"error": str(exc), "reason": exc.reason.value}, status_code=409)
    except YesmanError as exc:
        return error(503, f"the watcher could not answer: {exc}")
    return JSONResponse(
        {
            "ok": True,
            "id": held_id,
            "pane_id": found.pane_id,
            "action": result.action.value,
            "keys": list(result.keys),
            "rule": result.rule,
            "reason": result.reason,
            "verified": result.verified,
        }
    )


async def held_answer(request: Request) -> Response:
    """``POST /api/held/{id}/answer``: type the plain "Yes" (or ``option``) for a human."""
    return await _resolve(request, HumanAction.ANSWER)


async def held_deny(request: Request) -> Response:
    """``POST /api/held/{id}/deny``: type the "No" that keeps the agent running."""
    return await _resolve(request, HumanAction.DENY)


async def components(request: Request) -> Response:
    """``GET /api/metrics/components?since=&until=&component=``: figures per component."""
    ctx = context(request)
    now = time.time()
    try:
        window = TimeWindow.from_query(_query(request), now)
    except ValueError as exc:
        return error(400, str(exc))
    summaries = await read_components(
        ctx.store,
        window.since,
        window.until,
        request.query_params.get("component") or None,
        max_samples=0,
    )
    return JSONResponse(
        {"since": window.since, "until": window.end(now), "components": component_rows(summaries)}
    )


async def series(request: Request) -> Response:
    """``GET /api/series?since=&until=&points=``: the Performance page's time series."""
    ctx = context(request)
    now = time.time()
    try:
        window = TimeWindow.from_query(_query(request), now)
        points = int(request.query_params.get("points") or 60)
        data = await read_performance(ctx.store, window.since, window.end(now), points)
    except ValueError as exc:
        return error(400, str(exc))
    return JSONResponse(data)


async def audit(request: Request) -> Response:
    """``GET /api/audit?session=&agent=&action=&rule=&tool=&q=&since=&limit=``: decisions,
    newest first, each with its ``agent`` and ``agent_version``."""
    ctx = context(request)
    try:
        flt = AuditFilter.from_query(_query(request), time.time())
    except ValueError as exc:
        return error(400, str(exc))
    records = await read_audit(ctx.store, flt)
    return JSONResponse({"decisions": [r.to_json() for r in records]})


async def baselines(request: Request) -> Response:
    """``GET /api/baselines``: every saved baseline, newest first (without documents)."""
    rows = await context(request).store.list_baselines()
    return JSONResponse(
        {
            "baselines": [
                {
                    "name": b.name,
                    "created": b.created,
                    "workload": b.workload,
                    "environment": b.environment,
                }
                for b in rows
            ]
        }
    )


async def baseline_compare(request: Request) -> Response:
    """``GET /api/baselines/compare?a=NAME&b=NAME``: `yesman.baseline.compare` of B against A."""
    ctx = context(request)
    a, b = request.query_params.get("a"), request.query_params.get("b")
    if not a or not b:
        return error(400, "name two saved baselines: ?a=REFERENCE&b=CANDIDATE")
    try:
        comparison = await compare_baselines(ctx, a, b)
    except BaselineError as exc:
        return error(404, str(exc))
    return JSONResponse({"a": a, "b": b, **comparison.to_dict()})


async def compare_baselines(ctx: Context, a: str, b: str) -> Comparison:
    """Load both and compare them off the event loop (the statistics take a while)."""
    first = await load_baseline(ctx.store, a)
    second = await load_baseline(ctx.store, b)
    return await asyncio.to_thread(compare, first, second)


async def _stream(ctx: Context) -> AsyncIterator[str]:
    async with ctx.hub.listen() as queue:
        hello = {"type": "hello", "live": ctx.watcher is not None, "ts": time.time()}
        yield f"retry: 2000\ndata: {json.dumps(hello)}\n\n"
        while True:
            try:
                message = await asyncio.wait_for(queue.get(), timeout=ctx.heartbeat)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if message is None:
                return
            yield f"data: {message}\n\n"


async def events(request: Request) -> Response:
    """``GET /api/events``: Server-Sent Events, one JSON object per bus event (see `_live`)."""
    return StreamingResponse(
        _stream(context(request)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
