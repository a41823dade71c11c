"""Opening the database file: read-write for the watcher, read-only for the readers.

Both refuse, without changing a byte, a file that is not yesman's: a SQLite database of another
program (yesman would otherwise add its tables, set ``user_version`` and switch the journal to
WAL) and, when reading, an empty or missing file (SQLite would happily treat it as an empty
database).

Reading uses SQLite's ``mode=ro`` URI. A WAL database needs its ``-shm`` index, which a reader
creates when missing; on a read-only mount or folder it cannot, and SQLite 3.40 then answers
"unable to open database file". Two fall-backs, chosen by what is on disk:

* no ``-wal`` file (or an empty one): every committed row is in the main file, and no WAL-mode
  connection has the database open (the last one to close removes the ``-wal``). Reopen with
  ``immutable=1``, which tells SQLite to skip locking and the index. That is only safe when
  nobody writes the file while we read, hence only in this situation, never by default:
  immutable reads ignore the ``-wal`` entirely and would miss rows a killed watcher left there.
* a non-empty ``-wal`` without a usable ``-shm`` (a watcher was killed, then the folder became
  read-only): copy the file and its ``-wal`` to a private temporary folder and read the copy,
  where the index can be built. The original stays untouched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from yesman.store._errors import (
    StoreCorruptError,
    StoreForeignError,
    StoreNotFoundError,
    StoreVersionError,
    translate,
)
from yesman.store._schema import SCHEMA_VERSION

__all__ = ["FileIdentity", "ReadOnlyHandle", "check_yesman_file", "connect_read_only", "identity"]

_MAGIC: Final = b"SQLite format 3\x00"
_OURS: Final = "decisions"  # the table every yesman schema version has


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """What a path pointed at when the store opened it (`os.stat` device and inode)."""

    device: int
    inode: int


def identity(path: Path) -> FileIdentity | None:
    """The file `path` names now, or None when there is none."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return FileIdentity(st.st_dev, st.st_ino)


def check_header(path: Path) -> bool:
    """True if `path` is a non-empty file; StoreCorruptError if it is not SQLite at all.

    Read before SQLite touches the file, so a stray file is refused with its bytes intact.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_MAGIC))
    except FileNotFoundError:
        return False
    except IsADirectoryError as exc:
        raise StoreCorruptError(
            f"{path} is a folder, not an audit database; pass --db with a file path", path
        ) from exc
    except OSError as exc:
        raise translate(exc, path) from exc
    if not head:
        return False
    if head != _MAGIC:
        raise StoreCorruptError(
            f"{path} is not a readable yesman database (it is not an SQLite file); move it aside "
            f"(mv '{path}' '{path}.bad') and yesman will start a new one, or pass --db with "
            "another file",
            path,
        )
    return True


def check_yesman_file(conn: sqlite3.Connection, path: Path, *, allow_blank: bool) -> int:
    """The schema version of an open database, refusing one that is not yesman's.

    Only reads. `allow_blank`: an SQLite database with no tables at all counts as a new yesman
    database (the watcher may migrate it) instead of a foreign one.
    """
    # One read transaction, so both answers come from the same snapshot: read apart, a migration
    # committed by another opener in between looked like tables without a version (foreign).
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = sorted(
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        )
    finally:
        if began:
            conn.execute("COMMIT")
    if _OURS in tables and version >= 1:
        if version > SCHEMA_VERSION:
            raise StoreVersionError(
                f"{path} has schema version {version} but this yesman knows only up to "
                f"{SCHEMA_VERSION}; upgrade yesman or pass --db with another file",
                path,
            )
        return version
    if not tables and version == 0 and allow_blank:
        return 0
    shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
    what = f"tables: {shown}" if tables else "no tables"
    raise StoreForeignError(
        f"{path} is an SQLite database but not a yesman audit database ({what}; "
        f"user_version {version}); yesman left it unchanged. Pass --db with yesman's own "
        "database, or a path where a new one may be created",
        path,
    )


class ReadOnlyHandle:
    """A read-only connection and whatever must be cleaned up with it (a snapshot folder)."""

    __slots__ = ("_snapshot", "conn", "how")

    def __init__(self, conn: sqlite3.Connection, how: str, snapshot: Path | None = None) -> None:
        self.conn = conn
        self.how = how  # "ro", "immutable" or "snapshot": for logs and tests
        self._snapshot = snapshot

    def close(self) -> None:
        self.conn.close()
        if self._snapshot is not None:
            shutil.rmtree(self._snapshot, ignore_errors=True)


def _connect_uri(path: Path, query: str, timeout: float) -> sqlite3.Connection:
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?{query}", uri=True, isolation_level=None, timeout=timeout
    )
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opening is lazy
    except BaseException:
        conn.close()
        raise
    return conn


def _cannot_open(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_CANTOPEN


def connect_read_only(path: Path, timeout: float) -> ReadOnlyHandle:
    """Open yesman's database at `path` for reading only; see the module docstring."""
    if not check_header(path):
        state = "is empty (0 bytes)" if path.exists() else "does not exist"
        raise StoreNotFoundError(
            f"no audit database at {path}: the file {state}. `yesman watch` creates it on its "
            "first decision; check the --db path (the default is $XDG_DATA_HOME/yesman/yesman.db)",
            path,
        )
    handle: ReadOnlyHandle | None = None
    try:
        try:
            handle = ReadOnlyHandle(_connect_uri(path, "mode=ro", timeout), "ro")
        except sqlite3.OperationalError as exc:
            if not _cannot_open(exc):
                raise
            handle = _fallback(path, timeout)
        check_yesman_file(handle.conn, path, allow_blank=False)
    except BaseException as exc:
        if handle is not None:
            handle.close()
        if isinstance(exc, sqlite3.Error | OSError):
            raise translate(exc, path) from exc
        raise
    return handle


def _fallback(path: Path, timeout: float) -> ReadOnlyHandle:
    wal = Path(f"{path}-wal")
    try:
        wal_size = wal.stat().st_size
    except FileNotFoundError:
        wal_size = 0
    if wal_size == 0:
        return ReadOnlyHandle(_connect_uri(path, "mode=ro&immutable=1", timeout), "immutable")
    snapshot = Path(tempfile.mkdtemp(prefix="yesman-audit-"))
    try:
        copy = snapshot / path.name
        # main file first: frames appended to the -wal meanwhile still apply on top of it (a
        # writer is unlikely anyway: we are here because the folder is read-only for us)
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, f"{copy}-wal")
        return ReadOnlyHandle(_connect_uri(copy, "mode=ro", timeout), "snapshot", snapshot)
    except BaseException:
        with contextlib.suppress(OSError):
            shutil.rmtree(snapshot)
        raise
