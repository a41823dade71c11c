"""Policy rules that would have answered dialogs a human kept answering the same way.

Input: `HeldAnswer` records, one per dialog yesman held and a person then answered (the metric
history records them; a caller may build them from anywhere). Dialogs are grouped by kind, tool
and exact target; a group answered at least ``min_count`` times, always the same way, gets a
``[[rules]]`` entry matching exactly that target. Safety first:

* a Bash command the guards call dangerous is never suggested, whatever the human did (the
  guards run before rules anyway, so such a rule would do nothing but mislead);
* the rule is loaded with `yesman.policy.Policy.from_toml` and checked to match the target
  before it is offered; one that does not load or match is dropped;
* it answers "yes" (never "always"): one dialog at a time, as the person did.
"""

from __future__ import annotations

import enum
import fnmatch
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from yesman.baseline._suggestion import Suggestion, SuggestionKind
from yesman.policy import Action, Policy, PolicyError, analyse_command

__all__ = ["HeldAnswer", "HumanChoice", "suggest_policy_rules"]

_RE2_SPECIAL = frozenset(r"\.+*?()|[]{}^$")
_GLOB_SPECIAL = frozenset("*?[]")


class HumanChoice(enum.Enum):
    YES = "yes"
    NO = "no"


@dataclass(frozen=True, slots=True)
class HeldAnswer:
    """One held dialog and what the person chose."""

    prompt_kind: str
    tool: str
    target: str
    choice: HumanChoice
    session: str = ""


def _re2_literal(text: str) -> str:
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in text)


def _glob_literal(text: str) -> str:
    return "".join(f"[{ch}]" if ch in _GLOB_SPECIAL else ch for ch in text)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "dialog"


def _toml_rule(name: str, kind: str, tool: str, target: str, *, choice: HumanChoice, n: int) -> str:
    lines = ["[[rules]]", f"name = {json.dumps(name)}", f"kind = {json.dumps(kind)}"]
    if tool:
        lines.append(f"tool = {json.dumps(tool)}")
    if target:
        if tool.lower() == "bash":
            lines.append(f"command = {json.dumps('^' + _re2_literal(target) + '$')}")
        elif tool.lower() in {"write", "edit", "read", "multiedit", "notebookedit"}:
            lines.append(f"path = {json.dumps(_glob_literal(target))}")
        else:
            lines.append(f"target = {json.dumps('^' + _re2_literal(target) + '$')}")
    if choice is HumanChoice.YES:
        lines += ['action = "answer"', 'option = "yes"']
    else:
        lines.append('action = "deny"')
    reason = f"held {n} times; a person answered {choice.value!r} every time (yesman suggest)"
    lines.append(f"reason = {json.dumps(reason)}")
    return "\n".join(lines) + "\n"


def _loads_and_matches(toml: str, target: str) -> bool:
    try:
        policy = Policy.from_toml("version = 1\n\n" + toml, source="<suggested rule>")
    except PolicyError:
        return False
    (rule,) = policy.rules
    if rule.command is not None and rule.command.search(target) is None:
        return False
    if rule.paths is not None and not any(fnmatch.fnmatchcase(target, g) for g in rule.paths):
        return False
    return rule.target is None or rule.target.search(target) is not None


def suggest_policy_rules(
    answers: Iterable[HeldAnswer], *, min_count: int = 5, project_dir: str | None = None
) -> list[Suggestion]:
    """A rule per (kind, tool, target) a person answered the same way ``min_count`` times."""
    groups: dict[tuple[str, str, str], Counter[HumanChoice]] = defaultdict(Counter)
    for a in answers:
        groups[(a.prompt_kind, a.tool, a.target)][a.choice] += 1
    out: list[Suggestion] = []
    names: set[str] = set()
    for (kind, tool, target), choices in groups.items():
        if len(choices) != 1:
            continue  # the person answered both ways: a person should keep deciding
        ((choice, n),) = choices.items()
        if n < min_count:
            continue
        if tool.lower() == "bash" and target:
            verdict = analyse_command(target, project_dir)
            if verdict.dangerous:
                continue  # never suggested: the guards hold it, and should
        verb = "answer" if choice is HumanChoice.YES else Action.DENY.value
        name = f"{verb}-{_slug(tool or kind)}-{_slug(target)}"
        while name in names:
            name += "-x"
        names.add(name)
        toml = _toml_rule(name, kind, tool, target, choice=choice, n=n)
        if not _loads_and_matches(toml, target):
            continue
        out.append(
            Suggestion(
                kind=SuggestionKind.POLICY_RULE,
                title=f"a rule for {tool or kind} {target!r}",
                evidence=(
                    f"yesman held {n} {kind} dialogs for {tool or kind} {target!r}; a person "
                    f"answered {choice.value!r} each time",
                ),
                change="add to your policy file, before the rule that holds them:\n" + toml,
                expected_effect=(
                    f"those dialogs answered {choice.value!r} in milliseconds instead of "
                    "waiting for a person; the safety guards still run first"
                ),
            )
        )
    return out
