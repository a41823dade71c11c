"""What Claude Code draws, as data.

Claude Code rewords its dialogs between versions. Every wording we have seen stays here beside the
newer one, so an old install keeps working; add new wordings, do not replace old ones. The parser
only combines these tables; it holds no wording of its own.
"""

from __future__ import annotations

import re
from typing import Final

from yesman.agents import PromptKind

# Characters of a horizontal rule: Claude Code 2.x draws one full-width `─` line above a dialog and
# around the input box; 1.x drew rounded boxes (`╭─╮ │ ╰─╯`).
RULE_CHARS: Final = frozenset("─━═")
BOX_TOP: Final = ("╭", "┌")
BOX_BOTTOM: Final = ("╰", "└")
BOX_SIDE: Final = "│┃"
# Dashed lines fence file previews inside Write/Edit dialogs; they are not a dialog's top.
DASH_CHARS: Final = frozenset("╌┄┈- ")

# A numbered option, optionally highlighted. One or two digits only, anchored, no nested
# quantifiers: a line is matched in one pass.
# Highlight glyphs: U+276F (heavy angle, 2.x), U+203A (single angle), ">", U+25B6 (triangle).
# 2.1.1xx drops the space after the digit when an option's text wraps ("2.Yes, and don't ask
# again for ..."): without a space the text must start with something that cannot continue a
# number or an abbreviation ("1.5 GB", "2..3", "3.)"), so a decimal never reads as an option.
HIGHLIGHT_CHARS: Final = "\u276f\u203a>\u25b6"
OPTION_RE: Final = re.compile(
    rf"^(\s*)([{HIGHLIGHT_CHARS}])?\s*(\d{{1,2}})[.)](?: +|(?=[^\s\d.,)]))(\S.*)$"
)

# Footer hints drawn under a dialog ("Esc to cancel · Tab to amend", "Enter to confirm · Esc to
# exit", "Enter to select · ↑/↓ to navigate"). Matched loosely: any line naming a key and "to".
FOOTER_RE: Final = re.compile(
    r"(?i)^(?:press\s+)?(?:esc|enter|tab|ctrl[+-]\w|shift[+-]\w+|↑|↓|space|return)\b.*\bto\b"
)

# Header line (first line of the dialog) -> tool name as Claude Code's permission settings spell it.
TOOL_HEADERS: Final[dict[str, str]] = {
    "bash command": "Bash",
    "bash": "Bash",
    "run command": "Bash",
    "create file": "Write",
    "write file": "Write",
    "overwrite file": "Write",
    "edit file": "Edit",
    "edit": "Edit",
    "edit notebook": "NotebookEdit",
    "read file": "Read",
    "read": "Read",
    "fetch": "Fetch",
    "web fetch": "Fetch",
    "web search": "WebSearch",
    "search": "Grep",
    "tool use": "MCP",
}
FILE_TOOLS: Final = frozenset({"Write", "Edit", "NotebookEdit", "Read", "MultiEdit"})

# The question of an ordinary tool permission. Group 1, where present, is the file named.
PERMISSION_QUESTIONS: Final = (
    re.compile(r"^Do you want to proceed\?"),
    re.compile(r"^Do you want to create (.+)\?$"),
    re.compile(r"^Do you want to make this edit to (.+)\?$"),
    re.compile(r"^Do you want to make these edits to (.+)\?$"),
    re.compile(r"^Do you want to overwrite (.+)\?$"),
    re.compile(r"^Do you want to allow Claude to fetch this content\?"),
    re.compile(r"^Do you want to allow Claude to (?:use|run|read|search) .*\?"),
)

# Cues in the dialog's header, question, options and footer that decide its kind (the body is
# left out: a file preview may say anything). Searched once over those lines lower-cased and
# joined by newlines, so patterns are lower-case and `^`/`$` need re.MULTILINE. Checked in order;
# the first hit wins, so the more specific kinds come first.
KIND_CUES: Final[tuple[tuple[PromptKind, re.Pattern[str]], ...]] = (
    (
        PromptKind.TRUST_FOLDER,
        re.compile(
            r"do you trust the files in this folder|trust this folder|accessing workspace"
            r"|is this a project you created or one you trust"
        ),
    ),
    (
        PromptKind.API_KEY,
        re.compile(r"do you want to use this api key|detected a custom api key"),
    ),
    (
        PromptKind.MCP_SERVER,
        re.compile(
            r"new mcp servers? found|mcp servers may execute code|use this mcp server"
            r"|continue without using this mcp server"
        ),
    ),
    (
        PromptKind.USAGE_LIMIT,
        re.compile(
            r"usage limit|limit reached|stop and wait for (?:the )?limit to reset"
            r"|rate.limit.options|upgrade your plan"
        ),
    ),
    (
        PromptKind.PLAN_APPROVAL,
        re.compile(
            r"would you like to proceed\?|ready to code\?|here is claude's plan"
            r"|keep planning|auto-accept edits|exit plan mode\?|claude wants to exit plan mode"
            r"|written up a plan"
        ),
    ),
    (
        PromptKind.QUESTION,
        re.compile(
            r"enter to select|to navigate|^\s*[☐☒✔✓□■]\s+\S|type something\.?$"
            r"|chat about this",
            re.MULTILINE,
        ),
    ),
)

# Any cue at all: one search that lets ordinary tool permissions skip the per-kind searches.
ANY_CUE_RE: Final = re.compile(
    "|".join(f"(?:{pattern.pattern})" for _, pattern in KIND_CUES), re.MULTILINE
)

WARNING_RE: Final = re.compile(
    r"(?i)^(?:⚠\s*)?(?:warning\b|dangerous\b|potentially dangerous\b|caution\b)|^⚠"
)
# A lead-in before the question proper ("Quick safety check: Is this ...?").
SENTENCE_BREAK_RE: Final = re.compile(r": ")
URL_RE: Final = re.compile(r"https?://[^\s\"'`<>]+")
URL_TRAILING: Final = ".,;:"  # punctuation after a URL in prose or a tool's input, not part of it
MCP_CALL_RE: Final = re.compile(r"^(\S+) - ([^\s(]+)(?:\((.*)\))?$")
MCP_SUFFIX: Final = " (MCP)"
PREVIEW_LINE_RE: Final = re.compile(r"^\s*\d+\s")
TRUST_PATH_RE: Final = re.compile(r"^\s*(?:[/~]|[A-Za-z]:\\)\S*")
API_KEY_LINE_RE: Final = re.compile(r"(?i)\b(?:ANTHROPIC_API_KEY|api key)\b\s*:\s*(\S+)")
MCP_NAME_RE: Final = re.compile(r"(?i)new mcp servers? found in [^:]+:\s*(.+)$")

# Busy: the footer or spinner line says Claude is working. The spinner verb ends with "…" while
# working; a finished turn shows "✻ Worked for 3s" without it.
# BUSY_RE and ERROR_RE are searched once over the candidate lines lower-cased and joined by
# newlines; SPINNER_RE over the same lines as drawn (its verb is capitalised).
BUSY_RE: Final = re.compile(r"esc to interrupt|ctrl\+c to interrupt")
SPINNER_RE: Final = re.compile(r"(?m)^\s*[·✢✳✶✻✽*\u2217⏺]\s+[A-Z][\w'-]*(?: [\w'-]+){0,3}…")

# Input box: a prompt glyph right under a rule, possibly with text typed into it.
INPUT_RE: Final = re.compile(r"^\s*[\u276f>\u203a](?:\s|$)")
IDLE_HINT_RE: Final = re.compile(
    r"(?i)\? for shortcuts|for shortcuts$|bypass permissions|accept edits on"
)

# The permission-mode footer under the input box: "⏵⏵ accept edits on (shift+tab to cycle)",
# "⏸ plan mode on", "⏵⏵ bypass permissions on", and on 2.1.x "auto mode on". Searched
# lower-cased over the lines below the input box.
MODE_FOOTER_RE: Final = re.compile(r"\b(auto mode|bypass permissions|accept edits|plan mode) on\b")
MODE_NAMES: Final = {
    "auto mode": "auto",
    "bypass permissions": "bypass",
    "accept edits": "accept_edits",
    "plan mode": "plan",
}

ERROR_RE: Final = re.compile(
    r"\bapi error\b|usage limit reached|\blimit reached\b.*\bresets?\b|you've hit your limit"
    r"|invalid api key|please run /login|oauth token (?:has )?expired|credit balance is too low"
    r"|authentication_error|overloaded_error|missing api key|login required|not logged in"
)

# Lines worth reporting to other tools (automation analysis), matched one screen line at a time.
# Usage limit: "5-hour limit reached ∙ resets 3pm", "Claude usage limit reached. Your limit will
# reset at 5pm (Europe/London)", older "Claude AI usage limit reached|<epoch>".
USAGE_LIMIT_LINE_RE: Final = re.compile(
    r"usage limit reached|limit reached\s*[∙·|-]\s*resets|limit will reset", re.IGNORECASE
)
RESET_TIME_RE: Final = re.compile(r"\breset(?:s)?\s+(?:at\s+)?(?P<reset>.+?)\s*\.?$", re.IGNORECASE)
API_ERROR_LINE_RE: Final = re.compile(
    r"\bAPI Error(?::|\s\()|\b(?:Overloaded|overloaded_error|rate_limit_error|"
    r"authentication_error|Invalid API key)\b"
)

# The start-up banner: "Claude Code v2.1.332" (2.x), "✻ Welcome to Claude Code" has no version.
VERSION_BANNER_RE: Final = re.compile(r"\bClaude Code v(\d+\.\d+\.\d+(?:[-+][\w.]+)?)")
