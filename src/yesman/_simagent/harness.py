"""Running the simulated agent in a tmux pane and reading its log: for the demo, tests and
benchmarks.

    pane, log = start_simulated_agent(tmux, cwd, "bash", "dangerous", hold_timeout=2)
    await log.wait_for("idle")
    keys = log.events("key")
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from yesman._simagent.cli import SIMULATED_AGENT, command, read_log
from yesman.agents import Agent
from yesman.agents.claude import CLAUDE_CODE, is_claude_code
from yesman.testing import PrivateTmuxServer

__all__ = [
    "SIMULATED_AGENT",
    "SIMULATED_CLAUDE",
    "AgentLog",
    "is_agent_or_simulation",
    "start_simulated_agent",
]


def is_agent_or_simulation(name: str, cmdline: Sequence[str]) -> bool:
    """A process matcher for Claude Code or the simulated agent."""
    return is_claude_code(name, cmdline) or any(SIMULATED_AGENT in arg for arg in cmdline[:4])


SIMULATED_CLAUDE: Final[Agent] = dataclasses.replace(
    CLAUDE_CODE,
    name="claude-code-simulated",
    display_name="Claude Code (simulated)",
    is_agent_process=is_agent_or_simulation,
    restart_command=None,
)
"""The simulated agent draws Claude Code's screens, so it is Claude Code in all but its process."""


class AgentLog:
    """The simulated agent's JSON-lines log (``--log``; its events are listed in `cli`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The entries so far (of one `kind`, if given); a half-written last line is left out."""
        return [e for e in read_log(self.path) if kind is None or e.get("event") == kind]

    def finished(self) -> bool:
        """The agent went idle after its last scenario, or exited."""
        return any(e["event"] in ("idle", "exit") for e in self.events())

    async def wait_for(self, kind: str, count: int = 1, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.events(kind)) < count:
            if time.monotonic() > deadline:
                seen = [e.get("event") for e in self.events()]
                raise AssertionError(f"the agent never logged {count} {kind!r}; it logged {seen}")
            await asyncio.sleep(0.05)


def start_simulated_agent(
    tmux: PrivateTmuxServer,
    cwd: Path,
    *scenarios: str,
    session: str = "work",
    log: Path | None = None,
    speed: float = 4.0,
    hold_timeout: float | None = None,
    loop: bool = False,
    width: int = 120,
    height: int = 40,
) -> tuple[str, AgentLog]:
    """Start the agent in a new session (or a new window if `session` exists); its pane id."""
    cwd.mkdir(parents=True, exist_ok=True)
    log = log or cwd.parent / f"agent-{session}-{time.monotonic_ns()}.jsonl"
    argv = command(
        *scenarios,
        log=log,
        speed=speed,
        hold_timeout=hold_timeout,
        loop=loop,
        pause=0.2 if loop else None,
    )
    if session in tmux.run("list-sessions", "-F", "#{session_name}", check=False).splitlines():
        pane = tmux.run(
            "new-window", "-d", "-P", "-F", "#{pane_id}", "-t", f"={session}:", "-c", str(cwd),
            *argv,
        )  # fmt: skip
    else:
        pane = tmux.run(
            "new-session", "-d", "-P", "-F", "#{pane_id}", "-s", session, "-c", str(cwd),
            "-x", str(width), "-y", str(height), *argv,
        )  # fmt: skip
    return pane, AgentLog(log)
