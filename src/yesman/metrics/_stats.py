"""Statistics over recorded samples: exact percentiles for a recent window, and a sketch for the
whole lifetime.

Window percentiles use linear interpolation between closest ranks (numpy's default, "type 7"), so
for any data p99 >= p95 >= median and a single sample is its own every percentile.

The lifetime sketch is a log-bucketed histogram in the style of DDSketch: bucket ``k`` holds values
in ``(gamma**(k-1), gamma**k]`` with ``gamma = (1 + a) / (1 - a)``, so the bucket's representative
value is within relative error ``a`` of every value in it. Two sketches with the same accuracy merge
by adding counts. We keep our own instead of ``ddsketch.DDSketch`` because samples are folded in
batches through C-level iterators (``Counter.update(map(...))``), which costs about a third of
``DDSketch.add`` per sample on the hot path; ``benchmarks/tracker.py`` prints both figures.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import mul

__all__ = ["LogSketch", "WindowSummary", "percentile", "summarize"]

# Below this a duration is "zero": log() of it is meaningless and the bucket would be huge.
_MIN_POSITIVE = 1e-9


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of already sorted values, linearly interpolated.

    Returns 0.0 for an empty sequence so that snapshots of idle components stay numeric.
    """
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"percentile q must be within 0..100, got {q!r}")
    n = len(sorted_values)
    if n == 0:
        return 0.0
    rank = (n - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, n - 1)
    frac = rank - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * frac


@dataclass(frozen=True, slots=True)
class WindowSummary:
    """Count, mean, median, p95, p99, min and max of a window of samples."""

    count: int = 0
    mean: float = 0.0
    median: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    minimum: float = 0.0
    maximum: float = 0.0


def summarize(values: Iterable[float]) -> WindowSummary:
    """Summarise ``values`` (any order). An empty input gives an all-zero summary."""
    ordered = sorted(values)
    if not ordered:
        return WindowSummary()
    return WindowSummary(
        count=len(ordered),
        mean=math.fsum(ordered) / len(ordered),
        median=percentile(ordered, 50.0),
        p95=percentile(ordered, 95.0),
        p99=percentile(ordered, 99.0),
        minimum=ordered[0],
        maximum=ordered[-1],
    )


class LogSketch:
    """A mergeable quantile sketch with bounded relative error (default 1 %) for values >= 0."""

    __slots__ = (
        "_buckets",
        "_gamma",
        "_multiplier",
        "_zero",
        "count",
        "maximum",
        "minimum",
        "total",
    )

    def __init__(self, relative_accuracy: float = 0.01) -> None:
        if not 0.0 < relative_accuracy < 1.0:
            raise ValueError(
                f"relative_accuracy must be between 0 and 1 (e.g. 0.01), got {relative_accuracy!r}"
            )
        self._gamma = (1.0 + relative_accuracy) / (1.0 - relative_accuracy)
        # Keys are ceil(log_gamma(v)) computed as log2(v) / log2(gamma): math.log2 takes one
        # argument and is ~2x cheaper per call than math.log, which parses an optional base.
        self._multiplier = 1.0 / math.log2(self._gamma)
        self._buckets: Counter[int] = Counter()
        self._zero = 0
        self.count = 0
        self.total = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf

    @property
    def relative_accuracy(self) -> float:
        return (self._gamma - 1.0) / (self._gamma + 1.0)

    def add(self, value: float) -> None:
        self.add_many((value,))

    def add_many(self, values: Sequence[float]) -> None:
        """Fold a batch of values in; negative or non-finite values are rejected."""
        if not values:
            return
        low = min(values)
        high = max(values)
        if not (low >= 0.0 and math.isfinite(high)):
            raise ValueError(
                f"sketch values must be finite and >= 0, got a batch spanning {low!r}..{high!r}"
            )
        positive = [v for v in values if v > _MIN_POSITIVE] if low <= _MIN_POSITIVE else values
        self._zero += len(values) - len(positive)
        # ceil(log2(v) / log2(gamma)) for every value, iterated in C.
        self._buckets.update(
            map(math.ceil, map(mul, map(math.log2, positive), repeat(self._multiplier)))
        )
        self.count += len(values)
        self.total += math.fsum(values)
        self.minimum = min(self.minimum, low)
        self.maximum = max(self.maximum, high)

    def merge(self, other: LogSketch) -> None:
        """Add ``other``'s samples to this sketch. Both must have the same accuracy."""
        if not math.isclose(self._gamma, other._gamma, rel_tol=1e-12):
            raise ValueError(
                "cannot merge sketches with different relative accuracy "
                f"({self.relative_accuracy:g} vs {other.relative_accuracy:g}); "
                "build both with the same value"
            )
        self._buckets.update(other._buckets)
        self._zero += other._zero
        self.count += other.count
        self.total += other.total
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0

    def copy(self) -> LogSketch:
        """An independent sketch with the same samples."""
        twin = LogSketch.__new__(LogSketch)
        twin._gamma = self._gamma
        twin._multiplier = self._multiplier
        twin._buckets = Counter(self._buckets)
        twin._zero = self._zero
        twin.count = self.count
        twin.total = self.total
        twin.minimum = self.minimum
        twin.maximum = self.maximum
        return twin

    def buckets(self) -> tuple[int, dict[int, int]]:
        """The zero count and a copy of the bucket counts (key ``k`` covers
        ``(gamma**(k-1), gamma**k]``): what a serialised form must keep."""
        return self._zero, dict(self._buckets)

    @classmethod
    def from_buckets(
        cls,
        relative_accuracy: float,
        zero: int,
        buckets: Mapping[int, int],
        *,
        total: float,
        minimum: float,
        maximum: float,
    ) -> LogSketch:
        """The sketch `buckets()` describes (with its sum, minimum and maximum)."""
        sketch = cls(relative_accuracy)
        sketch._zero = zero
        sketch._buckets.update(buckets)
        sketch.count = zero + sum(buckets.values())
        sketch.total = total
        sketch.minimum = minimum if sketch.count else math.inf
        sketch.maximum = maximum if sketch.count else -math.inf
        return sketch

    def quantile(self, q: float) -> float:
        """The ``q`` quantile (0..1), within the relative accuracy; 0.0 when empty."""
        if not 0.0 <= q <= 1.0:
            raise ValueError(f"quantile q must be within 0..1, got {q!r}")
        if self.count == 0:
            return 0.0
        rank = q * (self.count - 1)
        seen = self._zero
        if rank < seen:
            return self.minimum  # the zero bucket: every value in it is <= _MIN_POSITIVE
        value = self.maximum
        for key in sorted(self._buckets):
            seen += self._buckets[key]
            if rank < seen:
                value = 2.0 * self._gamma**key / (self._gamma + 1.0)
                break
        return min(max(value, self.minimum), self.maximum)
