"""The policy self-test gate: the shipped suite passes the default policy, catches bad ones."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from yesman.gates import (
    CaseLabel,
    Gate,
    GateStatus,
    PolicyCase,
    PolicySelfTestGate,
    ShippedDataError,
)
from yesman.gates._cases import load_cases, parse_cases
from yesman.policy import Policy

from ._policies import (
    ANSWERS_RM_RF,
    HOLDS_EVERYTHING,
    WRITES_ANYWHERE,
    context,
    counts,
    write_policy,
)

GATE: Gate = PolicySelfTestGate()


async def test_the_default_policy_passes_the_shipped_suite(tmp_path: Path) -> None:
    result = await GATE.run(context(Policy.default(), tmp_path))
    assert result.status is GateStatus.PASSED, [str(f) for f in result.findings][:10]
    assert result.gate_id == "enhanced-security/policy-self-test"
    m = counts(result.metrics)
    assert m["cases"] == m["dangerous"] + m["ordinary"] + m["known_gaps"]
    assert int(m["cases"]) >= 300
    assert (m["dangerous_answered"], m["ordinary_held"]) == (0, 0)
    # Known gaps are listed (with their reasons) without changing the outcome.
    gaps = [f for f in result.findings if f.severity is GateStatus.PASSED]
    assert len(gaps) == m["known_gaps"] > 0
    assert all("known gap" in f.message for f in gaps)
    assert len(result.details["known_gaps"]) == m["known_gaps"]


async def test_a_policy_that_answers_rm_rf_fails_with_each_case_and_the_rule(
    tmp_path: Path,
) -> None:
    result = await GATE.run(context(write_policy(tmp_path, ANSWERS_RM_RF), tmp_path))
    assert result.status is GateStatus.FAILED
    failed = [f for f in result.findings if f.severity is GateStatus.FAILED]
    assert len(failed) == result.metrics["dangerous_answered"]
    rm_root = [f for f in failed if re.search(r"Bash 'rm -rf /' ", f.message)]
    assert len(rm_root) == 1
    assert rm_root[0].where == f"rule 'answer-bash' in {tmp_path / 'policy.toml'}"
    assert result.details["answered_by_rule"] == {"answer-bash": len(failed)}
    # Write and Edit dialogs still meet the outside-project guard.
    assert not any(" Write " in f.message or " Edit " in f.message for f in failed)


async def test_a_policy_that_answers_writes_anywhere_fails_on_writes_outside(
    tmp_path: Path,
) -> None:
    result = await GATE.run(context(write_policy(tmp_path, WRITES_ANYWHERE), tmp_path))
    assert result.status is GateStatus.FAILED
    failed = [f.message for f in result.findings if f.severity is GateStatus.FAILED]
    assert any("dangerous Write '/etc/hosts'" in m for m in failed)
    assert any("dangerous Edit '~/.bashrc'" in m for m in failed)
    # Through a link in the real temporary project, too.
    assert any("dangerous Write 'out/hosts'" in m for m in failed)
    assert all(" Bash " not in m for m in failed)  # Bash has no answering rule here


async def test_a_policy_that_holds_everything_is_only_a_warning(tmp_path: Path) -> None:
    result = await GATE.run(context(write_policy(tmp_path, HOLDS_EVERYTHING), tmp_path))
    assert result.status is GateStatus.WARNING
    assert result.status.fails(strict=True)
    assert result.metrics["ordinary_held"] == result.metrics["ordinary"]
    warned = [f for f in result.findings if f.severity is GateStatus.WARNING]
    assert any("ordinary Bash 'git status'" in f.message for f in warned)
    assert all(f.where == f"rule 'hold-all' in {tmp_path / 'policy.toml'}" for f in warned)


async def test_a_dry_run_policy_still_fails_its_rules_are_what_is_tested(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, "dry_run = true\n" + ANSWERS_RM_RF)
    result = await GATE.run(context(policy, tmp_path))
    assert result.status is GateStatus.FAILED
    assert any("dry run" in f.message for f in result.findings)


async def test_own_cases_replace_the_suite(tmp_path: Path) -> None:
    cases = [
        PolicyCase("mine", CaseLabel.DANGEROUS, "Bash", "sudo rm -rf {home}"),
        PolicyCase("mine", CaseLabel.ORDINARY, "Bash", "ls {project}"),
        PolicyCase("mine", CaseLabel.DANGEROUS, "Bash", "rm -rf out/", on_disk=True),
    ]
    gate = PolicySelfTestGate(cases)
    passed = await gate.run(context(Policy.default(), tmp_path))
    assert passed.status is GateStatus.PASSED
    assert passed.metrics["cases"] == 3
    failed = await gate.run(context(write_policy(tmp_path, ANSWERS_RM_RF), tmp_path))
    assert failed.metrics["dangerous_answered"] == 2
    assert any("'sudo rm -rf /home/yesman-selftest'" in f.message for f in failed.findings)


def test_the_suite_covers_every_wrapping_the_policy_claims_to_see_through() -> None:
    cases = load_cases()
    labels = {label: [c for c in cases if c.label is label] for label in CaseLabel}
    assert len(cases) >= 300
    assert len(labels[CaseLabel.DANGEROUS]) >= 200
    assert len(labels[CaseLabel.ORDINARY]) >= 100
    assert all(c.reason for c in labels[CaseLabel.GAP])
    dangerous = [c.text for c in labels[CaseLabel.DANGEROUS]]
    wrappings = {
        "&&": "&&",
        ";": ";",
        "|": " | ",
        "subshell": "(",
        "$(...)": "$(",
        "backticks": "`",
        "sudo": "sudo ",
        "env": "env ",
        "timeout": "timeout ",
        "xargs": "xargs ",
        "bash -c": "bash -c",
        "sh -c": "sh -c",
        "python -c": "python -c",
        "here-doc": "<<EOF",
        "here-string": "<<<",
        "quoting": "''",
        "absolute binary": "/bin/rm",
        "~": "~",
        "$HOME": "$HOME",
        "..": "..",
    }
    missing = [name for name, text in wrappings.items() if not any(text in d for d in dangerous)]
    assert missing == []
    on_disk = [c for c in labels[CaseLabel.DANGEROUS] if c.on_disk]
    assert {c.tool for c in on_disk} == {"Bash", "Write", "Edit"}
    assert {"Write", "Edit"} <= {c.tool for c in labels[CaseLabel.ORDINARY]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version = 1\n", "has no [[group]]"),
        ('[[group]]\nname = "x"\nlabel = "bad"\ncases = ["ls"]\n', "group 1 ('x'): label"),
        ('[[group]]\nname = "x"\nlabel = "gap"\ncases = ["ls"]\n', "a gap needs a reason"),
        ('[[group]]\nname = "x"\nlabel = "ordinary"\ntool = "Read"\ncases = ["a"]\n', "tool"),
        ('[[group]]\nname = "x"\nlabel = "ordinary"\ncases = [""]\n', "non-empty strings"),
        ('[[group]]\nname = "x"\nlabel = "ordinary"\nsetup = "cloud"\ncases = ["ls"]\n', "setup"),
        ('[[group]]\nname = "x"\nlabel = "ordinary"\ncmds = ["ls"]\n', "unknown keys"),
        ("[[group]\n", "not valid TOML"),
    ],
)
def test_a_malformed_suite_names_the_group_and_the_problem(text: str, message: str) -> None:
    with pytest.raises(ShippedDataError, match=re.escape(message)):
        parse_cases(text)


async def test_no_room_for_the_temporary_project_is_an_error_that_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker / "tmp"))
    result = await GATE.run(context(Policy.default(), tmp_path))
    assert result.status is GateStatus.ERROR
    assert "is writable (or set TMPDIR)" in result.summary
    assert str(blocker / "tmp") in result.summary
