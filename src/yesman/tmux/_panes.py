"""`PaneInfo`: one pane as `list-panes` describes it, identified by `%pane_id` and pane pid."""

from __future__ import annotations

import logging
from dataclasses import dataclass

__all__ = ["PANE_FORMAT", "PaneInfo", "parse_pane_lines"]

logger = logging.getLogger(__name__)

# Unit separator between fields: tmux passes it through untouched, and it does not occur in
# ids, numbers or command names. The two free-text fields (path, title) come last; a title
# containing the separator is re-joined rather than misread.
_SEP = "\x1f"
_FIELDS = (
    "pane_id",
    "pane_pid",
    "session_id",
    "session_name",
    "window_id",
    "window_index",
    "pane_index",
    "pane_width",
    "pane_height",
    "pane_dead",
    "pane_current_command",
    "pane_current_path",
    "pane_title",
)
PANE_FORMAT = _SEP.join(f"#{{{name}}}" for name in _FIELDS)


@dataclass(frozen=True, slots=True)
class PaneInfo:
    """A snapshot of one pane. `pane_id` (`%N`) and `pane_pid` identify it; indices only describe.

    `session_name` is the name at the time of the snapshot; sessions can be renamed, so code
    that follows a pane should key on `pane_id` and `session_id`.
    """

    pane_id: str
    pane_pid: int
    session_id: str
    session_name: str
    window_id: str
    window_index: int
    pane_index: int
    width: int
    height: int
    current_command: str
    current_path: str
    dead: bool
    title: str

    @property
    def identity(self) -> tuple[str, int]:
        """What makes a pane the same pane: its id and the pid of its first process."""
        return (self.pane_id, self.pane_pid)


def _parse_line(line: str) -> PaneInfo:
    parts = line.split(_SEP)
    if len(parts) < len(_FIELDS):
        raise ValueError(f"expected {len(_FIELDS)} fields, got {len(parts)}")
    head = parts[: len(_FIELDS) - 1]
    title = _SEP.join(parts[len(_FIELDS) - 1 :])
    (pane_id, pid, session_id, session_name, window_id, window_index, pane_index) = head[:7]
    (width, height, dead, command, path) = head[7:]
    if not (pane_id.startswith("%") and session_id.startswith("$") and window_id.startswith("@")):
        raise ValueError("ids are not %pane / $session / @window")
    return PaneInfo(
        pane_id=pane_id,
        # a pane whose process has not started yet reports an empty pid
        pane_pid=int(pid) if pid else 0,
        session_id=session_id,
        session_name=session_name,
        window_id=window_id,
        window_index=int(window_index),
        pane_index=int(pane_index),
        width=int(width),
        height=int(height),
        current_command=command,
        current_path=path,
        dead=dead == "1",
        title=title,
    )


def parse_pane_lines(lines: list[str]) -> list[PaneInfo]:
    """Parse `list-panes -F PANE_FORMAT` output; malformed lines are logged and skipped."""
    panes: list[PaneInfo] = []
    for line in lines:
        if not line:
            continue
        try:
            panes.append(_parse_line(line))
        except ValueError as exc:
            logger.warning("skipping unreadable list-panes line %r: %s", line, exc)
    return panes
