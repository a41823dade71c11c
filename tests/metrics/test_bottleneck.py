from __future__ import annotations

import pytest

from yesman.metrics import Bottleneck, BottleneckThresholds, ComponentTracker, find_bottlenecks
from yesman.metrics._bottleneck import BottleneckTransitions

SEED_LINE = (
    "Bottleneck in content_capture: avg=150.5ms, p95=200.1ms, errors=0, mem=2.5MB, "
    "cpu=25.3%, net=1.2MB/s"
)


def test_message_matches_the_seed_character_for_character() -> None:
    b = Bottleneck(
        component="content_capture",
        reasons=("latency", "io"),
        average_ms=150.5,
        p95_ms=200.1,
        error_count=0,
        memory_delta_mb=2.5,
        cpu_percent=25.3,
        throughput_mbps=1.2,
    )
    assert b.message() == SEED_LINE


@pytest.mark.parametrize(
    ("record", "reasons"),
    [
        pytest.param(lambda t: t.record_component_timing("c", 150.0), ("latency",), id="slow"),
        pytest.param(lambda t: t.record_component_memory("c", 6.0), ("memory",), id="memory"),
        pytest.param(
            lambda t: (t.record_component_timing("c", 40.0), t.record_component_cpu("c", 75.0)),
            ("cpu",),
            id="cpu",
        ),
        pytest.param(
            # 75 % of a 1 ms step is 0.75 ms of CPU: busy, but not holding the loop.
            lambda t: (t.record_component_timing("c", 1.0), t.record_component_cpu("c", 75.0)),
            (),
            id="short-busy-step-is-fine",
        ),
        pytest.param(
            lambda t: t.record_component_network_io("c", 3 * 1024 * 1024, 0, 1.0), ("io",), id="io"
        ),
        pytest.param(lambda t: t.record_component_timing("c", 100.0), (), id="at-limit-is-fine"),
    ],
)
def test_default_thresholds_are_the_seeds(record: object, reasons: tuple[str, ...]) -> None:
    tracker = ComponentTracker()
    record(tracker)  # type: ignore[operator]
    found = find_bottlenecks(tracker.get_component_metrics(), BottleneckThresholds())
    assert tuple(r for b in found for r in b.reasons) == reasons


def test_thresholds_are_configurable_and_validated() -> None:
    tracker = ComponentTracker()
    tracker.record_component_timing("c", 30.0)
    assert find_bottlenecks(tracker.get_component_metrics(), BottleneckThresholds(average_ms=20))
    with pytest.raises(ValueError, match="cpu_percent"):
        BottleneckThresholds(cpu_percent=-1)


def test_transitions_report_start_and_end_once() -> None:
    b = Bottleneck("c", ("cpu",), 1.0, 1.0, 0, 0.0, 80.0, 0.0)
    t = BottleneckTransitions()
    assert t.update([b]) == ([b], [])
    assert t.update([b]) == ([], [])
    assert t.update([]) == ([], [b])
    assert t.update([]) == ([], [])
