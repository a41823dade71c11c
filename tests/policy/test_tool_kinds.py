"""One policy across agents: rules and guards on canonical tool kinds, rules naming an agent,
and the option each agent's wording leads to."""

from __future__ import annotations

from pathlib import Path

import pytest

from yesman.agents import AgentScreen, Option, Prompt, PromptKind, ScreenState, ToolKind
from yesman.policy import Action, Policy, PolicyContext, PolicyError

PROJECT = Path("/home/dev/app")

CODEX_OPTIONS = (
    Option(1, "Yes, proceed (y)"),
    Option(2, "Yes, and don't ask again for commands that start with `ls` (p)"),
    Option(3, "No, and tell Codex what to do differently (esc)"),
)
GEMINI_OPTIONS = (
    Option(1, "Allow once"),
    Option(2, "Allow for this session"),
    Option(3, "No, suggest changes (esc)"),
)
CLAUDE_OPTIONS = (Option(1, "Yes"), Option(2, "Yes, and don't ask again"), Option(3, "No"))


def _prompt(
    tool: str, kind: ToolKind | None, target: str, options: tuple[Option, ...]
) -> AgentScreen:
    prompt = Prompt(
        kind=PromptKind.TOOL_PERMISSION,
        tool=tool,
        target=target,
        question="?",
        options=options,
        highlighted=1,
        warning=None,
        fingerprint=f"{tool}-{target}",
        tool_kind=kind,
    )
    return AgentScreen(ScreenState.WAITING, prompt)


def _shell(agent: str, command: str) -> tuple[AgentScreen, PolicyContext]:
    screens = {
        "claude-code": _prompt("Bash", ToolKind.SHELL, command, CLAUDE_OPTIONS),
        "codex": _prompt("exec", ToolKind.SHELL, command, CODEX_OPTIONS),
        "gemini": _prompt("run_shell_command", ToolKind.SHELL, command, GEMINI_OPTIONS),
    }
    return screens[agent], PolicyContext(session="s", project_dir=PROJECT, agent=agent)


AGENTS = ("claude-code", "codex", "gemini")

ONE_RULE = Policy.from_toml(
    """
[[rules]]
name = "answer-make"
tool = "shell"
command = "^make( |$)"
action = "answer"
"""
)


@pytest.mark.parametrize("agent", AGENTS)
def test_a_shell_rule_covers_every_agents_shell_tool(agent: str) -> None:
    screen, context = _shell(agent, "make test")
    decision = ONE_RULE.decide(screen, context)
    assert (decision.action, decision.rule, decision.keys) == (Action.ANSWER, "answer-make", ("1",))


@pytest.mark.parametrize("agent", AGENTS)
def test_the_dangerous_command_guard_holds_every_agents_shell(agent: str) -> None:
    screen, context = _shell(agent, "rm -rf ~/")
    decision = Policy.default().decide(screen, context)
    assert (decision.action, decision.rule) == (Action.HOLD, "guard:dangerous-command")


@pytest.mark.parametrize(
    ("tool", "kind", "target"),
    [
        ("write_file", ToolKind.WRITE, "../outside/x.txt"),
        ("apply_patch", ToolKind.EDIT, "/etc/hosts"),
        ("replace", ToolKind.EDIT, "~/.bashrc"),
    ],
)
def test_the_outside_project_guard_holds_every_agents_file_tools(
    tool: str, kind: ToolKind, target: str
) -> None:
    screen = _prompt(tool, kind, target, GEMINI_OPTIONS)
    decision = Policy.default().decide(screen, PolicyContext(project_dir=PROJECT))
    assert (decision.action, decision.rule) == (Action.HOLD, "guard:outside-project")


def test_gemini_allow_once_is_the_plain_yes_and_never_allow_for_this_session() -> None:
    screen, context = _shell("gemini", "ls")
    assert Policy.default().decide(screen, context).keys == ("1",)
    reordered = _prompt(
        "run_shell_command",
        ToolKind.SHELL,
        "ls",
        (Option(1, "Allow for this session"), Option(2, "Allow once"), Option(3, "No")),
    )
    assert Policy.default().decide(reordered, context).keys == ("2",)


@pytest.mark.parametrize("agent", AGENTS)
def test_deny_picks_each_agents_no(agent: str) -> None:
    policy = Policy.from_toml('[[rules]]\nname = "no"\ntool = "shell"\naction = "deny"\n')
    screen, context = _shell(agent, "ls")
    assert policy.decide(screen, context).keys == ("3",)


def test_deny_never_picks_a_no_that_lasts() -> None:
    screen = _prompt(
        "network",
        ToolKind.FETCH,
        "example.com",
        (
            Option(1, "Yes, just this once"),
            Option(2, "No, and block this host in the future"),
            Option(3, "No, continue without running it"),
        ),
    )
    policy = Policy.from_toml('[[rules]]\nname = "no"\ntool = "fetch"\naction = "deny"\n')
    assert policy.decide(screen, PolicyContext(project_dir=PROJECT)).keys == ("3",)


def test_a_claude_tool_name_still_matches_only_claude() -> None:
    policy = Policy.from_toml('[[rules]]\nname = "bash"\ntool = "Bash"\naction = "answer"\n')
    claude, claude_ctx = _shell("claude-code", "ls")
    codex, codex_ctx = _shell("codex", "ls")
    assert policy.decide(claude, claude_ctx).rule == "bash"
    assert policy.decide(codex, codex_ctx).rule == "default:no-rule"


def test_a_prompt_without_a_kind_falls_back_to_claude_names() -> None:
    screen = _prompt("Bash", None, "rm -rf ~/", CLAUDE_OPTIONS)
    decision = Policy.default().decide(screen, PolicyContext(project_dir=PROJECT))
    assert decision.rule == "guard:dangerous-command"


def test_a_rule_may_name_an_agent() -> None:
    policy = Policy.from_toml(
        """
[[rules]]
name = "codex-shell"
agent = "codex"
tool = "shell"
action = "answer"
"""
    )
    for agent in AGENTS:
        screen, context = _shell(agent, "ls")
        expected = "codex-shell" if agent == "codex" else "default:no-rule"
        assert policy.decide(screen, context).rule == expected


def test_an_agent_that_is_not_a_string_is_a_clear_error() -> None:
    with pytest.raises(PolicyError, match=r"rules\[0\]\.agent"):
        Policy.from_toml('[[rules]]\nname = "x"\nagent = 3\naction = "hold"\n')
