"""Resolving the paths a command changes against the project folder, following cd."""

from __future__ import annotations

import pytest

from yesman.policy._paths import ProjectPaths
from yesman.policy._writes import Effect, Target

PROJECT = "/home/me/proj"
HOME = "/home/me"


def paths() -> tuple[ProjectPaths, list[str]]:
    reasons: list[str] = []
    return ProjectPaths(PROJECT, HOME, reasons.append), reasons


@pytest.mark.parametrize(
    ("path", "resolved"),
    [
        ("src/a.py", f"{PROJECT}/src/a.py"),
        ("../other", "/home/me/other"),
        ("~/x", f"{HOME}/x"),
        ("$HOME/x", f"{HOME}/x"),
        ("${PWD}/x", f"{PROJECT}/x"),
        ("/etc/passwd", "/etc/passwd"),
        ("~root/x", None),
        ("$OUT/x", None),
    ],
)
def test_resolve(path: str, resolved: str | None) -> None:
    p, _ = paths()
    assert p.resolve(path) == resolved


def test_cd_is_followed_and_an_unknown_cd_makes_relative_paths_unknown() -> None:
    p, _ = paths()
    p.change_dir(["sub"])
    assert p.resolve("a") == f"{PROJECT}/sub/a"
    p.change_dir([])
    assert p.cwd == HOME
    p.change_dir(["-"])
    assert p.resolve("a") is None
    assert p.resolve("/tmp/a") == "/tmp/a"


@pytest.mark.parametrize(
    ("target", "held"),
    [
        (Target("build/x", Effect.DELETE), False),
        (Target("/tmp/scratch", Effect.WRITE), False),
        (Target("/dev/null", Effect.WRITE, sink_ok=True), False),
        (Target("/etc/x", Effect.WRITE), True),
        (Target("{a,/etc/b}", Effect.WRITE), True),
        (Target(".", Effect.DELETE, recursive=True), True),  # the project folder itself
        (Target("build", Effect.DELETE, recursive=True), False),
        (Target("*", Effect.DELETE, recursive=True), False),
        (Target(".*", Effect.DELETE, recursive=True), True),  # matches '..'
        (Target("host:/x", Effect.WRITE, remote=True), True),
    ],
)
def test_targets(target: Target, held: bool) -> None:
    p, reasons = paths()
    p.check_target("cmd", target)
    assert bool(reasons) is held, reasons


def test_redirects_outside_the_project_are_held() -> None:
    p, reasons = paths()
    p.check_redirects(((">", "out.txt"), ("2>", "/dev/null"), (">>", "/tmp/log"), (">&", "2")))
    assert reasons == []
    p.check_redirects(((">", "/etc/hosts"), (">", "/dev/sda")))
    assert len(reasons) == 2
