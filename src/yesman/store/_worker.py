"""One thread that owns one SQLite connection and runs jobs for the event loop.

Jobs run in submission order. Consecutive writes are batched into one transaction (one fsync);
if one job in a batch fails, the batch is rolled back and redone job by job so only the bad job
fails. A write's future resolves only after its transaction committed, so "the future is done"
means "the row is on disk".

"On disk" means in the file at the store's path: after every commit the worker checks that the
path and its ``-wal`` still name the files it opened (two `os.stat`, 3-7 µs each here, against
0.6-3 ms for a commit's fsync; benchmarks/store_write.py shows no throughput difference beyond
run-to-run noise, so it runs on every commit rather than every N ms). If either was deleted or
replaced, SQLite goes on writing into the unlinked inode without complaint; the worker instead
fails that batch and every later write with `StoreGoneError`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from yesman.store._errors import (
    StoreError,
    StoreGoneError,
    StoreNotFoundError,
    translate,
)
from yesman.store._open import (
    FileIdentity,
    ReadOnlyHandle,
    check_header,
    check_yesman_file,
    connect_read_only,
    identity,
)
from yesman.store._schema import migrate

__all__ = ["SqliteWorker"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Job:
    fn: Callable[[sqlite3.Connection], Any]
    write: bool
    future: Future[Any]


_STOP: Final = None


class SqliteWorker:
    """Runs `fn(connection)` jobs on a dedicated thread; see the module docstring."""

    def __init__(
        self,
        path: Path,
        *,
        create: bool,
        read_only: bool = False,
        batch_max: int = 512,
        busy_timeout: float = 5.0,
    ) -> None:
        self.path = path
        self._create = create and not read_only
        self._read_only = read_only
        self._identity: FileIdentity | None = None
        self._wal: Path = Path(f"{path}-wal")
        self._wal_identity: FileIdentity | None = None
        self._gone: StoreGoneError | None = None
        self._handle: ReadOnlyHandle | None = None
        self._busy_ms = max(0, round(busy_timeout * 1000))
        self._batch_max = batch_max
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.ready: Future[int] = Future()  # resolves to the schema version found at open
        self.stopped: Future[None] = Future()
        self._thread = threading.Thread(
            target=self._run, name=f"yesman-store:{path.name}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def submit(self, fn: Callable[[sqlite3.Connection], Any], *, write: bool) -> Future[Any]:
        future: Future[Any] = Future()
        self._queue.put(_Job(fn, write, future))
        return future

    def stop(self) -> None:
        """Ask the thread to finish the queued jobs, close the connection and exit."""
        self._queue.put(_STOP)

    # -- on the worker thread

    def _connect(self) -> sqlite3.Connection:
        if self._read_only:
            self._handle = connect_read_only(self.path, self._busy_ms / 1000)
            conn = self._handle.conn
            try:
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA query_only=1")  # belt and braces on top of mode=ro
                conn.execute(f"PRAGMA busy_timeout={self._busy_ms:d}")
                found = int(conn.execute("PRAGMA user_version").fetchone()[0])
            except BaseException as exc:
                self._handle.close()
                raise translate(exc, self.path) from exc
            self.ready.set_result(found)
            return conn
        return self._connect_writable()

    def _connect_writable(self) -> sqlite3.Connection:
        path = self.path
        if self._create:
            try:
                _create_private(path)
            except OSError as exc:
                raise translate(exc, path) from exc
        # Refuse a non-SQLite file before SQLite writes anything into it.
        if not check_header(path) and not self._create and not path.exists():
            raise StoreNotFoundError(
                f"no audit database at {path}; pass --db with an existing file", path
            )
        if self._create:
            target, uri = str(path), False
        else:
            target, uri = f"{path.resolve().as_uri()}?mode=rw", True
        try:
            conn = sqlite3.connect(
                target, uri=uri, isolation_level=None, timeout=self._busy_ms / 1000
            )
        except sqlite3.Error as exc:
            raise translate(exc, path) from exc
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={self._busy_ms:d}")
            # Only reads so far: another program's database is refused before we change a byte.
            check_yesman_file(conn, path, allow_blank=True)
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                _log.warning(
                    "%s: journal mode is %s, not WAL (filesystem without shared memory?)",
                    path,
                    mode,
                )
            # WAL + FULL: a commit is fsynced before it returns, so committed rows survive a
            # killed process and a power cut. Batching makes that one fsync per batch.
            conn.execute("PRAGMA synchronous=FULL")
            found = migrate(conn, path)
            self._identity = identity(path)
            # A WAL connection keeps its -wal open (never unlinks it) until it closes: rows
            # committed into a deleted -wal are as lost as rows in a deleted main file.
            self._wal_identity = identity(self._wal)
        except BaseException as exc:
            conn.close()
            raise translate(exc, path) from exc
        self.ready.set_result(found)
        return conn

    def _run(self) -> None:
        try:
            conn = self._connect()
        except BaseException as exc:  # handed to the opener; the thread has nothing else to do
            self.ready.set_exception(exc)
            self._fail_pending()
            self.stopped.set_result(None)
            return
        stopping = False
        try:
            while not stopping:
                batch = [self._queue.get()]
                while len(batch) < self._batch_max:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                writes: list[_Job] = []
                for job in batch:
                    if job is None or not job.write:
                        self._write_batch(conn, writes)
                        writes = []
                    if job is None:
                        stopping = True
                    elif job.write:
                        writes.append(job)
                    else:
                        self._read(conn, job)
                self._write_batch(conn, writes)
        finally:
            self._fail_pending()
            if self._handle is not None:
                self._handle.close()
            else:
                conn.close()
            self.stopped.set_result(None)

    def _read(self, conn: sqlite3.Connection, job: _Job) -> None:
        if not job.future.set_running_or_notify_cancel():
            return
        try:
            job.future.set_result(job.fn(conn))
        except sqlite3.Error as exc:
            job.future.set_exception(translate(exc, self.path))
        except Exception as exc:
            job.future.set_exception(exc)

    def _write_batch(self, conn: sqlite3.Connection, jobs: list[_Job]) -> None:
        jobs = [job for job in jobs if job.future.set_running_or_notify_cancel()]
        if not jobs:
            return
        if self._gone is not None:
            for job in jobs:
                job.future.set_exception(self._gone)
            return
        try:
            results = self._transaction(conn, jobs)
        except Exception as exc:
            if len(jobs) == 1 or isinstance(exc, sqlite3.OperationalError | StoreGoneError):
                # Lost the lock, disk full, I/O error: every job in the batch shares the fate.
                error = translate(exc, self.path) if isinstance(exc, sqlite3.Error) else exc
                if len(jobs) > 1:
                    _log.error("%s: %d writes failed: %s", self.path, len(jobs), error)
                for job in jobs:
                    job.future.set_exception(error)
                return
            # One job is bad (a constraint, a bug): redo them one by one so only it fails.
            for job in jobs:
                try:
                    (result,) = self._transaction(conn, [job])
                except Exception as single:
                    if isinstance(single, sqlite3.Error):
                        single = translate(single, self.path)
                    job.future.set_exception(single)
                else:
                    job.future.set_result(result)
            return
        for job, result in zip(jobs, results, strict=True):
            job.future.set_result(result)

    def _transaction(self, conn: sqlite3.Connection, jobs: list[_Job]) -> list[Any]:
        """Run `jobs` in one transaction; all committed to the file at our path, or the error."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            results = [job.fn(conn) for job in jobs]
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
        self._check_same_file()
        return results

    def _check_same_file(self) -> None:
        """StoreGoneError if our path (or its -wal) no longer names the file we opened."""
        if self._identity is None:
            return
        now = identity(self.path)
        if now == self._identity:
            if self._wal_identity is None:
                return
            wal_now = identity(self._wal)
            if wal_now == self._wal_identity:
                return
            what = f"its write-ahead log {self._wal} was " + (
                "deleted" if wal_now is None else "replaced by another file"
            )
        else:
            what = "was deleted" if now is None else "was replaced by another file"
        self._gone = StoreGoneError(
            f"the audit database {self.path} {what} while yesman had it open, so decisions "
            "written since then are not in it (this one was not recorded). Restart yesman "
            "(or stop and start the store) to open a database at that path again",
            self.path,
        )
        raise self._gone

    def _fail_pending(self) -> None:
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return
            if job is not None and job.future.set_running_or_notify_cancel():
                job.future.set_exception(
                    StoreError(f"the audit store {self.path} was closed", self.path)
                )


def _create_private(path: Path) -> None:
    """Make the folders and the file the audit will live in, readable by the user alone.

    Decisions name commands and files; other users of the machine have no business reading
    them. Folders and files that already exist keep their modes (`yesman gates` reports them).
    SQLite gives the -wal and -shm files the main file's mode.
    """
    missing = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by another process meanwhile
            folder.mkdir(mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
