"""What a quality gate is and what it reports.

A gate is one check (`Gate`): it gets the facts of the run (`GateContext`) and returns one
`GateResult`: a status, a one-line summary, the findings that back it (each with where it was
found) and the figures it measured. Gates belong to a family (`enhanced-security`,
`performance-monitoring`); a `GateReport` is one run of several gates and knows the exit code.

Status semantics:

- ``passed``: checked, nothing wrong.
- ``warning``: checked, something a careful user should look at; fails the run under ``--strict``.
- ``skipped``: could not be checked for a reason that is not an error (nothing to compare with);
  the summary says why; fails the run under ``--strict``.
- ``failed``: checked, and wrong.
- ``error``: could not run because of the environment (unreadable file, dead tmux server); the
  summary says what to do.

Exit code: 1 when any gate failed (or warned or skipped, under strict), else 2 when any gate
could not run (error), else 0.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Protocol

from yesman.policy import Policy

__all__ = [
    "FAMILIES",
    "Finding",
    "Gate",
    "GateContext",
    "GateReport",
    "GateResult",
    "GateStatus",
]

ENHANCED_SECURITY: Final = "enhanced-security"
PERFORMANCE_MONITORING: Final = "performance-monitoring"
FAMILIES: Final = (ENHANCED_SECURITY, PERFORMANCE_MONITORING)


class GateStatus(StrEnum):
    PASSED = "passed"
    WARNING = "warning"
    SKIPPED = "skipped"
    FAILED = "failed"
    ERROR = "error"

    def fails(self, *, strict: bool) -> bool:
        """Whether this status makes the run fail (exit 1)."""
        if self is GateStatus.FAILED:
            return True
        return strict and self in (GateStatus.WARNING, GateStatus.SKIPPED)


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of evidence: what was found, where (a file:line, a pane, a rule), how bad.

    ``severity`` is ``failed`` or ``warning`` for a problem, ``passed`` for evidence that
    something was checked and is fine (shown only in detailed reports).
    """

    message: str
    where: str | None = None
    severity: GateStatus = GateStatus.FAILED

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "where": self.where, "severity": self.severity.value}

    def __str__(self) -> str:
        return self.message if self.where is None else f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class GateResult:
    """How one gate came out.

    ``metrics`` are the gate's figures as flat name -> number or text (cases checked, p99 lag
    ms ...); ``details`` holds larger JSON-ready structures (the performance gate's component
    table) that the JSON report carries whole and the Markdown report renders.
    """

    family: str
    name: str
    title: str
    status: GateStatus
    summary: str
    findings: tuple[Finding, ...] = ()
    metrics: Mapping[str, float | int | str] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    duration_s: float = 0.0

    @property
    def gate_id(self) -> str:
        return f"{self.family}/{self.name}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.gate_id,
            "family": self.family,
            "name": self.name,
            "title": self.title,
            "status": self.status.value,
            "summary": self.summary,
            "findings": [f.as_dict() for f in self.findings],
            "metrics": dict(self.metrics),
            "details": dict(self.details),
            "duration_s": round(self.duration_s, 3),
        }


@dataclass(frozen=True, slots=True)
class GateContext:
    """The facts every gate may use; built once per run by the CLI (or a library caller).

    ``policy`` is the effective policy; ``project_dir`` the folder whose `.claude/` settings
    are read (the current directory by default); ``home`` the user's home (for
    `~/.claude/settings.json`); ``db_path`` the audit database; ``tmux_socket`` the tmux server
    whose panes are inspected (None: the default server); ``baseline`` a baseline name or JSON
    file for the performance gate (None: the newest of the same workload and environment);
    ``duration`` seconds of the standard workload.
    """

    policy: Policy
    db_path: Path
    project_dir: Path = field(default_factory=Path.cwd)
    home: Path = field(default_factory=Path.home)
    tmux_socket: str | None = None
    baseline: str | None = None
    duration: float = 30.0
    strict: bool = False
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


class Gate(Protocol):
    """One check. ``run`` must not raise for a finding; it raises only on a bug."""

    @property
    def family(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    async def run(self, context: GateContext) -> GateResult: ...


@dataclass(frozen=True, slots=True)
class GateReport:
    """One run of the gates: results in the order they ran, when, and under which settings."""

    results: tuple[GateResult, ...]
    started: float
    finished: float
    strict: bool
    families: tuple[str, ...]
    environment: Mapping[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if any(r.status.fails(strict=self.strict) for r in self.results):
            return 1
        if any(r.status is GateStatus.ERROR for r in self.results):
            return 2
        return 0

    @property
    def passed(self) -> bool:
        return self.exit_code == 0

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in GateStatus}
        for r in self.results:
            out[r.status.value] += 1
        return out
