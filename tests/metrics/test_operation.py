"""What one tracked operation records: its own figures, and when memory is read."""

from __future__ import annotations

import time

import pytest

from yesman.metrics import ComponentTracker
from yesman.metrics._operation import MEMORY_ALWAYS_SECONDS, MEMORY_EVERY


def test_short_operations_read_memory_one_in_sixteen() -> None:
    tracker = ComponentTracker()
    ops = []
    for _ in range(2 + 4 * MEMORY_EVERY):
        with tracker.track("tiny") as op:
            pass
        ops.append(op)
    read = [i for i, op in enumerate(ops) if op.memory_delta_mb is not None]
    # The first two (no history yet), then every 16th.
    assert read == [0, 1, 17, 33, 49, 65]
    m = tracker.get_component_metrics()["tiny"]
    assert m.memory_sample_count == len(read)
    assert m.total_count == len(ops)
    # CPU is read on every operation.
    assert all(op.cpu_seconds is not None for op in ops)


def test_long_operations_read_memory_every_time() -> None:
    tracker = ComponentTracker()
    for _ in range(20):
        with tracker.track("slow") as op:
            end = time.perf_counter() + 2 * MEMORY_ALWAYS_SECONDS
            while time.perf_counter() < end:
                pass
        assert op.memory_delta_mb is not None
    assert tracker.get_component_metrics()["slow"].memory_sample_count == 20


@pytest.mark.parametrize(
    ("cpu", "memory", "io"),
    [
        pytest.param(True, True, True, id="default"),
        pytest.param(False, True, True, id="no-cpu"),
        pytest.param(True, False, True, id="no-memory"),
        pytest.param(False, False, False, id="timing-only"),
    ],
)
def test_an_operation_reports_only_what_was_measured(cpu: bool, memory: bool, io: bool) -> None:
    tracker = ComponentTracker(cpu=cpu, memory=memory, io=io)
    op = tracker.track("c")
    assert (op.cpu_seconds, op.memory_delta_mb) == (None, None)  # not run yet
    with op:
        end = time.thread_time() + 0.01
        while time.thread_time() < end:
            pass
    assert (op.cpu_seconds is not None, op.memory_delta_mb is not None) == (cpu, memory)
    if cpu:
        assert op.cpu_seconds == pytest.approx(0.01, rel=0.3)
