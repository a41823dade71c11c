"""User regular expressions, matched in linear time.

A policy file's `command` and `target` patterns are compiled with RE2 (`google-re2`), not `re`:
RE2 runs in time linear in the text, so a pattern with nested quantifiers such as
`^(\\S+\\s*)+;$` cannot pin a CPU on a long command line the way backtracking `re` does (measured
in tests/policy/test_patterns.py). The price is RE2's syntax: no backreferences and no
lookaround; a pattern using them is refused when the policy loads, with the reason.
"""

from __future__ import annotations

import re
from typing import Final, Protocol

import re2  # type: ignore[import-untyped]  # google-re2 ships no type information

__all__ = ["MAX_PATTERN_MEMORY", "Matcher", "UserPatternError", "compile_user_pattern"]

# RE2 refuses patterns whose compiled program would need more than this (default 8 MiB).
MAX_PATTERN_MEMORY: Final = 8 << 20
_BACKREF_RE: Final = re.compile(r"\\[1-9]|\(\?P=")


class UserPatternError(ValueError):
    """RE2 cannot compile the pattern; the message is RE2's reason."""


class Matcher(Protocol):
    """What a rule needs from a compiled pattern (`re.Pattern[str]` satisfies it too)."""

    @property
    def pattern(self) -> str: ...

    def search(self, text: str, /) -> object | None: ...


class _Re2Matcher:
    """A compiled RE2 pattern behind a typed interface."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str) -> None:
        options = re2.Options()
        options.log_errors = False  # RE2 would print to stderr; the caller reports instead
        options.max_mem = MAX_PATTERN_MEMORY
        try:
            self._compiled = re2.compile(pattern, options)
        except re2.error as exc:
            raise UserPatternError(_reason(exc, pattern)) from exc
        self.pattern = pattern

    def search(self, text: str, /) -> object | None:
        return self._compiled.search(text)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"re2.compile({self.pattern!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Re2Matcher) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)


def compile_user_pattern(pattern: str) -> Matcher:
    """Compile a policy pattern with RE2; raises UserPatternError saying why it cannot."""
    return _Re2Matcher(pattern)


def _reason(exc: Exception, pattern: str) -> str:
    raw = exc.args[0] if exc.args else exc
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if "invalid escape" in text and _BACKREF_RE.search(pattern):
        return f"{text} (RE2 has no backreferences)"
    if "perl operator" in text:
        return f"{text} (RE2 has no lookahead or lookbehind)"
    return text
