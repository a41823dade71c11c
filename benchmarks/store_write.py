"""What the "is the file still there?" check costs a write.

Run: uv run python benchmarks/store_write.py [--rows N] [--rounds R]

After every commit the store's worker `os.stat`s its path and compares device and inode with
the file it opened (a deleted or replaced database otherwise swallows rows silently). Figures,
all from this run on the same disk: the cost of one `os.stat`, then `record()` throughput
sequentially (one fsynced commit per row) and in bursts of 64 (batched commits), with the check
and, as the reference, with the check switched off.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from yesman.store import AuditStore, DecisionRecord
from yesman.store._worker import SqliteWorker


def _rec(n: int) -> DecisionRecord:
    return DecisionRecord(
        session="s", pane="%1", prompt_kind="tool_permission", action="answer",
        first_seen=float(n), target=f"npm run job-{n}",
    )  # fmt: skip


async def _rate(path: Path, rows: int, burst: int) -> float:
    async with AuditStore.open(path) as store:
        start = time.perf_counter()
        for first in range(0, rows, burst):
            await asyncio.gather(*(store.record(_rec(n)) for n in range(first, first + burst)))
        return rows / (time.perf_counter() - start)


def _stat_cost(path: Path, n: int = 200_000) -> float:
    start = time.perf_counter()
    for _ in range(n):
        os.stat(path)
    return (time.perf_counter() - start) / n


async def main(rows: int, rounds: int) -> None:
    checked = SqliteWorker._check_same_file
    with tempfile.TemporaryDirectory(dir=Path.home()) as folder:  # a real disk, not tmpfs
        base = Path(folder)
        await _rate(base / "warm.db", 64, 8)
        print(f"os.stat of the database: {_stat_cost(base / 'warm.db') * 1e6:.2f} µs")
        print(f"record(), median of {rounds} alternating rounds (fsync timing is noisy)")
        print(f"{'':<28}{'with check':>14}{'without (ref)':>16}")
        for burst in (1, 64):
            on: list[float] = []
            off: list[float] = []
            for n in range(rounds):  # alternate, so disk noise hits both alike
                on.append(await _rate(base / f"on-{burst}-{n}.db", rows, burst))
                SqliteWorker._check_same_file = lambda self: None  # type: ignore[method-assign]
                try:
                    off.append(await _rate(base / f"off-{burst}-{n}.db", rows, burst))
                finally:
                    SqliteWorker._check_same_file = checked  # type: ignore[method-assign]
            label = "sequential" if burst == 1 else f"bursts of {burst}"
            print(f"  {label:<26}{statistics.median(on):>10.0f} r/s"
                  f"{statistics.median(off):>12.0f} r/s")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=512)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.rounds))
