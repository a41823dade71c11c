"""The simulated agent's layout, checked against real Claude Code captures and edge cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from yesman._simagent.scenarios import Dialog, builtin_scenarios, plan_dialog
from yesman._simagent.screen import (
    Line,
    answer,
    input_box,
    outcome,
    parse_keys,
    render_dialog,
    render_rows,
    wrap_line,
)

POINTER = "\u276f"  # the highlight mark Claude Code draws
CORPUS = Path(__file__).parents[1] / "agents" / "claude" / "corpus" / "2.1.332"
CORPUS_CWD = "/tmp/yesman-corpus/app"


def _corpus_tail(name: str, rows: int) -> list[str]:
    """The last `rows` non-blank-trailing rows of a real capture."""
    path = CORPUS / name
    lines = [line.rstrip() for line in path.read_text(encoding="utf-8").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines[-rows:]


def _drawn(dialog: Dialog, width: int) -> list[str]:
    rows = render_rows(render_dialog(dialog, dialog.default, width), width, 1000)
    return [text.rstrip() for _, text in rows]


BASH_SHORT = Dialog(
    kind="permission",
    title="Bash command",
    subtitle="Create the build folder",
    body=("mkdir -p build && touch build/out.txt",),
    question="Do you want to proceed?",
    options=(
        "Yes",
        f"Yes, and don't ask again for mkdir -p build and touch build/out.txt commands in "
        f"{CORPUS_CWD}",
        "No",
    ),
    footer="Esc to cancel · Tab to amend",
)

BASH_LONG = Dialog(
    kind="permission",
    title="Bash command",
    subtitle="Write the TODO report",
    body=(
        "find . -name '*.py' -not -path './.venv/*' -exec grep -l 'TODO' {} + | xargs wc -l "
        "| sort -n | tail -20 > reports/todo-report.txt && echo 'report written to reports/'",
    ),
    warning="find with '-exec' executes commands or modifies files — cannot be auto-allowed "
    "by a Bash(find:*) prefix rule",
    question="Do you want to proceed?",
    options=("Yes", "No"),
    footer="Esc to cancel · Tab to amend",
)


@pytest.mark.parametrize(
    ("capture", "dialog", "width"),
    [
        ("bash_short_w60.txt", BASH_SHORT, 60),
        ("bash_short_w80.txt", BASH_SHORT, 80),
        ("bash_short_w120.txt", BASH_SHORT, 120),
        ("bash_short_w250.txt", BASH_SHORT, 250),
        ("bash_long_w60.txt", BASH_LONG, 60),
        ("bash_long_w80.txt", BASH_LONG, 80),
        ("bash_long_w120.txt", BASH_LONG, 120),
        ("bash_long_w250.txt", BASH_LONG, 250),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_permission_dialog_matches_real_capture(capture: str, dialog: Dialog, width: int) -> None:
    drawn = _drawn(dialog, width)
    assert drawn == _corpus_tail(capture, len(drawn))


BUILTIN_CAPTURES = {
    "mcp": "mcp_tool",
    "mcpserver": "mcp_server_approval",
    "autooffer": "auto_mode_offer",
    "automode": "bash_automode",
    "dangerous": "bash_dangerous",
    "long": "bash_wrapping",
    "write": "write_create",
    "edit": "edit_file",
    "webfetch": "webfetch",
    "question": "question_picker",
    "trust": "trust_folder_default",
    "apikey": "api_key_default",
}


# The 120-column MCP capture offers a "don't ask again" option the 60/80 ones do not; the
# simulator draws the narrow form.
CAPTURED_DIFFERENTLY = {("mcp", 120)}

# Every (scenario, width) the corpus holds a capture for.
MATCHED = [
    (name, width)
    for name in sorted(BUILTIN_CAPTURES)
    for width in (60, 80, 120, 250)
    if (CORPUS / f"{BUILTIN_CAPTURES[name]}_w{width}.txt").exists()
    and (name, width) not in CAPTURED_DIFFERENTLY
]


@pytest.mark.parametrize(("name", "width"), MATCHED)
def test_builtin_dialog_matches_real_capture(name: str, width: int) -> None:
    dialog = builtin_scenarios(CORPUS_CWD)[name].dialog
    assert dialog is not None
    drawn = _drawn(dialog, width)
    assert drawn == _corpus_tail(f"{BUILTIN_CAPTURES[name]}_w{width}.txt", len(drawn))


@pytest.mark.parametrize(
    ("text", "width", "hang", "right", "expected"),
    [
        ("short", 10, 0, 0, ["short"]),
        ("exactly ten", 11, 0, 0, ["exactly ten"]),
        ("  one two three four", 9, 2, 0, ["  one two", "  three", "  four"]),
        (
            "   2. Yes, and don't ask",
            12,
            6,
            0,
            ["   2. Yes,", "      and", "      don't", "      ask"],
        ),
        ("abcdefghijkl", 5, 0, 0, ["abcde", "fghij", "kl"]),
        (" │ alpha beta gamma", 12, " │ ", 0, [" │ alpha", " │ beta", " │ gamma"]),
        ("x" * 7, 1, 4, 0, ["x"] * 7),
        # a right margin keeps text off the last columns
        (" one two", 8, 1, 1, [" one", " two"]),
        # after a row filled exactly, the next one holds one character less, as in Ink
        ("aaaa bbb cccc", 4, 0, 0, ["aaaa", "bbb", "cccc"]),
        ("aaaaa bb cc", 5, 0, 0, ["aaaaa", "bb", "cc"]),
        ("aaaa bb cc", 5, 0, 0, ["aaaa", "bb cc"]),
    ],
)
def test_wrap_line(text: str, width: int, hang: int | str, right: int, expected: list[str]) -> None:
    lines = wrap_line(text, width, hang, right)
    assert lines == expected
    assert all(len(line) <= width for line in lines)


def test_render_rows_keeps_the_bottom_when_the_screen_is_short() -> None:
    lines = [Line(f"row {n}") for n in range(10)]
    assert [text for _, text in render_rows(lines, 20, 3)] == ["row 7", "row 8", "row 9"]


def test_highlight_follows_the_highlighted_option() -> None:
    dialog = builtin_scenarios("/x")["bash"].dialog
    assert dialog is not None
    rows = [text for _, text in render_rows(render_dialog(dialog, 2, 80), 80, 100)]
    assert f" {POINTER} 3. No" in rows
    assert "   1. Yes" in rows


@pytest.mark.parametrize(
    ("data", "keys"),
    [
        (b"1", ["1"]),
        (b"\r", ["Enter"]),
        (b"\x1b", ["Escape"]),
        (b"\x1b[A\x1b[B", ["Up", "Down"]),
        (b"\x1bOA", ["Up"]),  # application cursor mode
        (b"\x1b[Z", ["BTab"]),
        (b"\x1b[1;5C", ["0x1b"]),  # other CSI sequences are one unknown key, not stray digits
        (b"\x03", ["C-c"]),
        (b"12\r", ["1", "2", "Enter"]),
        (b"\xff", ["\ufffd"]),
        (b"\x01", ["0x01"]),
    ],
)
def test_parse_keys(data: bytes, keys: list[str]) -> None:
    assert parse_keys(data) == keys


@pytest.mark.parametrize(("capture", "busy"), [("idle_start", False), ("busy_thinking", True)])
@pytest.mark.parametrize("width", [80, 120])
def test_input_box_matches_real_capture(capture: str, busy: bool, width: int) -> None:
    drawn = [text.rstrip() for _, text in render_rows(input_box(width, busy=busy), width, 100)]
    assert drawn == _corpus_tail(f"{capture}_w{width}.txt", len(drawn))


@pytest.mark.parametrize("width", [60, 120])
def test_plan_approval_matches_real_capture(width: int) -> None:
    real = _corpus_tail(f"plan_approval_w{width}.txt", 1000)
    # each capture saves its plan under a random name; draw the same one
    found = re.search(r"~/\.claude/plans/(\S+)\.md", "".join(real))
    assert found is not None
    drawn = _drawn(plan_dialog(found.group(1)), width)
    question = max(i for i, line in enumerate(drawn) if line.startswith("  ──"))
    bottom = drawn[question:]  # the plan above scrolls in a box of its own in the real one
    assert bottom == real[-len(bottom) :]


def test_a_refused_call_reads_like_the_real_one() -> None:
    scenario = builtin_scenarios(CORPUS_CWD)["dangerous"]
    drawn = [text for _, text in render_rows(outcome(scenario, None, ""), 80, 100)]
    real = _corpus_tail("answered_denied_w80.txt", 100)
    start = real.index("  Did not run 1 call")
    assert drawn[:3] == real[start : start + 3]


def test_a_text_reply_matches_the_real_one() -> None:
    scenario = builtin_scenarios(CORPUS_CWD)["list"]
    drawn = [text for _, text in render_rows(answer(scenario, 0.1), 80, 100)]
    real = _corpus_tail("numbered_list_answer_w80.txt", 100)
    start = real.index("● Here is what I would do next:")
    assert drawn[:8] == real[start : start + 8]
    assert drawn[8] == "✻ Worked for 0s"
