"""yesman.gates: the quality gates `yesman gates` runs before yesman is trusted unattended.

Two families. ``enhanced-security``: the policy self-test over labelled commands and real screens,
policy lint, the agents' own permission settings, and the audit trail. ``performance-monitoring``:
the standard workload compared with a baseline. Each gate returns a `GateResult`; a `GateReport`
gathers them, knows the exit code and renders JSON, JUnit XML and Markdown.
"""

from yesman.gates._agent_config import AgentConfigGate
from yesman.gates._audit_trail import AuditTrailGate
from yesman.gates._cases import CaseLabel, PolicyCase, ShippedDataError
from yesman.gates._lint import PolicyLintGate
from yesman.gates._model import (
    FAMILIES,
    Finding,
    Gate,
    GateContext,
    GateReport,
    GateResult,
    GateStatus,
)
from yesman.gates._screens import PolicyScreensGate, ScreenExpectation
from yesman.gates._selftest import PolicySelfTestGate

__all__ = [
    "FAMILIES",
    "AgentConfigGate",
    "AuditTrailGate",
    "CaseLabel",
    "Finding",
    "Gate",
    "GateContext",
    "GateReport",
    "GateResult",
    "GateStatus",
    "PolicyCase",
    "PolicyLintGate",
    "PolicyScreensGate",
    "PolicySelfTestGate",
    "ScreenExpectation",
    "ShippedDataError",
]
