"""The alerts' JSON API (documented in the README, "Dashboard"): list, acknowledge, silence.

Errors are JSON ``{"error": "..."}``: 400 for a bad id or body, 404 for an alert or silence
that is not there (or no longer firing), 503 when the database could not be written.
Acknowledgements and silences are recorded as made from the dashboard, with the caller's
address (``dashboard from 127.0.0.1``), where `yesman alerts` shows who acted.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from yesman.alerts import AlertNotFoundError, parse_ref
from yesman.dashboard._alert_views import SilenceRequest, alert_row, silence_row, sink_row
from yesman.dashboard._api import client_of, error, read_json
from yesman.dashboard._context import context
from yesman.store import StoreError

__all__ = [
    "RECENT_DEFAULT",
    "ack",
    "alert",
    "alerts",
    "by",
    "expire_silence",
    "silence",
]

RECENT_DEFAULT = 20
_RECENT_MAX = 500
_SILENCE_SHAPE = '{"rule": "dialog-held", "seconds": 3600, "matchers": {"session": "work"}}'


def by(request: Request) -> str:
    """Who acted, as stored with an acknowledgement or silence."""
    return f"dashboard from {client_of(request)}"


def _ref(request: Request) -> int | str | Response:
    raw = request.path_params["id"]
    try:
        return parse_ref(raw)
    except ValueError as exc:
        return error(400, str(exc))


async def alerts(request: Request) -> Response:
    """``GET /api/alerts?recent=N``: pending and firing alerts, the N (20) that ended most
    recently, active silences, the sinks' delivery counters."""
    raw = request.query_params.get("recent") or str(RECENT_DEFAULT)
    try:
        recent = int(raw)
    except ValueError:
        recent = -1
    if not 1 <= recent <= _RECENT_MAX:
        return error(400, f"recent={raw!r}: give a number of alerts from 1 to {_RECENT_MAX}")
    ctx = context(request)
    now = time.time()
    snapshot = await ctx.alerts.snapshot(recent=recent)
    return JSONResponse(
        {
            "live": snapshot.live,
            "time": now,
            "active": [alert_row(a) for a in snapshot.active],
            "recent": [alert_row(a) for a in snapshot.recent],
            "silences": [silence_row(s, now) for s in snapshot.silences],
            "sinks": [sink_row(s) for s in snapshot.sinks],
        }
    )


async def alert(request: Request) -> Response:
    """``GET /api/alerts/{id}``: one alert (id or fingerprint) and every notification of it."""
    ref = _ref(request)
    if isinstance(ref, Response):
        return ref
    ctx = context(request)
    found = await ctx.alerts.find(ref)
    if found is None:
        return error(404, f"no alert {ref} is known here; GET /api/alerts lists them")
    deliveries = await ctx.alerts.deliveries(found.id) if found.id is not None else []
    return JSONResponse({"alert": alert_row(found), "deliveries": deliveries})


async def ack(request: Request) -> Response:
    """``POST /api/alerts/{id}/ack``: acknowledge a firing alert; its reminders stop (it still
    resolves with a notification)."""
    ref = _ref(request)
    if isinstance(ref, Response):
        return ref
    ctx = context(request)
    try:
        acked = await ctx.alerts.ack(ref, by=by(request))
    except AlertNotFoundError as exc:
        return error(404, f"{exc}; nothing was acknowledged")
    except StoreError as exc:
        return error(503, f"the acknowledgement could not be written: {exc}")
    return JSONResponse({"ok": True, "alert": alert_row(acked)})


async def silence(request: Request) -> Response:
    """``POST /api/silences``: no notifications for a rule (and labels) for some seconds."""
    data = await read_json(request, _SILENCE_SHAPE)
    if isinstance(data, Response):
        return data
    try:
        asked = SilenceRequest.from_json(data)
    except (TypeError, ValueError) as exc:
        return error(400, f"{exc}; send {_SILENCE_SHAPE}")
    ctx = context(request)
    try:
        made = await ctx.alerts.silence(
            asked.rule,
            asked.seconds,
            matchers=asked.matchers,
            comment=asked.comment,
            by=by(request),
        )
    except StoreError as exc:
        return error(503, f"the silence could not be written: {exc}")
    return JSONResponse({"ok": True, "silence": silence_row(made, time.time())}, status_code=201)


async def expire_silence(request: Request) -> Response:
    """``DELETE /api/silences/{id}`` or ``POST /api/silences/{id}/expire``: end it now."""
    raw = request.path_params["id"]
    if not raw.isdigit():
        return error(400, f"{raw!r} is not a silence id (a number, as GET /api/alerts lists)")
    ctx = context(request)
    try:
        ended = await ctx.alerts.expire(int(raw))
    except StoreError as exc:
        return error(503, f"the silence could not be ended: {exc}")
    if not ended:
        return error(404, f"no active silence {raw}: it ended already, or never was")
    return JSONResponse({"ok": True, "id": int(raw)})
