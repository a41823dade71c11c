"""CPU is charged to the component whose code ran, not to whoever was waiting meanwhile."""

from __future__ import annotations

import asyncio
import time

import pytest

from yesman.metrics import (
    BottleneckThresholds,
    ComponentTracker,
    TrackedOperation,
    find_bottlenecks,
    instrumented_event_loop,
)


def burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


async def test_busy_component_is_charged_its_cpu_and_sleeper_nothing() -> None:
    async with ComponentTracker() as tracker:

        async def busy() -> None:
            async with tracker.track("A"):
                for _ in range(10):
                    burn(0.005)
                    await asyncio.sleep(0.002)

        async def sleeper() -> None:
            async with tracker.track("B"):
                await asyncio.sleep(0.05)

        async with asyncio.TaskGroup() as tg:
            tg.create_task(busy())
            tg.create_task(sleeper())
        metrics = tracker.get_component_metrics()

    assert metrics["A"].total_cpu_seconds == pytest.approx(0.050, rel=0.2)
    assert metrics["B"].total_cpu_seconds < 0.005
    # Both wall windows covered the other's work: B's wall time is >= 50 ms while it used ~no CPU.
    assert metrics["B"].average_ms >= 50
    assert metrics["B"].avg_cpu_percent < 10
    assert metrics["A"].cpu_unknown_count == metrics["B"].cpu_unknown_count == 0


async def test_nested_operations_are_charged_inclusively_across_steps() -> None:
    async with ComponentTracker() as tracker:

        async def outer() -> None:
            async with tracker.track("outer"):
                burn(0.01)
                await asyncio.sleep(0.001)
                async with tracker.track("inner"):
                    for _ in range(2):
                        burn(0.01)
                        await asyncio.sleep(0.001)

        async def other() -> None:
            for _ in range(3):
                burn(0.01)
                await asyncio.sleep(0.001)

        async with asyncio.TaskGroup() as tg:
            tg.create_task(outer())
            tg.create_task(other())
        metrics = tracker.get_component_metrics()

    assert metrics["inner"].total_cpu_seconds == pytest.approx(0.02, rel=0.2)
    assert metrics["outer"].total_cpu_seconds == pytest.approx(0.03, rel=0.2)


async def test_cpu_of_child_tasks_counts_for_the_component_that_started_them() -> None:
    async with ComponentTracker() as tracker:

        async def work() -> None:
            burn(0.02)

        async def parent() -> None:
            async with tracker.track("P"):
                await asyncio.gather(work(), asyncio.wait_for(work(), timeout=5))

        await asyncio.create_task(parent())
    assert tracker.get_component_metrics()["P"].total_cpu_seconds == pytest.approx(0.04, rel=0.25)


async def test_decorated_coroutine_is_exact_even_in_an_unaccounted_task() -> None:
    # No `async with tracker`: nothing installs step accounting, yet the decorator wraps the steps.
    tracker = ComponentTracker()

    @tracker.track("worker")
    async def worker() -> str:
        for _ in range(4):
            burn(0.005)
            await asyncio.sleep(0.005)
        return "done"

    async def other() -> None:
        for _ in range(4):
            await asyncio.sleep(0.004)
            burn(0.01)

    result, _ = await asyncio.gather(worker(), other())
    m = tracker.get_component_metrics()["worker"]
    assert result == "done"
    assert m.total_cpu_seconds == pytest.approx(0.020, rel=0.25)
    assert m.cpu_unknown_count == 0


async def test_without_starting_cpu_is_unknown_in_earlier_tasks_then_exact(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # tracker.track() straight away, never `async with tracker`: the first round's tasks exist
    # before anything could account their steps. A sleeper beside a CPU burner was charged the
    # burner's CPU (~48 ms); now its CPU is unknown, and the round after is measured exactly.
    tracker = ComponentTracker()
    ops: dict[str, list[TrackedOperation]] = {"burner": [], "sleeper": []}

    async def burner() -> None:
        async with tracker.track("burner") as op:
            ops["burner"].append(op)
            for _ in range(10):
                burn(0.005)
                await asyncio.sleep(0)

    async def sleeper() -> None:
        async with tracker.track("sleeper") as op:
            ops["sleeper"].append(op)
            for _ in range(10):
                await asyncio.sleep(0.005)

    for _ in range(2):
        await asyncio.gather(burner(), sleeper())
    m = tracker.get_component_metrics()
    assert m["sleeper"].total_cpu_seconds < 0.003
    assert m["burner"].total_cpu_seconds == pytest.approx(0.05, rel=0.2)
    assert (m["sleeper"].cpu_unknown_count, m["burner"].cpu_unknown_count) == (1, 1)
    first, second = ops["sleeper"]
    assert first.cpu_seconds is None
    assert first.memory_delta_mb is None
    assert second.cpu_seconds is not None
    assert second.cpu_seconds < 0.003
    assert ops["burner"][1].cpu_seconds == pytest.approx(0.05, rel=0.2)
    assert m["sleeper"].sample_count == 2  # timing is known either way
    warnings = [r for r in caplog.records if "unknown" in r.getMessage()]
    assert len(warnings) == 1
    assert "async with tracker" in warnings[0].getMessage()
    loop = asyncio.get_running_loop()
    assert loop.get_task_factory() is not None  # installed at the first unmeasurable operation
    await tracker.aclose()
    assert loop.get_task_factory() is None  # and given back when the tracker stops


async def test_main_task_span_is_not_charged_other_tasks_cpu() -> None:
    # The README's pattern: an operation in the main task, which predates the tracker. It sleeps
    # while another task burns CPU; it used to be charged that CPU and flagged a CPU bottleneck.
    async with ComponentTracker() as tracker:

        async def hog() -> None:
            deadline = time.perf_counter() + 0.2
            while time.perf_counter() < deadline:
                burn(0.01)
                await asyncio.sleep(0)

        hogging = asyncio.create_task(hog())
        async with tracker.track("fetch") as op:
            await asyncio.sleep(0.2)
        await hogging
        m = tracker.get_component_metrics()["fetch"]
    assert (m.total_cpu_seconds, m.avg_cpu_percent) == (0.0, 0.0)
    assert find_bottlenecks({"fetch": m}, BottleneckThresholds(average_ms=1000)) == []
    assert m.average_ms >= 200
    assert m.cpu_unknown_count == 1
    assert op.cpu_seconds is None


async def test_sync_block_in_the_main_task_is_measured() -> None:
    # Nothing else runs inside a synchronous block, so its window is its own CPU.
    async with ComponentTracker() as tracker:
        with tracker.track("parse") as op:
            burn(0.02)
    assert op.cpu_seconds == pytest.approx(0.02, rel=0.2)
    assert tracker.get_component_metrics()["parse"].cpu_unknown_count == 0


async def test_leaving_the_tracker_restores_the_task_factory() -> None:
    loop = asyncio.get_running_loop()
    before = loop.get_task_factory()
    async with ComponentTracker():
        assert loop.get_task_factory() is not before
    assert loop.get_task_factory() is before


def test_instrumented_loop_makes_the_main_task_exact() -> None:
    tracker = ComponentTracker()

    async def main() -> None:
        async with tracker.track("main"):
            burn(0.01)
            await asyncio.sleep(0.02)

    with asyncio.Runner(loop_factory=instrumented_event_loop) as runner:
        runner.run(main())
    m = tracker.get_component_metrics()["main"]
    assert m.cpu_unknown_count == 0
    assert m.total_cpu_seconds == pytest.approx(0.01, rel=0.3)


async def test_slow_steps_name_the_component_that_ran_them() -> None:
    async with ComponentTracker(slow_callback_threshold=0.02) as tracker:

        async def hog() -> None:
            async with tracker.track("hog"):
                burn(0.05)
                await asyncio.sleep(0)

        await asyncio.create_task(hog())
        health = tracker.loop_health()
    assert health.slow_callbacks >= 1
    assert any(s.component == "hog" and s.duration_ms >= 40 for s in health.recent_slow_callbacks)


async def test_decorated_coroutine_in_an_accounted_task_is_not_charged_twice() -> None:
    async with ComponentTracker() as tracker:

        @tracker.track("deco")
        async def deco() -> None:
            for _ in range(3):
                burn(0.01)
                await asyncio.sleep(0.001)

        await asyncio.create_task(deco())
    assert tracker.get_component_metrics()["deco"].total_cpu_seconds == pytest.approx(
        0.03, rel=0.25
    )


async def test_accounted_tasks_still_look_like_their_coroutine() -> None:
    async with ComponentTracker():

        async def napper() -> int:
            await asyncio.sleep(0.01)
            return 7

        task = asyncio.create_task(napper())
        await asyncio.sleep(0)
        assert "napper" in repr(task)
        assert task.get_stack()  # frames are reachable for debuggers
        assert await task == 7


async def test_slow_step_that_ends_its_operation_is_still_named() -> None:
    async with ComponentTracker(slow_callback_threshold=0.02) as tracker:

        async def hog() -> None:
            async with tracker.track("hog"):
                await asyncio.sleep(0)
                burn(0.05)  # the operation ends in this same step

        await asyncio.create_task(hog())
        health = tracker.loop_health()
    assert any(s.component == "hog" for s in health.recent_slow_callbacks)
