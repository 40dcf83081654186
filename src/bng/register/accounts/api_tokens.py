"""API tokens: the software an account already runs (a habitat bank's, a consultancy's, an LPA's) calls
the JSON API as that account, with only the scopes chosen for the token.

A token is shown once, when it is made: ``bng_`` and 43 URL-safe characters (32 random bytes). The
register keeps its SHA-256 (a copy of the database cannot be used to call the API) and its first 12
characters, so the owner can tell which token a program holds. A token acts for its account: it stops
working when revoked or when the account is deactivated, and a scope works only while the account's
role holds the permission the scope needs (a token cannot do more than its owner could on the pages).

Each token may make :data:`RATE_LIMIT` calls in a window of :data:`RATE_WINDOW`; the count is kept on
the token's own row in the database (one small write a call), so the limit holds across every process
of the service and across restarts, which a count in memory would not.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Forbidden, Invalid, NotFound, Problem, RegisterError
from bng.register.core.ports import UnitOfWork
from bng.register.core.roles import Permission, Role, can
from bng.register.core.service import Service

PREFIX = "bng_"
TOKEN = re.compile(r"bng_[A-Za-z0-9_-]{43}")
SHOWN = 12
"""Characters of a token kept and shown to recognise it (``bng_`` and 8 more)."""
RATE_LIMIT = 120
RATE_WINDOW = timedelta(minutes=1)
MAX_TOKENS = 20
"""Live tokens an account may hold at once."""
MAX_NAME = 80


class Scope(StrEnum):
    METRIC = "metric"  # calculate a metric, check a workbook, validate a map pair, estimate credits
    APPLICATIONS = "applications"  # read one's own registration applications
    ALLOCATIONS = "allocations"  # read one's own allocations
    CREDIT_ORDERS = "credit_orders"  # read one's own statutory credit orders
    LPA = "lpa"  # an LPA officer: the allocations and proofs of purchase of their LPA


SCOPES: dict[Scope, tuple[str, Permission | None]] = {
    Scope.METRIC: ("Calculate metrics, check workbooks, validate habitat maps and estimate credits", None),
    Scope.APPLICATIONS: ("Read your registration applications", Permission.APPLY_TO_REGISTER),
    Scope.ALLOCATIONS: ("Read the allocations you recorded", Permission.ALLOCATE),
    Scope.CREDIT_ORDERS: ("Read your statutory biodiversity credit orders", Permission.BUY_CREDITS),
    Scope.LPA: ("Read your LPA's allocations and proofs of purchase", Permission.VIEW_LPA_CASES),
}
"""Each scope, what it lets a program do, and the permission the account's role must hold for it."""


def scopes_for(role: Role | str) -> list[Scope]:
    """The scopes an account of this role may give a token."""
    return [s for s, (_, needs) in SCOPES.items() if needs is None or can(role, needs)]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class ApiToken:
    """A token as the register keeps it (never the token itself)."""

    user_id: int
    name: str
    prefix: str
    token_hash: str
    scopes: str  # space-separated
    organisation: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    id: int | None = None

    @property
    def scope_list(self) -> list[Scope]:
        return [Scope(s) for s in self.scopes.split()]

    @property
    def live(self) -> bool:
        return self.revoked_at is None


class ApiTokenRecords(Protocol):
    def add(self, token: ApiToken) -> int: ...
    def get(self, token_id: int) -> ApiToken | None: ...
    def by_hash(self, token_hash: str) -> ApiToken | None: ...
    def of_user(self, user_id: int) -> list[ApiToken]: ...
    def revoke(self, token_id: int, at: datetime) -> None: ...
    def count_call(self, token_id: int, at: datetime, window_start_after: datetime) -> tuple[int, datetime]:
        """Count a call in the token's window (a window that started before ``window_start_after`` starts
        again at ``at``); the calls in the window so far, this one included, and when the window started."""
        ...


class ApiTokenUnitOfWork(UnitOfWork, Protocol):
    api_tokens: ApiTokenRecords

    def __enter__(self) -> ApiTokenUnitOfWork: ...


class Unauthorised(RegisterError):
    """No token, or one that is unknown, revoked, or whose account is deactivated (HTTP 401)."""


class RateLimited(RegisterError):
    """Too many calls with this token in the window (HTTP 429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"More than {RATE_LIMIT} calls a minute with this token; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Caller:
    """Who a call with a token is: the account (as an actor) and the token's scopes."""

    actor: Actor
    token_id: int
    scopes: frozenset[Scope]
    calls_left: int

    def require(self, scope: Scope) -> Actor:
        """The actor, if the token has the scope and the account's role still allows it (else Forbidden)."""
        needs = SCOPES[scope][1]
        if scope not in self.scopes:
            raise Forbidden(f"This token does not have the {scope.value} scope")
        if needs is not None and not can(self.actor.role, needs):
            raise Forbidden(f"Your account's role does not allow the {scope.value} scope")
        return self.actor


class ApiTokens(Service):
    def _tokens(self, write: bool = False) -> ApiTokenUnitOfWork:
        uow: ApiTokenUnitOfWork = self._uow(write=write)  # type: ignore[assignment]  # bng.db's carries api_tokens
        return uow

    def mine(self, actor: Actor | None) -> list[ApiToken]:
        if actor is None:
            raise NotFound("Sign in to see your API tokens")
        with self._tokens() as uow:
            return uow.api_tokens.of_user(actor.user_id)

    def create(
        self, actor: Actor | None, name: str, scopes: list[str], *, once: submissions.Once | None = None
    ) -> tuple[ApiToken, str]:
        """A new token for the actor's account, and the token itself (to show once; only its hash is kept)."""
        if actor is None:
            raise NotFound("Sign in to make an API token")
        name = " ".join(name.split())
        allowed = {s.value for s in scopes_for(actor.role)}
        problems: list[Problem] = []
        if not name:
            problems.append(Problem("name", "Enter a name for the token, such as the program that will use it"))
        elif len(name) > MAX_NAME:
            problems.append(Problem("name", f"The name must be {MAX_NAME} characters or fewer"))
        if not scopes:
            problems.append(Problem("scopes", "Select what the token may do"))
        elif not set(scopes) <= allowed:
            problems.append(Problem("scopes", "Select only what your account may do"))
        if problems:
            raise Invalid("There is a problem with the token", problems)
        secret = PREFIX + secrets.token_urlsafe(32)
        now = self.now()
        with self._tokens(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            user = uow.users.get(actor.user_id)
            if user is None or not user.active:
                raise NotFound("No such account")
            if sum(1 for t in uow.api_tokens.of_user(actor.user_id) if t.live) >= MAX_TOKENS:
                raise Invalid.one("name", f"You have {MAX_TOKENS} tokens; revoke one you no longer use first")
            token = ApiToken(
                user_id=actor.user_id,
                name=name,
                prefix=secret[:SHOWN],
                token_hash=token_hash(secret),
                scopes=" ".join(s.value for s in Scope if s.value in scopes),
                organisation=user.organisation,
                created_at=now,
            )
            token.id = uow.api_tokens.add(token)
            audit.record(
                uow, now, actor, "api_token.created", "api_token", token.id, None,
                {"name": name, "prefix": token.prefix, "scopes": token.scopes},
            )  # fmt: skip
            submissions.settle(uow, once, token.id)
            uow.commit()
            return token, secret

    def revoke(self, actor: Actor | None, token_id: int, *, once: submissions.Once | None = None) -> ApiToken:
        """Revoke one of the actor's tokens (at once: the next call with it is refused)."""
        if actor is None:
            raise NotFound("No such token")
        now = self.now()
        with self._tokens(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            token = uow.api_tokens.get(token_id)
            if token is None or token.user_id != actor.user_id:
                raise NotFound("No such token")
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
            user = uow.users.get(token.user_id)
            if user is None or not user.active:
                raise Unauthorised("The API token's account is deactivated")
            calls, started = uow.api_tokens.count_call(token.id, now, now - RATE_WINDOW)
            uow.commit()
        if calls > RATE_LIMIT:
            raise RateLimited(max(1, int((started + RATE_WINDOW - now).total_seconds())))
        actor = Actor(token.user_id, user.role, user.email, user.lpa_id)
        return Caller(actor, token.id, frozenset(token.scope_list), RATE_LIMIT - calls)
