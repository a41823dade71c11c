"""Read a dialog's contents: kind, tool, target, question, warning.

The region is everything between the rule that opens the dialog and its first option. Its first
line is the header ("Bash command", "Create file", "Accessing workspace:" ...). Claude Code 2.x
fences the body with dashed lines:

    Bash command                      Edit file
    <description>                     <path>
    ╌╌╌╌╌╌╌╌╌                         ╌╌╌╌╌╌╌╌╌
    <command, maybe `│ ` wrapped>     <diff preview>
    ╌╌╌╌╌╌╌╌╌                         ╌╌╌╌╌╌╌╌╌
    <notes or a warning line>         Do you want to make this edit to <file>?
    Do you want to proceed?

Older versions drew the command first and the description under it, without fences; both are
read.
"""

from __future__ import annotations

import hashlib

from yesman.agents import Option, Prompt, PromptKind, ToolKind
from yesman.agents.claude import _patterns as p
from yesman.agents.claude._lines import indent, is_dashed, is_full, join_wrapped
from yesman.agents.claude._options import Menu
from yesman.agents.claude._tools import tool_kind

__all__ = ["read_dialog"]


def read_dialog(lines: list[str], top: int, menu: Menu, width: int) -> Prompt | None:
    region = lines[top + 1 : menu.first]
    found = _find_question(region, width)
    header_at = next((k for k, s in enumerate(region) if s.strip()), None)
    header = "" if header_at is None else region[header_at].strip()
    # Without a '?' anywhere (the new-MCP-server dialog), the header is what is being asked.
    question = found[1] if found is not None else (header or None)
    below = region[found[0] + 1 :] if found is not None else region
    if any(
        s.strip() and (s.lstrip()[0] in p.HIGHLIGHT_CHARS or p.OPTION_RE.match(s)) for s in below
    ):
        return None  # another menu between the question and this one: not one dialog
    body_end = len(region) if found is None else found[0]
    body = region[header_at + 1 : body_end] if header_at is not None else []
    cues = [header, question or "", *(o.text for o in menu.options), *menu.footer]
    kind = _classify(header, question, cues)
    if kind is None:
        return None
    margin = indent(region[header_at]) if header_at is not None else 0
    tool, target, description, target_lines, warning = _read_body(
        kind,
        header=header,
        body=body,
        question=question,
        region=region,
        width=width,
        margin=margin,
    )
    fingerprint = _fingerprint(
        kind, tool=tool, target=target, question=question, options=menu.options, warning=warning
    )
    return Prompt(
        kind=kind,
        tool=tool,
        target=target,
        question=question,
        options=menu.options,
        highlighted=menu.highlighted,
        warning=warning,
        fingerprint=fingerprint,
        description=description,
        span=(top + 1, menu.last),
        numbered=menu.numbered,
        target_lines=target_lines,
        tool_kind=_tool_kind(kind, header, tool),
    )


def _tool_kind(kind: PromptKind, header: str, tool: str | None) -> ToolKind | None:
    """The canonical kind, from the header's tool (an MCP dialog's tool is its title)."""
    if kind is PromptKind.QUESTION:
        return ToolKind.QUESTION
    if kind is PromptKind.PLAN_APPROVAL:
        return ToolKind.PLAN
    if kind is not PromptKind.TOOL_PERMISSION:
        return None
    return tool_kind(p.TOOL_HEADERS.get(_header_key(header))) or tool_kind(tool)


def _find_question(region: list[str], width: int) -> tuple[int, str] | None:
    """(index in region where the question starts, question text), searching from the bottom.

    The question is the last line holding a '?', joined with the lines above it that Claude Code
    wrapped at the right edge, so the reading does not depend on the pane's width.
    """
    for j in range(len(region) - 1, -1, -1):
        line = region[j]
        if "?" not in line:
            continue
        start = j
        while (
            start > 0
            and j - start < 4
            and region[start - 1].strip()
            and indent(region[start - 1]) == indent(line)
            and is_full(region[start - 1], region[start].strip(), width)
        ):
            start -= 1
        text = " ".join(x.strip() for x in region[start : j + 1])
        return start, _question_sentence(text)
    return None


def _question_sentence(text: str) -> str:
    """Up to the first '?' that ends a sentence, without a "Label: " lead-in."""
    k = text.find("?")
    while k >= 0 and k + 1 < len(text) and text[k + 1] not in " )":
        k = text.find("?", k + 1)
    if k < 0:
        return text
    head = text[: k + 1]
    starts = [m.end() for m in p.SENTENCE_BREAK_RE.finditer(head)]
    return head[starts[-1] :] if starts else head


def _classify(header: str, question: str | None, cues: list[str]) -> PromptKind | None:
    joined = "\n".join(cues).lower()  # one search per pattern instead of one per line
    if p.ANY_CUE_RE.search(joined) is not None:
        for kind, pattern in p.KIND_CUES:
            if pattern.search(joined):
                return kind
    # A permission question under a header we do not know stays "other": a new tool might run
    # commands this parser cannot show the policy, so it must not pass for an ordinary one.
    if (
        question is not None
        and _header_key(header) in p.TOOL_HEADERS
        and any(r.match(question) for r in p.PERMISSION_QUESTIONS)
    ):
        return PromptKind.TOOL_PERMISSION
    if question is None and not header:
        return None  # options under a bare rule: not a dialog we can name
    return PromptKind.OTHER


_Body = tuple[str | None, str | None, str | None, tuple[str, ...], str | None]


def _read_body(
    kind: PromptKind,
    *,
    header: str,
    body: list[str],
    question: str | None,
    region: list[str],
    width: int,
    margin: int,
) -> _Body:
    """(tool, target, description, target's physical lines, warning) for the dialog's kind.

    `margin` is the header's indent: in the unfenced layout the command sits deeper than it and
    Claude Code's own notes ("This command requires approval") sit at it.
    """
    if kind is not PromptKind.TOOL_PERMISSION:
        warning = next((_warning_text(s) for s in body if p.WARNING_RE.match(s.strip())), None)
        lines = [s.strip() for s in region]
        if kind is PromptKind.TRUST_FOLDER:
            path = next((s for s in lines if p.TRUST_PATH_RE.match(s)), None)
            return None, path, None, (), warning
        if kind is PromptKind.API_KEY:
            key = next((m.group(1) for s in lines if (m := p.API_KEY_LINE_RE.search(s))), None)
            return None, key, None, (), warning
        if kind is PromptKind.MCP_SERVER:
            found = (m.group(1).strip() for s in lines if (m := p.MCP_NAME_RE.search(s)))
            return None, next(found, None), None, (), warning
        if kind is PromptKind.QUESTION:
            return "AskUserQuestion", None, None, (), warning
        if kind is PromptKind.PLAN_APPROVAL:
            return "ExitPlanMode", None, None, (), warning
        return None, None, None, (), warning

    tool = p.TOOL_HEADERS.get(_header_key(header), header or None)
    sections = _sections(body)
    fenced = len(sections) > 1
    if fenced:
        # 2.x prints its own remark under the fenced command or preview ("Dangerous rm
        # operation on critical path: /", "This command requires approval", ...). The preview
        # itself is file content and never read as a warning.
        notes = _logical([line for section in sections[2:] for line in section], width)
        warning = notes[0] if notes else None
        kept = body
    else:
        warning = next((_warning_text(s) for s in body if p.WARNING_RE.match(s.strip())), None)
        kept = [s for s in body if not (warning and p.WARNING_RE.match(s.strip()))]
    if tool == "MCP" and fenced:
        # 2.x: "<server> — <tool title>: (MCP)", fence, arguments, fence, "About ..." text.
        # The arguments are no command, file or URL: no target (they stay in target_lines).
        title = " ".join(_logical(sections[0], width)).removesuffix(p.MCP_SUFFIX).rstrip(": ")
        about = " ".join(_logical([x for sec in sections[2:] for x in sec], width)) or None
        physical = tuple(_unframe(s) for s in sections[1] if s.strip())
        return title or "MCP", None, about, physical, None
    if tool == "MCP":
        # Unfenced: "<server> - <tool>(<arguments>) (MCP)", maybe wrapped, then (2.1.1xx) the
        # tool's description on the next line.
        lines = kept
        joined = " ".join(s.strip() for s in lines if s.strip())
        call, _, rest = joined.partition(p.MCP_SUFFIX)
        m = p.MCP_CALL_RE.match(call)
        if m is None or rest[:1] not in ("", " "):
            return "MCP", joined or None, None, tuple(lines), warning
        name = f"mcp__{m.group(1)}__{m.group(2)}"
        return name, m.group(3), rest.strip() or None, tuple(lines), warning
    if tool == "Fetch":
        # 2.1.1xx draws the tool's input: `url: "https://...", prompt: "..."`.
        found = (m.group(0) for s in body if (m := p.URL_RE.search(s)))
        url = next((u.rstrip(p.URL_TRAILING) for u in found), None)
        lead = _logical(sections[0], width) if fenced else []
        return tool, url, (lead[0] if lead else None), (), warning
    if tool in p.FILE_TOOLS:
        logical = _logical(sections[0] if fenced else kept, width)
        path = logical[0] if logical and not p.PREVIEW_LINE_RE.match(logical[0]) else None
        if path is None and question is not None:
            path = _path_from_question(question)
        return tool, path, None, tuple(sections[0]) if fenced else (), warning
    if fenced:
        # 2.x: description, fence, command, fence, notes.
        desc = " ".join(_logical(sections[0], width)) or None
        command = _logical(sections[1], width)
        physical = tuple(_unframe(s) for s in sections[1] if s.strip())
        return tool, "\n".join(command) or None, desc, physical, warning
    # Unfenced layout (1.x, 2.1.1xx): command first, Claude's description last, both indented
    # deeper than the header; Claude Code's notes follow at the header's indent.
    block = [s for s in kept if not s.strip() or indent(s) > margin]
    notes = [s for s in kept if s.strip() and indent(s) <= margin]
    if block and notes and indent(kept[-1]) > margin:
        block, notes = kept, []  # no deeper block above the notes: nothing to split off
    if warning is None and notes:
        warning = " ".join(_logical(notes, width)) or None
    logical = _logical(block, width)
    physical = tuple(_unframe(s) for s in block if s.strip())
    if not logical:
        return tool, None, None, physical, warning
    if len(logical) == 1 and len(physical) > 1:
        # Every line reached the right edge, so the wrap cannot tell where the command ends;
        # 2.1.1xx draws the description on its own last line. The policy analyses the
        # description and every physical line too, so a misread costs a hold, never a yes.
        *command, description = physical
        return tool, " ".join(command), description, physical, warning
    if len(logical) == 1:
        return tool, logical[0], None, physical, warning
    # Lines between the first and the last belong to a multi-line command.
    return tool, "\n".join(logical[:-1]), logical[-1], physical, warning


def _sections(body: list[str]) -> list[list[str]]:
    sections: list[list[str]] = [[]]
    for line in body:
        if is_dashed(line):
            sections.append([])
        else:
            sections[-1].append(line)
    return sections


def _unframe(line: str) -> str:
    s = line.strip()
    if s[:1] in p.BOX_SIDE:
        s = s[1:].strip()
    return s


def _logical(lines: list[str], width: int) -> list[str]:
    """Join lines that Claude Code wrapped because they reached the right edge."""
    out: list[str] = []
    previous: str | None = None
    for line in lines:
        s = _unframe(line) if line.strip() else ""
        if not s:
            previous = None
            continue
        if previous is not None and is_full(previous, s, width):
            out[-1] = join_wrapped(out[-1], s)
        else:
            out.append(s)
        previous = line
    return out


def _warning_text(line: str) -> str:
    return line.strip().lstrip("⚠").strip()


def _path_from_question(question: str) -> str | None:
    for r in p.PERMISSION_QUESTIONS:
        m = r.match(question)
        if m is not None and m.groups():
            return m.group(1)
    return None


def _header_key(header: str) -> str:
    return header.strip().rstrip(":").lower()


def _fingerprint(
    kind: PromptKind,
    *,
    tool: str | None,
    target: str | None,
    question: str | None,
    options: tuple[Option, ...],
    warning: str | None,
) -> str:
    parts = [kind.value, tool or "", target or "", question or "", warning or ""]
    parts.extend(f"{o.number}.{o.text}" for o in options)
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()
