"""API tokens: the software an organisation already runs calls the JSON API for it, with the token's scopes.

The software of a habitat bank, a consultancy or an LPA; only the scopes chosen for the token are granted.

A token belongs to an organisation (``organisations``), never to one account: an admin makes it, and it
reads what belongs to any of the organisation's members (their applications, allocations, credit
orders) or, for an LPA organisation, the LPA's allocations and proofs of purchase. An admin may give a
token only the scopes their own role holds the permission for (``lpa`` only in an LPA organisation). A
token stops when revoked or when its organisation is closed; a scope stops while no active admin of the
organisation holds its permission (a token cannot do more than the organisation's admins could).

A token is shown once, when it is made: ``bng_`` and 43 URL-safe characters (32 random bytes). The
register keeps its SHA-256 (a copy of the database cannot be used to call the API) and its first 12
characters, so its admins can tell which token a program holds.

Each token may make :data:`RATE_LIMIT` calls in a window of :data:`RATE_WINDOW`; the count is kept on
the token's own row in the database (one small write a call), so the limit holds across every process
of the service and across restarts, which a count in memory would not.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Forbidden, Invalid, NotFound, NotSignedIn, Problem, RegisterError
from bng.register.core.ports import UnitOfWork
from bng.register.core.roles import Permission, Role, can
from bng.register.core.service import Service
from bng.register.core.tokens import token_hash

from .organisations import Kind, Member, Organisation, OrganisationRecords

PREFIX = "bng_"
TOKEN = re.compile(r"bng_[A-Za-z0-9_-]{43}")
SHOWN = 12
"""Characters of a token kept and shown to recognise it (``bng_`` and 8 more)."""
RATE_LIMIT = 120
RATE_WINDOW = timedelta(minutes=1)
MAX_TOKENS = 20
"""Live tokens an organisation may hold at once."""
MAX_NAME = 80


class Scope(StrEnum):
    """What an API token may do in the JSON API, chosen by an organisation's admin when it is made."""

    METRIC = "metric"  # calculate a metric, check a workbook, validate a map pair, estimate credits
    APPLICATIONS = "applications"  # read the members' registration applications
    ALLOCATIONS = "allocations"  # read the members' allocations
    CREDIT_ORDERS = "credit_orders"  # read the members' statutory credit orders
    LPA = "lpa"  # an LPA organisation: the allocations and proofs of purchase of its LPA


SCOPES: dict[Scope, tuple[str, Permission | None]] = {
    Scope.METRIC: ("Calculate metrics, check workbooks, validate habitat maps and estimate credits", None),
    Scope.APPLICATIONS: ("Read the members' registration applications", Permission.APPLY_TO_REGISTER),
    Scope.ALLOCATIONS: ("Read the allocations the members recorded", Permission.ALLOCATE),
    Scope.CREDIT_ORDERS: ("Read the members' statutory biodiversity credit orders", Permission.BUY_CREDITS),
    Scope.LPA: ("Read the LPA's allocations and proofs of purchase", Permission.VIEW_LPA_CASES),
}
"""Each scope, what it lets a program do, and the permission an admin's role must hold for it."""


def scopes_for(role: Role | str, kind: str = Kind.OTHER) -> list[Scope]:
    """The scopes an admin of this role may give a token of an organisation of this kind."""
    return [
        s for s, (_, needs) in SCOPES.items()
        if (needs is None or can(role, needs)) and (s != Scope.LPA or kind == Kind.LPA)
    ]  # fmt: skip


@dataclass
class ApiToken:
    """A token as the register keeps it (never the token itself); ``user_id`` is the admin who made it."""

    organisation_id: int
    user_id: int
    name: str
    prefix: str
    token_hash: str
    scopes: str  # space-separated
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    id: int | None = None

    @property
    def scope_list(self) -> list[Scope]:
        """The token's scopes, as stored space-separated."""
        return [Scope(s) for s in self.scopes.split()]

    @property
    def live(self) -> bool:
        """The token has not been revoked."""
        return self.revoked_at is None


class ApiTokenRecords(Protocol):
    """The stored API tokens of organisations, each kept as its hash, with its call count."""

    def add(self, token: ApiToken) -> int:
        """Store a new token; its id."""
        ...

    def get(self, token_id: int) -> ApiToken | None:
        """One token, by id."""
        ...

    def by_hash(self, token_hash: str) -> ApiToken | None:
        """The token a call presents, by its SHA-256."""
        ...

    def of_organisation(self, organisation_id: int) -> list[ApiToken]:
        """An organisation's tokens, newest first (revoked ones too)."""
        ...

    def revoke(self, token_id: int, at: datetime) -> None:
        """Revoke a token from this moment (one already revoked keeps its first time)."""
        ...

    def count_call(self, token_id: int, at: datetime, window_start_after: datetime) -> tuple[int, datetime]:
        """Count a call in the token's window: the calls in the window so far (this one too) and its start.

        A window that started before ``window_start_after`` starts again at ``at``.
        """
        ...


class ApiTokenUnitOfWork(UnitOfWork, Protocol):
    """A unit of work with the API tokens and the organisations they belong to."""

    api_tokens: ApiTokenRecords
    organisations: OrganisationRecords

    def __enter__(self) -> ApiTokenUnitOfWork: ...


class Unauthorised(RegisterError):
    """No token, or one that is unknown, revoked, or whose organisation is closed (HTTP 401)."""


class RateLimited(RegisterError):
    """Too many calls with this token in the window (HTTP 429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"More than {RATE_LIMIT} calls a minute with this token; try again in {retry_after} s")
        self.retry_after = retry_after


def _granted(organisation: Organisation, members: list[Member], scopes: list[Scope]) -> frozenset[Scope]:
    """The token's scopes that an active admin of the organisation still holds the permission for."""
    admins = [m for m in members if m.admin and m.active]
    return frozenset(s for s in scopes if any(s in scopes_for(a.account_role, organisation.kind) for a in admins))


@dataclass(frozen=True)
class Caller:
    """Who a call with a token is: the organisation, its active members (as actors) and the token's scopes.

    Of those scopes, only the ones its admins still hold count.
    """

    organisation_id: int
    organisation: str
    token_id: int
    scopes: frozenset[Scope]
    granted: frozenset[Scope]
    members: tuple[Actor, ...]
    lpa_id: int | None
    calls_left: int

    def require(self, scope: Scope) -> None:
        """Forbidden unless the token has the scope and an admin of the organisation still holds it."""
        if scope not in self.scopes:
            raise Forbidden(f"This token does not have the {scope.value} scope")
        if scope not in self.granted:
            raise Forbidden(f"No admin of the organisation may now give the {scope.value} scope")

    def actors(self, scope: Scope) -> list[Actor]:
        """The members whose own records the scope reads: those whose role holds its permission."""
        self.require(scope)
        needs = SCOPES[scope][1]
        return [m for m in self.members if needs is None or can(m.role, needs)]

    def lpa_officer(self) -> Actor:
        """An officer of the organisation's LPA, for the LPA's records (every member of an LPA organisation is one)."""
        self.require(Scope.LPA)
        for m in self.members:
            if m.lpa_id is not None and m.lpa_id == self.lpa_id and can(m.role, Permission.VIEW_LPA_CASES):
                return m
        raise Forbidden("No officer of the LPA is a member of the organisation")


class ApiTokens(Service):
    """An organisation's API tokens: made and revoked by its admins, and checked on every call."""

    def _tokens(self, write: bool = False) -> ApiTokenUnitOfWork:
        uow: ApiTokenUnitOfWork = self._uow(write=write)  # type: ignore[assignment]  # bng.db's carries api_tokens
        return uow

    @staticmethod
    def _membership(uow: ApiTokenUnitOfWork, actor: Actor | None, organisation_id: int) -> tuple[Organisation, Member]:
        if actor is None:
            raise NotSignedIn("Sign in to see your organisation's API tokens")
        found = uow.organisations.get(organisation_id)
        me = next((m for m in uow.organisations.members(organisation_id) if m.user_id == actor.user_id), None)
        if found is None or not found.open or me is None:
            raise NotFound("No such organisation")
        return found, me

    def of_organisation(self, actor: Actor | None, organisation_id: int) -> list[ApiToken]:
        """The organisation's tokens, for its members to see (only its admins make and revoke them)."""
        with self._tokens() as uow:
            self._membership(uow, actor, organisation_id)
            return uow.api_tokens.of_organisation(organisation_id)

    def scopes_for(self, actor: Actor | None, organisation_id: int) -> list[Scope]:
        """The scopes the actor, an admin of the organisation, may give its tokens (none for a member)."""
        with self._tokens() as uow:
            found, me = self._membership(uow, actor, organisation_id)
            return scopes_for(me.account_role, found.kind) if me.admin else []

    def create(
        self,
        actor: Actor | None,
        organisation_id: int,
        name: str,
        scopes: list[str],
        *,
        once: submissions.Once | None = None,
    ) -> tuple[ApiToken, str]:
        """A new token of the organisation, made by one of its admins, and the token itself.

        The token is shown once; only its hash is kept.
        """
        name = " ".join(name.split())
        problems: list[Problem] = []
        if not name:
            problems.append(Problem("name", "Enter a name for the token, such as the program that will use it"))
        elif len(name) > MAX_NAME:
            problems.append(Problem("name", f"The name must be {MAX_NAME} characters or fewer"))
        if not scopes:
            problems.append(Problem("scopes", "Select what the token may do"))
        secret = PREFIX + secrets.token_urlsafe(32)
        now = self.now()
        with self._tokens(write=True) as uow:
            found, me = self._membership(uow, actor, organisation_id)
            assert actor is not None
            if not me.admin:
                raise Forbidden("Only an admin of the organisation can make its API tokens")
            if scopes and not set(scopes) <= {s.value for s in scopes_for(me.account_role, found.kind)}:
                problems.append(Problem("scopes", "Select only what your account may do"))
            if problems:
                raise Invalid("There is a problem with the token", problems)
            submissions.claim(uow, actor, once, now)
            user = uow.users.get(actor.user_id)
            if user is None or not user.active:
                raise NotFound("No such account")
            if sum(1 for t in uow.api_tokens.of_organisation(organisation_id) if t.live) >= MAX_TOKENS:
                too_many = f"The organisation has {MAX_TOKENS} tokens; revoke one it no longer uses first"
                raise Invalid.one("name", too_many)
            token = ApiToken(
                organisation_id=organisation_id,
                user_id=actor.user_id,
                name=name,
                prefix=secret[:SHOWN],
                token_hash=token_hash(secret),
                scopes=" ".join(s.value for s in Scope if s.value in scopes),
                created_at=now,
            )
            token.id = uow.api_tokens.add(token)
            audit.record(
                uow, now, actor, "api_token.created", "api_token", token.id, None,
                {"name": name, "prefix": token.prefix, "scopes": token.scopes, "organisation_id": organisation_id},
            )  # fmt: skip
            submissions.settle(uow, once, token.id)
            uow.commit()
            return token, secret

    def revoke(self, actor: Actor | None, token_id: int, *, once: submissions.Once | None = None) -> ApiToken:
        """An admin revokes one of the organisation's tokens (at once: the next call with it is refused)."""
        if actor is None:
            raise NotFound("No such token")
        now = self.now()
        with self._tokens(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            token = uow.api_tokens.get(token_id)
            if token is None:
                raise NotFound("No such token")
            try:
                _, me = self._membership(uow, actor, token.organisation_id)
            except NotFound:
                raise NotFound("No such token") from None
            if not me.admin:
                raise Forbidden("Only an admin of the organisation can revoke its API tokens")
            if token.live:
                uow.api_tokens.revoke(token_id, now)
                token.revoked_at = now
                after = {"prefix": token.prefix}
                audit.record(uow, now, actor, "api_token.revoked", "api_token", token_id, None, after)
            submissions.settle(uow, once, token_id)
            uow.commit()
            return token

    def authenticate(self, secret: str) -> Caller:
        """The caller a token stands for, its call counted; Unauthorised or RateLimited otherwise."""
        if not TOKEN.fullmatch(secret):
            raise Unauthorised("The API token is not one the register issued")
        now = self.now()
        with self._tokens(write=True) as uow:
            token = uow.api_tokens.by_hash(token_hash(secret))
            if token is None or token.id is None:
                raise Unauthorised("The API token is not one the register issued")
            if not token.live:
                raise Unauthorised("The API token has been revoked")
            organisation = uow.organisations.get(token.organisation_id)
            if organisation is None or not organisation.open:
                raise Unauthorised("The API token's organisation is closed")
            members = [m for m in uow.organisations.members(token.organisation_id) if m.active]
            calls, started = uow.api_tokens.count_call(token.id, now, now - RATE_WINDOW)
            uow.commit()
        if calls > RATE_LIMIT:
            raise RateLimited(max(1, int((started + RATE_WINDOW - now).total_seconds())))
        return Caller(
            organisation_id=token.organisation_id,
            organisation=organisation.name,
            token_id=token.id,
            scopes=frozenset(token.scope_list),
            granted=_granted(organisation, members, token.scope_list),
            members=tuple(m.actor for m in members),
            lpa_id=organisation.lpa_id,
            calls_left=RATE_LIMIT - calls,
        )
