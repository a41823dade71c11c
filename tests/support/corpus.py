"""Expected readings of captured Claude Code screens, the scenarios that provoke them, and a
check that a screen shows its reading.

A reading (the ``.json`` beside each capture in tests/agents/claude/corpus) is what a correct
parser reports for the screen. `check` verifies a reading against its screen without any parser:
the question, every option, the target and the warning must appear in the screen's last 30 lines,
the highlighted option must carry the pointer, and ``busy`` must match ``esc to interrupt`` in
the footer. The capture script runs it after each capture; a test runs it over the stored corpus,
so a hand-written reading that disagrees with its own screen cannot slip in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final, Literal, NotRequired, TypedDict

from support.claude_api import ScriptStep

__all__ = [
    "POINTER",
    "Act",
    "OptionReading",
    "PromptReading",
    "Reading",
    "Scenario",
    "Step",
    "busy",
    "check",
    "error",
    "idle",
    "load_reading",
    "prompt",
    "waiting",
]

POINTER: Final = "\u276f"  # the selection mark Claude Code draws before the highlighted option
_TAIL_LINES: Final = 30
_GUTTER: Final = re.compile(r"^\s*│")  # drawn beside multi-line commands


class OptionReading(TypedDict):
    number: int
    text: str


class PromptReading(TypedDict):
    kind: str
    tool: str | None
    target: str | None
    question: str
    options: list[OptionReading]
    highlighted: int
    warning: str | None


class Reading(TypedDict):
    state: Literal["waiting", "busy", "idle", "error"]
    prompt: PromptReading | None
    note: NotRequired[str]


class Act(StrEnum):
    """What one step of a scenario does in the pane."""

    SAY = "say"  # type the text, then Enter
    KEY = "key"  # press one key (a tmux key name)
    WAIT = "wait"  # until the regular expression matches the screen
    SLEEP = "sleep"  # for this many seconds


@dataclass(frozen=True, slots=True)
class Step:
    """One thing done to the pane; `value` is the text, key, pattern or seconds."""

    act: Act
    value: str


@dataclass(frozen=True, slots=True)
class Scenario:
    """One screen to provoke: the API script, the steps, the sizes, and its expected reading."""

    name: str  # <kind>_<variant>
    how: str  # goes into the reading's note
    steps: tuple[Step, ...]
    expect: Reading
    turns: tuple[ScriptStep, ...] = ()
    sizes: tuple[tuple[int, int], ...] = ((80, 40), (120, 40))
    trusted: bool = True
    approve_key: bool = True
    auto_mode: bool = False
    args: tuple[str, ...] = ()
    files: Mapping[str, str] = field(default_factory=dict)
    settle: float = 0.6  # seconds the screen must stay still before the capture
    # Claude Code drops some options at narrow widths: the reading per width where it differs.
    by_width: Mapping[int, Reading] = field(default_factory=dict)
    # Where a Claude Code version draws the screen differently: the reading for that version,
    # at every width (key: version) or at one (key: (version, width)). Wins over `by_width`.
    by_version: Mapping[str | tuple[str, int], Reading] = field(default_factory=dict)
    # The versions that show this screen at all (empty: every version).
    versions: frozenset[str] = frozenset()

    def stem(self, width: int, height: int) -> str:
        """The corpus file name (without suffix) of this scenario's capture at a size."""
        return f"{self.name}_w{width}" + (f"x{height}" if height != 40 else "")

    def shown_by(self, version: str) -> bool:
        return not self.versions or version in self.versions

    def reading(self, width: int, version: str) -> Reading:
        """The expected reading of this scenario's capture at `width` from Claude Code `version`."""
        found = self.by_version.get((version, width)) or self.by_version.get(version)
        return found or self.by_width.get(width, self.expect)


def prompt(
    kind: str,
    question: str,
    options: Sequence[str],
    *,
    tool: str | None = None,
    target: str | None = None,
    highlighted: int = 1,
    warning: str | None = None,
) -> PromptReading:
    return {
        "kind": kind,
        "tool": tool,
        "target": target,
        "question": question,
        "options": [{"number": i, "text": t} for i, t in enumerate(options, 1)],
        "highlighted": highlighted,
        "warning": warning,
    }


def waiting(p: PromptReading) -> Reading:
    return {"state": "waiting", "prompt": p}


def busy() -> Reading:
    return {"state": "busy", "prompt": None}


def idle() -> Reading:
    return {"state": "idle", "prompt": None}


def error() -> Reading:
    return {"state": "error", "prompt": None}


def load_reading(path: Path) -> Reading:
    """A reading from its ``.json`` file (trusted: the corpus is ours)."""
    reading: Reading = json.loads(path.read_text(encoding="utf-8"))
    return reading


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def check(screen: str, reading: Reading) -> list[str]:
    """What of `reading` cannot be found on `screen`; empty when the two agree."""
    problems: list[str] = []
    lines = [_GUTTER.sub("", line) for line in screen.rstrip("\n").splitlines()[-_TAIL_LINES:]]
    tail = _norm("\n".join(lines))
    # Wrapped text, joined without the line breaks: a word split across lines still matches.
    flat = _norm(re.sub(r"\s*\n\s*", "", "\n".join(lines))).replace(" ", "")
    busy = "esc to interrupt" in "\n".join(lines)
    if (reading["state"] == "busy") != busy:
        problems.append(f"state {reading['state']!r} but 'esc to interrupt' shown: {busy}")
    prompt = reading["prompt"]
    if prompt is None:
        return problems
    wanted = [prompt["question"], *(o["text"] for o in prompt["options"])]
    wanted += [x for x in (prompt["target"], prompt["warning"]) if x]
    for text in wanted:
        if _norm(text) not in tail and text.replace(" ", "") not in flat:
            problems.append(f"not on screen: {text!r}")
    marks = [line for line in screen.splitlines() if POINTER in line]
    highlighted = prompt["options"][prompt["highlighted"] - 1]["text"]
    if not any(_norm(highlighted)[:10] in _norm(m) for m in marks):
        problems.append(f"highlighted option {highlighted!r} not marked with the pointer")
    return problems
