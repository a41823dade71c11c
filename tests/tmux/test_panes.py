"""PaneInfo parsing and listing."""

from __future__ import annotations

import pytest

from yesman.testing import PrivateTmuxServer
from yesman.tmux import ControlClient
from yesman.tmux._panes import parse_pane_lines

SEP = "\x1f"


def _line(title: str = "t", path: str = "/home/x") -> str:
    fields = ["%4", "1234", "$1", "my session", "@2", "3", "1", "80", "24", "0", "node", path]
    return SEP.join([*fields, title])


def test_parse_fields() -> None:
    (pane,) = parse_pane_lines([_line()])
    assert pane.identity == ("%4", 1234)
    assert (pane.session_id, pane.session_name, pane.window_id) == ("$1", "my session", "@2")
    assert (pane.window_index, pane.pane_index, pane.width, pane.height) == (3, 1, 80, 24)
    assert (pane.current_command, pane.current_path, pane.dead) == ("node", "/home/x", False)


def test_title_containing_the_separator_is_kept_whole() -> None:
    (pane,) = parse_pane_lines([_line(title=f"a{SEP}b")])
    assert pane.title == f"a{SEP}b"


def test_garbage_lines_are_skipped_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    panes = parse_pane_lines(["", "nonsense", _line().replace("%4", "4"), _line()])
    assert [p.pane_id for p in panes] == ["%4"]
    assert "unreadable list-panes line" in caplog.text


@pytest.mark.tmux
async def test_list_panes_covers_every_session(tmux_server: PrivateTmuxServer) -> None:
    first = tmux_server.new_session("one", width=90, height=20)
    second = tmux_server.new_session("two")
    split = tmux_server.split(second)
    tmux_server.run("select-pane", "-t", first, "-T", "my title")
    async with ControlClient(tmux_server.server) as client:
        panes = {p.pane_id: p for p in await client.list_panes()}
        assert set(panes) == {first, second, split}
        one = panes[first]
        assert one.session_name == "one"
        assert (one.width, one.height) == (90, 20)
        assert one.pane_pid == tmux_server.pane_pid(first)
        assert one.current_command == "cat"
        assert one.title == "my title"
        assert not one.dead
        assert panes[split].window_id == panes[second].window_id
        assert panes[split].pane_index != panes[second].pane_index
        assert client.panes().keys() == panes.keys()
