"""Policy lint: what the policy file's own lint found, as a gate.

The lint runs when a policy loads (`yesman.policy`, `Policy.warnings`); this gate reports each
warning with its file and line. The four the quality gates care most about: rules that pick
"don't ask again" (Claude Code then stops asking, so neither yesman nor a person sees those
commands again), rules that answer a tool whatever its input, rules that answer file writes
outside the project, and guards switched off. The rest (unknown tool names, unreachable rules,
an empty file) are reported too: each means the policy does not do what its author meant.
Every warning makes the gate a warning, which `--strict` turns into a failure.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Final

from yesman.gates._model import ENHANCED_SECURITY, Finding, GateContext, GateResult, GateStatus
from yesman.policy import PolicyWarning, WarningCode

__all__ = ["PolicyLintGate"]

# metric name and how the summary says it, per warning code
_KINDS: Final = {
    WarningCode.ALWAYS_OPTION: ("dont_ask_again", 'rules picking "don\'t ask again"'),
    WarningCode.ANY_INPUT: ("any_input", "rules answering whatever the input"),
    WarningCode.WRITES_OUTSIDE: ("writes_outside", "rules answering writes outside the project"),
    WarningCode.GUARD_OFF: ("guards_off", "guards switched off"),
}
_OTHER: Final = ("other", "other problems")


class PolicyLintGate:
    """``enhanced-security/policy-lint``: the policy's lint warnings, each with file:line."""

    family: Final = ENHANCED_SECURITY
    name: Final = "policy-lint"
    title: Final = "Policy lint"

    async def run(self, context: GateContext) -> GateResult:
        started = time.perf_counter()
        policy = context.policy
        warnings = policy.warnings
        kinds = Counter(_KINDS.get(w.code, _OTHER) for w in warnings)
        metrics: dict[str, float | int | str] = {"warnings": len(warnings)}
        metrics.update(
            {metric: kinds[(metric, said)] for metric, said in (*_KINDS.values(), _OTHER)}
        )
        if warnings:
            parts = [f"{said}: {n}" for (_, said), n in kinds.items()]
            summary = f"{len(warnings)} warnings in {policy.source}: " + "; ".join(parts)
            status = GateStatus.WARNING
        else:
            summary = f"no warnings in {policy.source}"
            status = GateStatus.PASSED
        return GateResult(
            family=self.family,
            name=self.name,
            title=self.title,
            status=status,
            summary=summary,
            findings=tuple(_finding(w) for w in warnings),
            metrics=metrics,
            duration_s=time.perf_counter() - started,
        )


def _finding(warning: PolicyWarning) -> Finding:
    where = warning.file if warning.line is None else f"{warning.file}:{warning.line}"
    return Finding(warning.message, where=where, severity=GateStatus.WARNING)
