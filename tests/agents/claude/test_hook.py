"""Claude Code's PermissionRequest hook: its real input read, its output written, its settings.

The inputs in ``hook_inputs/*.stdin`` (JSON, as Claude Code wrote it to the hook's stdin) were
captured from the real CLIs (2.1.197 and 2.1.332) pointed at the API stand-in, by a hook that
saved its stdin; named ``.stdin`` since every ``.json`` here is a screen reading. The parity
tests take every dialog of the real screen corpus whose tool call is known, and check that the
request the hook would receive for the same call reads as the same dialog, and that the shipped
policy decides it the same way on both channels.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agents.claude._corpus import CORPUS, VERSIONS
from support.claude_api import ToolUse
from support.corpus_scenarios import PROJECT, SCENARIOS
from yesman.agents import (
    AgentScreen,
    HookBehavior,
    HookSettingsError,
    HookVerdict,
    PromptKind,
    ScreenState,
)
from yesman.agents.claude import CLAUDE_CODE, parse_screen
from yesman.agents.claude._hook import CLAUDE_HOOK
from yesman.monitor._claims import same_dialog
from yesman.policy import Action, Policy, PolicyContext

INPUTS = Path(__file__).parent / "hook_inputs"
ENV = {"AI_AGENT": "claude-code_2-1-332_harness", "CLAUDE_PROJECT_DIR": "/src/app"}


def _captured(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((INPUTS / name).read_text())
    return data


@pytest.mark.parametrize("version", ["2.1.197", "2.1.332"])
def test_a_real_bash_request_reads_as_the_screen_would(version: str) -> None:
    request = CLAUDE_HOOK.parse(_captured(f"{version}-bash.stdin"), ENV)
    assert request is not None
    assert (request.agent, request.tool) == ("claude-code", "Bash")
    assert request.tool_input == {"command": "touch made-by-bash", "description": "Make a file"}
    prompt = request.prompt
    assert (prompt.kind, prompt.tool, prompt.target) == (
        PromptKind.TOOL_PERMISSION,
        "Bash",
        "touch made-by-bash",
    )
    assert prompt.description == "Make a file"
    assert prompt.options == ()
    assert request.project_dir == "/src/app", "the agent's own project folder wins over its cwd"
    assert str(request.cwd).endswith("/project")
    assert request.permission_mode == "default"
    assert request.agent_version == "2.1.332"


@pytest.mark.parametrize("version", ["2.1.197", "2.1.332"])
def test_a_real_question_keeps_its_questions_and_labels(version: str) -> None:
    request = CLAUDE_HOOK.parse(_captured(f"{version}-askuserquestion.stdin"), {})
    assert request is not None
    assert request.prompt.kind is PromptKind.QUESTION
    assert request.prompt.question == "Which database should the service use?"
    assert [(q.header, q.options, q.multi_select) for q in request.questions] == [
        ("Database", ("PostgreSQL", "SQLite"), False)
    ]
    assert request.project_dir == request.cwd, "without CLAUDE_PROJECT_DIR, the cwd"
    assert request.agent_version is None


@pytest.mark.parametrize(
    ("tool", "tool_input", "kind", "name", "target"),
    [
        pytest.param("Write", {"file_path": "/a/b.txt"}, "tool_permission", "Write", "/a/b.txt"),
        pytest.param("Edit", {"file_path": "/a/b.py"}, "tool_permission", "Edit", "/a/b.py"),
        pytest.param(
            "NotebookEdit", {"notebook_path": "/n.ipynb"}, "tool_permission", "NotebookEdit",
            "/n.ipynb", id="NotebookEdit",
        ),
        pytest.param("WebFetch", {"url": "https://x.y/"}, "tool_permission", "Fetch", "https://x.y/"),
        pytest.param("mcp__srv__go", {"a": 1}, "tool_permission", "mcp__srv__go", None),
        pytest.param("ExitPlanMode", {"plan": "p"}, "plan_approval", "ExitPlanMode", None),
        pytest.param("SomethingNew", {"command": "x"}, "other", "SomethingNew", None),
        pytest.param("Bash", {"command": 42}, "tool_permission", "Bash", None, id="bad-command"),
    ],
)  # fmt: skip
def test_each_tool_reads_as_its_dialog_would(
    tool: str, tool_input: dict[str, Any], kind: str, name: str, target: str | None
) -> None:
    payload = {"hook_event_name": "PermissionRequest", "tool_name": tool, "tool_input": tool_input}
    request = CLAUDE_HOOK.parse(payload, {})
    assert request is not None
    assert (request.prompt.kind.value, request.prompt.tool, request.prompt.target) == (
        kind,
        name,
        target,
    )


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param([], id="not-an-object"),
        pytest.param({"hook_event_name": "PreToolUse", "tool_name": "Bash"}, id="other-event"),
        pytest.param({"hook_event_name": "PermissionRequest", "tool_input": {}}, id="no-tool"),
        pytest.param(
            {"hook_event_name": "PermissionRequest", "tool_name": "Bash", "tool_input": "ls"},
            id="input-not-object",
        ),
    ],
)
def test_anything_else_is_not_a_request(payload: object) -> None:
    assert CLAUDE_HOOK.parse(payload, {}) is None


def test_the_output_is_what_claude_code_takes() -> None:
    request = CLAUDE_HOOK.parse(_captured("2.1.332-askuserquestion.stdin"), {})
    assert request is not None
    allow = json.loads(CLAUDE_HOOK.render(request, HookVerdict(HookBehavior.ALLOW)))
    assert allow == {
        "hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "allow"},
        }
    }
    deny = json.loads(CLAUDE_HOOK.render(request, HookVerdict(HookBehavior.DENY, "no: rm")))
    assert deny["hookSpecificOutput"]["decision"] == {"behavior": "deny", "message": "no: rm"}
    answers = (("Which database should the service use?", "SQLite"),)
    answered = json.loads(
        CLAUDE_HOOK.render(request, HookVerdict(HookBehavior.ALLOW, answers=answers))
    )
    decision = answered["hookSpecificOutput"]["decision"]
    assert decision["updatedInput"] == dict(request.tool_input) | {"answers": dict(answers)}
    assert "updatedPermissions" not in decision
    for output in (allow, deny, answered):
        assert "updatedPermissions" not in json.dumps(output), "never 'don't ask again'"


def test_settings_entries_are_found_updated_and_removed_alone() -> None:
    users = {"matcher": "Bash", "hooks": [{"type": "command", "command": "notify-send x"}]}
    ours = {"type": "command", "command": "/usr/bin/yesman hook"}
    mixed = {"hooks": [ours, {"type": "command", "command": "say hi"}]}
    doc: dict[str, Any] = {
        "hooks": {"PermissionRequest": [users, mixed], "Stop": []},
        "model": "opus",
    }
    found = CLAUDE_HOOK.find(doc)
    assert [h.command for h in found] == ["/usr/bin/yesman hook"]
    updated = CLAUDE_HOOK.install(doc, "'/new path/yesman' hook", 15)
    groups = updated["hooks"]["PermissionRequest"]
    assert groups[0] == users
    assert groups[1]["hooks"] == [
        {"type": "command", "command": "'/new path/yesman' hook", "timeout": 15},
        {"type": "command", "command": "say hi"},
    ], "updated where it stood, beside the user's own hook"
    removed = CLAUDE_HOOK.uninstall(updated)
    assert removed == {
        "hooks": {
            "PermissionRequest": [users, {"hooks": [{"type": "command", "command": "say hi"}]}],
            "Stop": [],
        },
        "model": "opus",
    }
    assert mixed["hooks"][0] == ours, "the input document is not changed"
    assert CLAUDE_HOOK.uninstall(CLAUDE_HOOK.install({}, "yesman hook", 10)) == {}
    with pytest.raises(HookSettingsError):
        CLAUDE_HOOK.install({"hooks": "none"}, "yesman hook", 10)


def test_claude_code_offers_its_hook() -> None:
    assert CLAUDE_CODE.hook is CLAUDE_HOOK


# -- one dialog, two channels: the real screen corpus against the hook's reading


def _parity_cases() -> list[Any]:
    cases = []
    for scenario in SCENARIOS:
        tool_uses = [t for t in scenario.turns if isinstance(t, ToolUse)]
        if not tool_uses or scenario.expect.get("state") != "waiting":
            continue
        for version in VERSIONS:
            for capture in sorted((CORPUS / version).glob(f"{scenario.name}_w120.txt")):
                cases.append(pytest.param(capture, tool_uses[-1], id=f"{version}/{capture.stem}"))
    return cases


@pytest.mark.parametrize(("capture", "tool_use"), _parity_cases())
def test_a_dialog_reads_and_is_decided_alike_on_screen_and_through_the_hook(
    capture: Path, tool_use: ToolUse
) -> None:
    screen = parse_screen(capture.read_text())
    assert screen.state is ScreenState.WAITING
    assert screen.prompt is not None
    payload = {
        "hook_event_name": "PermissionRequest",
        "cwd": str(PROJECT),
        "tool_name": tool_use.name,
        "tool_input": dict(tool_use.input),
    }
    request = CLAUDE_HOOK.parse(payload, {})
    assert request is not None
    assert same_dialog(screen.prompt, request.prompt), (screen.prompt, request.prompt)
    policy = Policy.default()
    context = PolicyContext(project_dir=PROJECT)
    on_screen = policy.decide(AgentScreen(ScreenState.WAITING, screen.prompt), context)
    via_hook = policy.decide_request(request, context)
    assert via_hook.action is on_screen.action
    assert via_hook.rule == on_screen.rule
    if on_screen.action is Action.ANSWER:
        assert on_screen.keys, "on screen a digit is typed"
        assert not via_hook.keys, "through the hook nothing is typed"
