"""What the policy decided, and the facts it decided with."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = ["Action", "Decision", "PolicyContext"]


class Action(StrEnum):
    """What to do about a screen."""

    ANSWER = "answer"  # type the chosen option's digit
    DENY = "deny"  # type the digit of the "No" option (never one that exits)
    HOLD = "hold"  # send nothing; a human must look
    NONE = "none"  # nothing waits: nothing to do


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision: the keys to send (digits only, never Enter), the rule and a one-line reason.

    ``dry_run`` marks a decision the monitor must log but not act on (its reason says so too,
    since the JSON shape of ``as_dict`` has no field for it). ``answers`` are pre-set answers
    (question text, answer) for a question asked through a hook; a screen decision has none.
    """

    action: Action
    keys: tuple[str, ...]
    rule: str
    reason: str
    dry_run: bool = False
    answers: tuple[tuple[str, str], ...] = ()

    @property
    def sends_keys(self) -> bool:
        return bool(self.keys) and not self.dry_run

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape ``yesman explain --json`` prints (``answers`` only when there are)."""
        data: dict[str, Any] = {
            "action": self.action.value,
            "keys": list(self.keys),
            "rule": self.rule,
            "reason": self.reason,
        }
        if self.answers:
            data["answers"] = dict(self.answers)
        return data


@dataclass(frozen=True, slots=True)
class PolicyContext:
    """Where the screen comes from: tmux session and pane, the project folder (pane cwd) and the
    agent that drew it.

    ``project_dir`` None means unknown: then nothing is assumed to be inside the project.
    ``home`` None means the current user's home directory. ``agent`` is the agent's name
    (``Agent.name``, e.g. ``codex``), matched by rules that name one; "" when unknown.
    """

    session: str = ""
    pane_id: str = ""
    project_dir: Path | None = None
    home: Path | None = None
    agent: str = ""
