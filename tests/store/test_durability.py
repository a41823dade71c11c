"""A committed row survives `kill -9` of the writing process, and the file stays intact."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from yesman.store import (
    AuditStore,
    DecisionRecord,
    StoreError,
    StoreFullError,
    StoreGoneError,
    StoreUnwritableError,
)
from yesman.store._worker import SqliteWorker

# The writer: records decisions in concurrent bursts (so batches are in flight) and prints the
# id of each one as soon as `record()` returned, i.e. once the store says it is committed.
WRITER = """
import asyncio, sys, time
from yesman.store import AuditStore, DecisionRecord, StoreError
from yesman.store._worker import SqliteWorker

async def main(path):
    async with AuditStore.open(path) as store:
        n = 0
        while True:
            burst = [
                DecisionRecord(session="s", pane="%1", prompt_kind="tool_permission",
                               action="answer", first_seen=time.time(), target=f"t{n + i}")
                for i in range(7)
            ]
            n += len(burst)
            for saved in await asyncio.gather(*(store.record(rec) for rec in burst)):
                print(saved.id, flush=True)

asyncio.run(main(sys.argv[1]))
"""


def _write_then_kill(path: Path, at_least: int) -> tuple[list[int], set[int]]:
    """Run the writer until it reported `at_least` commits, SIGKILL it; (reported, stored)."""
    committed: list[int] = []
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as writer:
        assert writer.stdout is not None
        for line in writer.stdout:
            committed.append(int(line))
            if len(committed) >= at_least:
                break
        writer.send_signal(signal.SIGKILL)  # mid-stream: more bursts are queued and writing
        writer.wait(timeout=10)
        assert writer.returncode == -signal.SIGKILL
        committed.extend(int(line) for line in writer.stdout.read().split())
    assert Path(f"{path}-wal").exists()  # never checkpointed: the rows are only in the WAL
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in conn.execute("SELECT id FROM decisions")}
    finally:
        conn.close()
    return committed, stored


async def test_committed_rows_survive_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    committed, stored = await asyncio.to_thread(_write_then_kill, path, 400)
    assert len(committed) >= 400
    assert set(committed) <= stored
    assert stored == set(range(1, len(stored) + 1))  # no holes: whole transactions or nothing

    async with AuditStore.open(path) as store:  # and yesman carries on with the same file
        assert await store.count_decisions() == len(stored)
        saved = await store.record(
            DecisionRecord(session="s", pane="%1", prompt_kind="x", action="hold", first_seen=0.0)
        )
    assert saved.id == len(stored) + 1


def test_one_bad_write_in_a_batch_fails_alone(tmp_path: Path) -> None:
    worker = SqliteWorker(tmp_path / "audit.db", create=True)

    def insert(row_id: int) -> Callable[[sqlite3.Connection], int]:
        def run(conn: sqlite3.Connection) -> int:
            conn.execute("INSERT INTO events (id, time, type) VALUES (?, 0, 'custom')", (row_id,))
            return row_id

        return run

    # Queued before the thread starts, so all five land in one batch.
    futures = [worker.submit(insert(n), write=True) for n in (1, 2, 2, 3, 4)]
    worker.start()
    worker.stop()
    worker.stopped.result(timeout=10)
    assert [f.result() for i, f in enumerate(futures) if i != 2] == [1, 2, 3, 4]
    error = futures[2].exception()
    assert isinstance(error, StoreError)
    assert "UNIQUE constraint failed" in str(error)
    conn = sqlite3.connect(tmp_path / "audit.db")
    try:
        assert [r[0] for r in conn.execute("SELECT id FROM events ORDER BY id")] == [1, 2, 3, 4]
    finally:
        conn.close()


# -- a write that does not reach the file must raise


def _rec(n: int, reason: str = "") -> DecisionRecord:
    return DecisionRecord(
        session="s", pane="%1", prompt_kind="tool_permission", action="answer",
        first_seen=float(n), target=f"t{n}", reason=reason,
    )  # fmt: skip


async def test_a_file_deleted_while_open_fails_the_next_write(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    async with AuditStore.open(path) as store:
        saved = await store.record(_rec(1))
        assert saved.id is not None
        path.unlink()
        with pytest.raises(StoreGoneError) as info:
            await store.record(_rec(2))
        assert str(path) in str(info.value)
        assert "was deleted while yesman had it open" in str(info.value)
        with pytest.raises(StoreGoneError):  # and every later write, updates included
            await store.update_verified(saved.id, True)
        future = store.record_nowait(_rec(3))
        await store.stop()
    assert isinstance(future.exception(), StoreGoneError)
    async with store:  # a restart opens a new database at the path
        assert await store.count_decisions() == 0
        await store.record(_rec(4))


async def test_a_file_replaced_while_open_fails_the_next_write(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    async with AuditStore.open(path) as store:
        await store.record(_rec(1))
        other = tmp_path / "other.db"
        async with AuditStore.open(other) as second:
            await second.record(_rec(9))
        os.replace(other, path)
        with pytest.raises(StoreGoneError, match="was replaced by another file"):
            await store.record(_rec(2))


async def test_a_full_database_raises_and_keeps_no_row(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    async with AuditStore.open(path) as store:
        await store.record(_rec(0))
        pages = await store._read(lambda conn: int(conn.execute("PRAGMA page_count").fetchone()[0]))
        # SQLite's own size cap yields the same SQLITE_FULL a full disk does
        await store._read(lambda conn: conn.execute(f"PRAGMA max_page_count = {pages + 2}"))
        stored = 1

        async def fill() -> None:
            nonlocal stored
            for n in range(1, 100):
                await store.record(_rec(n, reason="x" * 3000))
                stored += 1

        with pytest.raises(StoreFullError) as info:
            await fill()
        assert str(path) in str(info.value)
        assert "free space" in str(info.value)
        assert isinstance(info.value, StoreUnwritableError)
        assert await store.count_decisions() == stored
    assert 1 < stored < 100


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs (root only), unmounted afterwards: room for the schema and a few rows."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "yesman-full", str(mnt)],
        capture_output=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


async def test_a_full_disk_raises_and_keeps_no_row(tiny_disk: Path) -> None:
    path = tiny_disk / "audit.db"
    returned = 0

    async def fill(store: AuditStore) -> None:
        nonlocal returned
        for n in range(1000):
            await store.record(_rec(n, reason="y" * 4000))
            returned += 1

    async with AuditStore.open(path) as store:
        with pytest.raises(StoreFullError, match="free space on its disk"):
            await fill(store)
        assert await store.count_decisions() == returned
    assert returned > 5


async def test_a_write_ahead_log_deleted_while_open_fails_the_next_write(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    async with AuditStore.open(path) as store:
        await store.record(_rec(1))
        os.unlink(f"{path}-wal")  # rows committed from now on would go nowhere
        with pytest.raises(StoreGoneError, match=r"its write-ahead log .*-wal was deleted"):
            await store.record(_rec(2))
