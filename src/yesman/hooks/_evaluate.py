"""From a hook's raw input to what it prints: read, decide, answer; shared by both deciders.

The watcher (``yesman.monitor``) and the hook deciding on its own (``_local``) run the same three
steps: the agent reads its input into a :class:`~yesman.agents.ToolRequest`, the policy decides
on it (:meth:`Policy.decide_request`), and the decision becomes the agent's output. Only
``answer`` and ``deny`` print anything; hold, none and any dry run print nothing, which leaves
the dialog to the human.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from yesman.agents import Agent, HookBehavior, HookVerdict, ToolRequest
from yesman.policy import Action, Decision
from yesman.store import DecisionRecord

__all__ = ["decision_record", "read_request", "render", "verdict_for"]

log = logging.getLogger(__name__)

CHANNEL = "hook"


def read_request(agent: Agent, payload: bytes, env: Mapping[str, str]) -> ToolRequest | None:
    """The request in a hook's input, or None when it is not one this agent's hook reads."""
    if agent.hook is None:
        return None
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, ValueError):
        log.info("hook input for %s is not JSON; no decision", agent.display_name)
        return None
    return agent.hook.parse(data, env)


def verdict_for(decision: Decision) -> HookVerdict | None:
    """What the hook answers for a decision; None: nothing (the dialog stays for the human)."""
    if decision.dry_run:
        return None
    if decision.action is Action.ANSWER:
        return HookVerdict(HookBehavior.ALLOW, answers=decision.answers)
    if decision.action is Action.DENY:
        return HookVerdict(
            HookBehavior.DENY,
            message=f"yesman's policy denied this (rule {decision.rule}): {decision.reason}",
        )
    return None


def render(agent: Agent, request: ToolRequest, decision: Decision) -> str:
    """The exact text the hook prints for ``decision`` (empty for no decision)."""
    verdict = verdict_for(decision)
    if verdict is None or agent.hook is None:
        return ""
    return agent.hook.render(request, verdict)


def decision_record(
    request: ToolRequest,
    decision: Decision,
    *,
    session: str,
    pane: str,
    received: float,
    correlation_id: str | None,
) -> DecisionRecord:
    """The audit row of a hook decision, written before the answer is handed back.

    ``received`` is the wall-clock time the request arrived (the row's ``first_seen``); the
    answer's time and latency are filled in once it is on its way (``update_answered``).
    """
    prompt = request.prompt
    return DecisionRecord(
        session=session,
        pane=pane,
        prompt_kind=prompt.kind.value,
        action=decision.action.value,
        first_seen=received,
        tool=prompt.tool or request.tool,
        target=prompt.target or prompt.question or "",
        rule=decision.rule,
        reason=decision.reason,
        dry_run=decision.dry_run,
        fingerprint=prompt.fingerprint,
        correlation_id=correlation_id,
        channel=CHANNEL,
        agent=request.agent,
        agent_version=request.agent_version or "",
    )
