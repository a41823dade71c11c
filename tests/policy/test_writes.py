"""Which words of a command are the paths it changes, option parsing included."""

from __future__ import annotations

import pytest

from yesman.policy._writes import Effect, Target, file_writes


def targets(command: str, stdin_args: bool = False) -> list[tuple[str, Effect]] | None:
    name, *args = command.split()
    writes = file_writes(name, args, stdin_args)
    return None if writes is None else [(t.path, t.effect) for t in writes.targets]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("mv a b", [("a", Effect.MOVE), ("b", Effect.WRITE)]),
        ("mv -t /etc a b", [("a", Effect.MOVE), ("b", Effect.MOVE), ("/etc", Effect.WRITE)]),
        ("mv --target-directory=/etc a", [("a", Effect.MOVE), ("/etc", Effect.WRITE)]),
        ("cp -r src/ /etc/x -f", [("/etc/x", Effect.WRITE)]),
        ("cp -S .bak a b", [("b", Effect.WRITE)]),
        ("cp -t/usr/bin a b", [("/usr/bin", Effect.WRITE)]),
        ("ln -sf ../x link", [("link", Effect.WRITE)]),
        ("ln -s ../x", []),
        ("install -d /opt/a /opt/b", [("/opt/a", Effect.WRITE), ("/opt/b", Effect.WRITE)]),
        ("install -m 755 app /usr/bin/app", [("/usr/bin/app", Effect.WRITE)]),
        ("rsync -a --delete src/ dst/", [("dst/", Effect.DELETE)]),
        ("rsync -e ssh -a src/ dst/", [("dst/", Effect.WRITE)]),
        ("truncate -s 0 a b", [("a", Effect.WRITE), ("b", Effect.WRITE)]),
        ("shred -n 3 -u key", [("key", Effect.WRITE)]),
        ("tee -a log other", [("log", Effect.WRITE), ("other", Effect.WRITE)]),
        ("chmod -x /usr/bin/python3", [("/usr/bin/python3", Effect.MODE)]),
        ("chmod --reference=a b", [("b", Effect.MODE)]),
        ("chown -R me:me dir", [("dir", Effect.MODE)]),
        ("sed -i s/a/b/ f1 f2", [("f1", Effect.WRITE), ("f2", Effect.WRITE)]),
        ("sed -i.bak -e s/a/b/ f1", [("f1", Effect.WRITE)]),
        ("curl -sSLo out.json http://x", [("out.json", Effect.WRITE)]),
        ("curl -H X:1 -o /etc/x http://x", [("/etc/x", Effect.WRITE)]),
        ("wget -P /opt http://x", [("/opt", Effect.WRITE)]),
        ("sort -o /etc/x y", [("/etc/x", Effect.WRITE)]),
        ("tar xzf a.tgz -C /", [("/", Effect.WRITE)]),
        ("tar -czf /etc/a.tgz src", [("/etc/a.tgz", Effect.WRITE)]),
        ("unzip -d /opt a.zip", [("/opt", Effect.WRITE)]),
    ],
)
def test_changed_paths(command: str, expected: list[tuple[str, Effect]]) -> None:
    assert targets(command) == expected


@pytest.mark.parametrize(
    "command",
    ["ls -la", "cat /etc/hosts", "sed -n 1,5p f", "curl -s http://x", "tar tf a.tar", "make"],
)
def test_programs_that_change_nothing(command: str) -> None:
    assert targets(command) is None


def test_recursive_delete_is_marked() -> None:
    writes = file_writes("rm", ["-rf", "build"], False)
    assert writes is not None
    assert writes.targets == (Target("build", Effect.DELETE, recursive=True),)


def test_paths_from_xargs_are_unseen() -> None:
    assert file_writes("rm", ["-f"], True) == file_writes("rm", [], False)
    rm = file_writes("rm", ["-f"], True)
    assert rm is not None
    assert rm.unseen
    cp_into = file_writes("cp", ["-t", "build"], True)
    assert cp_into is not None
    assert not cp_into.unseen  # the destination is named; xargs only adds sources


def test_remote_destinations_are_marked() -> None:
    writes = file_writes("scp", ["-P", "22", "app", "host:/usr/bin/"], False)
    assert writes is not None
    assert writes.targets[0].remote
    local = file_writes("scp", ["host:/x", "./a:b"], False)
    assert local is not None
    assert not local.targets[0].remote
