"""Named baselines in a real SQLite file: save, read, list, replace, delete, reopen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from yesman.store import SCHEMA_VERSION, AuditStore, BaselineExistsError, StoredBaseline


def _row(name: str, created: float = 1.0, document: str = '{"x": 1}') -> StoredBaseline:
    return StoredBaseline(
        name=name, created=created, workload="demo", environment="cpu|2", document=document
    )


async def test_save_list_get_delete_survive_reopening(tmp_path: Path) -> None:
    db = tmp_path / "y.db"
    async with AuditStore.open(db) as store:
        await store.save_baseline(_row("old", created=1.0))
        await store.save_baseline(_row("new", created=2.0, document='{"y": 2}'))
    async with AuditStore.open(db) as store:
        listed = await store.list_baselines()
        assert [r.name for r in listed] == ["new", "old"]  # newest first
        assert all(r.document == "" for r in listed)  # listings skip documents
        got = await store.get_baseline("new")
        assert got is not None
        assert got.document == '{"y": 2}'
        assert got.workload == "demo"
        assert await store.delete_baseline("old") is True
        assert await store.delete_baseline("old") is False
        assert await store.get_baseline("old") is None
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT name FROM baselines").fetchall() == [("new",)]


async def test_a_taken_name_is_refused_unless_replacing(tmp_path: Path) -> None:
    async with AuditStore.open(tmp_path / "y.db") as store:
        await store.save_baseline(_row("v1", document='{"first": 1}'))
        with pytest.raises(BaselineExistsError, match="yesman baseline delete v1"):
            await store.save_baseline(_row("v1", document='{"second": 2}'))
        got = await store.get_baseline("v1")
        assert got is not None
        assert got.document == '{"first": 1}'
        await store.save_baseline(_row("v1", document='{"third": 3}'), replace=True)
        got = await store.get_baseline("v1")
        assert got is not None
        assert got.document == '{"third": 3}'
        assert len(await store.list_baselines()) == 1


async def test_read_only_store_reads_baselines(tmp_path: Path) -> None:
    db = tmp_path / "y.db"
    async with AuditStore.open(db) as store:
        await store.save_baseline(_row("v1"))
    async with AuditStore.open(db, read_only=True) as store:
        assert [r.name for r in await store.list_baselines()] == ["v1"]


@pytest.mark.parametrize("name", ["", "   "])
async def test_empty_names_are_refused(tmp_path: Path, name: str) -> None:
    async with AuditStore.open(tmp_path / "y.db") as store:
        with pytest.raises(ValueError, match="non-empty"):
            await store.save_baseline(_row(name))
