"""Line numbers for places in a policy file.

`tomllib` returns plain dicts without positions, so errors and warnings find their line by
scanning the text: the n-th `[[rules]]` header is rule n, and a key of that rule is the first
line between that header and the next table header that starts with `key =`. Tables (`[guards]`,
`[sessions."x"]`) are found by their header; a key written in an inline table
(`guards = { dangerous_commands = "deny" }`) is found on the line that holds `key =`.

Limits: a `[[rules]]` header or `key =` at the start of a line inside a multi-line string would
be taken for the real thing, and rules written as an inline array (`rules = [{...}]`) get the
line of `rules =`. A line that cannot be found is None, and the message names the key anyway.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["SourceLines"]

_HEADER_RE: Final = re.compile(r"^\s*\[")
_RULES_HEADER_RE: Final = re.compile(r"^\s*\[\[\s*rules\s*\]\]")


class SourceLines:
    """Finds the 1-based line of rules, tables and keys in one policy text."""

    __slots__ = ("_headers", "_lines", "_rules")

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._headers = [n for n, line in enumerate(self._lines, 1) if _HEADER_RE.match(line)]
        self._rules = [n for n, line in enumerate(self._lines, 1) if _RULES_HEADER_RE.match(line)]

    def rule(self, index: int) -> int | None:
        """The line of the index-th `[[rules]]` header (or of `rules =`)."""
        if index < len(self._rules):
            return self._rules[index]
        return self._key_between("rules", 1, len(self._lines))

    def rule_key(self, index: int, key: str) -> int | None:
        """The line of `key = ...` inside the index-th rule, or the rule's own line."""
        start = self.rule(index)
        if start is None or index >= len(self._rules):
            return start
        return self._key_between(key, start + 1, self._section_end(start)) or start

    def table(self, name: str) -> int | None:
        """The line of `[name]`, or of `name = {...}` when written inline."""
        header = re.compile(rf"^\s*\[\s*{re.escape(name)}\s*\]")
        for n, line in enumerate(self._lines, 1):
            if header.match(line):
                return n
        parent, _, leaf = name.rpartition(".")
        start = self.table(parent) if parent else None
        if start is not None:  # `[sessions."x"]` then `guards = {...}` under it
            return self._key_between(leaf, start, self._section_end(start))
        return self._key_between(leaf, 1, len(self._lines))

    def table_key(self, table: str, key: str) -> int | None:
        """The line of `key =` in table `table` (a header table or an inline one)."""
        start = self.table(table)
        if start is None:
            return None
        if key in self._lines[start - 1] and not _HEADER_RE.match(self._lines[start - 1]):
            return start  # inline table on one line
        return self._key_between(key, start, self._section_end(start)) or start

    def _section_end(self, start: int) -> int:
        """The last line before the next table header after line `start`."""
        return next((h for h in self._headers if h > start), len(self._lines) + 1) - 1

    def _key_between(self, key: str, first: int, last: int) -> int | None:
        pattern = re.compile(rf'(?:^|[\s{{,])"?{re.escape(key)}"?\s*=')
        for n in range(first, min(last, len(self._lines)) + 1):
            line = self._lines[n - 1]
            if not line.lstrip().startswith("#") and pattern.search(line):
                return n
        return None
