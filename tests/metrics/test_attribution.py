"""CPU is charged to the component whose code ran, not to whoever was waiting meanwhile."""

from __future__ import annotations

import asyncio
import time

import pytest

from yesman.metrics import ComponentTracker, instrumented_event_loop


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
    assert metrics["A"].cpu_approximate_count == metrics["B"].cpu_approximate_count == 0


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
    assert m.cpu_approximate_count == 0


async def test_block_in_an_unaccounted_task_is_flagged_approximate() -> None:
    tracker = ComponentTracker()
    async with tracker.track("main"):
        await asyncio.sleep(0.001)
    assert tracker.get_component_metrics()["main"].cpu_approximate_count == 1


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
    assert m.cpu_approximate_count == 0
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
