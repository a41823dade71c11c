"""The read API: series for sparklines, empty and old databases, argument checks."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from history._events import report_event
from yesman.bus import AsyncEventBus
from yesman.history import (
    HistoryWriter,
    read_bus,
    read_components,
    read_dialogs,
    read_process,
    read_series,
    read_time_range,
)
from yesman.metrics import ComponentTracker
from yesman.store import AuditStore, StoreNotFoundError
from yesman.store._schema import _MIGRATIONS

T0 = 1_700_000_000.0


async def _history(path: Path) -> None:
    tracker = ComponentTracker(["capture"])
    async with (
        AuditStore.open(path) as store,
        AsyncEventBus() as bus,
        HistoryWriter(store, bus, clock=lambda: T0 + 3600),  # nothing old enough to prune
    ):
        for n in range(10):
            # latency 10 ms for the first half, 100 ms for the second
            ms = 10.0 if n < 5 else 100.0
            await bus.publish(report_event(tracker, {"capture": [ms] * 4}, at=T0 + 60 * n))
        await bus.join()


async def test_series_buckets_show_the_step(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    await _history(path)
    (series,) = await read_series(path, T0, T0 + 600, points=2)
    assert series.component == "capture"
    first, second = series.points
    assert (first.count, second.count) == (20, 20)
    assert first.p95_ms == pytest.approx(10.0, rel=0.01)
    assert second.p95_ms == pytest.approx(100.0, rel=0.01)
    assert (first.start, second.end) == (T0, T0 + 600)
    (fine,) = await read_series(path, T0, T0 + 1200, points=20)
    assert [p.count for p in fine.points] == [4] * 10 + [0] * 10  # 60 s buckets


async def test_an_open_store_can_be_read_while_writing(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    await _history(path)
    async with AuditStore.open(path) as store:
        (summary,) = await read_components(store, since=T0 + 240)
        assert summary.count == 24  # intervals ending at T0+240 .. T0+540
        assert summary.p50_ms == pytest.approx(100.0, rel=0.01)


async def test_a_database_from_before_the_history_reads_empty(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in _MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    assert await read_components(path) == ()
    assert await read_series(path) == ()
    assert await read_dialogs(path) == ()
    assert await read_time_range(path) is None
    assert (await read_process(path)).intervals == 0
    assert (await read_bus(path)).reports == 0


async def test_bad_arguments_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="before since"):
        await read_components(tmp_path / "x.db", since=10.0, until=5.0)
    with pytest.raises(ValueError, match="points"):
        await read_series(tmp_path / "x.db", points=0)
    with pytest.raises(StoreNotFoundError):
        await read_components(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()  # reading never creates the file


def test_read_works_from_plain_asyncio_run(tmp_path: Path) -> None:
    path = tmp_path / "yesman.db"
    asyncio.run(_history(path))
    summaries = asyncio.run(read_components(path))
    assert [s.component for s in summaries] == ["capture"]
