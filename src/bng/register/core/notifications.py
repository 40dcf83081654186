"""E-mails queued in the register's own database and sent by a worker through GOV.UK Notify.

A message is a row of ``notification_outbox`` written **in the transaction of the change that causes it**:
a request that fails queues nothing, and one that commits has its messages kept even if Notify is down.
Nothing is sent during a request; the worker (:mod:`bng.register.notify.worker`) sends them with retries.

Two ways in, one queue:

- the register's services call :func:`queue` (or an event's helper below) with their open unit of work;
- callers of the :class:`~bng.register.core.outbox.Outbox` port (``outbox.send(to, template, fields)``, the
  accounts' e-mails) get a :class:`QueuedOutbox`: its message joins the write unit of work open in the
  same thread if it has not committed yet (so it commits or rolls back with the change), and otherwise
  is written in a transaction of its own (the change it follows is already committed).

Links in personalisation are written as paths (``/apply/…``); the worker makes each field whose name ends
in ``link`` absolute with ``BNG_BASE_URL`` when it sends, so the queue never holds a host name.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, cast

from .audit import Actor
from .errors import Forbidden, NotSignedIn
from .model import Allocation, Application, GainSite, OutboxMessage, Payment, User
from .outbox import TEMPLATES, Message
from .ports import Clock, Page, UnitOfWork, UnitOfWorkFactory
from .roles import Permission, can
from .service import Service

STATUSES = ("queued", "sending", "sent", "failed")


class NotificationRecords(Protocol):
    """The outbox as the database's unit of work holds it (``notifications``), beyond the register's port."""

    def claim(self, worker: str, now: datetime, until: datetime, limit: int) -> Sequence[OutboxMessage]:
        """Take up to ``limit`` due messages for ``worker`` (atomically: two workers never take the same)."""
        ...

    def finish(self, message_id: int, worker: str, values: Mapping[str, Any]) -> bool:
        """Set ``values`` on a message ``worker`` still holds; False if it no longer does."""
        ...

    def listing(self, page: int, per_page: int, to_email: str | None = None, status: str = "") -> Any:
        """A page of messages, newest first: to one address (any case) if given, in one status if given."""
        ...

    def get(self, message_id: int) -> OutboxMessage | None:
        """The message, or None."""
        ...

    def counts(self) -> dict[str, int]:
        """How many messages are in each status (a status with none is not a key)."""
        ...


class NotificationUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that holds the outbox's records (the database's does)."""

    notifications: NotificationRecords

    def __enter__(self) -> NotificationUnitOfWork: ...


def notifying(uow: UnitOfWork) -> NotificationUnitOfWork:
    """The unit of work as one holding the outbox.

    The database's does; the register's port names only what every service needs.
    """
    return cast(NotificationUnitOfWork, uow)


# -- the write unit of work a request has open, for the Outbox port ------------------------------------

_open: ContextVar[UnitOfWork | None] = ContextVar("bng_open_write_unit_of_work", default=None)


@contextmanager
def joined(uow: UnitOfWork) -> Iterator[None]:
    """While this runs, :class:`QueuedOutbox` queues into ``uow`` (the database's unit of work enters this)."""
    token = _open.set(uow)
    try:
        yield
    finally:
        _open.reset(token)


def open_unit() -> UnitOfWork | None:
    """The write unit of work this request has open and not yet committed, if any: a message joins it."""
    uow = _open.get()
    return None if uow is None or getattr(uow, "committed", False) else uow


# -- queueing -------------------------------------------------------------------------------------------


def message(
    now: datetime,
    to: User | str,
    template: str,
    fields: Mapping[str, str],
    *,
    key: str | None = None,
    send_on: date | None = None,
) -> OutboxMessage:
    """A message for the outbox (checked: the template exists and every field it names is given)."""
    if template not in TEMPLATES:
        raise ValueError(f"There is no e-mail template {template!r}")
    fields = {k: str(v) for k, v in fields.items()}
    shown = Message(to.email if isinstance(to, User) else to, template, fields)
    text = shown.text  # a KeyError here is a missing field: a programming error, raised in the request
    return OutboxMessage(
        key=key or f"{template}:{uuid.uuid4().hex}",
        kind=template[:40],
        created_at=now,
        send_on=send_on or now.date(),
        to_email=shown.to,
        subject=shown.subject[:300],
        body=text,
        user_id=to.id if isinstance(to, User) else None,
        template=template,
        fields=fields,
    )


def queue(
    uow: UnitOfWork,
    now: datetime,
    to: User | str | None,
    template: str,
    fields: Mapping[str, str],
    *,
    key: str | None = None,
) -> OutboxMessage | None:
    """Queue a message in ``uow`` (it is sent only if ``uow`` commits). None if there is nobody to send to."""
    if to is None or (isinstance(to, User) and not to.active):
        return None
    m = message(now, to, template, fields, key=key)
    uow.add(m)
    return m


class QueuedOutbox:
    """The :class:`~bng.register.core.outbox.Outbox` port on the queue (see the module's docstring)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def send(self, to: str, template: str, fields: Mapping[str, str]) -> None:
        """Queue the message: in the open unit of work (kept only if it commits), else in one of its own."""
        now = self._clock().replace(microsecond=0)
        m = message(now, to, template, fields)
        with_open = open_unit()
        if with_open is not None:
            with_open.add(m)
            return
        with self._uow(write=True) as uow:
            uow.add(m)
            uow.commit()

    @property
    def sent(self) -> list[Message]:
        """The last 100 messages in the outbox, oldest first (as :class:`~bng.register.core.outbox.LogOutbox` keeps)."""
        with self._uow() as uow:
            found = notifying(uow).notifications.listing(1, 100).items
        return [Message(m.to_email, m.template, dict(m.fields or {})) for m in reversed(found)]


# -- the register's events --------------------------------------------------------------------------------


def _owner(uow: UnitOfWork, user_id: int | None) -> User | None:
    return uow.users.get(user_id) if user_id is not None else None


def application_event(uow: UnitOfWork, now: datetime, app: Application, template: str, **fields: str) -> None:
    """Tell the applicant: submitted, information requested, accepted or rejected."""
    owner = _owner(uow, app.owner_id)
    name = owner.name if owner is not None else ""
    base = {"name": name, "reference": app.reference, "link": f"/apply/{app.reference}"}
    queue(uow, now, owner, template, base | fields)


def allocation_recorded(uow: UnitOfWork, now: datetime, allocation: Allocation, site: GainSite) -> None:
    """Tell the developer who made the allocation and the gain site's landowner (its applicant)."""
    fields = {
        "allocation": allocation.reference,
        "site": site.reference,
        "planning_reference": allocation.planning_reference,
        "development": allocation.development_name,
    }
    developer = _owner(uow, allocation.created_by)
    queue(
        uow, now, developer, "allocation_recorded_developer", fields | {"link": f"/allocations/{allocation.reference}"}
    )
    landowner = None
    if site.application_id is not None:
        app = uow.applications.get(site.application_id)
        landowner = _owner(uow, app.owner_id if app is not None else None)
    if landowner is not None and (developer is None or landowner.id != developer.id):
        queue(uow, now, landowner, "allocation_recorded_landowner", fields | {"link": f"/register/{site.reference}"})


def payment_received(uow: UnitOfWork, now: datetime, fee: Payment, what: str) -> None:
    """Tell the payer a fee was received (``what``: the fee's name)."""
    from .fees import pounds

    queue(
        uow,
        now,
        _owner(uow, fee.payer_id),
        "payment_received",
        {"what": what, "amount": pounds(fee.amount_pence), "payment_reference": fee.reference},
    )


def proof_sent(uow: UnitOfWork, now: datetime, order: Any, lpa: Any) -> None:
    """Tell the developer, and the LPA's officers, that a proof of purchase of credits was sent to the LPA."""
    fields = {
        "order": order.reference,
        "planning_reference": order.planning_reference,
        "development": order.development_name,
        "lpa": lpa.name if lpa is not None else "the local planning authority",
    }
    link = f"/credits/orders/{order.reference}/proof-of-purchase.pdf"
    queue(uow, now, _owner(uow, order.owner_id), "proof_of_purchase_developer", fields | {"link": link})
    if lpa is None:
        return
    for officer in uow.users.all():
        if officer.role == "lpa_officer" and officer.lpa_id == lpa.id:
            queue(uow, now, officer, "proof_of_purchase_lpa", fields | {"link": "/credits/lpa"})


# -- the staff page --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """What the outbox page shows: a page of messages, whose they are, whether their words show, and counts."""

    page: Page
    everyone: bool  # the whole outbox (staff), or the messages to the reader's own address
    bodies: bool  # the messages' words are shown (only with the stand-in: a real message's links are its reader's)
    counts: dict[str, int]


class OutboxPage(Service):
    """The outbox for people: the register team sees every message.

    Without a Notify key (the stand-in: a demo or a developer's machine) every account sees the messages sent to its
    own address, words and links included, so every journey can be followed offline. With Notify configured, nobody
    but the recipient reads a message's words (a link in one signs in, resets a password or confirms an account), so
    the page shows staff only who, which, when and what happened.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, stand_in: bool) -> None:
        super().__init__(uow, clock)
        self.stand_in = stand_in

    def listing(self, actor: Actor | None, page: int = 1, status: str = "", per_page: int = 25) -> Listing:
        """A page of the outbox, newest first, for staff (with counts by status) or for the reader's own address."""
        if actor is None:
            raise NotSignedIn("Sign in to do this")
        everyone = can(actor.role, Permission.VIEW_AUDIT_LOG)
        if not everyone and not self.stand_in:
            raise Forbidden("Your account does not allow this")
        status = status if status in STATUSES else ""
        with self._uow() as uow:
            records = notifying(uow).notifications
            found = records.listing(page, per_page, None if everyone else actor.label, status)
            counts = records.counts() if everyone else {}
        return Listing(found, everyone, self.stand_in, counts)
