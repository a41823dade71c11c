"""Diffing two looks at a server into notifications."""

from __future__ import annotations

import dataclasses

from yesman.tmux import (
    PaneAdded,
    PaneClosed,
    PaneCommandChanged,
    PaneDied,
    PaneInfo,
    SessionAdded,
    SessionClosed,
    SessionRenamed,
)
from yesman.tmux._topology import Topology, diff_topology


def pane(pane_id: str, pid: int, session: str = "$0", name: str = "main") -> PaneInfo:
    return PaneInfo(pane_id, pid, session, name, "@0", 0, 0, 80, 24, "cat", "/", False, "")


def test_nothing_changed_means_no_news() -> None:
    look = Topology.from_panes([pane("%0", 10), pane("%1", 11)])
    assert diff_topology(look, look) == []
    # fields that only describe (size, title) are not news either
    resized = dataclasses.replace(pane("%0", 10), width=120, title="x")
    assert diff_topology(look, Topology.from_panes([resized, pane("%1", 11)])) == []


def test_a_new_foreground_command_is_news() -> None:
    look = Topology.from_panes([pane("%0", 10)])
    vim = dataclasses.replace(pane("%0", 10), current_command="vim")
    assert diff_topology(look, Topology.from_panes([vim])) == [PaneCommandChanged(vim, "cat")]


def test_first_look_reports_everything_as_added() -> None:
    assert diff_topology(Topology(), Topology.from_panes([pane("%0", 10)])) == [
        SessionAdded("$0", "main"),
        PaneAdded(pane("%0", 10)),
    ]


def test_closed_renamed_respawned_died() -> None:
    old = Topology.from_panes([pane("%0", 10), pane("%1", 11), pane("%2", 12, "$1", "other")])
    died = dataclasses.replace(pane("%1", 11, name="renamed"), dead=True)
    new = Topology.from_panes([pane("%0", 99, name="renamed"), died])
    assert diff_topology(old, new) == [
        SessionRenamed("$0", "main", "renamed"),
        PaneClosed(pane("%0", 10)),  # same id, new pid: respawned
        PaneClosed(pane("%2", 12, "$1", "other")),
        PaneAdded(pane("%0", 99, name="renamed")),
        PaneDied(died),
        SessionClosed("$1", "other"),
    ]


def test_everything_gone() -> None:
    old = Topology.from_panes([pane("%0", 10)])
    assert diff_topology(old, Topology()) == [
        PaneClosed(pane("%0", 10)),
        SessionClosed("$0", "main"),
    ]


def test_a_linked_window_counts_its_panes_once() -> None:
    look = Topology.from_panes([pane("%0", 10, "$0", "a"), pane("%0", 10, "$1", "b")])
    assert list(look.panes) == ["%0"]
    assert dict(look.sessions) == {"$0": "a", "$1": "b"}
