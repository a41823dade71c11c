"""A second agent needs a folder and a registration, nothing else.

The toy agent below is defined only here: its own process, its own screen, its own parser. It is
handed to an unchanged `MonitorSupervisor`, which watches it with the default policy alongside
Claude Code's rules: an ordinary command is answered with the toy's digit, a dangerous one held.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path

import pytest

from yesman.agents import (
    Agent,
    AgentScreen,
    AgentSignals,
    KeyConventions,
    Option,
    Prompt,
    PromptKind,
    ScreenState,
)
from yesman.bus import AsyncEventBus, Event, EventType, PromptHeld, ResponseSent
from yesman.monitor import MonitorSupervisor
from yesman.testing import PrivateTmuxServer, eventually_async

pytestmark = pytest.mark.tmux

_ASK = re.compile(r"^toy-agent: may I run `(.+)`\?$")
_CHOICES = re.compile(r"^\s*\[1\] allow\s+\[2\] deny\s*$")


def parse_toy(text: str) -> AgentScreen:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) >= 2 and _CHOICES.match(lines[-1]):
        asked = _ASK.match(lines[-2])
        if asked:
            command = asked.group(1)
            return AgentScreen(
                ScreenState.WAITING,
                Prompt(
                    kind=PromptKind.TOOL_PERMISSION,
                    tool="Bash",
                    target=command,
                    question=lines[-2],
                    options=(Option(1, "Yes"), Option(2, "No")),
                    highlighted=None,
                    warning=None,
                    fingerprint=hashlib.sha1(command.encode()).hexdigest()[:16],
                    target_lines=(command,),
                ),
            )
    if lines and lines[-1].startswith("toy>"):
        return AgentScreen(ScreenState.IDLE)
    return AgentScreen(ScreenState.UNKNOWN)


def is_toy(name: str, cmdline: Sequence[str]) -> bool:
    return "support.toy_agent" in cmdline[:3]


TOY = Agent(
    name="toy",
    display_name="Toy agent",
    is_agent_process=is_toy,
    parse_screen=parse_toy,
    signals=AgentSignals(usage_limit=re.compile("toy limit"), api_error=re.compile("toy error")),
    keys=KeyConventions(input_guard=lambda version: 0.0),
)


@pytest.fixture
def tmux() -> Iterator[PrivateTmuxServer]:
    with PrivateTmuxServer(width=100, height=30) as server:
        yield server


async def test_a_new_agent_is_watched_and_answered_by_the_unchanged_supervisor(
    tmux: PrivateTmuxServer, tmp_path: Path
) -> None:
    log = tmp_path / "toy.log"
    root = Path(__file__).parents[1]  # tests/, where `support` lives
    argv = [sys.executable, "-m", "support.toy_agent", "--log", str(log)]
    pane = tmux.new_session(
        "toy", ["sh", "-c", f"cd {root} && exec {' '.join(argv)} 'make test' 'rm -rf /'"]
    )
    events: list[Event] = []
    async with AsyncEventBus(metrics_interval=0) as bus:
        for kind in (EventType.RESPONSE_SENT, EventType.PROMPT_HELD):
            bus.subscribe(kind, events.append)
        async with MonitorSupervisor(tmux.server, event_bus=bus, agents=[TOY]) as supervisor:
            await eventually_async(_count(events, 2), timeout=15)
            [watched] = supervisor.watched()
            await bus.join()
    assert watched.pane.pane_id == pane
    assert watched.agent == "toy"
    sent, held = (e.payload for e in events)
    assert isinstance(sent, ResponseSent)
    assert (sent.agent, sent.prompt.target, sent.keys) == ("toy", "make test", ("1",))
    assert isinstance(held, PromptHeld)
    assert (held.agent, held.prompt.target) == ("toy", "rm -rf /")
    # The toy got exactly one key, for the ordinary command; the dangerous one waits for a human.
    assert log.read_text().splitlines() == ["make test\t1"]


def _count(items: list[Event], n: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        await asyncio.sleep(0)
        return len(items) >= n

    return check
