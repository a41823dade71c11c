"""Named performance baselines in the audit database (the ``baselines`` table, migration 3).

The store keeps a baseline as an opaque JSON document plus the few columns a listing needs
(name, when, which workload, which environment); what the document means is
`yesman.baseline`'s business, so this layer never parses it. The functions here build the jobs
that `AuditStore` hands to its worker thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from yesman.store._errors import StoreError

__all__ = ["BaselineExistsError", "StoredBaseline"]


class BaselineExistsError(StoreError):
    """A baseline of that name is already saved and replacing it was not asked for."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredBaseline:
    """One row of the ``baselines`` table. `document` is the baseline's JSON text; listings
    leave it empty (``""``) to avoid reading every document."""

    name: str
    created: float
    workload: str = ""
    environment: str = ""
    document: str = ""
    id: int | None = None


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"a baseline name must be a non-empty string, got {name!r}")
    return name


def save_job(
    row: StoredBaseline, *, replace: bool, path: Path
) -> Callable[[sqlite3.Connection], int]:
    """The write that stores `row`; it raises `BaselineExistsError` rather than overwrite."""
    name = _check_name(row.name)
    if not row.document:
        raise ValueError(f"baseline {name!r} has an empty document; nothing to save")
    params = (name, float(row.created), row.workload, row.environment, row.document)

    def run(conn: sqlite3.Connection) -> int:
        found = conn.execute("SELECT id FROM baselines WHERE name = ?", (name,)).fetchone()
        if found is not None:
            if not replace:
                raise BaselineExistsError(
                    f"a baseline named {name!r} is already saved in {path}; pick another "
                    "--name, or delete it first (yesman baseline delete "
                    f"{name})",
                    path,
                )
            conn.execute("DELETE FROM baselines WHERE id = ?", (found["id"],))
        cur = conn.execute(
            "INSERT INTO baselines (name, created, workload, environment, document) "
            "VALUES (?, ?, ?, ?, ?)",
            params,
        )
        return int(cur.lastrowid or 0)

    return run


def get_job(name: str) -> Callable[[sqlite3.Connection], StoredBaseline | None]:
    def run(conn: sqlite3.Connection) -> StoredBaseline | None:
        row = conn.execute("SELECT * FROM baselines WHERE name = ?", (name,)).fetchone()
        return None if row is None else _from_row(row, with_document=True)

    return run


def list_job() -> Callable[[sqlite3.Connection], list[StoredBaseline]]:
    def run(conn: sqlite3.Connection) -> list[StoredBaseline]:
        rows = conn.execute(
            "SELECT id, name, created, workload, environment FROM baselines "
            "ORDER BY created DESC, id DESC"
        ).fetchall()
        return [_from_row(row, with_document=False) for row in rows]

    return run


def delete_job(name: str) -> Callable[[sqlite3.Connection], bool]:
    def run(conn: sqlite3.Connection) -> bool:
        return conn.execute("DELETE FROM baselines WHERE name = ?", (name,)).rowcount == 1

    return run


def _from_row(row: sqlite3.Row, *, with_document: bool) -> StoredBaseline:
    return StoredBaseline(
        id=row["id"],
        name=row["name"],
        created=row["created"],
        workload=row["workload"],
        environment=row["environment"],
        document=row["document"] if with_document else "",
    )
