"""Sorting a program's arguments into flags, options with values and positional words."""

from __future__ import annotations

import pytest

from yesman.policy._options import parse_options

_CP_LONG = frozenset({"--target-directory", "--suffix"})


@pytest.mark.parametrize(
    ("args", "target"),
    [
        (["-t", "dir", "a"], "dir"),
        (["-tdir", "a"], "dir"),
        (["-vt", "dir", "a"], "dir"),
        (["--target-directory", "dir", "a"], "dir"),
        (["--target-directory=dir", "a"], "dir"),
        (["-t", "first", "-t", "dir", "a"], "dir"),  # the last one counts
    ],
    ids=["separate", "attached", "after-a-flag", "long", "long-equals", "repeated"],
)
def test_a_value_is_found_however_it_is_written(args: list[str], target: str) -> None:
    parsed = parse_options(args, "tS", _CP_LONG)
    assert parsed.value("-t", "--target-directory") == target
    assert parsed.positional == ("a",)


def test_flags_bundle_and_long_flags_stay_whole() -> None:
    parsed = parse_options(["-rf", "--force", "x"])
    assert parsed.flags == {"-r", "-f", "--force"}
    assert not parsed.has("-x")
    assert parsed.positional == ("x",)


def test_double_dash_ends_options_and_a_lone_dash_is_positional() -> None:
    parsed = parse_options(["-", "--", "-t", "--x"], "t")
    assert parsed.positional == ("-", "-t", "--x")
    assert parsed.values == ()


def test_an_option_missing_its_value_at_the_end_takes_nothing() -> None:
    parsed = parse_options(["a", "-t"], "t", frozenset({"--suffix"}))
    assert parsed.values == (("-t", ""),)
    assert parse_options(["--suffix"], "", frozenset({"--suffix"})).has("--suffix")
