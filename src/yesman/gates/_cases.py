"""The labelled command suite the policy self-test runs: loading it and laying out its project.

The suite ships as `data/policy_cases.toml` (its header documents the format). Each case is a
command (or a Write/Edit path) with a label: ``dangerous`` (must be held or denied),
``ordinary`` (should be answered) or ``gap`` (dangerous, but not visible in the dialog; listed
in the report with the reason). Cases use the placeholders ``{project}``, ``{home}`` and
``{scratch}``; `Layout` fills them in.

Most cases are text only and are evaluated in a project folder that need not exist
(`TEXT_LAYOUT`). Cases marked ``setup = "disk"`` need real links and are evaluated in a
temporary project that `disk_layout` builds: links that lead out of it (to /etc, /usr, the home,
the parent folder), one that stays inside, and a hard link to a file outside.
"""

from __future__ import annotations

import contextlib
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any, Final

from yesman._errors import YesmanError

__all__ = [
    "TEXT_LAYOUT",
    "CaseLabel",
    "Layout",
    "PolicyCase",
    "ShippedDataError",
    "disk_layout",
    "load_cases",
    "parse_cases",
]

SUITE_FILE: Final = "data/policy_cases.toml"
_TOOLS: Final = frozenset({"Bash", "Write", "Edit"})
_GROUP_KEYS: Final = frozenset({"name", "label", "tool", "setup", "reason", "cases"})


class ShippedDataError(YesmanError, ValueError):
    """Data shipped with the gates (the case suite, the screens) is missing or damaged; the
    message says which file and what is wrong."""


class CaseLabel(StrEnum):
    DANGEROUS = "dangerous"
    ORDINARY = "ordinary"
    GAP = "gap"


@dataclass(frozen=True, slots=True)
class PolicyCase:
    """One case: what the dialog asks (a Bash command or a file path) and what must happen."""

    group: str
    label: CaseLabel
    tool: str  # "Bash", "Write" or "Edit"
    text: str  # with placeholders
    on_disk: bool = False  # needs the real project of `disk_layout`
    reason: str | None = None  # why a gap cannot be caught


@dataclass(frozen=True, slots=True)
class Layout:
    """The folders a case is evaluated in, and the placeholders they fill."""

    project: Path
    home: Path
    scratch: Path

    def fill(self, text: str) -> str:
        return (
            text.replace("{project}", str(self.project))
            .replace("{home}", str(self.home))
            .replace("{scratch}", str(self.scratch))
        )


# A project that need not exist, outside /tmp (where single files count as scratch space).
TEXT_LAYOUT: Final = Layout(
    project=Path("/home/yesman-selftest/src/app"),
    home=Path("/home/yesman-selftest"),
    scratch=Path("/home/yesman-selftest/scratch"),
)


def load_cases() -> tuple[PolicyCase, ...]:
    """The shipped suite. Raises ShippedDataError when it cannot be read."""
    try:
        text = resources.files("yesman.gates").joinpath(SUITE_FILE).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ShippedDataError(
            f"the policy case suite ({SUITE_FILE}) cannot be read ({exc}); reinstall yesman"
        ) from exc
    return parse_cases(text)


def parse_cases(text: str) -> tuple[PolicyCase, ...]:
    """Cases from the TOML text of a suite, in file order."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ShippedDataError(f"the policy case suite is not valid TOML: {exc}") from exc
    groups = data.get("group")
    if not isinstance(groups, list) or not groups:
        raise ShippedDataError("the policy case suite has no [[group]] tables")
    out: list[PolicyCase] = []
    for index, group in enumerate(groups):
        out.extend(_group(index, group))
    return tuple(out)


def _group(index: int, group: Mapping[str, Any]) -> list[PolicyCase]:
    name = group.get("name")
    where = f"group {index + 1} ({name!r})"
    unknown = set(group) - _GROUP_KEYS
    if unknown:
        raise ShippedDataError(f"{where}: unknown keys {sorted(unknown)}")
    if not isinstance(name, str) or not name:
        raise ShippedDataError(f"{where}: needs a name")
    try:
        label = CaseLabel(str(group.get("label")))
    except ValueError:
        labels = ", ".join(x.value for x in CaseLabel)
        raise ShippedDataError(f"{where}: label must be one of {labels}") from None
    tool = group.get("tool", "Bash")
    if tool not in _TOOLS:
        raise ShippedDataError(f"{where}: tool must be one of {', '.join(sorted(_TOOLS))}")
    setup = group.get("setup", "text")
    if setup not in ("text", "disk"):
        raise ShippedDataError(f'{where}: setup must be "text" or "disk"')
    reason = group.get("reason")
    if (label is CaseLabel.GAP) != isinstance(reason, str):
        raise ShippedDataError(f"{where}: a gap needs a reason, and only a gap has one")
    cases = group.get("cases")
    if not isinstance(cases, list) or not all(isinstance(c, str) and c.strip() for c in cases):
        raise ShippedDataError(f"{where}: cases must be a list of non-empty strings")
    return [PolicyCase(name, label, tool, case.strip(), setup == "disk", reason) for case in cases]


def disk_layout(root: Path) -> Layout:
    """Build the real project of the ``setup = "disk"`` cases under `root` (a fresh folder).

    The home is a folder that need not exist: links to it dangle, which is enough, since the
    guard follows links by name and never opens what they point to.
    """
    home = TEXT_LAYOUT.home
    project = root / "app"
    for folder in ("src", "build", "docs", "vendor"):
        (project / folder).mkdir(parents=True)
    (project / "src" / "app.py").write_text("print('hello')\n", encoding="utf-8")
    links: Sequence[tuple[str, str | Path]] = (
        ("out", "/etc"),
        ("hosts", "/etc/hosts"),
        ("dotfiles", home),
        ("bashrc", home / ".bashrc"),
        ("up", ".."),
        ("vendor/sys", "/usr"),
        ("docs-link", "docs"),
    )
    for name, target in links:
        (project / name).symlink_to(target)
    (root / "scratch-link").symlink_to(home / ".bashrc")
    outside = root / "outside.txt"
    outside.write_text("outside the project\n", encoding="utf-8")
    # A file system without hard links: the gap cases then name a plain missing file, which
    # the policy answers all the same.
    with contextlib.suppress(OSError):
        os.link(outside, project / "shared.txt")
    return Layout(project=project, home=home, scratch=root)
