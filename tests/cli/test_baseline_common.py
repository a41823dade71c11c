"""The time arguments of `yesman compare/suggest --since` and `@SINCE..UNTIL` ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from yesman.cli._baseline_common import parse_duration, parse_range, parse_when

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("now", NOW, id="now"),
        pytest.param("90s", NOW - 90, id="seconds"),
        pytest.param("30m", NOW - 1800, id="minutes"),
        pytest.param("24h", NOW - 86400, id="hours"),
        pytest.param("1.5d", NOW - 129600, id="fractional-days"),
        pytest.param("2w", NOW - 1209600, id="weeks"),
        pytest.param("2027-01-15T08:00:00+00:00", NOW, id="iso-utc"),
    ],
)
def test_parse_when(text: str, expected: float) -> None:
    assert parse_when(text, NOW) == pytest.approx(expected)


def test_naive_iso_is_local_time() -> None:
    local = dt.datetime(2027, 1, 15, 8, 0).astimezone().timestamp()
    assert parse_when("2027-01-15T08:00", NOW) == local


def test_parse_range() -> None:
    assert parse_range("@24h..12h", NOW) == (NOW - 86400, NOW - 43200)
    assert parse_range("@1h", NOW) == (NOW - 3600, NOW)


def test_bad_time_says_what_is_accepted() -> None:
    with pytest.raises(ValueError, match="30m, 1h"):
        parse_when("yesterday", NOW)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90.0), ("30m", 1800.0), ("36h", 129600.0), ("14d", 1209600.0), ("52w", 31449600.0)],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "14", "0d", "two weeks", "-1d", "14days"])
def test_bad_duration_says_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError, match=r"90s, 30m, 12h, 14d, 52w"):
        parse_duration(text)
