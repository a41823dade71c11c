"""The agent-config gate on a real tmux server with processes that look like Claude Code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from yesman.gates import AgentConfigGate, Gate, GateContext, GateResult, GateStatus
from yesman.policy import Policy
from yesman.testing import PrivateTmuxServer, eventually
from yesman.tmux import process_tree

pytestmark = pytest.mark.tmux

_RULE = "─" * 60
_IDLE = ["● Done.", "", _RULE, "❯ ", _RULE]
_FOOTERS = {
    "default": "  ? for shortcuts",
    "bypass": "  ⏵⏵ bypass permissions on (shift+tab to cycle)",
    "auto": "  ⏵⏵ auto mode on (shift+tab to cycle)",
}


def fake_claude(
    tmux: PrivateTmuxServer, session: str, *flags: str, footer: str = "default"
) -> tuple[str, int]:
    """A pane whose process is recognised as Claude Code (argv[0] ``claude``) started with
    ``flags``, showing an idle Claude Code screen; its pane id and the process's pid."""
    screen = "\n".join([*_IDLE, _FOOTERS[footer]])
    script = f"import sys, time; sys.stdout.write({screen!r}); sys.stdout.flush(); time.sleep(600)"
    # exec -a: the process keeps its pid and shows `claude ...` in /proc/PID/cmdline
    argv = ["bash", "-c", f'exec -a claude {sys.executable} -c "$0" "$@"', script, *flags]
    pane = tmux.new_session(session, argv, width=80, height=12)
    eventually(lambda: _FOOTERS[footer].strip() in tmux.capture(pane))
    pid = tmux.pane_pid(pane)
    assert process_tree(pid)[0].cmdline[0] == "claude"
    return pane, pid


def context(tmp_path: Path, tmux: PrivateTmuxServer | None = None) -> GateContext:
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir(exist_ok=True)
    project.mkdir(exist_ok=True)
    return GateContext(
        policy=Policy.default(),
        db_path=tmp_path / "yesman.db",
        project_dir=project,
        home=home,
        # a socket name nobody runs: "no tmux server"
        tmux_socket=tmux.socket_name if tmux is not None else f"yesman-none-{tmp_path.name}",
    )


async def run(tmp_path: Path, tmux: PrivateTmuxServer | None = None) -> GateResult:
    gate: Gate = AgentConfigGate(managed_settings=tmp_path / "etc" / "managed-settings.json")
    return await gate.run(context(tmp_path, tmux))


def write_settings(path: Path, settings: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2), encoding="utf-8")


async def test_good_setup_passes(tmp_path: Path, tmux_server: PrivateTmuxServer) -> None:
    write_settings(
        tmp_path / "home" / ".claude" / "settings.json",
        {
            "permissions": {
                "allow": ["Bash(npm run test:*)", "Edit(src/**)"],
                "deny": ["Read(.env)"],
            }
        },
    )
    write_settings(
        tmp_path / "project" / ".claude" / "settings.json",
        {"permissions": {"defaultMode": "default", "allow": ["WebFetch(domain:docs.python.org)"]}},
    )
    fake_claude(tmux_server, "work")
    tmux_server.new_window("work")  # a plain shell pane: not an agent
    result = await run(tmp_path, tmux_server)
    assert result.status is GateStatus.PASSED, result.findings
    assert result.gate_id == "enhanced-security/agent-config"
    assert result.metrics["settings_files"] == 2
    assert result.metrics["agent_panes"] == 1
    assert result.metrics["panes"] == 2
    assert "permission checks on" in str(result.findings)


@pytest.mark.parametrize("scope", ["user", "project"])
async def test_bash_star_fails_and_names_the_file(tmp_path: Path, scope: str) -> None:
    folder = tmp_path / ("home" if scope == "user" else "project") / ".claude"
    write_settings(folder / "settings.json", {"permissions": {"allow": ["Bash(*)"]}})
    result = await run(tmp_path)
    assert result.status is GateStatus.FAILED
    assert str(folder / "settings.json") in result.summary
    assert result.findings[0].where == f"{folder / 'settings.json'}:4"


async def test_bypass_default_mode_fails(tmp_path: Path) -> None:
    local = tmp_path / "project" / ".claude" / "settings.local.json"
    write_settings(local, {"permissions": {"defaultMode": "bypassPermissions"}})
    result = await run(tmp_path)
    assert result.status is GateStatus.FAILED
    assert "permission checks are off" in result.summary
    assert result.findings[0].where == f"{local}:3"


async def test_auto_mode_warns(tmp_path: Path) -> None:
    write_settings(
        tmp_path / "home" / ".claude" / "settings.json", {"permissions": {"defaultMode": "auto"}}
    )
    result = await run(tmp_path)
    assert result.status is GateStatus.WARNING
    assert "classifier" in result.summary


async def test_malformed_settings_warn_without_crashing(tmp_path: Path) -> None:
    path = tmp_path / "project" / ".claude" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"permissions": {"allow": ["Bash(ls)"', encoding="utf-8")
    result = await run(tmp_path)
    assert result.status is GateStatus.WARNING
    assert str(path) in result.summary
    assert "not valid JSON" in result.summary


async def test_no_tmux_server_is_evidence_not_an_error(tmp_path: Path) -> None:
    result = await run(tmp_path)
    assert result.status is GateStatus.PASSED
    assert any("no tmux server" in f.message for f in result.findings)
    assert result.metrics["agent_panes"] == 0


@pytest.mark.parametrize(
    ("flags", "severity", "text"),
    [
        (["--dangerously-skip-permissions"], GateStatus.FAILED, "--dangerously-skip-permissions"),
        (
            ["--permission-mode", "bypassPermissions"],
            GateStatus.FAILED,
            "--permission-mode bypassPermissions",
        ),
        (
            ["--permission-mode=bypassPermissions"],
            GateStatus.FAILED,
            "--permission-mode bypassPermissions",
        ),
        (
            ["--allow-dangerously-skip-permissions"],
            GateStatus.FAILED,
            "--allow-dangerously-skip-permissions",
        ),
        (["--permission-mode", "auto"], GateStatus.WARNING, "--permission-mode auto"),
        (["--continue", "--permission-mode", "plan"], GateStatus.PASSED, "permission checks on"),
    ],
)
async def test_panes_running_claude_code_with_checks_off(
    tmp_path: Path,
    tmux_server: PrivateTmuxServer,
    flags: list[str],
    severity: GateStatus,
    text: str,
) -> None:
    pane, pid = fake_claude(tmux_server, "agents", *flags)
    result = await run(tmp_path, tmux_server)
    assert result.status is severity
    [finding] = [f for f in result.findings if f.where is not None and pane in f.where]
    assert finding.where == f"agents:0.0 ({pane})"
    assert finding.severity is severity
    assert text in finding.message
    assert f"pid {pid}" in finding.message


@pytest.mark.parametrize(
    ("footer", "severity"), [("bypass", GateStatus.FAILED), ("auto", GateStatus.WARNING)]
)
async def test_the_mode_on_screen_is_reported(
    tmp_path: Path, tmux_server: PrivateTmuxServer, footer: str, severity: GateStatus
) -> None:
    pane, _ = fake_claude(tmux_server, "agents", footer=footer)
    result = await run(tmp_path, tmux_server)
    assert result.status is severity
    [finding] = [f for f in result.findings if f.where is not None and pane in f.where]
    assert f"the screen shows {'bypass permissions' if footer == 'bypass' else 'auto mode'} on" in (
        finding.message
    )


async def test_managed_settings_disabling_bypass_downgrade_the_pane_flag(
    tmp_path: Path, tmux_server: PrivateTmuxServer
) -> None:
    managed = tmp_path / "etc" / "managed-settings.json"
    write_settings(managed, {"disableBypassPermissionsMode": "disable"})
    fake_claude(tmux_server, "agents", "--dangerously-skip-permissions")
    result = await run(tmp_path, tmux_server)
    assert result.status is GateStatus.WARNING
    assert f"{managed} disables bypass mode" in result.summary


async def test_a_socket_path_that_is_not_a_socket_is_an_error(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-socket"
    bogus.write_text("hello", encoding="utf-8")
    gate = AgentConfigGate(managed_settings=None)
    ctx = context(tmp_path)
    ctx = GateContext(
        policy=ctx.policy,
        db_path=ctx.db_path,
        project_dir=ctx.project_dir,
        home=ctx.home,
        tmux_socket=str(bogus),
    )
    result = await gate.run(ctx)
    assert result.status is GateStatus.ERROR
    assert str(bogus) in result.summary
    assert bogus.read_text(encoding="utf-8") == "hello"  # nothing replaced it
