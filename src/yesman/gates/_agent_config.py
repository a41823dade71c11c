"""The ``agent-config`` gate: nothing in the agent's own configuration takes dialogs from yesman.

yesman's policy only decides the dialogs Claude Code shows. Settings that approve tools for any
input, permission modes that answer dialogs inside the agent, and agents started with their
permission checks off all leave the policy nothing to decide. This gate reads every settings
layer (`yesman.gates._settings_files`, judged by `yesman.gates._settings_audit`) and scans the
panes of the tmux server for agents started that way (`yesman.gates._agent_panes`); each finding
names the file and line, or the pane and pid, where the problem is set.

Result: ``failed`` when something switches permission checks off or approves shell commands or
writes outside the project wholesale; ``warning`` for modes that answer some dialogs inside the
agent, broad in-project edit rules and settings files Claude Code would ignore; ``error`` when
the tmux server could not be asked (and nothing failed); else ``passed``.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from yesman.agents import AgentRegistry, builtin_agents
from yesman.gates._agent_panes import PaneScan, scan_panes
from yesman.gates._model import ENHANCED_SECURITY, Finding, GateContext, GateResult, GateStatus
from yesman.gates._settings_audit import audit_settings, bypass_disabled_by
from yesman.gates._settings_files import MANAGED_SETTINGS, settings_files
from yesman.tmux import TmuxServer

__all__ = ["AgentConfigGate"]

_RANK = {GateStatus.FAILED: 0, GateStatus.WARNING: 1, GateStatus.ERROR: 2, GateStatus.PASSED: 3}


def tmux_server(socket: str | None) -> TmuxServer:
    """The server ``GateContext.tmux_socket`` names: a path (has a ``/``) is ``-S``, a bare
    name ``-L``, None the user's default server."""
    if socket is None:
        return TmuxServer()
    if "/" in socket:
        return TmuxServer(socket_path=Path(socket).expanduser())
    return TmuxServer(socket_name=socket)


class AgentConfigGate:
    """Claude Code's settings and running agents leave permission dialogs to yesman.

    ``managed_settings`` is the managed (administrator) settings file to read, with its
    ``managed-settings.d/`` drop-ins (None: skip it); ``agents`` the agents recognised in panes
    (default: every agent shipped); ``read_screens`` whether each agent pane is captured once to
    read the permission mode its footer shows.
    """

    family = ENHANCED_SECURITY
    name = "agent-config"
    title = "Agent configuration"

    def __init__(
        self,
        *,
        managed_settings: Path | None = MANAGED_SETTINGS,
        agents: AgentRegistry | None = None,
        read_screens: bool = True,
    ) -> None:
        self.managed_settings = managed_settings
        self.agents = agents if agents is not None else builtin_agents()
        self.read_screens = read_screens

    async def run(self, context: GateContext) -> GateResult:
        started = time.perf_counter()
        files = await asyncio.to_thread(
            settings_files,
            home=context.home,
            project_dir=context.project_dir,
            managed=self.managed_settings,
            environ=context.environ,
        )
        audit = audit_settings(files, project_dir=context.project_dir, home=context.home)
        disabled = bypass_disabled_by(files)
        try:
            server = tmux_server(context.tmux_socket)
        except ValueError as exc:
            scan = PaneScan((), server_running=False, error=str(exc))
        else:
            scan = await scan_panes(
                server,
                self.agents,
                read_screens=self.read_screens,
                bypass_disabled_by=None if disabled is None else str(disabled.path),
            )
        findings = sorted((*audit.findings, *scan.findings), key=lambda f: _RANK[f.severity])
        failed = sum(f.severity is GateStatus.FAILED for f in findings)
        warned = sum(f.severity is GateStatus.WARNING for f in findings)
        looked = f"{len(files)} settings files ({audit.rules} allow rules)"
        if scan.server_running:
            looked += f", {scan.agent_panes} agent panes of {scan.panes}"
        status, summary = _verdict(findings, looked, scan.error)
        return GateResult(
            family=self.family,
            name=self.name,
            title=self.title,
            status=status,
            summary=summary,
            findings=tuple(findings),
            metrics={
                "settings_files": len(files),
                "allow_rules": audit.rules,
                "panes": scan.panes,
                "agent_panes": scan.agent_panes,
                "failed_findings": failed,
                "warnings": warned,
            },
            duration_s=time.perf_counter() - started,
        )


def _verdict(findings: list[Finding], looked: str, error: str | None) -> tuple[GateStatus, str]:
    failed = sum(f.severity is GateStatus.FAILED for f in findings)
    warned = sum(f.severity is GateStatus.WARNING for f in findings)
    if failed:
        first = next(f for f in findings if f.severity is GateStatus.FAILED)
        more = f" (and {failed - 1} more failures)" if failed > 1 else ""
        return GateStatus.FAILED, f"{first}{more}"
    if error is not None:
        return GateStatus.ERROR, (
            f"could not list the tmux panes: {error}. Settings: {warned} warnings in {looked}"
        )
    if warned:
        first = next(f for f in findings if f.severity is GateStatus.WARNING)
        more = f" (and {warned - 1} more warnings)" if warned > 1 else ""
        return GateStatus.WARNING, f"{first}{more}"
    return GateStatus.PASSED, f"{looked} checked: nothing takes permission dialogs from yesman"
