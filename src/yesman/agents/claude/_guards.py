"""How long to wait after a Claude Code permission dialog appears before typing into it.

Claude Code ignores keys that arrive too soon after it draws a permission dialog (an *input
guard*, so a key meant for the input box does not answer a dialog that just popped up). A key
typed inside the guard is dropped without a trace: the dialog stays and nothing reaches the
input box. How long the guard lasts depends on the release, so it is a property of the version.

Measured with ``scripts/measure_input_guard.py`` on 2026-12-01: four runs, each with both
versions interleaved (2 CPUs shared with other engineers' test runs, load average 0.8 to 5.8;
120x40 pane; ``capture-pane`` polled every 5 ms). D is the time from the dialog being complete on
screen (a tool-permission prompt with the same fingerprint in two captures in a row) to the digit
``1`` being typed once. Cells count keys that took over keys typed, Bash, Write and WebFetch
dialogs together, the four runs pooled (``--summarise``):

==================================  ================  ================
D after the dialog is complete      2.1.197           2.1.332
==================================  ================  ================
0 - 110 ms                          141/141           4/141
120 - 130 ms                        66/66             21/66
140 - 300 ms                        273/273           273/273
all took from D (ms), per run       0/0/0/0           140/140/140/150
largest D dropped (ms), per run     none              130/130/130/125
served -> complete p50, per run     112/81/71/76      574/584/589/587
naive presser p50, per run          299/203/150/230   851/845/851/860
naive presser p50, pooled           204               851
==================================  ================  ================

(Times in ms. Run 4 used a 25 ms grid, hence 150/125. The naive presser polls every 5 ms and
types ``1`` every 25 ms while the dialog is up; its figure runs from the API serving the
``tool_use`` to Claude Code sending the tool result. It left stray ``1`` s in the input box after
93 of 96 dialogs; the single key never did, dropped or not.)

Seen from the dialog's *first* frame on screen instead, 2.1.332's boundary is sharp in every
run: the latest dropped key came 139.9 ms after the first frame, and no key later than that was
dropped, whatever the tool. Completion lags the first frame by 10 ms (p50; at most 45 ms for
2.1.332, 75 ms for 2.1.197).

The guard per version is the smallest D from which every attempt took (140 ms, the finer grid),
plus a 50 ms margin. The margin covers a watcher that acts on the first frame instead of the
completed dialog (190 ms after completion is still at least 50 ms past the latest drop seen from
the first frame) and a quieter machine, where the dialog reaches the screen sooner after Claude
Code starts its timer. It costs 50 ms per dialog; a dropped key costs far more, because the
dialog stays until the answer is checked and sent again (a second or more). 2.1.197 dropped
nothing, even at D = 0, and gets the margin alone.

Versions not in the table:

* between two measured versions: the longer of the two neighbours' guards (the guard changed in
  some release between them and we do not know which);
* older than the oldest or newer than the newest measured, or unreadable: :data:`DEFAULT_GUARD`,
  the longest measured guard plus the margin again, because a new release may lengthen it.

When a new release ships, measure it beside a known one (in the same run, so both see the same
load), a few times, then pool the runs and add a row::

    npm ci --prefix tools/claude-code
    uv run python scripts/measure_input_guard.py --version-dir tools/claude-code-2.1.197 \\
        --version-dir tools/claude-code --repeats 3 --json run1.json
    uv run python scripts/measure_input_guard.py --summarise run1.json run2.json run3.json
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from yesman.agents._guards import GuardTable
from yesman.agents.claude._text import clean_lines

__all__ = ["DEFAULT_GUARD", "GUARDS", "ClaudeVersion", "input_guard", "parse_version"]


@dataclass(frozen=True, slots=True, order=True)
class ClaudeVersion:
    """A Claude Code release number, ordered as releases are."""

    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


# Reasoning above: seconds from which every key took; `GuardTable` adds the margin.
_TABLE: Final[GuardTable[ClaudeVersion]] = GuardTable(
    {
        ClaudeVersion(2, 1, 197): 0.0,  # no drop at any D from 0 ms
        ClaudeVersion(2, 1, 332): 0.14,  # all took from D = 140 ms
    }
)
GUARDS: Final = _TABLE.guards
DEFAULT_GUARD: Final = _TABLE.default

_NUMBER = r"v?(\d{1,4})\.(\d{1,4})\.(\d{1,6})(?!\.?\d)"
# The banner (`Claude Code v2.1.332`), `claude --version` (`2.1.332 (Claude Code)`), or the
# bare number; a pre-release or build suffix (`-beta.1`, `+abc`) is ignored.
_BANNER_RE: Final = re.compile(r"Claude Code\s+" + _NUMBER)
_VERSION_OUTPUT_RE: Final = re.compile(r"^\s*" + _NUMBER + r"\S*\s+\(Claude Code\)", re.M)
_BARE_RE: Final = re.compile(r"\s*" + _NUMBER + r"(?:[-+][0-9A-Za-z.-]*)?\s*")


def parse_version(text: str) -> ClaudeVersion | None:
    """The Claude Code version in ``text``, or None.

    Reads a bare number (``2.1.197``, ``v2.1.197``), the output of ``claude --version``
    (``2.1.197 (Claude Code)``) and a screen showing Claude Code's banner
    (``Claude Code v2.1.197``, plain or with ANSI escapes). Other numbers on a screen are not
    taken for a version.
    """
    match = _BARE_RE.fullmatch(text) or _VERSION_OUTPUT_RE.search(text)
    if match is None:
        plain = "\n".join(clean_lines(text)) if "\x1b" in text else text
        match = _BANNER_RE.search(plain)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return ClaudeVersion(major, minor, patch)


def input_guard(version: str | ClaudeVersion | None) -> float:
    """Seconds to wait after a permission dialog is complete on screen before typing into it.

    ``version`` is anything :func:`parse_version` reads, or None when the version is not known
    (then, as for an unreadable or unmeasured version outside the table: :data:`DEFAULT_GUARD`).
    """
    parsed = parse_version(version) if isinstance(version, str) else version
    return _TABLE.guard(parsed)
