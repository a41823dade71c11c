"""Start the real Claude Code CLI in a tmux pane, isolated and pointed at the API stand-in.

Everything Claude Code reads or writes lives under a throw-away HOME, so tests never touch the
user's own configuration and start from a known state: onboarding done, the API key approved
or not (``approve_api_key``), and each project folder trusted or not (``trusted``), which is how
tests choose to meet the trust and API-key dialogs or skip them.

tmux is driven one command at a time through `yesman.tmux.TmuxServer.run` (a subprocess each,
no control connection), so this helper can set up the conditions the control client is tested
under.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from yesman.tmux import TmuxServer

__all__ = [
    "DEFAULT_API_KEY",
    "ClaudeCodeNotFoundError",
    "ClaudeLaunch",
    "PinnedClaude",
    "claude_env",
    "claude_version",
    "find_claude_binary",
    "pinned_claude_installs",
    "prepare_home",
    "start_claude",
]

# Shaped like a real key (Claude Code shows its tail in the API-key dialog); it opens nothing.
DEFAULT_API_KEY: Final = "sk-ant-api03-yesman-test-key-0000000000000000000000AA"

_REPO_ROOT: Final = Path(__file__).resolve().parents[2]  # tests/support/claude_code.py
_LOCAL_BIN: Final = Path("tools/claude-code/node_modules/.bin/claude")
_PACKAGE: Final = "@anthropic-ai/claude-code"
_PINNED_DIR: Final = _LOCAL_BIN.parents[2]  # tools/claude-code; others: tools/claude-code-<v>
# The real CLI is a native executable of a few hundred MB; npm's placeholder is tiny.
_PLACEHOLDER_MAX_BYTES: Final = 1024 * 1024

# Variables from an enclosing Claude Code (or the user's setup) that would change what the
# child does: nested-session detection, another config dir, real credentials, a proxy.
_SCRUBBED: Final = (
    "CLAUDECODE",
    "CLAUDE_CODE_ENTRYPOINT",
    "CLAUDE_CONFIG_DIR",
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_VERTEX",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_MODEL",
    "ANTHROPIC_SMALL_FAST_MODEL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
)


class ClaudeCodeNotFoundError(FileNotFoundError):
    """No Claude Code binary could be found."""


def find_claude_binary(repo_root: Path | None = None, *, version_dir: Path | None = None) -> Path:
    """``$YESMAN_CLAUDE_BIN``, else the pinned copy under tools/claude-code, else PATH.

    With ``version_dir`` (a folder installed with ``npm ci --prefix``, see
    :func:`pinned_claude_installs`) only that folder is looked in.
    """
    if version_dir is not None:
        found_here = _installed_in(version_dir)
        if found_here is None:
            raise ClaudeCodeNotFoundError(
                f"Claude Code is not installed in {version_dir}: "
                f"run `npm ci --prefix {version_dir}`"
            )
        return found_here
    configured = os.environ.get("YESMAN_CLAUDE_BIN")
    if configured:
        path = Path(configured)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ClaudeCodeNotFoundError(
                f"YESMAN_CLAUDE_BIN={configured!r} is not an executable file; fix or unset it"
            )
        return path
    local = _installed_in((repo_root or _REPO_ROOT) / _PINNED_DIR)
    if local is not None:
        return local
    found = shutil.which("claude")
    if found:
        return Path(found)
    raise ClaudeCodeNotFoundError(
        "Claude Code is not installed: run `npm ci --prefix tools/claude-code` in the repository "
        "(or set YESMAN_CLAUDE_BIN to a claude executable)"
    )


def _installed_in(folder: Path) -> Path | None:
    """The claude executable ``npm ci --prefix folder`` installed, or None."""
    modules = folder / "node_modules"
    local = modules / ".bin" / "claude"
    if local.exists() and os.access(local, os.X_OK):
        if local.stat().st_size > _PLACEHOLDER_MAX_BYTES:
            return local
        # npm left the wrapper's placeholder (its postinstall did not run): use the native
        # binary from the platform package directly, which is what the postinstall copies.
        for native in sorted(modules.glob("@anthropic-ai/claude-code-*/claude")):
            if os.access(native, os.X_OK):
                return native
    return None


@dataclass(frozen=True, slots=True)
class PinnedClaude:
    """One pinned Claude Code folder (``tools/claude-code*``) and the version it pins."""

    folder: Path
    version: str  # as package.json pins it, e.g. ``2.1.332``

    @property
    def id(self) -> str:
        """A readable test id: ``claude-2.1.332``."""
        return f"claude-{self.version}"

    def binary(self) -> Path:
        """Its executable; ClaudeCodeNotFoundError (saying how to install it) when missing."""
        return find_claude_binary(version_dir=self.folder)


def pinned_claude_installs(repo_root: Path | None = None) -> list[PinnedClaude]:
    """Every ``tools/claude-code*`` folder with a lock file, oldest version first, installed
    or not (:meth:`PinnedClaude.binary` says which)."""
    tools = (repo_root or _REPO_ROOT) / _PINNED_DIR.parent
    pinned: list[PinnedClaude] = []
    for folder in sorted(tools.glob(f"{_PINNED_DIR.name}*")):
        package = folder / "package.json"
        if not (folder / "package-lock.json").is_file() or not package.is_file():
            continue
        deps = json.loads(package.read_text(encoding="utf-8")).get("dependencies", {})
        version = deps.get(_PACKAGE)
        if isinstance(version, str):
            pinned.append(PinnedClaude(folder, version))
    return sorted(pinned, key=lambda p: tuple(int(x) for x in re.findall(r"\d+", p.version)))


def claude_version(binary: Path | None = None) -> str:
    """The version Claude Code reports, e.g. ``2.1.332``."""
    exe = binary or find_claude_binary()
    # A throw-away HOME: even `--version` must not touch the user's configuration.
    with tempfile.TemporaryDirectory(prefix="yesman-claude-") as home:
        out = subprocess.run(
            [str(exe), "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env={**_clean_base_env(), "HOME": home, "DISABLE_AUTOUPDATER": "1"},
        ).stdout
    return out.split()[0] if out.split() else out.strip()


def _api_key_tail(api_key: str) -> str:
    # Claude Code remembers approved keys by their last 20 characters.
    return api_key[-20:]


def prepare_home(
    home: Path,
    *,
    api_key: str = DEFAULT_API_KEY,
    approve_api_key: bool = True,
    trusted: Iterable[Path] = (),
    auto_mode: bool = False,
    extra_config: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``home/.claude.json`` (and ``home/.claude/settings.json``); return ``home``.

    ``trusted`` folders skip the workspace trust dialog; any other folder shows it.
    ``approve_api_key=False`` leaves the key unapproved so the API-key dialog appears.
    ``auto_mode=True`` keeps Claude Code's auto permission mode available, as on a fresh
    install: it then offers to make auto mode the default at start, and permission dialogs gain
    a "switch to auto mode" option.
    """
    home.mkdir(parents=True, exist_ok=True)
    projects = {
        str(Path(p).resolve()): {
            "allowedTools": [],
            "hasTrustDialogAccepted": True,
            "hasCompletedProjectOnboarding": True,
            "projectOnboardingSeenCount": 1,
        }
        for p in trusted
    }
    config: dict[str, Any] = {
        "hasCompletedOnboarding": True,
        "lastOnboardingVersion": "2.1.332",
        "theme": "dark",
        "numStartups": 5,
        "autoUpdates": False,
        "hasSeenTasksHint": True,
        "hasAcknowledgedCostThreshold": True,
        "bypassPermissionsModeAccepted": False,
        "customApiKeyResponses": {
            "approved": [_api_key_tail(api_key)] if approve_api_key else [],
            "rejected": [],
        },
        "projects": projects,
    }
    config |= dict(extra_config or {})
    (home / ".claude.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    claude_dir = home / ".claude"
    claude_dir.mkdir(exist_ok=True)
    # 2.1.x defaults to "auto" mode, where a classifier answers permission prompts itself; the
    # dialogs yesman exists for only appear in the "default" mode.
    user_settings: dict[str, Any] = {"permissions": {"defaultMode": "default"}}
    if not auto_mode:
        user_settings["disableAutoMode"] = "disable"
    user_settings |= dict(settings or {})
    (claude_dir / "settings.json").write_text(json.dumps(user_settings, indent=2), encoding="utf-8")
    return home


def _clean_base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _SCRUBBED}


def claude_env(home: Path, base_url: str, api_key: str = DEFAULT_API_KEY) -> dict[str, str]:
    """The variables Claude Code needs to run offline against ``base_url`` from ``home``."""
    return {
        "HOME": str(home),
        "ANTHROPIC_BASE_URL": base_url,
        "ANTHROPIC_API_KEY": api_key,
        "DISABLE_AUTOUPDATER": "1",
        "DISABLE_TELEMETRY": "1",
        "DISABLE_ERROR_REPORTING": "1",
        "DISABLE_BUG_COMMAND": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "CLAUDE_CODE_DISABLE_TERMINAL_TITLE": "1",
        "CLAUDE_CODE_IDE_SKIP_AUTO_INSTALL": "1",
        "CLAUDE_CODE_MAX_RETRIES": "0",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }


@dataclass(frozen=True, slots=True)
class ClaudeLaunch:
    """Where and how to start Claude Code; ``start_claude`` turns it into a pane."""

    socket: str
    home: Path
    cwd: Path
    base_url: str
    width: int = 120
    height: int = 40
    api_key: str = DEFAULT_API_KEY
    args: Sequence[str] = ()
    session: str | None = None
    binary: Path | None = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    # Keep the pane (dead) after Claude Code exits, so its last screen can be inspected.
    keep_dead_pane: bool = True


async def _tmux(socket: str, *args: str) -> str:
    code, out, err = await TmuxServer(socket_name=socket).run(*args, timeout=30.0)
    if code != 0:
        raise RuntimeError(f"tmux -L {socket} {' '.join(args[:2])} failed ({code}): {err}")
    return out


async def start_claude(launch: ClaudeLaunch) -> str:
    """Start Claude Code in a new session (or a new window of ``launch.session``); return its
    pane id (``%N``). The tmux server on ``launch.socket`` is started if it is not running."""
    if launch.width < 20 or launch.height < 10:
        raise ValueError(f"pane {launch.width}x{launch.height} is too small for Claude Code")
    binary = launch.binary or find_claude_binary()
    env = claude_env(launch.home, launch.base_url, launch.api_key) | dict(launch.extra_env)
    # `env -u` clears what the tmux server's global environment would otherwise leak in.
    argv = ["env", *(a for name in _SCRUBBED for a in ("-u", name))]
    argv += [f"{k}={v}" for k, v in env.items()]
    argv += [str(binary), *launch.args]
    size = ["-x", str(launch.width), "-y", str(launch.height)]
    target_session = launch.session
    if target_session is not None and await _has_session(launch.socket, target_session):
        out = await _tmux(
            launch.socket,
            "new-window",
            "-d",
            "-P",
            "-F",
            "#{pane_id}",
            "-t",
            f"={target_session}:",
            "-c",
            str(launch.cwd),
            "--",
            *argv,
        )
        pane = out.strip()
        await _tmux(launch.socket, "resize-window", "-t", pane, *size)
    else:
        name = ["-s", target_session] if target_session else []
        out = await _tmux(
            launch.socket,
            "new-session",
            "-d",
            "-P",
            "-F",
            "#{pane_id}",
            *name,
            *size,
            "-c",
            str(launch.cwd),
            "--",
            *argv,
        )
        pane = out.strip()
    # Without focus events Claude Code prints a tmux hint above its input box.
    await _tmux(launch.socket, "set-option", "-g", "focus-events", "on")
    # A fixed size, whatever clients attach later.
    await _tmux(launch.socket, "set-option", "-w", "-t", pane, "window-size", "manual")
    if launch.keep_dead_pane:
        await _tmux(launch.socket, "set-option", "-w", "-t", pane, "remain-on-exit", "on")
    return pane


async def _has_session(socket: str, session: str) -> bool:
    code, _, _ = await TmuxServer(socket_name=socket).run("has-session", "-t", f"={session}")
    return code == 0
