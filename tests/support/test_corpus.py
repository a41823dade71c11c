"""The stored corpus of real Claude Code screens agrees with its readings and with the scenarios
that produced it (what `scripts/capture_corpus.py --check` used to verify by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.corpus import (
    POINTER,
    Reading,
    Scenario,
    busy,
    check,
    idle,
    load_reading,
    prompt,
    waiting,
)
from support.corpus_scenarios import SCENARIOS

CORPUS = Path(__file__).resolve().parents[1] / "agents" / "claude" / "corpus"
STORED = sorted(CORPUS.glob("*.json"))
PLANNED = {sc.stem(w, h): (sc, w) for sc in SCENARIOS for (w, h) in sc.sizes}


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.stem)
def test_every_stored_screen_shows_its_reading(path: Path) -> None:
    screen = path.with_suffix(".txt").read_text(encoding="utf-8")
    assert check(screen, load_reading(path)) == []


def test_the_corpus_holds_exactly_the_planned_captures() -> None:
    # A capture nobody can reproduce, or a scenario whose capture went missing, shows up here.
    assert sorted(p.stem for p in STORED) == sorted(PLANNED)
    for path in STORED:
        assert path.with_suffix(".txt").is_file(), f"{path.stem}: reading without a capture"


@pytest.mark.parametrize("path", STORED, ids=lambda p: p.stem)
def test_every_stored_reading_is_the_one_its_scenario_writes(path: Path) -> None:
    scenario, width = PLANNED[path.stem]
    stored = load_reading(path)
    assert {k: v for k, v in stored.items() if k != "note"} == scenario.reading(width)
    assert scenario.how in stored.get("note", "")


def test_scenario_names_are_unique() -> None:
    names = [sc.name for sc in SCENARIOS]
    assert len(names) == len(set(names))


# -- the check itself must be able to fail ---------------------------------------------------

SCREEN = f"""\
 Bash command

   rm -rf build
   Remove the build folder

 Do you want to proceed?
 {POINTER} 1. Yes
   2. No

 Esc to cancel · Tab to amend
"""
DIALOG = prompt("tool_permission", "Do you want to proceed?", ("Yes", "No"), target="rm -rf build")


@pytest.mark.parametrize(
    ("reading", "problem"),
    [
        (waiting(DIALOG), None),
        (waiting({**DIALOG, "options": [*DIALOG["options"], {"number": 3, "text": "Maybe"}]}),
         "not on screen: 'Maybe'"),
        (waiting({**DIALOG, "highlighted": 2}), "highlighted option 'No' not marked"),
        (waiting({**DIALOG, "target": "rm -rf /"}), "not on screen: 'rm -rf /'"),
        (busy(), "state 'busy' but 'esc to interrupt' shown: False"),
        (idle(), None),
    ],
    ids=["agrees", "extra-option", "wrong-highlight", "wrong-target", "not-busy", "idle"],
)  # fmt: skip
def test_check_names_what_the_screen_does_not_show(reading: Reading, problem: str | None) -> None:
    problems = check(SCREEN, reading)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1
        assert problems[0].startswith(problem)


def test_a_wrapped_option_still_matches() -> None:
    screen = SCREEN.replace("   2. No", "   2. No, and tell Claude what to\n      do differently")
    reading = waiting(
        {**DIALOG, "options": [*DIALOG["options"][:1], {"number": 2, "text": "No, and tell "
         "Claude what to do differently"}]}
    )  # fmt: skip
    assert check(screen, reading) == []


def test_capture_file_names_carry_the_size() -> None:
    sc: Scenario = SCENARIOS[0]
    assert sc.stem(80, 40) == f"{sc.name}_w80"  # 40 rows unless the name says otherwise
    assert sc.stem(250, 80) == f"{sc.name}_w250x80"
