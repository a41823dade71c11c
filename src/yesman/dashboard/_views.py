"""The data behind the pages and the JSON API, as plain JSON-ready values.

One function per thing shown, shared by the HTML pages and the API so both always agree. Times
are epoch seconds; durations in the API's names carry their unit (``_s``, ``_ms``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from yesman.agents import ScreenState
from yesman.alerts import Alert
from yesman.history import ComponentSummary
from yesman.monitor import HeldDialog, WatchedPane
from yesman.store import AuditStore, DecisionRecord

__all__ = [
    "AUDIT_SCAN",
    "AuditFilter",
    "TimeWindow",
    "agent_rows",
    "component_rows",
    "held_rows",
    "parse_time",
    "read_audit",
]

AUDIT_SCAN: Final = 10_000
"""Filters other than session and since look at the newest this many decisions."""

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNITS: Final = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def parse_time(text: str | None, now: float, *, name: str) -> float | None:
    """``None``/empty, epoch seconds (``1767225600``), or a duration ago (``15m``, ``1h``,
    ``7d``); a `ValueError` naming the parameter otherwise."""
    if text is None or not text.strip():
        return None
    raw = text.strip().lower()
    match = _DURATION.match(raw)
    if match:
        return now - float(match.group(1)) * _UNITS[match.group(2)]
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(
            f"{name}={text!r}: give epoch seconds (like {int(now)}) or a duration ago "
            "(30s, 15m, 1h, 7d, 2w)"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}={text!r}: must be a finite time after 1970")
    return value


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """``[since, until)`` in epoch seconds; ``until`` None means now."""

    since: float
    until: float | None

    @classmethod
    def from_query(cls, query: Mapping[str, str], now: float, *, default: str = "1h") -> TimeWindow:
        since = parse_time(query.get("since") or default, now, name="since")
        until = parse_time(query.get("until"), now, name="until")
        assert since is not None
        if until is not None and until <= since:
            raise ValueError("until must be after since")
        return cls(since, until)

    def end(self, now: float) -> float:
        return self.until if self.until is not None else now


def _prompt_dict(held: HeldDialog | None, pane: WatchedPane) -> dict[str, Any] | None:
    prompt = held.prompt if held is not None else pane.status.last_prompt
    if prompt is None or (held is None and pane.status.state is not ScreenState.WAITING):
        return None
    return prompt.as_dict()


def agent_rows(
    watched: Sequence[WatchedPane],
    held: Sequence[HeldDialog],
    now: float,
    alerts: Sequence[Alert] = (),
) -> list[dict[str, Any]]:
    """Every watched pane: where, which agent, its state, the dialog on screen and how long it
    has waited for a human, the last decision and its answer latency, and the firing `alerts`
    labelled with the pane."""
    by_pane = {h.pane_id: h for h in held}
    alerting: dict[str, list[dict[str, Any]]] = {}
    for alert in alerts:
        pane_id = alert.labels.get("pane")
        if pane_id:
            alerting.setdefault(pane_id, []).append(
                {
                    "id": alert.id,
                    "rule": alert.rule,
                    "severity": alert.severity.value,
                    "summary": alert.summary,
                }
            )
    rows = []
    for pane in sorted(watched, key=lambda p: (p.pane.session_name, p.pane.pane_id)):
        status = pane.status
        hold = by_pane.get(pane.pane.pane_id)
        rows.append(
            {
                "pane_id": pane.pane.pane_id,
                "session": pane.pane.session_name,
                "agent": status.agent,
                "agent_version": status.agent_version,
                "path": pane.pane.current_path,
                "state": status.state.value,
                "agent_running": status.agent_running,
                "mode": status.mode.value if status.mode else None,
                "dialog": _prompt_dict(hold, pane),
                "held_id": hold.id if hold else None,
                "held_since": hold.since if hold else None,
                "waiting_s": round(now - hold.since, 3) if hold else None,
                "last_action": status.last_action,
                "last_rule": status.last_rule,
                "last_reason": status.last_reason,
                "last_latency_ms": status.last_latency_ms,
                "answered": status.answered,
                "held": status.held,
                "denied": status.denied,
                "updated_at": status.updated_at,
                "alerts": alerting.get(pane.pane.pane_id, []),
            }
        )
    return rows


def held_rows(held: Sequence[HeldDialog], now: float) -> list[dict[str, Any]]:
    """Dialogs held for a human, oldest first; ``id`` and ``fingerprint`` are what an answer
    sends back."""
    return [
        {
            "id": h.id,
            "pane_id": h.pane_id,
            "session": h.session,
            "agent": h.agent,
            "agent_version": h.agent_version,
            "rule": h.rule,
            "reason": h.reason,
            "alert": h.alert,
            "since": h.since,
            "waiting_s": round(now - h.since, 3),
            "fingerprint": h.prompt.fingerprint,
            "prompt": h.prompt.as_dict(),
        }
        for h in held
    ]


def component_rows(summaries: Sequence[ComponentSummary]) -> list[dict[str, Any]]:
    """Per-component figures over a window (no raw samples or sketches)."""
    return [
        {
            "component": s.component,
            "start": s.start,
            "end": s.end,
            "intervals": s.intervals,
            "count": s.count,
            "error_count": s.error_count,
            "error_rate": s.error_rate,
            "p50_ms": s.p50_ms,
            "p95_ms": s.p95_ms,
            "p99_ms": s.p99_ms,
            "mean_ms": s.mean_ms,
            "max_ms": s.max_ms,
            "cpu_seconds": s.cpu_seconds,
            "avg_cpu_percent": s.avg_cpu_percent,
            "peak_cpu_percent": s.peak_cpu_percent,
            "retained_memory_mb": s.retained_memory_mb,
            "memory_growth_mb": s.memory_growth_mb,
            "bytes_sent": s.bytes_sent,
            "bytes_received": s.bytes_received,
        }
        for s in summaries
    ]


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the Audit page and ``GET /api/audit`` filter on; empty fields match anything.

    ``session``/``agent``/``action``/``rule``/``tool`` match exactly (``rule`` also as a prefix
    ending in ``:``, so ``human:`` finds every human decision); ``text`` is a case-insensitive
    substring of the target, reason or rule.
    """

    session: str = ""
    agent: str = ""
    action: str = ""
    rule: str = ""
    tool: str = ""
    text: str = ""
    since: float | None = None
    limit: int = 200

    @classmethod
    def from_query(cls, query: Mapping[str, str], now: float) -> AuditFilter:
        raw_limit = query.get("limit") or "200"
        try:
            limit = int(raw_limit)
        except ValueError:
            raise ValueError(f"limit={raw_limit!r}: give a number of decisions") from None
        if not 1 <= limit <= 5000:
            raise ValueError(f"limit={limit}: must be between 1 and 5000")
        return cls(
            session=query.get("session", "").strip(),
            agent=query.get("agent", "").strip(),
            action=query.get("action", "").strip(),
            rule=query.get("rule", "").strip(),
            tool=query.get("tool", "").strip(),
            text=query.get("q", "").strip(),
            since=parse_time(query.get("since"), now, name="since"),
            limit=limit,
        )

    def matches(self, rec: DecisionRecord) -> bool:
        if self.agent and rec.agent != self.agent:
            return False
        if self.action and rec.action != self.action:
            return False
        if self.tool and rec.tool.lower() != self.tool.lower():
            return False
        prefix = self.rule.endswith(":") and rec.rule.startswith(self.rule)
        if self.rule and rec.rule != self.rule and not prefix:
            return False
        if self.text:
            needle = self.text.lower()
            haystack = f"{rec.target}\n{rec.reason}\n{rec.rule}".lower()
            if needle not in haystack:
                return False
        return True


async def read_audit(store: AuditStore, flt: AuditFilter) -> list[DecisionRecord]:
    """The newest decisions matching `flt`, newest first."""
    scan = flt.limit if not (flt.action or flt.rule or flt.tool or flt.text) else AUDIT_SCAN
    rows = await store.list_decisions(
        limit=scan, since=flt.since, session=flt.session or None, agent=flt.agent or None
    )
    return [r for r in rows if flt.matches(r)][: flt.limit]
