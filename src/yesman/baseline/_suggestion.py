"""`Suggestion`: one optimisation, with its evidence, the change and what it should do.

Suggestions are printed, never applied: a person reads the evidence and decides.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

__all__ = ["Suggestion", "SuggestionKind"]


class SuggestionKind(enum.Enum):
    QUEUE = "queue"  # bus queue size / workers
    SLOW_STEP = "slow-step"  # blocking work on the event loop
    MEMORY_GROWTH = "memory-growth"  # suspected leak
    POLICY_RULE = "policy-rule"  # a rule that would have answered held dialogs
    PANE_SCALING = "pane-scaling"  # capture/detection slows down as panes are added


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: SuggestionKind
    title: str
    evidence: tuple[str, ...]
    change: str
    expected_effect: str
    component: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "title": self.title,
            "component": self.component,
            "evidence": list(self.evidence),
            "change": self.change,
            "expected_effect": self.expected_effect,
        }
