"""What a coding agent's screen says, independent of which agent drew it.

A parser turns the text of a tmux pane into an :class:`AgentScreen`. These values are what the
policy and the monitor consume; they never hold a reference to tmux or to the raw capture.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from yesman.agents._tools import ToolKind

__all__ = [
    "AgentScreen",
    "Option",
    "PermissionMode",
    "Prompt",
    "PromptKind",
    "ScreenParser",
    "ScreenState",
]


class ScreenState(StrEnum):
    """What the agent in the pane is doing right now."""

    WAITING = "waiting"  # a dialog waits for an answer
    BUSY = "busy"  # working: spinner, "esc to interrupt"
    IDLE = "idle"  # input box ready for the human
    ERROR = "error"  # API error, usage limit, login needed ...
    UNKNOWN = "unknown"  # nothing recognised (another program, garbage, half-drawn screen)


class PermissionMode(StrEnum):
    """How the agent treats permission dialogs itself, when it says so on screen.

    In every mode but the default the agent answers some or all dialogs on its own, so a watcher
    sees fewer of them (in AUTO and BYPASS, none at all).
    """

    AUTO = "auto"  # a classifier answers dialogs
    BYPASS = "bypass"  # permission checks are off
    ACCEPT_EDITS = "accept_edits"  # file edits are approved without a dialog
    PLAN = "plan"  # plan mode: the agent proposes, nothing runs


class PromptKind(StrEnum):
    """Which kind of dialog waits; the policy treats each kind differently."""

    TOOL_PERMISSION = "tool_permission"
    TRUST_FOLDER = "trust_folder"
    API_KEY = "api_key"
    QUESTION = "question"  # AskUserQuestion: meant for the human
    PLAN_APPROVAL = "plan_approval"
    MCP_SERVER = "mcp_server"
    USAGE_LIMIT = "usage_limit"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Option:
    """One numbered choice of a dialog, its text joined across wrapped lines."""

    number: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text}


@dataclass(frozen=True, slots=True)
class Prompt:
    """The live dialog at the bottom of the screen.

    ``fingerprint`` is derived from kind, tool, target, question, options and warning only: the
    same dialog redrawn (or with the highlight moved by a human) keeps its fingerprint, the next
    different dialog gets a new one. The same command asked twice in a row yields the same
    fingerprint by design; the monitor tells those apart by its own bookkeeping (it saw the dialog
    go away in between).

    ``span`` is the (first, last) index of the dialog's lines in the cleaned screen the parser
    read, for tools that want to show which lines matched. ``numbered`` is False for menus drawn
    without digits (typing a digit there selects nothing). ``target_lines`` are the target's
    physical screen lines before joining, for analyses that must not trust the joining.
    ``tool_kind`` is the canonical kind of ``tool`` (shell, write, edit ...) as the agent that
    drew the dialog maps its tool names, None for dialogs that are no tool call or for tools
    the agent's table does not know.
    """

    kind: PromptKind
    tool: str | None
    target: str | None
    question: str | None
    options: tuple[Option, ...]
    highlighted: int | None
    warning: str | None
    fingerprint: str
    description: str | None = None
    span: tuple[int, int] = (0, 0)
    numbered: bool = True
    target_lines: tuple[str, ...] = ()
    tool_kind: ToolKind | None = None

    def option(self, number: int) -> Option | None:
        """The option with this number, if the dialog has one."""
        for option in self.options:
            if option.number == number:
                return option
        return None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape ``yesman explain --json`` prints."""
        return {
            "kind": self.kind.value,
            "tool": self.tool,
            "target": self.target,
            "question": self.question,
            "options": [option.as_dict() for option in self.options],
            "highlighted": self.highlighted,
            "warning": self.warning,
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True, slots=True)
class AgentScreen:
    """How a parser read one capture: the state and, when waiting, the prompt.

    ``detail`` is a short human-readable note on why this state was chosen (the error line, the
    spinner text ...), or None. ``mode`` is the permission mode the screen shows (its footer), or
    None when it shows none (the default mode, or a screen that hides the footer, like a dialog).
    """

    state: ScreenState
    prompt: Prompt | None = None
    detail: str | None = None
    mode: PermissionMode | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state.value,
            "prompt": None if self.prompt is None else self.prompt.as_dict(),
            "mode": None if self.mode is None else self.mode.value,
        }


class ScreenParser(Protocol):
    """The seam between capturing a pane and understanding it."""

    def __call__(self, text: str, /) -> AgentScreen: ...
