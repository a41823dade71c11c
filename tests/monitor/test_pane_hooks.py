"""Which screen decision stands for a hook request that arrives after it (`PaneHooks`)."""

from __future__ import annotations

from yesman.agents import AgentScreen, Prompt, PromptKind, ScreenState
from yesman.agents.codex import CODEX_HOOK, parse_screen
from yesman.monitor._pane_hooks import _decided_for

REQUEST = CODEX_HOOK.parse(
    {
        "hook_event_name": "PermissionRequest",
        "cwd": "/home/dev/app",
        "tool_name": "Bash",
        "tool_input": {"command": "mkdir -p build", "description": "Make the build folder"},
    },
    {},
)
COMMAND_DIALOG = "\n".join(
    [
        "  Would you like to run the following command?",
        "",
        "  Reason: Make the build folder",
        "",
        "  $ mkdir -p build",
        "",
        "› 1. Yes, proceed (y)",
        "  2. No, and tell Codex what to do differently (esc)",
        "",
        "  Press enter to confirm or esc to cancel",
    ]
)
HOOKS_REVIEW = "\n".join(
    [
        "  Hooks need review",
        "  1 hook is new or changed.",
        "",
        "› 1. Review hooks",
        "  2. Trust all and continue",
        "  3. Continue without trusting (hooks won't run)",
        "",
        "  enter confirm · esc skip",
    ]
)


def _prompt(text: str) -> Prompt:
    screen: AgentScreen = parse_screen(text)
    assert screen.state is ScreenState.WAITING
    assert screen.prompt is not None
    return screen.prompt


def test_the_same_dialog_decided_on_screen_stands_for_the_late_request() -> None:
    assert REQUEST is not None
    assert _decided_for(_prompt(COMMAND_DIALOG), REQUEST)


def test_an_unreadable_dialog_held_a_moment_ago_does_not_take_a_requests_decision() -> None:
    """Codex asks to trust its hooks at start; the screen holds that (OTHER) dialog, and the
    first hook request comes before the watcher has seen it go."""
    assert REQUEST is not None
    review = _prompt(HOOKS_REVIEW)
    assert review.kind is PromptKind.OTHER
    assert not _decided_for(review, REQUEST)
    unknown = CODEX_HOOK.parse(
        {"hook_event_name": "PermissionRequest", "tool_name": "New", "tool_input": {}}, {}
    )
    assert unknown is not None
    assert _decided_for(review, unknown), "an unknown request may still be that dialog"
