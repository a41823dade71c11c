"""Regenerate the real screens the policy-screens gate ships, from the corpus.

    uv run python scripts/ship_policy_screens.py           # rewrite the shipped file
    uv run python scripts/ship_policy_screens.py --check   # exit 1 when it differs from the corpus

Picks from tests/agents/claude/corpus/<version>/ (every version there): each dialog at its
narrowest width and at 120 columns, the dangerous Bash dialog at every width, the hard negatives
(numbered lists and quoted dialogs in Claude's answers) at two widths, and one 80-column screen
of each state without a dialog (idle, busy, errors, dialogs already answered). Each screen gets
the outcome the gate expects from its scenario name (`EXPECT`); a scenario missing from `EXPECT`
stops the script, so a new kind of screen is labelled by a person before it ships.
tests/gates/test_screens.py checks the shipped file equals what this script would write.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from yesman.gates._screens import (
    SCREENS_FILE,
    ScreenExpectation,
    ShippedScreen,
    ShippedScreens,
    decode_screens,
    encode_screens,
)

ROOT: Final = Path(__file__).resolve().parents[1]
CORPUS: Final = ROOT / "tests" / "agents" / "claude" / "corpus"
TARGET: Final = ROOT / "src" / "yesman" / "gates" / SCREENS_FILE
# The folder the corpus was captured in (scripts/capture_corpus.py) and a home beside it.
PROJECT_DIR: Final = "/tmp/yesman-corpus/app"
HOME: Final = "/tmp/yesman-corpus/home"

_A, _H, _P, _N = (
    ScreenExpectation.ANSWERED,
    ScreenExpectation.HELD,
    ScreenExpectation.HUMAN,
    ScreenExpectation.NO_DIALOG,
)
# scenario -> (expected outcome, widths to ship: "all", "dialog" = narrowest and 120, or one)
EXPECT: Final[dict[str, tuple[ScreenExpectation, str]]] = {
    "bash_dangerous": (_H, "all"),
    "bash_short": (_A, "dialog"),
    "bash_long": (_A, "dialog"),
    "bash_wrapping": (_A, "dialog"),
    "bash_automode": (_A, "dialog"),
    "write_create": (_A, "dialog"),
    "edit_file": (_A, "dialog"),
    "webfetch": (_A, "dialog"),
    "mcp_tool": (_A, "dialog"),
    "question_picker": (_P, "dialog"),
    "plan_approval": (_P, "dialog"),
    "plan_approval_noplan": (_P, "dialog"),
    "trust_folder_default": (_P, "dialog"),
    "api_key_default": (_P, "dialog"),
    "mcp_server_approval": (_P, "dialog"),
    "auto_mode_offer": (_P, "dialog"),
    "numbered_list_answer": (_N, "dialog"),
    "quoted_dialog_answer": (_N, "dialog"),
    "answered_busy": (_N, "80"),
    "answered_denied": (_N, "80"),
    "answered_idle": (_N, "80"),
    "idle_start": (_N, "80"),
    "idle_after_answer": (_N, "80"),
    "busy_thinking": (_N, "80"),
    "busy_tool_running": (_N, "80"),
    "error_401": (_N, "80"),
    "error_429": (_N, "80"),
    "error_429unified": (_N, "80"),
    "error_500": (_N, "80"),
    "error_overloaded": (_N, "80"),
}
_NAME_RE: Final = re.compile(r"(?P<scenario>.+)_w(?P<width>\d+)(?P<rows>x\d+)?$")


class UnlabelledScreenError(Exception):
    """A corpus scenario has no entry in EXPECT."""


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(x) for x in name.split("."))


def select(corpus: Path = CORPUS) -> ShippedScreens:
    """The selection from `corpus`, in a stable order (version, scenario, width)."""
    screens: list[ShippedScreen] = []
    versions = sorted(
        (p for p in corpus.iterdir() if p.is_dir()), key=lambda p: _version_key(p.name)
    )
    for folder in versions:
        widths: dict[str, list[int]] = {}
        for capture in sorted(folder.glob("*.txt")):
            m = _NAME_RE.match(capture.stem)
            if m is None or m.group("rows"):
                continue  # other row counts add nothing the policy sees
            scenario = m.group("scenario")
            if scenario not in EXPECT:
                raise UnlabelledScreenError(
                    f"{folder.name}/{capture.name}: scenario {scenario!r} has no expected "
                    "outcome; add it to EXPECT in scripts/ship_policy_screens.py"
                )
            widths.setdefault(scenario, []).append(int(m.group("width")))
        for scenario in sorted(widths):
            expect, which = EXPECT[scenario]
            for width in _pick(sorted(widths[scenario]), which):
                path = folder / f"{scenario}_w{width}.txt"
                text = path.read_text(encoding="utf-8")
                screens.append(ShippedScreen(f"{folder.name}/{path.name}", expect, text))
    return ShippedScreens(PROJECT_DIR, HOME, tuple(screens))


def _pick(available: Sequence[int], which: str) -> list[int]:
    if which == "all":
        return list(available)
    if which == "dialog":
        return sorted({available[0], 120} & set(available)) or [available[0]]
    return [int(which)] if int(which) in available else [available[0]]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    try:
        shipped = select()
    except UnlabelledScreenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    data = encode_screens(shipped)
    if args.check:
        current = decode_screens(TARGET.read_bytes()) if TARGET.exists() else None
        if current != shipped:
            print(f"{TARGET} differs from the corpus; run {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{TARGET.name}: {len(shipped.screens)} screens, up to date")
        return 0
    TARGET.write_bytes(data)
    raw = sum(len(s.text.encode("utf-8")) for s in shipped.screens)
    print(
        f"wrote {TARGET.relative_to(ROOT)}: {len(shipped.screens)} screens, "
        f"{raw} bytes of screen text, {len(data)} bytes compressed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
