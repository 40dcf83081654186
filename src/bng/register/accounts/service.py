"""Accounts, sign-in and sessions.

A signed-in browser holds a random token in its session cookie; the register stores only the
token's SHA-256, so a copy of the database cannot be used to sign in, and signing out (or a case
worker deactivating an account) ends the session at once.

Signing in answers the same words, after the same work, whatever is wrong: an unknown email address,
a deactivated account, a wrong password (one Argon2 verification each time, against a dummy hash
made with the current costs when there is no account; the same throttle counters and one audit entry
written). Failures are counted, in a 15-minute window, by client address, by email address (whether
or not it has an account) and by device (a browser the account signed in from before, by its signed
cookie). Past the limits nothing locks: signing in from that client, or to that address from a browser
it has not signed in from, needs a second step, a one-time link emailed to the account, as well as
the password. A stranger can make the owner use the link; never keep them out, and the owner's own
browser is not slowed at all.

Creating an account answers the same whether or not the address has an account: "check your email".
A new address gets a link that finishes creating the account (the details wait, the password already
hashed, in ``email_link``); an address with an account gets a message saying so.

An account with the second factor on (staff only, ``second_factor``) is not signed in by its password,
nor by an emailed sign-in link: either leaves a pending sign-in (:class:`CodeNeeded`, five minutes) that
its authenticator's code finishes. Managing one's own account (passwords, email, sessions) is in
``account_settings``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Forbidden, Invalid, NotFound, Problem
from bng.register.core.model import LoginSession, User
from bng.register.core.outbox import EMAIL, LogOutbox, Outbox
from bng.register.core.ports import Clock, EmailLink, UnitOfWork, UnitOfWorkFactory
from bng.register.core.roles import ROLE_LABELS, SELF_SERVICE_ROLES, Permission, Role
from bng.register.core.service import Service, require
from bng.register.core.tokens import token_hash

from . import second_factor
from .passwords import Passwords, password_problem

SESSION_LIFETIME = timedelta(hours=12)
WINDOW = timedelta(minutes=15)
"""Failed sign-ins are counted in windows of this length."""
CLIENT_LIMIT = 20
"""Failures from one client address in a window before its sign-ins need the emailed link."""
ACCOUNT_LIMIT = 10
"""Failures for one email address, from browsers it has not signed in from, before those need the link."""
DEVICE_LIMIT = 10
"""Failures from a browser the account signed in from before, after which it counts as any other."""
SIGN_IN_LINK_LIFETIME = timedelta(minutes=15)
CODE_WAIT = timedelta(minutes=5)
"""How long a right password waits for the authenticator's code."""
CODE_LIMIT = 5
"""Wrong codes for one account in a window, after which its pending sign-ins are void until the window ends."""
SIGN_UP_ADDRESS_LIMIT = 5
"""Accounts asked for one email address in a window before no more messages are sent to it (the answer is the same)."""
SIGN_UP_CLIENT_LIMIT = 20
"""Accounts asked from one client address in a window before no more messages are sent for it."""
WRONG_CODE = "Enter the 6-digit code your authenticator app shows now"
NEW_ACCOUNT_LINK_LIFETIME = timedelta(hours=24)
WRONG = "Enter a correct email address and password"
SECOND_STEP = (
    "There have been too many attempts to sign in from here or to this account. If the email address and "
    "password are right, we have sent a link to that email address: open it to finish signing in (it works "
    "for 15 minutes)"
)


class SecondStep(Invalid):
    """Signing in needs the emailed link as well (the same answer whether or not one was sent)."""

    def __init__(self) -> None:
        super().__init__(SECOND_STEP, [Problem("email", SECOND_STEP)])


class CodeNeeded(Exception):
    """The password was right; the sign-in waits for the authenticator's code (``token`` names it)."""

    def __init__(self, token: str) -> None:
        super().__init__("Enter the code from your authenticator app")
        self.token = token


@dataclass(frozen=True, slots=True)
class Attempt:
    """Who is signing in, as far as the web can tell: the client's address, and the device, if any.

    The device is the nonce of a signed cookie a browser got when this email address last signed in there.
    """

    client: str = ""
    device: str | None = None


@dataclass(frozen=True, slots=True)
class NewAccount:
    """The details of an account to make: who, their password and role, and their organisation or LPA."""

    email: str
    name: str
    password: str
    role: str
    organisation: str = ""
    lpa_id: int | None = None


def actor_of(user: User) -> Actor:
    """The account as the register's actor, for the audit log and the permission checks."""
    assert user.id is not None
    return Actor(user.id, user.role, user.email, user.lpa_id)


class Accounts(Service):
    """People's accounts: made, signed in and out (with a throttle and a second factor), and managed by staff."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, passwords: Passwords | None = None, outbox: Outbox | None = None
    ) -> None:
        super().__init__(uow, clock)
        self.passwords = passwords or Passwords()
        self.outbox = outbox or LogOutbox()

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
        """Create an account of any role, on the operator's own authority, never for a web request.

        For the command line (``bng db add-user``, the first case worker) and the demo data.
        """
        return self._create(new, None, tuple(Role), verified=True)

    def create_account(
        self, new: NewAccount, actor: Actor | None = None, *, once: submissions.Once | None = None
    ) -> User:
        """Create an account at once: case workers make staff accounts.

        People make their own with :meth:`sign_up`, which confirms the email address first; with no actor, this makes a
        self-service account directly, for the register's own tests and tools.
        """
        staff = actor is not None
        if staff:
            require(actor, Permission.MANAGE_ACCOUNTS)
        return self._create(new, actor, tuple(Role) if staff else SELF_SERVICE_ROLES, once, verified=not staff)

    def _create(
        self,
        new: NewAccount,
        actor: Actor | None,
        allowed: tuple[Role, ...],
        once: submissions.Once | None = None,
        *,
        verified: bool,
    ) -> User:
        """Create an account; ``verified``: the address counts as the person's (the operator's word).

        An account a case worker makes is not verified until its owner follows the link the account page sends.
        """
        problems = self._check_new(new, allowed)
        if new.role == Role.LPA_OFFICER and new.lpa_id is None:
            problems.append(Problem("lpa_id", "Select the LPA the officer works for"))
        if problems:
            raise Invalid("There is a problem with the account details", problems)
        email = new.email.strip().lower()
        with self._uow(write=True) as uow:
            if actor is not None:
                submissions.claim(uow, actor, once, self.now())
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
                email_verified_at=self.now() if verified else None,
            )
            uow.add(user)
            uow.flush()
            audit.record(uow, self.now(), actor, "account.created", "user", user.id, None, audit.snapshot(user))
            uow.commit()
            return user

    # -- signing up -------------------------------------------------------------------------------------

    def sign_up(self, new: NewAccount, link: Callable[[str], str], sign_in: str, client: str = "") -> None:
        """Ask for an account (landowners, agents and developers make their own).

        The answer is the same whether or not the address has an account: the details are checked, the password hashed,
        and an email sent: a link to finish (``link(token)``), or a note that the account exists (``sign_in``).
        Past :data:`SIGN_UP_ADDRESS_LIMIT` requests for one address or :data:`SIGN_UP_CLIENT_LIMIT` from one ``client``
        in a window, no email is sent (the answer is still the same), so the form cannot flood an inbox or the quota.
        """
        problems = self._check_new(new, SELF_SERVICE_ROLES)
        if problems:
            raise Invalid("There is a problem with the account details", problems)
        email, now = new.email.strip().lower(), self.now()
        hashed = self.passwords.hash(new.password)  # the same work either way
        token = secrets.token_urlsafe(32)
        address, origin = _key("sign-up", email), _key("sign-up-client", client)
        with self._uow(write=True) as uow:
            if _flooded(uow, now, {address: SIGN_UP_ADDRESS_LIMIT, origin: SIGN_UP_CLIENT_LIMIT}):
                audit.record(uow, now, None, "account.sign_up_refused", "email", address[:16], None, {"flooded": True})
                uow.commit()
                return
            if uow.users.by_email(email) is None:
                details = {"name": new.name.strip(), "role": new.role, "organisation": new.organisation.strip()}
                details["password_hash"] = hashed
                uow.email_links.add(
                    EmailLink(
                        token_hash(token), "new_account", email, None, details, now, now + NEW_ACCOUNT_LINK_LIFETIME
                    )
                )
                template, fields = "confirm_account", {"link": link(token)}
            else:
                template, fields = "account_exists", {"sign_in": sign_in}
            _sent(uow, now, email, template)
            uow.commit()
        self.outbox.send(email, template, fields)

    def confirm_account(self, token: str) -> str:
        """Finish creating an account from its emailed link (once): the account, and a session token."""
        now = self.now()
        with self._uow(write=True) as uow:
            found = uow.email_links.take(token_hash(token), "new_account", now)
            if found is None or found.details is None:
                raise Invalid.one("", "This link has expired or has been used. Create your account again")
            if uow.users.by_email(found.email) is not None:
                raise Invalid.one("", "An account with this email address already exists; sign in instead")
            d = found.details
            user = User(
                email=found.email,
                name=d["name"],
                role=d["role"],
                password_hash=d["password_hash"],
                created_at=now,
                organisation=d["organisation"],
                email_verified_at=now,  # the link was followed
            )
            uow.add(user)
            uow.flush()
            audit.record(uow, now, None, "account.created", "user", user.id, None, audit.snapshot(user))
            token = self._session(uow, user, now)
            uow.commit()
            return token

    # -- signing in ---------------------------------------------------------------------------------------

    def sign_in(
        self, email: str, password: str, attempt: Attempt = Attempt(), link: Callable[[str], str] | None = None
    ) -> str:
        """A new session token for the right email and password.

        Raises Invalid (the same words, after the same work, whatever is wrong) or, past the throttle's limits,
        :class:`SecondStep` (having emailed ``link(token)`` to the account if the password was right).
        """
        now = self.now()
        email = email.strip().lower()
        client = _key("client", attempt.client)
        account = _key("account", email)
        device = _key("device", f"{attempt.device}:{email}") if attempt.device else None
        # The password is verified (deliberately slow work) before the write transaction opens, so that
        # sign-ins do not hold the write lock while hashing: on SQLite that lock is the whole database's.
        with self._uow() as uow:
            found = uow.users.by_email(email)
            stored = found.password_hash if found is not None and found.active else None
        verified = self.passwords.verify(stored or self._dummy(), password)  # one verification, whatever the case
        rehashed = (
            self.passwords.hash(password) if verified and stored and self.passwords.needs_rehash(stored) else None
        )
        with self._uow(write=True) as uow:
            counted = uow.throttle.failures([k for k in (client, account, device) if k], now - WINDOW)
            trusted = device is not None and counted.get(device, 0) < DEVICE_LIMIT
            second_step = not trusted and (
                counted.get(client, 0) >= CLIENT_LIMIT or counted.get(account, 0) >= ACCOUNT_LIMIT
            )
            user = uow.users.by_email(email)
            # right only if the account verified against is still the account, unchanged, and usable
            right = (
                verified and stored is not None and user is not None and user.active and user.password_hash == stored
            )
            if not right:
                charged = [client, device] if trusted and device else [client, account]
                uow.throttle.fail(charged, now, now - WINDOW)
                who = str(user.id) if user is not None else f"email:{account[:16]}"
                audit.record(uow, now, None, "account.sign_in_failed", "user", who, None, {"second_step": second_step})
                uow.commit()
                raise SecondStep() if second_step else Invalid.one("email", WRONG)
            assert user is not None
            if second_step:
                if link is not None:
                    token = secrets.token_urlsafe(32)
                    assert user.id is not None
                    uow.email_links.add(
                        EmailLink(token_hash(token), "sign_in", email, user.id, None, now, now + SIGN_IN_LINK_LIFETIME)
                    )
                    _sent(uow, now, email, "sign_in_link")
                    uow.commit()
                    self.outbox.send(email, "sign_in_link", {"link": link(token)})
                raise SecondStep()
            if device is not None:
                uow.throttle.clear([device])
            if rehashed is not None:
                user.password_hash = rehashed
            token = self._session_or_code(uow, user, now)
            uow.commit()
            return token

    def use_sign_in_link(self, token: str) -> str:
        """Finish a sign-in from its emailed link (once, within 15 minutes): a session token."""
        now = self.now()
        with self._uow(write=True) as uow:
            found = uow.email_links.take(token_hash(token), "sign_in", now)
            user = uow.users.get(found.user_id) if found is not None and found.user_id is not None else None
            if user is None or not user.active:
                raise Invalid.one("", "This link has expired or has been used. Sign in again")
            token = self._session_or_code(uow, user, now)
            uow.commit()
            return token

    def _session_or_code(self, uow: UnitOfWork, user: User, now: datetime) -> str:
        """A session token; or, with the second factor on, a pending sign-in (committed) and CodeNeeded."""
        if user.totp_enabled_at is None:
            return self._session(uow, user, now)
        pending = secrets.token_urlsafe(32)
        assert user.id is not None
        uow.email_links.add(
            EmailLink(token_hash(pending), "second_factor", user.email, user.id, None, now, now + CODE_WAIT)
        )
        audit.record(uow, now, actor_of(user), "account.code_asked", "user", user.id)
        uow.commit()
        raise CodeNeeded(pending)

    def sign_in_with_code(self, pending: str, code: str) -> str:
        """Finish a pending sign-in with the authenticator's code: a session token.

        A code is used once (never again, nor an earlier one); past CODE_LIMIT wrong codes in a window, sign in again
        later.
        """
        now = self.now()
        expired = "This sign-in has expired. Sign in again"
        with self._uow(write=True) as uow:
            found = uow.email_links.find(token_hash(pending), "second_factor", now)
            user = uow.users.get(found.user_id) if found is not None and found.user_id is not None else None
            if user is None or not user.active or user.totp_secret is None or user.totp_enabled_at is None:
                raise Invalid.one("code", expired)
            assert user.id is not None
            key = _key("code", str(user.id))
            if uow.throttle.failures([key], now - WINDOW).get(key, 0) >= CODE_LIMIT:
                uow.email_links.take(token_hash(pending), "second_factor", now)
                uow.commit()
                raise Invalid.one("code", "There have been too many wrong codes. Wait 15 minutes, then sign in again")
            step = second_factor.matching_step(user.totp_secret, code, now, user.totp_last_step)
            if step is None or not uow.users.advance_code_step(user.id, step):
                uow.throttle.fail([key], now, now - WINDOW)
                audit.record(uow, now, actor_of(user), "account.code_wrong", "user", user.id)
                uow.commit()
                raise Invalid.one("code", WRONG_CODE)
            if uow.email_links.take(token_hash(pending), "second_factor", now) is None:
                raise Invalid.one("code", expired)  # the same pending sign-in finished at the same time
            uow.throttle.clear([key])
            token = self._session(uow, user, now)
            uow.commit()
            return token

    def _session(self, uow: UnitOfWork, user: User, now: datetime) -> str:
        token = secrets.token_urlsafe(32)
        assert user.id is not None
        session = LoginSession(token_hash(token), user.id, now, now + SESSION_LIFETIME)
        uow.add(session)
        uow.flush()
        audit.record(uow, now, actor_of(user), "session.started", "session", session.id)
        return token

    def _dummy(self) -> str:
        """A hash made with the current costs, to verify against when there is no account."""
        if not hasattr(self, "_dummy_hash"):
            self._dummy_hash = self.passwords.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def exists(self, email: str) -> bool:
        """Whether an account has this email address (the command line asks before loading the demo data)."""
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
        """End the session of this token (nothing for no token or one already ended)."""
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
        """Every account, for the register team's account management."""
        require(actor, Permission.MANAGE_ACCOUNTS)
        with self._uow() as uow:
            return list(uow.users.all())

    def set_active(self, actor: Actor | None, user_id: int, active: bool) -> User:
        """Activate or deactivate an account (never one's own); a deactivated account cannot sign in."""
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


def _key(kind: str, value: str) -> str:
    """A throttle key: the SHA-256 of what it counts (no address or email is stored as such)."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _flooded(uow: UnitOfWork, now: datetime, limits: dict[str, int]) -> bool:
    """Count one more request that sends an email for each key; whether any key had already reached its limit."""
    counted = uow.throttle.failures(list(limits), now - WINDOW)
    uow.throttle.fail(list(limits), now, now - WINDOW)
    return any(counted.get(key, 0) >= limit for key, limit in limits.items())


def _sent(uow: UnitOfWork, now: datetime, to: str, template: str) -> None:
    """The audit log's note of an email (whom, which; never its link)."""
    audit.record(uow, now, None, "email.sent", "email", template, None, {"to": to, "template": template})


def role_label(role: str) -> str:
    """A role in the words the pages use (the role itself if it is not one the register knows)."""
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role
