"""The screens `capture_corpus.py` provokes from the real Claude Code, and how each should read.

One `support.corpus.Scenario` per dialog or state: what to script on the API stand-in, which keys
to press and what to wait for, the sizes to capture at, and the expected reading, written here by
hand. The capture of scenario ``bash_short`` at 80 columns is stored as
``bash_short_w80.{txt,ansi,json}`` (with ``x<rows>`` when the height is not 40).
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any, Final

from support.claude_api import ApiError, TextReply, ToolUse, Turn
from support.corpus import (
    POINTER,
    Act,
    Scenario,
    Step,
    busy,
    error,
    idle,
    prompt,
    waiting,
)

__all__ = ["PROJECT", "SCENARIOS", "WORK"]

# A fixed project path: it is drawn in headers and options, so captures are reproducible.
WORK: Final = Path("/tmp/yesman-corpus")
PROJECT: Final = WORK / "app"
W4: Final = ((60, 40), (80, 40), (120, 40), (250, 40))
W2: Final = ((80, 40), (120, 40))  # what a scenario is captured at unless it says otherwise
W3: Final = ((60, 40), (80, 40), (120, 40))
# The main dialogs and states, at every width a narrow or wide terminal is likely to have.
W6: Final = ((60, 40), (80, 40), (100, 40), (120, 40), (160, 40), (250, 40))


def say(text: str) -> Step:
    return Step(Act.SAY, text)


def key(name: str) -> Step:
    return Step(Act.KEY, name)


def wait(pattern: str) -> Step:
    return Step(Act.WAIT, pattern)


def sleep(seconds: float) -> Step:
    return Step(Act.SLEEP, str(seconds))


def ask(text: str) -> tuple[Step, ...]:
    """Wait for the input box, then send the user's message."""
    return (wait(r"for shortcuts|mode on"), sleep(0.3), say(text))


PROCEED = "Do you want to proceed?"
SHORT_CMD = "mkdir -p build && touch build/out.txt"
LONG_CMD = (
    "find . -name '*.py' -not -path './.venv/*' -exec grep -l 'TODO' {} + | xargs wc -l "
    "| sort -n | tail -20 > reports/todo-report.txt && echo 'report written to reports/'"
)
WRITE_INPUT = {"file_path": f"{PROJECT}/hello.txt", "content": "Hello, world!\n"}
NOTES = "# Notes\n\nThe build runs on every push.\n"
READ_NOTES = ToolUse("Read", {"file_path": f"{PROJECT}/notes.md"})
EDIT_INPUT = {
    "file_path": f"{PROJECT}/notes.md",
    "old_string": "The build runs on every push.",
    "new_string": "The build runs on every push and every night.",
}
QUESTION_INPUT = {
    "questions": [
        {
            "question": "Which database should the service use?",
            "header": "Database",
            "multiSelect": False,
            "options": [
                {"label": "PostgreSQL", "description": "Full SQL server, best for production"},
                {"label": "SQLite", "description": "A single file, simplest to run"},
            ],
        }
    ]
}
PLAN = (
    "## Plan\n\n1. Add a `--dry-run` flag to the CLI\n2. Thread it through the runner\n"
    "3. Add tests for both modes"
)
UNIFIED_LIMIT = {
    "anthropic-ratelimit-unified-status": "rejected",
    "anthropic-ratelimit-unified-reset": str(int(time.time()) + 3 * 3600),
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
    "anthropic-ratelimit-unified-5h-status": "rejected",
    "anthropic-ratelimit-unified-5h-reset": str(int(time.time()) + 3 * 3600),
}
# Drawn as "deployer — Deploy Service Tool: (MCP)"; the reading keeps server — title.
MCP_TOOL = "deployer — Deploy Service Tool"
MCP_OPTIONS = (
    "Yes",
    f"Yes, and don't ask again for deployer — Deploy Service commands in {PROJECT}",
    "No",
)
MCP_JSON = json.dumps(
    {
        "mcpServers": {
            "deployer": {"type": "stdio", "command": sys.executable, "args": ["mcp_server.py"]}
        }
    }
)
# A minimal MCP server over stdio (JSON-RPC, one message a line) with one tool.
MCP_SERVER = """\
import json, sys
TOOL = {"name": "deploy_service", "description": "Deploy a service to an environment",
        "inputSchema": {"type": "object", "properties": {"service": {"type": "string"},
                        "environment": {"type": "string"}}, "required": ["service"]}}
for line in sys.stdin:
    msg = json.loads(line)
    if "id" not in msg:
        continue
    method = msg.get("method")
    if method == "initialize":
        result = {"protocolVersion": msg["params"].get("protocolVersion", "2025-06-18"),
                  "capabilities": {"tools": {}}, "serverInfo": {"name": "deployer", "version": "1"}}
    elif method == "tools/list":
        result = {"tools": [TOOL]}
    elif method == "tools/call":
        result = {"content": [{"type": "text", "text": "deployed"}]}
    else:
        result = {}
    print(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}), flush=True)
"""


def write_plan(body: Any) -> Turn:
    """Write the plan where Claude Code asked for it (the path is only known at run time)."""
    found = re.search(r"/[\w/.-]*/\.claude/plans/[\w.-]+\.md", json.dumps(body))
    path = found.group(0) if found else str(WORK / "home/.claude/plans/plan.md")
    return ToolUse("Write", {"file_path": path, "content": PLAN + "\n"})


LIST_ANSWER = (
    "Here is what I would do next:\n\n1. Yes, run the migrations first\n2. No, skip the tests\n"
    "3. Do you want to proceed? is what the tool will ask\n\nTell me which one you prefer."
)
UNNUMBERED = (
    " (options drawn without numbers: numbered here by position; digits do not select them,"
    " arrows and Enter do)"
)
SLOW_CMD = "touch started.txt && python3 -c 'import time; time.sleep(30)'"
QUOTED_DIALOG = (
    "When Claude Code needs permission it draws something like this:\n\n```\n"
    " Bash command\n   rm -rf build\n Do you want to proceed?\n " + POINTER + " 1. Yes\n   2. No\n"
    " Esc to cancel · Tab to amend\n```\n\nThat is the prompt yesman answers."
)
TRUST_OPTIONS = ("No, exit", "Yes, I trust this folder")
BASH_OPTIONS = (
    "Yes",
    f"Yes, and don't ask again for mkdir -p build and touch build/out.txt commands in {PROJECT}",
    "No",
)
FIND_WARNING = (
    "find with '-exec' executes commands or modifies files — cannot be auto-allowed "
    "by a Bash(find:*) prefix rule"
)
WRAP_CMD = (
    "python -m pytest tests/unit tests/integration -x -q --maxfail=3 --durations=10 "
    "-k 'not slow and not network' --junitxml=reports/junit.xml"
)
WRITE_OPTIONS = (
    "Yes",
    "Yes, and switch to accept edits (auto-approve file edits and common "
    "file commands) for this session (shift+tab)",
    "No",
)
# Drawn with a typographic apostrophe, unlike the other "don't ask again" options.
WRAP_OPTIONS = ("Yes", "Yes, and don\u2019t ask again for: python *", "No")
FETCH_OPTIONS = (
    "Yes",
    "Yes, and don't ask again for example.com",
    "No, and tell Claude what to do differently (esc)",
)
# Each option's description sits under its label, indented like a wrapped line: joined.
QUESTION_OPTIONS = (
    "PostgreSQL Full SQL server, best for production",
    "SQLite A single file, simplest to run",
    "Type something.",
    "Chat about this",
)
PLAN_EMPTY_OPTIONS = ("Yes, and switch to default (ask each time) for this session", "No")
# The hint under option 3 is indented like a wrapped line, so it is joined like one.
PLAN_OPTIONS = (
    "Yes, auto-accept edits",
    "Yes, manually approve edits",
    "Tell Claude what to change shift+tab to approve with this feedback",
)
PLAN_QUESTION = "Claude has written up a plan and is ready to execute. Would you like to proceed?"
# Claude Code 2.1.197 (tools/claude-code-2.1.197) words and draws some dialogs differently.
OLD: Final = "2.1.197"
OLD_WRITE_OPTIONS = ("Yes", "Yes, allow all edits during this session (shift+tab)", "No")
OLD_MCP_TOOL = "mcp__deployer__deploy_service"  # drawn "deployer - deploy_service(...) (MCP)"
OLD_MCP_ARGS = 'service: "api", environment: "staging"'
OLD_MCP_OPTIONS = (
    "Yes",
    f"Yes, and don't ask again for deployer - deploy_service commands in {PROJECT}",
    "No",
)
NEW_ONLY: Final = frozenset({"2.1.332"})  # auto mode does not exist in 2.1.197
BASH_AUTO_OPTIONS = (
    BASH_OPTIONS[0],
    BASH_OPTIONS[1],
    "Yes, and switch to auto mode · auto mode handles these prompts for you",
    "No",
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "trust_folder_default",
        "untrusted project folder at start" + UNNUMBERED,
        (wait(r"trust this folder"),),
        waiting(
            prompt(
                "trust_folder",
                "Is this a project you created or one you trust?",
                TRUST_OPTIONS,
                target=str(PROJECT),
            )
        ),
        # 2.1.197 numbers the options, "Yes" first and highlighted.
        by_version={
            OLD: waiting(
                prompt(
                    "trust_folder",
                    "Is this a project you created or one you trust?",
                    TRUST_OPTIONS[::-1],
                    target=str(PROJECT),
                )
            )
        },
        sizes=W6,
        trusted=False,
    ),
    Scenario(
        "api_key_default",
        "ANTHROPIC_API_KEY set and not yet approved in .claude.json" + UNNUMBERED,
        (wait(r"use this API key\?"),),
        waiting(
            prompt(
                "api_key",
                "Do you want to use this API key?",
                ("Yes", "No (recommended)"),
                target="sk-ant-...000000000000000000AA",
                highlighted=2,
            )
        ),
        sizes=W4,
        approve_key=False,
    ),
    Scenario(
        "bash_short",
        "Bash tool_use, short command",
        (*ask("make the build folder"), wait(re.escape(PROCEED))),
        waiting(prompt("tool_permission", PROCEED, BASH_OPTIONS, tool="Bash", target=SHORT_CMD)),
        turns=(
            ToolUse(
                "Bash",
                {"command": SHORT_CMD, "description": "Create the build folder"},
                text="I'll create the build folder.",
            ),
        ),
        sizes=(*W6, (250, 80)),
    ),
    Scenario(
        "bash_long",
        "Bash tool_use, a pipeline long enough to wrap",
        (*ask("write the todo report"), wait(re.escape(PROCEED))),
        waiting(
            prompt(
                "tool_permission",
                PROCEED,
                ("Yes", "No"),
                tool="Bash",
                target=LONG_CMD,
                warning=FIND_WARNING,
            )
        ),
        turns=(ToolUse("Bash", {"command": LONG_CMD, "description": "Write the TODO report"}),),
        sizes=W6,
    ),
    Scenario(
        "bash_wrapping",
        "Bash tool_use, one long pytest command that wraps",
        (*ask("run the unit tests"), wait(re.escape(PROCEED))),
        waiting(
            prompt(
                "tool_permission",
                PROCEED,
                WRAP_OPTIONS,
                tool="Bash",
                target=WRAP_CMD,
                warning="This command requires approval",
            )
        ),
        turns=(ToolUse("Bash", {"command": WRAP_CMD, "description": "Run the fast tests"}),),
        sizes=W4,
    ),
    Scenario(
        "bash_dangerous",
        "Bash tool_use `rm -rf /`; Claude Code adds its own warning line",
        (*ask("clean up everything"), wait(re.escape(PROCEED))),
        waiting(
            prompt(
                "tool_permission",
                PROCEED,
                ("Yes", "No"),
                tool="Bash",
                target="rm -rf /",
                warning="Dangerous rm operation on critical path: /",
            )
        ),
        turns=(ToolUse("Bash", {"command": "rm -rf /", "description": "Remove everything"}),),
        sizes=W3,
    ),
    Scenario(
        "write_create",
        "Write tool_use creating a new file",
        (*ask("say hello in a file"), wait(r"Do you want to create")),
        waiting(
            prompt(
                "tool_permission",
                "Do you want to create hello.txt?",
                WRITE_OPTIONS,
                tool="Write",
                target="hello.txt",
            )
        ),
        by_version={
            OLD: waiting(
                prompt(
                    "tool_permission",
                    "Do you want to create hello.txt?",
                    OLD_WRITE_OPTIONS,
                    tool="Write",
                    target="hello.txt",
                )
            )
        },
        turns=(ToolUse("Write", WRITE_INPUT),),
        sizes=W6,
    ),
    Scenario(
        "edit_file",
        "Read (allowed silently) then Edit tool_use on an existing file",
        (*ask("update the notes"), wait(r"Do you want to make this edit")),
        waiting(
            prompt(
                "tool_permission",
                "Do you want to make this edit to notes.md?",
                WRITE_OPTIONS,
                tool="Edit",
                target="notes.md",
            )
        ),
        by_version={
            OLD: waiting(
                prompt(
                    "tool_permission",
                    "Do you want to make this edit to notes.md?",
                    OLD_WRITE_OPTIONS,
                    tool="Edit",
                    target="notes.md",
                )
            )
        },
        turns=(READ_NOTES, ToolUse("Edit", EDIT_INPUT)),
        files={"notes.md": NOTES},
        sizes=W6,
    ),
    Scenario(
        "webfetch",
        "WebFetch tool_use",
        (*ask("read the docs page"), wait(r"fetch this content\?")),
        waiting(
            prompt(
                "tool_permission",
                "Do you want to allow Claude to fetch this content?",
                FETCH_OPTIONS,
                tool="Fetch",
                target="https://example.com/docs/page",
            )
        ),
        turns=(
            ToolUse(
                "WebFetch", {"url": "https://example.com/docs/page", "prompt": "Summarize the page"}
            ),
        ),
        sizes=W6,
    ),
    Scenario(
        "question_picker",
        "AskUserQuestion tool_use with two options",
        (*ask("set up the database"), wait(r"Which database")),
        waiting(
            prompt(
                "question",
                "Which database should the service use?",
                QUESTION_OPTIONS,
                tool="AskUserQuestion",
            )
        ),
        turns=(ToolUse("AskUserQuestion", QUESTION_INPUT),),
        sizes=W3,
    ),
    Scenario(
        "plan_approval_noplan",
        "--permission-mode plan, ExitPlanMode with no plan file written",
        (*ask("plan the dry-run flag"), wait(r"Exit plan mode\?")),
        waiting(
            prompt("plan_approval", "Exit plan mode?", PLAN_EMPTY_OPTIONS, tool="ExitPlanMode")
        ),
        by_version={
            OLD: waiting(
                prompt("plan_approval", "Exit plan mode?", ("Yes", "No"), tool="ExitPlanMode")
            )
        },
        turns=(ToolUse("ExitPlanMode", {}),),
        args=("--permission-mode", "plan"),
        sizes=W3,
    ),
    Scenario(
        "plan_approval",
        "--permission-mode plan, Write of the plan file, then ExitPlanMode",
        (*ask("plan the dry-run flag"), wait(r"Would you like to\s+proceed\?")),
        waiting(prompt("plan_approval", PLAN_QUESTION, PLAN_OPTIONS, tool="ExitPlanMode")),
        turns=(write_plan, ToolUse("ExitPlanMode", {})),
        args=("--permission-mode", "plan"),
        sizes=W3,
    ),
    Scenario(
        "busy_thinking",
        "text reply held back 60 s by the stand-in: spinner while waiting",
        (*ask("explain the build"), wait(r"esc to interrupt"), sleep(2)),
        busy(),
        turns=(TextReply("The build compiles everything.", delay=60),),
        settle=0.1,
        sizes=W6,
    ),
    Scenario(
        "idle_start",
        "fresh start, nothing typed",
        (wait(r"for shortcuts|manual mode on"), sleep(1)),
        idle(),
        sizes=(*W6, (250, 80)),
    ),
    Scenario(
        "idle_after_answer",
        "one text answer, then the input box is ready again",
        (*ask("what does the build do?"), wait(r"compiles everything"), sleep(1)),
        idle(),
        turns=(TextReply("The build compiles everything into build/ and runs the tests."),),
    ),
    Scenario(
        "numbered_list_answer",
        "hard negative: Claude's text answer is a numbered list quoting a dialog",
        (*ask("what are my options?"), wait(r"which one you prefer"), sleep(1)),
        idle(),
        turns=(TextReply(LIST_ANSWER),),
        sizes=W3,
    ),
    Scenario(
        "quoted_dialog_answer",
        "hard negative: Claude's text answer quotes a whole permission dialog in a code block",
        (*ask("what does the prompt look like?"), wait(r"That is the prompt"), sleep(1)),
        idle(),
        turns=(TextReply(QUOTED_DIALOG),),
        sizes=W3,
    ),
    Scenario(
        "busy_tool_running",
        "Bash dialog answered with 1; the command (a 30 s python sleep) is running",
        (
            *ask("wait for the server"),
            wait(re.escape(PROCEED)),
            sleep(0.5),
            key("1"),
            wait(r"esc to interrupt"),
            sleep(3),
        ),
        busy(),
        turns=(ToolUse("Bash", {"command": SLOW_CMD, "description": "Wait for the server"}),),
        settle=0.1,
    ),
    Scenario(
        "error_500",
        "API answers 500 api_error (x-should-retry: false)",
        (*ask("run the tests"), wait(r"(?i)error"), sleep(1)),
        error(),
        turns=(ApiError(500, "Internal server error", times=20),),
    ),
    Scenario(
        "error_overloaded",
        "API answers 529 overloaded_error (x-should-retry: false)",
        (*ask("run the tests"), wait(r"(?i)overloaded|error"), sleep(1)),
        error(),
        turns=(ApiError(529, "Overloaded", times=20),),
    ),
    Scenario(
        "error_401",
        "API answers 401 authentication_error: invalid x-api-key",
        (*ask("run the tests"), wait(r"(?i)api key|error|login"), sleep(1)),
        error(),
        turns=(ApiError(401, "invalid x-api-key", times=20),),
    ),
    Scenario(
        "error_429",
        "API answers 429 rate_limit_error",
        (*ask("run the tests"), wait(r"(?i)rate|limit|error"), sleep(1)),
        error(),
        turns=(
            ApiError(
                429, "Number of request tokens has exceeded your per-minute rate limit", times=20
            ),
        ),
    ),
    Scenario(
        "error_429unified",
        "429 with anthropic-ratelimit-unified-* headers; with API-key billing Claude Code shows "
        "the plain rate-limit error (the subscription usage-limit screen needs a claude.ai login)",
        (*ask("run the tests"), wait(r"(?i)limit|error"), sleep(1)),
        error(),
        turns=(
            ApiError(
                429,
                "This request would exceed your account's rate limit.",
                times=20,
                headers=UNIFIED_LIMIT,
            ),
        ),
    ),
    Scenario(
        "mcp_server_approval",
        "project .mcp.json with a server not yet approved" + UNNUMBERED,
        (wait(r"(?i)MCP server"),),
        waiting(
            prompt(
                "mcp_server",
                "New MCP server found in this project: deployer",
                (
                    "Use this MCP server",
                    "Use this and all future MCP servers in this project",
                    "Continue without using this MCP server",
                ),
                target="deployer",
                highlighted=3,
            )
        ),
        # 2.1.197 numbers the options and highlights the first.
        by_version={
            OLD: waiting(
                prompt(
                    "mcp_server",
                    "New MCP server found in this project: deployer",
                    (
                        "Use this MCP server",
                        "Use this and all future MCP servers in this project",
                        "Continue without using this MCP server",
                    ),
                    target="deployer",
                )
            )
        },
        files={".mcp.json": MCP_JSON, "mcp_server.py": MCP_SERVER},
    ),
    Scenario(
        "mcp_tool",
        "stdio MCP server given with --mcp-config, then a tool_use of its tool",
        (*ask("deploy the api to staging"), wait(re.escape(PROCEED))),
        waiting(prompt("tool_permission", PROCEED, ("Yes", "No"), tool=MCP_TOOL)),
        by_width={120: waiting(prompt("tool_permission", PROCEED, MCP_OPTIONS, tool=MCP_TOOL))},
        # 2.1.197 draws the call itself, unfenced, and keeps "don't ask again" at every width.
        by_version={
            OLD: waiting(
                prompt(
                    "tool_permission",
                    PROCEED,
                    OLD_MCP_OPTIONS,
                    tool=OLD_MCP_TOOL,
                    target=OLD_MCP_ARGS,
                )
            )
        },
        turns=(
            ToolUse("mcp__deployer__deploy_service", {"service": "api", "environment": "staging"}),
        ),
        files={"mcp.json": MCP_JSON, "mcp_server.py": MCP_SERVER},
        args=("--mcp-config", str(PROJECT / "mcp.json")),
        sizes=W3,
    ),
    Scenario(
        "answered_busy",
        "Bash dialog answered with 1; next reply held back: busy again",
        (
            *ask("make the build folder"),
            wait(re.escape(PROCEED)),
            sleep(0.5),
            key("1"),
            wait(r"esc to interrupt"),
            sleep(1.5),
        ),
        busy(),
        turns=(
            ToolUse("Bash", {"command": SHORT_CMD, "description": "Create the build folder"}),
            TextReply("Created build/out.txt.", delay=60),
        ),
        settle=0.1,
    ),
    Scenario(
        "answered_idle",
        "Bash dialog answered with 1; Claude finished: idle",
        (
            *ask("make the build folder"),
            wait(re.escape(PROCEED)),
            sleep(0.5),
            key("1"),
            wait(r"Created build/out.txt"),
            sleep(1),
        ),
        idle(),
        turns=(
            ToolUse("Bash", {"command": SHORT_CMD, "description": "Create the build folder"}),
            TextReply("Created build/out.txt."),
        ),
    ),
    Scenario(
        "answered_denied",
        "rm -rf / dialog answered with No: interrupted, idle",
        (
            *ask("clean up everything"),
            wait(re.escape(PROCEED)),
            sleep(0.5),
            key("2"),
            wait(r"Interrupted"),
            sleep(1),
        ),
        idle(),
        turns=(ToolUse("Bash", {"command": "rm -rf /", "description": "Remove everything"}),),
    ),
    Scenario(
        "auto_mode_offer",
        "auto mode left available (fresh install): offer at start" + UNNUMBERED,
        (wait(r"Make auto mode your default"),),
        waiting(
            prompt(
                "other",
                "Make auto mode your default permission mode?",
                ("Yes, set auto mode as my default permission mode", "No, keep manual mode"),
            )
        ),
        auto_mode=True,
        versions=NEW_ONLY,
    ),
    Scenario(
        "bash_automode",
        "auto mode available, offer declined, then a Bash tool_use",
        (
            wait(r"Make auto mode your default"),
            sleep(0.5),
            key("Down"),
            sleep(0.3),
            key("Enter"),
            *ask("make the build folder"),
            wait(re.escape(PROCEED)),
        ),
        waiting(
            prompt("tool_permission", PROCEED, BASH_AUTO_OPTIONS, tool="Bash", target=SHORT_CMD)
        ),
        turns=(ToolUse("Bash", {"command": SHORT_CMD, "description": "Create the build folder"}),),
        auto_mode=True,
        sizes=W3,
        versions=NEW_ONLY,
    ),
)
