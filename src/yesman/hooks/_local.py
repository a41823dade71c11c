"""Deciding inside the hook process, when no watcher runs (``yesman hook --no-watcher evaluate``).

The same steps as the watcher (``_evaluate``): the agent reads the request, the policy of
``--policy`` (else the shipped one) decides on it with the tmux session's name (asked from tmux,
so ``[sessions."..."]`` settings apply as they would in the watcher), and the decision is
recorded in the audit database before anything is printed. A decision that cannot be recorded
is not given: the dialog stays for the human, as in the watcher.

Slower than asking a watcher (the policy, the agents and SQLite are loaded for one request),
which is why the hook asks a watcher first.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

from yesman.agents import builtin_agents
from yesman.hooks._evaluate import decision_record, read_request, render
from yesman.policy import Policy, PolicyContext
from yesman.store import AuditStore, DecisionRecord, default_db_path

__all__ = ["evaluate_locally"]

_TMUX_TIMEOUT = 2.0


def evaluate_locally(
    *,
    agent: str,
    payload: bytes,
    env: Mapping[str, str],
    policy_file: str | None,
    db: str | None,
    record: bool,
    why: str,
) -> str:
    """What the hook prints, decided here; raises on any failure (the hook then prints nothing)."""
    received = time.time()
    policy = Policy.from_file(policy_file) if policy_file else Policy.default()
    the_agent = builtin_agents().get(agent)
    request = read_request(the_agent, payload, env)
    if request is None:
        return ""
    pane = env.get("TMUX_PANE", "")
    session = _session_of(pane, env)
    project = request.project_dir
    context = PolicyContext(
        session=session, pane_id=pane, project_dir=Path(project) if project else None
    )
    decision = policy.decide_request(request, context)
    decision = dataclasses.replace(
        decision, reason=f"{decision.reason} [decided in the hook: {why}]"
    )
    if record:
        row = decision_record(
            request,
            decision,
            session=session,
            pane=pane,
            received=received,
            correlation_id=uuid.uuid4().hex[:16],
        )
        asyncio.run(_record(Path(db) if db else default_db_path(env), row))
    return render(the_agent, request, decision)


async def _record(path: Path, row: DecisionRecord) -> None:
    async with AuditStore.open(path) as store:
        saved = await store.record(row)
        if saved.id is not None and row.action in ("answer", "deny") and not row.dry_run:
            now = time.time()
            await store.update_answered(
                saved.id, keys=(), answered_at=now, latency_ms=(now - row.first_seen) * 1000.0
            )


def _session_of(pane: str, env: Mapping[str, str]) -> str:
    """The tmux session name of ``pane`` ("" outside tmux or when tmux does not say)."""
    if not pane or not env.get("TMUX"):
        return ""
    try:
        done = subprocess.run(
            ["tmux", "display-message", "-p", "-t", pane, "#{session_name}"],
            capture_output=True,
            text=True,
            timeout=_TMUX_TIMEOUT,
            check=False,
            env=dict(env),
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
