"""The database schema and its migrations.

The schema version lives in SQLite's ``PRAGMA user_version``. Each migration moves the database
from version N-1 to N inside one transaction, so a crash mid-migration leaves the old version
intact. Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

from yesman.store._errors import StoreVersionError

__all__ = ["SCHEMA_VERSION", "migrate"]

_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    # 1: decisions and bus events
    (
        """CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            session TEXT NOT NULL,
            pane TEXT NOT NULL,
            prompt_kind TEXT NOT NULL,
            tool TEXT NOT NULL DEFAULT '',
            target TEXT NOT NULL DEFAULT '',
            options TEXT NOT NULL DEFAULT '[]',
            action TEXT NOT NULL,
            keys TEXT NOT NULL DEFAULT '[]',
            rule TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            first_seen REAL NOT NULL,
            answered_at REAL,
            latency_ms REAL,
            verified INTEGER,
            dry_run INTEGER NOT NULL DEFAULT 0,
            fingerprint TEXT NOT NULL DEFAULT '',
            server TEXT NOT NULL DEFAULT '',
            correlation_id TEXT
        )""",
        "CREATE INDEX decisions_by_time ON decisions(time)",
        "CREATE INDEX decisions_by_session ON decisions(session, time)",
        "CREATE INDEX decisions_by_fingerprint ON decisions(fingerprint)",
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            type TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            priority INTEGER NOT NULL DEFAULT 1,
            correlation_id TEXT,
            data TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX events_by_time ON events(time)",
        "CREATE INDEX events_by_type ON events(type, time)",
    ),
    # 3: named performance baselines (yesman.baseline). Numbered 3 because migration 2 (the
    # metric history) lands from another branch; until both are merged this one is second.
    (
        """CREATE TABLE baselines (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created REAL NOT NULL,
            workload TEXT NOT NULL DEFAULT '',
            environment TEXT NOT NULL DEFAULT '',
            document TEXT NOT NULL
        )""",
        "CREATE INDEX baselines_by_created ON baselines(created)",
    ),
)

SCHEMA_VERSION: Final = len(_MIGRATIONS)


def migrate(conn: sqlite3.Connection, path: Path) -> int:
    """Bring the database to `SCHEMA_VERSION`; return the version it had before.

    `conn` must be in autocommit mode (``isolation_level=None``).
    """
    conn.execute("BEGIN IMMEDIATE")  # take the write lock so two openers cannot both migrate
    try:
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found <= SCHEMA_VERSION:
            for version in range(found + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[version - 1]:
                    conn.execute(statement)
            if found < SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
            conn.execute("COMMIT")
            return found
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("ROLLBACK")
    raise StoreVersionError(
        f"{path} has schema version {found} but this yesman knows only up to "
        f"{SCHEMA_VERSION}; upgrade yesman or pass --db with another file",
        path,
    )
