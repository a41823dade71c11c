"""Recognising Gemini CLI's processes, reading its version, its input guard."""

from __future__ import annotations

import pytest

from yesman.agents import builtin_agents
from yesman.agents.gemini import GEMINI, input_guard, is_gemini, version_from_screen


@pytest.mark.parametrize(
    ("name", "cmdline", "expected"),
    [
        ("node", ["node", "/x/node_modules/.bin/gemini", "-i", "hi"], True),
        (
            "node",
            ["node", "--max-old-space-size=12000", "/x/@google/gemini-cli/bundle/gemini.js"],
            True,
        ),
        ("MainThread", ["/usr/local/bin/gemini"], True),
        ("node", ["node", "server.js", "gemini"], False),
        ("vim", ["vim", "GEMINI.md"], False),
        ("bash", [], False),
    ],
)
def test_is_gemini(name: str, cmdline: list[str], expected: bool) -> None:
    assert is_gemini(name, cmdline) is expected


def test_version_from_the_banner() -> None:
    assert version_from_screen(" Gemini CLI v0.61.0\n") == "0.61.0"
    assert version_from_screen("nothing") is None


def test_an_unmeasured_version_waits_longer_than_a_measured_one() -> None:
    assert input_guard("0.61.0") < input_guard("9.9.9") == input_guard(None)


def test_gemini_is_registered_with_its_tool_kinds() -> None:
    assert builtin_agents().get("gemini") is GEMINI
    assert GEMINI.tool_kind("run_shell_command") == "shell"
    assert GEMINI.tool_kind("write_file") == "write"
    assert GEMINI.tool_kind("replace") == "edit"
    assert GEMINI.tool_kind("web_fetch") == "fetch"
    assert GEMINI.tool_kind("mcp_deployer_deploy") == "mcp"
