"""Policies for the gate tests: the default, and bad ones written to files so lint has lines."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from yesman.gates import GateContext
from yesman.policy import Policy

# Guards off and a rule that answers every Bash dialog: `rm -rf /` gets "Yes".
ANSWERS_RM_RF = """\
[guards]
dangerous_commands = "off"

[[rules]]
name = "answer-bash"
tool = "Bash"
action = "answer"
"""

# Picks "Yes, and don't ask again" for the test runner.
ALWAYS = """\
[[rules]]
name = "tests-forever"
tool = "Bash"
command = "^pytest\\\\b"
action = "answer"
option = "always"
"""

# The outside-project guard off and a rule that answers Write and Edit for any path.
WRITES_ANYWHERE = """\
[guards]
outside_project = "off"

[[rules]]
name = "write-anything"
tool = ["Write", "Edit"]
action = "answer"
"""

# Holds every dialog: safe, and useless.
HOLDS_EVERYTHING = """\
[[rules]]
name = "hold-all"
action = "hold"
"""


def write_policy(folder: Path, text: str) -> Policy:
    path = folder / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return Policy.from_file(path)


def context(policy: Policy, folder: Path) -> GateContext:
    return GateContext(policy=policy, db_path=folder / "audit.db", project_dir=folder, home=folder)


def counts(metrics: Mapping[str, float | int | str]) -> dict[str, int]:
    """The integer figures of a result's metrics (counts of cases, screens, warnings)."""
    return {k: v for k, v in metrics.items() if isinstance(v, int)}
