"""One AsyncClaudeMonitor built the seed's way, watching one pane on its own."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from support.agents import agent_running_as
from yesman._simagent.harness import SIMULATED_CLAUDE, start_simulated_agent
from yesman.agents import PermissionMode
from yesman.bus import AsyncEventBus, Event, EventType
from yesman.monitor import (
    AgentProcessController,
    AsyncClaudeMonitor,
    MonitorSettings,
    SessionManager,
    StatusManager,
)
from yesman.store import AuditStore, DecisionRecord
from yesman.testing import PrivateTmuxServer, eventually_async
from yesman.tmux import ControlClient

pytestmark = pytest.mark.tmux


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(width=120, height=40) as server:
        yield server


async def test_seed_component_performance_analysis(
    tmux: PrivateTmuxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pane, agent = start_simulated_agent(tmux, tmp_path / "project", "bash", "edit")
    async with ControlClient(tmux.server) as client:
        info = next(p for p in await client.list_panes() if p.pane_id == pane)
        session_manager = SessionManager(client, info)
        process_controller = AgentProcessController(session_manager, SIMULATED_CLAUDE)
        status_manager = StatusManager()

        # The seed's "Component Performance Analysis" example; only the wait is shorter.
        monitor = AsyncClaudeMonitor(session_manager, process_controller, status_manager)
        await monitor.start_monitoring_async()

        # Let monitor run for some time...
        await agent.wait_for("idle")

        # Get component metrics
        metrics = monitor._get_component_metrics()
        for component, stats in metrics.items():
            if stats["average_ms"] > 100:
                print(f"{component} is slow: {stats['average_ms']:.1f}ms average")
            if stats["avg_memory_delta_mb"] > 5:
                print(f"{component} uses high memory: {stats['avg_memory_delta_mb']:.1f}MB")

        await monitor.stop_monitoring_async()

    assert [k["key"] for k in agent.events("key")] == ["1", "1"]
    assert set(metrics) >= {
        "content_capture",
        "claude_status_check",
        "prompt_detection",
        "content_processing",
        "response_sending",
        "automation_analysis",
    }
    assert metrics["response_sending"]["sample_count"] == 2
    # Nothing here is slow or memory-hungry, so the example prints nothing.
    assert capsys.readouterr().out == ""
    assert status_manager.snapshot().answered == 2


async def test_monitor_context_manager_reports_and_seed_knobs(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    pane, agent = start_simulated_agent(tmux, tmp_path / "project", "bash")
    reports: list[Event] = []
    async with ControlClient(tmux.server) as client, AsyncEventBus(metrics_interval=0) as bus:
        bus.subscribe(EventType.PERFORMANCE_METRICS, reports.append)
        info = next(p for p in await client.list_panes() if p.pane_id == pane)
        session = SessionManager(client, info)
        monitor = AsyncClaudeMonitor.for_pane(session, bus, agent=SIMULATED_CLAUDE)
        # The seed's configuration knobs, on a live monitor.
        monitor._component_timings["content_capture"] = deque(maxlen=200)
        monitor._performance_interval = 0.3
        async with monitor:
            await agent.wait_for("idle")
            await asyncio.sleep(0.8)
            await bus.join()
            # The seed's recording methods land in the same statistics.
            monitor._record_component_timing("content_capture", 150.0, False)
            monitor._record_component_network_io("response_sending", 1000, 2000, 0.5)
            stats = monitor._get_component_metrics()
            assert stats["content_capture"]["max_ms"] == pytest.approx(150.0)
            assert stats["content_capture"]["error_count"] == 1
            assert stats["response_sending"]["bytes_received"] == 2000
            assert monitor._measure_memory_usage() > 10
    assert reports, "PERFORMANCE_METRICS every _performance_interval seconds"
    data = reports[-1].data
    for key in (
        "session_name",
        "loops_per_second",
        "component_response_times",
        "current_memory_mb",
        "memory_growth_mb",
        "current_cpu_percent",
    ):
        assert key in data
    assert data["session_name"] == "work"
    assert "content_capture" in data["component_response_times"]
    assert [k["key"] for k in agent.events("key")] == ["1"]


async def test_an_answer_that_does_not_take_is_retried_once_then_held_with_an_alert(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    # A pane that shows a real captured dialog and ignores every key: the answer can't take.
    screen = Path(__file__).parents[1] / "agents/claude/corpus/2.1.332/bash_short_w120.txt"
    pane = tmux.new_session(
        "stuck", ["sh", "-c", f"stty -echo; cat '{screen}'; exec sleep 600"], width=120, height=40
    )
    held: list[Event] = []
    async with (
        ControlClient(tmux.server) as client,
        AsyncEventBus(metrics_interval=0) as bus,
        AuditStore.open(tmp_path / "audit.db") as audit,
    ):
        bus.subscribe(EventType.PROMPT_HELD, held.append)
        info = next(p for p in await client.list_panes() if p.pane_id == pane)
        session = SessionManager(client, info)
        monitor = AsyncClaudeMonitor(
            session,
            AgentProcessController(session, agent_running_as("sleep")),
            StatusManager(),
            bus,
            audit=audit,
            settings=MonitorSettings(verify_timeout=0.4, performance_interval=0),
        )
        async with monitor:
            await eventually_async(_async_len(held), timeout=10)
            await bus.join()
        records = await audit.list_decisions()
    assert [e.data["alert"] for e in held] == [True]
    assert "did not take after a retry" in held[0].data["reason"]
    assert monitor.tracker.get_component_metrics()["response_sending"].sample_count == 2
    assert [(r.action, r.keys, r.verified) for r in records] == [("answer", ("1",), False)]


def _async_len(items: list[Event]) -> Callable[[], Awaitable[int]]:
    async def check() -> int:
        return len(items)

    return check


class RecordingSink:
    """An audit sink (the monitor's public seam) that notes the order of writes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    async def record(self, rec: DecisionRecord) -> DecisionRecord:
        self.calls.append(("record", (rec.action, rec.keys, rec.answered_at)))
        return dataclasses.replace(rec, id=len(self.calls))

    async def update_answered(
        self, decision_id: int, *, keys: tuple[str, ...], answered_at: float, latency_ms: float
    ) -> bool:
        self.calls.append(("answered", keys))
        return True

    async def update_verified(self, decision_id: int, verified: bool) -> bool:
        self.calls.append(("verified", verified))
        return True


async def test_the_decision_is_written_before_any_key_is_typed(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    pane, agent = start_simulated_agent(tmux, tmp_path / "project", "bash")
    sink = RecordingSink()
    async with ControlClient(tmux.server) as client:
        info = next(p for p in await client.list_panes() if p.pane_id == pane)
        session = SessionManager(client, info)
        monitor = AsyncClaudeMonitor(
            session,
            AgentProcessController(session, SIMULATED_CLAUDE),
            StatusManager(),
            audit=sink,
        )
        async with monitor:
            await agent.wait_for("idle")
    assert sink.calls == [
        ("record", ("answer", (), None)),
        ("answered", ("1",)),
        ("verified", True),
    ]


class BrokenSink(RecordingSink):
    """An audit sink that cannot write (a full disk, a deleted database ...)."""

    async def record(self, rec: DecisionRecord) -> DecisionRecord:
        raise OSError(28, "No space left on device")


async def test_a_decision_that_cannot_be_recorded_is_held_not_typed(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    pane, agent = start_simulated_agent(tmux, tmp_path / "project", "bash", hold_timeout=1.0)
    held: list[Event] = []
    async with ControlClient(tmux.server) as client, AsyncEventBus(metrics_interval=0) as bus:
        bus.subscribe(EventType.PROMPT_HELD, held.append)
        info = next(p for p in await client.list_panes() if p.pane_id == pane)
        session = SessionManager(client, info)
        monitor = AsyncClaudeMonitor(
            session,
            AgentProcessController(session, SIMULATED_CLAUDE),
            StatusManager(),
            bus,
            audit=BrokenSink(),
            settings=MonitorSettings(performance_interval=0),
        )
        async with monitor:
            await agent.wait_for("idle")
            await bus.join()
    assert agent.events("key") == []
    assert [(e.data["rule"], e.data["alert"]) for e in held] == [("audit_failed", True)]
    assert "nothing was typed" in held[0].data["reason"]
    assert monitor.unrecorded_decisions == 1
    assert monitor.status_manager.snapshot().held == 1


async def test_a_stopped_monitor_starts_again(tmux: PrivateTmuxServer, tmp_path: Path) -> None:
    pane, agent = start_simulated_agent(tmux, tmp_path / "project", "bash", "write", speed=1.0)
    async with ControlClient(tmux.server) as client:
        info = next(p for p in await client.list_panes() if p.pane_id == pane)
        monitor = AsyncClaudeMonitor.for_pane(SessionManager(client, info), agent=SIMULATED_CLAUDE)
        await monitor.start()
        await agent.wait_for("answered")
        await monitor.stop()
        await monitor.stop()  # idempotent
        await monitor.start_monitoring_async()  # the seed's name; the same lifecycle
        await agent.wait_for("answered", count=2)
        await monitor.stop_monitoring_async()
    assert [k["key"] for k in agent.events("key")] == ["1", "1"]
    assert monitor.get_component_metrics()["response_sending"].sample_count == 2


async def test_a_pane_in_auto_mode_is_reported(
    tmux: PrivateTmuxServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A real idle capture with the footer Claude Code 2.1 draws when its classifier answers.
    corpus = Path(__file__).parents[1] / "agents/claude/corpus/2.1.332/answered_idle_w80.txt"
    lines = corpus.read_text(encoding="utf-8").rstrip("\n").splitlines()
    screen = tmp_path / "auto.txt"
    screen.write_text("\n".join([*lines[:-1], "  ⏵⏵ auto mode on · ? for shortcuts"]) + "\n")
    pane = tmux.new_session(
        "auto", ["sh", "-c", f"stty -echo; cat '{screen}'; exec sleep 600"], width=80, height=40
    )
    async with ControlClient(tmux.server) as client:
        info = next(p for p in await client.list_panes() if p.pane_id == pane)
        session = SessionManager(client, info)
        monitor = AsyncClaudeMonitor(
            session,
            AgentProcessController(session, agent_running_as("sleep")),
            StatusManager(),
            settings=MonitorSettings(performance_interval=0),
        )
        async with monitor:
            await eventually_async(_mode_of(monitor), timeout=10)
    assert monitor.status_manager.snapshot().mode is PermissionMode.AUTO
    assert "answers its own permission dialogs" in caplog.text


def _mode_of(monitor: AsyncClaudeMonitor) -> Callable[[], Awaitable[object]]:
    async def check() -> object:
        return monitor.status_manager.snapshot().mode

    return check


async def test_decisions_and_events_name_the_agent_and_its_version(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    # The simulated agent draws Claude Code's banner ("Claude Code v2.1.332"); its process is
    # Python, so the version comes from the screen.
    pane, agent = start_simulated_agent(tmux, tmp_path / "project", "bash")
    sent: list[Event] = []
    async with (
        ControlClient(tmux.server) as client,
        AsyncEventBus(metrics_interval=0) as bus,
        AuditStore.open(tmp_path / "audit.db") as audit,
    ):
        bus.subscribe(EventType.RESPONSE_SENT, sent.append)
        info = next(p for p in await client.list_panes() if p.pane_id == pane)
        monitor = AsyncClaudeMonitor.for_pane(
            SessionManager(client, info),
            bus,
            agent=SIMULATED_CLAUDE,
            audit=audit,
            settings=MonitorSettings(performance_interval=0),
        )
        async with monitor:
            await agent.wait_for("answered")
            await bus.join()
        (record,) = await audit.list_decisions(agent=SIMULATED_CLAUDE.name)
    assert monitor.agent_version == "2.1.332"
    assert (record.agent, record.agent_version) == ("claude-code-simulated", "2.1.332")
    (event,) = sent
    assert (event.data["agent"], event.data["agent_version"]) == (
        "claude-code-simulated",
        "2.1.332",
    )
