"""Read a TOML policy file into rules, strictly.

Unknown keys are errors, not ignored: a typo in a safety setting must not silently fall back to
something else. Every error names the file, the key (and the line of the rule when it can be
found) and what was expected.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from yesman._errors import YesmanError
from yesman.agents import PromptKind
from yesman.policy._decision import Action
from yesman.policy._lines import SourceLines
from yesman.policy._lint import PolicyWarning, lint_policy
from yesman.policy._patterns import Matcher, UserPatternError, compile_user_pattern
from yesman.policy._rules import Guards, Rule, SessionOverride, tool_key

__all__ = ["PolicyConfig", "PolicyError", "parse_policy"]

_TOP_KEYS: Final = frozenset({"version", "dry_run", "guards", "sessions", "rules"})
_RULE_KEYS: Final = frozenset(
    {
        "name",
        "action",
        "kind",
        "tool",
        "command",
        "target",
        "path",
        "session",
        "option",
        "reason",
        "agent",
        "answers",
    }
)
_GUARD_KEYS: Final = frozenset({"dangerous_commands", "outside_project"})
_SESSION_KEYS: Final = frozenset({"dry_run", "guards"})


class PolicyError(YesmanError, ValueError):
    """A policy file that cannot be used; the message says where and what was expected."""


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    rules: tuple[Rule, ...]
    guards: Guards
    sessions: tuple[SessionOverride, ...]
    dry_run: bool
    source: str
    warnings: tuple[PolicyWarning, ...] = ()


def parse_policy(text: str, source: str) -> PolicyConfig:
    """Parse policy TOML; `source` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy file {source}: invalid TOML: {exc}") from exc
    parser = _Parser(source, text)
    config = parser.top(data)
    warnings = lint_policy(source, text, data, config.rules, parser.lines)
    return PolicyConfig(
        config.rules, config.guards, config.sessions, config.dry_run, source, warnings
    )


class _Parser:
    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.lines = SourceLines(text)

    def fail(self, where: str, expected: str, got: object = None) -> PolicyError:
        tail = "" if got is None else f", got {got!r}"
        return PolicyError(f"policy file {self.source}: {where}: expected {expected}{tail}")

    def where_rule(self, index: int, key: str) -> str:
        n = self.lines.rule_key(index, key)
        return f"rules[{index}].{key}" + ("" if n is None else f" (line {n})")

    def top(self, data: Mapping[str, Any]) -> PolicyConfig:
        self.check_keys("top level", data, _TOP_KEYS)
        version = data.get("version", 1)
        if version != 1:
            raise self.fail("version", "1", version)
        dry_run = self.boolean("dry_run", data.get("dry_run", False))
        guards = self.guards("guards", data.get("guards", {}), Guards())
        sessions_raw = data.get("sessions", {})
        if not isinstance(sessions_raw, dict):
            raise self.fail("sessions", 'a table of [sessions."<glob>"] tables', sessions_raw)
        sessions = tuple(self.session(k, v, guards) for k, v in sessions_raw.items())
        rules_raw = data.get("rules", [])
        if not isinstance(rules_raw, list):
            raise self.fail("rules", "an array of [[rules]] tables", rules_raw)
        rules = tuple(self.rule(i, r) for i, r in enumerate(rules_raw))
        names = [r.name for r in rules]
        for name in names:
            if names.count(name) > 1:
                raise self.fail("rules", f"unique rule names (rule {name!r} appears twice)")
        return PolicyConfig(rules, guards, sessions, dry_run, self.source)

    def check_keys(self, where: str, table: Mapping[str, Any], allowed: frozenset[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(
                f"{where}: unknown key {unknown[0]!r}", "one of " + ", ".join(sorted(allowed))
            )

    def boolean(self, where: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, "true or false", value)
        return value

    def guards(self, where: str, value: object, base: Guards) -> Guards:
        if not isinstance(value, dict):
            raise self.fail(where, "a table", value)
        self.check_keys(where, value, _GUARD_KEYS)
        # "off" is Action.NONE: the guard does not run (a warning says so when it loads).
        allowed = {"hold": Action.HOLD, "deny": Action.DENY, "off": Action.NONE}
        fields: dict[str, Action] = {}
        for key in _GUARD_KEYS:
            if key in value:
                if value[key] not in allowed:
                    line = self.lines.table_key(where, key) if where == "guards" else None
                    at = "" if line is None else f" (line {line})"
                    raise self.fail(f"{where}.{key}{at}", '"hold", "deny" or "off"', value[key])
                fields[key] = allowed[value[key]]
        return Guards(
            fields.get("dangerous_commands", base.dangerous_commands),
            fields.get("outside_project", base.outside_project),
        )

    def session(self, pattern: str, value: object, base: Guards) -> SessionOverride:
        where = f"sessions.{pattern!r}"
        if not isinstance(value, dict):
            raise self.fail(where, "a table", value)
        self.check_keys(where, value, _SESSION_KEYS)
        dry_run = self.boolean(f"{where}.dry_run", value["dry_run"]) if "dry_run" in value else None
        guards = (
            self.guards(f"{where}.guards", value["guards"], base) if "guards" in value else None
        )
        return SessionOverride(pattern, dry_run, guards)

    def rule(self, index: int, raw: object) -> Rule:
        if not isinstance(raw, dict):
            raise self.fail(f"rules[{index}]", "a table", raw)
        unknown = sorted(set(raw) - _RULE_KEYS)
        if unknown:
            raise self.fail(
                f"{self.where_rule(index, unknown[0])}: unknown key {unknown[0]!r}",
                "one of " + ", ".join(sorted(_RULE_KEYS)),
            )
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            raise self.fail(self.where_rule(index, "name"), "a non-empty string", name)
        actions = {a.value: a for a in Action}
        action_raw = raw.get("action")
        if action_raw not in actions:
            raise self.fail(
                self.where_rule(index, "action"), "one of " + ", ".join(actions), action_raw
            )
        kinds_raw = self.strings(index, "kind", raw.get("kind"))
        kinds = None
        if kinds_raw is not None:
            valid = {k.value: k for k in PromptKind}
            for k in kinds_raw:
                if k not in valid:
                    raise self.fail(self.where_rule(index, "kind"), "one of " + ", ".join(valid), k)
            kinds = tuple(valid[k] for k in kinds_raw)
        tools = self.strings(index, "tool", raw.get("tool"))
        paths = self.strings(index, "path", raw.get("path"))
        sessions = self.strings(index, "session", raw.get("session"))
        agents = self.strings(index, "agent", raw.get("agent"))
        option = raw.get("option", "yes")
        if not (option in ("yes", "always") or (type(option) is int and 1 <= option <= 9)):
            raise self.fail(
                self.where_rule(index, "option"), '"yes", "always" or a number 1-9', option
            )
        reason = raw.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise self.fail(self.where_rule(index, "reason"), "a string", reason)
        answers = self.answers(index, raw, kinds, actions[action_raw])
        return Rule(
            name=name,
            action=actions[action_raw],
            kinds=kinds,
            tools=None if tools is None else tuple(tool_key(t) for t in tools),
            command=self.regex(index, name, "command", raw.get("command")),
            target=self.regex(index, name, "target", raw.get("target")),
            paths=None if paths is None else tuple(os.path.expanduser(g) for g in paths),
            sessions=sessions,
            option=option,
            reason=reason,
            agents=None if agents is None else tuple(a.lower() for a in agents),
            answers=answers,
        )

    def answers(
        self,
        index: int,
        raw: Mapping[str, Any],
        kinds: tuple[PromptKind, ...] | None,
        action: Action,
    ) -> tuple[tuple[str, tuple[str, ...]], ...] | None:
        """`answers = { "<question glob>" = "<label>" or ["<label>", ...] }`: only on a rule
        that answers questions and nothing else, so a pre-set answer never reaches a tool."""
        value = raw.get("answers")
        if value is None:
            return None
        where = self.where_rule(index, "answers")
        if kinds != (PromptKind.QUESTION,) or action is not Action.ANSWER:
            raise self.fail(where, 'a rule with kind = "question" and action = "answer"')
        if not isinstance(value, dict) or not value:
            raise self.fail(where, 'a table of "<question glob>" = "<label>" entries', value)
        parsed: list[tuple[str, tuple[str, ...]]] = []
        for pattern, labels in value.items():
            if isinstance(labels, str) and labels:
                parsed.append((pattern, (labels,)))
            elif (
                isinstance(labels, list)
                and labels
                and all(isinstance(x, str) and x for x in labels)
            ):
                parsed.append((pattern, tuple(labels)))
            else:
                raise self.fail(
                    f"{where} [{pattern!r}]", "a label or a list of labels (non-empty)", labels
                )
        return tuple(parsed)

    def strings(self, index: int, key: str, value: object) -> tuple[str, ...] | None:
        if value is None:
            return None
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise self.fail(self.where_rule(index, key), "a string or a list of strings", value)

    def regex(self, index: int, name: str, key: str, value: object) -> Matcher | None:
        if value is None:
            return None
        where = f"{self.where_rule(index, key)} of rule {name!r}"
        if not isinstance(value, str):
            raise self.fail(where, "a regular expression string", value)
        try:
            return compile_user_pattern(value)
        except UserPatternError as exc:
            raise self.fail(where, f"an RE2 regular expression ({exc})", value) from exc
