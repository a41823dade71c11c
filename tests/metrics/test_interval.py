"""Per-interval state for the history: serialised sketches, the reservoir, tracker intervals."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from yesman.bus import Event
from yesman.metrics import (
    ComponentTracker,
    LogSketch,
    PerformanceReport,
    PerformanceReporter,
    Reservoir,
    SketchState,
    pack_samples,
    unpack_samples,
)


def _sketch(values: list[float]) -> LogSketch:
    sketch = LogSketch()
    sketch.add_many(values)
    return sketch


def test_a_stored_sketch_answers_like_the_original() -> None:
    rng = random.Random(1)
    values = [rng.lognormvariate(1.0, 1.2) for _ in range(5000)] + [0.0] * 7
    original = _sketch(values)
    state = SketchState.from_bytes(SketchState.of(original).to_bytes())
    restored = state.to_sketch()
    assert state.count == original.count == 5007
    assert state.zero_count == 7
    for q in (0.0, 0.01, 0.5, 0.95, 0.99, 1.0):
        assert restored.quantile(q) == original.quantile(q)
    assert restored.mean == pytest.approx(original.mean)
    assert (restored.minimum, restored.maximum) == (original.minimum, original.maximum)


def test_an_empty_sketch_round_trips_and_garbage_is_refused() -> None:
    empty = SketchState.from_bytes(SketchState.of(LogSketch()).to_bytes())
    assert empty.count == 0
    assert empty.to_sketch().quantile(0.5) == 0.0
    with pytest.raises(ValueError, match="not a yesman sketch"):
        SketchState.from_bytes(b"\x07hello")
    blob = SketchState.of(_sketch([1.0, 2.0])).to_bytes()
    with pytest.raises(ValueError, match="corrupt sketch"):
        SketchState.from_bytes(blob[:-3])


def test_samples_pack_as_float32() -> None:
    values = [0.125, 3.5, 1234.25]
    blob = pack_samples(values)
    assert len(blob) == 4 * len(values)
    assert unpack_samples(blob) == tuple(values)


def test_reservoir_keeps_everything_until_full_then_stays_bounded() -> None:
    reservoir = Reservoir(10, random.Random(3))
    reservoir.offer_many([1.0, 2.0, 3.0])
    assert reservoir.items == [1.0, 2.0, 3.0]
    reservoir.offer_many([float(v) for v in range(4, 1000)])
    assert len(reservoir.items) == 10
    assert reservoir.seen == 999
    assert len(set(reservoir.items)) == 10


def test_reservoir_sample_is_uniform() -> None:
    # Each of 1000 positions should be kept with probability 50/1000: over many runs the mean
    # kept position is the stream's mean, and late positions are not favoured.
    rng = random.Random(7)
    kept: list[float] = []
    for _ in range(400):
        reservoir = Reservoir(50, rng)
        for start in range(0, 1000, 100):  # batches, as the tracker folds them
            reservoir.offer_many([float(v) for v in range(start, start + 100)])
        kept.extend(reservoir.items)
    assert statistics.fmean(kept) == pytest.approx(499.5, rel=0.02)
    first_half = sum(1 for v in kept if v < 500) / len(kept)
    assert first_half == pytest.approx(0.5, abs=0.02)


def test_tracker_intervals_split_the_lifetime() -> None:
    tracker = ComponentTracker(["capture"], window=64)
    rng = random.Random(5)
    first = [rng.uniform(1.0, 5.0) for _ in range(300)]
    for ms in first:
        tracker.record_component_timing("capture", ms)
    tracker.record_component_timing("capture", 9.0, success=False, error_type="Timeout")
    tracker.record_component_network_io("capture", 100, 50, 0.01)
    one = tracker.take_intervals(sample_size=20)["capture"]
    assert one.count == 301
    assert one.error_count == 1
    assert (one.bytes_sent, one.bytes_received) == (100, 50)
    assert len(one.samples_ms) == 20
    assert all(1.0 <= v <= 9.0 for v in one.samples_ms)
    assert one.sketch.to_sketch().quantile(0.5) == pytest.approx(
        statistics.median([*first, 9.0]), rel=0.02
    )

    for _ in range(5):
        tracker.record_component_timing("capture", 100.0)
    two = tracker.take_intervals()["capture"]
    assert (two.count, two.error_count, two.bytes_sent) == (5, 0, 0)
    assert two.samples_ms == (100.0,) * 5
    assert two.sketch.to_sketch().quantile(0.5) == pytest.approx(100.0, rel=0.01)

    # The lifetime figures still cover both intervals and the one under way.
    tracker.record_component_timing("capture", 50.0)
    lifetime = tracker.get_component_metrics()["capture"]
    assert lifetime.total_count == 307
    assert lifetime.lifetime_max_ms == pytest.approx(100.0, rel=0.01)
    three = tracker.take_intervals()["capture"]
    assert three.count == 1
    assert math.isclose(three.sketch.maximum, 50.0)


async def test_the_periodic_report_carries_each_interval_once() -> None:
    published: list[Event] = []

    class Bus:
        async def publish(self, event: Event) -> bool:
            published.append(event)
            return True

    tracker = ComponentTracker(["capture"])
    reporter = PerformanceReporter(tracker, Bus(), "s", host_network=False)
    for _ in range(7):
        tracker.record_component_timing("capture", 2.0)
    reporter.build_report()  # on demand: must not cut the interval
    await reporter.report_now()
    await reporter.report_now()
    first, second = (e.payload for e in published)
    assert isinstance(first, PerformanceReport)
    assert isinstance(second, PerformanceReport)
    assert first.intervals["capture"].count == 7
    assert second.intervals["capture"].count == 0
    assert "intervals" not in first.as_dict()  # the seed's dict shape is unchanged
