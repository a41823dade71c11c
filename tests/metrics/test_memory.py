"""Memory deltas are charged per operation; kept memory shows, freed memory is not a leak."""

from __future__ import annotations

import asyncio
import mmap
import os
import tracemalloc

import psutil
import pytest

from yesman.metrics import ComponentTracker
from yesman.metrics._memory import MB, RssReader, looks_like_leak, resident_pages


def resident(size: int) -> mmap.mmap:
    """Fresh memory that is resident: an anonymous mapping with every page written.

    Tests use mappings rather than bytes objects because the C allocator may hand a bytes object
    memory that is already resident (freed earlier by another test), which RSS cannot see.
    """
    buf = mmap.mmap(-1, size)
    for offset in range(0, size, mmap.PAGESIZE):
        buf[offset] = 1
    return buf


def test_rss_reader_agrees_with_psutil() -> None:
    reader = RssReader()
    try:
        assert reader.rss_bytes() == pytest.approx(psutil.Process().memory_info().rss, rel=0.05)
    finally:
        reader.close()
        reader.close()
    # Closed: falls back to psutil.
    assert reader.rss_bytes() == pytest.approx(psutil.Process().memory_info().rss, rel=0.05)


def test_statm_line_gives_the_resident_pages_also_from_psutil() -> None:
    reader = RssReader()
    try:
        line = reader.statm()
        assert line.endswith(b"\n")
        assert resident_pages(line) == pytest.approx(reader.pages(), rel=0.05)
    finally:
        reader.close()
    # Closed: the line comes from psutil, still with the pages in the resident position.
    assert resident_pages(reader.statm()) == pytest.approx(reader.pages(), rel=0.05)
    assert resident_pages(reader.statm()) * reader.page_size > MB


async def test_nested_operations_both_see_memory_kept_across_steps() -> None:
    kept: list[mmap.mmap] = []
    async with ComponentTracker() as tracker:

        async def outer() -> None:
            async with tracker.track("outer"):
                await asyncio.sleep(0)
                async with tracker.track("inner"):
                    await asyncio.sleep(0)
                    kept.append(resident(16 * MB))
                    await asyncio.sleep(0)
                await asyncio.sleep(0)

        await asyncio.create_task(outer())
        metrics = tracker.get_component_metrics()
    kept[0].close()
    assert metrics["inner"].retained_memory_mb == pytest.approx(16.0, abs=2.0)
    assert metrics["outer"].retained_memory_mb == pytest.approx(16.0, abs=2.0)


async def test_kept_allocation_shows_its_size_and_freed_one_does_not() -> None:
    kept: list[mmap.mmap] = []
    async with ComponentTracker() as tracker:

        async def keeper() -> None:
            async with tracker.track("keeper"):
                await asyncio.sleep(0)
                kept.append(resident(20 * MB))
                await asyncio.sleep(0)

        async def churner() -> None:
            for _ in range(25):
                async with tracker.track("churner"):
                    chunk = resident(2 * MB)
                    await asyncio.sleep(0)
                    chunk.close()

        await asyncio.create_task(keeper())
        await asyncio.create_task(churner())
        metrics = tracker.get_component_metrics()

    assert metrics["keeper"].avg_memory_delta_mb == pytest.approx(20.0, abs=2.0)
    assert metrics["keeper"].peak_memory_mb == pytest.approx(20.0, abs=2.0)
    assert abs(metrics["churner"].retained_memory_mb) < 2.0
    assert not metrics["churner"].suspected_leak
    assert not metrics["keeper"].suspected_leak
    assert len(kept) == 1
    kept[0].close()


async def test_steadily_growing_component_is_a_suspected_leak() -> None:
    hoard: list[mmap.mmap] = []
    tracker = ComponentTracker(leak_min_samples=10, leak_threshold_mb=4.0)
    for _ in range(20):
        with tracker.track("leaky"):
            hoard.append(resident(MB))
    m = tracker.get_component_metrics()["leaky"]
    for buf in hoard:
        buf.close()
    assert m.retained_memory_mb == pytest.approx(20.0, abs=3.0)
    assert m.suspected_leak


@pytest.mark.parametrize(
    ("deltas", "expected"),
    [
        pytest.param([0.5] * 20, True, id="steady-growth"),
        pytest.param([20.0] + [0.0] * 19, False, id="one-kept-allocation"),
        pytest.param([2.0, -2.0] * 10, False, id="allocate-and-free"),
        pytest.param([0.5] * 5, False, id="too-few-samples"),
    ],
)
def test_leak_rule(deltas: list[float], expected: bool) -> None:
    assert looks_like_leak(deltas, min_samples=10, threshold_mb=2.0) is expected


def test_allocation_mode_counts_traced_bytes_and_stops_tracemalloc() -> None:
    assert not tracemalloc.is_tracing()
    tracker = ComponentTracker(allocations=True)
    keep: list[object] = []
    with tracker.track("alloc"):
        keep.extend(object() for _ in range(10_000))
    m = tracker.get_component_metrics()["alloc"]
    assert m.allocation_count >= 10_000
    assert m.allocation_bytes >= 10_000 * 16
    asyncio.run(tracker.aclose())
    assert not tracemalloc.is_tracing()


def test_memory_can_be_switched_off() -> None:
    tracker = ComponentTracker(memory=False)
    with tracker.track("x"):
        data = os.urandom(4 * MB)
    assert len(data) == 4 * MB
    assert tracker.get_component_metrics()["x"].avg_memory_delta_mb == 0.0
