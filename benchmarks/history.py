"""What the performance history costs: time on the event loop per report, and storage per day.

Run: uv run python benchmarks/history.py [--panes 20] [--reports 400]

Workload: the watcher's shared tracker (its six components) with `--panes` panes, each pane
capturing and detecting 4 times a second, a few answers and holds per pane and hour.

Loop cost, all measured in this run:
* per report: the tracker cutting the interval (`take_intervals`: sketch copies and samples)
  plus the writer's bus handler (queueing the job), beside one bare `bus.publish_nowait`
  of the same event, the reference;
* per operation: what the interval sketch and reservoir add to the tracker's fold, beside the
  fold into the sketch alone (what the tracker paid before);
* the sum as a share of one core at a 60 s and a 1 s report interval.

Storage: one simulated day at the default 60 s interval (and one hour at 1 s, scaled to a day)
written through `HistoryWriter` into a real file; rows and bytes per day (SQLite's own page
count of each table, from ``dbstat``), and the hourly roll-ups that stay for a year.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from yesman.bus import (
    AsyncEventBus,
    BusReport,
    DialogInfo,
    Event,
    EventType,
    PromptHeld,
    ResponseSent,
    StatusChanged,
)
from yesman.history import HistoryWriter
from yesman.history._settings import DAY, HOUR
from yesman.metrics import ComponentTracker, LogSketch, PerformanceReporter, Reservoir
from yesman.monitor._settings import COMPONENTS
from yesman.store import AuditStore

OPS_PER_PANE_PER_SECOND = {
    "content_capture": 4.0,
    "claude_status_check": 4.0,
    "prompt_detection": 4.0,
    "content_processing": 4.0,
    "response_sending": 0.002,
    "automation_analysis": 0.5,
}


class _NoBus:
    async def publish(self, event: Event) -> bool:
        return True


_DIALOG = DialogInfo(
    kind="tool_permission", tool="Bash", target="npm test", question="Proceed?", options=(),
    highlighted=1, warning=None, fingerprint="fp",
)  # fmt: skip


def answered(pane: str, at: float, latency_ms: float) -> Event:
    payload = ResponseSent(session="s", pane_id=pane, action="answer", keys=("1",), rule="r",
                           latency_ms=latency_ms, prompt=_DIALOG)  # fmt: skip
    return Event(type=EventType.RESPONSE_SENT, payload=payload, timestamp=at)


def held(pane: str, at: float) -> Event:
    payload = PromptHeld(session="s", pane_id=pane, reason="no rule", rule="", alert=False,
                         prompt=_DIALOG)  # fmt: skip
    return Event(type=EventType.PROMPT_HELD, payload=payload, timestamp=at)


def status(pane: str, at: float) -> Event:
    payload = StatusChanged(session="s", pane_id=pane, old="prompt", new="working",
                            agent_running=True)  # fmt: skip
    return Event(type=EventType.CLAUDE_STATUS_CHANGED, payload=payload, timestamp=at)


def _fill(tracker: ComponentTracker, panes: int, seconds: float, rng: random.Random) -> None:
    for name in COMPONENTS:
        n = max(1, round(OPS_PER_PANE_PER_SECOND[name] * panes * seconds))
        for _ in range(n):
            tracker.record_component_timing(name, rng.lognormvariate(0.5, 0.9))


def _median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


async def loop_cost(panes: int, reports: int) -> tuple[float, float]:
    """Median µs per report on the loop: (history's cost, one bare publish_nowait)."""
    rng = random.Random(1)
    tracker = ComponentTracker(COMPONENTS)
    reporter = PerformanceReporter(tracker, _NoBus(), "bench", host_network=False)
    take: list[float] = []
    handle: list[float] = []
    publish: list[float] = []
    with tempfile.TemporaryDirectory(dir=Path.home()) as folder:
        async with (
            AuditStore.open(Path(folder) / "bench.db") as store,
            AsyncEventBus(max_queue_size=100_000) as bus,
        ):
            writer = HistoryWriter(store, bus)
            for _ in range(reports):
                _fill(tracker, panes, 1.0, rng)
                t0 = time.perf_counter()
                intervals = tracker.take_intervals()
                t1 = time.perf_counter()
                payload = reporter.build_payload(None, (), intervals)
                event = Event(type=EventType.PERFORMANCE_METRICS, payload=payload)
                t2 = time.perf_counter()
                writer._on_metrics(event)  # what the bus calls for this event
                t3 = time.perf_counter()
                bus.publish_nowait(event)
                t4 = time.perf_counter()
                take.append(t1 - t0)
                handle.append(t3 - t2)
                publish.append(t4 - t3)
                await asyncio.sleep(0)
            await store.flush()
    print(f"per report ({len(COMPONENTS)} components, {panes} panes), median of {reports}:")
    print(f"  take_intervals (sketch copies, samples)  {_median_us(take):8.1f} µs")
    print(f"  HistoryWriter handler (queue the job)    {_median_us(handle):8.1f} µs")
    print(f"  reference: one bare publish_nowait       {_median_us(publish):8.1f} µs")
    return _median_us(take) + _median_us(handle), _median_us(publish)


def _fold_round(batch: list[float], rounds: int, with_reservoir: bool) -> float:
    sketch = LogSketch()
    reservoir = Reservoir()
    start = time.perf_counter()
    for n in range(rounds):
        sketch.add_many(batch)
        if with_reservoir:
            if n % 600 == 0:  # a new interval every 600 folds (1 min at 1000 ops/s)
                reservoir = Reservoir()
            reservoir.offer_many(batch)
    return (time.perf_counter() - start) / rounds / len(batch) * 1e9


def fold_cost() -> tuple[float, float]:
    """ns per operation a fold of 100 timings costs: (sketch + interval reservoir, sketch only),
    medians of 7 alternating rounds."""
    rng = random.Random(2)
    batch = [rng.lognormvariate(0.5, 0.9) for _ in range(100)]
    both: list[float] = []
    alone: list[float] = []
    for _ in range(7):
        both.append(_fold_round(batch, 3000, with_reservoir=True))
        alone.append(_fold_round(batch, 3000, with_reservoir=False))
    b, a = statistics.median(both), statistics.median(alone)
    print(f"fold per operation: sketch + reservoir {b:.0f} ns, sketch alone (reference) "
          f"{a:.0f} ns: {b - a:+.0f} ns per operation")  # fmt: skip
    return b, a


def _table_bytes(path: Path) -> dict[str, tuple[int, int]]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        sizes = dict(
            conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'history%' GROUP BY name"
            ).fetchall()
        )
        out = {}
        for table in (
            "history_components",
            "history_reports",
            "history_bus",
            "history_dialogs",
            "history_hourly_components",
            "history_hourly_reports",
            "history_hourly_bus",
        ):
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            index = sum(v for k, v in sizes.items() if k.startswith(table) and k != table)
            out[table] = (rows, sizes.get(table, 0) + index)
        return out
    finally:
        conn.close()


async def storage(panes: int, interval: float, span: float) -> dict[str, tuple[int, int]]:
    """Write `span` seconds of history at `interval`; rows and bytes per table, scaled to a day."""
    rng = random.Random(3)
    tracker = ComponentTracker(COMPONENTS)
    reporter = PerformanceReporter(tracker, _NoBus(), "bench", host_network=False)
    start = 1_800_000_000.0
    with tempfile.TemporaryDirectory(dir=Path.home()) as folder:
        path = Path(folder) / "day.db"
        async with AuditStore.open(path) as store, AsyncEventBus(max_queue_size=100_000) as bus:
            writer = HistoryWriter(store, bus, clock=lambda: start + span + HOUR)
            n_reports = int(span / interval)
            for n in range(n_reports):
                at = start + (n + 0.5) * interval  # inside its hour
                _fill(tracker, panes, interval, rng)
                payload = reporter.build_payload(None, (), tracker.take_intervals())
                writer._on_metrics(Event(type=EventType.PERFORMANCE_METRICS, payload=payload,
                                         timestamp=at))  # fmt: skip
                bus_event = await _bus_report(bus, at)
                writer._on_metrics(bus_event)
            # 3 answers and 1 hold (ended 40 s later) per pane and hour
            for hour in range(int(span // HOUR) or 1):
                for pane in range(panes):
                    t = start + hour * HOUR + pane
                    for k in range(3):
                        writer._on_response(answered(f"%{pane}", t + 60 * k, latency_ms=30.0))
                    writer._on_held(held(f"%{pane}", t + 600))
                    writer._on_pane_change(status(f"%{pane}", t + 640))
            await store.flush()
            t0 = time.perf_counter()
            await writer.maintain_now()  # rolls up every hour of the span at once
            took = time.perf_counter() - t0
            hours = max(1, round(span / HOUR))
            per_hour = took * 1000 / hours
            print(f"  roll-up pass over {hours} h: {took * 1000:.0f} ms, {per_hour:.1f} ms per "
                  "hour, computed off the store's thread")  # fmt: skip
        sizes = _table_bytes(path)
    scale = DAY / span
    return {k: (round(rows * scale), round(size * scale)) for k, (rows, size) in sizes.items()}


async def _bus_report(bus: AsyncEventBus, at: float) -> Event:
    return Event(
        type=EventType.PERFORMANCE_METRICS,
        payload=BusReport(metrics=bus.get_metrics()),
        timestamp=at,
    )


def _print_storage(sizes: dict[str, tuple[int, int]]) -> None:
    raw = hourly = 0
    for table, (rows, size) in sizes.items():
        print(f"  {table:<28}{rows:>9} rows/day {size / 1024:>10.1f} KiB/day")
        if "hourly" in table:
            hourly += size
        else:
            raw += size
    print(f"  raw total {raw / 1048576:.2f} MiB/day (x14 days kept = {raw * 14 / 1048576:.1f} MiB)")
    print(f"  roll-ups {hourly / 1024:.0f} KiB/day (x365 days kept = "
          f"{hourly * 365 / 1048576:.1f} MiB)")  # fmt: skip


async def main(panes: int, reports: int) -> None:
    history_us, publish_us = await loop_cost(panes, reports)
    both_ns, alone_ns = fold_cost()
    extra_ns = max(0.0, both_ns - alone_ns)  # below zero is noise
    ops_per_second = sum(OPS_PER_PANE_PER_SECOND.values()) * panes
    # Folds happen once per `window` operations; the cost per operation is what it adds.
    per_second_us = extra_ns * ops_per_second / 1000
    for interval in (60.0, 1.0):
        share = (history_us / interval + per_second_us) / 1e6 * 100
        print(f"loop share at a {interval:g} s interval: {share:.4f} % of one core "
              f"(reports {history_us / interval:.1f} µs/s + folds {per_second_us:.1f} µs/s "
              f"at {ops_per_second:.0f} ops/s); target < 1 %; reference: one publish_nowait "
              f"per interval = {publish_us / interval / 1e6 * 100:.5f} %")  # fmt: skip
    print(f"storage at a 60 s interval, {panes} panes (one simulated day):")
    _print_storage(await storage(panes, 60.0, DAY))
    print(f"storage at a 1 s interval, {panes} panes (one simulated hour, x24):")
    _print_storage(await storage(panes, 1.0, HOUR))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panes", type=int, default=20)
    parser.add_argument("--reports", type=int, default=400)
    args = parser.parse_args()
    asyncio.run(main(args.panes, args.reports))
