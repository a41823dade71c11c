"""Side doors: env variables, git settings, editors, ssh and containers that run other code."""

from __future__ import annotations

import shlex

import pytest

from yesman.policy._indirect import indirect_execution


def inside(path: str) -> bool:
    return path.startswith(("./", "src", "$PWD"))


def side_door(command: str, *assignments: str) -> str | None:
    name, *args = shlex.split(command)
    return indirect_execution(name, args, list(assignments), inside)


@pytest.mark.parametrize(
    ("command", "assignments", "expected"),
    [
        ("git fetch", ("GIT_SSH_COMMAND=sh -c x",), "sets GIT_SSH_COMMAND"),
        ("ls", ("LD_PRELOAD=/tmp/x.so",), "sets LD_PRELOAD"),
        ("git -c core.pager='!sh' log", (), "git -c core.pager"),
        ("git -c alias.x='!rm -rf /' x", (), "git -c alias.x"),
        ("vim -c ':!ls'", (), "vim runs editor commands"),
        ("nvim '+!ls'", (), "nvim runs editor commands"),
        ("emacs --batch --eval '(x)'", (), "emacs evaluates Lisp"),
        ("ssh -p 2222 host rm -rf /", (), "runs a command on another machine (rm -rf /)"),
        ("docker run -v /etc:/e img", (), "mounts /etc"),
        ("podman run --mount type=bind,source=/,target=/h img", (), "mounts /"),
        ("docker run --privileged img", (), "--privileged"),
    ],
)
def test_side_doors_are_named(command: str, assignments: tuple[str, ...], expected: str) -> None:
    found = side_door(command, *assignments)
    assert found is not None
    assert expected in found


@pytest.mark.parametrize(
    "command",
    [
        "git -c user.name=dev commit -m x",
        "git log -c",
        "vim +10 file",
        "ssh -p 2222 host",
        "docker run -v ./src:/src img",
        "docker run -v cache:/root/.cache img",
        "docker run img -v /:/h",
        "docker build -t x .",
    ],
)
def test_ordinary_uses_are_not_side_doors(command: str) -> None:
    assert side_door(command, "NODE_ENV=test") is None
