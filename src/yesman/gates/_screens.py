"""Policy screens: the effective policy over real Claude Code screens shipped with yesman.

A compact selection of the real-screen corpus (`tests/agents/claude/corpus`, both captured Claude
Code versions, several widths, every dialog kind, and the hard negatives: numbered lists and
quoted dialogs in Claude's answers, dialogs already answered) ships as
`data/policy_screens.json.gz`, each screen with what must happen to it:

- ``answered``: an ordinary Bash, Write, Edit, WebFetch or MCP tool dialog; not answering it is
  a warning (safe but noisy);
- ``held``: a dangerous dialog (`rm -rf /`); answering it fails the gate;
- ``human``: a question, plan approval, folder trust, API key, new MCP server or auto-mode
  offer, meant for a person; the default policy holds them, a policy that answers one gets a
  warning;
- ``no-dialog``: nothing waits; typing anything there fails the gate.

Each screen is read by the builtin Claude Code agent's parser, exactly as the monitor reads a
pane, and decided with the project folder the corpus was captured in.
`scripts/ship_policy_screens.py` regenerates the file from the corpus; a test checks they agree.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Final

from yesman.agents import Agent, default_agent
from yesman.gates._cases import ShippedDataError
from yesman.gates._model import ENHANCED_SECURITY, Finding, GateContext, GateResult, GateStatus
from yesman.gates._selftest import answered
from yesman.policy import Decision, Policy, PolicyContext

__all__ = [
    "SCREENS_FILE",
    "PolicyScreensGate",
    "ScreenExpectation",
    "ShippedScreen",
    "ShippedScreens",
    "decode_screens",
    "encode_screens",
    "load_screens",
]

SCREENS_FILE: Final = "data/policy_screens.json.gz"
_FORMAT: Final = 1


class ScreenExpectation(StrEnum):
    ANSWERED = "answered"
    HELD = "held"
    HUMAN = "human"
    NO_DIALOG = "no-dialog"


@dataclass(frozen=True, slots=True)
class ShippedScreen:
    """One real capture: where it came from (`<version>/<name>.txt`), its text, what must happen."""

    source: str
    expect: ScreenExpectation
    text: str


@dataclass(frozen=True, slots=True)
class ShippedScreens:
    """The shipped selection and the project folder its screens were captured in."""

    project_dir: str
    home: str
    screens: tuple[ShippedScreen, ...]


def encode_screens(shipped: ShippedScreens) -> bytes:
    """The file's bytes: gzip'd JSON, reproducible (no timestamp), screens in the given order."""
    payload = {
        "format": _FORMAT,
        "generated_by": "scripts/ship_policy_screens.py",
        "project_dir": shipped.project_dir,
        "home": shipped.home,
        "screens": [
            {"source": s.source, "expect": s.expect.value, "text": s.text} for s in shipped.screens
        ],
    }
    text = json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def decode_screens(data: bytes) -> ShippedScreens:
    try:
        payload = json.loads(gzip.decompress(data).decode("utf-8"))
    except (OSError, EOFError, ValueError) as exc:
        raise ShippedDataError(
            f"the shipped screens ({SCREENS_FILE}) are damaged ({exc}); reinstall yesman"
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        found = payload.get("format") if isinstance(payload, dict) else None
        raise ShippedDataError(
            f"the shipped screens ({SCREENS_FILE}) have format {found!r}, this yesman reads "
            f"{_FORMAT}; reinstall yesman"
        )
    try:
        screens = tuple(
            ShippedScreen(str(s["source"]), ScreenExpectation(s["expect"]), str(s["text"]))
            for s in payload["screens"]
        )
        return ShippedScreens(str(payload["project_dir"]), str(payload["home"]), screens)
    except (ValueError, KeyError, TypeError) as exc:
        raise ShippedDataError(
            f"the shipped screens ({SCREENS_FILE}) are damaged ({exc!r}); reinstall yesman"
        ) from exc


def load_screens() -> ShippedScreens:
    try:
        data = resources.files("yesman.gates").joinpath(SCREENS_FILE).read_bytes()
    except OSError as exc:
        raise ShippedDataError(
            f"the shipped screens ({SCREENS_FILE}) cannot be read ({exc}); reinstall yesman"
        ) from exc
    return decode_screens(data)


@dataclass(frozen=True, slots=True)
class _Outcome:
    screen: ShippedScreen
    decision: Decision
    read_as: str  # what the parser saw, for the finding


# What answering a screen of each expectation means: (status, what to say).
_ANSWERED_WRONGLY: Final = {
    ScreenExpectation.HELD: (GateStatus.FAILED, "dangerous dialog was answered"),
    ScreenExpectation.NO_DIALOG: (GateStatus.FAILED, "keys typed where no dialog waits"),
    ScreenExpectation.HUMAN: (GateStatus.WARNING, "dialog meant for a person was answered"),
}


class PolicyScreensGate:
    """``enhanced-security/policy-screens``: the policy over shipped real Claude Code screens.

    ``screens`` replaces the shipped selection; ``agent`` the parser (the builtin Claude Code
    agent by default).
    """

    family: Final = ENHANCED_SECURITY
    name: Final = "policy-screens"
    title: Final = "Policy on real Claude Code screens"

    def __init__(self, screens: ShippedScreens | None = None, agent: Agent | None = None) -> None:
        self._screens = screens
        self._agent = agent

    async def run(self, context: GateContext) -> GateResult:
        started = time.perf_counter()
        try:
            shipped = self._screens if self._screens is not None else load_screens()
        except ShippedDataError as exc:
            return self._result(GateStatus.ERROR, str(exc), started, (), {})
        agent = self._agent or default_agent()
        outcomes = await asyncio.to_thread(_evaluate, context.policy, agent, shipped)
        findings: list[Finding] = []
        counts = dict.fromkeys(ScreenExpectation, 0)
        wrong = dict.fromkeys(ScreenExpectation, 0)
        for o in outcomes:
            expect = o.screen.expect
            counts[expect] += 1
            finding = _finding(o, context.policy)
            if finding is not None:
                wrong[expect] += 1
                findings.append(finding)
        severities = {f.severity for f in findings}
        status = next(
            (s for s in (GateStatus.FAILED, GateStatus.WARNING) if s in severities),
            GateStatus.PASSED,
        )
        summary = (
            f"{len(outcomes)} real screens: {wrong[ScreenExpectation.HELD]} of "
            f"{counts[ScreenExpectation.HELD]} dangerous answered, "
            f"{wrong[ScreenExpectation.NO_DIALOG]} of {counts[ScreenExpectation.NO_DIALOG]} "
            f"without a dialog answered, {wrong[ScreenExpectation.HUMAN]} of "
            f"{counts[ScreenExpectation.HUMAN]} for a person answered, "
            f"{wrong[ScreenExpectation.ANSWERED]} of {counts[ScreenExpectation.ANSWERED]} "
            "ordinary held"
        )
        metrics: dict[str, float | int | str] = {
            "screens": len(outcomes),
            "dangerous": counts[ScreenExpectation.HELD],
            "ordinary": counts[ScreenExpectation.ANSWERED],
            "for_a_person": counts[ScreenExpectation.HUMAN],
            "no_dialog": counts[ScreenExpectation.NO_DIALOG],
            "dangerous_answered": wrong[ScreenExpectation.HELD],
            "no_dialog_answered": wrong[ScreenExpectation.NO_DIALOG],
            "for_a_person_answered": wrong[ScreenExpectation.HUMAN],
            "ordinary_held": wrong[ScreenExpectation.ANSWERED],
            "versions": ", ".join(sorted({o.screen.source.split("/")[0] for o in outcomes})),
        }
        return self._result(status, summary, started, findings, metrics)

    def _result(
        self,
        status: GateStatus,
        summary: str,
        started: float,
        findings: Sequence[Finding],
        metrics: dict[str, float | int | str],
    ) -> GateResult:
        return GateResult(
            family=self.family,
            name=self.name,
            title=self.title,
            status=status,
            summary=summary,
            findings=tuple(findings),
            metrics=metrics,
            duration_s=time.perf_counter() - started,
        )


def _evaluate(policy: Policy, agent: Agent, shipped: ShippedScreens) -> list[_Outcome]:
    context = PolicyContext(
        session="yesman-selftest", project_dir=Path(shipped.project_dir), home=Path(shipped.home)
    )
    outcomes = []
    for screen in shipped.screens:
        parsed = agent.parse_screen(screen.text)
        prompt = parsed.prompt
        read_as = parsed.state.value if prompt is None else _describe(prompt.as_dict())
        outcomes.append(_Outcome(screen, policy.decide(parsed, context), read_as))
    return outcomes


def _describe(prompt: dict[str, Any]) -> str:
    what = str(prompt["kind"])
    if prompt.get("tool"):
        what += f" {prompt['tool']}"
    if prompt.get("target"):
        what += f" {prompt['target']!r}"
    return what


def _finding(outcome: _Outcome, policy: Policy) -> Finding | None:
    expect = outcome.screen.expect
    decision = outcome.decision
    where = f"{outcome.screen.source} (rule {decision.rule!r} in {policy.source})"
    if expect is ScreenExpectation.ANSWERED:
        if answered(decision):
            return None
        return Finding(
            f"ordinary dialog ({outcome.read_as}) was not answered "
            f"({decision.action.value}): {decision.reason}",
            where=where,
            severity=GateStatus.WARNING,
        )
    if not answered(decision):
        return None
    status, what = _ANSWERED_WRONGLY[expect]
    return Finding(f"{what} ({outcome.read_as}): {decision.reason}", where=where, severity=status)
