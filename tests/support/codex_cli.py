"""Start the real Codex CLI (tools/codex) in tmux, isolated and pointed at `openai_api`.

Everything Codex reads or writes lives under a throw-away ``CODEX_HOME`` (``<home>/.codex``):
its ``config.toml`` names the stand-in as the model provider (``wire_api = "responses"``,
``env_key`` for the key, no retries so an error shows at once), sets the approval policy
``on-request`` with the ``workspace-write`` sandbox (Codex's default for a trusted folder) and
marks the project trusted, so the folder-trust dialog is skipped unless ``trusted=False``. ``/tmp``
is taken out of the writable roots, so a patch outside the project asks for approval.

Codex 0.171 starts a shared background app server ("daemon") by default, which copies the whole
~400 MB package under ``CODEX_HOME`` and outlives the TUI; ``--no-daemon`` keeps the app server in
the TUI's own process, so nothing is left running after a test.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final

from support.agent_cli import REPO_ROOT, base_env, executable, pinned_version, start_in_tmux

__all__ = [
    "CODEX_DIR",
    "CODEX_PACKAGE",
    "codex_binary",
    "codex_env",
    "codex_version",
    "prepare_codex_home",
    "start_codex",
]

CODEX_DIR: Final = REPO_ROOT / "tools" / "codex"
CODEX_PACKAGE: Final = "@openai/codex"
API_KEY_VAR: Final = "YESMAN_STANDIN_OPENAI_KEY"
MODEL: Final = "gpt-5.4"


def codex_binary(folder: Path = CODEX_DIR) -> Path:
    """The ``codex`` launcher npm installed in ``folder`` (node runs it; it runs the native
    binary of the platform package)."""
    return executable(folder / "node_modules" / ".bin" / "codex", f"run `npm ci --prefix {folder}`")


def codex_version(binary: Path | None = None) -> str:
    out = subprocess.run(
        [str(binary or codex_binary()), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return out.split()[-1] if out.split() else out.strip()


def pinned_codex_version() -> str:
    return pinned_version(CODEX_DIR, CODEX_PACKAGE)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def prepare_codex_home(
    home: Path,
    base_url: str,
    *,
    trusted: Iterable[Path] = (),
    sandbox: str = "workspace-write",
    approval: str = "on-request",
    extra: str = "",
) -> Path:
    """Write ``home/.codex/config.toml``; return ``home``."""
    codex_home = home / ".codex"
    codex_home.mkdir(parents=True, exist_ok=True)
    lines = [
        f"model = {_toml_string(MODEL)}",
        'model_provider = "standin"',
        f"approval_policy = {_toml_string(approval)}",
        f"sandbox_mode = {_toml_string(sandbox)}",
        "check_for_update_on_startup = false",
        "",
        "[model_providers.standin]",
        'name = "Stand-in"',
        f"base_url = {_toml_string(base_url.rstrip('/') + '/v1')}",
        f"env_key = {_toml_string(API_KEY_VAR)}",
        'wire_api = "responses"',
        "request_max_retries = 0",
        "stream_max_retries = 0",
        "",
        # /tmp is writable in workspace-write by default; tests keep their files under /tmp and
        # need a write outside the project to ask.
        "[sandbox_workspace_write]",
        "exclude_slash_tmp = true",
        "exclude_tmpdir_env_var = true",
        "",
        "[tui]",
        "screen_reader_detection_done = true",
        "",
    ]
    for folder in trusted:
        lines += [
            f"[projects.{_toml_string(str(Path(folder).resolve()))}]",
            'trust_level = "trusted"',
            "",
        ]
    (codex_home / "config.toml").write_text("\n".join(lines) + extra, encoding="utf-8")
    return home


def codex_env(home: Path) -> dict[str, str]:
    return base_env(home) | {
        "CODEX_HOME": str(home / ".codex"),
        API_KEY_VAR: "sk-yesman-standin-0000",
    }


async def start_codex(
    *,
    socket: str,
    home: Path,
    cwd: Path,
    prompt: str | None = "do the task",
    args: Sequence[str] = (),
    binary: Path | None = None,
    width: int = 120,
    height: int = 40,
    session: str = "codex",
    extra_env: Mapping[str, str] | None = None,
) -> str:
    """Start Codex in tmux (``--no-daemon``); its pane id."""
    argv = [str(binary or codex_binary()), "--no-daemon", *args]
    if prompt is not None:
        argv.append(prompt)
    return await start_in_tmux(
        socket=socket,
        cwd=cwd,
        argv=argv,
        env=codex_env(home) | dict(extra_env or {}),
        width=width,
        height=height,
        session=session,
    )
