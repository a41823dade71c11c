"""Peeling wrappers off commands."""

from __future__ import annotations

import pytest

from yesman.policy._unwrap import shell_reads_stdin, unwrap


@pytest.mark.parametrize(
    ("command", "program"),
    [
        ("sudo -u root -- ls -l", ["ls", "-l"]),
        ("env -i FOO=1 -u BAR ls", ["ls"]),
        ("nice -n 5 ionice -c 3 ls", ["ls"]),
        ("timeout -k 5 -s KILL 30 ls", ["ls"]),
        ("nohup setsid stdbuf -o0 ls", ["ls"]),
        ("A=1 B=2 exec -a name ls", ["ls"]),
        ("/usr/bin/sudo ls", ["ls"]),
        ("xargs -0 -n 1 ls", ["ls"]),
        ("xargs", ["echo"]),
        ("if ! ls", ["ls"]),
        ("function f { ls", ["ls"]),
        ("coproc worker { ls", ["ls"]),
        ("coproc ls", ["ls"]),
        ("npx -p typescript tsc --noEmit", ["tsc", "--noEmit"]),
        ("pnpm dlx create-vite app", ["create-vite", "app"]),
        ("npm exec -- eslint .", ["eslint", "."]),
        ("strace -f -o t.txt ls", ["ls"]),
        ("chrt -f 10 ls", ["ls"]),
        ("parallel -j 4 gzip ::: a b", ["gzip"]),
        ("parallel", ["sh"]),
        ("fd -e py -x wc -l", ["wc", "-l"]),
    ],
)
def test_wrappers_are_removed(command: str, program: list[str]) -> None:
    assert unwrap(command.split()).words == program


def test_shell_c_and_eval_hand_back_their_strings() -> None:
    assert unwrap(["bash", "-lc", "rm x", "name"]).strings == ["rm x"]
    assert unwrap(["eval", "rm", "x"]).strings == ["rm x"]
    assert unwrap(["env", "-S", "rm x"]).strings == ["rm x"]
    assert unwrap(["su", "-c", "rm x", "root"]).strings == ["rm x"]


def test_command_strings_of_trap_alias_sg_script_and_npx() -> None:
    assert unwrap(["trap", "rm x", "EXIT"]).strings == ["rm x"]
    assert unwrap(["trap", "-", "EXIT"]).strings == []
    assert unwrap(["alias", "ll=ls -la", "x=rm y"]).strings == ["ls -la", "rm y"]
    assert unwrap(["sg", "docker", "-c", "rm x"]).strings == ["rm x"]
    assert unwrap(["sg", "docker", "rm", "x"]).strings == ["rm x"]
    assert unwrap(["script", "-q", "-c", "rm x", "/dev/null"]).strings == ["rm x"]
    assert unwrap(["npx", "-c", "rm x"]).strings == ["rm x"]


def test_xargs_and_chdir_are_reported() -> None:
    assert unwrap(["xargs", "rm"]).stdin_args
    assert unwrap(["env", "-C", "/", "rm"]).cwd_unknown
    assert unwrap(["command", "-v", "rm"]).words == []


def test_shell_reading_stdin() -> None:
    assert shell_reads_stdin(["sh"])
    assert shell_reads_stdin(["bash", "-s", "--", "x"])
    assert not shell_reads_stdin(["bash", "script.sh"])
