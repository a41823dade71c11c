"""The answer policy: what to do about a parsed screen, or about a hook's tool request.

`Policy.default()` loads the shipped `default.toml`; `Policy.from_file(path)` a user's copy.
`policy.decide(screen, PolicyContext(...))` returns a :class:`Decision`: answer (the option's
digit), deny (the "No" option's digit), hold (send nothing) or none.
`policy.decide_request(request, PolicyContext(...))` decides an agent hook's
:class:`~yesman.agents.ToolRequest` with the same guards and rules: answer means allow (once),
deny deny, and a question may get the rule's pre-set ``answers``. `analyse_command` is the
dangerous-command analysis the guards use, exposed for tools that want to show it.
`policy.warnings` lists what lint found in the file (:class:`PolicyWarning`: file, line, message,
and a :class:`WarningCode` saying what kind of problem it is).
"""

from __future__ import annotations

from yesman.policy._commands import CommandVerdict, analyse_command
from yesman.policy._config import PolicyError
from yesman.policy._decision import Action, Decision, PolicyContext
from yesman.policy._lint import PolicyWarning, WarningCode
from yesman.policy._policy import Policy
from yesman.policy._rules import Guards, Rule, SessionOverride

__all__ = [
    "Action",
    "CommandVerdict",
    "Decision",
    "Guards",
    "Policy",
    "PolicyContext",
    "PolicyError",
    "PolicyWarning",
    "Rule",
    "SessionOverride",
    "WarningCode",
    "analyse_command",
]
