"""The policy-lint gate: each lint warning with its file:line; warnings fail only under --strict."""

from __future__ import annotations

from pathlib import Path

from yesman.gates import Gate, GateStatus, PolicyLintGate
from yesman.policy import Policy

from ._policies import ALWAYS, ANSWERS_RM_RF, WRITES_ANYWHERE, context, write_policy

GATE: Gate = PolicyLintGate()


async def test_the_default_policy_is_clean(tmp_path: Path) -> None:
    result = await GATE.run(context(Policy.default(), tmp_path))
    assert result.status is GateStatus.PASSED
    assert result.findings == ()
    assert result.metrics["warnings"] == 0
    assert result.summary == "no warnings in <default policy>"


async def test_dont_ask_again_is_a_warning_at_its_line(tmp_path: Path) -> None:
    result = await GATE.run(context(write_policy(tmp_path, ALWAYS), tmp_path))
    assert result.status is GateStatus.WARNING
    assert result.status.fails(strict=True)
    assert not result.status.fails(strict=False)
    assert result.metrics["dont_ask_again"] == 1
    (finding,) = [f for f in result.findings if "don't ask again" in f.message]
    assert finding.where == f"{tmp_path / 'policy.toml'}:6"  # the `option = "always"` line
    assert finding.severity is GateStatus.WARNING


async def test_guard_off_and_a_rule_for_any_command_are_reported(tmp_path: Path) -> None:
    result = await GATE.run(context(write_policy(tmp_path, ANSWERS_RM_RF), tmp_path))
    assert result.status is GateStatus.WARNING
    assert (result.metrics["guards_off"], result.metrics["any_input"]) == (1, 1)
    wheres = sorted(str(f.where) for f in result.findings)
    assert wheres == [f"{tmp_path / 'policy.toml'}:{n}" for n in (2, 6)]
    assert "guards_off: 1" not in result.summary
    assert "guards switched off: 1" in result.summary


async def test_a_rule_that_answers_writes_anywhere_with_the_guard_off(tmp_path: Path) -> None:
    result = await GATE.run(context(write_policy(tmp_path, WRITES_ANYWHERE), tmp_path))
    assert result.status is GateStatus.WARNING
    m = result.metrics
    assert (m["writes_outside"], m["guards_off"], m["any_input"]) == (1, 1, 1)
    outside = [f for f in result.findings if "outside the project" in f.message]
    assert any(f.where == f"{tmp_path / 'policy.toml'}:4" for f in outside)  # [[rules]]


async def test_a_write_rule_with_a_path_outside_is_reported_even_with_the_guard_on(
    tmp_path: Path,
) -> None:
    text = '[[rules]]\nname = "cfg"\ntool = "Write"\npath = "~/.config/*"\naction = "answer"\n'
    result = await GATE.run(context(write_policy(tmp_path, text), tmp_path))
    assert result.status is GateStatus.WARNING
    assert result.metrics["writes_outside"] == 1
    assert [f.where for f in result.findings] == [f"{tmp_path / 'policy.toml'}:4"]
