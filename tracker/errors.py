"""Typed domain errors. Each carries a message fit to show a user."""

from __future__ import annotations


class TrackerError(Exception):
    """Base class: `str(error)` is a polite message for the person who asked."""


class NotFound(TrackerError):
    def __init__(self, number: int | None = None, what: str = "case") -> None:
        self.number = number
        if number is None:
            super().__init__(f"I couldn't find that {what}.")
        else:
            super().__init__(
                f"I couldn't find case {number}. Type `cases` to see the open cases you can view."
            )


class IllegalTransition(TrackerError):
    def __init__(self, state: str, verb: str, hint: str = "") -> None:
        self.state, self.verb = state, verb
        super().__init__(hint or f"That can't be done while the case is {state}.")


class PermissionDenied(TrackerError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class InvalidInput(TrackerError):
    """Bad input; `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class PatientDataFound(InvalidInput):
    """Free text that carries patient-identifiable data. Nothing was stored."""


class StaleVersion(TrackerError):
    """Someone else changed the case first."""

    def __init__(self, number: int, state_label: str, last_change: str = "") -> None:
        self.number = number
        msg = f"Case {number} has changed since that card was sent: it is now {state_label}."
        if last_change:
            msg += f" Latest change: {last_change}."
        super().__init__(msg + " Nothing was changed; here is the current card.")


class NotConfigured(TrackerError):
    pass


class AlreadyDone(TrackerError):
    """A second click on the same button: harmless, nothing changes."""

    def __init__(self, number: int, when: str) -> None:
        self.number = number
        super().__init__(f"That was already recorded on case {number} (at {when}). "
                         "Nothing more was changed.")
