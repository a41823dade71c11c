"""Errors of the alerting package, each saying what went wrong and what to do.

    AlertError                    (a YesmanError)
    ├── AlertConfigError          a rules file that cannot be used: file, line, key, expected
    │                             (also a ValueError)
    ├── AlertNotFoundError        `ack` of an alert id or fingerprint that is not firing
    └── DeliveryError             one attempt to deliver a notification to a sink failed; the
                                  dispatcher retries it, then records it as undelivered

Delivery failures never reach the watcher: they are counted per sink, logged and stored.
"""

from __future__ import annotations

from yesman._errors import YesmanError

__all__ = ["AlertConfigError", "AlertError", "AlertNotFoundError", "DeliveryError"]


class AlertError(YesmanError):
    """Base of the errors `yesman.alerts` raises on purpose."""


class AlertConfigError(AlertError, ValueError):
    """A rules file that cannot be used; the message names the file, the line and the key."""


class AlertNotFoundError(AlertError, LookupError):
    """No alert with that id (or fingerprint) is firing."""


class DeliveryError(AlertError):
    """One delivery attempt failed (the receiver refused it, timed out, or is unreachable).

    ``permanent``: trying again cannot help (a program that is not installed, a 4xx answer), so
    the dispatcher records it as undelivered at once.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
