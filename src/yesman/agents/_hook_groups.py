"""yesman's entry in an agent's hook settings: the matcher-group layout Claude Code and Codex
share (``{"hooks": {"<Event>": [{"matcher": "*", "hooks": [{"type": "command", ...}]}]}}``).

Each agent's `AgentHook` keeps what is its own (the file, its top-level keys, what to do with an
emptied table); these functions read and change the groups of one event without touching the
user's other entries: yesman's entry is recognised by its command (``<path>/yesman hook ...``),
updated where it stands, and removed alone.
"""

from __future__ import annotations

import shlex
from typing import Any, Final

from yesman.agents._hook import HookSettingsError, InstalledHook

__all__ = ["add_entry", "drop_entries", "event_groups", "is_yesman_entry", "yesman_entries"]

_MATCH_ALL: Final = "*"


def event_groups(doc: dict[str, Any], event: str, *, create: bool = False) -> list[Any] | None:
    """``doc["hooks"][event]`` (created empty with ``create``), None when absent;
    HookSettingsError when the file holds something else there, so nothing is overwritten."""
    hooks = doc.get("hooks")
    if hooks is not None and not isinstance(hooks, dict):
        raise HookSettingsError('"hooks" is not a JSON object')
    groups = None if hooks is None else hooks.get(event)
    if groups is not None and not isinstance(groups, list):
        raise HookSettingsError(f'"hooks.{event}" is not a JSON array')
    if groups is None and create:
        groups = doc.setdefault("hooks", {})[event] = []
    return groups


def is_yesman_entry(item: object) -> bool:
    """A hook entry that runs ``<path>/yesman hook ...``."""
    if not isinstance(item, dict) or item.get("type") != "command":
        return False
    command = item.get("command")
    if not isinstance(command, str):
        return False
    try:
        argv = shlex.split(command)
    except ValueError:
        return False
    return len(argv) >= 2 and argv[0].rsplit("/", 1)[-1] == "yesman" and argv[1] == "hook"


def add_entry(groups: list[Any], entry: dict[str, Any]) -> None:
    """Put ``entry`` in place of the first yesman entry (dropping any others), else append it
    in a match-all group of its own after the user's groups."""
    placed = False
    for group in groups:
        hooks = group.get("hooks") if isinstance(group, dict) else None
        if not isinstance(hooks, list):
            continue
        kept: list[Any] = []
        for item in hooks:
            if not is_yesman_entry(item):
                kept.append(item)
            elif not placed:
                kept.append(entry)  # updated where it stands: the user's entries keep theirs
                placed = True
        group["hooks"] = kept
    if not placed:
        groups.append({"matcher": _MATCH_ALL, "hooks": [entry]})


def drop_entries(groups: list[Any]) -> list[Any]:
    """The groups without yesman's entries; a group left empty by that is dropped."""
    kept_groups: list[Any] = []
    for group in groups:
        hooks = group.get("hooks") if isinstance(group, dict) else None
        if not isinstance(hooks, list) or not any(is_yesman_entry(h) for h in hooks):
            kept_groups.append(group)
            continue
        rest = [h for h in hooks if not is_yesman_entry(h)]
        if rest:
            group["hooks"] = rest
            kept_groups.append(group)
    return kept_groups


def yesman_entries(groups: list[Any] | None) -> list[tuple[int, int, InstalledHook]]:
    """yesman's entries with their places (group index, entry index)."""
    found: list[tuple[int, int, InstalledHook]] = []
    for g, group in enumerate(groups or []):
        hooks = group.get("hooks") if isinstance(group, dict) else None
        for h, item in enumerate(hooks if isinstance(hooks, list) else []):
            if is_yesman_entry(item):
                timeout = item.get("timeout")
                number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
                found.append(
                    (g, h, InstalledHook(item["command"], float(timeout) if number else None))
                )
    return found
