"""The answer policy: from a parsed screen, or a hook's tool request, to a Decision.

Order of evaluation, first result wins (the same for both channels, see ``Policy._judge``):

1. nothing waits (not `waiting`, or no prompt) -> `none`;
2. guards, which rules cannot override: a Bash command the analysis finds dangerous, or a file
   write/edit outside the project folder -> `hold` (or `deny` if configured; a guard set to
   "off" does not run, and lint warns about it);
3. the rules, in file order (session-specific ones are ordinary rules with a `session` glob);
4. nothing matched -> `hold`.

On screen, an `answer` or `deny` that finds no acceptable option in the dialog (no plain "Yes",
no "No" that keeps Claude running, an option number above 9) becomes a `hold`. For a hook request
see ``yesman.policy._requests``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from yesman.agents import AgentScreen, Prompt, PromptKind, ScreenState, ToolKind, ToolRequest
from yesman.policy._commands import UNPARSABLE, CommandVerdict, analyse_command
from yesman.policy._config import PolicyError, parse_policy
from yesman.policy._decision import Action, Decision, PolicyContext
from yesman.policy._lint import PolicyWarning
from yesman.policy._requests import Verdict, act_on_request
from yesman.policy._rules import Guards, Rule, SessionOverride, pick_option, prompt_tool_kind

__all__ = ["Policy"]

logger = logging.getLogger(__name__)

_WRITE_KINDS = frozenset({ToolKind.WRITE, ToolKind.EDIT})
_MAX_POLICY_BYTES = 1024 * 1024


class Policy:
    """Rules, guards and settings that turn a screen into a decision. Immutable once built."""

    __slots__ = ("_dry_run", "_guards", "_rules", "_sessions", "_warnings", "source")

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        guards: Guards | None = None,
        sessions: Sequence[SessionOverride] = (),
        dry_run: bool = False,
        source: str = "<memory>",
        warnings: Sequence[PolicyWarning] = (),
    ) -> None:
        self._rules = tuple(rules)
        self._guards = guards or Guards()
        self._sessions = tuple(sessions)
        self._dry_run = dry_run
        self.source = source
        self._warnings = tuple(warnings)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self._rules

    @property
    def warnings(self) -> tuple[PolicyWarning, ...]:
        """What lint found when the file loaded (file, line, message); print `str(w)` of each."""
        return self._warnings

    @classmethod
    def default(cls) -> Policy:
        """The shipped policy (`yesman/policy/default.toml`), safe to run unattended."""
        text = resources.files("yesman.policy").joinpath("default.toml").read_text("utf-8")
        return cls.from_toml(text, source="<default policy>")

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<string>") -> Policy:
        config = parse_policy(text, source)
        return cls(
            config.rules,
            guards=config.guards,
            sessions=config.sessions,
            dry_run=config.dry_run,
            source=source,
            warnings=config.warnings,
        )

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Policy:
        """Load a policy file; raises PolicyError naming the file and what is wrong."""
        p = Path(path)
        try:
            if p.stat().st_size > _MAX_POLICY_BYTES:
                raise PolicyError(f"policy file {p}: larger than 1 MiB; is this the right file?")
            data = p.read_bytes()
        except OSError as exc:
            raise PolicyError(
                f"policy file {p}: cannot read it ({exc.strerror or exc}); check the path"
            ) from exc
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PolicyError(f"policy file {p}: not UTF-8 text ({exc.reason})") from exc
        return cls.from_toml(text, source=str(p))

    def decide(self, screen: AgentScreen, context: PolicyContext | None = None) -> Decision:
        """What to do about this screen: same inputs, same decision. The disk is read only to
        follow symbolic links in paths inside the project (`out -> /etc`)."""
        ctx = context or PolicyContext()
        prompt = screen.prompt
        if screen.state is not ScreenState.WAITING or prompt is None:
            return Decision(
                Action.NONE, (), "no-dialog", f"nothing waits (screen is {screen.state})"
            )
        guards, dry_run = self._settings(ctx)
        decision = self._act(prompt, self._judge(prompt, ctx, guards, exact=False))
        return self._finish(decision, dry_run, prompt, ctx)

    def decide_request(
        self, request: ToolRequest, context: PolicyContext | None = None
    ) -> Decision:
        """What to do about a permission request an agent's hook delivered. Pure.

        The same guards and rules as :meth:`decide`, on the request's exact tool input: a Bash
        command is analysed as sent, not as reconstructed from wrapped screen lines. The
        decision sends no keys: ANSWER means allow (once: "always" rules never grant "don't ask
        again" here), DENY means deny, HOLD and NONE leave the dialog to the human. A rule that
        picks an option by number holds (a hook request has no numbered menu). A question is
        answered only by a rule with pre-set ``answers`` covering every question asked.
        """
        ctx = context or PolicyContext()
        guards, dry_run = self._settings(ctx)
        verdict = self._judge(request.prompt, ctx, guards, exact=True)
        return self._finish(act_on_request(request, verdict), dry_run, request.prompt, ctx)

    def _settings(self, ctx: PolicyContext) -> tuple[Guards, bool]:
        """The guards and dry-run setting for this session (its override, else the file's)."""
        override = next((s for s in self._sessions if s.matches(ctx.session)), None)
        dry_run = (
            self._dry_run if override is None or override.dry_run is None else override.dry_run
        )
        guards = self._guards if override is None or override.guards is None else override.guards
        return guards, dry_run

    def _finish(
        self, decision: Decision, dry_run: bool, prompt: Prompt, ctx: PolicyContext
    ) -> Decision:
        if dry_run and decision.action in (Action.ANSWER, Action.DENY):
            decision = dataclasses.replace(
                decision, reason=f"{decision.reason} (dry run: nothing is typed)", dry_run=True
            )
        logger.debug(
            "decision %s by %s for %s",
            decision.action,
            decision.rule,
            prompt.fingerprint,
            extra={"rule": decision.rule, "pane_id": ctx.pane_id},
        )
        return decision

    def _judge(self, prompt: Prompt, ctx: PolicyContext, guards: Guards, *, exact: bool) -> Verdict:
        """Guards, then rules, then the default hold: the one place both channels decide.

        ``exact`` says the prompt holds the agent's own tool input (a hook request), so a Bash
        command is analysed as it is rather than as reconstructed from the screen.
        """
        project = None if ctx.project_dir is None else os.path.normpath(ctx.project_dir)
        home = None if ctx.home is None else str(ctx.home)
        kind = prompt_tool_kind(prompt)
        if prompt.kind is PromptKind.TOOL_PERMISSION and kind is ToolKind.SHELL:
            if not prompt.target:
                return Verdict(
                    Action.HOLD,
                    "guard:dangerous-command",
                    "shell dialog without a readable command",
                )
            verdict = (
                analyse_command(prompt.target, project, home)
                if exact
                else _analyse_bash(prompt, project, home)
            )
            if verdict.dangerous and guards.dangerous_commands is not Action.NONE:
                return Verdict(guards.dangerous_commands, "guard:dangerous-command", verdict.reason)
        if prompt.kind is PromptKind.TOOL_PERMISSION and kind in _WRITE_KINDS:
            where = _outside_project(prompt.target, project, home)
            if where is not None and guards.outside_project is not Action.NONE:
                return Verdict(guards.outside_project, "guard:outside-project", where)
        for rule in self._rules:
            if rule.matches(prompt, ctx.session, project, ctx.agent):
                reason = rule.reason or _describe(rule, prompt)
                return Verdict(rule.action, rule.name, reason, rule.option, rule.answers)
        return Verdict(
            Action.HOLD, "default:no-rule", "no rule matched this dialog; a human must look"
        )

    def _act(self, prompt: Prompt, verdict: Verdict) -> Decision:
        action, rule, reason, choice = verdict.action, verdict.rule, verdict.reason, verdict.choice
        if action in (Action.HOLD, Action.NONE):
            return Decision(action, (), rule, reason)
        if verdict.answers is not None:
            return _hold(rule, f"{reason}; pre-set answers are given only through the hook")
        if not prompt.numbered:
            return _hold(rule, f"{reason}; but the menu has no digits to type (needs arrow keys)")
        option = pick_option(prompt, action, choice)
        if option is None:
            wanted = '"No" option that keeps the agent running' if action is Action.DENY else choice
            return _hold(rule, f"{reason}; but the dialog has no {wanted} option to choose")
        if option.number > 9:
            return _hold(rule, f"{reason}; but option {option.number} needs two keys")
        return Decision(action, (str(option.number),), rule, f"{reason} -> {option.text!r}")


def _analyse_bash(prompt: Prompt, project: str | None, home: str | None) -> CommandVerdict:
    """Analyse the joined command, and every physical line of it on its own.

    Joining wrapped lines is a guess; a newline inside the command that happens to fall at the
    right edge would be joined as a space and hide the next command. Each physical line that
    parses cleanly on its own is therefore analysed too (lines that do not parse alone, such as a
    quote opened on one line and closed on the next, are covered by the joined reading). The
    description is analysed as well, in case an older layout put a command line there.
    """
    text = prompt.target or ""
    if prompt.description:
        text = f"{text}\n{prompt.description}"
    verdict = analyse_command(text, project, home)
    if verdict.dangerous:
        return verdict
    for line in prompt.target_lines:
        reasons = [
            r for r in analyse_command(line, project, home).reasons if not r.startswith(UNPARSABLE)
        ]
        if reasons:
            return CommandVerdict(True, tuple(reasons), verdict.programs)
    return verdict


def _hold(rule: str, reason: str) -> Decision:
    return Decision(Action.HOLD, (), rule, reason)


def _describe(rule: Rule, prompt: Prompt) -> str:
    what = prompt.kind.value if prompt.tool is None else f"{prompt.kind.value} for {prompt.tool}"
    return f"rule {rule.name!r} ({rule.action.value}) matched {what}"


def _outside_project(target: str | None, project: str | None, home: str | None) -> str | None:
    """Why a file path is not safely inside the project, or None when it is."""
    if not target:
        return "file dialog without a readable path"
    if project is None:
        return f"project folder unknown; cannot tell where {target} is"
    path = target
    if path.startswith("~"):
        if path != "~" and not path.startswith("~/"):
            return f"{target} is in another user's home"
        path = (home or os.path.expanduser("~")) + path[1:]
    full = os.path.normpath(path if os.path.isabs(path) else os.path.join(project, path))
    if not _strictly_inside(full, project):
        return f"{target} is outside the project folder {project}"
    # The file tools write through symbolic links: `out/hosts` with `out -> /etc` is /etc/hosts.
    try:
        real = os.path.realpath(full)
    except (OSError, ValueError):
        return f"cannot tell where {target} leads"
    if not _strictly_inside(real, os.path.realpath(project)):
        return f"{target} leads to {real} through a symbolic link, outside the project folder"
    return None


def _strictly_inside(path: str, project: str) -> bool:
    return path != project and path.startswith(project.rstrip("/") + "/")
