"""Errors raised by the store, each naming the database file and what to do about it.

    StoreError
    ├── StoreCorruptError      the file is not a (readable) SQLite database
    ├── StoreForeignError      a SQLite database, but not yesman's: left untouched
    ├── StoreNotFoundError     nothing to read: no file, or an empty (0-byte) one
    ├── StoreLockedError       another process holds a lock for longer than the busy timeout
    ├── StoreUnwritableError   the file or its folder cannot be created or written
    │   ├── StoreFullError     the disk (or the database's size limit) is full
    │   └── StoreGoneError     the file was deleted or replaced while the store had it open
    ├── StoreVersionError      the schema is newer than this yesman knows
    └── StoreClosedError       the store was used while it was not running

Every write (`record()`, the `update_*` calls) either returns after its row was committed to the
file at the store's path, or raises one of these: a caller that gets no exception has a row.
Underlying `sqlite3` and `OSError` exceptions are chained (``raise ... from``) for the details.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from yesman._errors import YesmanError

__all__ = [
    "StoreClosedError",
    "StoreCorruptError",
    "StoreError",
    "StoreForeignError",
    "StoreFullError",
    "StoreGoneError",
    "StoreLockedError",
    "StoreNotFoundError",
    "StoreUnwritableError",
    "StoreVersionError",
]


class StoreError(YesmanError):
    """Something is wrong with the audit database; the message says which file and what to do."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class StoreCorruptError(StoreError):
    """The file exists but is not a readable SQLite database."""


class StoreForeignError(StoreError):
    """A SQLite database without yesman's tables; yesman neither reads nor changes it."""


class StoreNotFoundError(StoreError):
    """There is no audit database to read at the path: no file, or an empty one."""


class StoreLockedError(StoreError):
    """Another connection kept the database locked past the busy timeout."""


class StoreUnwritableError(StoreError):
    """The database file or its folder cannot be created or written."""


class StoreFullError(StoreUnwritableError):
    """SQLite reported SQLITE_FULL: the disk, or the database's page limit, is full."""


class StoreGoneError(StoreUnwritableError):
    """The file at the store's path is no longer the one it opened (deleted, or replaced)."""


class StoreVersionError(StoreError):
    """The database was written by a newer yesman with a schema this one does not know."""


class StoreClosedError(StoreError):
    """The store is not running (not started yet, or stopped)."""


def _code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None  # primary code of an extended one


def translate(exc: BaseException, path: Path) -> StoreError:
    """Map an sqlite3/OS error on `path` to the `StoreError` a user can act on."""
    if isinstance(exc, StoreError):
        return exc
    text = str(exc)
    lowered = text.lower()
    code = _code(exc)
    if code == sqlite3.SQLITE_FULL or "disk is full" in lowered:
        return StoreFullError(
            f"the audit database {path} could not be written: {text}. Nothing was recorded; "
            "free space on its disk (df -h) or pass --db with a path on another disk",
            path,
        )
    if isinstance(exc, PermissionError) or "readonly" in lowered or "read-only" in lowered:
        return StoreUnwritableError(
            f"cannot write the audit database {path} ({text}); check its permissions and "
            "those of its folder, or pass --db with a writable path",
            path,
        )
    if "locked" in lowered or "busy" in lowered:
        return StoreLockedError(
            f"the audit database {path} is locked by another process ({text}); stop the other "
            "yesman using it or pass --db with another file",
            path,
        )
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return StoreCorruptError(
            f"{path} is not a readable yesman database ({text}); move it aside "
            f"(mv '{path}' '{path}.bad') and yesman will start a new one, or pass --db with "
            "another file",
            path,
        )
    if isinstance(exc, OSError) or "unable to open" in lowered or "disk" in lowered:
        return StoreUnwritableError(
            f"cannot open the audit database {path} ({text}); check that its folder exists and "
            "is writable and the disk is not full, or pass --db with another path",
            path,
        )
    if isinstance(exc, sqlite3.Error):
        return StoreError(f"SQLite error on {path}: {text}", path)
    return StoreError(f"unexpected error on {path}: {exc!r}", path)
