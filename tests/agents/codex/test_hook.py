"""Codex CLI's PermissionRequest hook: its real input read, its output written, its settings.

The inputs in ``hook_inputs/*.stdin`` are what Codex 0.171.0 wrote to a hook's stdin, pointed at
the API stand-in (a command approval and a patch approval), saved by a hook that copied its
stdin. The parity tests take the dialogs of the real screen corpus and check that the request
the hook receives for the same call reads as the same dialog and is decided alike.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from support.openai_api import apply_patch_command, exec_command
from yesman.agents import (
    AgentScreen,
    HookBehavior,
    HookScope,
    HookSettingsError,
    HookVerdict,
    PromptKind,
    ScreenState,
    ToolKind,
)
from yesman.agents.codex import CODEX, CODEX_HOOK, parse_screen
from yesman.agents.codex._hook import CodexHook, patch_paths
from yesman.monitor._claims import same_dialog
from yesman.policy import Action, Policy, PolicyContext

INPUTS = Path(__file__).parent / "hook_inputs"
CORPUS = Path(__file__).parent / "corpus" / "0.171.0"
CORPUS_PROJECT = Path("/tmp/yesman-corpus/project")


def _captured(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((INPUTS / name).read_text())
    return data


def _request(tool: str, tool_input: dict[str, Any], cwd: str = "/src/app") -> Any:
    payload = {
        "hook_event_name": "PermissionRequest",
        "cwd": cwd,
        "tool_name": tool,
        "tool_input": tool_input,
    }
    return CODEX_HOOK.parse(payload, {})


def test_a_real_command_request_reads_as_the_screen_would() -> None:
    request = CODEX_HOOK.parse(_captured("0.171.0-exec.stdin"), {"TMUX_PANE": "%1"})
    assert request is not None
    assert (request.agent, request.tool) == ("codex", "Bash")
    assert request.tool_input == {
        "command": "mkdir -p build && touch build/out.txt",
        "description": "Run mkdir -p build && touch build/out.txt?",
    }
    prompt = request.prompt
    assert (prompt.kind, prompt.tool, prompt.target, prompt.tool_kind) == (
        PromptKind.TOOL_PERMISSION,
        "exec",
        "mkdir -p build && touch build/out.txt",
        ToolKind.SHELL,
    )
    assert prompt.description == "Run mkdir -p build && touch build/out.txt?"
    assert prompt.options == ()
    assert request.project_dir == request.cwd == "/tmp/cxh/r2/project"
    assert request.permission_mode == "default"
    assert request.session_id == "01a2316b-06ab-7bd0-b9c0-b2d9b2318dc7"
    assert request.agent_version is None, "Codex names no version to its hooks"


def test_a_real_patch_request_names_the_file_it_writes() -> None:
    request = CODEX_HOOK.parse(_captured("0.171.0-apply_patch.stdin"), {})
    assert request is not None
    prompt = request.prompt
    assert (request.tool, prompt.kind, prompt.tool, prompt.target, prompt.tool_kind) == (
        "apply_patch",
        PromptKind.TOOL_PERMISSION,
        "apply_patch",
        "/tmp/cxh/patch/outside/x.txt",
        ToolKind.EDIT,
    )


@pytest.mark.parametrize(
    ("tool", "tool_input", "kind", "name", "target"),
    [
        pytest.param("Bash", {"command": ["bash", "-lc", "ls -la"]}, "tool_permission", "exec",
                     "bash -lc 'ls -la'", id="argv"),
        pytest.param("exec_command", {"cmd": "make"}, "tool_permission", "exec", "make",
                     id="cmd"),
        pytest.param("Bash", {"command": 42}, "tool_permission", "exec", None, id="bad-command"),
        pytest.param("apply_patch", {"command": "*** Begin Patch\n*** Update File: src/a.py\n"
                     "@@\n-x\n+y\n*** End Patch"}, "tool_permission", "apply_patch",
                     "/src/app/src/a.py", id="relative-path"),
        pytest.param("apply_patch", {"command": "*** Begin Patch\n*** Update File: a.py\n"
                     "*** Move to: /etc/a.py\n*** End Patch"}, "tool_permission", "apply_patch",
                     None, id="moved-elsewhere"),
        pytest.param("apply_patch", {"command": "no patch here"}, "tool_permission",
                     "apply_patch", None, id="unreadable-patch"),
        pytest.param("mcp__docs__search", {"q": "x"}, "tool_permission", "mcp__docs__search",
                     None, id="mcp"),
        pytest.param("SomethingNew", {"command": "x"}, "other", "SomethingNew", None, id="new"),
    ],
)  # fmt: skip
def test_each_tool_reads_as_its_dialog_would(
    tool: str, tool_input: dict[str, Any], kind: str, name: str, target: str | None
) -> None:
    request = _request(tool, tool_input)
    assert request is not None
    assert (request.prompt.kind.value, request.prompt.tool, request.prompt.target) == (
        kind,
        name,
        target,
    )
    assert request.prompt.tool_kind is CODEX.tool_kind(tool), "kinds from the agent's table"


def test_a_patch_to_several_files_is_held_for_a_human() -> None:
    patch = "*** Begin Patch\n*** Add File: a.txt\n+a\n*** Add File: b.txt\n+b\n*** End Patch"
    assert patch_paths(patch, "/src/app") == ("/src/app/a.txt", "/src/app/b.txt")
    request = _request("apply_patch", {"command": patch})
    assert request.prompt.target is None
    assert request.prompt.description == "a patch to /src/app/a.txt, /src/app/b.txt"
    decision = Policy.default().decide_request(request, PolicyContext(project_dir=Path("/src/app")))
    assert (decision.action, decision.rule) == (Action.HOLD, "guard:outside-project")


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
    assert CODEX_HOOK.parse(payload, {}) is None


def test_the_output_is_what_codex_takes_and_nothing_it_refuses() -> None:
    request = CODEX_HOOK.parse(_captured("0.171.0-exec.stdin"), {})
    assert request is not None
    allow = json.loads(CODEX_HOOK.render(request, HookVerdict(HookBehavior.ALLOW)))
    assert allow == {
        "hookSpecificOutput": {
            "hookEventName": "PermissionRequest",
            "decision": {"behavior": "allow"},
        }
    }
    deny = json.loads(CODEX_HOOK.render(request, HookVerdict(HookBehavior.DENY, "no: rm")))
    assert deny["hookSpecificOutput"]["decision"] == {"behavior": "deny", "message": "no: rm"}
    # Codex refuses updatedInput (the only way to give answers): no decision rather than one
    # it would reject.
    answers = (("Which one?", "A"),)
    assert CODEX_HOOK.render(request, HookVerdict(HookBehavior.ALLOW, answers=answers)) == ""
    for output in (allow, deny):
        text = json.dumps(output)
        for refused in ("updatedInput", "updatedPermissions", "interrupt"):
            assert refused not in text


def test_settings_live_in_hooks_json_under_codex_home(tmp_path: Path) -> None:
    home, project = tmp_path / "home", tmp_path / "app"
    assert CodexHook({}).settings_file(HookScope.USER, home=home, project=project) == (
        home / ".codex" / "hooks.json"
    )
    moved = CodexHook({"CODEX_HOME": str(tmp_path / "ch")})
    assert moved.settings_file(HookScope.USER, home=home, project=project) == (
        tmp_path / "ch" / "hooks.json"
    )
    assert CODEX_HOOK.settings_file(HookScope.PROJECT, home=home, project=project) == (
        project / ".codex" / "hooks.json"
    )
    with pytest.raises(HookSettingsError, match="--scope project"):
        CODEX_HOOK.settings_file(HookScope.LOCAL, home=home, project=project)


def test_yesmans_group_goes_after_the_users_and_is_updated_where_it_stands() -> None:
    users = {"matcher": "Bash", "hooks": [{"type": "command", "command": "notify-send x"}]}
    other = {"hooks": [{"type": "command", "command": "say hi", "timeout": 5}]}
    doc: dict[str, Any] = {
        "description": "mine",
        "hooks": {"PermissionRequest": [users], "Stop": [other]},
    }
    installed = CODEX_HOOK.install(doc, "/usr/bin/yesman hook --agent codex", 10)
    groups = installed["hooks"]["PermissionRequest"]
    assert groups == [
        users,
        {
            "matcher": "*",
            "hooks": [
                {"type": "command", "command": "/usr/bin/yesman hook --agent codex", "timeout": 10}
            ],
        },
    ], "appended: the user's entries keep their places (Codex keys its trust by place)"
    assert [h.command for h in CODEX_HOOK.find(installed)] == ["/usr/bin/yesman hook --agent codex"]
    groups.append({"hooks": [{"type": "command", "command": "after-us"}]})
    updated = CODEX_HOOK.install(installed, "'/new/yesman' hook --agent codex", 15)
    assert updated["hooks"]["PermissionRequest"][1]["hooks"] == [
        {"type": "command", "command": "'/new/yesman' hook --agent codex", "timeout": 15}
    ]
    assert updated["hooks"]["PermissionRequest"][2] == groups[2]
    removed = CODEX_HOOK.uninstall(updated)
    assert removed == {
        "description": "mine",
        "hooks": {"PermissionRequest": [users, groups[2]], "Stop": [other]},
    }
    assert doc["hooks"]["PermissionRequest"] == [users], "the input document is not changed"
    assert CODEX_HOOK.uninstall(CODEX_HOOK.install({}, "yesman hook", 10)) == {"hooks": {}}


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param({"hooks": "none"}, id="hooks-not-object"),
        pytest.param({"hooks": {"PermissionRequest": {}}}, id="event-not-array"),
        pytest.param({"hooks": {}, "model": "o3"}, id="a-key-codex-does-not-read"),
    ],
)
def test_a_file_codex_would_not_read_as_hooks_is_refused(doc: dict[str, Any]) -> None:
    with pytest.raises(HookSettingsError):
        CODEX_HOOK.install(doc, "yesman hook", 10)
    assert CODEX_HOOK.find(doc) == ()


def test_codex_offers_its_hook() -> None:
    assert CODEX.hook is CODEX_HOOK
    assert CODEX_HOOK.event == "PermissionRequest"


# -- one dialog, two channels: the real screen corpus against the hook's reading


def _codex_sent(stem: str) -> dict[str, Any]:
    """What Codex 0.171.0 sends its hook for the call behind a corpus capture (measured: a
    command comes as Bash with its justification as description, a patch as apply_patch with
    the patch itself)."""
    if stem == "patch_outside":
        cmd = str(apply_patch_command("/tmp/yesman-corpus/outside/notes.txt", "hello").input["cmd"])
        patch = cmd.split("\n", 1)[1].rsplit("EOF", 1)[0].rstrip("\n")
        return {"tool_name": "apply_patch", "tool_input": {"command": patch}}
    command, why = {
        "exec_short": ("mkdir -p build && touch build/out.txt", "Create the build folder?"),
        "exec_dangerous": ("rm -rf ~/", "Clean up the home folder?"),
    }[stem]
    args = exec_command(command, why).input
    return {
        "tool_name": "Bash",
        "tool_input": {"command": args["cmd"], "description": args["justification"]},
    }


@pytest.mark.parametrize("stem", ["exec_short", "exec_dangerous", "patch_outside"])
@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_a_dialog_reads_and_is_decided_alike_on_screen_and_through_the_hook(
    stem: str, width: int
) -> None:
    screen = parse_screen((CORPUS / f"{stem}_w{width}.txt").read_text())
    assert screen.state is ScreenState.WAITING
    assert screen.prompt is not None
    payload = {"hook_event_name": "PermissionRequest", "cwd": str(CORPUS_PROJECT)}
    request = CODEX_HOOK.parse(payload | _codex_sent(stem), {})
    assert request is not None
    assert same_dialog(screen.prompt, request.prompt), (screen.prompt, request.prompt)
    policy = Policy.default()
    context = PolicyContext(project_dir=CORPUS_PROJECT)
    on_screen = policy.decide(AgentScreen(ScreenState.WAITING, screen.prompt), context)
    via_hook = policy.decide_request(request, context)
    assert (via_hook.action, via_hook.rule) == (on_screen.action, on_screen.rule)
    assert not via_hook.keys, "through the hook nothing is typed"
