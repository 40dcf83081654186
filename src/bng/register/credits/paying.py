"""An order's invoice paid by bank transfer, recorded by the register team: in full, within its 90 days.

A card fee begun for it is settled too (``card.mark_paid_by_hand``), through the register's one way of marking a fee
received (``core/fee_payments.py``).
"""

from __future__ import annotations

from datetime import date

from bng.register.core import fee_payments, notifications, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, refuse
from bng.register.core.fees import pounds
from bng.register.core.roles import Permission
from bng.register.core.service import require

from .base import CreditService, when_text
from .card import mark_paid_by_hand
from .records import CreditOrder, OrderStatus


class RecordOrderPayment(CreditService):
    """The register team records a bank transfer that pays an order's pro forma invoice."""

    def __call__(
        self,
        actor: Actor | None,
        reference: str,
        received_on: date | None,
        amount_pence: int | None,
        *,
        once: submissions.Once | None = None,
    ) -> CreditOrder:
        """The invoice paid in full, within its 90 days (the offer lapses after them)."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        refuse(fee_payments.received_date(received_on, self.today()))
        assert received_on is not None
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._order(uow, actor, reference, for_update=True)
            assert order.id is not None
            invoice = uow.credits.invoice(order.id)
            if order.status != OrderStatus.INVOICE_ISSUED or invoice is None:
                raise Conflict("A payment is recorded against an issued invoice that has not been paid yet")
            if received_on < invoice.issued_on:
                raise Invalid.one(
                    "received_on",
                    f"The payment date is before the invoice was issued ({when_text(invoice.issued_on)})",
                )
            if received_on > invoice.valid_until:
                raise Invalid.one(
                    "received_on",
                    f"Invoice {invoice.number} expired on {when_text(invoice.valid_until)}: the offer lapsed 90 days "
                    "after it was issued. Cancel the order (and return the money); the developer can order again",
                )
            if amount_pence != invoice.total_pence:
                raise Invalid.one(
                    "amount",
                    f"Enter the amount received: it must be the invoice total, {pounds(invoice.total_pence)} "
                    "(record the payment when the full amount has arrived)",
                )
            self._move(
                uow,
                order,
                OrderStatus.PAID,
                actor,
                f"Payment of {pounds(invoice.total_pence)} received on {when_text(received_on)}",
                {"paid_on": received_on, "payment_method": "bank transfer"},
            )
            mark_paid_by_hand(uow, order.id, received_on, actor.user_id)  # a card payment begun is not needed now
            what = f"statutory biodiversity credits of order {order.reference}"
            fields = {"what": what, "amount": pounds(invoice.total_pence), "payment_reference": invoice.number}
            notifications.queue(uow, self.now(), uow.users.get(order.owner_id), "payment_received", fields)
            uow.commit()
            return order
