"""Typed event payloads and the `Event.data` view built from them."""

from __future__ import annotations

import json

import pytest

from yesman.bus import (
    AutomationObserved,
    DialogInfo,
    Event,
    EventType,
    OptionInfo,
    PromptHeld,
    SystemFault,
)

DIALOG = DialogInfo(
    kind="tool_permission",
    tool="Bash",
    target="npm test",
    question="Do you want to proceed?",
    options=(OptionInfo(1, "Yes"), OptionInfo(2, "No")),
    highlighted=1,
    warning=None,
    fingerprint="abc",
)


def held() -> PromptHeld:
    return PromptHeld(
        session="work", pane_id="%3", agent="claude-code", reason="r", rule="x", alert=True,
        prompt=DIALOG,
    )  # fmt: skip


def test_data_is_a_read_only_view_of_the_payload_in_the_seed_shape() -> None:
    event = Event(EventType.PROMPT_HELD, payload=held())
    assert event.data["reason"] == "r"
    assert event.data["prompt"]["options"] == [
        {"number": 1, "text": "Yes"},
        {"number": 2, "text": "No"},
    ]
    assert set(event.data) == {
        "session", "pane_id", "agent", "agent_version", "reason", "rule", "alert", "prompt",
        "channel",
    }  # fmt: skip
    assert event.data["agent_version"] == ""
    assert event.data["channel"] == "screen"
    assert json.loads(json.dumps(dict(event.data)))["prompt"]["target"] == "npm test"
    with pytest.raises(TypeError):
        event.data["reason"] = "changed"  # type: ignore[index]


def test_fields_are_typed_and_frozen() -> None:
    payload = held()
    assert payload.prompt.subject == "npm test"
    with pytest.raises(AttributeError):
        payload.reason = "other"  # type: ignore[misc]


def test_an_event_takes_data_or_a_payload_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        Event(EventType.PROMPT_HELD, data={"reason": "r"}, payload=held())
    plain = Event(EventType.CUSTOM, data={"i": 1})
    assert plain.payload is None
    assert plain.data == {"i": 1}


def test_details_are_merged_into_the_top_level_as_the_seed_had_them() -> None:
    observed = AutomationObserved(
        session="s", pane_id="%1", agent="codex", agent_version="0.171.0",
        context="tests_failing", summary="2 tests failing", details={"failed": 2},
    )  # fmt: skip
    data = Event(EventType.AUTOMATION_CONTEXT, payload=observed).data
    assert data["failed"] == 2
    assert (data["agent"], data["agent_version"]) == ("codex", "0.171.0")
    fault = SystemFault(error="tmux server lost", source="tmux", details={"server": "-L x"})
    assert dict(Event(EventType.SYSTEM_ERROR, payload=fault).data) == {
        "error": "tmux server lost",
        "source": "tmux",
        "server": "-L x",
    }


def test_subject_falls_back_from_target_to_question_to_kind() -> None:
    assert DialogInfo("question", None, None, "Which?", (), None, None, "f").subject == "Which?"
    assert DialogInfo("trust_folder", None, None, None, (), None, None, "f").subject == (
        "trust_folder"
    )
