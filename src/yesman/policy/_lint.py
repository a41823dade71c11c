"""Warnings about a policy file that loads but probably does not do what its author meant.

Errors (`PolicyError`) stop a policy from loading; these do not. Each names the file and the
line (found by scanning the text, see `_lines`), so `yesman` can print them the way compilers do:

    policy.toml:12: warning: rule 'bash' names an unknown tool 'Bsh' (did you mean 'Bash'?) ...

What is checked: an empty file or one without rules; a tool name Claude Code does not use; a rule
that picks "don't ask again"; a rule that answers a tool (or every dialog) whatever the command
or path; a rule that answers file writes outside the project (a `path` glob naming an absolute,
`~` or `..` place, or any write rule while the outside-project guard is off); a rule an earlier
catch-all rule or a guard makes unreachable; a guard switched off. The guard check is a
heuristic: a `command` pattern that starts with literal text the guard always holds (`^sudo `,
`^python3 -c`) is reported.

Each warning carries a stable `code` (the `WarningCode` values) so tools can group them.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from yesman.policy._commands import analyse_command
from yesman.policy._decision import Action
from yesman.policy._lines import SourceLines
from yesman.policy._rules import Rule, tool_key

__all__ = ["KNOWN_TOOLS", "PolicyWarning", "WarningCode", "lint_policy"]

# Tool names as Claude Code's permission settings and dialogs spell them.
KNOWN_TOOLS: Final = (
    "AskUserQuestion",
    "Bash",
    "BashOutput",
    "Edit",
    "ExitPlanMode",
    "Fetch",
    "Glob",
    "Grep",
    "KillShell",
    "LS",
    "MCP",
    "MultiEdit",
    "NotebookEdit",
    "Read",
    "SlashCommand",
    "Task",
    "TodoWrite",
    "WebFetch",
    "WebSearch",
    "Write",
)
_KNOWN_KEYS: Final = frozenset(tool_key(t) for t in KNOWN_TOOLS)
# Literal text at the start of a pattern: ends at the first regex metacharacter.
_LITERAL_RE: Final = re.compile(r"(?:[^\\.^$*+?()\[\]{}|]|\\[ ./\-])*")
# Stand-ins for the folders the guard resolves paths against; none of them exists.
_NO_PROJECT: Final = "/nonexistent/project"
_NO_HOME: Final = "/nonexistent/home"
_WRITE_TOOLS: Final = frozenset({"write", "edit", "multiedit", "notebookedit"})


class WarningCode(StrEnum):
    """What kind of problem a warning is about."""

    EMPTY = "empty"  # no file, or no rules: everything is held
    UNKNOWN_TOOL = "unknown-tool"
    ALWAYS_OPTION = "always-option"  # picks "Yes, and don't ask again" (or an option number)
    ANY_INPUT = "any-input"  # answers a tool, or every dialog, whatever the command or path
    WRITES_OUTSIDE = "writes-outside"  # answers file writes outside the project
    UNREACHABLE = "unreachable"  # an earlier rule or a guard decides first
    GUARD_OFF = "guard-off"


_Warn = Callable[[WarningCode, int | None, str], None]


@dataclass(frozen=True, slots=True)
class PolicyWarning:
    """One lint finding: where it is (file, 1-based line or None), what is wrong, its code."""

    file: str
    line: int | None
    message: str
    code: WarningCode

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: warning: {self.message}"


def lint_policy(
    source: str,
    text: str,
    data: Mapping[str, Any],
    rules: tuple[Rule, ...],
    lines: SourceLines,
) -> tuple[PolicyWarning, ...]:
    """Every warning for one parsed policy, in file order."""
    found: list[PolicyWarning] = []

    def warn(code: WarningCode, line: int | None, message: str) -> None:
        found.append(PolicyWarning(source, line, message, code))

    if not text.strip():
        warn(
            WarningCode.EMPTY,
            1,
            "the policy file is empty: no dialog is ever answered, every one is held",
        )
    elif not rules:
        warn(
            WarningCode.EMPTY,
            1,
            "the policy has no [[rules]]: no dialog is ever answered, every one is held",
        )
    writes_unguarded = _guards_off(data, lines, warn)
    raw_rules = data.get("rules", [])
    for index, rule in enumerate(rules):
        raw = raw_rules[index]
        _rule(index, rule, raw, rules[:index], lines, warn)
        _writes_outside(index, rule, writes_unguarded, lines, warn)
    return tuple(sorted(found, key=lambda w: w.line or 0))


def _guards_off(data: Mapping[str, Any], lines: SourceLines, warn: _Warn) -> bool:
    """Warn about each guard switched off; True when the outside-project guard is off anywhere."""
    outside_off = False
    tables: list[tuple[str, Mapping[str, Any]]] = [("guards", data.get("guards", {}))]
    for pattern, session in data.get("sessions", {}).items():
        tables.append((f'sessions."{pattern}".guards', session.get("guards", {})))
    for where, table in tables:
        for key, value in table.items():
            if value == "off":
                line = lines.table_key(where, key) or lines.table_key("guards", key)
                what = "dangerous commands" if key == "dangerous_commands" else "file changes"
                outside_off = outside_off or key == "outside_project"
                warn(
                    WarningCode.GUARD_OFF,
                    line,
                    f'{where}.{key} = "off": the guard is switched off, so {what} go to the '
                    "rules, and a rule that answers the tool answers them too",
                )
    return outside_off


def _rule(  # noqa: PLR0917 - one call site, each argument a different thing
    index: int,
    rule: Rule,
    raw: Mapping[str, Any],
    earlier: tuple[Rule, ...],
    lines: SourceLines,
    warn: _Warn,
) -> None:
    name = rule.name
    tools_raw = raw.get("tool")
    tools = [tools_raw] if isinstance(tools_raw, str) else list(tools_raw or [])
    for tool in tools:
        if tool_key(tool) in _KNOWN_KEYS or tool.lower().startswith("mcp__"):
            continue
        close = difflib.get_close_matches(tool, KNOWN_TOOLS, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        warn(
            WarningCode.UNKNOWN_TOOL,
            lines.rule_key(index, "tool"),
            f"rule {name!r} names an unknown tool {tool!r}{hint}, so it never matches it; "
            f"known tools: {', '.join(KNOWN_TOOLS)}",
        )
    answers = rule.action is Action.ANSWER
    if answers and rule.option == "always":
        warn(
            WarningCode.ALWAYS_OPTION,
            lines.rule_key(index, "option"),
            f'rule {name!r} picks "Yes, and don\'t ask again" (option = "always"): Claude Code '
            "then stops asking, so neither you nor yesman's guards see those commands again",
        )
    elif answers and isinstance(rule.option, int) and rule.option >= 2 and _may_be_tool(rule):
        warn(
            WarningCode.ALWAYS_OPTION,
            lines.rule_key(index, "option"),
            f"rule {name!r} picks option {rule.option}, which in a tool permission dialog is "
            'usually "Yes, and don\'t ask again"; option = "yes" picks plain Yes by its text',
        )
    unconditional = rule.command is None and rule.target is None and rule.paths is None
    if answers and unconditional and rule.tools is not None:
        shown = ", ".join(tools)
        warn(
            WarningCode.ANY_INPUT,
            lines.rule_key(index, "tool"),
            f"rule {name!r} answers every {shown} dialog whatever its command or path; only the "
            "guards stand between it and Claude (add command, target or path to narrow it)",
        )
    elif answers and unconditional and rule.kinds is None and rule.tools is None:
        warn(
            WarningCode.ANY_INPUT,
            lines.rule(index),
            f"rule {name!r} answers every dialog of every kind (folder trust, API keys, "
            "questions meant for you ...); add kind to narrow it",
        )
    for before in earlier:
        if _covers(before, rule):
            warn(
                WarningCode.UNREACHABLE,
                lines.rule(index),
                f"rule {name!r} is unreachable: rule {before.name!r} before it matches every "
                "dialog it would match",
            )
            break
    if rule.command is not None:
        held = _guard_holds(rule.command.pattern)
        if held is not None:
            warn(
                WarningCode.UNREACHABLE,
                lines.rule_key(index, "command"),
                f"rule {name!r} is unreachable for the commands it names: the dangerous-command "
                f"guard holds {held!r} before any rule runs",
            )


def _writes_outside(
    index: int, rule: Rule, unguarded: bool, lines: SourceLines, warn: _Warn
) -> None:
    """A rule that answers Write/Edit for paths outside the project."""
    if rule.action is not Action.ANSWER or rule.command is not None or not _may_be_tool(rule):
        return
    if rule.tools is not None and not _WRITE_TOOLS & set(rule.tools):
        return
    name = rule.name
    if unguarded and (rule.paths is None or any(_glob_reaches_out(g) for g in rule.paths)):
        warn(
            WarningCode.WRITES_OUTSIDE,
            lines.rule_key(index, "path") or lines.rule(index),
            f"rule {name!r} answers file writes outside the project: the outside_project guard "
            "is off, and nothing in the rule keeps the path inside (a glob matches `..` and "
            "absolute paths too)",
        )
        return
    outside = [g for g in rule.paths or () if _names_outside(g)]
    if outside:
        warn(
            WarningCode.WRITES_OUTSIDE,
            lines.rule_key(index, "path"),
            f"rule {name!r} answers file writes to {outside[0]!r}, which is not a path inside "
            "the project; only the outside_project guard still holds such writes",
        )


def _names_outside(glob: str) -> bool:
    """An absolute glob (`~` is expanded when the file loads) or one that climbs out with `..`."""
    return os.path.isabs(glob) or glob == ".." or glob.startswith("../") or "/../" in glob


def _glob_reaches_out(glob: str) -> bool:
    """Whether the glob can match a path outside the project: wildcards match `/` and `..`."""
    return _names_outside(glob) or any(c in glob for c in "*?[")


def _may_be_tool(rule: Rule) -> bool:
    from yesman.agents import PromptKind  # noqa: PLC0415 - only needed for this check

    return rule.tools is not None or rule.kinds is None or PromptKind.TOOL_PERMISSION in rule.kinds


def _covers(before: Rule, rule: Rule) -> bool:
    """`before` matches every dialog `rule` matches (it only filters by kind and tool)."""
    if any(
        x is not None
        for x in (before.command, before.target, before.paths, before.sessions, before.agents)
    ):
        return False
    if before.kinds is not None and (
        rule.kinds is None or not set(rule.kinds) <= set(before.kinds)
    ):
        return False
    return before.tools is None or (rule.tools is not None and set(rule.tools) <= set(before.tools))


def _guard_holds(pattern: str) -> str | None:
    """The literal command start the guard always holds, when the pattern begins with one."""
    if not pattern.startswith("^"):
        return None
    literal_match = _LITERAL_RE.match(pattern, 1)
    if literal_match is None:
        return None
    literal = re.sub(r"\\(.)", r"\1", literal_match.group(0))
    rest = pattern[literal_match.end() :]
    # The literal must end a word, or the rule may match a longer, harmless word.
    if not (literal.endswith(" ") or rest.startswith(("$", r"\s", r"\b", " ")) or not rest):
        return None
    command = literal.strip()
    if not command:
        return None
    for probe in (command, f"{command} x"):
        if not analyse_command(probe, _NO_PROJECT, _NO_HOME).dangerous:
            return None
    if not rest and not literal.endswith(" "):
        # `^rm -rf /` also matches `rm -rf /home/...`: only a word end proves the whole command.
        return None
    return command
