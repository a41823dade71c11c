"""`DialogTally`: what a watcher did with its dialogs and how long agents waited for a human.

Totals only grow, so exporters can read them as counters at scrape time (`DialogTally.snapshot`)
instead of listening to every event. One tally is shared by all the monitors of a supervisor
and outlives them: a closed pane's dialogs stay counted.

A *wait for a human* is a dialog yesman left on screen (held by policy, held after a failed
answer or audit write, or decided in a dry run): it lasts from the moment the dialog was first
seen until the pane shows something else, or the pane's watch ends.

Labels stay bounded: a tool name is cut to `TOOL_LABEL_LIMIT` characters (an unknown dialog's
header is read from the screen), agents are the few yesman knows, and past `MAX_KEYS` distinct
(outcome, kind, tool, rule, agent) combinations new ones are counted under the tool ``"other"``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from yesman.agents import Prompt
from yesman.policy import Action, Decision

__all__ = ["DialogKey", "DialogOutcome", "DialogTally", "DialogTotals"]

TOOL_LABEL_LIMIT: Final = 40
MAX_KEYS: Final = 256


class DialogOutcome(StrEnum):
    """What yesman did about one dialog (the audit log's action, or a dry run's non-action)."""

    ANSWER = "answer"  # typed the chosen option
    DENY = "deny"  # typed the "No" option
    HOLD = "hold"  # left it to a human
    DRY_RUN = "dry_run"  # would have typed an answer, but this is a dry run

    @classmethod
    def of(cls, decision: Decision) -> DialogOutcome:
        if decision.action is Action.HOLD or not decision.keys:
            return cls.HOLD
        if decision.dry_run:
            return cls.DRY_RUN
        return cls.DENY if decision.action is Action.DENY else cls.ANSWER


@dataclass(frozen=True, slots=True)
class DialogKey:
    """The labels dialogs are counted by; ``tool`` is ``"none"`` for dialogs of no tool,
    ``agent`` the name of the agent that asked (``""`` when not said)."""

    outcome: DialogOutcome
    kind: str
    tool: str
    rule: str
    agent: str = ""


@dataclass(frozen=True, slots=True)
class DialogTotals:
    """A tally at one instant.

    Attributes:
        decisions: dialogs decided, per outcome, dialog kind, tool, policy rule and agent.
        unverified: answers typed that did not take (the dialog was handed to a human).
        waits_ended: dialogs left to a human that have since gone from the screen.
        waited_seconds: seconds agents waited for a human, all waits: ended ones in full, open
            ones so far (so the figure never goes down).
        waiting: pane id -> seconds its current dialog has waited for a human (open waits only).
    """

    decisions: Mapping[DialogKey, int]
    unverified: int
    waits_ended: int
    waited_seconds: float
    waiting: Mapping[str, float]


class DialogTally:
    """Counts decisions and measures waits; use it from the event loop's thread only."""

    __slots__ = ("_clock", "_decisions", "_ended_seconds", "_open", "_unverified", "_waits_ended")

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._decisions: dict[DialogKey, int] = {}
        self._unverified = 0
        self._open: dict[str, float] = {}  # pane id -> monotonic time its dialog was first seen
        self._ended_seconds = 0.0
        self._waits_ended = 0

    def decided(
        self, prompt: Prompt, outcome: DialogOutcome, rule: str, *, agent: str = ""
    ) -> None:
        """Count one decided dialog (of `agent`, the asking agent's name)."""
        tool = (prompt.tool or "none")[:TOOL_LABEL_LIMIT]
        key = DialogKey(outcome, prompt.kind.value, tool, rule, agent)
        if key not in self._decisions and len(self._decisions) >= MAX_KEYS:
            key = DialogKey(key.outcome, key.kind, "other", key.rule, key.agent)
        self._decisions[key] = self._decisions.get(key, 0) + 1

    def unverified(self) -> None:
        """Count an answer that did not take."""
        self._unverified += 1

    def wait_began(self, pane_id: str, since: float) -> None:
        """The dialog on ``pane_id``, first seen at ``since`` (monotonic), is left to a human."""
        began = self._open.get(pane_id)
        if began is None or since < began:
            self._open[pane_id] = since

    def wait_ended(self, pane_id: str, at: float | None = None) -> None:
        """The pane's dialog is gone (or its watch ended); nothing happens if none waited."""
        began = self._open.pop(pane_id, None)
        if began is None:
            return
        end = self._clock() if at is None else at
        self._ended_seconds += max(0.0, end - began)
        self._waits_ended += 1

    def snapshot(self) -> DialogTotals:
        now = self._clock()
        waiting = {pane: max(0.0, now - since) for pane, since in self._open.items()}
        return DialogTotals(
            decisions=MappingProxyType(dict(self._decisions)),
            unverified=self._unverified,
            waits_ended=self._waits_ended,
            waited_seconds=self._ended_seconds + sum(waiting.values()),
            waiting=MappingProxyType(waiting),
        )
