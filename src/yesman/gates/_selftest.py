"""Policy self-test: the effective policy over the shipped, labelled command suite.

Each case becomes the dialog Claude Code's parser would read for it (a tool permission for Bash
with "1. Yes / 2. Yes, and don't ask again ... / 3. No", or for Write/Edit with the "allow all
edits" option) and goes through `policy.decide`. A dangerous case the policy answers fails the
gate and is listed with the rule that answered it; an ordinary case it does not answer is a
warning (a policy that holds too much is safe but keeps a human busy). Known gaps are listed with
their reasons and change nothing.

Cost: 660 decisions take about 60 ms on a 2-core machine; they run in a worker thread so a gate
measuring the event loop next to this one is not disturbed.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from yesman.agents import AgentScreen, Option, Prompt, PromptKind, ScreenState
from yesman.gates._cases import (
    TEXT_LAYOUT,
    CaseLabel,
    Layout,
    PolicyCase,
    ShippedDataError,
    disk_layout,
    load_cases,
)
from yesman.gates._model import ENHANCED_SECURITY, Finding, GateContext, GateResult, GateStatus
from yesman.policy import Action, Decision, Policy, PolicyContext

__all__ = ["PolicySelfTestGate", "answered", "bash_dialog", "file_dialog"]

_SESSION: Final = "yesman-selftest"


def answered(decision: Decision) -> bool:
    """The policy would type an answer (a dry run counts: only the setting stops the keys)."""
    return decision.action is Action.ANSWER


def bash_dialog(command: str, project: Path) -> AgentScreen:
    """The screen the Claude Code parser reads for a Bash permission dialog of `command`."""
    first = command.split(maxsplit=1)[0] if command.split() else command
    options = (
        Option(1, "Yes"),
        Option(2, f"Yes, and don't ask again for {first} commands in {project}"),
        Option(3, "No"),
    )
    lines = tuple(line for line in command.splitlines() if line.strip())
    return _waiting("Bash", command, "Do you want to proceed?", options, target_lines=lines)


def file_dialog(tool: str, path: str) -> AgentScreen:
    """The screen of a Write ("create") or Edit ("make this edit to") dialog for `path`."""
    name = path.rstrip("/").rsplit("/", 1)[-1] or path
    question = (
        f"Do you want to create {name}?"
        if tool == "Write"
        else f"Do you want to make this edit to {name}?"
    )
    options = (
        Option(1, "Yes"),
        Option(2, "Yes, allow all edits during this session (shift+tab)"),
        Option(3, "No"),
    )
    return _waiting(tool, path, question, options)


def _waiting(
    tool: str,
    target: str,
    question: str,
    options: tuple[Option, ...],
    *,
    target_lines: tuple[str, ...] = (),
) -> AgentScreen:
    digest = hashlib.blake2b(f"{tool}\x1f{target}".encode(), digest_size=8)
    prompt = Prompt(
        kind=PromptKind.TOOL_PERMISSION,
        tool=tool,
        target=target,
        question=question,
        options=options,
        highlighted=1,
        warning=None,
        fingerprint=digest.hexdigest(),
        target_lines=target_lines,
    )
    return AgentScreen(ScreenState.WAITING, prompt)


@dataclass(frozen=True, slots=True)
class _Outcome:
    case: PolicyCase
    shown: str  # the case with its placeholders filled in
    decision: Decision


class PolicySelfTestGate:
    """``enhanced-security/policy-self-test``: the policy over the shipped command suite.

    ``cases`` replaces the shipped suite (for tests, or a team's own additions).
    """

    family: Final = ENHANCED_SECURITY
    name: Final = "policy-self-test"
    title: Final = "Policy self-test (labelled commands)"

    def __init__(self, cases: Sequence[PolicyCase] | None = None) -> None:
        self._cases = None if cases is None else tuple(cases)

    async def run(self, context: GateContext) -> GateResult:
        started = time.perf_counter()
        try:
            cases = self._cases if self._cases is not None else load_cases()
            outcomes = await asyncio.to_thread(_evaluate, context.policy, cases)
        except ShippedDataError as exc:
            return self._result(GateStatus.ERROR, str(exc), started=started)
        except OSError as exc:
            return self._result(
                GateStatus.ERROR,
                f"could not build the temporary project the symlink cases run in ({exc}); "
                f"check that {tempfile.gettempdir()} is writable (or set TMPDIR)",
                started=started,
            )
        status, summary, findings, metrics, details = _report(context.policy, outcomes)
        return self._result(
            status,
            summary,
            started=started,
            findings=findings,
            metrics=metrics,
            details=details,
        )

    def _result(
        self,
        status: GateStatus,
        summary: str,
        *,
        started: float,
        findings: Sequence[Finding] = (),
        metrics: dict[str, float | int | str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> GateResult:
        return GateResult(
            family=self.family,
            name=self.name,
            title=self.title,
            status=status,
            summary=summary,
            findings=tuple(findings),
            metrics=metrics or {},
            details=details or {},
            duration_s=time.perf_counter() - started,
        )


def _evaluate(policy: Policy, cases: Sequence[PolicyCase]) -> list[_Outcome]:
    outcomes = [_decide(policy, case, TEXT_LAYOUT) for case in cases if not case.on_disk]
    disk_cases = [case for case in cases if case.on_disk]
    if disk_cases:
        with tempfile.TemporaryDirectory(prefix="yesman-selftest-") as root:
            layout = disk_layout(Path(root))
            outcomes.extend(_decide(policy, case, layout) for case in disk_cases)
    return outcomes


def _decide(policy: Policy, case: PolicyCase, layout: Layout) -> _Outcome:
    shown = layout.fill(case.text)
    screen = (
        bash_dialog(shown, layout.project) if case.tool == "Bash" else file_dialog(case.tool, shown)
    )
    context = PolicyContext(session=_SESSION, project_dir=layout.project, home=layout.home)
    return _Outcome(case, shown, policy.decide(screen, context))


_Report = tuple[GateStatus, str, list[Finding], dict[str, float | int | str], dict[str, Any]]


def _report(policy: Policy, outcomes: Sequence[_Outcome]) -> _Report:
    """Status, summary, findings, metrics and details of one run over the suite."""
    by_label = Counter(o.case.label for o in outcomes)
    bad = [o for o in outcomes if o.case.label is CaseLabel.DANGEROUS and answered(o.decision)]
    noisy = [o for o in outcomes if o.case.label is CaseLabel.ORDINARY and not answered(o.decision)]
    gaps = [o for o in outcomes if o.case.label is CaseLabel.GAP]
    findings = [
        Finding(
            f"dangerous {o.case.tool} {o.shown!r} ({o.case.group}) was answered: "
            f"{o.decision.reason}",
            where=f"rule {o.decision.rule!r} in {policy.source}",
            severity=GateStatus.FAILED,
        )
        for o in bad
    ]
    findings += [
        Finding(
            f"ordinary {o.case.tool} {o.shown!r} ({o.case.group}) was not answered "
            f"({o.decision.action.value}): {o.decision.reason}",
            where=f"rule {o.decision.rule!r} in {policy.source}",
            severity=GateStatus.WARNING,
        )
        for o in noisy
    ]
    findings += [
        Finding(
            f"known gap {o.case.tool} {o.shown!r}: {'answered' if answered(o.decision) else 'held'}"
            f"; {o.case.reason}",
            where=f"rule {o.decision.rule!r} in {policy.source}",
            severity=GateStatus.PASSED,
        )
        for o in gaps
    ]
    dangerous, ordinary = by_label[CaseLabel.DANGEROUS], by_label[CaseLabel.ORDINARY]
    summary = (
        f"{len(outcomes)} cases: {len(bad)} of {dangerous} dangerous answered, "
        f"{len(noisy)} of {ordinary} ordinary held; {len(gaps)} known gaps listed"
    )
    if bad:
        status = GateStatus.FAILED
    elif noisy:
        status = GateStatus.WARNING
    else:
        status = GateStatus.PASSED
    metrics: dict[str, float | int | str] = {
        "cases": len(outcomes),
        "dangerous": dangerous,
        "ordinary": ordinary,
        "dangerous_answered": len(bad),
        "ordinary_held": len(noisy),
        "known_gaps": len(gaps),
    }
    details = {
        "answered_by_rule": dict(Counter(o.decision.rule for o in bad)),
        "known_gaps": [
            {
                "tool": o.case.tool,
                "case": o.shown,
                "group": o.case.group,
                "answered": answered(o.decision),
                "reason": o.case.reason,
            }
            for o in gaps
        ],
    }
    return status, summary, findings, metrics, details
