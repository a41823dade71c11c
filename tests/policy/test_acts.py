"""Acts held wherever they happen: rewriting shared git history, signalling many processes,
powering off the machine."""

from __future__ import annotations

import pytest

from yesman.policy._acts import git_danger, kill_danger, powers_off


@pytest.mark.parametrize(
    ("line", "held"),
    [
        ("push --force origin main", True),
        ("push -f", True),
        ("push origin +main", True),
        ("push origin :old-branch", True),
        ("-C repo push --mirror", True),
        ("reset --hard HEAD~1", True),
        ("push origin main", False),
        ("reset --soft HEAD~1", False),
        ("-c core.pager=cat log", False),
        ("", False),
    ],
)
def test_git(line: str, held: bool) -> None:
    assert (git_danger(line.split()) is not None) is held


@pytest.mark.parametrize(
    ("line", "held"),
    [
        ("kill -9 -1", True),
        ("kill -1", True),
        ("kill -- -1234", True),
        ("kill 1", True),
        ("kill -s KILL 0", True),
        ("killall python", True),
        ("pkill -9 .", True),
        ("pkill -u me", True),  # no pattern at all
        ("kill -9 4321", False),
        ("kill -TERM 4321 4322", False),
        ("pkill -f myserver", False),
    ],
)
def test_kill(line: str, held: bool) -> None:
    name, *args = line.split()
    assert (kill_danger(name, args) is not None) is held


@pytest.mark.parametrize(
    ("line", "held"),
    [
        ("shutdown -h now", True),
        ("init 6", True),
        ("systemctl poweroff", True),
        ("loginctl suspend", True),
        ("init 3", False),
        ("systemctl restart nginx", False),
    ],
)
def test_power(line: str, held: bool) -> None:
    name, *args = line.split()
    assert powers_off(name, args) is held
