"""HookCoordinator: a hook's request decided, recorded and answered once, with its channel."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from yesman.agents import AgentRegistry, ToolRequest
from yesman.agents.claude import CLAUDE_CODE
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.hooks import HookCall
from yesman.monitor import MonitorSettings, StatusManager
from yesman.monitor._claims import ClaimState, HookClaims
from yesman.monitor._hook_service import HookCoordinator, PaneView
from yesman.monitor._publish import Publisher
from yesman.monitor._tally import DialogTally
from yesman.policy import Policy
from yesman.store import AuditStore, DecisionRecord

TMUX = "/tmp/yesman-test-hooks/sock"


def call(
    command: str = "npm test",
    *,
    pane: str = "%1",
    tmux: str = TMUX,
    agent: str = "claude-code",
    more_env: dict[str, str] | None = None,
) -> HookCall:
    payload = {
        "hook_event_name": "PermissionRequest",
        "cwd": "/home/dev/app",
        "tool_name": "Bash",
        "tool_input": {"command": command, "description": "d"},
    }
    now = time.monotonic()
    env = {"TMUX": f"{tmux},1,0", "TMUX_PANE": pane} if pane else {"TMUX": f"{tmux},1,0"}
    return HookCall(
        agent=agent,
        env={**env, **(more_env or {})},
        payload=json.dumps(payload).encode(),
        received=now,
        received_wall=time.time(),
        sent_wall=time.time(),
    )


class Rig:
    def __init__(self, bus: AsyncEventBus, audit: Any, **settings: Any) -> None:
        self.bus = bus
        self.claims = HookClaims()
        self.status = StatusManager(agent="claude-code")
        self.screen_decided: set[str] = set()
        self.watched = {"%1"}
        self.version = ""  # what the pane's monitor read of the agent's version
        self.events: list[Event] = []
        for kind in (EventType.PROMPT_DECIDED, EventType.RESPONSE_SENT, EventType.PROMPT_HELD):
            bus.subscribe(kind, self.events.append)
        self.coordinator = HookCoordinator(
            tmux_socket=TMUX,
            policy=Policy.default(),
            agents=AgentRegistry([CLAUDE_CODE]),
            claims=self.claims,
            pane=self.view,
            audit=audit,
            publisher=Publisher(bus, "hooks"),
            settings=MonitorSettings(**settings),
        )

    async def view(self, pane: str) -> PaneView | None:
        if pane not in self.watched:
            return None
        return PaneView(
            "work",
            "/home/dev/app",
            "claude-code",
            status=self.status,
            agent_version=self.version,
            screen_decided=lambda r: (r.prompt.target or "") in self.screen_decided,
        )

    def kinds(self) -> list[tuple[str, str]]:
        return [(e.type.value, e.data["channel"]) for e in self.events]


@pytest.fixture
async def bus() -> AsyncIterator[AsyncEventBus]:
    async with AsyncEventBus(metrics_interval=0) as b:
        yield b


@pytest.fixture
async def audit(tmp_path: Path) -> AsyncIterator[AuditStore]:
    async with AuditStore.open(tmp_path / "audit.db") as store:
        yield store


async def test_an_ordinary_command_is_allowed_recorded_and_reported_once(
    bus: AsyncEventBus, audit: AuditStore
) -> None:
    rig = Rig(bus, audit)
    request = call()
    answer = await rig.coordinator.decide(request)
    assert answer.status == "decided"
    output = json.loads(answer.stdout)
    assert output["hookSpecificOutput"]["decision"] == {"behavior": "allow"}
    (row,) = await audit.list_decisions()
    assert (row.channel, row.action, row.tool, row.target, row.keys) == (
        "hook",
        "answer",
        "Bash",
        "npm test",
        (),
    )
    assert row.answered_at is None, "recorded before the answer went back"
    (claim,) = rig.claims.pending("%1", time.monotonic())
    assert claim.state is ClaimState.DECIDING
    await rig.coordinator.delivered(request, answer, ok=True, at=time.monotonic())
    await bus.join()
    assert [c.state for c in rig.claims.pending("%1", time.monotonic())] == [ClaimState.ANSWERED]
    (row,) = await audit.list_decisions()
    assert row.answered_at is not None
    assert row.latency_ms is not None
    assert row.latency_ms >= 0
    assert rig.kinds() == [("prompt.decided", "hook"), ("response.sent", "hook")]
    sent = next(e for e in rig.events if e.type is EventType.RESPONSE_SENT)
    assert sent.data["keys"] == []
    assert sent.correlation_id == row.correlation_id
    assert rig.status.snapshot().last_action == "answer"


async def test_a_dangerous_command_is_held_at_once_and_gets_no_answer(
    bus: AsyncEventBus, audit: AuditStore
) -> None:
    rig = Rig(bus, audit)
    answer = await rig.coordinator.decide(call("rm -rf ~/"))
    await bus.join()
    assert (answer.status, answer.stdout) == ("decided", "")
    (row,) = await audit.list_decisions()
    assert (row.channel, row.action, row.rule) == ("hook", "hold", "guard:dangerous-command")
    assert rig.kinds() == [("prompt.decided", "hook"), ("prompt.held", "hook")]
    (claim,) = rig.claims.pending("%1", time.monotonic())
    assert claim.state is ClaimState.HELD


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        pytest.param(call(tmux="/tmp/another/server"), "unwatched", id="other-tmux-server"),
        pytest.param(call(pane=""), "unwatched", id="no-pane"),
        pytest.param(call(pane="%9"), "unwatched", id="pane-not-watched"),
        pytest.param(call(agent="nobody"), "refused", id="unknown-agent"),
    ],
)
async def test_requests_this_watcher_does_not_own_get_no_decision(
    bus: AsyncEventBus, audit: AuditStore, request_: HookCall, status: str
) -> None:
    rig = Rig(bus, audit)
    answer = await rig.coordinator.decide(request_)
    assert (answer.status, answer.stdout) == (status, "")
    assert await audit.list_decisions() == []
    assert rig.claims.pending("%1", time.monotonic()) == ()


async def test_a_dialog_the_screen_already_decided_is_not_decided_again(
    bus: AsyncEventBus, audit: AuditStore
) -> None:
    rig = Rig(bus, audit)
    rig.screen_decided.add("npm test")
    answer = await rig.coordinator.decide(call())
    assert (answer.status, answer.stdout) == ("decided", "")
    assert "screen watcher already decided" in answer.detail
    assert await audit.list_decisions() == []


class BrokenStore:
    """An audit store whose disk is gone: nothing can be recorded."""

    async def record(self, rec: DecisionRecord) -> DecisionRecord:
        raise OSError("disk I/O error")

    async def update_answered(self, decision_id: int, **kw: Any) -> bool:
        raise OSError("disk I/O error")

    async def update_verified(self, decision_id: int, verified: bool) -> bool:
        raise OSError("disk I/O error")


async def test_a_decision_that_cannot_be_recorded_is_not_given(bus: AsyncEventBus) -> None:
    rig = Rig(bus, BrokenStore())
    answer = await rig.coordinator.decide(call())
    await bus.join()
    assert (answer.status, answer.stdout) == ("decided", "")
    held = [e for e in rig.events if e.type is EventType.PROMPT_HELD]
    assert [(e.data["rule"], e.data["alert"]) for e in held] == [("audit_failed", True)]
    assert rig.coordinator.unrecorded == 1


async def test_an_answer_the_hook_never_got_is_handed_to_a_human(
    bus: AsyncEventBus, audit: AuditStore
) -> None:
    rig = Rig(bus, audit)
    request = call()
    answer = await rig.coordinator.decide(request)
    await rig.coordinator.delivered(request, answer, ok=False, at=time.monotonic())
    await bus.join()
    held = [e for e in rig.events if e.type is EventType.PROMPT_HELD]
    assert [(e.data["rule"], e.data["alert"]) for e in held] == [("hook_undelivered", True)]
    (row,) = await audit.list_decisions()
    assert row.verified is False
    assert not [e for e in rig.events if e.type is EventType.RESPONSE_SENT]


async def test_a_dry_run_records_but_answers_nothing(bus: AsyncEventBus, audit: AuditStore) -> None:
    rig = Rig(bus, audit, dry_run=True)
    answer = await rig.coordinator.decide(call())
    assert answer.stdout == ""
    (row,) = await audit.list_decisions()
    assert (row.action, row.dry_run) == ("answer", True)


def test_the_request_it_decides_is_the_one_the_agent_sent() -> None:
    # The coordinator reads the agent's own format through its hook: nothing re-parsed by hand.
    assert CLAUDE_CODE.hook is not None
    parsed = CLAUDE_CODE.hook.parse(json.loads(call().payload), {})
    assert isinstance(parsed, ToolRequest)
    assert parsed.tool_input == {"command": "npm test", "description": "d"}


async def test_a_hook_decision_names_the_agent_and_its_version(
    bus: AsyncEventBus, audit: AuditStore
) -> None:
    rig = Rig(bus, audit)
    rig.version = "2.1.300"  # the monitor's reading, used when the hook does not say
    await rig.coordinator.decide(call("npm test"))
    stated = {"AI_AGENT": "claude-code_2-1-332_harness"}
    await rig.coordinator.decide(call("rm -rf ~/", more_env=stated))
    await bus.join()
    rows = {r.target: r for r in await audit.list_decisions(agent="claude-code")}
    assert (rows["npm test"].agent, rows["npm test"].agent_version) == ("claude-code", "2.1.300")
    assert rows["rm -rf ~/"].agent_version == "2.1.332", "the hook's own word comes first"
    held = next(e for e in rig.events if e.type is EventType.PROMPT_HELD)
    assert (held.data["agent"], held.data["agent_version"]) == ("claude-code", "2.1.332")


async def test_hook_decisions_are_counted_with_the_screens(
    bus: AsyncEventBus, audit: AuditStore
) -> None:
    tally = DialogTally()
    rig = Rig(bus, audit)
    rig.coordinator = HookCoordinator(
        tmux_socket=TMUX,
        policy=Policy.default(),
        agents=AgentRegistry([CLAUDE_CODE]),
        claims=rig.claims,
        pane=rig.view,
        audit=audit,
        publisher=Publisher(bus, "hooks"),
        tally=tally,
    )
    await rig.coordinator.decide(call("npm test"))
    await rig.coordinator.decide(call("rm -rf /"))
    counts = {
        (key.outcome.value, key.tool, key.rule, key.agent): n
        for key, n in tally.snapshot().decisions.items()
    }
    assert counts == {
        ("answer", "Bash", "answer-tool-permission", "claude-code"): 1,
        ("hold", "Bash", "guard:dangerous-command", "claude-code"): 1,
    }
