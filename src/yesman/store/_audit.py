"""`AuditStore`: decisions and bus events in one SQLite file, written off the event loop.

    async with AuditStore.open(path) as store:        # or: store = await AuditStore.open(path)
        saved = await store.record(DecisionRecord(...))  # returns once committed to disk
        await store.update_verified(saved.id, True)
        rows = await store.list_decisions(limit=50)       # newest first

    async with AuditStore.open(path, read_only=True) as store:   # readers: never writes
        rows = await store.list_decisions()

Lifecycle (`yesman._lifecycle`): `start()` opens, `stop()`/`aclose()` finish queued writes and
close, both idempotent; a stopped store can be started again (it reopens the file).

Read-only stores open with SQLite's ``mode=ro``, migrate nothing and refuse a file that is not a
yesman database (see `yesman.store._open`); writable stores refuse another program's database
before changing a byte of it.

Durability: WAL journal with ``synchronous=FULL``. A write's coroutine returns only after its
transaction committed and was fsynced, so a row whose `record()` returned survives ``kill -9``
of the process (and a power cut). Conversely a write that did not reach the file raises a
`StoreError`: `StoreFullError` for a full disk, `StoreGoneError` when the file was deleted or
replaced while open, and so on. A caller that must not act without a record (the watcher
typing an answer) can rely on that. Writes are batched: everything queued while one transaction
commits goes into the next, so the fsync cost is paid per batch, not per row.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import sqlite3
from collections.abc import Callable, Generator, Mapping
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

from yesman._lifecycle import Service
from yesman.store import _baselines
from yesman.store._baselines import StoredBaseline
from yesman.store._errors import StoreClosedError, StoreUnwritableError
from yesman.store._paths import default_db_path
from yesman.store._records import DecisionRecord, EventRecord
from yesman.store._schema import SCHEMA_VERSION
from yesman.store._worker import SqliteWorker

__all__ = ["AuditStore", "EventLike"]

_log = logging.getLogger(__name__)

_T = TypeVar("_T")

_DECISION_COLUMNS = (
    "time, session, pane, prompt_kind, tool, target, options, action, keys, rule, reason, "
    "first_seen, answered_at, latency_ms, verified, dry_run, fingerprint, server, correlation_id, "
    "channel, agent, agent_version"
)

_INSERT_DECISION = (
    f"INSERT INTO decisions ({_DECISION_COLUMNS}) "
    f"VALUES ({', '.join('?' * len(_DECISION_COLUMNS.split(',')))})"
)


class EventLike(Protocol):
    """What `record_event` needs of an event; `yesman.bus.Event` is one."""

    @property
    def type(self) -> str: ...
    @property
    def data(self) -> Mapping[str, Any]: ...
    @property
    def source(self) -> str: ...
    @property
    def timestamp(self) -> float: ...
    @property
    def correlation_id(self) -> str | None: ...
    @property
    def priority(self) -> int: ...


class _State(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    STOPPED = "stopped"


def _json(value: object) -> str:
    """JSON for a column; never raises: what JSON cannot hold is kept as its repr."""
    try:
        return json.dumps(value, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):
        return json.dumps({"unserialisable": repr(value)})


class AuditStore(Service):
    """The audit database. Open it with `async with` (or ``await``, or `start()`), close with
    `stop()`/`aclose()`; it can be started again after stopping.

    `path` defaults to `default_db_path()`. With ``create=False`` a missing file is an error
    instead of being created. With ``read_only=True`` (what `yesman audit` wants) the file must
    already be a yesman database; it is opened read-only, never migrated, and the write methods
    raise `StoreUnwritableError`. All methods are coroutines that hand the work to one thread;
    the event loop never waits on the disk.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        create: bool = True,
        read_only: bool = False,
        batch_max: int = 512,
        busy_timeout: float = 5.0,
    ) -> None:
        self._path = Path(path).expanduser() if path is not None else default_db_path()
        self._create = create and not read_only
        self._read_only = read_only
        self._batch_max = batch_max
        self._busy_timeout = busy_timeout
        self._state = _State.NEW
        self._worker: SqliteWorker | None = None

    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        *,
        create: bool = True,
        read_only: bool = False,
        busy_timeout: float = 5.0,
    ) -> AuditStore:
        """A store for `path`, opened by ``async with`` or ``await``. `busy_timeout` is how many
        seconds to wait for another process's lock before `StoreLockedError`."""
        return cls(path, create=create, read_only=read_only, busy_timeout=busy_timeout)

    @property
    def path(self) -> Path:
        return self._path

    @property
    def is_open(self) -> bool:
        return self._state is _State.RUNNING

    @property
    def read_only(self) -> bool:
        return self._read_only

    # -- lifecycle

    async def start(self) -> None:
        """Open the file; a writable store also switches it to WAL and migrates it. Does nothing
        while running; after `stop()` it opens the file afresh."""
        if self._state is _State.RUNNING:
            return
        worker = SqliteWorker(
            self._path,
            create=self._create,
            read_only=self._read_only,
            batch_max=self._batch_max,
            busy_timeout=self._busy_timeout,
        )
        worker.start()
        try:
            # Shielded so a cancelled opener cannot cancel the thread's own futures under it.
            found = await asyncio.shield(asyncio.wrap_future(worker.ready))
        except asyncio.CancelledError:
            worker.stop()  # abandoned: let the thread close the file and end
            raise
        if self.is_open:  # a concurrent start() won while we waited: keep its worker
            worker.stop()
            return
        self._worker = worker
        self._state = _State.RUNNING
        if found != SCHEMA_VERSION and not self._read_only:
            _log.info("%s: schema migrated from v%d to v%d", self._path, found, SCHEMA_VERSION)

    async def stop(self) -> None:
        """Finish every queued write, then close the file. Idempotent; `start()` reopens."""
        worker, self._worker = self._worker, None
        if self._state is _State.RUNNING:
            self._state = _State.STOPPED
        if worker is not None:
            worker.stop()
            await asyncio.shield(asyncio.wrap_future(worker.stopped))

    def __await__(self) -> Generator[Any, None, Self]:
        return self._opened().__await__()

    async def _opened(self) -> Self:
        await self.start()
        return self

    # -- plumbing

    def _submit(self, fn: Callable[[sqlite3.Connection], _T], *, write: bool) -> Future[_T]:
        if self._worker is None:
            state = "not open yet" if self._state is _State.NEW else "stopped"
            raise StoreClosedError(
                f"the audit store {self._path} is {state}; use it inside `async with` or "
                "`await store.start()` first",
                self._path,
            )
        if write and self._read_only:
            raise StoreUnwritableError(
                f"the audit store {self._path} was opened read-only; open it without "
                "read_only=True to record",
                self._path,
            )
        return self._worker.submit(fn, write=write)

    async def _write(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        # Shielded: a caller that is cancelled while waiting does not unqueue its row; an audit
        # trail should not lose a decision because the watcher was shutting down.
        return await asyncio.shield(asyncio.wrap_future(self._submit(fn, write=True)))

    async def _read(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        return await asyncio.wrap_future(self._submit(fn, write=False))

    # -- decisions

    async def record(self, rec: DecisionRecord) -> DecisionRecord:
        """Store `rec`; once it is committed to disk, return it with its `id` set."""
        row_id = await self._write(_insert_decision(rec))
        return replace(rec, id=row_id)

    def record_nowait(self, rec: DecisionRecord) -> Future[int]:
        """Queue `rec` without waiting (for sync callers); the future resolves to its row id
        once committed."""
        return self._submit(_insert_decision(rec), write=True)

    async def update_verified(self, decision_id: int, verified: bool) -> bool:
        """Set whether decision `decision_id`'s answer took; False if there is no such row."""

        def run(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "UPDATE decisions SET verified = ? WHERE id = ?", (int(verified), decision_id)
            )
            return cur.rowcount == 1

        return await self._write(run)

    async def update_answered(
        self,
        decision_id: int,
        *,
        keys: tuple[str, ...],
        answered_at: float,
        latency_ms: float,
    ) -> bool:
        """Record that decision `decision_id`'s keys were sent; False if there is no such row.

        The watcher writes a decision before it types anything and this afterwards, so a crash
        in between leaves a row that truthfully shows no keys sent.
        """
        sent = json.dumps(list(keys))

        def run(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "UPDATE decisions SET keys = ?, answered_at = ?, latency_ms = ? WHERE id = ?",
                (sent, answered_at, latency_ms, decision_id),
            )
            return cur.rowcount == 1

        return await self._write(run)

    async def list_decisions(
        self,
        limit: int = 100,
        since: float | None = None,
        session: str | None = None,
        agent: str | None = None,
    ) -> list[DecisionRecord]:
        """The newest `limit` decisions (at or after `since`, of `session`, about `agent`),
        newest first. Decisions recorded before yesman kept the agent have agent ``""``."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer, got {limit!r}")

        def run(conn: sqlite3.Connection) -> list[DecisionRecord]:
            wanted = agent
            if wanted is not None and not _has_column(conn, "decisions", "agent"):
                # A read-only store of an older schema: every row's agent is unknown ("").
                if wanted:
                    return []
                wanted = None
            where, params = _filters(since=since, session=session, agent=wanted)
            rows = conn.execute(
                f"SELECT * FROM decisions {where} ORDER BY time DESC, id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
            return [DecisionRecord.from_row(row) for row in rows]

        return await self._read(run)

    async def count_decisions(self) -> int:
        return await self._read(
            lambda conn: int(conn.execute("SELECT count(*) FROM decisions").fetchone()[0])
        )

    # -- events

    async def record_event(self, event: EventLike) -> int:
        """Store a bus event; return its row id once committed."""
        return await self._write(_insert_event(event))

    def record_event_nowait(self, event: EventLike) -> Future[int]:
        """Queue a bus event without waiting; usable as a sync bus handler."""
        return self._submit(_insert_event(event), write=True)

    async def list_events(
        self, limit: int = 100, since: float | None = None, event_type: str | None = None
    ) -> list[EventRecord]:
        """The newest `limit` events (at or after `since`, of `event_type`), newest first."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer, got {limit!r}")
        where, params = _filters(since=since, type=event_type)

        def run(conn: sqlite3.Connection) -> list[EventRecord]:
            rows = conn.execute(
                f"SELECT * FROM events {where} ORDER BY time DESC, id DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
            return [
                EventRecord(
                    id=row["id"],
                    time=row["time"],
                    type=row["type"],
                    source=row["source"],
                    priority=row["priority"],
                    correlation_id=row["correlation_id"],
                    data=json.loads(row["data"]),
                )
                for row in rows
            ]

        return await self._read(run)

    # -- other tables of the same database (the performance history)

    def submit_nowait(
        self, fn: Callable[[sqlite3.Connection], _T], *, write: bool = True
    ) -> Future[_T]:
        """Queue `fn(connection)` on the store's thread without waiting; for sync callers.

        A write job joins the current batch: it runs inside that batch's transaction, so it must
        not BEGIN or COMMIT itself, and its future resolves once the batch is committed. Jobs run
        in submission order, so a job may read the result of an earlier job's future.
        """
        return self._submit(fn, write=write)

    async def run_write(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run `fn(connection)` as a write job; returns its result once committed."""
        return await self._write(fn)

    async def run_read(self, fn: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run `fn(connection)` as a read job on the store's thread."""
        return await self._read(fn)

    # -- baselines (yesman.baseline stores its documents here; see yesman.store._baselines)

    async def save_baseline(self, row: StoredBaseline, *, replace: bool = False) -> int:
        """Save a named baseline once committed; return its row id. An existing name raises
        `BaselineExistsError` unless `replace` is true."""
        return await self._write(_baselines.save_job(row, replace=replace, path=self._path))

    async def get_baseline(self, name: str) -> StoredBaseline | None:
        """The baseline called `name` with its document, or None."""
        return await self._read(_baselines.get_job(name))

    async def list_baselines(self) -> list[StoredBaseline]:
        """Every saved baseline, newest first, without documents."""
        return await self._read(_baselines.list_job())

    async def delete_baseline(self, name: str) -> bool:
        """Delete the baseline called `name`; False when there was none."""
        return await self._write(_baselines.delete_job(name))

    async def flush(self) -> None:
        """Wait until every write queued before this call is committed."""
        await self._write(lambda conn: None)


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    return any(row[1] == column for row in conn.execute(f"PRAGMA table_info({table})"))


def _filters(**conditions: object) -> tuple[str, tuple[object, ...]]:
    clauses: list[str] = []
    params: list[object] = []
    for column, value in conditions.items():
        if value is None:
            continue
        clauses.append("time >= ?" if column == "since" else f"{column} = ?")
        params.append(value)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)


def _insert_decision(rec: DecisionRecord) -> Callable[[sqlite3.Connection], int]:
    if not isinstance(rec, DecisionRecord):
        raise TypeError(f"record() takes a DecisionRecord, got {type(rec).__name__}")
    params = (
        rec.time,
        rec.session,
        rec.pane,
        rec.prompt_kind,
        rec.tool,
        rec.target,
        _json(list(rec.options)),
        rec.action,
        _json(list(rec.keys)),
        rec.rule,
        rec.reason,
        rec.first_seen,
        rec.answered_at,
        rec.latency_ms,
        None if rec.verified is None else int(rec.verified),
        int(rec.dry_run),
        rec.fingerprint,
        rec.server,
        rec.correlation_id,
        rec.channel,
        rec.agent,
        rec.agent_version,
    )

    def run(conn: sqlite3.Connection) -> int:
        cur = conn.execute(_INSERT_DECISION, params)
        return int(cur.lastrowid or 0)

    return run


def _insert_event(event: EventLike) -> Callable[[sqlite3.Connection], int]:
    params = (
        float(event.timestamp),
        str(event.type),
        str(event.source),
        int(event.priority),
        event.correlation_id,
        _json(dict(event.data)),
    )

    def run(conn: sqlite3.Connection) -> int:
        cur = conn.execute(
            "INSERT INTO events (time, type, source, priority, correlation_id, data) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            params,
        )
        return int(cur.lastrowid or 0)

    return run
