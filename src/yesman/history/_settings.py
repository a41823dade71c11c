"""How long the history keeps what, and how often it tidies up."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from yesman.metrics import DEFAULT_SAMPLE_SIZE

__all__ = ["DAY", "HOUR", "HistorySettings"]

HOUR: Final = 3600.0
DAY: Final = 86400.0


@dataclass(frozen=True, slots=True)
class HistorySettings:
    """Retention and maintenance of the performance history.

    ``raw_retention``: seconds to keep one row per report interval (default 14 days).
    ``rollup_retention``: seconds to keep hourly roll-ups and dialog outcomes (default a year).
    ``maintenance_interval``: seconds between two roll-up and prune passes (they run on the
    store's thread, never on the event loop). ``sample_size``: raw latencies kept per component
    per interval and per hourly roll-up.
    """

    raw_retention: float = 14 * DAY
    rollup_retention: float = 365 * DAY
    maintenance_interval: float = 600.0
    sample_size: int = DEFAULT_SAMPLE_SIZE

    def __post_init__(self) -> None:
        for name in ("raw_retention", "rollup_retention", "maintenance_interval"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"HistorySettings.{name} must be > 0 seconds, got {value!r}")
        if self.sample_size < 1:
            raise ValueError(f"HistorySettings.sample_size must be >= 1, got {self.sample_size!r}")
