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
# corpus/<version>/<stem>.json: one folder per Claude Code version.
VERSIONS = ("2.1.197", "2.1.332")
STORED = sorted(CORPUS.glob("*/*.json"))
PLANNED = {
    (version, sc.stem(w, h)): (sc, w)
    for version in VERSIONS
    for sc in SCENARIOS
    if sc.shown_by(version)
    for (w, h) in sc.sizes
}
# The dialogs and states every version is captured at every main width for.
MAIN = (
    "bash_short",
    "bash_long",
    "write_create",
    "edit_file",
    "webfetch",
    "trust_folder_default",
    "idle_start",
    "busy_thinking",
)
MAIN_WIDTHS = (60, 80, 100, 120, 160, 250)


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", STORED, ids=_id)
def test_every_stored_screen_shows_its_reading(path: Path) -> None:
    screen = path.with_suffix(".txt").read_text(encoding="utf-8")
    assert check(screen, load_reading(path)) == []


def test_the_corpus_holds_exactly_the_planned_captures() -> None:
    # A capture nobody can reproduce, or a scenario whose capture went missing, shows up here.
    assert {p.name for p in CORPUS.iterdir() if p.is_dir()} == set(VERSIONS)
    assert sorted((p.parent.name, p.stem) for p in STORED) == sorted(PLANNED)
    for path in STORED:
        assert path.with_suffix(".txt").is_file(), f"{_id(path)}: reading without a capture"


@pytest.mark.parametrize("version", VERSIONS)
def test_every_version_shows_the_main_dialogs_at_every_main_width(version: str) -> None:
    stems = {p.stem for p in (CORPUS / version).glob("*.txt")}
    missing = [f"{n}_w{w}" for n in MAIN for w in MAIN_WIDTHS if f"{n}_w{w}" not in stems]
    assert missing == []


@pytest.mark.parametrize("path", STORED, ids=_id)
def test_every_stored_reading_is_the_one_its_scenario_writes(path: Path) -> None:
    version = path.parent.name
    scenario, width = PLANNED[version, path.stem]
    stored = load_reading(path)
    assert {k: v for k, v in stored.items() if k != "note"} == scenario.reading(width, version)
    assert f"claude-code {version}," in stored.get("note", "")
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
