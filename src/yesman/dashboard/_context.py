"""What every request handler reads: the history store, the live side (if any), the alerts,
the event hub."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from yesman.dashboard._alerting import AlertDesk
from yesman.dashboard._live import EventHub, Watcher
from yesman.store import AuditStore

__all__ = ["Context", "context"]


@dataclass(frozen=True, slots=True)
class Context:
    """The dashboard's collaborators.

    ``store`` is the dashboard's own read-only connection to the audit database (never the
    watcher's writer, so a long history read cannot delay an answer's audit row). ``watcher``
    is None for the history-only dashboard. ``alerts`` is the watcher's alert manager, or the
    alerts in the database (``_alerting``). ``subtitle`` says what is shown (which server,
    which database). ``heartbeat`` is the seconds between keep-alive comments on event streams.
    """

    store: AuditStore
    hub: EventHub
    watcher: Watcher | None
    alerts: AlertDesk
    subtitle: str
    heartbeat: float = 15.0


def context(request: Request) -> Context:
    ctx = request.app.state.context
    assert isinstance(ctx, Context)
    return ctx
