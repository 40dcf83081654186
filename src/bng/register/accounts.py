"""Accounts, sign-in and sessions.

A signed-in browser holds a random token in its session cookie; the register stores only the
token's SHA-256, so a copy of the database cannot be used to sign in, and signing out (or a case
worker deactivating an account) ends the session at once. Ten wrong passwords in a row lock the
account for 15 minutes, which stops guessing without letting anyone lock an account for long.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from . import audit
from .audit import Actor
from .errors import Forbidden, Invalid, NotFound, Problem
from .model import LoginSession, User
from .passwords import Passwords, password_problem
from .ports import Clock, UnitOfWorkFactory
from .roles import ROLE_LABELS, SELF_SERVICE_ROLES, Permission, Role
from .sections import EMAIL
from .service import Service, require

SESSION_LIFETIME = timedelta(hours=12)
MAX_FAILED_SIGN_INS = 10
LOCKOUT = timedelta(minutes=15)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewAccount:
    email: str
    name: str
    password: str
    role: str
    organisation: str = ""
    lpa_id: int | None = None


def actor_of(user: User) -> Actor:
    assert user.id is not None
    return Actor(user.id, user.role, user.email, user.lpa_id)


class Accounts(Service):
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, passwords: Passwords | None = None) -> None:
        super().__init__(uow, clock)
        self.passwords = passwords or Passwords()

    def _check_new(self, new: NewAccount, allowed_roles: tuple[Role, ...]) -> list[Problem]:
        p: list[Problem] = []
        if not new.name.strip():
            p.append(Problem("name", "Enter your full name"))
        if not EMAIL.match(new.email.strip()):
            p.append(Problem("email", "Enter an email address in the correct format, like name@example.com"))
        if new.role not in allowed_roles:
            p.append(Problem("role", "Select what you will use the register for"))
        why = password_problem(new.password, new.email, new.name)
        if why:
            p.append(Problem("password", why))
        return p

    def create_trusted(self, new: NewAccount) -> User:
        """Create an account of any role, on the operator's own authority: for the command line
        (``bng db add-user``, the first case worker) and the demo data, never for a web request."""
        return self._create(new, None, tuple(Role))

    def create_account(self, new: NewAccount, actor: Actor | None = None) -> User:
        """Create an account: landowners, agents and developers make their own; case workers make the rest."""
        staff = actor is not None
        if staff:
            require(actor, Permission.MANAGE_ACCOUNTS)
        return self._create(new, actor, tuple(Role) if staff else SELF_SERVICE_ROLES)

    def _create(self, new: NewAccount, actor: Actor | None, allowed: tuple[Role, ...]) -> User:
        problems = self._check_new(new, allowed)
        if new.role == Role.LPA_OFFICER and new.lpa_id is None:
            problems.append(Problem("lpa_id", "Select the LPA the officer works for"))
        if problems:
            raise Invalid("There is a problem with the account details", problems)
        email = new.email.strip().lower()
        with self._uow(write=True) as uow:
            if uow.users.by_email(email) is not None:
                raise Invalid.one("email", "An account with this email address already exists; sign in instead")
            if new.lpa_id is not None and uow.lpas.get(new.lpa_id) is None:
                raise Invalid.one("lpa_id", "Select an LPA from the list")
            user = User(
                email=email,
                name=new.name.strip(),
                role=new.role,
                password_hash=self.passwords.hash(new.password),
                created_at=self.now(),
                organisation=new.organisation.strip(),
                lpa_id=new.lpa_id if new.role == Role.LPA_OFFICER else None,
            )
            uow.add(user)
            uow.flush()
            audit.record(uow, self.now(), actor, "account.created", "user", user.id, None, audit.snapshot(user))
            uow.commit()
            return user

    def sign_in(self, email: str, password: str) -> str:
        """A new session token for the right email and password; raises Invalid (same words either way)."""
        wrong = Invalid.one("email", "Enter a correct email address and password")
        now = self.now()
        with self._uow(write=True) as uow:
            user = uow.users.by_email(email.strip().lower())
            if user is None or not user.active:
                self.passwords.verify(self._dummy(), password)  # same time whether the account exists or not
                raise wrong
            if user.locked_until is not None and user.locked_until > now:
                raise Invalid.one(
                    "email",
                    "There have been too many attempts to sign in to this account; wait 15 minutes and try again",
                )
            if not self.passwords.verify(user.password_hash, password):
                before = audit.snapshot(user, ("failed_logins", "locked_until"))
                user.failed_logins += 1
                action = "account.sign_in_failed"
                if user.failed_logins >= MAX_FAILED_SIGN_INS:
                    user.locked_until = now + LOCKOUT
                    user.failed_logins = 0
                    action = "account.locked"
                after = audit.snapshot(user, ("failed_logins", "locked_until"))
                audit.record(uow, now, None, action, "user", user.id, before, after)
                uow.commit()
                raise wrong
            user.failed_logins = 0
            user.locked_until = None
            if self.passwords.needs_rehash(user.password_hash):
                user.password_hash = self.passwords.hash(password)
            token = secrets.token_urlsafe(32)
            assert user.id is not None
            session = LoginSession(token_hash(token), user.id, now, now + SESSION_LIFETIME)
            uow.add(session)
            uow.flush()
            audit.record(uow, now, actor_of(user), "session.started", "session", session.id)
            uow.commit()
            return token

    def _dummy(self) -> str:
        """A hash made with the current costs, to verify against when there is no account."""
        if not hasattr(self, "_dummy_hash"):
            self._dummy_hash = self.passwords.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def exists(self, email: str) -> bool:
        with self._uow() as uow:
            return uow.users.by_email(email.strip().lower()) is not None

    def user_for(self, token: str | None) -> User | None:
        """The user a session token belongs to, if the session is live and the account active."""
        if not token:
            return None
        with self._uow() as uow:
            session = uow.sessions.by_token_hash(token_hash(token))
            if session is None or session.revoked_at is not None or session.expires_at <= self.now():
                return None
            user = uow.users.get(session.user_id)
            return user if user is not None and user.active else None

    def sign_out(self, token: str | None) -> None:
        if not token:
            return
        with self._uow(write=True) as uow:
            session = uow.sessions.by_token_hash(token_hash(token))
            if session is None or session.revoked_at is not None:
                return
            session.revoked_at = self.now()
            user = uow.users.get(session.user_id)
            audit.record(uow, self.now(), actor_of(user) if user else None, "session.ended", "session", session.id)
            uow.commit()

    def users(self, actor: Actor | None) -> list[User]:
        require(actor, Permission.MANAGE_ACCOUNTS)
        with self._uow() as uow:
            return list(uow.users.all())

    def set_active(self, actor: Actor | None, user_id: int, active: bool) -> User:
        actor = require(actor, Permission.MANAGE_ACCOUNTS)
        if actor.user_id == user_id:
            raise Forbidden("You cannot deactivate your own account")
        with self._uow(write=True) as uow:
            user = uow.users.get(user_id)
            if user is None:
                raise NotFound("No such account")
            before = audit.snapshot(user, ("active",))
            user.active = active
            audit.record(uow, self.now(), actor, "account.updated", "user", user.id, before, {"active": active})
            uow.commit()
            return user


def role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role
