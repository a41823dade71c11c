"""Finding the pinned Claude Code copies (``tools/claude-code*``) the e2e suite runs against.

(Named apart from a future ``test_claude_code.py`` so the launcher's other tests can land there.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.claude_code import (
    ClaudeCodeNotFoundError,
    PinnedClaude,
    find_claude_binary,
    pinned_claude_installs,
)


def _pin(root: Path, folder: str, version: str, *, lock: bool = True) -> Path:
    where = root / "tools" / folder
    where.mkdir(parents=True)
    package = {"private": True, "dependencies": {"@anthropic-ai/claude-code": version}}
    (where / "package.json").write_text(json.dumps(package), encoding="utf-8")
    if lock:
        (where / "package-lock.json").write_text("{}", encoding="utf-8")
    return where


def _install(folder: Path, *, size: int) -> Path:
    """What `npm ci` leaves: ``.bin/claude`` (the native binary, or a small placeholder)."""
    binary = folder / "node_modules" / ".bin" / "claude"
    binary.parent.mkdir(parents=True)
    binary.write_bytes(b"\0" * size)
    binary.chmod(0o755)
    return binary


def test_every_locked_folder_is_listed_oldest_version_first(tmp_path: Path) -> None:
    current = _pin(tmp_path, "claude-code", "2.1.332")
    older = _pin(tmp_path, "claude-code-2.1.197", "2.1.197")
    _pin(tmp_path, "claude-code-scratch", "2.2.0", lock=False)  # not pinned: no lock file
    _pin(tmp_path, "other-tool", "1.0.0")
    assert pinned_claude_installs(tmp_path) == [
        PinnedClaude(older, "2.1.197"),
        PinnedClaude(current, "2.1.332"),
    ]
    assert [p.id for p in pinned_claude_installs(tmp_path)] == ["claude-2.1.197", "claude-2.1.332"]


def test_versions_sort_as_numbers_not_text(tmp_path: Path) -> None:
    _pin(tmp_path, "claude-code-2.1.99", "2.1.99")
    _pin(tmp_path, "claude-code", "2.1.100")
    assert [p.version for p in pinned_claude_installs(tmp_path)] == ["2.1.99", "2.1.100"]


def test_a_version_dir_is_the_only_place_looked_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _pin(tmp_path, "claude-code-2.1.197", "2.1.197")
    other = _install(tmp_path / "elsewhere", size=2 * 1024 * 1024)
    monkeypatch.setenv("YESMAN_CLAUDE_BIN", str(other))
    with pytest.raises(ClaudeCodeNotFoundError, match=r"npm ci --prefix .*claude-code-2\.1\.197"):
        pinned_claude_installs(tmp_path)[0].binary()
    binary = _install(folder, size=2 * 1024 * 1024)
    assert find_claude_binary(version_dir=folder) == binary
    assert pinned_claude_installs(tmp_path)[0].binary() == binary


def test_a_placeholder_wrapper_falls_back_to_the_native_package(tmp_path: Path) -> None:
    folder = _pin(tmp_path, "claude-code", "2.1.332")
    _install(folder, size=100)  # npm's placeholder: its postinstall did not run
    native = folder / "node_modules" / "@anthropic-ai" / "claude-code-linux-x64" / "claude"
    native.parent.mkdir(parents=True)
    native.write_bytes(b"\0")
    with pytest.raises(ClaudeCodeNotFoundError):
        find_claude_binary(version_dir=folder)  # not executable yet
    native.chmod(0o755)
    assert find_claude_binary(version_dir=folder) == native
