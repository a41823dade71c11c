"""Start the real Gemini CLI (tools/gemini-cli) in tmux, isolated and pointed at `gemini_api`.

``HOME`` is a throw-away folder: ``~/.gemini/settings.json`` selects API-key auth (else the CLI
asks how to sign in) and turns off update checks and usage statistics;
``~/.gemini/trustedFolders.json`` trusts the given folders (else the CLI asks whether to trust
the project). ``GOOGLE_GEMINI_BASE_URL`` and ``GEMINI_API_KEY`` point it at the stand-in; a fixed
model (``-m``) spares the model router's side request.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from support.agent_cli import REPO_ROOT, base_env, executable, pinned_version, start_in_tmux

__all__ = [
    "GEMINI_DIR",
    "GEMINI_PACKAGE",
    "gemini_binary",
    "gemini_env",
    "gemini_version",
    "prepare_gemini_home",
    "start_gemini",
]

GEMINI_DIR: Final = REPO_ROOT / "tools" / "gemini-cli"
GEMINI_PACKAGE: Final = "@google/gemini-cli"
MODEL: Final = "gemini-2.5-pro"


def gemini_binary(folder: Path = GEMINI_DIR) -> Path:
    return executable(
        folder / "node_modules" / ".bin" / "gemini", f"run `npm ci --prefix {folder}`"
    )


def gemini_version(binary: Path | None = None) -> str:
    out = subprocess.run(
        [str(binary or gemini_binary()), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return out.strip().split()[-1] if out.strip() else ""


def pinned_gemini_version() -> str:
    return pinned_version(GEMINI_DIR, GEMINI_PACKAGE)


def prepare_gemini_home(
    home: Path, *, trusted: Iterable[Path] = (), settings: Mapping[str, Any] | None = None
) -> Path:
    """Write ``home/.gemini/settings.json`` and ``trustedFolders.json``; return ``home``."""
    folder = home / ".gemini"
    folder.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        "security": {"auth": {"selectedType": "gemini-api-key"}},
        "general": {"disableAutoUpdate": True, "disableUpdateNag": True},
        "privacy": {"usageStatisticsEnabled": False},
    }
    config |= dict(settings or {})
    (folder / "settings.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    trust = {str(Path(p).resolve()): "TRUST_FOLDER" for p in trusted}
    (folder / "trustedFolders.json").write_text(json.dumps(trust, indent=2), encoding="utf-8")
    return home


def gemini_env(home: Path, base_url: str) -> dict[str, str]:
    return base_env(home) | {
        "GEMINI_API_KEY": "yesman-standin-key",
        "GOOGLE_GEMINI_BASE_URL": base_url,
    }


async def start_gemini(
    *,
    socket: str,
    home: Path,
    cwd: Path,
    base_url: str,
    prompt: str | None = "do the task",
    args: Sequence[str] = (),
    binary: Path | None = None,
    width: int = 120,
    height: int = 40,
    session: str = "gemini",
    extra_env: Mapping[str, str] | None = None,
) -> str:
    """Start Gemini CLI in tmux; with ``prompt`` it runs that prompt first (``-i``)."""
    argv = [str(binary or gemini_binary()), "-m", MODEL, *args]
    if prompt is not None:
        argv += ["-i", prompt]
    return await start_in_tmux(
        socket=socket,
        cwd=cwd,
        argv=argv,
        env=gemini_env(home, base_url) | dict(extra_env or {}),
        width=width,
        height=height,
        session=session,
    )
