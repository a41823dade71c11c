"""Started trackers are listed by `open_trackers()`; stopped or dropped ones are not."""

from __future__ import annotations

import gc

from yesman.metrics import ComponentTracker, open_trackers


async def test_start_registers_and_stop_unregisters() -> None:
    tracker = ComponentTracker(["a"])
    assert tracker not in open_trackers()
    async with tracker:
        assert tracker in open_trackers()
    assert tracker not in open_trackers()
    await tracker.start()  # restartable: registered again
    assert tracker in open_trackers()
    await tracker.stop()


async def test_the_registry_does_not_keep_a_tracker_alive() -> None:
    tracker = ComponentTracker(["a"])
    await tracker.start()
    before = len(open_trackers())
    await tracker.stop()
    del tracker
    gc.collect()
    assert len(open_trackers()) == before - 1
