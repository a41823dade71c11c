"""A human's answer to a held dialog: real tmux, the simulated Claude Code, a real audit store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from yesman._simagent.harness import SIMULATED_CLAUDE, start_simulated_agent
from yesman.agents import Option, Prompt, PromptKind
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.monitor import (
    HumanAction,
    HumanAnswerRefused,
    MonitorSettings,
    MonitorSupervisor,
    RefusalReason,
)
from yesman.monitor._human import human_decision
from yesman.policy import Action
from yesman.store import AuditStore
from yesman.testing import PrivateTmuxServer

pytestmark = pytest.mark.tmux


async def until(check: Callable[[], object], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(width=120, height=40) as server:
        yield server


@pytest.fixture
async def bus() -> AsyncIterator[AsyncEventBus]:
    async with AsyncEventBus(metrics_interval=0) as b:
        yield b


def collect(bus: AsyncEventBus, kind: EventType) -> list[Event]:
    got: list[Event] = []
    bus.subscribe(kind, got.append)
    return got


async def test_deny_from_a_human_goes_through_record_type_verify(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    pane, agent = start_simulated_agent(tmux, tmp_path / "project", "dangerous")
    sent = collect(bus, EventType.RESPONSE_SENT)
    async with (
        AuditStore.open(tmp_path / "audit.db") as audit,
        MonitorSupervisor(
            tmux.server, event_bus=bus, audit=audit, agents=[SIMULATED_CLAUDE]
        ) as supervisor,
    ):
        await until(supervisor.held_dialogs, "the dangerous command to be held")
        (held,) = supervisor.held_dialogs()
        assert held.pane_id == pane
        assert held.rule == "guard:dangerous-command"
        assert held.prompt.target is not None
        assert "rm -rf /" in held.prompt.target

        # A page that showed another dialog is refused, and nothing is typed.
        with pytest.raises(HumanAnswerRefused) as refused:
            await supervisor.resolve_held(pane, "not-the-fingerprint", HumanAction.DENY)
        assert refused.value.reason is RefusalReason.CHANGED
        with pytest.raises(HumanAnswerRefused) as gone:
            await supervisor.resolve_held("%999", held.prompt.fingerprint, HumanAction.DENY)
        assert gone.value.reason is RefusalReason.NOT_HELD
        assert agent.events("key") == []

        result = await supervisor.resolve_held(
            pane, held.prompt.fingerprint, HumanAction.DENY, note="from 127.0.0.1"
        )
        assert result.keys == ("2",)  # "2. No": the agent keeps running
        assert result.rule == "human:dashboard"
        assert result.verified is True
        await agent.wait_for("answered")
        assert supervisor.held_dialogs() == []
        # Answered once: the same fingerprint is not held any more.
        with pytest.raises(HumanAnswerRefused):
            await supervisor.resolve_held(pane, held.prompt.fingerprint, HumanAction.DENY)
        await bus.join()
        records = list(reversed(await audit.list_decisions()))

    (answered,) = agent.events("answered")
    assert answered["label"] == "No"
    assert [k["key"] for k in agent.events("key")] == ["2"]
    assert [(r.action, r.rule) for r in records] == [
        ("hold", "guard:dangerous-command"),
        ("deny", "human:dashboard"),
    ]
    human = records[1]
    assert human.keys == ("2",)
    assert human.verified is True
    assert "a human on the dashboard (from 127.0.0.1) chose deny" in human.reason
    # One dialog: the human's row carries the held row's correlation id and first-seen time.
    assert human.correlation_id == records[0].correlation_id
    assert human.first_seen == pytest.approx(records[0].first_seen)
    assert [(e.data["rule"], e.data["action"]) for e in sent] == [("human:dashboard", "deny")]


async def test_dry_run_refuses_a_human_answer(
    tmux: PrivateTmuxServer, tmp_path: Path, bus: AsyncEventBus
) -> None:
    pane, agent = start_simulated_agent(tmux, tmp_path / "project", "dangerous")
    async with MonitorSupervisor(
        tmux.server,
        event_bus=bus,
        agents=[SIMULATED_CLAUDE],
        settings=MonitorSettings(dry_run=True),
    ) as supervisor:
        await until(supervisor.held_dialogs, "the dangerous command to be held")
        (held,) = supervisor.held_dialogs()
        with pytest.raises(HumanAnswerRefused) as refused:
            await supervisor.resolve_held(pane, held.prompt.fingerprint, HumanAction.ANSWER)
    assert refused.value.reason is RefusalReason.DRY_RUN
    assert "--dry-run" in str(refused.value)
    assert agent.events("key") == []


def _prompt(*options: str) -> Prompt:
    return Prompt(
        kind=PromptKind.TOOL_PERMISSION,
        tool="Bash",
        target="make",
        question="Do you want to proceed?",
        options=tuple(Option(i + 1, text) for i, text in enumerate(options)),
        highlighted=1,
        warning=None,
        fingerprint="f",
    )


@pytest.mark.parametrize(
    ("options", "action", "option", "keys"),
    [
        pytest.param(("Yes", "No"), HumanAction.DENY, None, ("2",), id="deny-picks-no"),
        pytest.param(("Yes", "No"), HumanAction.ANSWER, None, ("1",), id="answer-picks-yes"),
        pytest.param(("Yes, I trust", "No, exit"), HumanAction.DENY, None, (), id="never-exit"),
        pytest.param(("A", "B", "C"), HumanAction.ANSWER, 3, ("3",), id="answer-by-number"),
        pytest.param(("Yes", "No, exit"), HumanAction.ANSWER, 2, (), id="number-never-exit"),
    ],
)
def test_human_decision_picks_options_like_the_policy(
    options: tuple[str, ...],
    action: HumanAction,
    option: int | None,
    keys: tuple[str, ...],
) -> None:
    prompt = _prompt(*options)
    decision = human_decision(prompt, action, channel="dashboard", option=option, note="")
    assert decision.keys == keys
    assert decision.rule == "human:dashboard"
    if not keys:
        assert decision.action is Action.HOLD  # refused: nothing typed
