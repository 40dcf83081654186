"""Managing one's own account: the password, the email address, signing out everywhere, the second factor.

A forgotten password, changing the password or the email address, having the address verified, signing out everywhere,
the authenticator (second factor) of staff, and what one has.

Every link is random (256 bits), kept only as its SHA-256, used once and short-lived. Asking for a password
reset answers the same, after the same work, whether or not the address has an account: either way one
message is queued (a link, or a note that there is no account) and the request counted. A new password, by
reset or change, ends the account's other sessions and voids its unused reset links; a reset ends all of
them (whoever had the old password is out). A new email address counts only once its link is followed
(the old address is told). An account whose address is not verified can sign in but not submit.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Forbidden, Invalid, NotSignedIn
from bng.register.core.model import Application, User
from bng.register.core.outbox import EMAIL, Outbox
from bng.register.core.ports import EmailLink, UnitOfWork
from bng.register.core.roles import Role
from bng.register.core.service import Service
from bng.register.core.tokens import token_hash

from . import second_factor
from .passwords import password_problem
from .service import WINDOW, Accounts, _flooded, _key, _sent, actor_of

RESET_LINK_LIFETIME = timedelta(hours=1)
VERIFY_LINK_LIFETIME = timedelta(hours=24)
RESET_ADDRESS_LIMIT = 5
"""Reset requests for one address in a window before no more messages are sent to it (the answer is the same)."""
RESET_CLIENT_LIMIT = 20
"""Reset requests from one client address in a window before no more messages are sent for it."""
WRONG_PASSWORD_LIMIT = 10
"""Wrong current passwords (changing password or email) in a window before the account must wait."""
STAFF_ROLES: tuple[Role, ...] = (Role.CASE_WORKER, Role.LPA_OFFICER)
"""Roles that may turn on the second factor."""
LINK_USED = "This link has expired or has been used"
RESET_USED = f"{LINK_USED}. Ask for a new link to reset your password"
BAD_EMAIL = "Enter an email address in the correct format, like name@example.com"


@dataclass
class Holdings:
    """What an account has: its applications (newest first), withdrawn drafts apart, and its gain sites.

    The gain sites registered from those applications, by reference and name.
    """

    applications: list[Application] = field(default_factory=list)
    withdrawn: list[Application] = field(default_factory=list)
    sites: list[tuple[str, str]] = field(default_factory=list)


class AccountSettings(Service):
    """The signed-in person's own account (and the forgotten password, before signing in).

    Sends through the outbox of :class:`Accounts`, and hashes with its passwords.
    """

    def __init__(self, accounts: Accounts) -> None:
        super().__init__(accounts._uow, accounts._clock)
        self.accounts = accounts

    @property
    def outbox(self) -> Outbox:
        """Where the account's emails go: the outbox of :class:`Accounts`."""
        return self.accounts.outbox

    # -- a forgotten password -------------------------------------------------------------------------

    def forgot_password(self, email: str, link: Callable[[str], str], create: str, client: str = "") -> None:
        """Email a reset link (``link(token)``), or a note where the address has no usable account.

        ``create`` is where to make an account. The answer, nothing or Invalid for an address that cannot be one, says
        nothing about whether the address has an account.
        """
        email = email.strip().lower()
        if not EMAIL.match(email):
            raise Invalid.one("email", BAD_EMAIL)
        now = self.now()
        token = secrets.token_urlsafe(32)
        address, origin = _key("reset", email), _key("reset-client", client)
        with self._uow(write=True) as uow:
            flooded = _flooded(uow, now, {address: RESET_ADDRESS_LIMIT, origin: RESET_CLIENT_LIMIT})
            user = uow.users.by_email(email)
            if flooded:
                audit.record(uow, now, None, "account.reset_refused", "email", address[:16], None, {"flooded": True})
                uow.commit()
                return
            if user is not None and user.active:
                assert user.id is not None
                uow.email_links.spend(user.id, ["password_reset"], now)  # only the newest link works
                uow.email_links.add(
                    EmailLink(token_hash(token), "password_reset", email, user.id, None, now, now + RESET_LINK_LIFETIME)
                )
                template, fields = "password_reset", {"link": link(token)}
            else:
                template, fields = "password_reset_no_account", {"create": create}
            _sent(uow, now, email, template)
            uow.commit()
        self.outbox.send(email, template, fields)

    def reset_link_works(self, token: str) -> bool:
        """Whether a reset link can still be used (for its page; opening it uses nothing)."""
        with self._uow() as uow:
            return uow.email_links.find(token_hash(token), "password_reset", self.now()) is not None

    def reset_password(self, token: str, password: str) -> None:
        """Set a new password from a reset link (once, within the hour, for the address it was sent to).

        All the account's sessions end and its other reset links are void. A refused password leaves the link.
        """
        now = self.now()
        with self._uow(write=True) as uow:
            found = uow.email_links.find(token_hash(token), "password_reset", now)
            user = uow.users.get(found.user_id) if found is not None and found.user_id is not None else None
            if found is None or user is None or not user.active or user.email != found.email:
                raise Invalid.one("", RESET_USED)
            why = password_problem(password, user.email, user.name)
            if why:
                raise Invalid.one("password", why)
            if uow.email_links.take(token_hash(token), "password_reset", now) is None:
                raise Invalid.one("", RESET_USED)  # used at the same moment by another request
            self._new_password(uow, user, password, keep=None)
            user.email_verified_at = user.email_verified_at or now  # the link reached the address
            audit.record(uow, now, actor_of(user), "account.password_reset", "user", user.id)
            _sent(uow, now, user.email, "password_changed")
            uow.commit()
        self.outbox.send(user.email, "password_changed", {})

    # -- the signed-in person's own account -----------------------------------------------------------

    def _me(self, uow: UnitOfWork, actor: Actor | None) -> User:
        if actor is None:
            raise NotSignedIn("Sign in to do this")
        user = uow.users.get(actor.user_id)
        if user is None or not user.active:
            raise NotSignedIn("Sign in to do this")
        return user

    def _check_password(self, uow: UnitOfWork, user: User, password: str, field_name: str) -> None:
        """The current password, again, before a change that could lock its owner out; wrong ones counted."""
        now = self.now()
        key = _key("current", str(user.id))
        if uow.throttle.failures([key], now - WINDOW).get(key, 0) >= WRONG_PASSWORD_LIMIT:
            raise Invalid.one(field_name, "There have been too many wrong passwords. Wait 15 minutes and try again")
        if not self.accounts.passwords.verify(user.password_hash, password):
            uow.throttle.fail([key], now, now - WINDOW)
            audit.record(uow, now, actor_of(user), "account.password_wrong", "user", user.id)
            uow.commit()
            raise Invalid.one(field_name, "Your current password is not right")

    def _new_password(self, uow: UnitOfWork, user: User, password: str, keep: str | None) -> None:
        now = self.now()
        assert user.id is not None
        user.password_hash = self.accounts.passwords.hash(password)
        ended = uow.sessions.revoke_all(user.id, now, keep=keep)
        uow.email_links.spend(user.id, ["password_reset", "sign_in", "second_factor"], now)
        audit.record(uow, now, actor_of(user), "session.ended_everywhere", "user", user.id, None, {"ended": ended})

    def change_password(
        self,
        actor: Actor | None,
        current: str,
        new: str,
        session_token: str | None,
        *,
        once: submissions.Once | None = None,
    ) -> None:
        """A new password for the signed-in person, who gives the current one.

        Their other sessions end (the one asking, ``session_token``, stays).
        """
        now = self.now()
        with self._uow(write=True) as uow:
            user = self._me(uow, actor)
            self._check_password(uow, user, current, "current_password")  # before the claim: a wrong one is kept
            submissions.claim(uow, actor_of(user), once, now)
            why = password_problem(new, user.email, user.name)
            if why:
                raise Invalid.one("password", why)
            self._new_password(uow, user, new, keep=token_hash(session_token) if session_token else None)
            audit.record(uow, now, actor_of(user), "account.password_changed", "user", user.id)
            _sent(uow, now, user.email, "password_changed")
            uow.commit()
        self.outbox.send(user.email, "password_changed", {})

    def change_email(
        self,
        actor: Actor | None,
        password: str,
        new_email: str,
        link: Callable[[str], str],
        *,
        once: submissions.Once | None = None,
    ) -> str:
        """Ask to change the address: a link to the new address and a note to the old.

        If an account has the new address, it gets a note saying so instead (the answer is the same). Nothing changes
        until the link is followed.
        """
        now = self.now()
        new_email = new_email.strip().lower()
        token = secrets.token_urlsafe(32)
        with self._uow(write=True) as uow:
            user = self._me(uow, actor)
            if not EMAIL.match(new_email):
                raise Invalid.one("email", BAD_EMAIL)
            if new_email == user.email:
                raise Invalid.one("email", "This is already your email address")
            self._check_password(uow, user, password, "password")
            submissions.claim(uow, actor_of(user), once, now)
            assert user.id is not None
            if uow.users.by_email(new_email) is None:
                uow.email_links.spend(user.id, ["change_email"], now)
                uow.email_links.add(
                    EmailLink(
                        token_hash(token), "change_email", new_email, user.id, {"from": user.email}, now,
                        now + VERIFY_LINK_LIFETIME,
                    )
                )  # fmt: skip
                to_new, fields = "confirm_new_email", {"link": link(token)}
            else:
                to_new, fields = "email_in_use", {}
            audit.record(uow, now, actor_of(user), "account.email_change_asked", "user", user.id)
            _sent(uow, now, new_email, to_new)
            _sent(uow, now, user.email, "email_change_asked")
            uow.commit()
        self.outbox.send(new_email, to_new, fields)
        self.outbox.send(user.email, "email_change_asked", {"email": new_email})
        return new_email

    def confirm_email_change(self, token: str) -> str:
        """Follow the new address's link (once, within 24 hours); the new address.

        The account's address is the new one, verified; the old address is told.
        """
        now = self.now()
        with self._uow(write=True) as uow:
            found = uow.email_links.take(token_hash(token), "change_email", now)
            user = uow.users.get(found.user_id) if found is not None and found.user_id is not None else None
            if found is None or user is None or not user.active:
                raise Invalid.one("", f"{LINK_USED}. Ask to change your email address again")
            if found.details is None or found.details.get("from") != user.email:
                raise Invalid.one("", f"{LINK_USED}. Ask to change your email address again")
            if uow.users.by_email(found.email) is not None:
                raise Invalid.one("", "Another account has this email address now")
            old = user.email
            before = audit.snapshot(user, ("email",))
            user.email = found.email
            user.email_verified_at = now
            assert user.id is not None
            uow.email_links.spend(user.id, ["change_email", "password_reset", "verify_email"], now)
            audit.record(
                uow, now, actor_of(user), "account.email_changed", "user", user.id, before, {"email": user.email}
            )
            _sent(uow, now, old, "email_changed")
            uow.commit()
        self.outbox.send(old, "email_changed", {"email": found.email})
        return found.email

    def send_verification(self, actor: Actor | None, link: Callable[[str], str]) -> str:
        """Email a link that verifies the account's address (for an account a case worker made). The address."""
        now = self.now()
        token = secrets.token_urlsafe(32)
        with self._uow(write=True) as uow:
            user = self._me(uow, actor)
            if user.email_verified_at is not None:
                raise Conflict("Your email address is verified already")
            assert user.id is not None
            uow.email_links.spend(user.id, ["verify_email"], now)
            uow.email_links.add(
                EmailLink(token_hash(token), "verify_email", user.email, user.id, None, now, now + VERIFY_LINK_LIFETIME)
            )
            _sent(uow, now, user.email, "verify_email")
            uow.commit()
        self.outbox.send(user.email, "verify_email", {"link": link(token)})
        return user.email

    def verify_email(self, token: str) -> None:
        """Follow a verification link (once, within 24 hours, while the account still has that address)."""
        now = self.now()
        with self._uow(write=True) as uow:
            found = uow.email_links.take(token_hash(token), "verify_email", now)
            user = uow.users.get(found.user_id) if found is not None and found.user_id is not None else None
            if found is None or user is None or not user.active or user.email != found.email:
                raise Invalid.one("", f"{LINK_USED}. Sign in and ask for a new link")
            if user.email_verified_at is None:
                user.email_verified_at = now
                audit.record(uow, now, actor_of(user), "account.email_verified", "user", user.id)
            uow.commit()

    def sign_out_everywhere(self, actor: Actor | None, *, once: submissions.Once | None = None) -> int:
        """End every session of the account, this one too (a lost phone, a shared computer): how many."""
        now = self.now()
        with self._uow(write=True) as uow:
            user = self._me(uow, actor)
            submissions.claim(uow, actor_of(user), once, now)
            assert user.id is not None
            ended = uow.sessions.revoke_all(user.id, now)
            uow.email_links.spend(user.id, ["sign_in", "second_factor"], now)
            audit.record(uow, now, actor_of(user), "session.ended_everywhere", "user", user.id, None, {"ended": ended})
            uow.commit()
            return ended

    # -- the second factor (staff) ---------------------------------------------------------------------

    def _staff(self, uow: UnitOfWork, actor: Actor | None) -> User:
        user = self._me(uow, actor)
        if Role(user.role) not in STAFF_ROLES:
            raise Forbidden("An authenticator can be added to the accounts of case workers and LPA officers")
        return user

    def begin_second_factor(self, actor: Actor | None) -> tuple[str, str]:
        """A secret for an authenticator app, and its otpauth URI, kept until a code from it is entered.

        Sign-in does not ask for it until :meth:`enable_second_factor` takes a code from it. Asking again before then
        gives the same one.
        """
        with self._uow(write=True) as uow:
            user = self._staff(uow, actor)
            if user.totp_enabled_at is not None:
                raise Conflict("Your account already asks for an authenticator code")
            if user.totp_secret is None:
                user.totp_secret = second_factor.new_secret()
                user.totp_last_step = None
                uow.commit()
            return user.totp_secret, second_factor.uri(user.totp_secret, user.email)

    def enable_second_factor(self, actor: Actor | None, code: str, *, once: submissions.Once | None = None) -> None:
        """Turn the second factor on with a first code from the app (so the app is known to agree)."""
        now = self.now()
        with self._uow(write=True) as uow:
            user = self._staff(uow, actor)
            submissions.claim(uow, actor_of(user), once, now)
            if user.totp_enabled_at is not None:
                raise Conflict("Your account already asks for an authenticator code")
            if user.totp_secret is None:
                raise Conflict("Start adding an authenticator again")
            step = second_factor.matching_step(user.totp_secret, code, now, user.totp_last_step)
            if step is None:
                raise Invalid.one("code", "Enter the 6-digit code your authenticator app shows now")
            user.totp_last_step = step
            user.totp_enabled_at = now
            audit.record(uow, now, actor_of(user), "account.second_factor_on", "user", user.id)
            _sent(uow, now, user.email, "second_factor_on")
            uow.commit()
        self.outbox.send(user.email, "second_factor_on", {})

    def disable_second_factor(
        self, actor: Actor | None, password: str, *, once: submissions.Once | None = None
    ) -> None:
        """Turn the second factor off (the password again, in case the session was left open)."""
        now = self.now()
        with self._uow(write=True) as uow:
            user = self._me(uow, actor)
            self._check_password(uow, user, password, "password")
            submissions.claim(uow, actor_of(user), once, now)
            user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
            audit.record(uow, now, actor_of(user), "account.second_factor_off", "user", user.id)
            _sent(uow, now, user.email, "second_factor_off")
            uow.commit()
        self.outbox.send(user.email, "second_factor_off", {})

    # -- what one has ----------------------------------------------------------------------------------

    def holdings(self, actor: Actor | None) -> Holdings:
        """What the signed-in person has: their applications and the gain sites registered from them."""
        with self._uow() as uow:
            user = self._me(uow, actor)
            assert user.id is not None
            held = Holdings()
            for app in uow.applications.for_owner(user.id):
                (held.withdrawn if app.withdrawn_at is not None else held.applications).append(app)
                site = uow.sites.get(app.gain_site_id) if app.gain_site_id is not None else None
                if site is not None:
                    held.sites.append((site.reference, site.name))
            return held
