"""What happened to each pane's agent over a range: restarts, exits, errors.

    for a in await read_pane_activity(db, since=time.time() - 86400):
        print(a.session, a.pane, a.restarts, a.api_errors)

Rows come from the monitor's ``AUTOMATION_CONTEXT`` events (schema 4); they are kept as long
as dialog outcomes (the roll-up retention).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from yesman.history._read import HistoryDB, _bounds, _run

__all__ = ["PaneActivity", "read_pane_activity"]

_COLUMNS = {
    "agent_restarted": "restarts",
    "agent_exited": "exits",
    "api_error": "api_errors",
    "usage_limit": "usage_limits",
    "tests_failing": "tests_failing",
    "build_error": "build_errors",
}


@dataclass(frozen=True, slots=True)
class PaneActivity:
    """Counts per kind for one pane of one session; ``agent`` is the last agent seen there."""

    session: str
    pane: str
    agent: str
    restarts: int = 0
    exits: int = 0
    api_errors: int = 0
    usage_limits: int = 0
    tests_failing: int = 0
    build_errors: int = 0

    @property
    def errors(self) -> int:
        """API errors and usage limits: the agent could not work."""
        return self.api_errors + self.usage_limits


async def read_pane_activity(
    db: HistoryDB = None,
    since: float | None = None,
    until: float | None = None,
    session: str | None = None,
) -> tuple[PaneActivity, ...]:
    """Per (session, pane) over ``[since, until)``, sorted by session, pane."""
    low, high = _bounds(since, until)

    def run(conn: sqlite3.Connection) -> tuple[PaneActivity, ...]:
        if not _has_table(conn):
            return ()
        where = " AND session = ?" if session is not None else ""
        extra: tuple[str, ...] = (session,) if session is not None else ()
        counts: dict[tuple[str, str], dict[str, int]] = {}
        agents: dict[tuple[str, str], str] = {}
        for row in conn.execute(
            "SELECT session, pane, agent, kind, COUNT(*) AS n, MAX(time) AS last "
            "FROM history_pane_events WHERE time >= ? AND time < ?"
            + where
            + " GROUP BY session, pane, agent, kind ORDER BY last",
            (low, high, *extra),
        ):
            key = (row["session"], row["pane"])
            column = _COLUMNS.get(row["kind"])
            if column is not None:
                bucket = counts.setdefault(key, {})
                bucket[column] = bucket.get(column, 0) + row["n"]
            agents[key] = row["agent"]
        return tuple(
            PaneActivity(session=s, pane=p, agent=agents[s, p], **counts.get((s, p), {}))
            for s, p in sorted(agents)
        )

    return await _run(db, run)


def _has_table(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history_pane_events'"
    ).fetchone()
    return row is not None
