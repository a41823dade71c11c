"""The processes running in a pane: the tree under its pane pid.

Whether an agent runs in a pane is decided from this tree (say, `node .../claude-code/cli.js` or
a `claude` binary), never from a substring of `pane_current_command`.

Cost: finding children means knowing every process's parent. On Linux that is one read of
`/proc/N/stat` per process on the machine (about 20 µs each here, so ~2 ms for 90 processes),
done once per call; `process_trees()` answers many panes with a single scan. Details (name,
cmdline, create time) are read with psutil only for the processes in the tree.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import psutil

__all__ = ["ProcessInfo", "find_in_tree", "process_tree", "process_trees"]


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """One process. (`pid`, `create_time`) identifies it even after pid reuse."""

    pid: int
    ppid: int
    name: str
    cmdline: tuple[str, ...]
    create_time: float
    depth: int  # 0 for the pane's own process, 1 for its children ...


def _parent_map_proc() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        name = entry.name
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                data = stat.read()
        except OSError:  # exited while we looked
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so cut at the last ')'
        fields = data[data.rfind(b")") + 2 :].split(b" ", 2)
        try:
            parents[int(name)] = int(fields[1])
        except (IndexError, ValueError):
            continue
    return parents


def _parent_map() -> dict[int, int]:
    if sys.platform.startswith("linux") and os.path.isdir("/proc/self"):
        return _parent_map_proc()
    parents: dict[int, int] = {}
    for proc in psutil.process_iter(["ppid"]):
        ppid = proc.info.get("ppid")
        if isinstance(ppid, int):
            parents[proc.pid] = ppid
    return parents


def _details(pid: int, ppid: int, depth: int) -> ProcessInfo | None:
    try:
        proc = psutil.Process(pid)
        with proc.oneshot():
            name = proc.name()
            create_time = proc.create_time()
            try:
                cmdline = tuple(proc.cmdline())
            except psutil.AccessDenied:
                cmdline = ()
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return None
    return ProcessInfo(pid, ppid, name, cmdline, create_time, depth)


def _tree(root: int, children: dict[int, list[int]], parents: dict[int, int]) -> list[ProcessInfo]:
    out: list[ProcessInfo] = []
    level = [root]
    depth = 0
    seen: set[int] = set()
    while level:
        following: list[int] = []
        for pid in level:
            if pid in seen:
                continue
            seen.add(pid)
            info = _details(pid, parents.get(pid, 0), depth)
            if info is None:
                continue  # gone: so is whatever it would have shown
            out.append(info)
            following.extend(sorted(children.get(pid, ())))
        level = following
        depth += 1
    return out


def process_trees(pane_pids: Iterable[int]) -> dict[int, list[ProcessInfo]]:
    """The tree (root first, breadth first) under each pid, from one scan of the process table.

    A pid that no longer exists maps to an empty list.
    """
    parents = _parent_map()
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    return {root: _tree(root, children, parents) if root > 0 else [] for root in set(pane_pids)}


def process_tree(pane_pid: int) -> list[ProcessInfo]:
    """The pane's process and all its descendants, root first (empty if it has exited)."""
    return process_trees([pane_pid])[pane_pid]


def find_in_tree(pane_pid: int, predicate: Callable[[ProcessInfo], bool]) -> ProcessInfo | None:
    """The shallowest process under `pane_pid` (itself included) for which `predicate` holds."""
    for info in process_tree(pane_pid):
        if predicate(info):
            return info
    return None
