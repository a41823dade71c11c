"""The audit side of a monitor: where decisions are written, and what a record holds.

The rule this module keeps for the monitor: a decision is written *before* anything is typed, and
a decision that could not be written durably is never typed. Later fill-ins (keys sent, verified)
that fail are logged and counted; the answer already typed cannot be taken back.
"""

from __future__ import annotations

import logging
from typing import Protocol

from yesman.monitor._dialogs import DialogInstance
from yesman.monitor._publish import Where
from yesman.store import DecisionRecord

__all__ = ["AuditWriter", "DecisionSink"]

log = logging.getLogger(__name__)


class DecisionSink(Protocol):
    """Where decisions are written (the audit store).

    ``record`` must raise when the row is not durably committed: the monitor then types nothing.
    """

    async def record(self, rec: DecisionRecord) -> DecisionRecord: ...

    async def update_answered(
        self,
        decision_id: int,
        *,
        keys: tuple[str, ...],
        answered_at: float,
        latency_ms: float,
    ) -> bool: ...

    async def update_verified(self, decision_id: int, verified: bool) -> bool: ...


class AuditWriter:
    """Writes one pane's decisions to a sink (or nowhere), counting what could not be written."""

    __slots__ = ("_pane_id", "_sink", "failures")

    def __init__(self, sink: DecisionSink | None, pane_id: str) -> None:
        self._sink = sink
        self._pane_id = pane_id
        self.failures = 0

    async def record(self, dialog: DialogInstance, where: Where) -> bool:
        """Write the decision (about the pane's session and agent in `where`); True when it is
        durably recorded (or there is no sink)."""
        decision = dialog.decision
        if self._sink is None or decision is None:
            return True
        prompt = dialog.prompt
        rec = DecisionRecord(
            session=where["session"],
            pane=self._pane_id,
            prompt_kind=prompt.kind.value,
            action=decision.action.value,
            first_seen=dialog.first_seen_wall,
            tool=prompt.tool or "",
            target=prompt.target or "",
            options=tuple(f"{o.number}. {o.text}" for o in prompt.options),
            rule=decision.rule,
            reason=decision.reason,
            dry_run=decision.dry_run,
            fingerprint=prompt.fingerprint,
            correlation_id=dialog.correlation_id,
            agent=where["agent"],
            agent_version=where["agent_version"],
        )
        try:
            stored = await self._sink.record(rec)
        except Exception as exc:
            self._failed("the decision", exc)
            return False
        dialog.record_id = stored.id
        return True

    async def answered(
        self, dialog: DialogInstance, keys: tuple[str, ...], at: float, latency_ms: float
    ) -> None:
        if self._sink is None or dialog.record_id is None:
            return
        try:
            await self._sink.update_answered(
                dialog.record_id, keys=keys, answered_at=at, latency_ms=latency_ms
            )
        except Exception as exc:
            self._failed("the answer", exc)

    async def verified(self, dialog: DialogInstance, ok: bool) -> None:
        if self._sink is None or dialog.record_id is None:
            return
        try:
            await self._sink.update_verified(dialog.record_id, ok)
        except Exception as exc:
            self._failed("the verification", exc)

    def _failed(self, what: str, exc: Exception) -> None:
        self.failures += 1
        log.error(
            "pane %s: could not record %s in the audit database: %s",
            self._pane_id,
            what,
            exc,
            extra={"pane_id": self._pane_id},
        )
