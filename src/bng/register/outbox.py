"""What the register sends by email. The service has no email sender yet (a later issue adds GOV.UK
Notify behind this port): the stand-in, :class:`LogOutbox`, writes each message to the log
(``bng.outbox``, INFO) as Notify would send it, and keeps the last ones for the tests. The register's
audit log records that a message was sent, to whom and which, never its links.

A sign-in link in the log signs in whoever reads it: until Notify is wired, only the operator sees
the log. Notify's client must send from a queue, not during the request: the answers of sign-in and
sign-up must take the same time whether a message is sent or not.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

TEMPLATES: dict[str, tuple[str, str]] = {
    "confirm_account": (
        "Confirm your email address",
        "Open this link to finish creating your account on the biodiversity gain sites register: {link}\n"
        "It works for 24 hours. If you did not ask for an account, you need do nothing.",
    ),
    "account_exists": (
        "You already have an account",
        "Someone, perhaps you, asked to create an account on the biodiversity gain sites register with this "
        "email address, which already has one. Sign in at {sign_in}\n"
        "If it was not you, you need do nothing: no account was changed.",
    ),
    "sign_in_link": (
        "Finish signing in",
        "There have been many attempts to sign in to your account, so signing in needs this link as well as "
        "your password: {link}\nIt works for 15 minutes. If you did not just sign in, change your password.",
    ),
    "password_reset": (
        "Reset your password",
        "Someone, perhaps you, asked to reset the password of your account on the biodiversity gain sites "
        "register. Open this link to choose a new one: {link}\n"
        "It works once, for 1 hour. If you did not ask, you need do nothing: your password has not changed.",
    ),
    "password_reset_no_account": (
        "Reset your password",
        "Someone, perhaps you, asked to reset the password of an account on the biodiversity gain sites "
        "register with this email address, but no account you can use has it. You can create an account at "
        "{create}\nIf you did not ask, you need do nothing.",
    ),
    "password_changed": (
        "Your password has been changed",
        "The password of your account on the biodiversity gain sites register has been changed, and your "
        "account has been signed out everywhere else. If you did not change it, reset your password now and "
        "tell the register team.",
    ),
    "verify_email": (
        "Confirm your email address",
        "Open this link to confirm that this is your email address on the biodiversity gain sites register: "
        "{link}\nIt works for 24 hours. Until it is confirmed, your account cannot submit applications.",
    ),
    "confirm_new_email": (
        "Confirm your new email address",
        "Open this link to make this the email address of your account on the biodiversity gain sites "
        "register: {link}\nIt works for 24 hours. If you did not ask for this, you need do nothing.",
    ),
    "email_in_use": (
        "This email address already has an account",
        "Someone, perhaps you, asked to move another account on the biodiversity gain sites register to this "
        "email address, which already has an account of its own, so nothing was changed.",
    ),
    "email_change_asked": (
        "A change of your email address was asked for",
        "Someone signed in to your account on the biodiversity gain sites register asked to change its email "
        "address to {email}. Nothing changes until a link sent there is opened. If it was not you, change "
        "your password and sign out everywhere.",
    ),
    "email_changed": (
        "Your email address has been changed",
        "Your account on the biodiversity gain sites register now uses {email}; this address will get no "
        "more messages about it. If you did not do this, tell the register team.",
    ),
    "second_factor_on": (
        "Your account now asks for an authenticator code",
        "Signing in to your account on the biodiversity gain sites register now needs a code from your "
        "authenticator app as well as your password. If you did not do this, tell the register team.",
    ),
    "second_factor_off": (
        "Your account no longer asks for an authenticator code",
        "Signing in to your account on the biodiversity gain sites register no longer needs a code from an "
        "authenticator app. If you did not do this, reset your password and tell the register team.",
    ),
    "provider_message": (
        "A message about gain site {site_reference}",
        "{sender_name} ({sender_organisation}) sent you this message through the biodiversity gain sites register "
        "about your gain site {site_reference}, {site_name}:\n\n{message}\n\n"
        "To reply, write to {sender_email}. The register did not give them your name or email address.",
    ),
}
"""Each message: its subject and its text, with ``{fields}`` as Notify's personalisation."""


@dataclass(frozen=True, slots=True)
class Message:
    to: str
    template: str
    fields: Mapping[str, str]

    @property
    def subject(self) -> str:
        return TEMPLATES[self.template][0]

    @property
    def text(self) -> str:
        return TEMPLATES[self.template][1].format(**self.fields)


class Outbox(Protocol):
    def send(self, to: str, template: str, fields: Mapping[str, str]) -> None: ...


class LogOutbox:
    """The stand-in: the message goes to the log, and the last 100 are kept (``sent``)."""

    def __init__(self) -> None:
        self.sent: deque[Message] = deque(maxlen=100)
        self.log = logging.getLogger("bng.outbox")

    def send(self, to: str, template: str, fields: Mapping[str, str]) -> None:
        message = Message(to, template, dict(fields))
        self.sent.append(message)
        self.log.info("email to %s: %s\n%s", to, message.subject, message.text)
