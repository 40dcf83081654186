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
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
"""What an email address the register will write to looks like (an account's, an applicant's)."""

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
