"""Whether Codex will run the hook yesman installed, and if not, what the user must do.

Codex runs a hook from ``hooks.json`` only when all of these hold (measured on 0.171.0, and in
Codex's hooks documentation):

* hooks are not switched off: ``[features] hooks = false`` (or the older ``codex_hooks``) in
  ``$CODEX_HOME/config.toml`` stops them all;
* a project's ``.codex/hooks.json`` is read only when Codex trusts the project
  (``[projects."<folder>"] trust_level = "trusted"``, what its "Trust this folder?" dialog writes);
* the user trusted the hook. At start Codex says "Hooks need review ... 1 hook is new or changed"
  and offers "Review hooks", "Trust all and continue" and "Continue without trusting (hooks won't
  run)"; ``/hooks`` reviews them later. Trusting writes ``[hooks.state."<hooks.json>:
  permission_request:<group>:<handler>"] trusted_hash = "sha256:..."`` to the user's
  ``config.toml``, for user and project hooks alike; ``enabled = false`` there switches one off.

The hash is Codex's own digest of the entry, not documented, so yesman does not compute it (nor
write trust for the user: ``--dangerously-bypass-hook-trust`` exists for automation that vets its
hooks, and yesman leaves that choice to the user). A trust recorded for an older version of the
entry therefore reads as trusted here; yesman says so when it has just changed the entry.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

__all__ = ["TRUST_STEP", "pending_step"]

_EVENT_KEY: Final = "permission_request"
TRUST_STEP: Final = (
    "Codex runs a new or changed hook only once you trust it: start codex, and when it says "
    '"Hooks need review", choose "Review hooks" (or type /hooks later) and trust yesman\'s '
    "PermissionRequest hook in {path}. Until then Codex asks as before and yesman answers on "
    "screen."
)


def pending_step(
    path: Path,
    places: Sequence[tuple[int, int]],
    *,
    codex_home: Path,
    user_file: Path,
    changed: bool = False,
) -> str | None:
    """What the user must still do before Codex runs yesman's entries at ``places`` (group,
    handler) of ``path``; None when Codex's files say it will run them. ``changed``: yesman has
    just written the entry, so whatever trust Codex recorded was for something else."""
    config = codex_home / "config.toml"
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return (
            f"cannot read {config} ({exc}) to tell whether Codex will run yesman's hook; "
            "check it with /hooks in Codex"
        )
    features = _table(data.get("features"))
    if features.get("hooks") is False or features.get("codex_hooks") is False:
        return (
            f"hooks are switched off in {config} ([features] hooks = false): set it to true, or "
            "Codex never runs yesman's hook"
        )
    if not _same(path, user_file):
        project = path.parent.parent
        if not _trusted_project(project, _table(data.get("projects"))):
            return (
                f"Codex reads {path} only in a project it trusts: start codex in {project} and "
                f'trust the folder when it asks (it writes [projects."{project}"] trust_level = '
                f'"trusted" to {config}); then trust the hook as it asks'
            )
    states = _table(_table(data.get("hooks")).get("state"))
    trusted = True
    for group, handler in places:
        state = _state(states, path, f":{_EVENT_KEY}:{group}:{handler}")
        if state.get("enabled") is False:
            return (
                f"yesman's hook in {path} is switched off in Codex: switch it on with /hooks "
                f"(or remove its enabled = false in {config})"
            )
        if changed or not isinstance(state.get("trusted_hash"), str):
            trusted = False
    return None if trusted else TRUST_STEP.format(path=path)


def _state(states: Mapping[str, Any], path: Path, suffix: str) -> Mapping[str, Any]:
    """The ``hooks.state`` entry of one place in ``path`` (keys name the file by its path)."""
    for key, value in states.items():
        if key.endswith(suffix) and _same(Path(key[: -len(suffix)]), path):
            return _table(value)
    return {}


def _trusted_project(project: Path, projects: Mapping[str, Any]) -> bool:
    """Does Codex trust ``project``, or a folder above it (a repository's root)?"""
    here = os.path.realpath(project)
    for folder, settings in projects.items():
        if _table(settings).get("trust_level") != "trusted":
            continue
        root = os.path.realpath(folder)
        if here == root or here.startswith(root.rstrip("/") + "/"):
            return True
    return False


def _same(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _table(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
