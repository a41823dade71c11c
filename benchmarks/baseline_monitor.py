"""Cost of one `PerformanceMonitor` sample against what the watcher's own report already pays.

Run: uv run python benchmarks/baseline_monitor.py [--samples N]

(a) one sample (`PerformanceMonitor._sample`: psutil process and host readings, the default bus's
    metrics, and the differences of a tracker with the watcher's six components, each with a
    full window of 100 operations and fresh operations since the last sample);
(b) the reference, measured in the same run: one `ComponentTracker.get_component_metrics()` of
    that tracker, which the periodic performance report calls every interval anyway;
(c) the sample's share of one core at one sample per second. Target: < 0.1 %.

Each figure is the median of several interleaved rounds (a shared 2-core machine is noisy).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from yesman.baseline import PerformanceMonitor
from yesman.metrics import SEED_COMPONENTS, ComponentTracker


def _feed(tracker: ComponentTracker, n: int) -> None:
    for name in SEED_COMPONENTS:
        for i in range(n):
            tracker.record_component_timing(name, 1.0 + i % 13)


async def main(samples: int) -> None:
    tracker = ComponentTracker(SEED_COMPONENTS)
    monitor = PerformanceMonitor(trackers=lambda: (tracker,))
    _feed(tracker, 100)
    monitor._prime()
    sample_ns: list[float] = []
    report_ns: list[float] = []
    for _ in range(samples):
        _feed(tracker, 20)  # a busy second: 20 operations per component
        t0 = time.perf_counter_ns()
        monitor._sample(0.0)
        t1 = time.perf_counter_ns()
        tracker.get_component_metrics()
        t2 = time.perf_counter_ns()
        sample_ns.append(t1 - t0)
        report_ns.append(t2 - t1)
    a = statistics.median(sample_ns) / 1e6
    b = statistics.median(report_ns) / 1e6
    print(f"(a) one monitor sample:                       {a:.3f} ms")
    print(f"(b) reference, one get_component_metrics():   {b:.3f} ms")
    print(f"    ratio a/b:                                {a / b:.1f}x")
    print(f"(c) share of one core at 1 sample/s:          {a / 10:.3f} %  (target < 0.1 %)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=300)
    asyncio.run(main(parser.parse_args().samples))
