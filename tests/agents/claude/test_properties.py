"""Property tests: no input crashes the parser, escapes change nothing, and only a complete dialog
at the bottom of the screen can ever lead to typing."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yesman.agents import ScreenState
from yesman.agents.claude import parse_screen
from yesman.policy import Action, Policy, PolicyContext

from ._corpus import CASES, VERSION_FOLDERS, load_cases, reading
from ._redraw import PLAIN as BASH_MENU
from ._redraw import Menu, Space, draw_menu

POLICY = Policy.default()
CONTEXT = PolicyContext(session="s", pane_id="%1", project_dir=Path("/home/dev/app"))
WAITING = [c for c in load_cases(*VERSION_FOLDERS, CASES) if c.expected["state"] == "waiting"]
PLAIN = [c for c in load_cases(*VERSION_FOLDERS, CASES) if c.path.suffix == ".txt"]

FRAGMENTS = [
    "─" * 80,
    "╌" * 80,
    " Bash command",
    "   rm -rf build",
    "   ls",
    " Do you want to proceed?",
    " ❯ 1. Yes",
    "   1. Yes",
    "   2. No",
    " ❯ 2. No",
    "   3. No, and tell Claude what to do differently (esc)",
    " Esc to cancel · Tab to amend",
    "❯ ",
    "  ? for shortcuts",
    "● Bash(rm -rf /)",
    "  ⎿  Interrupted by user",
    "✶ Puzzling… (esc to interrupt)",
    "1. Install",
    "2. Deploy",
    # 2.1.197 drops the space after the digit of a wrapped option; a decimal is no option
    " ❯ 1.Yes",
    "   2.No",
    "   2.Yes, and don't ask again for rm",
    "     commands in /home/dev/app",
    "1.5 GB free",
    "",
]
ESCAPES = ["\x1b[0m", "\x1b[1;31m", "\x1b[38;5;174m", "\x1b[2K", "\x1b]0;title\x07", "\x1b[?25l"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_parses_without_error(text: str) -> None:
    screen = parse_screen(text)
    assert screen.state in ScreenState
    if screen.prompt is not None:
        assert screen.state is ScreenState.WAITING


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_parse_without_error(data: bytes) -> None:
    parse_screen(data.decode("utf-8", errors="replace"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(PLAIN), data=st.data())
def test_ansi_noise_does_not_change_the_reading(case: object, data: st.DataObject) -> None:
    text = case.text  # type: ignore[attr-defined]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=40)))
    noise = data.draw(st.lists(st.sampled_from(ESCAPES), min_size=len(cuts), max_size=len(cuts)))
    pieces, last = [], 0
    for cut, esc in zip(cuts, noise, strict=True):
        pieces.extend([text[last:cut], esc])
        last = cut
    pieces.append(text[last:])
    assert parse_screen("".join(pieces)) == parse_screen(text)


_OPTION = re.compile(r"^\s*(?:❯\s*)?(\d)\.(?: |[A-Za-z])")


def _complete_dialog_at_bottom(text: str) -> bool:
    """Independent, simpler check: options 1..N end the screen (bar hints and frames), under a
    question, under a rule."""
    lines = [x for x in text.splitlines() if x.strip() and "to cancel" not in x]
    while lines and lines[-1].startswith("─"):
        lines.pop()  # a frame under the menu
    numbers: list[int] = []
    k = len(lines) - 1
    while k >= 0:
        if numbers and lines[k].startswith("─") and k > 0 and _OPTION.match(lines[k - 1]):
            k -= 1  # a rule inside the menu (AskUserQuestion puts one above its last option)
            continue
        m = _OPTION.match(lines[k])
        if m is None:
            break
        numbers.append(int(m.group(1)))
        k -= 1
    if not numbers or numbers[-1] != 1 or numbers != list(range(len(numbers), 0, -1)):
        return False
    above = lines[: k + 1]
    return any("?" in x for x in above) and any(x.startswith("─") for x in above)


DIALOG = [
    "─" * 80,
    " Bash command",
    "   ls",
    " Do you want to proceed?",
    " ❯ 1. Yes",
    "   2. No",
]
ANSWERED: list[bool] = []


@settings(max_examples=400, deadline=None)
@given(
    before=st.lists(st.sampled_from(FRAGMENTS), max_size=15),
    dialog=st.booleans(),
    after=st.lists(st.sampled_from(FRAGMENTS), max_size=6),
)
def test_answer_only_when_a_complete_dialog_is_at_the_bottom(
    before: list[str], dialog: bool, after: list[str]
) -> None:
    text = "\n".join([*before, *(DIALOG if dialog else []), *after])
    decision = POLICY.decide(parse_screen(text), CONTEXT)
    ANSWERED.append(decision.action is Action.ANSWER)
    if decision.action is Action.ANSWER:
        assert _complete_dialog_at_bottom(text), text
        assert len(decision.keys) == 1
        assert decision.keys[0].isdigit()


def test_the_answer_property_saw_answers_and_refusals() -> None:
    # Runs after the property above (file order): it must have exercised both outcomes.
    assert any(ANSWERED)
    assert not all(ANSWERED)


@settings(max_examples=100, deadline=None)
@given(
    case=st.sampled_from(WAITING),
    after=st.lists(st.sampled_from(["● Done.", "  ⎿  ok", "Some text", "1. item"]), min_size=1),
)
def test_a_dialog_with_output_below_it_is_never_a_prompt(case: object, after: list[str]) -> None:
    text = case.text.rstrip("\n")  # type: ignore[attr-defined]
    box = ["", "─" * 80, "❯ ", "─" * 80, "  ? for shortcuts"]
    screen = parse_screen("\n".join([text, *after, *box]))
    assert screen.prompt is None


def test_waiting_cases_exist_for_the_properties() -> None:
    assert len(WAITING) >= 10
    assert all(reading(c.expected)["prompt"] is not None for c in WAITING)


# -- options wrapped at any width, with or without the space after the digit --------------------

WORDS = ["Yes,", "and", "don't", "ask", "again", "for", "mkdir", "-p", "build/out.txt", "&&",
         "commands", "in", "/tmp/yesman-corpus/app/" + "deep/" * 4, "No,", "tell", "Claude",
         "(esc)", "(shift+tab)", "—", "·", "it's", "\u2019"]  # fmt: skip
# Words that look like the start of an option or a highlight when a wrap puts them first, and
# one longer than a line (Ink breaks it anywhere; joined back with a space, the one thing a
# re-wrap may change).
TRICKY = [*WORDS, "2.", "3.", "1.5", "2.No", "❯", ">", "10.", "3)", "x" * 70]
_DIALOG_HEAD = ["─" * 80, " Bash command", "", "   make test", "   Run the tests", "",
                " Do you want to proceed?"]  # fmt: skip
_DIALOG_FOOT = ["", " Esc to cancel · Tab to amend · ctrl+e to explain"]


# Where the highlight glyph and the digits stand: ` ❯ 1.` (Bash dialogs), ` ❯1.` (glyph against
# the digit), `❯ 1.` at column 0 (AskUserQuestion), `❯1.` with the other digits in column 1.
LAYOUTS = [
    BASH_MENU,
    replace(BASH_MENU, digit_column=2, glyph_gap=""),
    replace(BASH_MENU, digit_column=2, glyph_column=0),
    replace(BASH_MENU, digit_column=1, glyph_column=0, glyph_gap=""),
]
_Drawn = tuple[list[str], int, int, Space, Menu]


def _menu_screen(texts: list[str], highlighted: int, width: int, space: Space, menu: Menu) -> str:
    drawn = draw_menu(texts, highlighted, width, space, menu)
    return "\n".join([*_DIALOG_HEAD, *drawn, *_DIALOG_FOOT])


@st.composite
def _menus(draw: st.DrawFn, words: list[str]) -> _Drawn:
    text = st.lists(st.sampled_from(words), min_size=1, max_size=30).map(" ".join)
    texts = draw(st.lists(text, min_size=2, max_size=5))
    highlighted = draw(st.integers(1, len(texts)))
    space = draw(st.sampled_from(list(Space)))
    return texts, highlighted, draw(st.integers(60, 250)), space, draw(st.sampled_from(LAYOUTS))


@settings(max_examples=300, deadline=None)
@given(menu=_menus(WORDS))
def test_wrapped_options_read_whole_at_any_width(menu: _Drawn) -> None:
    texts, highlighted, width, space, layout = menu
    screen = parse_screen(_menu_screen(texts, highlighted, width, space, layout))
    assert screen.prompt is not None
    assert [o.text for o in screen.prompt.options] == texts
    assert screen.prompt.highlighted == highlighted
    assert screen.prompt.target == "make test"


@settings(max_examples=300, deadline=None)
@given(menu=_menus(TRICKY))
def test_a_wrap_that_looks_like_an_option_is_read_whole_or_not_at_all(menu: _Drawn) -> None:
    # A continuation line starting "2. ..." or "❯" must never shift the options or the highlight:
    # the dialog reads exactly as drawn, or as no prompt (held for a human).
    texts, highlighted, width, space, layout = menu
    screen = parse_screen(_menu_screen(texts, highlighted, width, space, layout))
    if screen.prompt is not None:
        squash = [o.text.replace(" ", "") for o in screen.prompt.options]
        assert squash == [t.replace(" ", "") for t in texts]
        assert screen.prompt.highlighted == highlighted
