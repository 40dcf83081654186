"""What can go wrong in a register service, said so that the person in front of it can act.

Every error carries problems that name the field (the form field or file) they concern, so a
page can show the GOV.UK error summary with a link to each field, and the JSON API can return
the same list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing to put right: the field (or file) it concerns and what was expected."""

    field: str
    message: str
    section: str = ""  # the application section it belongs to, where there is one

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class RegisterError(Exception):
    """Base class of the register's errors; ``problems`` lists every problem found."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems) or (Problem("", message),)


class Invalid(RegisterError):
    """The input breaks a rule; nothing was changed."""

    @classmethod
    def one(cls, field: str, message: str, section: str = "") -> Invalid:
        """The error of a single problem, its message also the error's."""
        return cls(message, [Problem(field, message, section)])


def gather(problems: list[Problem], check: Callable[[], T]) -> T | None:
    """The check's value, or None with its problems added.

    A form's answers are checked each in turn and every problem reported at once, not one batch at a time.
    """
    try:
        return check()
    except Invalid as err:
        problems.extend(err.problems)
        return None


def refuse(problems: list[Problem], summary: str = "There is a problem") -> None:
    """Raise the problems gathered, if any (one problem is its own summary)."""
    if problems:
        raise Invalid(problems[0].message if len(problems) == 1 else summary, problems)


class NotFound(RegisterError):
    """No such thing, or not one the person may know exists."""


class Forbidden(RegisterError):
    """The person is signed in but their role does not allow this."""


class NotSignedIn(RegisterError):
    """The action needs an account."""


class Conflict(RegisterError):
    """The thing changed meanwhile, or is in a state that does not allow this (try again)."""


class OverAllocation(Conflict):
    """An allocation asked for more of a habitat parcel than remains."""
