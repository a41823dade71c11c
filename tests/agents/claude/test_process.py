"""Recognising the Claude Code process among a pane's processes."""

from __future__ import annotations

import pytest

from yesman.agents.claude import is_claude_code


@pytest.mark.parametrize(
    ("name", "cmdline", "expected"),
    [
        ("claude", ["claude"], True),
        ("claude.exe", ["/x/node_modules/@anthropic-ai/claude-code/bin/claude.exe"], True),
        ("MainThread", ["/x/node_modules/.bin/claude"], True),
        ("claude", ["claude", "--continue"], True),
        ("node", ["node", "/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js"], True),
        ("node", ["node", "/home/u/.npm-global/bin/claude", "-p", "hi"], True),
        ("MainThread", ["/usr/bin/claude"], True),
        ("node", ["node", "server.js", "--name", "claude"], False),
        ("bash", ["bash"], False),
        ("vim", ["vim", "claude.md"], False),
        ("python3", ["python3", "claude_helper.py"], False),
        ("node", [], False),
    ],
)
def test_is_claude_code(name: str, cmdline: list[str], expected: bool) -> None:
    assert is_claude_code(name, cmdline) is expected
