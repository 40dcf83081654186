"""What the register team records about a fee: that it was received, or that it was refunded.

One set of rules for the registration fee on a case, the allocation fee on an allocation and a credit
order's invoice, so that every page asks and answers alike. Each check raises ``Invalid`` naming the
form's field. :func:`mark_received` is the one way a fee becomes received, by hand
(``bng.register.payments.fees``) or by card (``bng.register.payments.card``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from . import audit, notifications
from .audit import Actor
from .errors import Invalid, Problem
from .model import Payment, PaymentStatus
from .ports import UnitOfWork

METHODS = ("bank transfer", "card")
"""How a fee is paid, and how a refund is paid back."""
MAX_REFUND_REFERENCE = 100


def received(received_on: date | None, method: str, today: date) -> str:
    """Check the date a fee was received (today or before) and how it was paid; the method, tidied.

    Every problem is reported at once.
    """
    problems = received_date(received_on, today)
    method = (method or "").strip()
    if method not in METHODS:
        problems.append(Problem("method", "Select how the fee was paid"))
    if problems:
        raise Invalid(problems[0].message if len(problems) == 1 else "There is a problem", problems)
    return method


def received_date(received_on: date | None, today: date) -> list[Problem]:
    """The date a payment was received: given, and today or before."""
    if received_on is None:
        return [Problem("received_on", "Enter the date the payment was received")]
    if received_on > today:
        return [Problem("received_on", "The date the payment was received must be today or in the past")]
    return []


RECEIVED_FIELDS = ("status", "received_on", "method")


def set_received(fee: Payment, received_on: date, method: str, recorded_by: int | None) -> None:
    """The fee's row says received: when, how and (by hand) who recorded it; a card payment has no recorder."""
    fee.status = PaymentStatus.RECEIVED
    fee.received_on = received_on
    fee.method = method
    if recorded_by is not None:
        fee.recorded_by = recorded_by


def mark_received(
    uow: UnitOfWork,
    now: datetime,
    actor: Actor,
    fee: Payment,
    received_on: date,
    method: str,
    what: str,
    *,
    by_hand: bool = True,
    noted: Mapping[str, Any] | None = None,
) -> None:
    """A fee received, in an open unit of work: its row, the audit entry and the e-mail to the payer.

    ``noted`` is added to what the audit entry shows after; ``what`` is the fee's name, as the e-mail says it.
    """
    before = audit.snapshot(fee, RECEIVED_FIELDS)
    set_received(fee, received_on, method, actor.user_id if by_hand else None)
    after = audit.snapshot(fee, RECEIVED_FIELDS) | dict(noted or {})
    audit.record(uow, now, actor, "payment.received", "payment", fee.reference, before, after)
    notifications.payment_received(uow, now, fee, what)


def refund(refunded_on: date | None, method: str, reference: str, today: date) -> tuple[str, str]:
    """Check a refund: the date it was paid back (today or before), how, and its reference.

    Every problem is reported at once, each naming its field; returns the method and the reference, tidied.
    """
    problems = []
    if refunded_on is None:
        problems.append(Problem("refunded_on", "Enter the date the fee was refunded"))
    elif refunded_on > today:
        problems.append(Problem("refunded_on", "The date the fee was refunded must be today or in the past"))
    method = (method or "").strip()
    if method not in METHODS:
        problems.append(Problem("refund_method", "Select how the fee was paid back"))
    reference = " ".join((reference or "").split())
    if not reference:
        problems.append(Problem("refund_reference", "Enter the refund's reference"))
    elif len(reference) > MAX_REFUND_REFERENCE:
        problems.append(
            Problem("refund_reference", f"The refund's reference must be {MAX_REFUND_REFERENCE} characters or fewer")
        )
    if problems:
        raise Invalid(problems[0].message if len(problems) == 1 else "The refund has problems", problems)
    return method, reference
