"""Dialog bookkeeping: one decision per dialog instance, the re-answer guard."""

from __future__ import annotations

from yesman.agents import AgentScreen, Option, Prompt, PromptKind, ScreenState
from yesman.monitor._dialogs import DialogBook, Novelty


def waiting(fingerprint: str) -> AgentScreen:
    prompt = Prompt(
        PromptKind.TOOL_PERMISSION, "Bash", "ls", None, (Option(1, "Yes"),), 1, None, fingerprint
    )
    return AgentScreen(ScreenState.WAITING, prompt)


def test_a_dialog_is_new_once_and_then_the_same_until_something_else_shows() -> None:
    book = DialogBook(reanswer_guard=1.0)
    screen = waiting("a")
    assert book.classify(screen, 0.0) is Novelty.NEW
    assert screen.prompt is not None
    book.begin(screen.prompt, 0.0)
    assert book.classify(screen, 0.1) is Novelty.SAME
    # An unreadable screen does not end the instance...
    assert book.classify(AgentScreen(ScreenState.UNKNOWN), 0.2) is Novelty.NOTHING
    assert book.classify(screen, 0.3) is Novelty.SAME
    # ...a definite other state does.
    assert book.classify(AgentScreen(ScreenState.BUSY), 0.4) is Novelty.NOTHING
    assert book.current is None
    assert book.classify(screen, 5.0) is Novelty.NEW


def test_the_dialog_just_answered_is_not_new_within_the_guard() -> None:
    book = DialogBook(reanswer_guard=1.0)
    screen = waiting("a")
    assert screen.prompt is not None
    book.begin(screen.prompt, 0.0)
    book.answered("a", 0.5)
    book.classify(AgentScreen(ScreenState.BUSY), 0.6)
    assert book.classify(screen, 0.9) is Novelty.TOO_SOON
    assert book.classify(waiting("b"), 0.9) is Novelty.NEW
    assert book.classify(screen, 1.6) is Novelty.NEW


def test_old_answers_are_forgotten() -> None:
    book = DialogBook(reanswer_guard=1.0)
    for i in range(100):
        book.answered(f"fp{i}", float(i))
    assert book.classify(waiting("fp0"), 99.5) is Novelty.NEW
    assert book.classify(waiting("fp99"), 99.5) is Novelty.TOO_SOON
