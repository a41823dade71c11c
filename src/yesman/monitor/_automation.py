"""Automation analysis: what the screen says about the work, beyond the dialog.

From each capture it finds facts worth telling other tools about: tests failing, a build error, a
git commit made, the usage limit reached (with its reset time), an API error, the agent idle for
a while, the agent gone. Each distinct fact is reported once: a line that stays in the scrollback
is not news on the next capture.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from yesman.agents import AgentScreen, AgentSignals, ScreenState

__all__ = ["AutomationAnalyzer", "AutomationContext", "ContextKind"]


class ContextKind(StrEnum):
    TESTS_FAILING = "tests_failing"
    TESTS_PASSING = "tests_passing"
    BUILD_ERROR = "build_error"
    GIT_COMMIT = "git_commit"
    USAGE_LIMIT = "usage_limit"
    API_ERROR = "api_error"
    IDLE = "idle"
    AGENT_EXITED = "agent_exited"
    CLAUDE_EXITED = "agent_exited"  # the name it had while Claude Code was the only agent


@dataclass(frozen=True, slots=True)
class AutomationContext:
    """One fact seen on screen, with the line that showed it."""

    kind: ContextKind
    summary: str
    line: str = ""
    details: dict[str, Any] = field(default_factory=dict)


# (kind, pattern) pairs, checked line by line; the first matching pattern per line wins. These
# are the outputs of common tools whatever the agent; the agent adds its own (usage limit, API
# errors) from its `AgentSignals`. Kept as data so new outputs need no new logic.

_LINE_PATTERNS: tuple[tuple[ContextKind, re.Pattern[str]], ...] = (
    # pytest "=== 2 failed, 10 passed in 0.3s ===", jest "Tests: 2 failed, 8 passed",
    # go "--- FAIL: TestX", cargo "test result: FAILED."
    (ContextKind.TESTS_FAILING, re.compile(r"\b(\d+) failed\b(?:, (\d+) passed)?")),
    (ContextKind.TESTS_FAILING, re.compile(r"^\s*(?:--- FAIL: \S+|test result: FAILED\b)")),
    (ContextKind.TESTS_PASSING, re.compile(r"=+ (\d+) passed(?: in [\d.]+s)? =+")),
    (ContextKind.TESTS_PASSING, re.compile(r"\btest result: ok\. (\d+) passed\b")),
    (
        ContextKind.BUILD_ERROR,
        re.compile(
            r"(?:\berror(?:\[E\d+\]|\sTS\d+)?:\s|npm ERR!|\bBuild failed\b|\bSyntaxError:|"
            r"\bcompilation terminated\b|\bmake: \*\*\*)"
        ),
    ),
    # git commit output: "[main 1a2b3c4] Fix the parser"
    (
        ContextKind.GIT_COMMIT,
        re.compile(r"^\s*(?:⎿\s*)?\[([\w./-]+)(?: \(root-commit\))? ([0-9a-f]{7,40})\] (.+)$"),
    ),
)


class AutomationAnalyzer:
    """Finds automation contexts in successive captures of one pane, each reported once.

    Args:
        signals: the agent's own lines worth reporting (usage limit, API errors); None for none.
        agent_name: how the agent is named in summaries ("Claude Code exited").
        idle_after_seconds: report `IDLE` once the agent has been idle this long.
        memory: how many distinct lines to remember as already reported.
    """

    def __init__(
        self,
        signals: AgentSignals | None = None,
        *,
        agent_name: str = "the agent",
        idle_after_seconds: float = 300.0,
        memory: int = 512,
    ) -> None:
        self._patterns = _LINE_PATTERNS
        self._reset_time: re.Pattern[str] | None = None
        if signals is not None:
            self._patterns += (
                (ContextKind.USAGE_LIMIT, signals.usage_limit),
                (ContextKind.API_ERROR, signals.api_error),
            )
            self._reset_time = signals.reset_time
        self._agent_name = agent_name
        self._idle_after = idle_after_seconds
        self._memory = memory
        self._seen: OrderedDict[tuple[ContextKind, str], None] = OrderedDict()
        self._idle_since: float | None = None
        self._idle_reported = False
        self._agent_present: bool | None = None

    def analyze(
        self, text: str, screen: AgentScreen, now: float, *, agent_running: bool = True
    ) -> list[AutomationContext]:
        """Contexts that are new in this capture (`now` is a monotonic clock reading)."""
        found: list[AutomationContext] = []
        found.extend(self._presence(agent_running))
        if not agent_running:
            return found
        found.extend(self._idle(screen, now))
        # Only the tail of the screen: that is where new output lands, and it bounds the work.
        for raw in text.splitlines()[-60:]:
            line = raw.strip()
            if len(line) < 4:
                continue
            for kind, pattern in self._patterns:
                match = pattern.search(line)
                if match is None:
                    continue
                if self._remember((kind, line)):
                    found.append(self._context(kind, line, match))
                break
        return found

    def _presence(self, running: bool) -> list[AutomationContext]:
        was = self._agent_present
        self._agent_present = running
        if was and not running:
            return [AutomationContext(ContextKind.AGENT_EXITED, f"{self._agent_name} exited")]
        return []

    def _idle(self, screen: AgentScreen, now: float) -> list[AutomationContext]:
        if screen.state is not ScreenState.IDLE:
            self._idle_since = None
            self._idle_reported = False
            return []
        if self._idle_since is None:
            self._idle_since = now
        idle_for = now - self._idle_since
        if not self._idle_reported and idle_for >= self._idle_after:
            self._idle_reported = True
            minutes = idle_for / 60.0
            return [
                AutomationContext(
                    ContextKind.IDLE,
                    f"idle for {minutes:.1f} minutes",
                    details={"idle_seconds": round(idle_for, 1)},
                )
            ]
        return []

    def idle_seconds(self, now: float) -> float:
        """How long the agent has been idle, 0 when it is not."""
        return 0.0 if self._idle_since is None else now - self._idle_since

    def _remember(self, key: tuple[ContextKind, str]) -> bool:
        if key in self._seen:
            self._seen.move_to_end(key)
            return False
        self._seen[key] = None
        if len(self._seen) > self._memory:
            self._seen.popitem(last=False)
        return True

    def _context(self, kind: ContextKind, line: str, match: re.Match[str]) -> AutomationContext:
        details: dict[str, Any] = {}
        if kind is ContextKind.TESTS_FAILING and match.lastindex:
            details["failed"] = int(match.group(1))
            if match.group(2):
                details["passed"] = int(match.group(2))
            summary = f"{details['failed']} tests failing"
        elif kind is ContextKind.TESTS_FAILING:
            summary = "tests failing"
        elif kind is ContextKind.TESTS_PASSING:
            details["passed"] = int(match.group(1))
            summary = f"{details['passed']} tests passed"
        elif kind is ContextKind.GIT_COMMIT:
            details.update(branch=match.group(1), commit=match.group(2), message=match.group(3))
            summary = f"git commit {match.group(2)} on {match.group(1)}"
        elif kind is ContextKind.USAGE_LIMIT:
            when = self._reset_time.search(line) if self._reset_time else None
            reset = when.group("reset").strip() if when else None
            if reset:
                details["resets"] = reset
            summary = "usage limit reached" + (f", resets {reset}" if reset else "")
        elif kind is ContextKind.API_ERROR:
            summary = "API error"
        else:
            summary = "build error"
        return AutomationContext(kind, summary, line[:300], details)
