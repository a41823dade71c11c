"""What in Claude Code's settings takes dialogs away from yesman, and where it is set.

yesman can only judge what Claude Code asks. Three kinds of setting stop it from asking:

* an ``allow`` rule that approves a tool for any input. Rules are ``Tool`` or
  ``Tool(specifier)``; a bare ``Bash`` (or ``Bash(*)``, ``Bash(:*)``) approves every shell
  command, and ``Bash(bash:*)``, ``Bash(sudo *)``, ``Bash(python3:*)`` approve every command run
  through that program. ``Edit`` rules cover every built-in tool that edits files (``Write``,
  ``MultiEdit``, ``NotebookEdit`` have rules of their own name too); their specifier is a
  gitignore-style path: ``//abs/path`` from the filesystem root, ``~/path`` from the home
  folder, ``/path`` from the project root (older releases: from the settings file), and
  ``path`` or ``./path`` from the folder Claude Code was started in.
* ``permissions.defaultMode``: ``bypassPermissions`` turns permission checks off,
  ``auto`` lets a classifier answer, ``acceptEdits`` approves file edits (and simple file
  commands) itself; ``default``, ``plan`` and ``dontAsk`` (deny whatever is not pre-approved)
  leave nothing to a watcher that it would have answered.
* a file Claude Code cannot parse: it ignores the whole file, deny rules included.

Managed settings may set ``disableBypassPermissionsMode: "disable"``; Claude Code then refuses
bypass mode, so bypass settings found elsewhere are reported as warnings, not failures.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final

from yesman.gates._model import Finding, GateStatus
from yesman.gates._settings_files import SettingsFile, SettingsScope

__all__ = ["SettingsAudit", "audit_settings", "bypass_disabled_by"]

_RULE_RE: Final = re.compile(r"^\s*([^\s()]+)\s*(?:\((.*)\))?\s*$", re.DOTALL)
_EDIT_TOOLS: Final = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})
# Programs that run whatever command they are given: allowing one with a wildcard allows all.
_LAUNCHERS: Final = frozenset(
    {
        "bash", "sh", "zsh", "dash", "fish", "ksh", "sudo", "doas", "su", "env", "eval",
        "exec", "xargs", "nohup", "timeout", "nice", "command", "time", "watch", "ssh",
        "python", "python3", "node", "perl", "ruby", "php", "deno", "bun", "npx", "uvx",
    }
)  # fmt: skip
_GLOB_CHARS: Final = frozenset("*?[")
_MODES: Final = {
    "bypassPermissions": (
        GateStatus.FAILED,
        "permission checks are off: Claude Code runs every tool without a dialog, so yesman "
        "never sees one and its policy decides nothing",
    ),
    "auto": (
        GateStatus.WARNING,
        "auto mode: a classifier inside Claude Code answers permission dialogs itself, so "
        "yesman sees only the few it escalates and its policy is not consulted for the rest",
    ),
    "acceptEdits": (
        GateStatus.WARNING,
        "acceptEdits: Claude Code approves file edits and simple file commands (mkdir, mv, cp, "
        "...) in the working folders itself, so yesman never sees those dialogs",
    ),
    "dontAsk": (
        GateStatus.PASSED,
        "dontAsk: Claude Code denies whatever is not pre-approved instead of asking; yesman "
        "sees no dialogs, but nothing unapproved runs",
    ),
    "default": (GateStatus.PASSED, "default: Claude Code asks before acting"),
    "plan": (GateStatus.PASSED, "plan: nothing runs until a plan is approved"),
}


@dataclass(frozen=True, slots=True)
class SettingsAudit:
    """What the settings check found, and how much it looked at."""

    findings: tuple[Finding, ...]
    files: int
    rules: int


def _line_of(text: str, *keys: str) -> int | None:
    """The line of the last of ``keys`` (JSON strings), each searched after the one before;
    None when it is not found. Best effort: the stdlib parser keeps no positions."""
    at = 0
    for key in keys:
        found = text.find(key, at)
        if found < 0:
            return None
        at = found + len(key)
    return text.count("\n", 0, at) + 1


def _json_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def bypass_disabled_by(files: Iterable[SettingsFile]) -> SettingsFile | None:
    """The managed settings file that sets ``disableBypassPermissionsMode: "disable"``."""
    for file in files:
        if (
            file.scope is SettingsScope.MANAGED
            and file.data is not None
            and file.data.get("disableBypassPermissionsMode") == "disable"
        ):
            return file
    return None


def _has_glob(segment: str) -> bool:
    return any(c in _GLOB_CHARS for c in segment)


def _prefix(pattern: str) -> tuple[str, bool]:
    """The literal folder part of a gitignore-style pattern, and whether the rest matches every
    file below it (only ``*`` and ``**`` segments, or nothing)."""
    parts = [p for p in pattern.split("/") if p not in ("", ".")]
    literal: list[str] = []
    for index, part in enumerate(parts):
        if _has_glob(part):
            return "/".join(literal), all(p in ("*", "**") for p in parts[index:])
        literal.append(part)
    return "/".join(literal), False


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


class _Auditor:
    """Checks one settings file; collects findings."""

    def __init__(
        self,
        project: str,
        home: str,
        bypass_off: SettingsFile | None,
        denied: Mapping[str, SettingsFile],
    ) -> None:
        self.project = project
        self.home = home
        self.bypass_off = bypass_off
        self.denied = denied
        self.findings: list[Finding] = []
        self.rules = 0

    def add(self, file: SettingsFile, message: str, severity: GateStatus, *keys: str) -> None:
        line = _line_of(file.text, *keys) if keys else None
        self.findings.append(Finding(message, file.where(line), severity))

    def audit(self, file: SettingsFile) -> None:
        if file.data is None:
            self.add(
                file,
                f"{file.scope.value} settings file {file.error}. Claude Code ignores a file it "
                'cannot read or parse ("Found invalid settings files. They will be ignored."), '
                "so none of its rules apply, deny rules included; fix it",
                GateStatus.WARNING,
            )
            return
        permissions = file.data.get("permissions", {})
        if not isinstance(permissions, Mapping):
            self.add(
                file,
                f'"permissions" is a JSON {type(permissions).__name__}, not an object; Claude '
                "Code reports the file as invalid and ignores it",
                GateStatus.WARNING,
                '"permissions"',
            )
            return
        self._mode(file, permissions.get("defaultMode"))
        allow = permissions.get("allow", [])
        if not isinstance(allow, list):
            self.add(
                file,
                '"permissions.allow" is not a list; Claude Code reports the file as invalid',
                GateStatus.WARNING,
                '"permissions"',
                '"allow"',
            )
            return
        rules = [rule for rule in allow if isinstance(rule, str)]
        self.rules += len(rules)
        for rule in rules:
            self._allow(file, rule)
        self.add(
            file, f"read {file.scope.value} settings: {len(rules)} allow rules", GateStatus.PASSED
        )
        if file.data.get("disableBypassPermissionsMode") == "disable":
            note = (
                "Claude Code refuses bypass mode"
                if file.scope is SettingsScope.MANAGED
                else "only managed settings are sure to enforce this"
            )
            self.add(
                file,
                f'disableBypassPermissionsMode is "disable" ({note})',
                GateStatus.PASSED,
                '"disableBypassPermissionsMode"',
            )

    def _mode(self, file: SettingsFile, mode: object) -> None:
        if mode is None:
            return
        keys = ('"permissions"', '"defaultMode"')
        if not isinstance(mode, str) or mode not in _MODES:
            self.add(
                file,
                f"permissions.defaultMode is {json.dumps(mode)}, which Claude Code does not "
                f"know (known: {', '.join(_MODES)}); it may reject the file",
                GateStatus.WARNING,
                *keys,
            )
            return
        severity, meaning = _MODES[mode]
        message = f"{file.scope.value} settings set permissions.defaultMode to {meaning}"
        if mode == "bypassPermissions" and self.bypass_off is not None:
            severity = GateStatus.WARNING
            message += f" (but {self.bypass_off.path} disables bypass mode)"
        self.add(file, message, severity, *keys)

    def _allow(self, file: SettingsFile, rule: str) -> None:
        matched = _RULE_RE.match(rule)
        if matched is None:
            return
        tool, spec = matched.group(1), matched.group(2)
        keys = ('"permissions"', '"allow"', _json_string(rule))
        if tool in self.denied:  # a deny rule wins over every allow, in every layer
            self.add(
                file,
                f"allow rule {rule!r} has no effect: {self.denied[tool].path} denies {tool} "
                "for any input",
                GateStatus.PASSED,
                *keys,
            )
            return
        if tool == "*":
            self.add(
                file,
                f"allow rule {rule!r} approves every tool, shell commands and file edits "
                "included: yesman never sees their dialogs",
                GateStatus.FAILED,
                *keys,
            )
        elif tool == "Bash":
            problem = _bash_problem(spec)
            if problem is not None:
                self.add(file, f"allow rule {rule!r} {problem}", GateStatus.FAILED, *keys)
        elif tool in _EDIT_TOOLS:
            severity, problem = self._edit_problem(file, spec)
            if problem is not None:
                self.add(file, f"allow rule {rule!r} {problem}", severity, *keys)

    def _edit_problem(self, file: SettingsFile, spec: str | None) -> tuple[GateStatus, str | None]:
        if spec is None or not spec.strip():
            return GateStatus.FAILED, (
                "approves writing any file on the machine without a dialog (no path): yesman "
                "never sees those edits"
            )
        pattern = spec.strip()
        user_level = file.scope in (SettingsScope.USER, SettingsScope.MANAGED)
        # (folder the pattern starts from, how that reading comes about)
        anchors: list[tuple[str, str]]
        relative = False
        if pattern.startswith("//"):
            anchors, pattern = [("/", "")], pattern[2:]
        elif pattern == "~" or pattern.startswith("~/"):
            anchors, pattern = [(self.home, "")], pattern[1:]
        elif pattern.startswith("/"):
            anchors = [(self.project, "")]
            if user_level:  # older releases read `/path` from the settings file's folder
                anchors.append(
                    (str(file.path.parent), " (older Claude Code reads a leading / from the "
                     "settings file's folder)")
                )  # fmt: skip
        else:
            anchors, relative = [(self.project, "")], True
        literal, everything = _prefix(pattern)
        if user_level and relative and not literal and everything:
            return GateStatus.FAILED, (
                "approves editing every file under whatever folder Claude Code is started in "
                "(a relative pattern in settings that apply everywhere), the home folder "
                "included: yesman never sees those edits"
            )
        for anchor, reading in anchors:
            base = os.path.normpath(str(PurePosixPath(anchor) / literal))
            if not _inside(base, self.project):
                return GateStatus.FAILED, (
                    f"approves writing files under {base}{reading}, outside the project "
                    f"{self.project}, without a dialog: yesman never sees those edits"
                )
        if everything and not literal and anchors[0][0] == self.project:
            return GateStatus.WARNING, (
                "approves editing every file in the project without a dialog (.claude/ and "
                ".git/ included, unless Claude Code protects them): yesman never sees those edits"
            )
        return GateStatus.PASSED, None


def _tokens(spec: str) -> list[str]:
    """A Bash specifier as words; the legacy ``prefix:*`` form and ``word*`` split apart."""
    text = spec.strip()
    if text.endswith(":*"):
        text = text[:-2] + " *"
    words: list[str] = []
    for word in text.split():
        if word.endswith("*") and word.strip("*"):
            words += [word.rstrip("*"), "*"]
        else:
            words.append(word)
    return words


def _bash_problem(spec: str | None) -> str | None:
    """Why a Bash allow rule approves any command, or None for a bounded one."""
    if spec is None or not spec.strip(" *:"):
        return (
            "approves every shell command without a dialog: yesman never sees them, so its "
            "policy cannot hold `rm -rf` or `git push --force`"
        )
    words = _tokens(spec)
    launchers: list[str] = []
    rest = words
    # `sudo bash -c *`: launchers and their flags, then nothing but a wildcard
    while rest and (
        PurePosixPath(rest[0]).name in _LAUNCHERS or (launchers and rest[0][:1] == "-")
    ):
        if rest[0][:1] != "-":
            launchers.append(PurePosixPath(rest[0]).name)
        rest = rest[1:]
    if launchers and rest and all(w.strip("*") == "" for w in rest):
        via = " ".join(launchers)
        return (
            f"approves every command run through {via} (it runs whatever it is given) "
            "without a dialog: yesman never sees them"
        )
    return None


def _denied_tools(files: Iterable[SettingsFile]) -> dict[str, SettingsFile]:
    """Tools some readable layer denies for any input (``Bash``, ``Bash(*)``), with the file."""
    denied: dict[str, SettingsFile] = {}
    for file in files:
        permissions = file.data.get("permissions") if file.data is not None else None
        rules = permissions.get("deny") if isinstance(permissions, Mapping) else None
        for rule in rules if isinstance(rules, list) else ():
            matched = _RULE_RE.match(rule) if isinstance(rule, str) else None
            if matched is not None and (
                matched.group(2) is None or not matched.group(2).strip(" *:")
            ):
                denied.setdefault(matched.group(1), file)
    return denied


def audit_settings(
    files: Sequence[SettingsFile],
    *,
    project_dir: os.PathLike[str] | str,
    home: os.PathLike[str] | str,
) -> SettingsAudit:
    """Check every file; findings name the file and, where it can be found, the line."""
    auditor = _Auditor(
        os.path.normpath(os.path.abspath(project_dir)),
        os.path.normpath(os.path.abspath(home)),
        bypass_disabled_by(files),
        _denied_tools(files),
    )
    for file in files:
        auditor.audit(file)
    return SettingsAudit(tuple(auditor.findings), len(files), auditor.rules)
