"""Codex CLI's ``PermissionRequest`` hook: its input, its output, and where it is installed.

Codex runs the hook in its approval path, before it draws an approval dialog, with JSON on
stdin (measured on 0.171.0 against the API stand-in)::

    {"session_id": ..., "turn_id": ..., "transcript_path": ..., "cwd": "/home/me/app",
     "hook_event_name": "PermissionRequest", "model": "gpt-5.4", "permission_mode": "default",
     "tool_name": "Bash",
     "tool_input": {"command": "mkdir -p build", "description": "<the model's justification>"}}

A command approval (``exec_command`` asking to leave the sandbox) arrives as ``Bash`` with the
command; a patch approval (a file outside the writable roots) as ``apply_patch`` with the whole
patch in ``tool_input.command``; Codex also sends its network approvals as ``Bash``, with the
command that wanted the network. The hook inherits the agent's environment (``TMUX``,
``TMUX_PANE``, ``CODEX_HOME``, ``CODEX_MANAGED_PACKAGE_ROOT`` for npm installs); no variable
names the project or the version, so the project is the request's ``cwd`` and the version is
left to the watcher, which reads it from the process.

Codex takes::

    {"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                            "decision": {"behavior": "allow"}}}

or ``"behavior": "deny"`` with a ``"message"``, which the model receives as the tool's failure
(``Rejected("<message>")``); exit status 2 with a reason on stderr denies as well. It *refuses*
``updatedInput``, ``updatedPermissions`` and ``"interrupt": true`` ("Hook failed ... unsupported
updatedInput", and the dialog is drawn), so yesman never writes them, and a question cannot be
answered through this hook. No output, other JSON, any other exit status or a timeout: Codex
draws its dialog for the human. No dialog is drawn while the hook runs.

The hook is installed in ``hooks.json`` beside a config layer, under ``hooks.PermissionRequest``
as a matcher group ``{"matcher": "*", "hooks": [{"type": "command", "command": ..., "timeout":
...}]}``: user scope ``$CODEX_HOME/hooks.json`` (``~/.codex/hooks.json`` when ``CODEX_HOME`` is
not set), project scope ``<project>/.codex/hooks.json`` (read only in a project Codex trusts).
Codex has no per-user file inside a project, so there is no local scope. The file may hold only
``hooks`` and ``description`` at its top (Codex ignores a file with anything else), so yesman
refuses to add itself to one that has more.

Codex runs a hook that is new or changed only once the user has trusted it (see
``_hook_trust``). Its trust is keyed by the entry's place in the file (``<file>:permission_request
:<group>:<handler>``), so yesman appends its group after the user's own and updates it where it
stands, and never moves the user's entries.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from yesman.agents._hook import (
    HookBehavior,
    HookScope,
    HookSettingsError,
    HookVerdict,
    InstalledHook,
    ToolRequest,
)
from yesman.agents._hook_groups import (
    add_entry,
    drop_entries,
    event_groups,
    yesman_entries,
)
from yesman.agents._screen import Prompt, PromptKind
from yesman.agents._tools import ToolKind
from yesman.agents.codex._hook_trust import pending_step as _pending_step
from yesman.agents.codex._tools import tool_kind

__all__ = ["CODEX_HOOK", "CodexHook", "patch_paths"]

_EVENT: Final = "PermissionRequest"
_AGENT: Final = "codex"
_FILE: Final = "hooks.json"
_TOP_KEYS: Final = frozenset({"hooks", "description"})
# Codex's command tools, which its screen parser calls "exec" (the dialog names no tool): a rule,
# and the match of a hook request to the dialog on screen, then read alike on both channels.
_EXEC_TOOLS: Final = frozenset({"bash", "exec_command", "shell", "shell_command", "local_shell"})
_PATCH_MARKERS: Final = (
    "*** Add File: ",
    "*** Update File: ",
    "*** Delete File: ",
    "*** Move to: ",
)


class CodexHook:
    """Codex CLI's side of the hook channel (see the module docstring).

    ``environ`` is where ``CODEX_HOME`` is looked up (None: this process's environment, read at
    each call).
    """

    __slots__ = ("_environ",)

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = environ

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
        cwd = _text(payload.get("cwd"))
        return ToolRequest(
            agent=_AGENT,
            tool=tool,
            tool_input=tool_input,
            prompt=_prompt(tool, tool_input, cwd),
            cwd=cwd,
            project_dir=cwd,
            session_id=_text(payload.get("session_id")),
            permission_mode=_text(payload.get("permission_mode")),
        )

    # -- output

    def render(self, request: ToolRequest, verdict: HookVerdict) -> str:
        if verdict.answers:
            return ""  # Codex refuses updatedInput: a question stays for the human
        decision: dict[str, Any] = {"behavior": verdict.behavior.value}
        if verdict.behavior is HookBehavior.DENY:
            decision["message"] = verdict.message or "denied by yesman's policy"
        output = {"hookSpecificOutput": {"hookEventName": _EVENT, "decision": decision}}
        return json.dumps(output, ensure_ascii=False)

    # -- settings

    def settings_file(self, scope: HookScope, *, home: Path, project: Path) -> Path:
        if scope is HookScope.USER:
            return self.codex_home(home) / _FILE
        if scope is HookScope.PROJECT:
            return project / ".codex" / _FILE
        raise HookSettingsError(
            "Codex has no per-user hooks file inside a project; use --scope project "
            f"({project / '.codex' / _FILE}, shared) or --scope user"
        )

    def codex_home(self, home: Path) -> Path:
        """Codex's own folder: ``$CODEX_HOME``, else ``~/.codex``."""
        environ = os.environ if self._environ is None else self._environ
        given = environ.get("CODEX_HOME", "")
        return Path(given).absolute() if given else home / ".codex"

    def install(self, settings: Mapping[str, Any], command: str, timeout: int) -> dict[str, Any]:
        doc = copy.deepcopy(dict(settings))
        groups = _groups(doc, create=True)
        assert groups is not None
        add_entry(groups, {"type": "command", "command": command, "timeout": timeout})
        return doc

    def uninstall(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        doc = copy.deepcopy(dict(settings))
        groups = _groups(doc)
        if groups is None:
            return doc
        kept_groups = drop_entries(groups)
        if kept_groups:
            doc["hooks"][_EVENT] = kept_groups
        else:
            del doc["hooks"][_EVENT]  # "hooks" itself stays: Codex's file is about it
        return doc

    def find(self, settings: Mapping[str, Any]) -> tuple[InstalledHook, ...]:
        return tuple(hook for _, _, hook in _ours(settings))

    def pending_step(
        self, path: Path, settings: Mapping[str, Any], *, home: Path, changed: bool = False
    ) -> str | None:
        places = [(g, h) for g, h, _ in _ours(settings)]
        if not places:
            return None
        codex_home = self.codex_home(home)
        return _pending_step(
            path, places, codex_home=codex_home, user_file=codex_home / _FILE, changed=changed
        )


CODEX_HOOK: Final = CodexHook()


def patch_paths(patch: str, cwd: str | None) -> tuple[str, ...]:
    """The files an ``apply_patch`` patch adds, changes, deletes or moves to, in order, each
    once; relative paths are taken from ``cwd`` (as Codex does) when it is absolute."""
    found: list[str] = []
    for line in patch.splitlines():
        for marker in _PATCH_MARKERS:
            if line.startswith(marker):
                path = line[len(marker) :].strip()
                if path and cwd and os.path.isabs(cwd) and not os.path.isabs(path):
                    path = os.path.normpath(os.path.join(cwd, path))
                if path and path not in found:
                    found.append(path)
    return tuple(found)


def _prompt(tool: str, tool_input: Mapping[str, Any], cwd: str | None) -> Prompt:
    """The Prompt the screen parser would read for this request (without options)."""
    kind = tool_kind(tool)
    name = "exec" if tool.lower() in _EXEC_TOOLS else tool
    prompt_kind = PromptKind.OTHER
    target: str | None = None
    description: str | None = None
    if kind is ToolKind.SHELL:
        prompt_kind = PromptKind.TOOL_PERMISSION
        target = _command(tool_input.get("command", tool_input.get("cmd")))
        description = _text(tool_input.get("description"))
    elif kind is ToolKind.EDIT:
        prompt_kind = PromptKind.TOOL_PERMISSION
        patch = tool_input.get("command", tool_input.get("patch", tool_input.get("input")))
        paths = patch_paths(patch, cwd) if isinstance(patch, str) else ()
        # One file: its path, which the outside-project guard checks. Several (or none readable):
        # no single path to check, so the guard holds the request for a human.
        target = paths[0] if len(paths) == 1 else None
        if len(paths) > 1:
            description = "a patch to " + ", ".join(paths)
    elif kind is ToolKind.MCP:
        prompt_kind = PromptKind.TOOL_PERMISSION
    parts = ["hook", prompt_kind.value, name, target or ""]
    fingerprint = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()
    return Prompt(
        kind=prompt_kind,
        tool=name,
        target=target,
        question=None,
        options=(),
        highlighted=None,
        warning=None,
        fingerprint=fingerprint,
        description=description,
        tool_kind=kind,
    )


def _command(value: object) -> str | None:
    """A command as one line of shell: a string as it is, an argv joined with quoting."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, list) and value and all(isinstance(a, str) for a in value):
        return shlex.join(value)
    return None


def _groups(doc: dict[str, Any], *, create: bool = False) -> list[Any] | None:
    """The PermissionRequest groups (see `event_groups`); HookSettingsError too when the file
    has keys Codex does not read, so nothing is overwritten."""
    extra = sorted(set(doc) - _TOP_KEYS)
    if extra:
        raise HookSettingsError(
            f"{', '.join(repr(k) for k in extra)} at the top of the file is not something Codex "
            'reads there (only "hooks" and "description"), and Codex ignores such a file'
        )
    return event_groups(doc, _EVENT, create=create)


def _ours(settings: Mapping[str, Any]) -> list[tuple[int, int, InstalledHook]]:
    """yesman's entries with their places (group, handler), as Codex numbers them."""
    try:
        return yesman_entries(_groups(dict(settings)))
    except HookSettingsError:
        return []


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
