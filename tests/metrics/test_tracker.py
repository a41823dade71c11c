"""ComponentTracker's forms of use, outcomes, seed names and windows."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

import psutil
import pytest

from yesman._errors import LifecycleError
from yesman.metrics import SEED_COMPONENTS, ComponentTracker

REQUIRED_KEYS = {
    "average_ms", "median_ms", "p95_ms", "p99_ms", "min_ms", "max_ms", "sample_count",
    "error_count", "error_rate", "avg_memory_delta_mb", "peak_memory_mb", "allocation_count",
    "allocation_bytes", "avg_cpu_percent", "p95_cpu_percent", "peak_cpu_percent",
    "cpu_efficiency", "bytes_sent", "bytes_received", "throughput_mbps",
    "peak_throughput_mbps", "network_operations",
}  # fmt: skip


async def test_track_as_async_with_sync_with_and_decorators() -> None:
    tracker = ComponentTracker()

    @tracker.track("deco_sync")
    def add(a: int, b: int) -> int:
        return a + b

    @tracker.track("deco_async")
    async def double(x: int) -> int:
        await asyncio.sleep(0)
        return 2 * x

    async with tracker.track("async_block"):
        await asyncio.sleep(0.01)
    with tracker.track("sync_block"):
        pass
    assert add(2, 3) == 5
    assert await double(4) == 8
    assert await double(5) == 10
    m = tracker.get_component_metrics()
    assert {k: v.sample_count for k, v in m.items()} == {
        "deco_sync": 1,
        "deco_async": 2,
        "async_block": 1,
        "sync_block": 1,
    }
    assert m["async_block"].average_ms >= 10
    assert add.__name__ == "add"


# Timing-only trackers take a lighter path through `with`; outcomes must not depend on it.
MEASURES = [pytest.param(True, id="everything"), pytest.param(False, id="timing-only")]


@pytest.mark.parametrize("measures", MEASURES)
def test_outcomes_exceptions_explicit_and_nothing_found(measures: bool) -> None:
    tracker = ComponentTracker(cpu=measures, memory=measures, io=measures)
    with tracker.track("c"):
        pass  # found nothing: still a success
    with pytest.raises(KeyError), tracker.track("c"):
        raise KeyError("x")
    with tracker.track("c") as op:
        op.fail("timeout")
    with contextlib.suppress(ValueError), tracker.track("c") as op:
        op.succeed()
        raise ValueError("expected")
    m = tracker.get_component_metrics()["c"]
    assert (m.sample_count, m.error_count, m.success_count) == (4, 2, 2)
    assert m.error_rate == 0.5
    assert m.error_types == {"KeyError": 1, "timeout": 1}


@pytest.mark.parametrize("measures", MEASURES)
async def test_cancelled_operation_is_not_an_error(measures: bool) -> None:
    tracker = ComponentTracker(cpu=measures, memory=measures, io=measures)

    async def slow() -> None:
        async with tracker.track("slow"):
            await asyncio.sleep(10)

    task = asyncio.create_task(slow())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    m = tracker.get_component_metrics()["slow"]
    assert (m.sample_count, m.error_count, m.cancelled_count) == (0, 0, 1)


def test_seed_recording_methods_and_metric_keys() -> None:
    tracker = ComponentTracker(SEED_COMPONENTS)
    for ms in (10.0, 20.0, 30.0, 40.0):
        tracker._record_component_timing("content_capture", ms, True)
    tracker._record_component_timing("content_capture", 50.0, False)
    tracker._record_component_memory("content_capture", 2.5)
    tracker._record_component_cpu("content_capture", 25.0)
    tracker._record_component_network_io("content_capture", 1024 * 1024, 0, 0.5)
    metrics = tracker._get_component_metrics()
    assert list(metrics) == list(SEED_COMPONENTS)
    stats = metrics["content_capture"]
    assert set(stats) >= REQUIRED_KEYS
    assert stats["average_ms"] == 30.0
    assert stats["median_ms"] == 30.0
    assert stats["max_ms"] == 50.0
    assert stats["p99_ms"] >= stats["p95_ms"] >= stats["median_ms"]
    assert stats["error_count"] == 1
    assert stats["avg_memory_delta_mb"] == 2.5
    assert stats["avg_cpu_percent"] == 25.0
    assert stats["throughput_mbps"] == pytest.approx(2.0)
    assert stats["network_operations"] == 1
    assert stats["lifetime_p50_ms"] == pytest.approx(30.0, rel=0.01)
    assert metrics["prompt_detection"]["sample_count"] == 0
    assert tracker._measure_memory_usage() == pytest.approx(
        psutil.Process().memory_info().rss / 2**20, rel=0.05
    )
    tracker._measure_cpu_usage()  # starts an interval
    cpu0, wall0 = time.process_time(), time.perf_counter()
    while time.process_time() < cpu0 + 0.05:
        pass
    busy = 100.0 * (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    # Busy in one thread: ~100 % of a core, less when the machine is shared.
    assert tracker._measure_cpu_usage() == pytest.approx(busy, rel=0.1)


def test_public_and_private_names_are_twins() -> None:
    t = ComponentTracker
    for name in ("timing", "memory", "cpu", "network_io"):
        assert getattr(t, f"_record_component_{name}") is getattr(t, f"record_component_{name}")
    for name in ("memory_usage", "cpu_usage", "network_io_delta"):
        assert getattr(t, f"_measure_{name}") is getattr(t, f"measure_{name}")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda t: t.track(""), "non-empty string", id="empty-name"),
        pytest.param(lambda t: t.track(None), "non-empty string", id="none-name"),
        pytest.param(
            lambda t: t.record_component_timing("c", float("nan"), True), "finite", id="nan"
        ),
        pytest.param(lambda t: t.record_component_timing("c", -1.0, True), ">= 0", id="negative"),
        pytest.param(lambda t: t.record_component_cpu("c", "x"), "finite number", id="string"),
        pytest.param(lambda t: t._component_timings.__setitem__("c", []), "maxlen", id="not-deque"),
        pytest.param(
            lambda t: t._component_timings.__setitem__("c", deque()), "maxlen", id="no-maxlen"
        ),
    ],
)
def test_bad_input_gets_a_clear_error(call: object, message: str) -> None:
    tracker = ComponentTracker()
    with pytest.raises((ValueError, TypeError), match=message):
        call(tracker)  # type: ignore[operator]
    assert tracker._get_component_metrics() == {}


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="window must be a positive"):
        ComponentTracker(window=0)
    with pytest.raises(ValueError, match="lag_interval"):
        ComponentTracker(lag_interval=0)


def test_seed_window_resize_keeps_newest_samples() -> None:
    tracker = ComponentTracker(["content_capture"])
    for ms in range(150):
        tracker.record_component_timing("content_capture", float(ms))
    assert len(tracker._component_timings["content_capture"]) == 100
    tracker._component_timings["content_capture"] = deque(maxlen=200)  # the seed's line
    for ms in range(150, 250):
        tracker.record_component_timing("content_capture", float(ms))
    window = tracker._component_timings["content_capture"]
    assert window.maxlen == 200
    assert list(window) == [float(ms) for ms in range(50, 250)]
    assert tracker.get_component_metrics()["content_capture"].total_count == 250
    tracker._component_memory_usage["content_capture"] = deque(maxlen=3)
    for delta in (1.0, 2.0, 3.0, 4.0):
        tracker.record_component_memory("content_capture", delta)
    assert list(tracker._component_memory_usage["content_capture"]) == [2.0, 3.0, 4.0]


async def test_loop_lag_is_seen_when_the_loop_is_blocked() -> None:
    async with ComponentTracker(lag_interval=0.01) as tracker:
        await asyncio.sleep(0.03)
        time.sleep(0.08)  # noqa: ASYNC251 - blocks the loop on purpose
        await asyncio.sleep(0.03)
        for _ in range(5):
            tracker.record_loop()
        health = tracker.loop_health()
    assert health.lag_max_ms >= 50
    assert health.lag_samples >= 3
    assert health.loops_per_second * health.interval_seconds == pytest.approx(5)
    # The lifetime sketch holds the same samples (exporters read it).
    lags = tracker.loop_monitor.lag_sketch()
    assert lags.count == health.lag_samples
    assert lags.maximum == pytest.approx(health.lag_max_ms)


async def test_tracker_restarts_and_figures_accumulate() -> None:
    loop = asyncio.get_running_loop()
    factory = loop.get_task_factory()
    tracker = ComponentTracker(lag_interval=0.005, slow_callback_threshold=0.01)

    async def work(burn_for: float) -> None:
        async with tracker.track("step"):
            end = time.thread_time() + burn_for
            while time.thread_time() < end:
                pass
            await asyncio.sleep(0.02)

    running: list[bool] = []
    for burn_for in (0.02, 0.03):
        async with tracker:
            running.append(tracker.running)
            await tracker.start()  # starting a running tracker does nothing
            await asyncio.create_task(work(burn_for))
            tracker.record_loop()
        running.append(tracker.running)
        assert loop.get_task_factory() is factory  # stopped: the loop is as it was
        await tracker.stop()  # idempotent
        await tracker.aclose()
    assert running == [True, False, True, False]
    m = tracker.get_component_metrics()["step"]
    health = tracker.loop_health()
    assert (m.sample_count, m.total_count, m.cpu_unknown_count) == (2, 2, 0)
    assert m.total_cpu_seconds == pytest.approx(0.05, rel=0.2)
    assert health.slow_callbacks == 2  # one burning step per run, from two step accountings
    assert tracker.loop_monitor.slow_steps == 2
    assert health.lag_samples >= 4
    assert health.loops_per_second * health.interval_seconds == pytest.approx(2)


def test_tracker_restarts_on_a_new_event_loop() -> None:
    # A monitor restarted by a second asyncio.run gets a fresh loop; the tracker follows it.
    tracker = ComponentTracker()

    async def run_once() -> None:
        async with tracker:
            await asyncio.create_task(asyncio.sleep(0.001))
            async with tracker.track("c"):
                pass

    asyncio.run(run_once())
    asyncio.run(run_once())
    assert tracker.get_component_metrics()["c"].total_count == 2


async def test_an_error_in_the_body_leaves_the_tracker_unchanged() -> None:
    with pytest.raises(ValueError, match="boom"):
        async with ComponentTracker():
            raise ValueError("boom")


@pytest.mark.parametrize("measures", MEASURES)
def test_an_operation_runs_once_and_its_window_folds_into_the_lifetime(
    measures: bool,
) -> None:
    tracker = ComponentTracker(window=10, cpu=measures, memory=measures, io=measures)
    op = tracker.track("c")
    with op, pytest.raises(LifecycleError, match="already running"):
        op.__enter__()
    assert not op.is_open
    for _ in range(24):  # two folds of a full window, four samples left unfolded
        with tracker.track("c"):
            pass
    m = tracker.get_component_metrics()["c"]
    assert (m.sample_count, m.total_count) == (10, 25)
    assert 0.0 < m.lifetime_p50_ms <= m.lifetime_max_ms


def test_latency_sketches_hold_every_operation_without_disturbing_intervals() -> None:
    tracker = ComponentTracker(["a", "b"], window=4)
    for ms in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0):  # more than a window: some folded, some not
        tracker.record_component_timing("a", ms)
    first = tracker.take_intervals()["a"]
    tracker.record_component_timing("a", 100.0)
    sketches = tracker.latency_sketches()
    assert list(sketches) == ["a", "b"]
    a = sketches["a"]
    assert (a.count, a.total, a.minimum, a.maximum) == (7, 121.0, 1.0, 100.0)
    assert a.to_sketch().quantile(0.5) == pytest.approx(4.0, rel=0.01)
    assert sketches["b"].count == 0
    # Reading changed nothing: the next interval still holds exactly the newer operation.
    assert first.count == 6
    assert tracker.take_intervals()["a"].count == 1
    assert tracker.latency_sketches()["a"].count == 7
