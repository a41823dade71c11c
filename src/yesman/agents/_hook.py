"""The structured answer channel, seen from the agent layer: what a hook asks, what it is told.

Some agents run a command (a *hook*) whenever they are about to show a permission dialog, and
take an allow/deny answer from its output. The values here are agent-neutral:

* :class:`ToolRequest`: one permission request as a hook received it, the exact tool call, with
  the :class:`~yesman.agents.Prompt` the screen parser would have read for the same dialog (so
  one policy decides both channels);
* :class:`HookVerdict`: what yesman answers (allow, maybe with pre-set answers to questions, or
  deny with a message); no verdict at all leaves the dialog to the human;
* :class:`AgentHook`: what an agent's folder provides to take part (read its hook input, write
  its hook output, and find and edit the settings file that installs the hook).

Nothing here runs a hook or talks to a watcher; ``yesman.hooks`` does that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from yesman._errors import YesmanError
from yesman.agents._screen import Prompt

__all__ = [
    "AgentHook",
    "HookBehavior",
    "HookScope",
    "HookSettingsError",
    "HookVerdict",
    "InstalledHook",
    "Question",
    "ToolRequest",
]


@dataclass(frozen=True, slots=True)
class Question:
    """One question of a question-asking tool call (Claude Code's AskUserQuestion)."""

    text: str
    header: str
    options: tuple[str, ...]  # the option labels, in order
    multi_select: bool = False


@dataclass(frozen=True, slots=True)
class ToolRequest:
    """One permission request delivered by an agent's hook: the exact tool call.

    ``tool`` and ``tool_input`` are exactly what the agent sent (``tool_input`` must be treated
    as read-only). ``prompt`` is the dialog the screen parser would have read for this call, with
    no options (a hook answers allow/deny, not a menu number); the policy decides on it, so a rule
    means the same on both channels. ``questions`` is set for question-asking tools.
    ``project_dir`` is the agent's project folder as the agent states it (None: not stated).
    """

    agent: str
    tool: str
    tool_input: Mapping[str, Any]
    prompt: Prompt
    cwd: str | None = None
    project_dir: str | None = None
    session_id: str | None = None
    permission_mode: str | None = None
    agent_version: str | None = None
    questions: tuple[Question, ...] = ()

    def describe(self) -> str:
        """One line for logs: the tool and what it acts on."""
        subject = self.prompt.target or self.prompt.question or ""
        return f"{self.tool} {subject!r}" if subject else self.tool


class HookBehavior(StrEnum):
    """The two answers a permission hook gives."""

    ALLOW = "allow"
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class HookVerdict:
    """yesman's answer to one request. ``answers`` (question text, answer) only with ALLOW, for
    question-asking tools; ``message`` is what the agent's model is told on DENY."""

    behavior: HookBehavior
    message: str = ""
    answers: tuple[tuple[str, str], ...] = ()


class HookScope(StrEnum):
    """Which settings file a hook is installed in (the agent decides where each one lives)."""

    USER = "user"  # every project of this user
    PROJECT = "project"  # this project, shared with its other users (checked in)
    LOCAL = "local"  # this project, this user only (not checked in)


@dataclass(frozen=True, slots=True)
class InstalledHook:
    """A yesman hook found in a settings file: its command line and timeout (seconds)."""

    command: str
    timeout: float | None


class HookSettingsError(YesmanError, ValueError):
    """A settings document holds something other than expected where the hook goes; nothing
    of it is changed (the message names the key)."""


class AgentHook(Protocol):
    """What an agent's folder provides for the hook channel.

    ``parse`` reads the hook's input (the JSON the agent wrote to its stdin, already decoded, and
    the environment the agent gave it); it returns None for anything it does not recognise as a
    permission request, and never raises. ``render`` is the exact text to print for a verdict.
    ``settings_file`` says where a scope's settings live (:class:`HookSettingsError`, saying
    which scopes there are, for a scope the agent has no file for); ``install``/``uninstall``
    return a settings document with yesman's hook entry added (replacing an older one) or
    removed, and leave everything else as it was (:class:`HookSettingsError` when the document
    has something else where the hook goes); ``find`` lists yesman's entries in a document.
    ``pending_step`` says what the user must still do before the agent runs yesman's entry in
    the document saved at ``path`` (trust it, switch hooks on), None when nothing is known to be
    missing; ``changed``: yesman has just written that entry.
    """

    @property
    def event(self) -> str:
        """The hook event yesman handles (``PermissionRequest``)."""
        ...

    def parse(self, payload: object, env: Mapping[str, str]) -> ToolRequest | None: ...

    def render(self, request: ToolRequest, verdict: HookVerdict) -> str: ...

    def settings_file(self, scope: HookScope, *, home: Path, project: Path) -> Path: ...

    def install(
        self, settings: Mapping[str, Any], command: str, timeout: int
    ) -> dict[str, Any]: ...

    def uninstall(self, settings: Mapping[str, Any]) -> dict[str, Any]: ...

    def find(self, settings: Mapping[str, Any]) -> tuple[InstalledHook, ...]: ...

    def pending_step(
        self, path: Path, settings: Mapping[str, Any], *, home: Path, changed: bool = False
    ) -> str | None: ...
