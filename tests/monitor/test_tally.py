"""Dialog totals: decisions by outcome, kind, tool and rule; waits for a human."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from yesman._simagent.harness import SIMULATED_CLAUDE, start_simulated_agent
from yesman.agents import AgentScreen, Option, Prompt, PromptKind, ScreenState
from yesman.bus import AsyncEventBus
from yesman.monitor import (
    DialogKey,
    DialogOutcome,
    DialogTally,
    MonitorSettings,
    MonitorSupervisor,
)
from yesman.monitor._dialogs import DialogBook
from yesman.monitor._tally import MAX_KEYS, TOOL_LABEL_LIMIT
from yesman.policy import Action, Decision
from yesman.testing import PrivateTmuxServer


def prompt(tool: str | None = "Bash", kind: PromptKind = PromptKind.TOOL_PERMISSION) -> Prompt:
    return Prompt(kind, tool, "ls", None, (Option(1, "Yes"),), 1, None, f"fp-{tool}")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("decision", "outcome"),
    [
        (Decision(Action.ANSWER, ("1",), "r", "why"), DialogOutcome.ANSWER),
        (Decision(Action.DENY, ("3",), "r", "why"), DialogOutcome.DENY),
        (Decision(Action.HOLD, (), "r", "why"), DialogOutcome.HOLD),
        (Decision(Action.ANSWER, ("1",), "r", "why", dry_run=True), DialogOutcome.DRY_RUN),
        (Decision(Action.DENY, ("3",), "r", "why", dry_run=True), DialogOutcome.DRY_RUN),
        (Decision(Action.ANSWER, (), "r", "why"), DialogOutcome.HOLD),  # nothing to type
    ],
    ids=["answer", "deny", "hold", "dry-answer", "dry-deny", "no-keys"],
)
def test_outcome_of_a_decision(decision: Decision, outcome: DialogOutcome) -> None:
    assert DialogOutcome.of(decision) is outcome


def test_decisions_are_counted_by_outcome_kind_tool_and_rule() -> None:
    tally = DialogTally()
    tally.decided(prompt("Bash"), DialogOutcome.ANSWER, "safe_command")
    tally.decided(prompt("Bash"), DialogOutcome.ANSWER, "safe_command")
    tally.decided(prompt("Bash"), DialogOutcome.HOLD, "dangerous")
    tally.decided(prompt(None, PromptKind.TRUST_FOLDER), DialogOutcome.HOLD, "trust")
    tally.unverified()
    totals = tally.snapshot()
    assert dict(totals.decisions) == {
        DialogKey(DialogOutcome.ANSWER, "tool_permission", "Bash", "safe_command"): 2,
        DialogKey(DialogOutcome.HOLD, "tool_permission", "Bash", "dangerous"): 1,
        DialogKey(DialogOutcome.HOLD, "trust_folder", "none", "trust"): 1,
    }
    assert totals.unverified == 1
    # A snapshot is a copy: later counts do not change it.
    tally.decided(prompt("Bash"), DialogOutcome.ANSWER, "safe_command")
    assert sum(totals.decisions.values()) == 4


def test_the_same_dialog_of_two_agents_counts_twice_apart() -> None:
    tally = DialogTally()
    tally.decided(prompt("Bash"), DialogOutcome.ANSWER, "safe_command", agent="codex")
    tally.decided(prompt("Bash"), DialogOutcome.ANSWER, "safe_command", agent="gemini")
    tally.decided(prompt("Bash"), DialogOutcome.ANSWER, "safe_command", agent="codex")
    assert dict(tally.snapshot().decisions) == {
        DialogKey(DialogOutcome.ANSWER, "tool_permission", "Bash", "safe_command", "codex"): 2,
        DialogKey(DialogOutcome.ANSWER, "tool_permission", "Bash", "safe_command", "gemini"): 1,
    }


def test_labels_stay_bounded() -> None:
    tally = DialogTally()
    tally.decided(prompt("x" * 500), DialogOutcome.HOLD, "r")
    (key,) = tally.snapshot().decisions
    assert len(key.tool) == TOOL_LABEL_LIMIT
    for i in range(MAX_KEYS + 50):
        tally.decided(prompt(f"tool{i}"), DialogOutcome.HOLD, "r")
    decisions = tally.snapshot().decisions
    assert len(decisions) == MAX_KEYS + 1  # the cap, plus one "other" key
    assert decisions[DialogKey(DialogOutcome.HOLD, "tool_permission", "other", "r")] == 51
    assert sum(decisions.values()) == MAX_KEYS + 51


def test_waits_are_measured_open_and_ended_and_never_go_down() -> None:
    clock = Clock()
    tally = DialogTally(clock=clock)
    tally.wait_began("%1", 90.0)
    tally.wait_began("%1", 95.0)  # the same wait: the earlier start stays
    tally.wait_began("%2", 99.0)
    first = tally.snapshot()
    assert dict(first.waiting) == {"%1": 10.0, "%2": 1.0}
    assert first.waited_seconds == 11.0
    assert first.waits_ended == 0
    clock.now = 104.0
    tally.wait_ended("%1", 102.0)
    tally.wait_ended("%3")  # nothing waited there: nothing happens
    second = tally.snapshot()
    assert dict(second.waiting) == {"%2": 5.0}
    assert second.waits_ended == 1
    assert second.waited_seconds == 12.0 + 5.0
    assert second.waited_seconds >= first.waited_seconds


def test_the_dialog_book_says_when_an_instance_ends() -> None:
    ended: list[float] = []
    book = DialogBook(reanswer_guard=1.0, ended=ended.append)
    book.begin(prompt("Bash"), 1.0)
    book.classify(AgentScreen(ScreenState.UNKNOWN), 2.0)  # unreadable: not an end
    assert ended == []
    book.begin(prompt("Write"), 3.0)  # another dialog replaces it
    book.classify(AgentScreen(ScreenState.BUSY), 4.0)
    book.classify(AgentScreen(ScreenState.IDLE), 5.0)  # nothing current: nothing ends
    assert ended == [3.0, 4.0]


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(width=120, height=40) as server:
        yield server


@pytest.mark.tmux
async def test_the_supervisor_totals_answers_holds_and_the_wait_for_a_human(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    pane, agent = start_simulated_agent(
        tmux, tmp_path / "project", "bash", "dangerous", hold_timeout=1.5
    )
    async with (
        AsyncEventBus(metrics_interval=0) as bus,
        MonitorSupervisor(
            tmux.server,
            event_bus=bus,
            agents=[SIMULATED_CLAUDE],
            settings=MonitorSettings(performance_interval=0),
        ) as supervisor,
    ):
        deadline = time.monotonic() + 30
        while pane not in supervisor.dialog_totals().waiting:
            assert time.monotonic() < deadline, "the dangerous dialog was never held"
            await asyncio.sleep(0.05)
        await agent.wait_for("idle", timeout=30)
        await asyncio.sleep(0.3)
        totals = supervisor.dialog_totals()
    decisions = {(k.outcome, k.tool): n for k, n in totals.decisions.items()}
    assert decisions == {(DialogOutcome.ANSWER, "Bash"): 1, (DialogOutcome.HOLD, "Bash"): 1}
    assert totals.unverified == 0
    # The simulated agent cancels the held dialog after 1.5 s, as a person might.
    assert totals.waits_ended == 1
    assert dict(totals.waiting) == {}
    assert 1.3 < totals.waited_seconds < 4.0
