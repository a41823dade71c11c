"""Panes whose agent runs with its permission checks off or delegated, found on a tmux server.

One ``list-panes -a`` (a plain tmux command: nothing attaches to the user's sessions), one scan
of the process table for every pane's tree, then per pane:

* the agent's command line (every process of the tree the registry recognises as the agent):
  ``--dangerously-skip-permissions`` and ``--permission-mode bypassPermissions`` start Claude
  Code with permission checks off; ``--allow-dangerously-skip-permissions`` puts bypass mode in
  its shift+tab cycle, one key away; ``--permission-mode auto`` / ``acceptEdits`` let Claude
  Code answer some dialogs itself.
* the mode the agent's screen shows now (its footer, read by the agent's own parser from one
  capture): what was switched on with shift+tab after the start shows only there.

A pane is named ``session:window.pane`` with its tmux id (``%3``) and the agent's pid.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from yesman.agents import Agent, AgentRegistry, PermissionMode
from yesman.gates._model import Finding, GateStatus
from yesman.tmux import (
    ProcessInfo,
    TmuxError,
    TmuxNotASocketError,
    TmuxServer,
    check_pane_id,
    process_trees,
)

__all__ = ["PaneScan", "scan_panes"]

_SEP: Final = "\x1f"  # tmux passes it through; it cannot occur in ids or numbers
_FORMAT: Final = _SEP.join(
    ("#{pane_id}", "#{pane_pid}", "#{window_index}", "#{pane_index}", "#{session_name}")
)
_NO_SERVER: Final = ("no server running", "No such file or directory", "Connection refused")

_OFF: Final = "permission checks are off: the agent runs every tool without a dialog"
_FLAGS: Final = {
    "--dangerously-skip-permissions": (GateStatus.FAILED, _OFF),
    "--allow-dangerously-skip-permissions": (
        GateStatus.FAILED,
        "bypass mode is one shift+tab away: anyone (or anything typing) in the pane can switch "
        "permission checks off",
    ),
}
_MODE_FLAGS: Final = {
    "bypassPermissions": (GateStatus.FAILED, _OFF),
    "auto": (
        GateStatus.WARNING,
        "auto mode: a classifier answers permission dialogs, yesman sees only what it escalates",
    ),
    "acceptEdits": (
        GateStatus.WARNING,
        "acceptEdits: the agent approves file edits itself, yesman never sees those dialogs",
    ),
}
_SCREEN_MODES: Final = {
    PermissionMode.BYPASS: (GateStatus.FAILED, "the screen shows bypass permissions on: " + _OFF),
    PermissionMode.AUTO: (
        GateStatus.WARNING,
        "the screen shows auto mode on: a classifier answers dialogs, yesman sees few of them",
    ),
    PermissionMode.ACCEPT_EDITS: (
        GateStatus.WARNING,
        "the screen shows accept edits on: the agent approves file edits itself",
    ),
}


@dataclass(frozen=True, slots=True)
class PaneScan:
    """What the pane scan found. ``error`` is set when the server could not be asked."""

    findings: tuple[Finding, ...]
    server_running: bool
    panes: int = 0
    agent_panes: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Pane:
    pane_id: str
    pid: int
    label: str  # session:window.pane


def _parse(out: str) -> list[_Pane]:
    panes: dict[str, _Pane] = {}
    for line in out.splitlines():
        parts = line.split(_SEP, 4)
        if len(parts) != 5 or not parts[0].startswith("%") or not parts[1].isdigit():
            continue  # a pane that has not started yet, or a line we do not understand
        pane_id, pid, window, index, session = parts
        # a window linked into two sessions lists its panes twice: keep the first
        panes.setdefault(pane_id, _Pane(pane_id, int(pid), f"{session}:{window}.{index}"))
    return list(panes.values())


def _flag_findings(process: ProcessInfo) -> list[tuple[GateStatus, str]]:
    """Each permission flag on the command line: (severity, "flag: meaning")."""
    found: list[tuple[GateStatus, str]] = []
    args = list(process.cmdline[1:])
    for i, arg in enumerate(args):
        if arg in _FLAGS:
            severity, meaning = _FLAGS[arg]
            found.append((severity, f"{arg}: {meaning}"))
            continue
        mode: str | None = None
        if arg == "--permission-mode" and i + 1 < len(args):
            mode = args[i + 1]
        elif arg.startswith("--permission-mode="):
            mode = arg.partition("=")[2]
        if mode in _MODE_FLAGS:
            severity, meaning = _MODE_FLAGS[mode]
            found.append((severity, f"--permission-mode {mode}: {meaning}"))
    return found


async def _list_panes(server: TmuxServer) -> tuple[list[_Pane] | None, str | None]:
    """The panes, or (None, None) when no server runs, or (None, error)."""
    try:
        code, out, err = await server.run("list-panes", "-a", "-F", _FORMAT)
    except TmuxError as exc:  # not installed, timed out
        return None, str(exc)
    if code == 0:
        return _parse(out), None
    problem = server.not_running(err)
    if isinstance(problem, TmuxNotASocketError):
        return None, str(problem)
    if not any(s in err for s in _NO_SERVER):  # permission denied on the socket, ...
        return None, f"tmux {server.describe()} list-panes failed: {err or f'exit code {code}'}"
    return None, None


async def _screen_mode(server: TmuxServer, pane: _Pane, agent: Agent) -> PermissionMode | None:
    """The permission mode the agent's screen shows, None when it shows none or on failure."""
    try:
        code, out, _ = await server.run("capture-pane", "-p", "-t", check_pane_id(pane.pane_id))
    except TmuxError:
        return None
    if code != 0:
        return None  # the pane closed meanwhile
    return agent.parse_screen(out).mode


async def scan_panes(
    server: TmuxServer,
    agents: AgentRegistry,
    *,
    read_screens: bool = True,
    bypass_disabled_by: str | None = None,
) -> PaneScan:
    """Check every pane of ``server`` that runs one of ``agents``.

    ``bypass_disabled_by`` names the managed settings file that disables bypass mode: Claude
    Code then refuses it, so bypass flags are reported as warnings rather than failures.
    """
    panes, error = await _list_panes(server)
    if panes is None:
        if error is not None:
            return PaneScan((), server_running=False, error=error)
        label = server.describe()
        label = label if label.startswith("(") else f"({label})"
        evidence = Finding(f"no tmux server {label}", None, GateStatus.PASSED)
        return PaneScan((evidence,), server_running=False)
    # one scan of the process table for every pane (blocking: off the event loop)
    trees = await asyncio.to_thread(process_trees, [p.pid for p in panes])
    findings: list[Finding] = []
    agent_panes = 0
    for pane in panes:
        tree = trees.get(pane.pid, [])
        agent = agents.identify(tree)
        if agent is None:
            continue
        agent_panes += 1
        for found in await _check_pane(server, pane, agent, tree, read_screens=read_screens):
            if bypass_disabled_by is not None and found.severity is GateStatus.FAILED:
                found = Finding(  # noqa: PLW2901 - the same finding, downgraded
                    f"{found.message} (but {bypass_disabled_by} disables bypass mode)",
                    found.where,
                    GateStatus.WARNING,
                )
            findings.append(found)
    if agent_panes == 0:
        findings.append(
            Finding(f"{len(panes)} panes on tmux {server.describe()}, none runs a coding agent",
                    None, GateStatus.PASSED)
        )  # fmt: skip
    return PaneScan(tuple(findings), True, len(panes), agent_panes)


async def _check_pane(
    server: TmuxServer,
    pane: _Pane,
    agent: Agent,
    tree: Sequence[ProcessInfo],
    *,
    read_screens: bool,
) -> list[Finding]:
    where = f"{pane.label} ({pane.pane_id})"
    findings: list[Finding] = []
    processes = [p for p in tree if agent.matches(p.name, p.cmdline)]
    for process in processes:
        for severity, text in _flag_findings(process):
            findings.append(
                Finding(f"{agent.display_name} pid {process.pid} runs with {text}", where,
                        severity)
            )  # fmt: skip
    if read_screens:
        mode = await _screen_mode(server, pane, agent)
        if mode in _SCREEN_MODES:
            severity, text = _SCREEN_MODES[mode]
            findings.append(
                Finding(f"{agent.display_name} pid {processes[0].pid}: {text}", where, severity)
            )
    if not findings:
        findings.append(
            Finding(f"{agent.display_name} pid {processes[0].pid}: permission checks on", where,
                    GateStatus.PASSED)
        )  # fmt: skip
    return findings
