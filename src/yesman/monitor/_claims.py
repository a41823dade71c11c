"""Hook claims: dialogs a hook is deciding (or decided), which the screen watcher must not answer.

When an agent's permission hook reaches the watcher, the request is *claimed* for its pane before
anything is awaited, so the pane's monitor, which may see the same dialog on screen a moment
before or after, takes it as the hook's: it records no second decision and types nothing.
Every claim is tied to one request; the screen's dialog is matched to it by pane, then kind, tool
and target (`same_dialog`), oldest claim first.

A claim lives until a monitor adopts it, or until it expires: ``answered_ttl`` seconds after an
allow or deny went back to the agent (the agent closes its dialog at once, and Claude Code 2.1.332
does not even draw it when the hook is fast), ``held_ttl`` seconds for anything else (a human may
take a while, but the dialog is drawn within a second).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

from yesman.agents import Prompt, PromptKind, ToolRequest
from yesman.policy import Action, Decision

__all__ = ["ClaimState", "HookClaim", "HookClaims", "hooked_kind", "same_dialog"]

# Dialogs no permission hook is asked about: the screen watcher keeps them.
_NEVER_HOOKED = frozenset(
    {PromptKind.TRUST_FOLDER, PromptKind.API_KEY, PromptKind.MCP_SERVER, PromptKind.USAGE_LIMIT}
)


class ClaimState(Enum):
    DECIDING = "deciding"  # decided, being recorded; the answer is not back yet
    ANSWERED = "answered"  # allow/deny handed back to the hook
    HELD = "held"  # no answer given: the dialog is the human's
    FAILED = "failed"  # an answer that could not be recorded or delivered: the human's, alerted


@dataclass(slots=True)
class HookClaim:
    """One hook request, from arrival until its dialog is adopted or the claim expires."""

    pane: str
    request: ToolRequest
    decision: Decision
    received: float  # monotonic
    received_wall: float
    correlation_id: str
    state: ClaimState = ClaimState.DECIDING
    record_id: int | None = None
    answered_at: float | None = None  # monotonic, when the answer was handed back
    adopted: bool = False
    expires: float = field(default=float("inf"))

    @property
    def answers(self) -> bool:
        """Does this claim's decision answer the dialog (allow or deny, not a dry run)?"""
        return self.decision.action in (Action.ANSWER, Action.DENY) and not self.decision.dry_run


class HookClaims:
    """The claims of every pane of one watcher, and which panes have sent hook requests."""

    __slots__ = ("_by_pane", "_hooked", "answered_ttl", "held_ttl")

    def __init__(self, *, answered_ttl: float = 10.0, held_ttl: float = 60.0) -> None:
        self.answered_ttl = answered_ttl
        self.held_ttl = held_ttl
        self._by_pane: dict[str, deque[HookClaim]] = {}
        self._hooked: set[str] = set()

    def add(self, claim: HookClaim) -> None:
        """Claim a request's dialog for the hook (call before awaiting anything)."""
        claim.expires = claim.received + self.held_ttl
        self._by_pane.setdefault(claim.pane, deque()).append(claim)
        self._hooked.add(claim.pane)

    def settle(self, claim: HookClaim, state: ClaimState, now: float | None = None) -> None:
        """The request's outcome is known; an answered claim expires soon after."""
        claim.state = state
        if state is ClaimState.ANSWERED:
            at = time.monotonic() if now is None else now
            claim.answered_at = at
            claim.expires = at + self.answered_ttl

    def take(self, pane: str, prompt: Prompt, now: float) -> HookClaim | None:
        """The oldest live claim of ``pane`` for the dialog ``prompt``, removed; None if none."""
        claims = self._by_pane.get(pane)
        if not claims:
            return None
        self._expire(claims, now)
        for claim in claims:
            if same_dialog(prompt, claim.request.prompt):
                claims.remove(claim)
                claim.adopted = True
                return claim
        return None

    def take_unmatched_hold(self, pane: str, now: float) -> HookClaim | None:
        """The oldest live claim of ``pane`` that a hook left to the human, removed; None if none.

        For a dialog that matches no claim: the screen may draw a held request differently
        from its hook input (Codex shows a command that needs network access as a `network`
        dialog naming only the host). Holding is always safe; answering it on screen could let
        through what the hook just held.
        """
        claims = self._by_pane.get(pane)
        if not claims:
            return None
        self._expire(claims, now)
        for claim in claims:
            if claim.state is ClaimState.HELD and not claim.answers:
                claims.remove(claim)
                claim.adopted = True
                return claim
        return None

    def pending(self, pane: str, now: float) -> tuple[HookClaim, ...]:
        claims = self._by_pane.get(pane)
        if not claims:
            return ()
        self._expire(claims, now)
        return tuple(claims)

    def uses_hooks(self, pane: str) -> bool:
        """Has this pane's agent sent hook requests (so a dialog there is worth waiting for)?"""
        return pane in self._hooked

    def missed(self, pane: str) -> None:
        """A dialog of ``pane`` waited for a hook request that never came: stop waiting there."""
        self._hooked.discard(pane)

    def forget(self, pane: str) -> None:
        self._by_pane.pop(pane, None)
        self._hooked.discard(pane)

    @staticmethod
    def _expire(claims: deque[HookClaim], now: float) -> None:
        while claims and claims[0].expires <= now:
            claims.popleft()
        for claim in [c for c in claims if c.expires <= now]:
            claims.remove(claim)


def hooked_kind(kind: PromptKind) -> bool:
    """Can a dialog of this kind come with a permission hook request?"""
    return kind not in _NEVER_HOOKED


def same_dialog(screen: Prompt, requested: Prompt) -> bool:
    """Could the dialog read from the screen be the one a hook request is about?

    Kinds must agree (an unknown dialog on screen may be any requested one), tools too when both
    are named (MCP tools are titled differently on screen), and targets when both are known:
    equal once whitespace is dropped (the screen wraps long commands), or one a part of the other
    (the screen may show a path relative to the project).
    """
    if not hooked_kind(screen.kind):
        return False
    known = PromptKind.OTHER not in (screen.kind, requested.kind)
    if known and screen.kind is not requested.kind:
        return False
    mcp = (requested.tool or "").startswith("mcp__")
    if not mcp and screen.tool and requested.tool and screen.tool.lower() != requested.tool.lower():
        return False
    if screen.target and requested.target and not mcp:
        seen, asked = _squash(screen.target), _squash(requested.target)
        if seen not in asked and asked not in seen:
            return False
    return True


def _squash(text: str) -> str:
    return "".join(text.split())
