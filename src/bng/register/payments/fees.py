"""The register team's one payments service: a fee recorded as received by hand, or a fee refunded.

One implementation for every fee the register charges by hand: an application's registration fee, the
combined case's allocation fee paid with it (each fee on its own date), and an allocation's fee. The
fee's row moves through :func:`bng.register.core.fee_payments.mark_received`, the same function a card
payment uses (``card.py``), and a credit order's invoice paid by transfer settles its card fee through
it too (``credits/fulfilment.py``). A refund by hand is recorded here; one through GOV.UK Pay is made
by ``card.py`` and then recorded here.
"""

from __future__ import annotations

from datetime import date, datetime

from bng.register.applications.service import FEE_NAMES, FeeStanding, fee_standing
from bng.register.core import adjustments, audit, submissions
from bng.register.core import fee_payments as payments
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound
from bng.register.core.fees import FeePurpose, pounds
from bng.register.core.model import Application, ApplicationEvent, Payment, PaymentStatus, Refund
from bng.register.core.ports import UnitOfWork
from bng.register.core.references import normalise
from bng.register.core.roles import Permission
from bng.register.core.rules import long_date
from bng.register.core.service import Service, require

ALLOCATION_PREFIX = "ALL-"


class FeePayments(Service):
    """The register team records fees received by hand and fees refunded, each audited and in the case's history."""

    def record_payment(
        self,
        actor: Actor | None,
        reference: str,
        received_on: date | None,
        method: str,
        payment: str = "",
        *,
        once: submissions.Once | None = None,
    ) -> None:
        """Record one fee as received, on its own date.

        ``reference`` is the case the fee is for: an application (``APP-``) or an allocation (``ALL-``); ``payment`` is
        the fee's payment reference (it may be left out when only one fee is due). The combined case's two fees are paid
        separately, and each keeps the day it was received.
        """
        actor = require(actor, Permission.RECORD_PAYMENTS)
        method = payments.received(received_on, method, self.today())
        assert received_on is not None
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            case = normalise(reference)
            app = None
            if case.startswith(ALLOCATION_PREFIX):
                allocation = uow.ledger.allocation(case)
                if allocation is None or allocation.id is None:
                    raise NotFound("No such allocation")
                due = [p for p in uow.payments.for_allocation(allocation.id) if p.status == PaymentStatus.DUE]
                where = "allocation"
            else:
                app = uow.applications.by_reference(case)
                if app is None or app.id is None:
                    raise NotFound("No such application")
                due = [p for p, s in _standings(uow, app) if s == FeeStanding.DUE]  # not withdrawn or refunded
                where = "application"
            fee = _chosen(due, payment, where)
            name = FEE_NAMES[FeePurpose(fee.purpose)]
            payments.mark_received(uow, self.now(), actor, fee, received_on, method, name.lower())
            if app is not None:
                message = (
                    f"{name} of {pounds(fee.amount_pence)} (payment reference {fee.reference}) received on "
                    f"{long_date(received_on)} by {method}"
                )
                _event(uow, app, actor, self.now(), "payment_received", message)
            uow.commit()

    def record_refund(
        self,
        actor: Actor | None,
        payment_reference: str,
        refunded_on: date | None,
        method: str,
        refund_reference: str,
        *,
        application: str | None = None,
        once: submissions.Once | None = None,
    ) -> Refund:
        """Record that a fee received and no longer owed (standing "to be refunded") has been paid back.

        The register team says when, how and the refund's reference. Its standing is then "refunded", for
        good; the audit log and the case history say so. Nothing changes if anything is wrong.
        ``application``, when given, is the case the payment must belong to (the case page's form).
        """
        actor = require(actor, Permission.RECORD_PAYMENTS)
        now = self.now()
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            payment = uow.payments.by_reference(normalise(payment_reference))
            if payment is None or payment.id is None:
                raise NotFound("No such payment")
            app = uow.applications.get(payment.application_id) if payment.application_id is not None else None
            if application is not None and (app is None or app.reference != normalise(application)):
                raise NotFound("No such payment on this application")
            earlier = uow.payments.refunds([payment.id]).get(payment.id)
            standing = fee_standing(payment, app.answers if app is not None else {}, earlier)
            if standing != FeeStanding.TO_REFUND:
                said = {
                    FeeStanding.REFUNDED: "has already been refunded",
                    FeeStanding.DUE: "has not been received",
                    FeeStanding.WITHDRAWN: "was never received",
                    FeeStanding.RECEIVED: "is still owed",
                }[standing]
                raise Conflict(f"The fee with payment reference {payment.reference} {said}, so it cannot be refunded")
            short = adjustments.short_of_whole_refund(
                uow, payment.id, payment.amount_pence, payment.status == "received"
            )
            if short:
                raise Conflict(
                    f"Part of the fee {payment.reference} was paid back already ({pounds(short)}): record the rest "
                    "as a part refund on its money page"
                )
            # the answers are checked once the fee is known to be refundable (its form is on the page)
            method, refund_reference = payments.refund(refunded_on, method, refund_reference, self.today())
            assert refunded_on is not None
            received = payment.received_on
            if received is not None and refunded_on < received:
                raise Invalid.one(
                    "refunded_on",
                    f"The date the fee was refunded must be on or after the day it was received, {long_date(received)}",
                )
            refund = Refund(payment.id, refunded_on, method, refund_reference, now, actor.user_id)
            uow.add(refund)
            uow.flush()
            shown = audit.snapshot(payment, ("purpose", "amount_pence", "status", "received_on"))
            audit.record(
                uow,
                now,
                actor,
                "payment.refunded",
                "payment",
                payment.reference,
                shown | {"standing": str(standing)},
                shown
                | {
                    "standing": str(FeeStanding.REFUNDED),
                    "refunded_on": refunded_on,
                    "refund_method": method,
                    "refund_reference": refund_reference,
                },
            )
            if app is not None and app.id is not None:
                name = FEE_NAMES.get(FeePurpose(payment.purpose), "Fee")
                message = (
                    f"{name} of {pounds(payment.amount_pence)} (payment reference {payment.reference}) refunded "
                    f"on {long_date(refunded_on)} by {method}, refund reference {refund_reference}"
                )
                _event(uow, app, actor, now, "fee_refunded", message)
                app.updated_at = now  # the answers cannot change under the refund unseen (optimistic version)
            submissions.settle(uow, once, refund_reference)
            uow.commit()
            return refund


def _standings(uow: UnitOfWork, app: Application) -> list[tuple[Payment, FeeStanding]]:
    """Each fee the application's submissions made due, with where it stands against its answers now."""
    assert app.id is not None
    made_due = uow.payments.for_application(app.id)
    refunded = uow.payments.refunds([p.id for p in made_due if p.id is not None])
    return [(p, fee_standing(p, app.answers, refunded.get(p.id or 0))) for p in made_due]


def _chosen(due: list[Payment], payment: str, where: str) -> Payment:
    """The one due fee the register team said was received (``payment``: its reference, or "" for the only one)."""
    if not due:
        raise Conflict(f"No fee is due on this {where}")
    wanted = normalise(payment) if payment.strip() else ""
    chosen = [p for p in due if p.reference == wanted] if wanted else due
    if not chosen:
        raise Conflict(f"The fee {payment.strip()[:20]} is not due on this {where}")
    if len(chosen) > 1:
        listed = ", ".join(f"{FEE_NAMES[FeePurpose(p.purpose)].lower()} ({p.reference})" for p in chosen)
        raise Invalid.one("payment", f"Say which fee was received: {listed}; each is recorded on its own")
    return chosen[0]


def _event(uow: UnitOfWork, app: Application, actor: Actor, now: datetime, kind: str, message: str) -> None:
    """A line in the application's case history."""
    assert app.id is not None
    uow.add(ApplicationEvent(app.id, now, kind, message, actor.user_id))
