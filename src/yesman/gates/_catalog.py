"""Which gates `yesman gates` runs, per family, in order.

`default_gates(families)` is the one list: a new gate is added to its family's function here
and nowhere else (the CLI, the reports and the history take whatever this returns).
"""

from __future__ import annotations

from collections.abc import Iterable

from yesman.gates._agent_config import AgentConfigGate
from yesman.gates._audit_trail import AuditTrailGate
from yesman.gates._lint import PolicyLintGate
from yesman.gates._model import ENHANCED_SECURITY, FAMILIES, PERFORMANCE_MONITORING, Gate
from yesman.gates._perf_run import Workload
from yesman.gates._performance import performance_gates
from yesman.gates._screens import PolicyScreensGate
from yesman.gates._selftest import PolicySelfTestGate

__all__ = ["default_gates"]


def _enhanced_security() -> list[Gate]:
    """The enhanced-security family, in the order it runs (cheap checks first)."""
    return [
        PolicyLintGate(),
        PolicySelfTestGate(),
        PolicyScreensGate(),
        AgentConfigGate(),
        AuditTrailGate(),
    ]


def _performance_monitoring(workload: Workload | None) -> list[Gate]:
    """The performance-monitoring family: four checks of one run of the standard workload."""
    return performance_gates(workload)


def default_gates(
    families: Iterable[str] = FAMILIES, *, workload: Workload | None = None
) -> list[Gate]:
    """The gates of ``families`` (in the order of `FAMILIES`, whatever order they are given).

    ``workload`` replaces the standard demo workload of the performance gates (tests pass a
    synthetic run). Raises ValueError for a family that does not exist."""
    wanted = set(families)
    unknown = wanted - set(FAMILIES)
    if unknown:
        raise ValueError(
            f"unknown gate families {sorted(unknown)}; the families are {', '.join(FAMILIES)}"
        )
    gates: list[Gate] = []
    if ENHANCED_SECURITY in wanted:
        gates += _enhanced_security()
    if PERFORMANCE_MONITORING in wanted:
        gates += _performance_monitoring(workload)
    return gates
