"""Claude Code's ``PermissionRequest`` hook: its input, its output, and where it is installed.

Claude Code runs the hook whenever it is about to show a permission dialog, with JSON on stdin
(measured on 2.1.197 and 2.1.332)::

    {"session_id": ..., "transcript_path": ..., "cwd": "/home/me/app", "permission_mode":
     "default", "hook_event_name": "PermissionRequest", "tool_name": "Bash",
     "tool_input": {"command": "touch x", "description": "Make a file"},
     "permission_suggestions": [...]}

and the agent's environment (``TMUX_PANE``, ``CLAUDE_PROJECT_DIR``, the version in ``AI_AGENT``
as ``claude-code_2-1-332_harness``). It takes::

    {"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                            "decision": {"behavior": "allow"}}}

or ``"behavior": "deny"`` with a ``"message"`` the model receives as the tool's error. An
AskUserQuestion is answered by allowing it with ``updatedInput``: the tool's input plus
``"answers": {"<question text>": "<label>"}`` (measured: both versions show "User answered
Claude's questions" and send the answers to the model; an allow without answers still shows the
question to the human). No output, other output, any exit code but 0 with JSON, or a hook killed
by its timeout: the dialog stays for the human.

The hook is installed in ``settings.json``, under ``hooks.PermissionRequest``, as a matcher group
``{"matcher": "*", "hooks": [{"type": "command", "command": ..., "timeout": ...}]}``: user scope
``~/.claude/settings.json``, project scope ``<project>/.claude/settings.json``, local scope
``<project>/.claude/settings.local.json``. yesman never writes ``updatedPermissions`` (that is
"don't ask again") and never installs a ``PreToolUse`` hook (an allow there skips the dialog even
for commands the dialog would have warned about).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from yesman.agents._hook import (
    HookBehavior,
    HookScope,
    HookSettingsError,
    HookVerdict,
    InstalledHook,
    Question,
    ToolRequest,
)
from yesman.agents._hook_groups import (
    add_entry,
    drop_entries,
    event_groups,
    yesman_entries,
)
from yesman.agents._screen import Prompt, PromptKind

__all__ = ["CLAUDE_HOOK", "ClaudeHook"]

_EVENT: Final = "PermissionRequest"
# Tools whose dialog is an ordinary tool permission, and what the policy reads as the target.
# The screen parser calls WebFetch by its dialog header, "Fetch"; the request does the same so a
# rule reads alike on both channels. Tools not listed here (and not MCP tools) become OTHER, as
# an unknown dialog on screen does: a new tool may do things this table cannot show the policy.
_TARGET_KEYS: Final[Mapping[str, tuple[str, str]]] = {
    "Bash": ("Bash", "command"),
    "Write": ("Write", "file_path"),
    "Edit": ("Edit", "file_path"),
    "MultiEdit": ("MultiEdit", "file_path"),
    "NotebookEdit": ("NotebookEdit", "notebook_path"),
    "Read": ("Read", "file_path"),
    "WebFetch": ("Fetch", "url"),
    "WebSearch": ("WebSearch", "query"),
    "Grep": ("Grep", "pattern"),
    "Glob": ("Glob", "pattern"),
}
_QUESTION_TOOL: Final = "AskUserQuestion"
_PLAN_TOOL: Final = "ExitPlanMode"
_MCP_PREFIX: Final = "mcp__"
_VERSION_RE: Final = re.compile(r"claude-code_(\d{1,4})-(\d{1,4})-(\d{1,6})")


class ClaudeHook:
    """Claude Code's side of the hook channel (see the module docstring)."""

    __slots__ = ()

    @property
    def event(self) -> str:
        return _EVENT

    # -- input

    def parse(self, payload: object, env: Mapping[str, str]) -> ToolRequest | None:
        if not isinstance(payload, dict) or payload.get("hook_event_name") != _EVENT:
            return None
        tool = payload.get("tool_name")
        tool_input = payload.get("tool_input")
        if not isinstance(tool, str) or not tool or not isinstance(tool_input, dict):
            return None
        questions = _questions(tool_input) if tool == _QUESTION_TOOL else ()
        cwd = _text(payload.get("cwd"))
        return ToolRequest(
            agent="claude-code",
            tool=tool,
            tool_input=tool_input,
            prompt=_prompt(tool, tool_input, questions),
            cwd=cwd,
            project_dir=_text(env.get("CLAUDE_PROJECT_DIR")) or cwd,
            session_id=_text(payload.get("session_id")),
            permission_mode=_text(payload.get("permission_mode")),
            agent_version=_version(env.get("AI_AGENT", "")),
            questions=questions,
        )

    # -- output

    def render(self, request: ToolRequest, verdict: HookVerdict) -> str:
        decision: dict[str, Any] = {"behavior": verdict.behavior.value}
        if verdict.behavior is HookBehavior.DENY:
            decision["message"] = verdict.message or "denied by yesman's policy"
        elif verdict.answers:
            decision["updatedInput"] = {**request.tool_input, "answers": dict(verdict.answers)}
        output = {"hookSpecificOutput": {"hookEventName": _EVENT, "decision": decision}}
        return json.dumps(output, ensure_ascii=False)

    # -- settings

    def settings_file(self, scope: HookScope, *, home: Path, project: Path) -> Path:
        if scope is HookScope.USER:
            return home / ".claude" / "settings.json"
        if scope is HookScope.PROJECT:
            return project / ".claude" / "settings.json"
        return project / ".claude" / "settings.local.json"

    def install(self, settings: Mapping[str, Any], command: str, timeout: int) -> dict[str, Any]:
        doc = copy.deepcopy(dict(settings))
        groups = event_groups(doc, _EVENT, create=True)
        assert groups is not None
        add_entry(groups, {"type": "command", "command": command, "timeout": timeout})
        return doc

    def uninstall(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        doc = copy.deepcopy(dict(settings))
        groups = event_groups(doc, _EVENT)
        if groups is None:
            return doc
        kept_groups = drop_entries(groups)
        hooks_table = doc["hooks"]
        if kept_groups:
            hooks_table[_EVENT] = kept_groups
        else:
            del hooks_table[_EVENT]
            if not hooks_table:
                del doc["hooks"]
        return doc

    def find(self, settings: Mapping[str, Any]) -> tuple[InstalledHook, ...]:
        try:
            groups = event_groups(dict(settings), _EVENT)
        except HookSettingsError:
            return ()
        return tuple(hook for _, _, hook in yesman_entries(groups))

    def pending_step(
        self, path: Path, settings: Mapping[str, Any], *, home: Path, changed: bool = False
    ) -> str | None:
        return None  # Claude Code runs the hooks of its settings files as they are


CLAUDE_HOOK: Final = ClaudeHook()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _version(ai_agent: str) -> str | None:
    found = _VERSION_RE.search(ai_agent)
    return None if found is None else ".".join(found.groups())


def _questions(tool_input: Mapping[str, Any]) -> tuple[Question, ...]:
    raw = tool_input.get("questions")
    if not isinstance(raw, list):
        return ()
    questions: list[Question] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            return ()  # one unreadable question: answer none of them
        options = item.get("options")
        labels = tuple(
            o["label"]
            for o in (options if isinstance(options, list) else [])
            if isinstance(o, dict) and isinstance(o.get("label"), str)
        )
        header = item.get("header")
        questions.append(
            Question(
                text=item["question"],
                header=header if isinstance(header, str) else "",
                options=labels,
                multi_select=item.get("multiSelect") is True,
            )
        )
    return tuple(questions)


def _prompt(tool: str, tool_input: Mapping[str, Any], questions: tuple[Question, ...]) -> Prompt:
    """The Prompt the screen parser would read for this tool call (without options)."""
    kind = PromptKind.OTHER
    name = tool
    target: str | None = None
    description: str | None = None
    question: str | None = None
    if tool == _QUESTION_TOOL:
        kind = PromptKind.QUESTION
        question = questions[0].text if questions else None
    elif tool == _PLAN_TOOL:
        kind = PromptKind.PLAN_APPROVAL
    elif tool.startswith(_MCP_PREFIX):
        kind = PromptKind.TOOL_PERMISSION
    elif tool in _TARGET_KEYS:
        kind = PromptKind.TOOL_PERMISSION
        name, key = _TARGET_KEYS[tool]
        target = _text(tool_input.get(key))
        if tool == "Bash":
            description = _text(tool_input.get("description"))
    parts = ["hook", kind.value, name, target or "", question or ""]
    fingerprint = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()
    return Prompt(
        kind=kind,
        tool=name,
        target=target,
        question=question,
        options=(),
        highlighted=None,
        warning=None,
        fingerprint=fingerprint,
        description=description,
    )
