"""The agent registry: which agents yesman knows and which one runs in a pane."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest

from yesman.agents import AgentRegistry, builtin_agents, default_agent
from yesman.agents.claude import CLAUDE_CODE
from yesman.tmux import ProcessInfo


def proc(name: str, *argv: str) -> ProcessInfo:
    return ProcessInfo(
        pid=1, ppid=0, name=name, cmdline=tuple(argv) or (name,), create_time=0.0, depth=0
    )


def test_builtin_agents_start_with_claude_code() -> None:
    agents = builtin_agents()
    assert [a.name for a in agents] == ["claude-code", "codex", "gemini"]
    assert default_agent() is CLAUDE_CODE
    assert "claude-code" in agents
    assert builtin_agents() is not agents  # each call is a fresh registry


def test_identify_finds_the_agent_anywhere_in_the_tree() -> None:
    agents = builtin_agents()
    tree = [proc("bash"), proc("claude", "claude", "--continue")]
    assert agents.identify(tree) is CLAUDE_CODE
    assert agents.identify([proc("bash"), proc("vim", "vim", "claude.md")]) is None
    assert agents.identify([]) is None


def test_agents_are_tried_in_order_and_names_are_unique() -> None:
    def everything(name: str, cmdline: Sequence[str]) -> bool:
        return True

    catch_all = dataclasses.replace(CLAUDE_CODE, name="catch-all", is_agent_process=everything)
    registry = AgentRegistry([CLAUDE_CODE, catch_all])
    assert registry.identify([proc("claude")]) is CLAUDE_CODE
    assert registry.identify([proc("bash")]) is catch_all
    with pytest.raises(ValueError, match="already registered"):
        registry.register(dataclasses.replace(catch_all))
    registry.register(dataclasses.replace(catch_all, display_name="X"), replace=True)
    assert registry.get("catch-all").display_name == "X"
    assert [a.name for a in registry] == ["claude-code", "catch-all"]


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="known: claude-code"):
        builtin_agents().get("aider")


def test_extra_commands_extend_recognition_without_losing_the_original() -> None:
    wrapped = CLAUDE_CODE.with_commands(["my-claude-wrapper"])
    assert wrapped.matches("python3", ["python3", "/opt/my-claude-wrapper.py"])
    assert wrapped.matches("claude", ["claude"])
    assert not wrapped.matches("python3", ["python3", "other.py"])
    assert CLAUDE_CODE.with_commands([]) is CLAUDE_CODE
