"""Line numbers in a rules file, for error messages.

`tomllib` returns plain dicts without positions, so, as the policy parser does
(`yesman.policy._lines`), lines are found by scanning the text: the n-th ``[[rule]]`` header is
rule n, and a key of that rule is the first line between its header and the next table header
that assigns it (``for = ...``, or ``labels.team = ...``). Headers may be written inside an
``[alerts]`` table too (``[[alerts.rule]]``).

Limits: a header or ``key =`` at the start of a line inside a multi-line string would be taken
for the real thing; tables written inline (``rule = [{...}]``) get the line of ``rule =``. A line
that cannot be found is None, and the message names the key anyway.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["SourceLines"]

_HEADER_RE: Final = re.compile(r"^\s*\[")


def _array_header(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*\[\[\s*(?:alerts\s*\.\s*)?{re.escape(name)}\s*\]\]")


def _table_header(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*\[\s*(?:alerts\s*\.\s*)?{re.escape(name)}\s*\]")


class SourceLines:
    """Finds the 1-based line of array tables (``[[rule]]``), tables and their keys."""

    __slots__ = ("_headers", "_lines")

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._headers = [n for n, line in enumerate(self._lines, 1) if _HEADER_RE.match(line)]

    def item(self, array: str, index: int) -> int | None:
        """The line of the index-th ``[[array]]`` header, or of ``array =`` when inline."""
        pattern = _array_header(array)
        found = [n for n, line in enumerate(self._lines, 1) if pattern.match(line)]
        if index < len(found):
            return found[index]
        return self._key_between(array, 1, len(self._lines))

    def item_key(self, array: str, index: int, key: str) -> int | None:
        """The line of ``key = ...`` in the index-th ``[[array]]``, else the item's own line."""
        start = self.item(array, index)
        if start is None or not _HEADER_RE.match(self._lines[start - 1]):
            return start
        return self._key_between(key, start + 1, self._section_end(start)) or start

    def table_key(self, table: str, key: str | None = None) -> int | None:
        """The line of ``key =`` in ``[table]`` (or of the header itself without a key)."""
        pattern = _table_header(table)
        start = next((n for n, line in enumerate(self._lines, 1) if pattern.match(line)), None)
        if start is None:
            return self._key_between(table, 1, len(self._lines))
        if key is None:
            return start
        return self._key_between(key, start + 1, self._section_end(start)) or start

    def _section_end(self, start: int) -> int:
        """The last line before the next table header after line ``start``."""
        return next((h for h in self._headers if h > start), len(self._lines) + 1) - 1

    def _key_between(self, key: str, first: int, last: int) -> int | None:
        pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*(?:=|\.)')
        for n in range(first, min(last, len(self._lines)) + 1):
            line = self._lines[n - 1]
            if pattern.match(line):
                return n
        return None
