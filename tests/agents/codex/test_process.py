"""Recognising Codex CLI's processes, reading its version, its input guard."""

from __future__ import annotations

import pytest

from yesman.agents import builtin_agents
from yesman.agents.codex import CODEX, input_guard, is_codex, parse_version, version_from_screen


@pytest.mark.parametrize(
    ("name", "cmdline", "expected"),
    [
        ("codex", ["/x/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex"], True),
        ("node", ["node", "/x/node_modules/.bin/codex", "do it"], True),
        ("node", ["node", "/usr/lib/node_modules/@openai/codex/bin/codex.js"], True),
        ("MainThread", ["/home/u/.local/bin/codex", "--no-daemon"], True),
        ("node", ["node", "server.js", "codex"], False),
        ("vim", ["vim", "codex.md"], False),
        ("bash", [], False),
    ],
)
def test_is_codex(name: str, cmdline: list[str], expected: bool) -> None:
    assert is_codex(name, cmdline) is expected


def test_versions_read_from_the_flag_the_platform_package_and_the_banner() -> None:
    assert parse_version("codex-cli 0.171.0") == "0.171.0"
    assert parse_version("0.171.0-linux-x64") == "0.171.0"
    assert version_from_screen("  >_ OpenAI Codex (v0.171.0)\n") == "0.171.0"
    assert version_from_screen("no banner") is None


def test_an_unmeasured_version_waits_longer_than_a_measured_one() -> None:
    assert input_guard("0.171.0") < input_guard("9.9.9") == input_guard(None)


def test_codex_is_registered_and_found_in_a_pane_tree() -> None:
    registry = builtin_agents()
    assert registry.get("codex") is CODEX

    class Proc:
        def __init__(self, name: str, cmdline: list[str]) -> None:
            self.name, self.cmdline = name, cmdline

    tree = [Proc("bash", ["bash"]), Proc("node", ["node", "/x/node_modules/.bin/codex"])]
    assert registry.identify(tree) is CODEX


def test_tool_kinds_cover_the_dialogs_and_codex_tools() -> None:
    assert CODEX.tool_kind("exec") == "shell"
    assert CODEX.tool_kind("exec_command") == "shell"
    assert CODEX.tool_kind("apply_patch") == "edit"
    assert CODEX.tool_kind("mcp__deployer__deploy") == "mcp"
    assert CODEX.tool_kind("unknown_tool") is None
