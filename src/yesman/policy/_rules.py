"""Policy rules: what a rule matches and which option an action picks.

A rule matches a prompt when every condition it sets holds (conditions it leaves out match
anything). Rules are tried in file order and the first match wins.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from typing import Final

from yesman.agents import Option, Prompt, PromptKind, ToolKind
from yesman.policy._decision import Action
from yesman.policy._patterns import Matcher

__all__ = ["Guards", "Rule", "SessionOverride", "pick_option", "prompt_tool_kind"]

# Options that answer for longer than this one dialog (Claude Code, Codex and Gemini CLI
# wordings: "don't ask again", "allow this host in the future", "Allow for this session" ...).
_ALWAYS_RE: Final = re.compile(
    r"(?i)don['’]t ask again|do not ask again|always|allow all|during this session|all future"
    r"|for this session|switch to|auto mode|accept edits|in the future|for this conversation"
    r"|for this turn|remember"
)
# How a plain "yes" begins: Claude Code and Codex say "Yes", Gemini CLI "Allow once".
_YES_RE: Final = re.compile(r"(?i)^(?:yes|allow)\b")
# Names a rule's `tool` may give for a Prompt without a canonical kind (built by hand, or by a
# parser that predates kinds): Claude Code's tool names.
_LEGACY_KINDS: Final = {
    "bash": ToolKind.SHELL,
    "write": ToolKind.WRITE,
    "edit": ToolKind.EDIT,
    "multiedit": ToolKind.EDIT,
    "notebookedit": ToolKind.EDIT,
}
# Names a user may write for the same tool: Claude Code's own tool name and the dialog header.
TOOL_ALIASES: Final = {"webfetch": "fetch", "askuserquestion": "question", "exitplanmode": "plan"}
_EXIT_RE: Final = re.compile(r"(?i)\bexit\b|\bquit\b")


@dataclass(frozen=True, slots=True)
class Rule:
    """One `[[rules]]` entry of a policy file."""

    name: str
    action: Action
    kinds: tuple[PromptKind, ...] | None = None
    tools: tuple[str, ...] | None = None  # lower-cased; agents' tool names or canonical kinds
    command: Matcher | None = None  # RE2, linear time (see _patterns)
    target: Matcher | None = None
    paths: tuple[str, ...] | None = None  # globs; `~` already expanded
    sessions: tuple[str, ...] | None = None  # globs
    option: str | int = "yes"  # "yes", "always" or an option number
    reason: str | None = None
    agents: tuple[str, ...] | None = None  # lower-cased agent names (``Agent.name``)
    # Pre-set answers to questions, given only through a hook: (question glob, labels).
    answers: tuple[tuple[str, tuple[str, ...]], ...] | None = None

    def matches(
        self, prompt: Prompt, session: str, project_dir: str | None, agent: str = ""
    ) -> bool:
        if self.kinds is not None and prompt.kind not in self.kinds:
            return False
        if self.agents is not None and agent.lower() not in self.agents:
            return False
        if self.tools is not None:
            kind = prompt_tool_kind(prompt)
            if tool_key(prompt.tool) not in self.tools and (
                kind is None or kind.value not in self.tools
            ):
                return False
        if self.sessions is not None and not any(
            fnmatch.fnmatchcase(session, g) for g in self.sessions
        ):
            return False
        target = prompt.target or ""
        if self.command is not None and (
            prompt_tool_kind(prompt) is not ToolKind.SHELL or self.command.search(target) is None
        ):
            return False
        if self.target is not None and self.target.search(target) is None:
            return False
        if self.paths is not None:
            if not target:
                return False
            full = _absolute(target, project_dir)
            candidates = {target} if full is None else {target, full}
            if not any(fnmatch.fnmatchcase(c, g) for c in candidates for g in self.paths):
                return False
        return True


@dataclass(frozen=True, slots=True)
class Guards:
    """What happens to dialogs the guards catch; guards run before any rule.

    Each is "hold" (the default, a human decides), "deny" (choose the "No" option) or "off"
    (Action.NONE: the guard does not run and its dialogs go to the rules).
    """

    dangerous_commands: Action = Action.HOLD
    outside_project: Action = Action.HOLD


@dataclass(frozen=True, slots=True)
class SessionOverride:
    """`[sessions."<glob>"]`: settings for tmux sessions whose name matches the glob."""

    pattern: str
    dry_run: bool | None = None
    guards: Guards | None = None

    def matches(self, session: str) -> bool:
        return fnmatch.fnmatchcase(session, self.pattern)


def pick_option(prompt: Prompt, action: Action, choice: str | int) -> Option | None:
    """The option an action chooses, or None when the dialog has no acceptable one.

    Never an option that exits the agent ("No, exit"), whatever the rule says, and no "No"
    that lasts beyond this dialog ("No, and block this host in the future").
    """
    candidates = [o for o in prompt.options if _EXIT_RE.search(o.text) is None]
    if action is Action.DENY:
        return next(
            (
                o
                for o in candidates
                if o.text.lower().startswith("no") and _ALWAYS_RE.search(o.text) is None
            ),
            None,
        )
    if isinstance(choice, int):
        return next((o for o in candidates if o.number == choice), None)
    yes = [o for o in candidates if _YES_RE.match(o.text)]
    if choice == "always":
        return next((o for o in yes if _ALWAYS_RE.search(o.text)), None)
    plain = [o for o in yes if _ALWAYS_RE.search(o.text) is None]
    exact = next((o for o in plain if o.text.rstrip(".").lower() == "yes"), None)
    return exact or (plain[0] if plain else None)


def prompt_tool_kind(prompt: Prompt) -> ToolKind | None:
    """The prompt's canonical tool kind; for a prompt without one, Claude Code's names."""
    if prompt.tool_kind is not None:
        return prompt.tool_kind
    return _LEGACY_KINDS.get((prompt.tool or "").lower())


def tool_key(tool: str | None) -> str:
    """How tool names compare: case-insensitive, aliases folded."""
    key = (tool or "").lower()
    return TOOL_ALIASES.get(key, key)


def _absolute(path: str, project_dir: str | None) -> str | None:
    if path.startswith("~"):
        return os.path.normpath(os.path.expanduser(path))
    if os.path.isabs(path):
        return os.path.normpath(path)
    if project_dir is None:
        return None
    return os.path.normpath(os.path.join(project_dir, path))
