"""What Gemini CLI draws, as data (measured on 0.61.0, see tests/agents/gemini/corpus).

Gemini CLI (Ink) draws a confirmation in a rounded box, the command or diff in a box inside it::

    ╭──────────────────────────────────────────────╮
    │ ? Shell  mkdir -p build                      │   <- "? <tool display name>  <what>"
    │ ╭──────────────────────────────────────────╮ │
    │ │ mkdir -p build                           │ │
    │ ╰──────────────────────────────────────────╯ │
    │ Allow execution of [Shell]?                  │   <- the question
    │                                              │
    │ ● 1. Allow once                              │   <- `●` marks the highlighted option
    │   2. Allow for this session                  │
    │   3. No, suggest changes (esc)               │
    ╰──────────────────────────────────────────────╯

A tall confirmation is headed "Action Required" instead. Typing an option's digit selects and
confirms it. Add new wordings beside the old ones.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

from yesman.agents import PromptKind

HIGHLIGHT: Final = "●"
OPTION_RE: Final = re.compile(r"^(\s*)(●\s*)?(\d{1,2})\.\s+(\S.*)$")
BOX_TOP: Final = "╭"
BOX_BOTTOM: Final = "╰"
# "? Shell  mkdir -p build" / "?  WebFetch Processing URLs ..." / "? WriteFile  Writing to a.txt"
HEADER_RE: Final = re.compile(r"^\?\s+(\S+)(?:\s+(.*))?$")

# The tool's display name on screen -> its function name (what rules, hooks and the model use).
DISPLAY_NAMES: Final = MappingProxyType(
    {
        "shell": "run_shell_command",
        "writefile": "write_file",
        "edit": "replace",
        "webfetch": "web_fetch",
        "readfile": "read_file",
        "readfolder": "list_directory",
        "readmanyfiles": "read_many_files",
        "googlesearch": "google_web_search",
        "searchtext": "grep_search",
        "findfiles": "glob",
    }
)
PERMISSION_QUESTIONS: Final = (
    re.compile(r"^Allow execution of .*\?$"),
    re.compile(r"^Apply this change\?$"),
    re.compile(r"^Do you want to proceed\?$"),
)
MCP_QUESTION_RE: Final = re.compile(
    r'^Allow execution of MCP tool "([^"]+)" from server "([^"]+)"\?'
)
WRITING_TO_RE: Final = re.compile(r"^Writing to (.+)$")
EDIT_TARGET_RE: Final = re.compile(r"^(.+?): .* => ")
URL_RE: Final = re.compile(r"https?://[^\s\"'`<>]+")

# Dialog text (lower-cased) -> kind, checked before tool confirmations.
KIND_CUES: Final[tuple[tuple[PromptKind, re.Pattern[str]], ...]] = (
    (
        PromptKind.TRUST_FOLDER,
        re.compile(r"do you trust the files in this folder|do you trust the following folders"),
    ),
    (PromptKind.USAGE_LIMIT, re.compile(r"usage limit reached for")),
    (PromptKind.API_KEY, re.compile(r"how would you like to authenticate|enter gemini api key")),
    (PromptKind.QUESTION, re.compile(r"^answer questions$", re.MULTILINE)),
    (PromptKind.PLAN_APPROVAL, re.compile(r"ready to start implementation\?")),
)
TRUST_PATH_RE: Final = re.compile(r"^-?\s*(/\S*|~\S*)$")

# Busy: "⠦ Thinking... (esc to cancel, 5s)".
BUSY_RE: Final = re.compile(r"\(esc to cancel")
# The composer: " > text" or " >   Type your message or @path/to/file".
INPUT_RE: Final = re.compile(r"^\s*>\s")
IDLE_HINT_RE: Final = re.compile(r"\? for shortcuts|Type your message|workspace \(/directory\)")

USAGE_LIMIT_LINE_RE: Final = re.compile(r"Usage limit reached for|Quota exceeded")
RESET_TIME_RE: Final = re.compile(r"(?i)\bresets at (?P<reset>.+?)\.?$")
API_ERROR_LINE_RE: Final = re.compile(r"\[API Error: |✕ ")
ERROR_RE: Final = re.compile(r"^✕ |^.*\[API Error: |^.*Usage limit reached for")

VERSION_BANNER_RE: Final = re.compile(r"Gemini CLI v(\d+\.\d+\.\d+)")
