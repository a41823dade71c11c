"""Expected readings of captured Claude Code screens, and a check that a screen shows them.

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
from pathlib import Path
from typing import Final, Literal, NotRequired, TypedDict

__all__ = ["POINTER", "OptionReading", "PromptReading", "Reading", "check", "load_reading"]

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
