"""Installing yesman's hook in an agent's settings file, and taking it out again exactly.

    outcome = install_hook(CLAUDE_CODE, HookScope.USER, command=hook_command(exe, CLAUDE_CODE),
                           home=Path.home(), project=Path.cwd())
    uninstall_hook(CLAUDE_CODE, HookScope.USER, home=Path.home(), project=Path.cwd())

What it promises:

* Nothing of the user's is lost. The file is parsed (it must be a JSON object in UTF-8, else
  `HookInstallError` and nothing is written), yesman's entry is added beside the user's own
  hooks and settings (the agent's `AgentHook.install` says where), and the result is written
  atomically (a temporary file renamed over it, with the old file's permissions).
* Idempotent: installing again with the same command changes nothing (not even the
  formatting); with another command (a new path, other options) the entry is updated in place.
* A backup: before the first change, the file's exact bytes (or the fact that there was no
  file) go into ``<settings file>.yesman-backup``, a JSON document readable by its owner only
  (settings may hold secrets), together with a digest of what yesman wrote.
* Uninstall restores exactly: when the file is still what yesman wrote, the backup is put back
  byte for byte (or the file removed, and its folder, ``.claude`` or ``.codex``, too if yesman
  created it and it is empty). When someone changed the file since, only yesman's entry is taken
  out and their changes stay (the file is then rewritten as indented JSON).
* What is left to do is said: some agents run a new hook only once the user has trusted it
  (Codex); `HookLocation.pending` and `hook_pending_step` say so, from the agent's own files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from yesman.agents import Agent, AgentHook, HookScope, HookSettingsError, InstalledHook
from yesman.hooks._errors import HookInstallError

__all__ = [
    "DEFAULT_TIMEOUT",
    "HookLocation",
    "InstallOutcome",
    "backup_path",
    "hook_command",
    "hook_pending_step",
    "hook_status",
    "install_hook",
    "uninstall_hook",
]

DEFAULT_TIMEOUT: Final = 10  # seconds the agent gives the hook before it shows the dialog
_BACKUP_SUFFIX: Final = ".yesman-backup"
_BACKUP_VERSION: Final = 1
_MAX_SETTINGS: Final = 4 * 1024 * 1024


class InstallOutcome(StrEnum):
    INSTALLED = "installed"  # yesman's entry was added
    UPDATED = "updated"  # an older yesman entry was replaced
    UNCHANGED = "unchanged"  # already installed with this command
    RESTORED = "restored"  # uninstalled: the file is back to its exact bytes before yesman
    REMOVED = "removed"  # uninstalled: yesman's entry taken out, later changes kept
    NOT_INSTALLED = "not installed"  # uninstall found nothing of yesman's


@dataclass(frozen=True, slots=True)
class HookLocation:
    """One settings file of an agent and yesman's entries in it (``problem``: unreadable;
    ``pending``: what the user must still do before the agent runs yesman's entry)."""

    agent: str
    scope: HookScope
    path: Path
    exists: bool
    hooks: tuple[InstalledHook, ...] = ()
    problem: str | None = None
    backup: bool = False
    pending: str | None = None

    @property
    def installed(self) -> bool:
        return bool(self.hooks)


def backup_path(settings: Path) -> Path:
    return settings.with_name(settings.name + _BACKUP_SUFFIX)


def hook_command(
    executable: Path,
    agent: Agent,
    *,
    no_watcher: str = "evaluate",
    policy: Path | None = None,
    db: Path | None = None,
    reply_timeout: float | None = None,
) -> str:
    """The command line the agent runs: the absolute yesman executable (agents may run with
    another ``PATH``), ``hook``, and the options that differ from the hook's defaults."""
    argv = [str(executable.absolute()), "hook"]
    if agent.name != "claude-code":
        argv += ["--agent", agent.name]
    if no_watcher != "evaluate":
        argv += ["--no-watcher", no_watcher]
    if policy is not None:
        argv += ["--policy", str(policy.absolute())]
    if db is not None:
        argv += ["--db", str(db.absolute())]
    if reply_timeout is not None:
        argv += ["--timeout", f"{reply_timeout:g}"]
    return shlex.join(argv)


def install_hook(
    agent: Agent,
    scope: HookScope,
    *,
    command: str,
    home: Path,
    project: Path,
    timeout: int = DEFAULT_TIMEOUT,
) -> tuple[InstallOutcome, Path]:
    """Add (or update) yesman's hook in the scope's settings file; (what happened, the file)."""
    hook = _hook_of(agent)
    path = _settings_file(agent, hook, scope, home=home, project=project)
    raw = _read(path)
    doc = _parse(path, raw)
    had_ours = bool(hook.find(doc))
    try:
        new = hook.install(doc, command, timeout)
    except HookSettingsError as exc:
        raise HookInstallError(f"{path}: {exc}; nothing was changed", path) from exc
    if new == doc:
        return InstallOutcome.UNCHANGED, path
    data = _dump(new)
    backup = _read_backup(path)
    created_folder = not path.parent.exists()
    if backup is None or not had_ours:
        # What uninstall restores: the file as it is now, without yesman. (An entry of ours
        # with its backup gone: the best that can be restored is the file without the entry.)
        original = raw if not had_ours or raw is None else _dump(hook.uninstall(doc))
        backup = {
            "yesman_backup": _BACKUP_VERSION,
            "existed": raw is not None,
            "original": None if original is None else original.decode("utf-8"),
            "created_folder": created_folder,
        }
    backup["installed_sha256"] = hashlib.sha256(data).hexdigest()
    if created_folder:
        path.parent.mkdir(parents=False, mode=0o755)
    _write_atomic(backup_path(path), _dump(backup), mode=0o600)
    _write_atomic(path, data, mode=_mode_of(path, default=0o644))
    return (InstallOutcome.UPDATED if had_ours else InstallOutcome.INSTALLED), path


def uninstall_hook(
    agent: Agent, scope: HookScope, *, home: Path, project: Path
) -> tuple[InstallOutcome, Path]:
    """Take yesman's hook out of the scope's settings file (see the module docstring)."""
    hook = _hook_of(agent)
    path = _settings_file(agent, hook, scope, home=home, project=project)
    raw = _read(path)
    backup = _read_backup(path)
    written = None if backup is None else backup.get("installed_sha256")
    if raw is not None and backup is not None and hashlib.sha256(raw).hexdigest() == written:
        # Still exactly what yesman wrote: put back what was there before, byte for byte.
        _restore(path, backup)
        return InstallOutcome.RESTORED, path
    if raw is None:
        _drop_backup(path)
        return InstallOutcome.NOT_INSTALLED, path
    doc = _parse(path, raw)
    if not hook.find(doc):
        _drop_backup(path)
        return InstallOutcome.NOT_INSTALLED, path
    try:
        new = hook.uninstall(doc)
    except HookSettingsError as exc:
        raise HookInstallError(f"{path}: {exc}; nothing was changed", path) from exc
    _write_atomic(path, _dump(new), mode=_mode_of(path, default=0o644))
    _drop_backup(path)
    return InstallOutcome.REMOVED, path


def hook_status(
    agent: Agent, *, home: Path, project: Path, scopes: Sequence[HookScope] = tuple(HookScope)
) -> list[HookLocation]:
    """Every settings file of the agent (among ``scopes``; those it has no file for are left
    out) and yesman's entries in each."""
    hook = _hook_of(agent)
    found: list[HookLocation] = []
    for scope in scopes:
        try:
            path = hook.settings_file(scope, home=home, project=project)
        except HookSettingsError:
            continue
        has_backup = backup_path(path).exists()
        try:
            raw = _read(path)
            doc = _parse(path, raw)
        except HookInstallError as exc:
            found.append(HookLocation(agent.name, scope, path, True, problem=str(exc)))
            continue
        found.append(
            HookLocation(
                agent.name,
                scope,
                path,
                raw is not None,
                hook.find(doc),
                backup=has_backup,
                pending=hook.pending_step(path, doc, home=home),
            )
        )
    return found


def hook_pending_step(
    agent: Agent, scope: HookScope, *, home: Path, project: Path, changed: bool = False
) -> str | None:
    """What the user must still do before the agent runs the hook installed in ``scope``
    (``changed``: it was just installed or updated); None when nothing is known to be missing."""
    hook = _hook_of(agent)
    path = _settings_file(agent, hook, scope, home=home, project=project)
    doc = _parse(path, _read(path))
    return hook.pending_step(path, doc, home=home, changed=changed)


# -- files


def _hook_of(agent: Agent) -> AgentHook:
    if agent.hook is None:
        raise HookInstallError(
            f"{agent.display_name} has no permission hook yesman can use; yesman watches its "
            "screen instead",
            Path(),
        )
    return agent.hook


def _settings_file(
    agent: Agent, hook: AgentHook, scope: HookScope, *, home: Path, project: Path
) -> Path:
    try:
        return hook.settings_file(scope, home=home, project=project)
    except HookSettingsError as exc:
        raise HookInstallError(f"{agent.display_name}: {exc}", Path()) from exc


def _read(path: Path) -> bytes | None:
    try:
        with path.open("rb") as f:
            data = f.read(_MAX_SETTINGS + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise HookInstallError(f"{path}: cannot read it ({exc.strerror or exc})", path) from exc
    if len(data) > _MAX_SETTINGS:
        raise HookInstallError(f"{path}: larger than 4 MiB; is this a settings file?", path)
    return data


def _parse(path: Path, raw: bytes | None) -> dict[str, Any]:
    if raw is None or not raw.strip():
        return {}
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise HookInstallError(
            f"{path}: not UTF-8 text ({exc.reason}); fix it first", path
        ) from exc
    except ValueError as exc:
        raise HookInstallError(
            f"{path}: not valid JSON ({exc}); fix it first, nothing was changed", path
        ) from exc
    if not isinstance(doc, dict):
        raise HookInstallError(f"{path}: holds a JSON {type(doc).__name__}, not an object", path)
    return doc


def _dump(doc: object) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _mode_of(path: Path, *, default: int) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return default


def _write_atomic(path: Path, data: bytes, *, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _read_backup(path: Path) -> dict[str, Any] | None:
    """The backup beside ``path``, None when there is none or it is not one of ours."""
    try:
        data = json.loads(backup_path(path).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("yesman_backup") != _BACKUP_VERSION:
        return None
    original = data.get("original")
    if data.get("existed") is True and not isinstance(original, str):
        return None
    return data


def _drop_backup(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        backup_path(path).unlink()


def _restore(path: Path, backup: dict[str, Any]) -> None:
    if backup.get("existed"):
        original: str = backup["original"]
        _write_atomic(path, original.encode("utf-8"), mode=_mode_of(path, default=0o644))
    else:
        path.unlink()
    _drop_backup(path)
    if backup.get("created_folder"):
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only when empty
