"""What one reporting interval adds to a component's figures, in a form that can be stored and
merged later: the interval's latency sketch, a bounded uniform sample of its raw latencies, and
the deltas of its counters.

The sketch is what makes percentiles over any time range possible without keeping every value:
sketches of consecutive intervals merge by adding bucket counts, and a merged sketch answers any
quantile within the sketch's relative accuracy (1 %). The raw sample is what statistical tests
(Mann-Whitney U, a bootstrap) need and a sketch cannot give.

`SketchState.to_bytes()` is the stored form: a version byte and a fixed header, then the bucket
keys (delta-encoded) and counts, zlib-compressed. A sketch of one component over one interval is
typically 100-400 bytes.

The reservoir is Vitter/Li's "Algorithm L": a uniform sample of at most ``size`` values from a
stream of unknown length that draws random numbers only when it replaces an item (about
``size * ln(n / size)`` times for ``n`` values), so feeding it a batch costs a few list writes, not
one random draw per value.
"""

from __future__ import annotations

import math
import random
import struct
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Final

from yesman.metrics._stats import LogSketch

__all__ = [
    "DEFAULT_SAMPLE_SIZE",
    "ComponentInterval",
    "Reservoir",
    "SketchState",
    "pack_samples",
    "unpack_samples",
]

DEFAULT_SAMPLE_SIZE: Final = 200
_FORMAT_VERSION: Final = 1
_HEADER: Final = struct.Struct("<BdQdddI")


@dataclass(frozen=True, slots=True)
class SketchState:
    """An immutable copy of a `LogSketch`: what is stored per component per interval."""

    relative_accuracy: float
    zero_count: int
    keys: tuple[int, ...]
    counts: tuple[int, ...]
    total: float
    minimum: float
    maximum: float

    @property
    def count(self) -> int:
        return self.zero_count + sum(self.counts)

    @classmethod
    def of(cls, sketch: LogSketch) -> SketchState:
        zero, buckets = sketch.buckets()
        keys = tuple(sorted(buckets))
        return cls(
            relative_accuracy=sketch.relative_accuracy,
            zero_count=zero,
            keys=keys,
            counts=tuple(buckets[k] for k in keys),
            total=sketch.total,
            minimum=sketch.minimum if sketch.count else 0.0,
            maximum=sketch.maximum if sketch.count else 0.0,
        )

    @classmethod
    def empty(cls, relative_accuracy: float = 0.01) -> SketchState:
        return cls(relative_accuracy, 0, (), (), 0.0, 0.0, 0.0)

    def to_sketch(self) -> LogSketch:
        return LogSketch.from_buckets(
            self.relative_accuracy,
            self.zero_count,
            dict(zip(self.keys, self.counts, strict=True)),
            total=self.total,
            minimum=self.minimum,
            maximum=self.maximum,
        )

    def to_bytes(self) -> bytes:
        deltas = array("q", (b - a for a, b in zip((0, *self.keys), self.keys, strict=False)))
        body = deltas.tobytes() + array("q", self.counts).tobytes()
        header = _HEADER.pack(
            _FORMAT_VERSION,
            self.relative_accuracy,
            self.zero_count,
            self.total,
            self.minimum,
            self.maximum,
            len(self.keys),
        )
        return header + zlib.compress(body, 6)

    @classmethod
    def from_bytes(cls, blob: bytes) -> SketchState:
        """The state `to_bytes` wrote; ValueError for anything else."""
        if len(blob) < _HEADER.size or blob[0] != _FORMAT_VERSION:
            raise ValueError("not a yesman sketch (unknown format or truncated)")
        _, accuracy, zero, total, low, high, n = _HEADER.unpack_from(blob)
        try:
            body = zlib.decompress(blob[_HEADER.size :])
        except zlib.error as exc:
            raise ValueError(f"corrupt sketch: {exc}") from exc
        numbers = array("q")
        numbers.frombytes(body)
        if len(numbers) != 2 * n:
            raise ValueError(f"corrupt sketch: {len(numbers)} numbers for {n} buckets")
        keys: list[int] = []
        key = 0
        for delta in islice(numbers, n):
            key += delta
            keys.append(key)
        return cls(accuracy, zero, tuple(keys), tuple(numbers[n:]), total, low, high)


def pack_samples(samples: Sequence[float]) -> bytes:
    """Raw samples as little-endian float32 (7 significant digits is plenty for milliseconds)."""
    return array("f", samples).tobytes()


def unpack_samples(blob: bytes) -> tuple[float, ...]:
    values = array("f")
    values.frombytes(blob)
    return tuple(values)


class Reservoir:
    """A uniform random sample of at most `size` of the values offered (Algorithm L)."""

    __slots__ = ("_next", "_rng", "_w", "items", "seen", "size")

    def __init__(self, size: int = DEFAULT_SAMPLE_SIZE, rng: random.Random | None = None) -> None:
        if size < 1:
            raise ValueError(f"reservoir size must be >= 1, got {size!r}")
        self.size = size
        self.items: list[float] = []
        self.seen = 0
        self._rng = rng if rng is not None else random.Random()
        self._w = 1.0
        self._next = 0  # the stream index (0-based) of the next value to take

    def _skip(self) -> None:
        rng = self._rng
        # random() can return 0.0; 1 - random() is in (0, 1], so its log is finite.
        self._w *= math.exp(math.log(1.0 - rng.random()) / self.size)
        gap = math.log(1.0 - rng.random()) / math.log1p(-self._w) if self._w < 1.0 else 0.0
        self._next += int(gap) + 1

    def sample(self, limit: int) -> tuple[float, ...]:
        """At most `limit` of the kept values, still a uniform sample of everything offered."""
        if len(self.items) <= limit:
            return tuple(self.items)
        return tuple(self._rng.sample(self.items, limit))

    def offer_many(self, values: Sequence[float]) -> None:
        start = self.seen
        n = len(values)
        self.seen += n
        if len(self.items) < self.size:
            take = min(self.size - len(self.items), n)
            self.items.extend(islice(values, take))
            if len(self.items) < self.size:
                return
            self._next = start + take - 1
            self._skip()
        while self._next < start + n:
            self.items[self._rng.randrange(self.size)] = values[self._next - start]
            self._skip()


@dataclass(frozen=True, slots=True)
class ComponentInterval:
    """What one component did during one reporting interval.

    ``count`` operations (``error_count`` of them failed, ``cancelled_count`` cancelled) whose
    latencies are in ``sketch`` and, uniformly sampled, in ``samples_ms`` (at most the reservoir
    size). CPU seconds and bytes are what the interval added.
    """

    component: str
    count: int
    error_count: int
    cancelled_count: int
    sketch: SketchState
    samples_ms: tuple[float, ...]
    cpu_seconds: float
    bytes_sent: int
    bytes_received: int
