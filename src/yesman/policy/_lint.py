"""Warnings about a policy file that loads but probably does not do what its author meant.

Errors (`PolicyError`) stop a policy from loading; these do not. Each names the file and the
line (found by scanning the text, see `_lines`), so `yesman` can print them the way compilers do:

    policy.toml:12: warning: rule 'bash' names an unknown tool 'Bsh' (did you mean 'Bash'?) ...

What is checked: an empty file or one without rules; a tool name Claude Code does not use; a rule
that picks "don't ask again"; a rule that answers a tool (or every dialog) whatever the command
or path; a rule an earlier catch-all rule or a guard makes unreachable; a guard switched off.
The guard check is a heuristic: a `command` pattern that starts with literal text the guard
always holds (`^sudo `, `^python3 -c`) is reported.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from yesman.policy._commands import analyse_command
from yesman.policy._decision import Action
from yesman.policy._lines import SourceLines
from yesman.policy._rules import Rule, tool_key

__all__ = ["KNOWN_TOOLS", "PolicyWarning", "lint_policy"]

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

_Warn = Callable[[int | None, str], None]


@dataclass(frozen=True, slots=True)
class PolicyWarning:
    """One lint finding: where it is (file, 1-based line or None) and what is wrong."""

    file: str
    line: int | None
    message: str

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

    def warn(line: int | None, message: str) -> None:
        found.append(PolicyWarning(source, line, message))

    if not text.strip():
        warn(1, "the policy file is empty: no dialog is ever answered, every one is held")
    elif not rules:
        warn(1, "the policy has no [[rules]]: no dialog is ever answered, every one is held")
    _guards_off(data, lines, warn)
    raw_rules = data.get("rules", [])
    for index, rule in enumerate(rules):
        raw = raw_rules[index]
        _rule(index, rule, raw, rules[:index], lines, warn)
    return tuple(sorted(found, key=lambda w: w.line or 0))


def _guards_off(data: Mapping[str, Any], lines: SourceLines, warn: _Warn) -> None:
    tables: list[tuple[str, Mapping[str, Any]]] = [("guards", data.get("guards", {}))]
    for pattern, session in data.get("sessions", {}).items():
        tables.append((f'sessions."{pattern}".guards', session.get("guards", {})))
    for where, table in tables:
        for key, value in table.items():
            if value == "off":
                line = lines.table_key(where, key) or lines.table_key("guards", key)
                what = "dangerous commands" if key == "dangerous_commands" else "file changes"
                warn(
                    line,
                    f'{where}.{key} = "off": the guard is switched off, so {what} go to the '
                    "rules, and a rule that answers the tool answers them too",
                )


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
            lines.rule_key(index, "tool"),
            f"rule {name!r} names an unknown tool {tool!r}{hint}, so it never matches it; "
            f"known tools: {', '.join(KNOWN_TOOLS)}",
        )
    answers = rule.action is Action.ANSWER
    if answers and rule.option == "always":
        warn(
            lines.rule_key(index, "option"),
            f'rule {name!r} picks "Yes, and don\'t ask again" (option = "always"): Claude Code '
            "then stops asking, so neither you nor yesman's guards see those commands again",
        )
    elif answers and isinstance(rule.option, int) and rule.option >= 2 and _may_be_tool(rule):
        warn(
            lines.rule_key(index, "option"),
            f"rule {name!r} picks option {rule.option}, which in a tool permission dialog is "
            'usually "Yes, and don\'t ask again"; option = "yes" picks plain Yes by its text',
        )
    unconditional = rule.command is None and rule.target is None and rule.paths is None
    if answers and unconditional and rule.tools is not None:
        shown = ", ".join(tools)
        warn(
            lines.rule_key(index, "tool"),
            f"rule {name!r} answers every {shown} dialog whatever its command or path; only the "
            "guards stand between it and Claude (add command, target or path to narrow it)",
        )
    elif answers and unconditional and rule.kinds is None and rule.tools is None:
        warn(
            lines.rule(index),
            f"rule {name!r} answers every dialog of every kind (folder trust, API keys, "
            "questions meant for you ...); add kind to narrow it",
        )
    for before in earlier:
        if _covers(before, rule):
            warn(
                lines.rule(index),
                f"rule {name!r} is unreachable: rule {before.name!r} before it matches every "
                "dialog it would match",
            )
            break
    if rule.command is not None:
        held = _guard_holds(rule.command.pattern)
        if held is not None:
            warn(
                lines.rule_key(index, "command"),
                f"rule {name!r} is unreachable for the commands it names: the dangerous-command "
                f"guard holds {held!r} before any rule runs",
            )


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
