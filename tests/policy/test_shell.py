"""Splitting command lines into simple commands."""

from __future__ import annotations

import pytest

from yesman.policy._shell import PLACEHOLDER, ShellSyntaxError, split_commands


def words(text: str) -> list[tuple[str, ...]]:
    return [c.words for c in split_commands(text)]


def test_lists_and_pipelines_separate_commands() -> None:
    assert words("a x && b || c; d | e & f\ng") == [
        ("a", "x"),
        ("b",),
        ("c",),
        ("d",),
        ("e",),
        ("f",),
        ("g",),
    ]


def test_pipe_marks_the_reading_side_only() -> None:
    piped = [c.piped_in for c in split_commands("a | b || c |& d")]
    assert piped == [False, True, False, True]


def test_quotes_keep_operators_inside_words() -> None:
    assert words("echo 'a; b' \"c && d\"") == [("echo", "a; b", "c && d")]


def test_substitutions_are_split_on_their_own_and_leave_a_placeholder() -> None:
    result = words('echo "$(rm x)" `ls` <(cat y)')
    assert ("rm", "x") in result
    assert ("ls",) in result
    assert ("cat", "y") in result
    assert result[-1] == ("echo", PLACEHOLDER, PLACEHOLDER, PLACEHOLDER)


def test_single_quotes_hide_substitutions() -> None:
    assert words("echo '$(rm x)'") == [("echo", "$(rm x)")]


def test_redirections_are_recorded_with_their_target() -> None:
    (command,) = split_commands("cmd a > out.txt 2>&1 < in")
    assert command.words == ("cmd", "a", "2")
    assert command.redirects == ((">", "out.txt"), (">&", "1"), ("<", "in"))


@pytest.mark.parametrize(
    "text", ["echo 'x", 'echo "x', "echo $(ls", "echo `ls", "ls >", "a\\"], ids=repr
)
def test_unsplittable_lines_raise(text: str) -> None:
    with pytest.raises(ShellSyntaxError):
        split_commands(text)
