"""yesman.gates: the quality gates `yesman gates` runs before yesman is trusted unattended.

Two families. ``enhanced-security``: the policy self-test over labelled commands and real screens,
policy lint, the agents' own permission settings, and the audit trail. ``performance-monitoring``:
the standard workload compared with a baseline, bus overflow, memory growth and event-loop lag.
Each gate returns a `GateResult`; a `GateReport` gathers them and knows the exit code.

    gates = default_gates(FAMILIES)                       # or a family: ["performance-monitoring"]
    report = await run_gates(gates, GateContext(policy=Policy.default(), db_path=path))
    print(render_markdown(report)); Path("junit.xml").write_text(render_junit(report))
    await record_report(path, report)                     # the history's ``gate_runs`` table

Layering: ``_model`` is the leaf; ``_perf_run`` (the shared workload run and the baseline
pick), ``_perf_tables`` and ``_performance`` are the performance family; ``_catalog`` lists the
gates per family; ``_run`` runs them; ``_report`` (JSON, JUnit) and ``_markdown`` render a
report; ``_record`` keeps it in `yesman.history`. This package sits above workload, baseline and
history and below the CLI.
"""

from yesman.gates._agent_config import AgentConfigGate
from yesman.gates._audit_trail import AuditTrailGate
from yesman.gates._cases import CaseLabel, PolicyCase, ShippedDataError
from yesman.gates._catalog import default_gates
from yesman.gates._lint import PolicyLintGate
from yesman.gates._markdown import render_markdown
from yesman.gates._model import (
    ENHANCED_SECURITY,
    FAMILIES,
    PERFORMANCE_MONITORING,
    Finding,
    Gate,
    GateContext,
    GateReport,
    GateResult,
    GateStatus,
)
from yesman.gates._perf_run import PerformanceRun, Workload, load_reference
from yesman.gates._performance import (
    LOOP_LAG_LIMIT_MS,
    BaselineRegressionGate,
    BusOverflowGate,
    LoopLagGate,
    MemoryLeakGate,
    performance_gates,
)
from yesman.gates._record import record_report
from yesman.gates._report import (
    REPORT_SCHEMA,
    REPORT_SCHEMA_VERSION,
    render_json,
    render_junit,
    report_dict,
)
from yesman.gates._run import GateProgress, run_gates
from yesman.gates._screens import PolicyScreensGate, ScreenExpectation
from yesman.gates._selftest import PolicySelfTestGate

__all__ = [
    "ENHANCED_SECURITY",
    "FAMILIES",
    "LOOP_LAG_LIMIT_MS",
    "PERFORMANCE_MONITORING",
    "REPORT_SCHEMA",
    "REPORT_SCHEMA_VERSION",
    "AgentConfigGate",
    "AuditTrailGate",
    "BaselineRegressionGate",
    "BusOverflowGate",
    "CaseLabel",
    "Finding",
    "Gate",
    "GateContext",
    "GateProgress",
    "GateReport",
    "GateResult",
    "GateStatus",
    "LoopLagGate",
    "MemoryLeakGate",
    "PerformanceRun",
    "PolicyCase",
    "PolicyLintGate",
    "PolicyScreensGate",
    "PolicySelfTestGate",
    "ScreenExpectation",
    "ShippedDataError",
    "Workload",
    "default_gates",
    "load_reference",
    "performance_gates",
    "record_report",
    "render_json",
    "render_junit",
    "render_markdown",
    "report_dict",
    "run_gates",
]
