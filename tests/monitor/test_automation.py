"""Automation analysis: facts found on screen, each reported once."""

from __future__ import annotations

import pytest

from yesman.agents import AgentScreen, ScreenState
from yesman.agents.claude import CLAUDE_CODE
from yesman.monitor import AutomationAnalyzer, ContextKind

BUSY = AgentScreen(ScreenState.BUSY)
IDLE = AgentScreen(ScreenState.IDLE)


@pytest.mark.parametrize(
    ("line", "kind", "details"),
    [
        (
            "===== 2 failed, 10 passed in 0.31s =====",
            ContextKind.TESTS_FAILING,
            {"failed": 2, "passed": 10},
        ),
        (
            "Tests:       1 failed, 8 passed, 9 total",
            ContextKind.TESTS_FAILING,
            {"failed": 1, "passed": 8},
        ),
        ("--- FAIL: TestParse (0.00s)", ContextKind.TESTS_FAILING, {}),
        ("===== 12 passed in 0.40s =====", ContextKind.TESTS_PASSING, {"passed": 12}),
        (
            "src/app.ts(3,7): error TS2322: Type 'string' is not assignable",
            ContextKind.BUILD_ERROR,
            {},
        ),
        ("error[E0425]: cannot find value `x` in this scope", ContextKind.BUILD_ERROR, {}),
        ("npm ERR! code ELIFECYCLE", ContextKind.BUILD_ERROR, {}),
        (
            "⎿ [main 1a2b3c4] Fix the parser",
            ContextKind.GIT_COMMIT,
            {"branch": "main", "commit": "1a2b3c4", "message": "Fix the parser"},
        ),
        (
            "Claude usage limit reached. Your limit will reset at 5pm (Europe/London).",
            ContextKind.USAGE_LIMIT,
            {"resets": "5pm (Europe/London)"},
        ),
        ("5-hour limit reached ∙ resets 3pm", ContextKind.USAGE_LIMIT, {"resets": "3pm"}),
        ('⎿ API Error: 529 {"type":"overloaded_error"}', ContextKind.API_ERROR, {}),
    ],
)
def test_line_patterns(line: str, kind: ContextKind, details: dict[str, object]) -> None:
    found = AutomationAnalyzer(CLAUDE_CODE.signals).analyze(f"some output\n{line}\n", BUSY, 0.0)
    assert [c.kind for c in found] == [kind]
    for key, value in details.items():
        assert found[0].details[key] == value


def test_each_fact_is_reported_once_while_it_stays_on_screen() -> None:
    analyzer = AutomationAnalyzer(CLAUDE_CODE.signals)
    screen = "running tests\n===== 1 failed, 3 passed in 0.1s =====\n"
    assert len(analyzer.analyze(screen, BUSY, 0.0)) == 1
    assert analyzer.analyze(screen, BUSY, 1.0) == []
    assert analyzer.analyze(screen + "more output\n", BUSY, 2.0) == []
    # A new run with a different result is news again.
    again = screen + "===== 2 failed, 2 passed in 0.1s =====\n"
    assert [c.details["failed"] for c in analyzer.analyze(again, BUSY, 3.0)] == [2]


def test_ordinary_text_is_not_a_fact() -> None:
    text = "\n".join(
        [
            "I fixed the error handling in parse() and all tests pass now.",
            "1. Read the file",
            "2. Edit the function",
            "The word failed appears here but not as a count.",
        ]
    )
    assert AutomationAnalyzer(CLAUDE_CODE.signals).analyze(text, IDLE, 0.0) == []


def test_idle_for_n_minutes_reported_once_and_reset_by_work() -> None:
    analyzer = AutomationAnalyzer(CLAUDE_CODE.signals, idle_after_seconds=60)
    assert analyzer.analyze("", IDLE, 0.0) == []
    assert analyzer.analyze("", IDLE, 59.0) == []
    found = analyzer.analyze("", IDLE, 61.0)
    assert [c.kind for c in found] == [ContextKind.IDLE]
    assert analyzer.analyze("", IDLE, 500.0) == []
    analyzer.analyze("", BUSY, 501.0)
    assert analyzer.analyze("", IDLE, 502.0) == []
    assert [c.kind for c in analyzer.analyze("", IDLE, 563.0)] == [ContextKind.IDLE]


def test_claude_exit_is_reported_on_the_transition() -> None:
    analyzer = AutomationAnalyzer(CLAUDE_CODE.signals)
    assert analyzer.analyze("", IDLE, 0.0, agent_running=True) == []
    found = analyzer.analyze("$ ", AgentScreen(ScreenState.UNKNOWN), 1.0, agent_running=False)
    assert [c.kind for c in found] == [ContextKind.AGENT_EXITED]
    assert analyzer.analyze("$ ", AgentScreen(ScreenState.UNKNOWN), 2.0, agent_running=False) == []


def test_without_agent_signals_usage_limits_are_not_reported() -> None:
    # Usage-limit wording belongs to the agent; an analyzer given none reports only tool output.
    line = "Claude usage limit reached. Your limit will reset at 5pm (Europe/London)."
    assert AutomationAnalyzer().analyze(f"{line}\n", BUSY, 0.0) == []
    found = AutomationAnalyzer(CLAUDE_CODE.signals).analyze(f"{line}\n", BUSY, 0.0)
    assert [c.kind for c in found] == [ContextKind.USAGE_LIMIT]


def test_the_exit_summary_names_the_agent() -> None:
    analyzer = AutomationAnalyzer(agent_name="Claude Code")
    analyzer.analyze("", IDLE, 0.0, agent_running=True)
    found = analyzer.analyze("$ ", AgentScreen(ScreenState.UNKNOWN), 1.0, agent_running=False)
    assert [c.summary for c in found] == ["Claude Code exited"]
