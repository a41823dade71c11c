"""Acting on a hook's tool request: a verdict of the guards and rules, turned into a Decision.

A hook request has no menu: the agent takes "allow" or "deny" (and, for a question, the answers).
So, unlike on screen:

* ``answer`` allows the call once, whatever the rule's ``option`` says among "yes" and "always"
  (yesman never grants "don't ask again" through a hook); a rule that names an option by number
  holds, since that number only means something in a drawn menu;
* ``deny`` denies it, with the rule's reason as the message the agent's model is told;
* a question is answered only by an ``answer`` rule with pre-set ``answers`` that cover every
  question asked, each with one of the labels offered (several for a multi-select question);
  otherwise it is held for the human, as on screen.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from yesman.agents import PromptKind, Question, ToolRequest
from yesman.policy._decision import Action, Decision

__all__ = ["Answers", "Verdict", "act_on_request"]

Answers = tuple[tuple[str, tuple[str, ...]], ...]
"""A rule's pre-set answers: (glob on the question text, the label or labels to give)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the guards or a rule said, before it is fitted to a channel (menu keys or a hook
    answer). ``choice`` is the rule's ``option``; ``answers`` its pre-set answers, if any."""

    action: Action
    rule: str
    reason: str
    choice: str | int = "yes"
    answers: Answers | None = None


def act_on_request(request: ToolRequest, verdict: Verdict) -> Decision:
    """The decision for a hook request (see the module docstring)."""
    action, rule, reason = verdict.action, verdict.rule, verdict.reason
    if action in (Action.HOLD, Action.NONE, Action.DENY):
        return Decision(action, (), rule, reason)
    if request.prompt.kind is PromptKind.QUESTION:
        return _answer_questions(request, verdict)
    if verdict.answers is not None:
        return _hold(rule, f"{reason}; but pre-set answers only answer questions")
    if isinstance(verdict.choice, int):
        return _hold(
            rule,
            f"{reason}; but the rule picks option {verdict.choice} of a menu, and a hook "
            "request has none",
        )
    once = " (once: a hook never grants 'don't ask again')" if verdict.choice == "always" else ""
    return Decision(Action.ANSWER, (), rule, f"{reason} -> allow{once}")


def _answer_questions(request: ToolRequest, verdict: Verdict) -> Decision:
    rule, reason = verdict.rule, verdict.reason
    if verdict.answers is None:
        return _hold(rule, f"{reason}; but the rule has no pre-set answers for a question")
    if not request.questions:
        return _hold(rule, f"{reason}; but the request's questions are unreadable")
    given: list[tuple[str, str]] = []
    for question in request.questions:
        labels = _answer_for(question, verdict.answers)
        if labels is None:
            return _hold(rule, f"{reason}; but no pre-set answer fits {question.text!r}")
        given.append((question.text, ", ".join(labels)))
    shown = "; ".join(f"{q!r} -> {a!r}" for q, a in given)
    return Decision(Action.ANSWER, (), rule, f"{reason} -> {shown}", answers=tuple(given))


def _answer_for(question: Question, answers: Answers) -> tuple[str, ...] | None:
    """The offered labels a pre-set answer gives for ``question``, or None when none fits."""
    for pattern, wanted in answers:
        if not fnmatch.fnmatchcase(question.text, pattern):
            continue
        if not wanted or (len(wanted) > 1 and not question.multi_select):
            return None
        offered = {label.casefold(): label for label in question.options}
        labels = tuple(offered.get(w.casefold()) for w in wanted)
        if any(label is None for label in labels):
            return None  # never an answer the question does not offer
        return tuple(label for label in labels if label is not None)
    return None


def _hold(rule: str, reason: str) -> Decision:
    return Decision(Action.HOLD, (), rule, reason)
