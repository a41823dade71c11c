"""Start an agent CLI pinned under tools/ in a tmux pane, with a clean environment.

Shared by `codex_cli` and `gemini_cli` (Claude Code has its own helper, `claude_code`). tmux is
driven one command at a time through `yesman.tmux.TmuxServer.run`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from yesman.tmux import TmuxServer

__all__ = ["REPO_ROOT", "CliNotInstalledError", "base_env", "pinned_version", "start_in_tmux"]

REPO_ROOT: Final = Path(__file__).resolve().parents[2]

# Variables from the user's setup that would change what a child agent does.
_SCRUBBED: Final = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "CODEX_HOME",
    "CODEX_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GOOGLE_GEMINI_BASE_URL",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_GCA",
    "GEMINI_CLI_HOME",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "ALL_PROXY",
)


class CliNotInstalledError(FileNotFoundError):
    """A pinned agent CLI is not installed; the message says how to install it."""


def pinned_version(folder: Path, package: str) -> str:
    """The version ``folder/package.json`` pins ``package`` at."""
    deps = json.loads((folder / "package.json").read_text(encoding="utf-8"))["dependencies"]
    return str(deps[package])


def base_env(home: Path) -> dict[str, str]:
    """What every agent needs: a private HOME, a real terminal type, UTF-8, true colour."""
    return {
        "HOME": str(home),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
    }


async def _tmux(socket: str, *args: str) -> str:
    code, out, err = await TmuxServer(socket_name=socket).run(*args, timeout=30.0)
    if code != 0:
        raise RuntimeError(f"tmux -L {socket} {' '.join(args[:2])} failed ({code}): {err}")
    return out


async def start_in_tmux(
    *,
    socket: str,
    cwd: Path,
    argv: Sequence[str],
    env: Mapping[str, str],
    width: int = 120,
    height: int = 40,
    session: str = "agent",
    keep_dead_pane: bool = True,
) -> str:
    """Run ``argv`` in a new session (or a new window of an existing ``session``); its pane id."""
    command = ["env", *(a for name in _SCRUBBED for a in ("-u", name))]
    command += [f"{k}={v}" for k, v in env.items()]
    command += list(argv)
    size = ["-x", str(width), "-y", str(height)]
    code, _, _ = await TmuxServer(socket_name=socket).run("has-session", "-t", f"={session}")
    fmt = ["-d", "-P", "-F", "#{pane_id}"]
    if code == 0:
        out = await _tmux(
            socket, "new-window", *fmt, "-t", f"={session}:", "-c", str(cwd), "--", *command
        )
        pane = out.strip()
        await _tmux(socket, "resize-window", "-t", pane, *size)
    else:
        out = await _tmux(
            socket, "new-session", *fmt, "-s", session, *size, "-c", str(cwd), "--", *command
        )
        pane = out.strip()
    await _tmux(socket, "set-option", "-g", "focus-events", "on")
    await _tmux(socket, "set-option", "-w", "-t", pane, "window-size", "manual")
    if keep_dead_pane:
        await _tmux(socket, "set-option", "-w", "-t", pane, "remain-on-exit", "on")
    return pane


def executable(path: Path, install_hint: str) -> Path:
    """``path`` when it is an executable file, else CliNotInstalledError with ``install_hint``."""
    if path.is_file() and os.access(path, os.X_OK):
        return path
    raise CliNotInstalledError(f"{path} is not installed: {install_hint}")
