"""Agents made up for tests: Claude Code's screen and conventions, another process."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from yesman.agents import Agent
from yesman.agents.claude import CLAUDE_CODE

__all__ = ["agent_running_as"]


def agent_running_as(program: str) -> Agent:
    """Claude Code as yesman knows it, except that its process is ``program`` (argv[0])."""

    def matches(name: str, cmdline: Sequence[str]) -> bool:
        return name == program or (bool(cmdline) and cmdline[0].rsplit("/", 1)[-1] == program)

    return dataclasses.replace(
        CLAUDE_CODE,
        name=f"test-{program}",
        display_name=f"test agent ({program})",
        is_agent_process=matches,
        restart_command=None,
    )
