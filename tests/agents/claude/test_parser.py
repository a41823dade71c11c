"""parse_screen against real captures, hand-made cases and targeted shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from yesman.agents import AgentScreen, PromptKind, ScreenState
from yesman.agents.claude import clean_lines, parse_screen

from ._corpus import CASES, CORPUS, VERSION_FOLDERS, Case, load_cases, reading

# Expected readings in the real corpus that disagree with their own capture are listed here (and
# reported to the corpus author, not edited). Strict xfail: once a file is corrected its test
# passes, fails as XPASS, and the entry must go.
KNOWN_BAD_EXPECTATIONS: frozenset[str] = frozenset()


def _params(cases: list[Case]) -> list[object]:
    out: list[object] = []
    for case in cases:
        stem = case.name.rsplit(".", 1)[0]
        marks = []
        if stem in KNOWN_BAD_EXPECTATIONS:
            marks.append(
                pytest.mark.xfail(reason="expected reading disagrees with capture", strict=True)
            )
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


def _read(screen: AgentScreen) -> dict[str, object]:
    got = screen.as_dict()
    if got["prompt"] is not None:
        assert isinstance(got["prompt"], dict)
        got["prompt"] = {k: v for k, v in got["prompt"].items() if k != "fingerprint"}
    return got


@pytest.mark.parametrize("case", _params(load_cases(*VERSION_FOLDERS)))
def test_real_capture_reads_as_expected(case: Case) -> None:
    assert _read(parse_screen(case.text)) == reading(case.expected)


@pytest.mark.parametrize("case", _params(load_cases(CASES)))
def test_hand_made_case_reads_as_expected(case: Case) -> None:
    assert _read(parse_screen(case.text)) == reading(case.expected)


# The parametrized tests above shrink silently when screens go missing, so every folder they
# read is listed with the number of captures (.txt and .ansi) it holds. Raise a floor when you
# add screens; a folder of readings that is not listed here fails the guard.
SCREEN_FOLDERS = {CORPUS / "2.1.197": 202, CORPUS / "2.1.332": 212, CASES: 28}


@pytest.mark.parametrize(
    ("folder", "floor"), SCREEN_FOLDERS.items(), ids=[f.name for f in SCREEN_FOLDERS]
)
def test_screen_folder_is_complete(folder: Path, floor: int) -> None:
    cases = load_cases(folder)
    assert len(cases) >= floor, f"{folder.name}: {len(cases)} captures, expected >= {floor}"
    assert {c.expected["state"] for c in cases} >= {"waiting", "busy", "idle", "error"}
    readings = {p.stem for p in folder.glob("*.json")}
    plain = {p.stem for p in folder.glob("*.txt")}
    assert readings - plain == set(), "readings without a plain capture (never tested)"
    assert plain - readings == set(), "captures without a reading (never tested)"
    assert {p.stem for p in folder.glob("*.ansi")} <= readings


def test_every_folder_of_screens_is_guarded() -> None:
    here = Path(__file__).parent
    assert {p.parent for p in here.rglob("*.json")} == set(SCREEN_FOLDERS)


@pytest.mark.parametrize(
    "case",
    [c for c in load_cases(*VERSION_FOLDERS, CASES) if c.path.suffix == ".ansi"],
    ids=lambda c: c.name,
)
def test_ansi_and_plain_capture_read_the_same(case: Case) -> None:
    plain = parse_screen(case.path.with_suffix(".txt").read_text(encoding="utf-8"))
    assert parse_screen(case.text) == plain


BASH = """\
{rule}
 Bash command
 {description}
{dash}
 {command}
{dash}

 Do you want to proceed?
 {h1}1. Yes
   2. Yes, and don't ask again for {command} commands in /home/dev/app
   3. No

 Esc to cancel · Tab to amend
"""


def _bash(command: str, description: str = "Run it", highlight: int = 1, width: int = 100) -> str:
    return BASH.format(
        rule="─" * width,
        dash="╌" * width,
        command=command,
        description=description,
        h1="❯ " if highlight == 1 else "  ",
    ).replace("   3. No", "❯  3. No" if highlight == 3 else "   3. No")


def test_fingerprint_is_stable_across_redraws_and_highlight_moves() -> None:
    first = parse_screen(_bash("make test"))
    again = parse_screen("● earlier output\n\n" + _bash("make test"))
    moved = parse_screen(_bash("make test", highlight=3))
    assert first.prompt is not None
    assert again.prompt is not None
    assert moved.prompt is not None
    assert moved.prompt.highlighted == 3
    assert first.prompt.fingerprint == again.prompt.fingerprint == moved.prompt.fingerprint


def test_fingerprint_differs_for_the_next_dialog() -> None:
    a = parse_screen(_bash("make test"))
    b = parse_screen(_bash("make lint"))
    assert a.prompt is not None
    assert b.prompt is not None
    assert a.prompt.fingerprint != b.prompt.fingerprint


@pytest.mark.parametrize("width", range(60, 251, 3))
@pytest.mark.parametrize("version", ["2.1.197", "2.1.332"])
def test_wrapped_command_and_option_are_joined_at_any_width(width: int, version: str) -> None:
    command = " && ".join(
        f"mkdir -p build/output/part{k} && touch build/output/part{k}/done" for k in range(4)
    )
    option = f"Yes, and don't ask again for mkdir and touch commands in /home/dev/{'deep/' * 12}app"
    note = "This command requires approval because it writes outside the usual build folders"
    if version == "2.1.332":
        # Description, the command between dashed fences, a note under them; `2. ` wraps.
        body = [
            " Make the build folders",
            "╌" * width,
            *(f" {x}" for x in _wrap(command, width - 2)),
        ]
        body += ["╌" * width, *(f" {x}" for x in _wrap(note, width - 2))]
        opt_lines = _wrap(option, width - 6)
        menu = [f"   2. {opt_lines[0]}", *(f"      {x}" for x in opt_lines[1:])]
    else:
        # Unfenced: the command, the description on its last line, a blank line, the note at
        # the header's indent; a wrapped option loses the space after its digit.
        body = ["", *(f"   {x}" for x in _wrap(command, width - 6)), "   Make the build folders"]
        body += ["", *(f" {x}" for x in _wrap(note, width - 3))]
        opt_lines = _wrap(option, width - 5)
        menu = [f"   2.{opt_lines[0]}", *(f"     {x}" for x in opt_lines[1:])]
    screen = "\n".join(
        [
            "─" * width,
            " Bash command",
            *body,
            "",
            " Do you want to proceed?",
            " ❯ 1. Yes",
            *menu,
            "   3. No",
            "",
            " Esc to cancel · Tab to amend",
        ]
    )
    result = parse_screen(screen)
    assert result.prompt is not None
    assert result.prompt.target == command
    assert result.prompt.description == "Make the build folders"
    assert result.prompt.warning == note
    assert result.prompt.options[1].text == option


@pytest.mark.parametrize("width", range(60, 251, 7))
def test_a_2_1_197_command_filling_its_last_line_keeps_the_description_apart(width: int) -> None:
    # The command's last line reaches the right edge, so the description's first word would not
    # have fitted there: the wrap alone cannot say where the command ends.
    words = ["pytest"] + [f"tests/t{k:03d}.py" for k in range(60)]
    lines = _wrap(" ".join(words), width - 6)
    while len(lines[-1]) + 4 <= width - 6:  # fill the last line up to the edge
        lines[-1] += " -q"
    command = " ".join(lines)
    screen = "\n".join(
        ["─" * width, " Bash command", "", *(f"   {x}" for x in lines), "   Run the tests", "",
         " Do you want to proceed?", " ❯ 1. Yes", "   2. No", "", " Esc to cancel"]
    )  # fmt: skip
    result = parse_screen(screen)
    assert result.prompt is not None
    assert (result.prompt.target, result.prompt.description) == (command, "Run the tests")


def _wrap(text: str, width: int) -> list[str]:
    """Word-wrap like Ink: break at spaces, dropping them; no line longer than `width`."""
    out: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    return out


def test_numbered_list_in_answer_above_input_box_is_not_a_prompt() -> None:
    screen = "\n".join(
        [
            "● Do you want to proceed? Options:",
            "  ❯ 1. Yes",
            "    2. No",
            "",
            "─" * 80,
            "❯ ",
            "─" * 80,
            "  ? for shortcuts",
        ]
    )
    result = parse_screen(screen)
    assert result.state is ScreenState.IDLE
    assert result.prompt is None


def test_dialog_followed_by_tool_output_is_not_a_prompt() -> None:
    screen = _bash("rm -rf /tmp/x") + "\n● Bash(rm -rf /tmp/x)\n  ⎿  Interrupted by user\n"
    assert parse_screen(screen).prompt is None


def test_unnumbered_menu_is_read_but_marked() -> None:
    screen = "\n".join(
        [
            "─" * 80,
            " Accessing workspace:",
            "",
            " /home/dev/app",
            "",
            " Quick safety check: Is this a project you created or one you trust? (Like your",
            " own code).",
            "",
            " ❯ No, exit",
            "   Yes, I trust this folder",
            "",
            " Enter to confirm · Esc to cancel",
        ]
    )
    result = parse_screen(screen)
    assert result.prompt is not None
    assert result.prompt.kind is PromptKind.TRUST_FOLDER
    assert not result.prompt.numbered
    assert [o.text for o in result.prompt.options] == ["No, exit", "Yes, I trust this folder"]


def test_span_points_at_the_dialog_lines() -> None:
    text = "● hello\n\n" + _bash("make")
    result = parse_screen(text)
    assert result.prompt is not None
    first, last = result.prompt.span
    lines = clean_lines(text)
    assert lines[first] == " Bash command"
    assert lines[last].startswith(" Esc to cancel")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "\x00\x01\x02" * 1000,
        "\x1b[31m\x1b]0;title\x07\x1b[?25l",
        "❯ 1. Yes\n  2. No",
        "─" * 80 + "\n❯ 1. Yes\n  2. No",
        "random text " * 10_000,
    ],
    ids=["empty", "blank", "binary", "escapes-only", "bare-options", "options-under-rule", "huge"],
)
def test_garbage_reads_as_no_prompt(text: str) -> None:
    result = parse_screen(text)
    assert result.prompt is None
    assert result.state in (ScreenState.UNKNOWN, ScreenState.IDLE)


_IDLE_BASE = (CORPUS / "2.1.332" / "answered_idle_w80.txt").read_text(encoding="utf-8").rstrip("\n")


@pytest.mark.parametrize(
    ("footer", "mode"),
    [
        ("  ⏸ manual mode on · ? for shortcuts · ← for agents", None),
        ("  ⏵⏵ auto mode on · ? for shortcuts", "auto"),
        ("  ⏵⏵ accept edits on (shift+tab to cycle)", "accept_edits"),
        ("  ⏸ plan mode on (shift+tab to cycle)", "plan"),
        ("  ⏵⏵ bypass permissions on (shift+tab to cycle)", "bypass"),
        ("  ? for shortcuts", None),
    ],
)
def test_the_permission_mode_footer_is_read(footer: str, mode: str | None) -> None:
    lines = _IDLE_BASE.splitlines()
    assert "mode on" in lines[-1]
    screen = parse_screen("\n".join([*lines[:-1], footer]))
    assert screen.state is ScreenState.IDLE
    assert (screen.mode.value if screen.mode else None) == mode


def test_text_typed_into_the_input_box_is_not_a_mode() -> None:
    lines = _IDLE_BASE.splitlines()
    box = next(i for i in range(len(lines) - 1, 0, -1) if lines[i].startswith("❯"))
    lines[box] = "❯ please turn auto mode on for me"
    screen = parse_screen("\n".join(lines))
    assert screen.state is ScreenState.IDLE
    assert screen.mode is None
