"""What Codex CLI draws, as data (measured on 0.171.0, see tests/agents/codex/corpus).

Codex (a ratatui TUI) draws its dialogs at the bottom of the pane, without a frame::

      Would you like to run the following command?      <- the title names the kind

      Environment: local
      Reason: <the model's justification>
      $ mkdir -p build && touch build/out.txt

    › 1. Yes, proceed (y)                                <- `›` marks the highlighted option
      2. Yes, and don't ask again for commands that start with `mkdir -p build` (p)
      3. No, and tell Codex what to do differently (esc)

      Press enter to confirm or esc to cancel

Typing an option's digit selects and confirms it; each option also has a letter (shown in
brackets). Add new wordings beside the old ones.
"""

from __future__ import annotations

import re
from typing import Final

from yesman.agents import PromptKind

# A numbered option: optional highlight `›`, the digit, ". ", the text.
OPTION_RE: Final = re.compile(r"^(\s*)(›\s*)?(\d{1,2})\.\s+(\S.*)$")
# The letter shortcut Codex appends to an option: "(y)", "(esc)".
SHORTCUT_RE: Final = re.compile(r"\s+\((?:[a-z]|esc|enter)\)$")
FOOTER_RE: Final = re.compile(
    r"(?i)^(?:press enter to confirm|enter continue|enter to confirm|enter confirm|esc to cancel|"
    r"↑/↓|tab to|enter to submit)"
)
HIGHLIGHT: Final = "›"

# Title line -> (kind of dialog, tool as yesman names it). Checked in order.
TITLES: Final[tuple[tuple[re.Pattern[str], PromptKind, str | None], ...]] = (
    (
        re.compile(r"^Would you like to run the following command\?"),
        PromptKind.TOOL_PERMISSION,
        "exec",
    ),
    (
        re.compile(r"^Would you like to send input to the existing terminal\?"),
        PromptKind.TOOL_PERMISSION,
        "write_stdin",
    ),
    (
        re.compile(r"^Would you like to make the following edits\?"),
        PromptKind.TOOL_PERMISSION,
        "apply_patch",
    ),
    (
        re.compile(r"^Do you want to approve network access to \"?([^\"]+)\"?"),
        PromptKind.TOOL_PERMISSION,
        "network",
    ),
    (
        re.compile(r"^Would you like to grant these permissions\?"),
        PromptKind.OTHER,
        "request_permissions",
    ),
    (re.compile(r"^(.+) needs your approval\.?$"), PromptKind.TOOL_PERMISSION, "mcp"),
    (re.compile(r"^Trust this folder\?|^Folder access$"), PromptKind.TRUST_FOLDER, None),
    (re.compile(r"^Implement this plan\?"), PromptKind.PLAN_APPROVAL, "plan"),
    # At start, when a hook is new or changed: trusting it is the human's (options: review,
    # trust all, continue without; a digit only moves the highlight here).
    (re.compile(r"^Hooks need review$"), PromptKind.OTHER, None),
)
# Lines between the title and the options.
ENVIRONMENT_RE: Final = re.compile(r"^Environment:\s*(.*)$")
REASON_RE: Final = re.compile(r"^Reason:\s*(.*)$")
COMMAND_RE: Final = re.compile(r"^\$ (.*)$")
DESTINATION_RE: Final = re.compile(r"^Destination:\s*(.*)$")
DESCRIPTION_RE: Final = re.compile(r"^Description:\s*(.*)$")
PERMISSION_RULE_RE: Final = re.compile(r"^Permission rule:\s*(.*)$")
TRUST_PATH_RE: Final = re.compile(r"^\s*(/\S*|~\S*)$")

# Busy: "• Working (3s • esc to interrupt)"; the verb changes ("Running", "Thinking" ...).
BUSY_RE: Final = re.compile(r"esc to interrupt|ctrl\+c to interrupt")
# The input box: the composer's `›` at the left edge, then the footer under it.
INPUT_RE: Final = re.compile(r"^› ")
IDLE_HINT_RE: Final = re.compile(r"\? for shortcuts|Ask Codex to do anything|for agents")

# An error cell in the history: "■ <message>" (API errors, usage limits, stream errors).
ERROR_CELL_RE: Final = re.compile(r"^■ ")
USAGE_LIMIT_LINE_RE: Final = re.compile(r"(?i)hit your usage limit|usage limit reached")
RESET_TIME_RE: Final = re.compile(r"(?i)try again (?:at|in) (?P<reset>[^.]+(?:\.\d+)?(?: ?[AP]M)?)")
API_ERROR_LINE_RE: Final = re.compile(
    r"^■ |experiencing high demand|stream disconnected|unexpected status \d{3}"
    r"|exceeded retry limit|(?i:invalid api key|unauthorized)"
)

# The banner: ">_ OpenAI Codex (v0.171.0)".
VERSION_BANNER_RE: Final = re.compile(r"OpenAI Codex \(v(\d+\.\d+\.\d+)\)")
