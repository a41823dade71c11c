"""What the simulated agent shows: Claude Code 2.1.x dialogs as plain data.

Wording follows what real Claude Code 2.1.x draws (DESIGN.md, "What the real Claude Code looks
like", and the captured screens in tests/agents/claude/corpus). Keeping it as data means a wording
change in a new Claude Code release is a one-line edit here, not a change to the drawing code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

__all__ = [
    "DEFAULT_SCENARIOS",
    "Dialog",
    "DialogKind",
    "Scenario",
    "builtin_scenarios",
    "plan_dialog",
]

DialogKind = Literal[
    "permission", "question", "plan", "trust", "api_key", "auto_mode", "mcp_server"
]

_PERMISSION_FOOTER: Final = "Esc to cancel · Tab to amend"
_PICKER_FOOTER: Final = "Enter to select · ↑/↓ to navigate · Esc to cancel"
_CONFIRM_FOOTER: Final = "Enter to confirm · Esc to cancel"
_ACCEPT_EDITS: Final = (
    "Yes, and switch to accept edits (auto-approve file edits and common file commands) for "
    "this session (shift+tab)"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Dialog:
    """A dialog as drawn, top to bottom.

    `tip` is a hint line under the title; `subtitle` the line after it (a Bash command's
    description); `body` the text
    between the dashed rules (command, file content, URL); `warning` Claude's own caution line;
    `about` a heading and the description drawn behind a "│" gutter (MCP tools);
    `paragraphs` free text each after a blank line (trust and API-key dialogs). `options` are the
    labels without their "N. " numbers; `notes` dim lines under options ("" for none);
    `after_rule` more options drawn below a rule (numbering goes on); `default` the option
    highlighted at first (0-based). An empty `footer` draws none. Unnumbered dialogs
    (`numbered=False`) ignore digits, like the real ones: only arrows and Enter choose there.
    """

    kind: DialogKind
    title: str
    options: tuple[str, ...]
    footer: str
    tip: str = ""
    subtitle: str = ""
    body: tuple[str, ...] = ()
    warning: str = ""
    about: tuple[str, str] | None = None
    paragraphs: tuple[str, ...] = ()
    question: str = ""
    notes: tuple[str, ...] = ()
    after_rule: tuple[str, ...] = ()
    default: int = 0
    numbered: bool = True
    indent: int = 1

    @property
    def choices(self) -> tuple[str, ...]:
        """Every option in screen order: `options`, then the ones set apart below a rule."""
        return self.options + self.after_rule


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """One round: the user's message, a busy spell, a dialog, and what the transcript shows after.

    A scenario without a `dialog` is a plain text reply: `answer` lines are written after the
    busy spell and nothing waits for a key (a watcher must leave it alone). `pending` is the tool
    call shown above the dialog while it waits (first line after the blinking bullet, the rest
    under "⎿"). With `done_line` ("Ran 1 shell command") an accepted call is summed up by that
    line and `result` is Claude's reply under it; without, `result` lines appear under `tool_line`
    when an
    accepting option was chosen; ``{label}`` in them becomes the chosen option's label. `holds`
    says a careful policy must leave this dialog to a human; `harmless` ones are what ``--loop``
    repeats.
    """

    name: str
    summary: str
    prompt: str
    intro: str
    tool_line: str = ""
    dialog: Dialog | None = None
    result: tuple[str, ...] = ()
    done_line: str = ""
    answer: tuple[str, ...] = ()
    worked: bool = True
    pending: tuple[str, ...] = ()
    busy_word: str = "Puzzling"
    busy_s: float = 1.0
    holds: bool = False
    harmless: bool = True


# The order `yesman demo` plays them in: routine work first, then the ones a human must see.
DEFAULT_SCENARIOS: Final = (
    "bash",
    "write",
    "list",
    "edit",
    "webfetch",
    "long",
    "dangerous",
    "question",
    "plan",
)


def _bash(
    name: str, summary: str, *, prompt: str, intro: str, command: str, description: str, **kw: Any
) -> Scenario:
    options = kw.pop("options")
    return Scenario(
        name=name,
        summary=summary,
        prompt=prompt,
        intro=intro,
        tool_line=f"Bash({command})",
        done_line="Ran 1 shell command",
        pending=(description, f"$ {command}"),
        dialog=Dialog(
            kind="permission",
            title="Bash command",
            tip=kw.pop("tip", ""),
            subtitle=description,
            body=(command,),
            warning=kw.pop("warning", ""),
            question="Do you want to proceed?",
            options=options,
            footer=_PERMISSION_FOOTER,
        ),
        **kw,
    )


def plan_dialog(plan_file: str) -> Dialog:
    """Plan approval as Claude Code 2.1.x draws it; `plan_file` names the saved plan."""
    return Dialog(
        kind="plan",
        title="Ready to code?",
        paragraphs=("Here is Claude's plan:",),
        body=(
            "Plan",
            "",
            "1. Add a --dry-run flag to the CLI",
            "2. Thread it through the runner",
            "3. Add tests for both modes",
        ),
        question="Claude has written up a plan and is ready to execute. Would you like to proceed?",
        options=(
            "Yes, auto-accept edits",
            "Yes, manually approve edits",
            "Tell Claude what to change",
        ),
        notes=("", "", "shift+tab to approve with this feedback"),
        footer=f"ctrl+g to edit in Vim · ~/.claude/plans/{plan_file}.md",
        indent=3,
    )


def builtin_scenarios(cwd: str) -> dict[str, Scenario]:
    """Every built-in scenario by name; `cwd` is the folder the "don't ask again" options name.

    Tool inputs match the captures in tests/agents/claude/corpus, so the dialogs can be checked
    against them line by line.
    """
    long_command = (
        "python -m pytest tests/unit tests/integration -x -q --maxfail=3 --durations=10 "
        "-k 'not slow and not network' --junitxml=reports/junit.xml"
    )
    scenarios = [
        _bash(
            "bash",
            "harmless Bash: npm test",
            prompt="run the tests",
            intro="I'll run the test suite.",
            command="npm test",
            description="Run the test suite",
            options=("Yes", f"Yes, and don't ask again for npm test commands in {cwd}", "No"),
            result=("All 12 tests passed.",),
        ),
        Scenario(
            name="write",
            summary="Write: create hello.txt",
            prompt="create hello.txt saying hello",
            intro="I'll create the file.",
            tool_line="Write(hello.txt)",
            pending=("Write(hello.txt)",),
            dialog=Dialog(
                kind="permission",
                title="Create file",
                subtitle="hello.txt",
                body=(" 1 Hello, world!",),
                question="Do you want to create hello.txt?",
                options=("Yes", _ACCEPT_EDITS, "No"),
                footer=_PERMISSION_FOOTER,
            ),
            result=("Wrote 1 lines to hello.txt",),
            busy_word="Composing",
        ),
        Scenario(
            name="list",
            summary="text reply with a numbered list quoting a dialog (nothing to answer)",
            prompt="what are my options?",
            intro="",
            answer=(
                "Here is what I would do next:",
                "",
                "1. Yes, run the migrations first",
                "2. No, skip the tests",
                "3. Do you want to proceed? is what the tool will ask",
                "",
                "Tell me which one you prefer.",
            ),
            busy_word="Musing",
        ),
        _bash(
            "automode",
            "Bash with the auto-mode tip and a fourth option",
            prompt="make the build folder",
            intro="",
            command="mkdir -p build && touch build/out.txt",
            description="Create the build folder",
            tip='Tip: auto mode handles these prompts for you — choose "switch to auto mode" below',
            options=(
                "Yes",
                "Yes, and don't ask again for mkdir -p build and touch build/out.txt commands "
                f"in {cwd}",
                "Yes, and switch to auto mode · auto mode handles these prompts for you",
                "No",
            ),
            result=("Created build/out.txt.",),
            harmless=False,
        ),
        Scenario(
            name="autooffer",
            summary="start-up offer to make auto mode the default (unnumbered, no footer)",
            prompt="hello",
            intro="",
            tool_line="Auto mode",
            dialog=Dialog(
                kind="auto_mode",
                title="Make auto mode your default permission mode?",
                paragraphs=(
                    "Auto mode lets Claude handle permission prompts automatically. Claude checks "
                    "each tool call for risky actions and prompt injection before executing, runs "
                    "the ones it assesses as lower-risk, and blocks the rest.",
                ),
                options=(
                    "Yes, set auto mode as my default permission mode",
                    "No, keep manual mode",
                ),
                footer="",
                numbered=False,
                indent=2,
            ),
            result=("{label}",),
            busy_s=0.2,
            harmless=False,
        ),
        Scenario(
            name="mcp",
            summary="MCP tool call (deployer)",
            prompt="deploy the api to staging",
            intro="",
            tool_line='deployer - deploy (MCP)(service: "api", environment: "staging")',
            pending=("Calling deployer…",),
            dialog=Dialog(
                kind="permission",
                title="Tool use",
                subtitle="deployer — Deploy Service Tool: (MCP)",
                body=('service: "api"', 'environment: "staging"'),
                about=(
                    "About the deployer — Deploy Service Tool:",
                    "Deploy a service to an environment",
                ),
                question="Do you want to proceed?",
                options=("Yes", "No"),
                footer=_PERMISSION_FOOTER,
            ),
            result=("Deployed api to staging",),
            harmless=False,
        ),
        Scenario(
            name="mcpserver",
            summary="start-up approval of a project MCP server (unnumbered, default: without)",
            prompt="hello",
            intro="",
            tool_line="MCP server",
            dialog=Dialog(
                kind="mcp_server",
                title="New MCP server found in this project: deployer",
                paragraphs=(
                    "MCP servers may execute code or access system resources. All tool calls "
                    "require approval. Learn more in the MCP documentation.",
                ),
                options=(
                    "Use this MCP server",
                    "Use this and all future MCP servers in this project",
                    "Continue without using this MCP server",
                ),
                footer="Enter to confirm · Esc to reject",
                default=2,
                numbered=False,
                indent=2,
            ),
            result=("{label}",),
            busy_s=0.2,
            harmless=False,
        ),
        Scenario(
            name="error",
            summary="API error reply: 429 rate limit (nothing to answer)",
            prompt="run the tests",
            intro="",
            answer=(
                "API Error: Request rejected (429) · Number of request tokens has exceeded your "
                "per-minute rate limit",
            ),
            worked=False,
            busy_word="Thinking",
        ),
        Scenario(
            name="edit",
            summary="Edit: change notes.md",
            prompt="say the build also runs nightly",
            intro="I'll update the notes.",
            tool_line="Update(notes.md)",
            pending=("Update(notes.md)",),
            dialog=Dialog(
                kind="permission",
                title="Edit file",
                subtitle="notes.md",
                body=(
                    "1  # Notes",
                    "2",
                    "3 -The build runs on every push.",
                    "3 +The build runs on every push and every night.",
                ),
                question="Do you want to make this edit to notes.md?",
                options=("Yes", _ACCEPT_EDITS, "No"),
                footer=_PERMISSION_FOOTER,
            ),
            result=("Updated notes.md with 1 addition and 1 removal",),
            busy_word="Noodling",
        ),
        Scenario(
            name="webfetch",
            summary="WebFetch: example.com",
            prompt="summarize https://example.com/docs/page",
            intro="Let me read that page.",
            tool_line="Fetch(https://example.com/docs/page)",
            pending=("Fetch(https://example.com/docs/page)",),
            dialog=Dialog(
                kind="permission",
                title="Fetch",
                subtitle="Claude wants to fetch content from example.com",
                body=("url: https://example.com/docs/page", "prompt: Summarize the page"),
                question="Do you want to allow Claude to fetch this content?",
                options=(
                    "Yes",
                    "Yes, and don't ask again for example.com",
                    "No, and tell Claude what to do differently (esc)",
                ),
                footer="",  # the real one draws none
            ),
            result=("Received 1.2KB (200 OK)",),
            busy_word="Fetching",
        ),
        _bash(
            "long",
            "Bash with a long command that wraps",
            prompt="run the fast tests",
            intro="I'll run the fast tests.",
            command=long_command,
            description="Run the fast tests",
            warning="This command requires approval",
            options=("Yes", "Yes, and don\u2019t ask again for: python *", "No"),
            result=("42 passed in 3.10s.",),
            busy_word="Pondering",
        ),
        _bash(
            "dangerous",
            "dangerous Bash: rm -rf / (must be held)",
            prompt="clean up everything",
            intro="I'll remove the files.",
            command="rm -rf /",
            description="Remove everything",
            warning="Dangerous rm operation on critical path: /",
            options=("Yes", "No"),
            result=("rm refused: it is dangerous to operate recursively on '/'.",),
            busy_word="Deliberating",
            holds=True,
            harmless=False,
        ),
        Scenario(
            name="question",
            summary="AskUserQuestion: a question for the human (must be held)",
            prompt="set up the database",
            intro="",
            tool_line="User answered Claude's questions:",
            dialog=Dialog(
                kind="question",
                title=" ☐ Database",  # the title keeps one space; the rest starts at column 0
                question="Which database should the service use?",
                options=("PostgreSQL", "SQLite", "Type something."),
                notes=("Full SQL server, best for production", "A single file, simplest to run"),
                after_rule=("Chat about this",),
                footer=_PICKER_FOOTER,
                indent=0,
            ),
            result=("· Which database should the service use? → {label}",),
            busy_word="Contemplating",
            holds=True,
            harmless=False,
        ),
        Scenario(
            name="plan",
            summary="plan approval",
            prompt="plan the dry-run flag",
            intro="",
            tool_line="User approved Claude's plan",
            dialog=plan_dialog("plan-the-dry-run-flag-tender-fog"),
            result=("{label}",),
            busy_word="Planning",
            harmless=False,
        ),
        Scenario(
            name="trust",
            summary="workspace trust dialog (unnumbered, highlight on 'No, exit')",
            prompt="hello",
            intro="",
            tool_line="Workspace trust",
            dialog=Dialog(
                kind="trust",
                title="Accessing workspace:",
                paragraphs=(
                    cwd,
                    "Quick safety check: Is this a project you created or one you trust? (Like "
                    "your own code, a well-known open source project, or work from your team). "
                    "If not, take a moment to review what's in this folder first.",
                    "Claude Code'll be able to read, edit, and execute files here.",
                    "Security guide",
                ),
                options=("No, exit", "Yes, I trust this folder"),
                footer=_CONFIRM_FOOTER,
                numbered=False,
            ),
            result=("{label}",),
            busy_s=0.2,
            harmless=False,
        ),
        Scenario(
            name="apikey",
            summary="API key dialog (unnumbered, highlighted default 'No')",
            prompt="hello",
            intro="",
            tool_line="API key",
            dialog=Dialog(
                kind="api_key",
                title="Detected a custom API key in your environment",
                paragraphs=("ANTHROPIC_API_KEY: sk-ant-...000000000000000000AA",),
                question="Do you want to use this API key?",
                options=("Yes", "No (recommended)"),
                footer=_CONFIRM_FOOTER,
                default=1,
                numbered=False,
                indent=2,
            ),
            result=("{label}",),
            busy_s=0.2,
            harmless=False,
        ),
    ]
    by_name = {scenario.name: scenario for scenario in scenarios}
    # The demo's order first, then the extras.
    return {name: by_name[name] for name in DEFAULT_SCENARIOS} | by_name
