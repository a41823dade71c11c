"""The process tree under a pane."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from yesman.testing import PrivateTmuxServer, eventually
from yesman.tmux import find_in_tree, process_tree, process_trees


def test_tree_of_this_process_includes_a_child() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        tree = process_tree(os.getpid())
        assert tree[0].pid == os.getpid()
        assert tree[0].depth == 0
        found = {p.pid: p for p in tree}
        assert found[child.pid].ppid == os.getpid()
        assert found[child.pid].depth == 1
        assert found[child.pid].cmdline[-1] == "import time; time.sleep(30)"
        assert found[child.pid].create_time > 0
    finally:
        child.kill()
        child.wait()


def test_a_vanished_pid_has_an_empty_tree() -> None:
    assert process_tree(2**22 + 12345) == []
    assert process_trees([0]) == {0: []}


@pytest.mark.tmux
def test_find_the_program_running_in_a_pane(tmux_server: PrivateTmuxServer) -> None:
    # a shell that starts a fake agent (a named python script) and waits for it
    script = "import time; time.sleep(60)"
    shell = f"{sys.executable} -c '{script}' fake-agent-cli.js; sleep 60"
    pane = tmux_server.new_session("proc", ["sh", "-c", shell])
    pane_pid = tmux_server.pane_pid(pane)

    def agent() -> object:
        return find_in_tree(pane_pid, lambda p: "fake-agent-cli.js" in p.cmdline)

    found = eventually(agent)
    tree = process_tree(pane_pid)
    assert tree[0].pid == pane_pid
    assert tree[0].name == "sh"
    assert found in tree
    assert find_in_tree(pane_pid, lambda p: "no-such-thing" in p.cmdline) is None
    both = process_trees([pane_pid, os.getpid()])
    assert both[pane_pid][0].pid == pane_pid
    assert both[os.getpid()][0].pid == os.getpid()
