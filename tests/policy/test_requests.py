"""Policy.decide_request: a hook's exact tool call, decided by the same guards and rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from yesman.agents import AgentScreen, Option, Prompt, PromptKind, ScreenState, ToolRequest
from yesman.agents.claude import CLAUDE_CODE
from yesman.policy import Action, Policy, PolicyContext, PolicyError

PROJECT = Path("/home/dev/app")
CONTEXT = PolicyContext(session="work", pane_id="%3", project_dir=PROJECT, home=Path("/home/dev"))
DEFAULT = Policy.default()
QUESTION = {
    "questions": [
        {
            "question": "Which database should the service use?",
            "header": "Database",
            "multiSelect": False,
            "options": [{"label": "PostgreSQL"}, {"label": "SQLite"}],
        },
        {
            "question": "Which extras?",
            "header": "Extras",
            "multiSelect": True,
            "options": [{"label": "Auth"}, {"label": "Metrics"}, {"label": "Admin"}],
        },
    ]
}


def request(tool: str, tool_input: dict[str, Any]) -> ToolRequest:
    assert CLAUDE_CODE.hook is not None
    payload = {"hook_event_name": "PermissionRequest", "tool_name": tool, "tool_input": tool_input}
    parsed = CLAUDE_CODE.hook.parse(payload, {})
    assert parsed is not None
    return parsed


def bash(command: str, description: str = "") -> ToolRequest:
    return request("Bash", {"command": command, "description": description})


@pytest.mark.parametrize(
    ("call", "action", "rule"),
    [
        pytest.param(bash("npm test"), Action.ANSWER, "answer-tool-permission", id="harmless"),
        pytest.param(bash("rm -rf ~/"), Action.HOLD, "guard:dangerous-command", id="rm-home"),
        pytest.param(
            bash("npm test\nrm -rf /var/lib/app"),
            Action.HOLD,
            "guard:dangerous-command",
            id="second-line",
        ),
        pytest.param(
            bash("ls && bash -c 'curl x | sh'"), Action.HOLD, "guard:dangerous-command", id="nested"
        ),
        pytest.param(bash(""), Action.HOLD, "guard:dangerous-command", id="no-command"),
        pytest.param(
            request("Write", {"file_path": "/home/dev/app/src/x.py", "content": "x"}),
            Action.ANSWER,
            "answer-tool-permission",
            id="write-inside",
        ),
        pytest.param(
            request("Write", {"file_path": "/home/dev/.bashrc", "content": "x"}),
            Action.HOLD,
            "guard:outside-project",
            id="write-outside",
        ),
        pytest.param(
            request("Edit", {"file_path": "/home/dev/app/.env"}),
            Action.HOLD,
            "hold-secret-reads",
            id="secrets",
        ),
        pytest.param(
            request("WebFetch", {"url": "https://docs.python.org/3/", "prompt": "read"}),
            Action.ANSWER,
            "answer-tool-permission",
            id="fetch",
        ),
        pytest.param(request("AskUserQuestion", QUESTION), Action.HOLD, "hold-question", id="q"),
        pytest.param(request("ExitPlanMode", {"plan": "x"}), Action.HOLD, "hold-plan", id="plan"),
        pytest.param(request("NewTool", {"x": 1}), Action.HOLD, "hold-other", id="unknown-tool"),
    ],
)
def test_the_default_policy_on_hook_requests(call: ToolRequest, action: Action, rule: str) -> None:
    decision = DEFAULT.decide_request(call, CONTEXT)
    assert (decision.action, decision.rule) == (action, rule)
    assert decision.keys == (), "a hook answer types nothing"


def test_the_exact_command_is_analysed_not_its_description() -> None:
    # On screen the description is analysed too (an older layout put command lines there);
    # a hook knows which is which, so prose about rm -rf does not hold an ordinary command.
    call = bash("npm test", description="rm -rf / would be bad, so just run the tests")
    assert DEFAULT.decide_request(call, CONTEXT).action is Action.ANSWER


def test_a_deny_guard_denies_with_its_reason() -> None:
    policy = Policy.from_toml('[guards]\ndangerous_commands = "deny"\n')
    decision = policy.decide_request(bash("sudo rm -rf /"), CONTEXT)
    assert (decision.action, decision.rule) == (Action.DENY, "guard:dangerous-command")
    assert decision.reason


@pytest.mark.parametrize(
    ("option", "action", "says"),
    [
        pytest.param('"yes"', Action.ANSWER, "-> allow", id="yes"),
        pytest.param('"always"', Action.ANSWER, "once", id="always-is-once"),
        pytest.param("2", Action.HOLD, "picks option 2", id="a-number"),
    ],
)
def test_rule_options_through_a_hook(option: str, action: Action, says: str) -> None:
    policy = Policy.from_toml(
        f'[[rules]]\nname = "tests"\ntool = "Bash"\ncommand = "^npm "\naction = "answer"\n'
        f"option = {option}\n"
    )
    decision = policy.decide_request(bash("npm test"), CONTEXT)
    assert decision.action is action
    assert says in decision.reason


def test_a_dry_run_decides_but_gives_no_answer() -> None:
    policy = Policy.from_toml(
        'dry_run = true\n[[rules]]\nname = "all"\nkind = "tool_permission"\naction = "answer"\n'
    )
    decision = policy.decide_request(bash("npm test"), CONTEXT)
    assert (decision.action, decision.dry_run) == (Action.ANSWER, True)


ANSWERS = """
[[rules]]
name = "our-stack"
kind = "question"
action = "answer"
answers = { "Which database*" = "sqlite", "Which extras?" = ["Auth", "Metrics"] }
"""


def test_pre_set_answers_answer_every_question_with_offered_labels() -> None:
    decision = Policy.from_toml(ANSWERS).decide_request(request("AskUserQuestion", QUESTION))
    assert decision.action is Action.ANSWER
    assert decision.answers == (
        ("Which database should the service use?", "SQLite"),  # the label as offered
        ("Which extras?", "Auth, Metrics"),
    )
    assert decision.as_dict()["answers"] == dict(decision.answers)


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        pytest.param('{ "Which database*" = "SQLite" }', "no pre-set answer fits", id="partial"),
        pytest.param(
            '{ "Which database*" = "MySQL", "Which extras?" = "Auth" }',
            "no pre-set answer fits",
            id="not-offered",
        ),
        pytest.param(
            '{ "Which database*" = ["SQLite", "PostgreSQL"], "Which extras?" = "Auth" }',
            "no pre-set answer fits",
            id="two-for-one",
        ),
    ],
)
def test_questions_without_a_fitting_answer_are_held(answers: str, says: str) -> None:
    policy = Policy.from_toml(
        f'[[rules]]\nname = "a"\nkind = "question"\naction = "answer"\nanswers = {answers}\n'
    )
    decision = policy.decide_request(request("AskUserQuestion", QUESTION))
    assert decision.action is Action.HOLD
    assert says in decision.reason
    assert decision.answers == ()


def test_pre_set_answers_never_answer_a_question_on_screen() -> None:
    prompt = Prompt(
        PromptKind.QUESTION,
        "AskUserQuestion",
        None,
        "Which database should the service use?",
        (Option(1, "Yes, SQLite"), Option(2, "PostgreSQL")),
        1,
        None,
        "fp",
    )
    decision = Policy.from_toml(ANSWERS).decide(AgentScreen(ScreenState.WAITING, prompt))
    assert decision.action is Action.HOLD
    assert "only through the hook" in decision.reason


def test_an_answer_rule_without_answers_holds_questions() -> None:
    policy = Policy.from_toml('[[rules]]\nname = "q"\nkind = "question"\naction = "answer"\n')
    decision = policy.decide_request(request("AskUserQuestion", QUESTION))
    assert decision.action is Action.HOLD


ASK, TOOL, ANSWER = 'kind = "question"', 'kind = "tool_permission"', 'action = "answer"'


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        pytest.param('kind = "tool_permission"\naction = "answer"', 'kind = "question"', id="kind"),
        pytest.param('kind = "question"\naction = "hold"', 'action = "answer"', id="action"),
        pytest.param('kind = "question"\naction = "answer"\nanswers = "x"', "table", id="shape"),
        pytest.param(
            'kind = "question"\naction = "answer"\nanswers = { "q" = 1 }', "label", id="v"
        ),
        pytest.param('kind = "question"\naction = "answer"\nanswers = {}', "table", id="empty"),
    ],
)
def test_answers_in_the_wrong_place_are_errors_naming_the_line(rule: str, says: str) -> None:
    text = f'[[rules]]\nname = "r"\n{rule}\n'
    if "answers" not in rule:
        text += 'answers = { "q" = "a" }\n'
    with pytest.raises(PolicyError, match="answers") as raised:
        Policy.from_toml(text, source="p.toml")
    assert says in str(raised.value)
    assert "p.toml" in str(raised.value)
