"""A killed watcher loses no history row that was committed, and the file stays intact."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

# Publishes reports of 3 components in bursts and prints how many component rows are committed
# after each burst (flush() returns once everything queued before it is committed).
WRITER = """
import asyncio, sys
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.history import HistoryWriter
from yesman.metrics import ComponentTracker, PerformanceReporter
from yesman.store import AuditStore

class NoBus:
    async def publish(self, event):
        return True

async def main(path):
    tracker = ComponentTracker(["capture", "detect", "respond"])
    reporter = PerformanceReporter(tracker, NoBus(), "kill", host_network=False)
    async with AuditStore.open(path) as store, AsyncEventBus() as bus:
        async with HistoryWriter(store, bus):
            rows = 0
            while True:
                for _ in range(5):
                    for name in ("capture", "detect", "respond"):
                        for ms in (1.0, 2.0, 3.0):
                            tracker.record_component_timing(name, ms)
                    payload = reporter.build_payload(None, (), tracker.take_intervals())
                    await bus.publish(Event(type=EventType.PERFORMANCE_METRICS, payload=payload))
                    rows += 3
                await bus.join()
                await store.flush()
                print(rows, flush=True)

asyncio.run(main(sys.argv[1]))
"""


def _write_then_kill(path: Path, at_least: int) -> tuple[int, int]:
    reported = 0
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as writer:
        assert writer.stdout is not None
        for line in writer.stdout:
            reported = int(line)
            if reported >= at_least:
                break
        writer.send_signal(signal.SIGKILL)  # more reports are queued and being written
        writer.wait(timeout=10)
        assert writer.returncode == -signal.SIGKILL
        for line in writer.stdout.read().split():
            reported = int(line)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = int(conn.execute("SELECT count(*) FROM history_components").fetchone()[0])
        sums = conn.execute("SELECT DISTINCT count FROM history_components").fetchall()
    finally:
        conn.close()
    assert sums == [(3,)]  # every stored row is whole
    return reported, stored


async def test_committed_history_rows_survive_kill_9(tmp_path: Path) -> None:
    reported, stored = await asyncio.to_thread(_write_then_kill, tmp_path / "yesman.db", 600)
    assert reported >= 600
    assert stored >= reported
