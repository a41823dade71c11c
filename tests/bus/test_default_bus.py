"""The process-wide default bus, and the seed's usage examples run as written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from yesman.bus import (
    AsyncEventBus,
    Event,
    EventType,
    get_event_bus,
    reset_event_bus,
    set_event_bus,
)


@pytest.fixture(autouse=True)
def fresh_default_bus() -> Iterator[None]:
    previous = reset_event_bus()
    yield
    reset_event_bus()
    if previous is not None:
        set_event_bus(previous)


def test_get_event_bus_returns_one_bus_until_reset() -> None:
    first = get_event_bus()
    assert get_event_bus() is first
    assert reset_event_bus() is first
    assert get_event_bus() is not first


def test_set_event_bus_replaces_the_default() -> None:
    mine = AsyncEventBus(max_queue_size=7)
    set_event_bus(mine)
    assert get_event_bus() is mine
    with pytest.raises(TypeError, match="takes an AsyncEventBus"):
        set_event_bus("bus")  # type: ignore[arg-type]


async def test_seed_example_monitoring_queue_depth(capsys: pytest.CaptureFixture[str]) -> None:
    # The seed's "Monitoring Queue Depth" example. Only the import line differs, and its
    # placeholder `Event(...)` is filled in with a real event.
    event_bus = get_event_bus()
    await event_bus.start()

    # Publish events and monitor queue depth
    for i in range(10):
        await event_bus.publish(Event(type=EventType.CUSTOM, data={"i": i}))

    metrics = event_bus.get_metrics()
    if metrics.queue_utilization_percent > 80:
        print(f"Warning: High queue utilization ({metrics.queue_utilization_percent:.1f}%)")

    assert metrics.events_published == 10
    assert capsys.readouterr().out == ""  # 10 of 10,000 is nowhere near 80 %
    await event_bus.stop()
    assert event_bus.get_metrics().events_processed == 10


async def test_seed_overview_and_configuration_examples(capsys: pytest.CaptureFixture[str]) -> None:
    event_bus = get_event_bus()
    metrics = event_bus.get_metrics()

    print(f"Queue utilization: {metrics.queue_utilization_percent:.1f}%")
    print(f"Peak queue depth: {metrics.peak_queue_depth}")
    print(f"Overflow events: {metrics.queue_overflow_events}")
    assert capsys.readouterr().out.splitlines() == [
        "Queue utilization: 0.0%",
        "Peak queue depth: 0",
        "Overflow events: 0",
    ]

    # Configure event bus with custom queue size
    event_bus = AsyncEventBus(
        max_queue_size=10000,  # Maximum events in queue
        worker_count=4,  # Number of processing workers
    )

    # Configure metrics reporting interval
    event_bus._metrics_interval = 30.0  # Report every 30 seconds
    assert event_bus.max_queue_size == 10000
    assert event_bus.worker_count == 4
    assert event_bus._metrics_interval == 30.0
