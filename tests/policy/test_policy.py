"""Policy.decide: the default policy on every dialog kind, guards, rules, overrides, dry runs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from yesman.agents import AgentScreen, Option, Prompt, PromptKind, ScreenState, ToolKind
from yesman.agents.claude import parse_screen
from yesman.policy import Action, Decision, Policy, PolicyContext

CASES = Path(__file__).parents[1] / "agents" / "claude" / "cases"
CORPUS = Path(__file__).parents[1] / "agents" / "claude" / "corpus"
PROJECT = Path("/home/dev/app")
CONTEXT = PolicyContext(session="work", pane_id="%3", project_dir=PROJECT, home=Path("/home/dev"))
DEFAULT = Policy.default()
# The 2.x trust dialog draws its options without digits.
UNNUMBERED_TRUST = "\n".join(
    [
        "─" * 80,
        " Accessing workspace:",
        "",
        " /home/dev/app",
        "",
        " Quick safety check: Is this a project you created or one you trust?",
        "",
        " \u276f Yes, I trust this folder",
        "   No, exit",
        "",
        " Enter to confirm · Esc to cancel",
    ]
)


def screen(name: str) -> AgentScreen:
    return parse_screen((CASES / f"{name}.txt").read_text(encoding="utf-8"))


def decide(name: str, policy: Policy = DEFAULT, context: PolicyContext = CONTEXT) -> Decision:
    return policy.decide(screen(name), context)


def bash_prompt(command: str, lines: tuple[str, ...] = ()) -> AgentScreen:
    prompt = Prompt(
        kind=PromptKind.TOOL_PERMISSION,
        tool="Bash",
        target=command,
        question="Do you want to proceed?",
        options=(Option(1, "Yes"), Option(2, "Yes, and don't ask again"), Option(3, "No")),
        highlighted=1,
        warning=None,
        fingerprint="f",
        target_lines=lines,
    )
    return AgentScreen(ScreenState.WAITING, prompt)


@pytest.mark.parametrize(
    ("case", "action", "keys", "rule"),
    [
        ("bash_basic_120", Action.ANSWER, ("1",), "answer-tool-permission"),
        ("bash_wrapped_60", Action.ANSWER, ("1",), "answer-tool-permission"),
        ("bash_old_box_80", Action.ANSWER, ("1",), "answer-tool-permission"),
        ("write_create_100", Action.ANSWER, ("1",), "answer-tool-permission"),
        ("edit_file_100", Action.ANSWER, ("1",), "answer-tool-permission"),
        ("webfetch_100", Action.ANSWER, ("1",), "answer-tool-permission"),
        ("mcp_tool_100", Action.ANSWER, ("1",), "answer-tool-permission"),
        ("bash_warning_100", Action.HOLD, (), "guard:dangerous-command"),
        ("trust_folder_new_100", Action.HOLD, (), "hold-trust-folder"),
        ("trust_folder_old_box_80", Action.HOLD, (), "hold-trust-folder"),
        ("api_key_100", Action.HOLD, (), "hold-api-key"),
        ("ask_user_question_100", Action.HOLD, (), "hold-question"),
        ("plan_approval_100", Action.HOLD, (), "hold-plan"),
        ("mcp_server_100", Action.HOLD, (), "hold-mcp-server"),
        ("usage_limit_100", Action.HOLD, (), "hold-usage-limit"),
        ("idle_120", Action.NONE, (), "no-dialog"),
        ("busy_spinner_120", Action.NONE, (), "no-dialog"),
        ("neg_numbered_list_idle_120", Action.NONE, (), "no-dialog"),
        ("neg_answered_dialog_idle_120", Action.NONE, (), "no-dialog"),
    ],
)
def test_default_policy(case: str, action: Action, keys: tuple[str, ...], rule: str) -> None:
    decision = decide(case)
    assert (decision.action, decision.keys, decision.rule) == (action, keys, rule)
    assert decision.reason


@pytest.mark.parametrize(
    "capture", sorted(CORPUS.rglob("*.txt")), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_default_policy_never_answers_more_than_plain_yes_on_real_screens(capture: Path) -> None:
    result = parse_screen(capture.read_text(encoding="utf-8"))
    decision = DEFAULT.decide(result, CONTEXT)
    if decision.action is Action.ANSWER:
        assert result.prompt is not None
        chosen = result.prompt.option(int(decision.keys[0]))
        assert chosen is not None
        assert chosen.text == "Yes"
        assert result.prompt.kind is PromptKind.TOOL_PERMISSION


def test_deny_guard_picks_no_and_never_exit() -> None:
    policy = Policy.from_toml('[guards]\ndangerous_commands = "deny"')
    decision = policy.decide(screen("bash_warning_100"), CONTEXT)
    assert decision.action is Action.DENY
    assert decision.keys == ("2",)  # "No, and tell Claude what to do differently"
    trust = Policy.from_toml('[[rules]]\nname = "no-trust"\nkind = "trust_folder"\naction = "deny"')
    held = trust.decide(screen("trust_folder_old_box_80"), CONTEXT)
    assert held.action is Action.HOLD  # the only "No" is "No, exit"
    assert "no" in held.reason.lower()


def test_rule_can_trust_a_folder_by_path_but_not_in_an_unnumbered_menu() -> None:
    policy = Policy.from_toml(
        '[[rules]]\nname = "mine"\nkind = "trust_folder"\npath = ["/home/dev/*", "/tmp/*"]\n'
        'action = "answer"'
    )
    numbered = policy.decide(screen("trust_folder_old_box_80"), CONTEXT)
    assert (numbered.action, numbered.keys) == (Action.ANSWER, ("1",))
    unnumbered = policy.decide(parse_screen(UNNUMBERED_TRUST), CONTEXT)
    assert unnumbered.action is Action.HOLD
    assert "no digits" in unnumbered.reason


def test_api_key_rule_can_pick_an_option_by_number() -> None:
    policy = Policy.from_toml(
        '[[rules]]\nname = "k"\nkind = "api_key"\naction = "answer"\noption = 2'
    )
    assert policy.decide(screen("api_key_100"), CONTEXT).keys == ("2",)


def test_always_option_only_when_a_rule_asks() -> None:
    policy = Policy.from_toml(
        '[[rules]]\nname = "a"\ntool = "Bash"\naction = "answer"\noption = "always"'
    )
    assert policy.decide(screen("bash_basic_120"), CONTEXT).keys == ("2",)


def test_first_matching_rule_wins_with_command_and_session() -> None:
    policy = Policy.from_toml(
        """
[[rules]]
name = "hold-make-in-prod"
command = "^mkdir"
session = "prod-*"
action = "hold"
[[rules]]
name = "rest"
kind = "tool_permission"
action = "answer"
"""
    )
    prod = replace(CONTEXT, session="prod-api")
    assert policy.decide(screen("bash_basic_120"), prod).rule == "hold-make-in-prod"
    assert policy.decide(screen("bash_basic_120"), CONTEXT).rule == "rest"


def test_no_rule_matched_holds() -> None:
    decision = Policy([]).decide(screen("bash_basic_120"), CONTEXT)
    assert (decision.action, decision.rule) == (Action.HOLD, "default:no-rule")


def test_dry_run_keeps_keys_but_sends_nothing() -> None:
    policy = Policy.from_toml(
        'dry_run = true\n[[rules]]\nname = "y"\nkind = "tool_permission"\naction = "answer"'
    )
    decision = policy.decide(screen("bash_basic_120"), CONTEXT)
    assert decision.dry_run
    assert decision.keys == ("1",)
    assert not decision.sends_keys
    assert decision.reason.endswith("(dry run: nothing is typed)")


def test_session_override_changes_dry_run_and_guards() -> None:
    policy = Policy.from_toml(
        """
[sessions."prod-*"]
dry_run = true
guards = { dangerous_commands = "deny" }
[[rules]]
name = "y"
kind = "tool_permission"
action = "answer"
"""
    )
    prod = replace(CONTEXT, session="prod-1")
    assert policy.decide(screen("bash_basic_120"), prod).dry_run
    assert not policy.decide(screen("bash_basic_120"), CONTEXT).dry_run
    assert policy.decide(screen("bash_warning_100"), prod).action is Action.DENY
    assert policy.decide(screen("bash_warning_100"), CONTEXT).action is Action.HOLD


@pytest.mark.parametrize(
    ("target", "held"),
    [
        ("src/app.py", False),
        ("/home/dev/app/src/app.py", False),
        ("../other/app.py", True),
        ("/etc/hosts", True),
        ("~/.bashrc", True),
        ("~other/x", True),
        ("/home/dev/app", True),
    ],
)
def test_file_writes_outside_the_project_are_held(target: str, held: bool) -> None:
    base = screen("edit_file_100")
    assert base.prompt is not None
    edited = AgentScreen(base.state, replace(base.prompt, target=target))
    decision = DEFAULT.decide(edited, CONTEXT)
    assert (decision.rule == "guard:outside-project") is held
    assert (decision.action is Action.HOLD) is held


def test_file_writes_through_a_symlink_that_leads_out_are_held(tmp_path: Path) -> None:
    project = tmp_path / "app"
    (project / "src").mkdir(parents=True)
    (project / "out").symlink_to("/etc")
    (project / "hosts").symlink_to("/etc/hosts")
    base = screen("edit_file_100")
    assert base.prompt is not None
    context = PolicyContext(project_dir=project, home=Path("/home/dev"))
    for target in ("out/hosts", "hosts", f"{project}/out/passwd"):
        edited = AgentScreen(base.state, replace(base.prompt, target=target))
        decision = DEFAULT.decide(edited, context)
        assert (decision.action, decision.rule) == (Action.HOLD, "guard:outside-project")
        assert "symbolic link" in decision.reason
    inside = AgentScreen(base.state, replace(base.prompt, target="src/app.py"))
    assert DEFAULT.decide(inside, context).action is Action.ANSWER


def test_unknown_project_holds_file_writes() -> None:
    decision = DEFAULT.decide(screen("edit_file_100"), PolicyContext(session="x"))
    assert decision.action is Action.HOLD


def test_secret_reads_are_held() -> None:
    base = screen("edit_file_100")
    assert base.prompt is not None
    read = AgentScreen(
        base.state,
        replace(base.prompt, tool="Read", tool_kind=ToolKind.READ, target="~/.ssh/id_ed25519"),
    )
    assert DEFAULT.decide(read, CONTEXT).rule == "hold-secret-reads"


def test_a_hidden_line_of_a_wrapped_command_is_still_analysed() -> None:
    # The joined reading looks harmless; the second physical line alone is not.
    decision = DEFAULT.decide(bash_prompt("echo hi rm -rf /", ("echo hi", "rm -rf /")), CONTEXT)
    assert decision.rule == "guard:dangerous-command"


def test_a_quote_split_by_wrapping_does_not_hold_by_itself() -> None:
    lines = ("echo 'report", "written'")
    decision = DEFAULT.decide(bash_prompt("echo 'report written'", lines), CONTEXT)
    assert decision.action is Action.ANSWER


def test_two_digit_option_is_held() -> None:
    options = tuple(Option(k, "Yes" if k == 10 else f"Maybe {k}") for k in range(1, 11))
    prompt = Prompt(PromptKind.OTHER, None, None, "?", options, 1, None, "f")
    policy = Policy.from_toml('[[rules]]\nname = "x"\nkind = "other"\naction = "answer"')
    decision = policy.decide(AgentScreen(ScreenState.WAITING, prompt), CONTEXT)
    assert decision.action is Action.HOLD
