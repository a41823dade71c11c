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
    # 2: performance history (yesman.store._history): one row per report interval, per
    # component per interval, per bus report, per dialog outcome; hourly roll-ups of each.
    (
        """CREATE TABLE history_reports (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            interval_seconds REAL NOT NULL,
            session_name TEXT NOT NULL DEFAULT '',
            cpu_percent REAL NOT NULL DEFAULT 0,
            memory_mb REAL NOT NULL DEFAULT 0,
            memory_growth_mb REAL NOT NULL DEFAULT 0,
            loops_per_second REAL NOT NULL DEFAULT 0,
            task_steps_per_second REAL NOT NULL DEFAULT 0,
            lag_p50_ms REAL NOT NULL DEFAULT 0,
            lag_p99_ms REAL NOT NULL DEFAULT 0,
            lag_max_ms REAL NOT NULL DEFAULT 0,
            slow_callbacks INTEGER NOT NULL DEFAULT 0,
            host_bytes_sent INTEGER NOT NULL DEFAULT 0,
            host_bytes_received INTEGER NOT NULL DEFAULT 0,
            bottlenecks TEXT NOT NULL DEFAULT '[]'
        )""",
        "CREATE INDEX history_reports_by_time ON history_reports(time)",
        """CREATE TABLE history_components (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            interval_seconds REAL NOT NULL,
            component TEXT NOT NULL,
            count INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            cancelled INTEGER NOT NULL DEFAULT 0,
            sketch BLOB,
            samples BLOB,
            cpu_seconds REAL NOT NULL DEFAULT 0,
            avg_cpu_percent REAL NOT NULL DEFAULT 0,
            peak_cpu_percent REAL NOT NULL DEFAULT 0,
            avg_memory_delta_mb REAL NOT NULL DEFAULT 0,
            peak_memory_mb REAL NOT NULL DEFAULT 0,
            retained_memory_mb REAL NOT NULL DEFAULT 0,
            bytes_sent INTEGER NOT NULL DEFAULT 0,
            bytes_received INTEGER NOT NULL DEFAULT 0,
            intervals INTEGER NOT NULL DEFAULT 1
        )""",
        "CREATE INDEX history_components_by_time ON history_components(time)",
        """CREATE TABLE history_bus (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            published INTEGER NOT NULL DEFAULT 0,
            processed INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0,
            overflow INTEGER NOT NULL DEFAULT 0,
            handler_errors INTEGER NOT NULL DEFAULT 0,
            average_processing_ms REAL NOT NULL DEFAULT 0,
            max_queue_depth INTEGER NOT NULL DEFAULT 0,
            queue_utilization_percent REAL NOT NULL DEFAULT 0,
            queue_capacity INTEGER NOT NULL DEFAULT 0,
            worker_count INTEGER NOT NULL DEFAULT 0,
            drain_rate_per_second REAL NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX history_bus_by_time ON history_bus(time)",
        """CREATE TABLE history_dialogs (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            session TEXT NOT NULL,
            pane TEXT NOT NULL,
            outcome TEXT NOT NULL,
            prompt_kind TEXT NOT NULL DEFAULT '',
            tool TEXT NOT NULL DEFAULT '',
            target TEXT NOT NULL DEFAULT '',
            fingerprint TEXT NOT NULL DEFAULT '',
            rule TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            latency_ms REAL,
            ended REAL,
            wait_ms REAL,
            correlation_id TEXT
        )""",
        "CREATE INDEX history_dialogs_by_time ON history_dialogs(time)",
        "CREATE INDEX history_dialogs_by_session ON history_dialogs(session, pane, time)",
        """CREATE TABLE history_hourly_components (
            hour REAL NOT NULL,
            component TEXT NOT NULL,
            count INTEGER NOT NULL,
            errors INTEGER NOT NULL,
            cancelled INTEGER NOT NULL,
            sketch BLOB,
            samples BLOB,
            cpu_seconds REAL NOT NULL,
            avg_cpu_percent REAL NOT NULL,
            peak_cpu_percent REAL NOT NULL,
            avg_memory_delta_mb REAL NOT NULL,
            peak_memory_mb REAL NOT NULL,
            retained_memory_mb REAL NOT NULL,
            bytes_sent INTEGER NOT NULL,
            bytes_received INTEGER NOT NULL,
            intervals INTEGER NOT NULL,
            seconds REAL NOT NULL,
            PRIMARY KEY (hour, component)
        )""",
        """CREATE TABLE history_hourly_reports (
            hour REAL PRIMARY KEY,
            intervals INTEGER NOT NULL,
            seconds REAL NOT NULL,
            cpu_percent REAL NOT NULL,
            peak_cpu_percent REAL NOT NULL,
            memory_mb REAL NOT NULL,
            peak_memory_mb REAL NOT NULL,
            lag_p99_ms REAL NOT NULL,
            lag_max_ms REAL NOT NULL,
            slow_callbacks INTEGER NOT NULL,
            host_bytes_sent INTEGER NOT NULL,
            host_bytes_received INTEGER NOT NULL
        )""",
        """CREATE TABLE history_hourly_bus (
            hour REAL PRIMARY KEY,
            reports INTEGER NOT NULL,
            published INTEGER NOT NULL,
            processed INTEGER NOT NULL,
            dropped INTEGER NOT NULL,
            overflow INTEGER NOT NULL,
            handler_errors INTEGER NOT NULL,
            average_processing_ms REAL NOT NULL,
            max_queue_depth INTEGER NOT NULL,
            queue_utilization_percent REAL NOT NULL,
            queue_capacity INTEGER NOT NULL,
            worker_count INTEGER NOT NULL
        )""",
    ),
    # 3: named performance baselines (yesman.baseline).
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
    # 4: how many panes were watched during each report interval (NULL: not known), so the
    # history can tell whether a component slows down as panes are added; and what happened to
    # each pane's agent (restarts, exits, API errors, usage limits), for the per-pane ranking.
    (
        "ALTER TABLE history_reports ADD COLUMN panes INTEGER",
        """CREATE TABLE history_pane_events (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            session TEXT NOT NULL,
            pane TEXT NOT NULL,
            agent TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX history_pane_events_by_time ON history_pane_events(time)",
    ),
    # 5: runs of `yesman gates` (yesman.history._gate_runs): when, how long, which families,
    # strict or not, the exit code, the count of each gate status, and the whole JSON report.
    (
        """CREATE TABLE gate_runs (
            id INTEGER PRIMARY KEY,
            time REAL NOT NULL,
            duration_s REAL NOT NULL,
            families TEXT NOT NULL DEFAULT '[]',
            strict INTEGER NOT NULL DEFAULT 0,
            exit_code INTEGER NOT NULL,
            passed INTEGER NOT NULL DEFAULT 0,
            warning INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            error INTEGER NOT NULL DEFAULT 0,
            report TEXT NOT NULL
        )""",
        "CREATE INDEX gate_runs_by_time ON gate_runs(time)",
    ),
    # 6: alerts (yesman.alerts): one row per alert that fired, its notifications per sink, and
    # silences. `yesman alerts ack|silence` write here; a running watcher reads them back.
    (
        """CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            rule TEXT NOT NULL,
            kind TEXT NOT NULL,
            severity TEXT NOT NULL,
            labels TEXT NOT NULL DEFAULT '{}',
            details TEXT NOT NULL DEFAULT '{}',
            summary TEXT NOT NULL DEFAULT '',
            value REAL,
            state TEXT NOT NULL,
            started REAL NOT NULL,
            fired REAL NOT NULL,
            ended REAL,
            last_notified REAL,
            notifications INTEGER NOT NULL DEFAULT 0,
            acknowledged REAL,
            acknowledged_by TEXT NOT NULL DEFAULT '',
            silenced INTEGER NOT NULL DEFAULT 0,
            host TEXT NOT NULL DEFAULT '',
            pid INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX alerts_by_fired ON alerts(fired)",
        "CREATE INDEX alerts_by_state ON alerts(state, fired)",
        "CREATE INDEX alerts_by_fingerprint ON alerts(fingerprint)",
        """CREATE TABLE alert_notifications (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER,
            time REAL NOT NULL,
            sink TEXT NOT NULL,
            status TEXT NOT NULL,
            outcome TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX alert_notifications_by_alert ON alert_notifications(alert_id, time)",
        """CREATE TABLE alert_silences (
            id INTEGER PRIMARY KEY,
            created REAL NOT NULL,
            rule TEXT NOT NULL,
            matchers TEXT NOT NULL DEFAULT '{}',
            until REAL NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            created_by TEXT NOT NULL DEFAULT '',
            expired REAL
        )""",
        "CREATE INDEX alert_silences_by_until ON alert_silences(until)",
    ),
    # 7: which channel took each decision: "screen" (read from the pane, keys typed) or "hook"
    # (the agent's permission hook asked, yesman answered it; yesman.hooks).
    ("ALTER TABLE decisions ADD COLUMN channel TEXT NOT NULL DEFAULT 'screen'",),
    # 8: which agent (and which version of it) each decision and dialog outcome was about, now
    # that yesman watches several kinds; rows from before read as '' (not known).
    (
        "ALTER TABLE decisions ADD COLUMN agent TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE decisions ADD COLUMN agent_version TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE history_dialogs ADD COLUMN agent TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE history_dialogs ADD COLUMN agent_version TEXT NOT NULL DEFAULT ''",
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
