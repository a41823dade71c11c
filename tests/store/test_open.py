"""Opening files that are not (writable) yesman databases: nothing may change a byte of them."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from yesman.store import (
    AuditStore,
    DecisionRecord,
    StoreCorruptError,
    StoreForeignError,
    StoreNotFoundError,
    StoreUnwritableError,
)
from yesman.store._open import connect_read_only


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: _digest(p) for p in folder.iterdir()}


def _decision(target: str) -> DecisionRecord:
    return DecisionRecord(
        session="s", pane="%1", prompt_kind="tool_permission", action="answer",
        first_seen=1.0, target=target,
    )  # fmt: skip


def _foreign_db(path: Path) -> None:
    """Another program's SQLite file: its own tables, rollback journal, user_version 0."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO users (name) VALUES ('ada')")
    conn.commit()
    conn.close()


async def _yesman_db(path: Path, *targets: str) -> None:
    async with AuditStore.open(path) as store:
        for target in targets:
            await store.record(_decision(target))


@pytest.mark.parametrize("read_only", [True, False], ids=["reader", "watcher"])
async def test_a_foreign_database_is_refused_and_left_byte_for_byte(
    tmp_path: Path, read_only: bool
) -> None:
    path = tmp_path / "other-app.db"
    _foreign_db(path)
    before = _digest(path)
    with pytest.raises(StoreForeignError) as info:
        await AuditStore.open(path, read_only=read_only)
    message = str(info.value)
    assert str(path) in message
    assert "tables: users" in message
    assert "--db" in message
    assert _digest(path) == before
    assert _names(tmp_path) == ["other-app.db"]  # no -wal, no -shm


async def test_an_empty_file_is_not_a_database_to_read(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    path.touch()
    with pytest.raises(StoreNotFoundError, match=r"is empty \(0 bytes\)") as info:
        await AuditStore.open(path, read_only=True)
    assert str(path) in str(info.value)
    assert path.stat().st_size == 0


async def test_a_missing_file_is_not_created_by_a_reader(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    with pytest.raises(StoreNotFoundError, match="does not exist"):
        await AuditStore.open(path, read_only=True)
    assert not path.exists()


async def test_a_non_sqlite_file_is_refused_before_sqlite_sees_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my notes\n" * 50)
    before = _digest(path)
    for read_only in (True, False):
        with pytest.raises(StoreCorruptError, match="not an SQLite file"):
            await AuditStore.open(path, read_only=read_only)
    assert _digest(path) == before


async def test_reading_changes_nothing_and_writing_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    await _yesman_db(path, "one", "two")
    before = _digest(path)
    async with AuditStore.open(path, read_only=True) as store:
        assert [r.target for r in await store.list_decisions()] == ["two", "one"]
        with pytest.raises(StoreUnwritableError, match="read-only"):
            await store.record(_decision("three"))
    assert _digest(path) == before


# -- a read-only mount (needs root and tmpfs; tmp_path is root's own)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs (root only), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    where = tmp_path / "mnt"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", f"yesman-{uuid.uuid4().hex[:6]}", str(where)],
        capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


_KILLED_WRITER = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA wal_autocheckpoint=0")
conn.execute("INSERT INTO decisions (time, session, pane, prompt_kind, action, first_seen, target)"
             " VALUES (2, 's', '%1', 'tool_permission', 'answer', 2, 'only in the wal')")
os._exit(0)  # like kill -9: no checkpoint, -wal and -shm stay behind
"""


def _prepare_read_only(mnt: Path, leftovers: str) -> dict[str, str]:
    """Leave the database as a watcher would, remount read-only; the files' digests."""
    path = mnt / "audit.db"
    if leftovers != "clean":
        subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(path)], check=True)
    if leftovers == "wal only":
        Path(f"{path}-shm").unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
    return _digests(mnt)


@pytest.mark.parametrize(
    ("leftovers", "how", "expected"),
    [
        ("clean", "immutable", ["in the file"]),
        ("wal and shm", "ro", ["in the file", "only in the wal"]),
        ("wal only", "snapshot", ["in the file", "only in the wal"]),
    ],
)
async def test_a_database_on_a_read_only_mount_can_be_read(
    tmpfs: Path, leftovers: str, how: str, expected: list[str]
) -> None:
    path = tmpfs / "audit.db"
    await _yesman_db(path, "in the file")
    digests = _prepare_read_only(tmpfs, leftovers)

    handle = connect_read_only(path, timeout=1.0)
    try:
        assert handle.how == how
    finally:
        handle.close()
    async with AuditStore.open(path, read_only=True) as store:
        assert [r.target for r in await store.list_decisions()] == expected

    assert _digests(tmpfs) == digests


async def test_a_new_database_and_the_folders_made_for_it_are_private(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "yesman.db"
    async with AuditStore.open(path) as store:
        await store.count_decisions()
    for p, mode in ((path, 0o600), (path.parent, 0o700), (path.parent.parent, 0o700)):
        assert p.stat().st_mode & 0o777 == mode, p
    for companion in (path.with_name("yesman.db-wal"), path.with_name("yesman.db-shm")):
        if companion.exists():
            assert companion.stat().st_mode & 0o077 == 0, companion


async def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    async with AuditStore.open(folder / "yesman.db"):
        pass
    assert folder.stat().st_mode & 0o777 == 0o755
    assert (folder / "yesman.db").stat().st_mode & 0o777 == 0o600
