"""`GuardTable`: measured delays to waits, the same rule for every agent."""

from __future__ import annotations

import pytest

from yesman.agents._guards import GuardTable, release


def test_releases_compare_as_numbers() -> None:
    assert release("gemini 0.61.0") == (0, 61, 0)
    assert release("codex-cli 0.171.0-linux-x64") == (0, 171, 0)
    old, new = release("0.61.0"), release("0.171.0")
    assert old is not None
    assert new is not None
    assert old < new
    assert release("no version here") is None
    assert release(None) is None


def test_measured_between_and_outside() -> None:
    table = GuardTable({(1, 0, 0): 0.0, (1, 5, 0): 0.14}, margin=0.05)
    assert table.guard((1, 0, 0)) == pytest.approx(0.05)
    assert table.guard((1, 5, 0)) == pytest.approx(0.19)
    assert table.guard((1, 2, 0)) == pytest.approx(0.19)  # the longer neighbour
    assert table.guard((0, 9, 0)) == table.default == pytest.approx(0.24)
    assert table.guard((2, 0, 0)) == table.default
    assert table.guard(None) == table.default


def test_an_empty_table_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        GuardTable({})
