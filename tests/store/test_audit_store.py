"""AuditStore against real SQLite files: round trips, filters, lifecycle, bad files."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from yesman.bus import Event, EventPriority, EventType
from yesman.store import (
    SCHEMA_VERSION,
    AuditStore,
    DecisionRecord,
    StoreClosedError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreUnwritableError,
    StoreVersionError,
    default_db_path,
)


def _decision(
    session: str = "work", when: float | None = None, **changes: object
) -> DecisionRecord:
    now = time.time() if when is None else when
    fields: dict[str, object] = {
        "session": session,
        "pane": "%3",
        "prompt_kind": "tool_permission",
        "tool": "Bash",
        "target": "npm test",
        "options": ("Yes", "Yes, and don't ask again for npm test commands in /app", "No"),
        "action": "answer",
        "keys": ("1",),
        "rule": "allow:npm test",
        "reason": "test runner",
        "first_seen": now - 0.05,
        "answered_at": now,
        "latency_ms": 50.0,
        "fingerprint": "abc123",
        "server": "default",
        "time": now,
    }
    fields.update(changes)
    return DecisionRecord(**fields)  # type: ignore[arg-type]


async def test_a_recorded_decision_reads_back_identical(tmp_path: Path) -> None:
    rec = _decision(verified=True, dry_run=True, correlation_id="c-1")
    async with AuditStore.open(tmp_path / "audit.db") as store:
        saved = await store.record(rec)
        (back,) = await store.list_decisions()
    assert saved.id is not None
    assert back == saved
    assert back == DecisionRecord(**{**rec.to_json(), "id": saved.id})
    assert back.options == rec.options
    assert back.verified is True
    assert back.dry_run is True


async def test_the_file_is_wal_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "audit.db"
    async with AuditStore.open(path) as store:
        await store.record(_decision())
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


async def test_reopening_keeps_rows_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    async with AuditStore.open(path) as store:
        await store.record(_decision())
    async with AuditStore.open(path) as store:
        await store.record(_decision())
        assert await store.count_decisions() == 2


async def test_list_filters_and_orders(tmp_path: Path) -> None:
    base = 1_700_000_000.0
    async with AuditStore.open(tmp_path / "audit.db") as store:
        for n in range(10):
            await store.record(_decision("a" if n % 2 else "b", when=base + n, target=f"t{n}"))
        newest_three = await store.list_decisions(limit=3)
        only_a = await store.list_decisions(session="a")
        recent_b = await store.list_decisions(session="b", since=base + 4)
    assert [r.target for r in newest_three] == ["t9", "t8", "t7"]  # newest first
    assert [r.target for r in only_a] == ["t9", "t7", "t5", "t3", "t1"]
    assert [r.target for r in recent_b] == ["t8", "t6", "t4"]


@pytest.mark.parametrize("limit", [0, -1, True, 2.5])
async def test_a_bad_limit_is_refused(tmp_path: Path, limit: object) -> None:
    async with AuditStore.open(tmp_path / "audit.db") as store:
        with pytest.raises(ValueError, match="limit must be a positive integer"):
            await store.list_decisions(limit=limit)  # type: ignore[arg-type]


async def test_update_verified(tmp_path: Path) -> None:
    async with AuditStore.open(tmp_path / "audit.db") as store:
        first = await store.record(_decision(when=1.0))
        second = await store.record(_decision(when=2.0))
        assert first.id is not None
        assert second.id is not None
        assert await store.update_verified(first.id, True)
        assert await store.update_verified(second.id, False)
        assert not await store.update_verified(9999, True)
        rows = await store.list_decisions()
    assert [r.verified for r in rows] == [False, True]


async def test_concurrent_writers_all_land_with_distinct_ids(tmp_path: Path) -> None:
    async with AuditStore.open(tmp_path / "audit.db") as store:
        saved = await asyncio.gather(*(store.record(_decision(target=f"t{n}")) for n in range(300)))
        assert sorted(rec.id or 0 for rec in saved) == list(range(1, 301))
        assert await store.count_decisions() == 300


async def test_close_commits_what_was_queued_without_waiting(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    store = await AuditStore.open(path)
    futures = [store.record_nowait(_decision(target=f"t{n}")) for n in range(50)]
    await store.aclose()
    assert all(f.done() and f.exception() is None for f in futures)
    async with AuditStore.open(path) as again:
        assert await again.count_decisions() == 50


async def test_a_cancelled_writer_still_gets_its_row_stored(tmp_path: Path) -> None:
    async with AuditStore.open(tmp_path / "audit.db") as store:
        task = asyncio.create_task(store.record(_decision(target="keep me")))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await store.flush()
        assert [r.target for r in await store.list_decisions()] == ["keep me"]


async def test_events_round_trip_and_garbage_data_is_kept_as_text(tmp_path: Path) -> None:
    weird: dict[Any, Any] = {"fine": [1, 2], "object": object(), 3: "int key"}
    async with AuditStore.open(tmp_path / "audit.db") as store:
        await store.record_event(
            Event(
                type=EventType.PROMPT_HELD,
                data={"pane": "%1"},
                source="monitor",
                correlation_id="x",
                priority=EventPriority.HIGH,
            )
        )
        await store.record_event(Event(type=EventType.CUSTOM, data=weird))
        held = await store.list_events(event_type="prompt.held")
        everything = await store.list_events()
    assert len(held) == 1
    assert held[0].data == {"pane": "%1"}
    assert (held[0].source, held[0].priority, held[0].correlation_id) == ("monitor", 2, "x")
    assert everything[0].data["fine"] == [1, 2]
    assert "object object" in everything[0].data["object"]


# -- lifecycle


async def test_using_a_stopped_store_says_so(tmp_path: Path) -> None:
    store = AuditStore.open(tmp_path / "audit.db")
    with pytest.raises(StoreClosedError, match="not open yet"):
        await store.record(_decision())
    async with store:
        pass
    await store.aclose()  # idempotent
    await store.stop()
    with pytest.raises(StoreClosedError, match="is stopped"):
        await store.list_decisions()


async def test_a_stopped_store_starts_again_on_the_same_file(tmp_path: Path) -> None:
    store = AuditStore(tmp_path / "audit.db")
    await store.start()
    await store.start()  # idempotent while running
    first = await store.record(_decision(target="before"))
    await store.stop()
    assert not store.is_open
    async with store:  # restart: the file is opened afresh
        second = await store.record(_decision(target="after"))
        assert [r.target for r in await store.list_decisions()] == ["after", "before"]
    assert (first.id, second.id) == (1, 2)
    await store.start()  # and once more, by the plain verbs
    assert await store.count_decisions() == 2
    await store.aclose()
    for _ in range(100):  # the thread ends just after it reported the file closed
        if not [t for t in threading.enumerate() if t.name.startswith("yesman-store:")]:
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError("a store thread outlived stop()")


# -- bad files


async def test_a_corrupt_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    path.write_bytes(b"this is not sqlite at all\n" * 100)
    with pytest.raises(StoreCorruptError) as info:
        await AuditStore.open(path)
    assert str(path) in str(info.value)
    assert "move it aside" in str(info.value)
    assert info.value.path == path


async def test_an_unwritable_place_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnwritableError, match="a-file"):
        await AuditStore.open(blocker / "audit.db")


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    async with AuditStore.open(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreVersionError, match="upgrade yesman"):
        await AuditStore.open(path)


async def test_a_lock_held_elsewhere_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    async with AuditStore.open(path):
        pass
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreLockedError, match="locked by another process"):
            await AuditStore.open(path, busy_timeout=0.05)
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_without_create_a_missing_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(StoreError, match="no audit database"):
        await AuditStore.open(path, create=False)
    assert not path.exists()


# -- values and paths


def test_records_refuse_garbage_and_accept_lists() -> None:
    assert _decision(options=["Yes", "No"], keys=["2"]).options == ("Yes", "No")
    with pytest.raises(TypeError, match=r"DecisionRecord\.options"):
        _decision(options="Yes")
    with pytest.raises(TypeError, match=r"DecisionRecord\.keys"):
        _decision(keys=[1])
    with pytest.raises(TypeError, match=r"DecisionRecord\.latency_ms"):
        _decision(latency_ms=float("nan"))
    with pytest.raises(TypeError, match=r"DecisionRecord\.session"):
        _decision(session=None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"XDG_DATA_HOME": "/data", "HOME": "/home/u"}, "/data/yesman/yesman.db"),
        ({"XDG_DATA_HOME": "relative", "HOME": "/home/u"}, "/home/u/.local/share/yesman/yesman.db"),
        ({"HOME": "/home/u"}, "/home/u/.local/share/yesman/yesman.db"),
    ],
)
def test_default_db_path(environ: dict[str, str], expected: str) -> None:
    assert default_db_path(environ) == Path(expected)


async def test_cancelled_open_and_close_leave_no_thread_behind(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    opening = asyncio.create_task(AuditStore.open(path).start())
    await asyncio.sleep(0)
    opening.cancel()
    with pytest.raises(asyncio.CancelledError):
        await opening
    store = await AuditStore.open(path)
    await store.record(_decision())
    closing = asyncio.create_task(store.aclose())
    await asyncio.sleep(0)
    closing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await closing
    await asyncio.sleep(0.2)  # the threads finish on their own; no error may escape them
    assert not [t for t in threading.enumerate() if t.name.startswith("yesman-store:")]
    async with AuditStore.open(path) as again:
        assert await again.count_decisions() == 1


async def test_update_answered_fills_in_the_keys_sent(tmp_path: Path) -> None:
    async with AuditStore.open(tmp_path / "audit.db") as store:
        rec = await store.record(
            DecisionRecord(
                session="s", pane="%1", prompt_kind="tool_permission", action="answer",
                first_seen=1000.0,
            )
        )  # fmt: skip
        assert rec.id is not None
        assert (rec.keys, rec.answered_at) == ((), None)
        assert await store.update_answered(
            rec.id, keys=("1",), answered_at=1000.3, latency_ms=300.0
        )
        assert not await store.update_answered(
            rec.id + 99, keys=("1",), answered_at=1.0, latency_ms=1.0
        )
        (row,) = await store.list_decisions()
    assert (row.keys, row.answered_at, row.latency_ms) == (("1",), 1000.3, 300.0)


async def test_each_decision_says_which_channel_took_it(tmp_path: Path) -> None:
    async with AuditStore.open(tmp_path / "audit.db") as store:
        await store.record(_decision(target="from the screen"))
        await store.record(_decision(target="from a hook", keys=(), channel="hook"))
        rows = await store.list_decisions()
    assert sorted((r.target, r.channel) for r in rows) == [
        ("from a hook", "hook"),
        ("from the screen", "screen"),
    ]
    assert rows[0].to_json()["channel"] in ("hook", "screen")


def _database_before_channels(path: Path) -> None:
    """A database as yesman wrote it before the channel column (schema 4), with one row."""
    from yesman.store._schema import _MIGRATIONS  # noqa: PLC0415

    conn = sqlite3.connect(path)
    for migration in _MIGRATIONS[:4]:
        for statement in migration:
            conn.execute(statement)
    conn.execute(
        "INSERT INTO decisions (time, session, pane, prompt_kind, action, first_seen) "
        "VALUES (1.0, 'work', '%3', 'tool_permission', 'answer', 1.0)"
    )
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()


async def test_decisions_from_before_channels_read_as_screen_ones(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _database_before_channels(path)
    async with AuditStore.open(path, read_only=True) as store:  # a reader migrates nothing
        (old,) = await store.list_decisions()
    assert old.channel == "screen"
    async with AuditStore.open(path) as store:  # a writer adds the column (migration 5)
        await store.record(_decision(channel="hook"))
        rows = await store.list_decisions()
    assert sorted(r.channel for r in rows) == ["hook", "screen"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


async def test_each_decision_names_its_agent_and_version(tmp_path: Path) -> None:
    async with AuditStore.open(tmp_path / "audit.db") as store:
        await store.record(_decision(target="a", agent="claude", agent_version="2.1.197"))
        await store.record(_decision(target="b", agent="codex", agent_version="0.171.0"))
        await store.record(_decision(target="c"))
        everything = await store.list_decisions()
        codex = await store.list_decisions(agent="codex")
        unknown = await store.list_decisions(agent="")
    assert sorted((r.target, r.agent, r.agent_version) for r in everything) == [
        ("a", "claude", "2.1.197"),
        ("b", "codex", "0.171.0"),
        ("c", "", ""),
    ]
    assert [r.target for r in codex] == ["b"]
    assert [r.target for r in unknown] == ["c"]
    assert codex[0].to_json()["agent"] == "codex"
    assert codex[0].to_json()["agent_version"] == "0.171.0"


def test_a_record_refuses_an_agent_that_is_not_text() -> None:
    with pytest.raises(TypeError, match="agent_version"):
        _decision(agent_version=2.1)


def _database_at(path: Path, version: int) -> None:
    """A database as yesman wrote it at schema `version`, with one decision and one dialog."""
    from yesman.store._schema import _MIGRATIONS  # noqa: PLC0415

    conn = sqlite3.connect(path)
    for migration in _MIGRATIONS[:version]:
        for statement in migration:
            conn.execute(statement)
    conn.execute(
        "INSERT INTO decisions (time, session, pane, prompt_kind, action, first_seen) "
        "VALUES (1.0, 'work', '%3', 'tool_permission', 'answer', 1.0)"
    )
    conn.execute(
        "INSERT INTO history_dialogs (time, session, pane, outcome) "
        "VALUES (1.0, 'work', '%3', 'answered')"
    )
    conn.execute(f"PRAGMA user_version = {version:d}")
    conn.commit()
    conn.close()


async def test_decisions_from_the_previous_schema_read_with_no_agent(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    _database_at(path, SCHEMA_VERSION - 1)
    async with AuditStore.open(path, read_only=True) as store:  # not migrated: no agent column
        (old,) = await store.list_decisions()
        assert await store.list_decisions(agent="claude") == []
        assert [r.id for r in await store.list_decisions(agent="")] == [old.id]
    assert (old.agent, old.agent_version, old.channel) == ("", "", "screen")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION - 1


async def test_the_previous_schema_migrates_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    _database_at(path, SCHEMA_VERSION - 1)
    async with AuditStore.open(path) as store:
        await store.record(_decision(agent="gemini", agent_version="0.61.0"))
        rows = await store.list_decisions()
        gemini = await store.list_decisions(agent="gemini")
    assert sorted((r.agent, r.agent_version) for r in rows) == [("", ""), ("gemini", "0.61.0")]
    assert len(gemini) == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        dialog = conn.execute("SELECT agent, agent_version FROM history_dialogs").fetchall()
    assert dialog == [("", "")]
