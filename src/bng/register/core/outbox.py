"""What the register sends by email: one template per event, its subject and text.

``{fields}`` in them are GOV.UK Notify's personalisation. The service sends through :class:`Outbox`; wired, it is
:class:`bng.register.core.notifications.QueuedOutbox`, which queues the message in the database for the
worker that sends it through Notify (docs/notifications.md). :class:`LogOutbox`, kept for tools and tests
that have no database, writes each message to the log (``bng.outbox``, INFO) and keeps the last ones.
The register's audit log records that a message was sent, to whom and which, never its links.

Nothing is sent during the request: the answers of sign-in and sign-up take the same time whether a
message is sent or not.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

_MONITORING = ("{subject}", "{body}")
"""Monitoring's messages are worded by the monitoring service (an obligation's dates and references): their
Notify templates carry the subject and body whole."""

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
"""What an email address the register will write to looks like (an account's, an applicant's)."""

TEMPLATES: dict[str, tuple[str, str]] = {
    # -- the register's events (GOV.UK Notify sends them: bng.register.core.notifications) --
    "application_submitted": (
        "Application {reference} submitted",
        "Dear {name},\nWe have your application {reference} to register a biodiversity gain site. The register "
        "team will check it and tell you what they decide. Follow it at {link}",
    ),
    "information_requested": (
        "Application {reference}: we need more information",
        "Dear {name},\nThe register team needs more information about application {reference}:\n\n{request}\n\n"
        "Answer and resubmit the application at {link}",
    ),
    "application_accepted": (
        "Application {reference} accepted: gain site {site} is on the register",
        "Dear {name},\nYour application {reference} has been accepted. The gain site is on the biodiversity gain "
        "sites register as {site}. See it at {link}",
    ),
    "application_rejected": (
        "Application {reference} rejected",
        "Dear {name},\nThe register team has rejected application {reference}, for these reasons:\n\n{reasons}\n\n"
        "See the application at {link}",
    ),
    "allocation_recorded_developer": (
        "Allocation {allocation} recorded on gain site {site}",
        "The allocation {allocation} of gain site {site} to {development} (planning reference "
        "{planning_reference}) is recorded on the register. See it at {link}",
    ),
    "allocation_recorded_landowner": (
        "An allocation has been recorded on your gain site {site}",
        "The allocation {allocation} of your gain site {site} to {development} (planning reference "
        "{planning_reference}) is recorded on the register. See the site at {link}",
    ),
    "invoice_issued": (
        "Invoice {invoice} for statutory biodiversity credits",
        "Invoice {invoice} for your order {order} of statutory biodiversity credits is issued: {amount}. Pay by "
        "{pay_by}, quoting {order}. See it at {link}",
    ),
    "payment_received": (
        "Payment received: {payment_reference}",
        "We have received {amount} for the {what} (payment reference {payment_reference}). Thank you.",
    ),
    "proof_of_purchase_developer": (
        "Proof of purchase for order {order} sent to the LPA",
        "The proof of purchase of statutory biodiversity credits for order {order} (planning reference "
        "{planning_reference}) has been sent to {lpa}. Download it at {link}",
    ),
    "proof_of_purchase_lpa": (
        "Proof of purchase of statutory biodiversity credits: {planning_reference}",
        "A proof of purchase of statutory biodiversity credits (order {order}) for {development}, planning "
        "reference {planning_reference}, has been sent to {lpa}. See it at {link}",
    ),
    "report_reminder": _MONITORING,
    "action_reminder": _MONITORING,
    "enforcement_flag": _MONITORING,
    "off_track": _MONITORING,
    "remedial_action": _MONITORING,
    "action_done": _MONITORING,
    # -- accounts --
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
    "organisation_invitation": (
        "Join {organisation} on the biodiversity gain sites register",
        "{inviter} has invited you to join {organisation} on the biodiversity gain sites register. Sign in with "
        "the account of this email address (or create one with it), then open this link to accept: {link}\n"
        "It works once, for {days} days. If you did not expect it, you need do nothing.",
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
    """An e-mail to send: to whom, which template, and the fields that fill it."""

    to: str
    template: str
    fields: Mapping[str, str]

    @property
    def subject(self) -> str:
        """The template's subject, filled."""
        return TEMPLATES[self.template][0].format(**self.fields)

    @property
    def text(self) -> str:
        """The template's text, filled."""
        return TEMPLATES[self.template][1].format(**self.fields)


class Outbox(Protocol):
    """Where the services send e-mails: nothing is sent during the request, the message is only handed over."""

    def send(self, to: str, template: str, fields: Mapping[str, str]) -> None:
        """Hand over a message from :data:`TEMPLATES`, filled with ``fields``."""
        ...


class LogOutbox:
    """The stand-in: the message goes to the log, and the last 100 are kept (``sent``)."""

    def __init__(self) -> None:
        self.sent: deque[Message] = deque(maxlen=100)
        self.log = logging.getLogger("bng.outbox")

    def send(self, to: str, template: str, fields: Mapping[str, str]) -> None:
        """Log the message and keep it."""
        message = Message(to, template, dict(fields))
        self.sent.append(message)
        self.log.info("email to %s: %s\n%s", to, message.subject, message.text)
