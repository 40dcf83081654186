"""A statutory credit order's invoice paid by card, through the same GOV.UK Pay port as the register's fees.

The invoice's total becomes a fee row (``payment``, purpose ``credits``, the developer its payer), linked to its
order (``credit_order_payment``) the first time the developer chooses to pay by card; from there the card
journey is the fees' own (``bng.register.payments.card``): Pay's ``next_url``, the return page, the state read
from Pay, recorded once, reconciled by ``bng pay reconcile``. When Pay says ``success`` the order moves to
paid (by card, today), in the same transaction as the fee. Pay takes at most £100,000 a payment
(``PAY_MAX_PENCE``): a larger invoice is paid by bank transfer. A transfer recorded by hand first marks the fee
received too, so a card payment finished afterwards is ``not_needed`` (paid twice: listed by reconciliation).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from bng.register.core import fee_payments
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, NotFound
from bng.register.core.fees import pounds
from bng.register.core.model import Payment, PaymentStatus
from bng.register.core.ports import UnitOfWork
from bng.register.core.references import normalise, payment_reference
from bng.register.core.roles import Permission
from bng.register.core.service import require
from bng.register.payments.stand_in import MAX_AMOUNT

from .base import CreditService, when_text
from .ports import CreditUnitOfWork
from .records import OrderStatus

PAY_MAX_PENCE = MAX_AMOUNT
"""The largest invoice paid by card (GOV.UK Pay's limit, as its stand-in holds it); a larger one by transfer."""

PURPOSE = "credits"


class CreditFeeLinks(Protocol):
    """The link between an order and the card fee that pays its invoice (kept by the money records)."""

    def credit_fee(self, order_id: int) -> int | None:
        """The card fee made for the order's invoice, if one was begun."""
        ...

    def link_credit_fee(self, order_id: int, payment_id: int) -> None:
        """Link a new card fee to the order whose invoice it pays."""
        ...

    def order_of_fee(self, payment_id: int) -> str | None:
        """The reference of the order a credits fee pays for."""
        ...


class CreditCardUnitOfWork(CreditUnitOfWork, Protocol):
    """A unit of work with the credit records and the card fees that pay for orders."""

    money: CreditFeeLinks

    def __enter__(self) -> CreditCardUnitOfWork: ...


def _links(uow: UnitOfWork) -> CreditFeeLinks:
    found: CreditFeeLinks = uow.money  # type: ignore[attr-defined]  # the SQL unit of work has .money
    return found


class CreditCardPay(CreditService):
    """Paying an order's pro forma invoice by card through GOV.UK Pay (its developer only)."""

    def fee_for(self, actor: Actor | None, reference: str) -> str:
        """The payment reference of the order's invoice as a card fee (made the first time).

        Only the developer's own order, with its invoice issued and not expired.
        """
        actor = require(actor, Permission.BUY_CREDITS)
        with self._credit_uow(write=True) as uow:
            order = uow.credits.order(normalise(reference), for_update=True)
            if order is None or order.id is None or order.owner_id != actor.user_id:
                raise NotFound("No such statutory biodiversity credit order")
            invoice = uow.credits.invoice(order.id)
            if order.status != OrderStatus.INVOICE_ISSUED or invoice is None:
                raise Conflict("Only an issued invoice that has not been paid can be paid by card")
            if self.today() > invoice.valid_until:
                raise Conflict(
                    f"Invoice {invoice.number} expired on {when_text(invoice.valid_until)}: the offer has lapsed"
                )
            if invoice.total_pence > PAY_MAX_PENCE:
                raise Conflict(
                    f"GOV.UK Pay takes card payments of up to {pounds(PAY_MAX_PENCE)}: pay invoice {invoice.number} "
                    f"by bank transfer, quoting {order.reference}"
                )
            links = _links(uow)
            existing = links.credit_fee(order.id)
            if existing is not None:
                fee = uow.payments.get(existing)
                assert fee is not None
                return fee.reference
            fee = Payment(
                reference=payment_reference(),
                purpose=PURPOSE,
                amount_pence=invoice.total_pence,
                created_at=self.now(),
                payer_id=order.owner_id,
            )
            uow.add(fee)
            uow.flush()
            assert fee.id is not None
            links.link_credit_fee(order.id, fee.id)
            uow.commit()
            return fee.reference

    def order_reference(self, payment_id: int) -> str:
        """The order a credits fee pays for ("" for any other fee)."""
        with self._credit_uow() as uow:
            return _links(uow).order_of_fee(payment_id) or ""

    def received(self, uow: UnitOfWork, actor: Actor, fee: Payment) -> None:
        """Pay said success and the fee was recorded: the order is paid, by card, today.

        ``CardPayments``' hook, run in its transaction. An order no longer waiting for payment is left as it is.
        """
        if fee.purpose != PURPOSE or fee.id is None:
            return
        credit_uow: CreditUnitOfWork = uow  # type: ignore[assignment]  # the SQL unit of work has .credits
        reference = _links(uow).order_of_fee(fee.id)
        order = credit_uow.credits.order(reference, for_update=True) if reference else None
        if order is None or order.status != OrderStatus.INVOICE_ISSUED:
            return
        self._move(
            credit_uow, order, OrderStatus.PAID, actor,
            f"Payment of {pounds(fee.amount_pence)} received by card through GOV.UK Pay on {when_text(self.today())}",
            {"paid_on": self.today(), "payment_method": "card"},
        )  # fmt: skip


def mark_paid_by_hand(uow: UnitOfWork, order_id: int, received_on: date, user_id: int) -> None:
    """A transfer recorded by hand settles the order's card fee too (if one was made).

    So that a card payment finished later is not recorded twice.
    """
    links = getattr(uow, "money", None)
    if links is None:
        return
    payment_id = links.credit_fee(order_id)
    fee = uow.payments.get(payment_id) if payment_id is not None else None
    if fee is not None and fee.status == PaymentStatus.DUE:
        fee_payments.set_received(fee, received_on, "bank transfer", user_id)
