"""The policy-screens gate: shipped real screens, what must happen to each, and their freshness."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest
import ship_policy_screens

from yesman.agents import AgentScreen, PromptKind, default_agent
from yesman.gates import Gate, GateStatus, PolicyScreensGate, ScreenExpectation, ShippedDataError
from yesman.gates._screens import SCREENS_FILE, decode_screens, encode_screens, load_screens
from yesman.gates._selftest import bash_dialog
from yesman.policy import Policy

from ._policies import ANSWERS_RM_RF, HOLDS_EVERYTHING, context, counts, write_policy

CORPUS = Path(__file__).parents[1] / "agents" / "claude" / "corpus"
GATE: Gate = PolicyScreensGate()
# Claude Code's wider dialogs wrap less: the selection must keep narrow and wide layouts.
MAX_SHIPPED_BYTES = 16 * 1024


def test_the_shipped_screens_are_the_corpus_files_they_came_from() -> None:
    shipped = load_screens()
    for screen in shipped.screens:
        source = CORPUS / screen.source
        assert source.read_text(encoding="utf-8") == screen.text, screen.source
    # Nothing added to or relabelled in the corpus is missing from the shipped file.
    assert ship_policy_screens.select(CORPUS) == shipped
    assert ship_policy_screens.main(["--check"]) == 0


def test_the_selection_is_small_and_covers_versions_widths_and_every_dialog_kind() -> None:
    shipped = load_screens()
    data = Path(ship_policy_screens.__file__).parents[1] / "src/yesman/gates" / SCREENS_FILE
    assert data.stat().st_size < MAX_SHIPPED_BYTES
    versions = {s.source.split("/")[0] for s in shipped.screens}
    assert versions == {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert len(versions) >= 2
    corpus_kinds = {
        json.loads(p.read_text(encoding="utf-8"))["prompt"]["kind"]
        for p in CORPUS.glob("*/*.json")
        if json.loads(p.read_text(encoding="utf-8"))["prompt"] is not None
    }
    parse = default_agent().parse_screen
    parsed = [(s, parse(s.text)) for s in shipped.screens]
    shipped_kinds = {p.prompt.kind.value for _, p in parsed if p.prompt is not None}
    assert shipped_kinds == corpus_kinds
    assert PromptKind.QUESTION.value in shipped_kinds
    # Several widths of each dialog.
    widths = Counter(s.source.rsplit("_w", 1)[0] for s, p in parsed if p.prompt is not None)
    assert min(widths.values()) >= 2
    assert Counter(s.expect for s in shipped.screens).keys() == set(ScreenExpectation)


async def test_the_default_policy_passes_every_real_screen(tmp_path: Path) -> None:
    result = await GATE.run(context(Policy.default(), tmp_path))
    assert result.status is GateStatus.PASSED, [str(f) for f in result.findings]
    assert result.findings == ()
    m = counts(result.metrics)
    assert m["screens"] == len(load_screens().screens)
    assert m["screens"] == m["dangerous"] + m["ordinary"] + m["for_a_person"] + m["no_dialog"]
    assert result.metrics["versions"] == "2.1.197, 2.1.332"


async def test_a_policy_that_answers_rm_rf_fails_on_the_real_dangerous_dialogs(
    tmp_path: Path,
) -> None:
    result = await GATE.run(context(write_policy(tmp_path, ANSWERS_RM_RF), tmp_path))
    assert result.status is GateStatus.FAILED
    failed = [f for f in result.findings if f.severity is GateStatus.FAILED]
    assert {f.where.split(" ")[0] for f in failed if f.where} == {
        f"{v}/bash_dangerous_w{w}.txt" for v in ("2.1.197", "2.1.332") for w in (60, 80, 120)
    }
    assert all("Bash 'rm -rf /'" in f.message and "'answer-bash'" in str(f.where) for f in failed)
    assert result.metrics["dangerous_answered"] == 6


async def test_a_policy_that_answers_every_dialog_warns_on_dialogs_for_a_person(
    tmp_path: Path,
) -> None:
    policy = write_policy(tmp_path, '[[rules]]\nname = "yes"\naction = "answer"\n')
    result = await GATE.run(context(policy, tmp_path))
    # The guard still holds rm -rf /; plan approval and folder trust are answered.
    assert result.status is GateStatus.WARNING
    warned = [f for f in result.findings if f.severity is GateStatus.WARNING]
    assert any("plan_approval" in f.message for f in warned)
    assert any("trust_folder" in f.message for f in warned)
    assert all("meant for a person" in f.message for f in warned)


async def test_a_policy_that_holds_everything_warns_on_ordinary_dialogs(tmp_path: Path) -> None:
    result = await GATE.run(context(write_policy(tmp_path, HOLDS_EVERYTHING), tmp_path))
    assert result.status is GateStatus.WARNING
    m = counts(result.metrics)
    assert m["ordinary_held"] == m["ordinary"] > 0


async def test_keys_for_a_screen_without_a_dialog_fail_the_gate(tmp_path: Path) -> None:
    # A parser that sees a Bash dialog everywhere (the kind of bug the hard negatives catch).
    def misreads(text: str) -> AgentScreen:
        return bash_dialog("ls", Path("/tmp/yesman-corpus/app"))

    agent = dataclasses.replace(default_agent(), parse_screen=misreads)
    result = await PolicyScreensGate(agent=agent).run(context(Policy.default(), tmp_path))
    assert result.status is GateStatus.FAILED
    no_dialog = [f for f in result.findings if "where no dialog waits" in f.message]
    assert len(no_dialog) == result.metrics["no_dialog"] == result.metrics["no_dialog_answered"]
    assert any("numbered_list_answer" in str(f.where) for f in no_dialog)


def test_damaged_screen_data_is_a_clear_error() -> None:
    with pytest.raises(ShippedDataError, match="damaged"):
        decode_screens(b"not gzip")
    shipped = load_screens()
    assert decode_screens(encode_screens(shipped)) == shipped
    assert encode_screens(shipped) == encode_screens(shipped)  # reproducible bytes
