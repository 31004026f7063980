"""Exceptions of the core library. Each message says what is wrong and where."""

from __future__ import annotations


class OnewindowError(Exception):
    """Base class for every error the core raises on purpose."""


class CatalogueError(OnewindowError):
    """A catalogue data file or the assembled catalogue is wrong.

    ``problems`` lists each fault as ``item X: field.path: what is wrong``.
    """

    def __init__(self, message: str, *, problems: list[str] | None = None, source: str = ""):
        super().__init__(message)
        self.problems = problems or [message]
        self.source = source


class PluginError(OnewindowError):
    """A plugin failed to load or supplied something invalid; the message names the plugin."""


class ValidationError(OnewindowError):
    """Input that fails validation. ``errors`` maps a field name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class TransitionRefused(OnewindowError):
    """A lifecycle action is not allowed. Names the case, its state and the allowed actions."""

    def __init__(self, case_number: str, state: str, action: str, reason: str,
                 allowed: list[str]):
        self.case_number = case_number
        self.state = state
        self.action = action
        self.reason = reason
        self.allowed = list(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "none"
        super().__init__(
            f"case {case_number} is {state}: {action} refused ({reason}); "
            f"allowed actions: {allowed_text}"
        )


class NotFound(OnewindowError):
    """The case, item or record asked for does not exist."""


class Conflict(TransitionRefused):
    """Someone else acted on the record first (two clerks, one case): nothing was changed.

    ``reason`` says what happened, e.g. "该办件已由 王某 受理"; the web answers 409.
    """


class Busy(OnewindowError):
    """The database could not take the step now: the write lock stayed taken beyond the busy
    timeout, the connection to PostgreSQL failed, or PostgreSQL gave up a transaction
    (serialization failure, deadlock). Nothing was stored; the same step may simply be tried
    again. The web answers 503 with ``Retry-After``."""

    message = "系统繁忙，请重试"

    def __init__(self, cause: str = ""):
        self.cause = cause  # the driver's words, for the log only
        super().__init__(self.message)
