"""What every register service shares: a unit of work per action, the clock, permission checks."""

from __future__ import annotations

from datetime import date, datetime

from .audit import Actor
from .errors import Forbidden, Invalid, NotSignedIn
from .ports import Clock, UnitOfWork, UnitOfWorkFactory
from .roles import Permission, can


class Service:
    """The base of a register service: it opens a unit of work per action and reads the injected clock."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def now(self) -> datetime:
        """Now, in naive UTC to the second (what records and the audit log hold)."""
        return self._clock().replace(microsecond=0)

    def today(self) -> date:
        """Today's date (what "today or before" rules are checked against)."""
        return self._clock().date()


def require(actor: Actor | None, permission: Permission) -> Actor:
    """The actor, if signed in and holding the permission; raises NotSignedIn or Forbidden otherwise."""
    if actor is None:
        raise NotSignedIn("Sign in to do this")
    if not can(actor.role, permission):
        raise Forbidden("Your account does not allow this")
    return actor


NOT_VERIFIED = "Confirm your email address before you submit: your account page sends the link"


def require_verified(uow: UnitOfWork, actor: Actor) -> None:
    """Refuse a submission from an account whose email address is not verified: it is answered by email.

    An account a case worker made is unverified until its owner follows the link.
    """
    user = uow.users.get(actor.user_id)
    if user is None or user.email_verified_at is None:
        raise Invalid.one("", NOT_VERIFIED)
