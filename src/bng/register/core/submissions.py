"""One-time submission tokens: a confirmation sent twice is recorded once.

A double click, a retry after a timeout, fifty posts at once: one record.

Each page that confirms a change carries a random token; the service claims it in the same transaction
as the change, as its first write. The first claim wins: on PostgreSQL a second identical transaction
waits at the claim until the first ends, on SQLite writers queue for the write lock anyway. A repeat
finds the claim and is told what the first made (:class:`AlreadyDone`), so it can answer as the first
did; nothing is recorded twice. A change that fails rolls its claim back with it: the same form can be
corrected and sent again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from .audit import Actor
from .errors import Conflict, Invalid, RegisterError
from .ports import UnitOfWork
from .service import Service
from .tokens import token_hash

TOKEN = re.compile(r"[A-Za-z0-9_-]{22,86}")
"""What a token looks like: URL-safe base64 of 16 to 64 random bytes."""


@dataclass(frozen=True, slots=True)
class Once:
    """A confirmation's one-time token and the action it confirms (``allocation.confirm``, …)."""

    token: str
    action: str

    def __post_init__(self) -> None:
        if not TOKEN.fullmatch(self.token):
            raise Invalid.one("submission_token", "The form was not sent from this service; reload the page")

    @property
    def key(self) -> str:
        """The token's SHA-256 digest, which is all the register stores of it."""
        return token_hash(self.token)


class AlreadyDone(RegisterError):
    """The same confirmation was recorded before; ``target`` names what it made ("" if nothing)."""

    def __init__(self, target: str) -> None:
        super().__init__("This was done already")
        self.target = target


def claim(uow: UnitOfWork, actor: Actor, once: Once | None, at: datetime) -> None:
    """Claim the token in the open unit of work, before anything else is written.

    Raises AlreadyDone if it was used before (Conflict if by someone else or for another action). ``None`` (a caller
    with no page, like the command line) claims nothing.
    """
    if once is None:
        return
    first = uow.submissions.claim(once.key, actor.user_id, once.action, at)
    if first is None:
        return
    if first.user_id != actor.user_id or first.action != once.action:
        raise Conflict("This form was used already; reload the page and try again")
    raise AlreadyDone(first.target)


def settle(uow: UnitOfWork, once: Once | None, target: object) -> None:
    """Record what the submission made, for a repeat of it to be sent to."""
    if once is not None:
        uow.submissions.settle(once.key, str(target))


class Submissions(Service):
    """Reading the one-time tokens, for pages that answer a repeated confirmation early."""

    def done(self, actor: Actor | None, once: Once) -> str | None:
        """What an earlier use of this token made, if it was used (by this person, for this action); else None.

        A page can answer a repeat before its own checks, which the first submission may have changed the answer of.
        The claim in the transaction stays the rule; this only reads it.
        """
        if actor is None:
            return None
        with self._uow() as uow:
            first = uow.submissions.find(once.key)
        if first is None or first.user_id != actor.user_id or first.action != once.action:
            return None
        return first.target
