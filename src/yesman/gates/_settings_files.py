"""Claude Code's settings files: where they are and what each holds, read without trusting them.

Claude Code merges up to four layers, highest first: managed settings (deployed by an
administrator; ``/etc/claude-code/managed-settings.json`` on Linux, plus ``*.json`` drop-ins in
``managed-settings.d/`` beside it), local project settings (``.claude/settings.local.json``, not
committed), project settings (``.claude/settings.json``, committed) and user settings
(``settings.json`` in ``$CLAUDE_CONFIG_DIR``, by default ``~/.claude``). Rule lists merge across
layers; a single value (``defaultMode``) comes from the highest layer that sets it.

A file that is not valid JSON is ignored whole by Claude Code (it says "Found invalid settings
files. They will be ignored."), so its deny rules protect nothing. Reading here never raises:
a file that cannot be read or parsed comes back with ``error`` set and the JSON error's position.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

__all__ = ["MANAGED_SETTINGS", "SettingsFile", "SettingsScope", "read_settings", "settings_files"]

MANAGED_SETTINGS: Final = Path("/etc/claude-code/managed-settings.json")
"""Where Claude Code reads managed (administrator) settings on Linux and WSL."""

_MAX_BYTES: Final = 4 * 1024 * 1024  # a settings file is a few kB; refuse to slurp a huge one


class SettingsScope(StrEnum):
    """Which layer a settings file belongs to, highest precedence first."""

    MANAGED = "managed"
    LOCAL = "local"
    PROJECT = "project"
    USER = "user"


@dataclass(frozen=True, slots=True)
class SettingsFile:
    """One settings file as found on disk.

    ``data`` is the parsed top-level object, None when the file could not be used; ``error``
    then says why (``line``, when known, is where the JSON parser stopped). ``text`` is the raw
    text, kept to point findings at the line of a key.
    """

    scope: SettingsScope
    path: Path
    data: Mapping[str, Any] | None
    text: str = ""
    error: str | None = None
    line: int | None = None

    def where(self, line: int | None = None) -> str:
        """``path`` or ``path:line`` for a finding."""
        at = line if line is not None else self.line
        return str(self.path) if at is None else f"{self.path}:{at}"


def read_settings(scope: SettingsScope, path: Path) -> SettingsFile | None:
    """The file at ``path`` read as settings; None when there is no file there."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:  # permissions, a folder in its place, an I/O error
        reason = exc.strerror or exc.__class__.__name__
        return SettingsFile(scope, path, None, error=f"cannot be read ({reason})")
    if len(raw) > _MAX_BYTES:
        return SettingsFile(
            scope, path, None, error=f"is larger than {_MAX_BYTES // 1024 // 1024} MB; not read"
        )
    try:
        text = raw.decode("utf-8-sig")  # an editor's BOM is not an error worth reporting
    except UnicodeDecodeError as exc:
        return SettingsFile(scope, path, None, error=f"is not UTF-8 text ({exc.reason})")
    if not text.strip():
        return SettingsFile(scope, path, {}, text=text)  # an empty file sets nothing
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return SettingsFile(
            scope,
            path,
            None,
            text=text,
            error=f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            line=exc.lineno,
        )
    if not isinstance(data, dict):
        kind = type(data).__name__
        return SettingsFile(
            scope, path, None, text=text, error=f"holds a JSON {kind}, not an object"
        )
    return SettingsFile(scope, path, data, text=text)


def _user_dir(home: Path, environ: Mapping[str, str]) -> Path:
    custom = environ.get("CLAUDE_CONFIG_DIR", "")
    return Path(custom).expanduser() if custom else home / ".claude"


def _git_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git`` (a folder, or a worktree's
    file), or None outside a repository."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _candidates(
    *, home: Path, project_dir: Path, managed: Path | None, environ: Mapping[str, str]
) -> Iterator[tuple[SettingsScope, Path]]:
    if managed is not None:
        yield SettingsScope.MANAGED, managed
        drop_ins = managed.parent / "managed-settings.d"
        try:
            names = sorted(e.name for e in os.scandir(drop_ins) if e.name.endswith(".json"))
        except OSError:
            names = []
        for name in names:
            yield SettingsScope.MANAGED, drop_ins / name
    project = project_dir.absolute()
    yield SettingsScope.LOCAL, project / ".claude" / "settings.local.json"
    # Newer Claude Code saves "don't ask again" rules at the repository root, older ones in the
    # folder it was started in; both are read.
    root = _git_root(project)
    if root is not None and root != project:
        yield SettingsScope.LOCAL, root / ".claude" / "settings.local.json"
    yield SettingsScope.PROJECT, project / ".claude" / "settings.json"
    yield SettingsScope.USER, _user_dir(home, environ) / "settings.json"


def settings_files(
    *,
    home: Path,
    project_dir: Path,
    managed: Path | None = MANAGED_SETTINGS,
    environ: Mapping[str, str] | None = None,
) -> list[SettingsFile]:
    """Every settings file that exists for a session started in ``project_dir``, highest
    precedence first. ``managed`` None skips managed settings."""
    env = os.environ if environ is None else environ
    found: list[SettingsFile] = []
    seen: set[Path] = set()
    for scope, path in _candidates(
        home=home, project_dir=project_dir, managed=managed, environ=env
    ):
        if path in seen:  # the project is the home folder: ~/.claude/settings.json is both
            continue
        seen.add(path)
        read = read_settings(scope, path)
        if read is not None:
            found.append(read)
    return found
