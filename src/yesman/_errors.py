"""The root of every error yesman raises on purpose.

Each subpackage draws its own tree under this root, so a caller (the CLI above all) catches one
type and prints its message, which always says what went wrong and what to do::

    YesmanError
     ├── TmuxError          yesman.tmux      (the server, the control connection, panes)
     ├── StoreError         yesman.store     (the SQLite database)
     ├── PolicyError        yesman.policy    (a policy file or rule; also a ValueError)
     ├── AlertError         yesman.alerts    (a rules file, with its line; an alert to ack)
     ├── ShellSyntaxError   yesman.policy    (a command line that cannot be parsed; ValueError)
     ├── TmuxHelperError    yesman.testing   (the private tmux server for tests; RuntimeError)
     ├── BaselineError      yesman.baseline  (a baseline missing, malformed, or no history)
     ├── ShippedDataError   yesman.gates     (the gates' packaged data missing or damaged)
     └── LifecycleError     here             (a component used in a state that forbids it)
"""

from __future__ import annotations

__all__ = ["LifecycleError", "YesmanError"]


class YesmanError(Exception):
    """Base class of everything yesman raises on purpose."""


class LifecycleError(YesmanError, RuntimeError):
    """A component was asked to do something its lifecycle state forbids."""
