"""Resolving the paths a command changes against the project folder, following cd."""

from __future__ import annotations

from pathlib import Path

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


def test_a_symlink_in_the_project_that_leads_out_makes_paths_through_it_outside(
    tmp_path: Path,
) -> None:
    project = tmp_path / "app"
    (project / "build").mkdir(parents=True)
    (project / "out").symlink_to("/etc")
    (project / "up").symlink_to("..")
    reasons: list[str] = []
    p = ProjectPaths(str(project), HOME, reasons.append)
    assert p.inside(str(project / "build" / "x"), allow_root=False)
    assert not p.inside(str(project / "out" / "hosts"), allow_root=False)
    assert not p.inside(str(project / "up" / "other"), allow_root=False)
    # The project lies under /tmp, but /etc through the link is no scratch space.
    p.check_target("cp", Target("out/hosts", Effect.WRITE))
    p.check_redirects(((">", "out/hosts"),))
    p.check_target("rm", Target("up/other", Effect.DELETE, recursive=True))
    assert len(reasons) == 3, reasons
    p.check_target("rm", Target("build/x", Effect.DELETE, recursive=True))
    assert len(reasons) == 3, reasons


def test_a_link_made_earlier_on_the_line_counts_as_leading_out() -> None:
    p, reasons = paths()
    p.add_link("out")
    assert not p.inside(f"{PROJECT}/out/x", allow_root=False)
    assert p.inside(f"{PROJECT}/other/x", allow_root=False)
    p.check_target("rm", Target("out/x", Effect.DELETE))
    assert reasons == ["rm deletes out/x, outside the project"]
