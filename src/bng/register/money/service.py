"""What the register holds of a payer's money, beyond "due" and "received".

The overpayments and part refunds the register team record by hand, against a fee (``PAY-…``) or a statutory credit
order (``BNGCRD-…``).

The arithmetic is one pure function (:func:`balance`): what is charged (the fee, or the invoice total, while it is
owed), what was received (the amount recorded as paid plus every overpayment), what was paid back (a whole refund
plus every part refund), and from those what the register holds, what is still to be paid and what is owed back. A
part refund may never pay back more than the register holds, and an overpayment is recorded only against money
already received: a case worker cannot make the account go below nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from bng.register.applications.service import FeeStanding, fee_standing
from bng.register.core import audit, submissions
from bng.register.core import fee_payments as payments
from bng.register.core.adjustments import Adjustment, Balance, Kind, MoneyRecords, balance, parse_pence
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem
from bng.register.core.fees import pounds
from bng.register.core.ports import UnitOfWork
from bng.register.core.references import normalise
from bng.register.core.roles import Permission
from bng.register.core.rules import long_date
from bng.register.core.service import Service, require
from bng.register.credits.ports import CreditRecords
from bng.register.credits.records import OrderStatus

CHARGED_ORDER_STATES = frozenset(
    {OrderStatus.INVOICE_ISSUED, OrderStatus.PAID, OrderStatus.ALLOCATED, OrderStatus.SENT_TO_LPA}
)


class MoneyUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that holds the adjustments and the credit orders (the database's does)."""

    money: MoneyRecords
    credits: CreditRecords

    def __enter__(self) -> MoneyUnitOfWork: ...


@dataclass
class Account:
    """One fee's or order's money, as the register team's page shows it."""

    reference: str
    what: str
    """"Registration fee for application APP-…", "Statutory biodiversity credits, invoice INV-…"."""
    balance: Balance
    received_on: date | None
    adjustments: list[Adjustment] = field(default_factory=list)
    back: str = ""
    """The case it belongs to: an application's or allocation's or order's reference."""
    back_kind: str = ""  # "application", "allocation", "credit_order"


class Money(Service):
    """The register team's page of a fee's or a credit order's money, and the adjustments they record on it."""

    def _money_uow(self, write: bool = False) -> MoneyUnitOfWork:
        made: MoneyUnitOfWork = self._uow(write=write)  # type: ignore[assignment]  # the SQL unit has .money
        return made

    def account(self, actor: Actor | None, reference: str) -> Account:
        """The money of a fee (``PAY-…``) or of a credit order (``BNGCRD-…``); NotFound if there is none."""
        actor = require(actor, Permission.RECORD_PAYMENTS)
        with self._money_uow() as uow:
            return self._account(uow, reference)

    def _account(self, uow: MoneyUnitOfWork, reference: str, *, lock: bool = False) -> Account:
        ref = normalise(reference)
        if ref.startswith("BNGCRD-"):
            return self._order_account(uow, ref, lock)
        fee = uow.payments.by_reference(ref)
        if fee is None or fee.id is None:
            raise NotFound("No such payment")
        refund = uow.payments.refunds([fee.id]).get(fee.id)
        app = uow.applications.get(fee.application_id) if fee.application_id is not None else None
        standing = fee_standing(fee, app.answers if app is not None else {}, refund)
        charged = fee.amount_pence if standing in (FeeStanding.DUE, FeeStanding.RECEIVED) else 0
        paid = fee.amount_pence if fee.status == "received" else 0
        found = uow.money.adjustments(payment_id=fee.id)
        what = {"registration": "Registration fee", "allocation": "Allocation fee"}.get(fee.purpose, "Fee")
        back, back_kind = "", ""
        if app is not None:
            back, back_kind = app.reference, "application"
            what += f" for application {app.reference}"
        elif fee.allocation_id is not None:
            for a in uow.ledger.made_by(fee.payer_id or 0):
                if a.id == fee.allocation_id:
                    back, back_kind = a.reference, "allocation"
            what += f" for allocation {back}" if back else ""
        return Account(
            fee.reference,
            what,
            balance(charged, paid, fee.amount_pence if refund is not None else 0, found),
            fee.received_on,
            found,
            back,
            back_kind,
        )

    def _order_account(self, uow: MoneyUnitOfWork, ref: str, lock: bool) -> Account:
        credits = uow.credits
        order = credits.order(ref, for_update=lock)
        if order is None or order.id is None:
            raise NotFound("No such statutory biodiversity credit order")
        invoice = credits.invoice(order.id)
        total = invoice.total_pence if invoice is not None else 0
        status = OrderStatus(order.status)
        charged = total if status in CHARGED_ORDER_STATES else 0
        paid = total if order.paid_on is not None else 0
        found = uow.money.adjustments(credit_order_id=order.id)
        what = "Statutory biodiversity credits" + (f", invoice {invoice.number}" if invoice is not None else "")
        whole = total if status == OrderStatus.REFUNDED else 0
        return Account(
            order.reference, what, balance(charged, paid, whole, found), order.paid_on, found, order.reference,
            "credit_order",
        )  # fmt: skip

    def record(
        self,
        actor: Actor | None,
        reference: str,
        kind: str,
        amount: str,
        on: date | None,
        method: str,
        their_reference: str,
        *,
        once: submissions.Once | None = None,
    ) -> Account:
        """Record an overpayment received or a part refund paid (every problem at once, each naming its field)."""
        actor = require(actor, Permission.RECORD_PAYMENTS)
        problems: list[Problem] = []
        if kind not in (Kind.OVERPAYMENT, Kind.PART_REFUND):
            problems.append(Problem("kind", "Select whether money was received or paid back"))
        pence = 0
        try:
            pence = parse_pence(amount)
        except Invalid as err:
            problems += err.problems
        try:
            method, their_reference = payments.refund(on, method, their_reference, self.today())
        except Invalid as err:  # the refund's own checks, said of this form's fields
            problems += [_said(p, kind) for p in err.problems]
        if problems:
            raise Invalid(problems[0].message if len(problems) == 1 else "There is a problem", problems)
        assert on is not None
        now = self.now()
        with self._money_uow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            account = self._account(uow, reference, lock=True)
            if account.received_on is None:
                raise Conflict(f"Nothing has been received for {account.reference}: record the payment first")
            if on < account.received_on:
                raise Invalid.one(
                    "on", f"The date must be on or after the payment was received, {long_date(account.received_on)}"
                )
            if kind == Kind.PART_REFUND and pence > account.balance.held:
                raise Invalid.one(
                    "amount",
                    f"A part refund can pay back at most what the register holds for {account.reference}, "
                    f"{pounds(account.balance.held)}",
                )
            fee = uow.payments.by_reference(account.reference) if account.back_kind != "credit_order" else None
            order_id = None
            if fee is None:
                order = uow.credits.order(account.reference)
                assert order is not None
                order_id = order.id
            made = Adjustment(
                kind, pence, on, method, their_reference, now, actor.user_id,
                payment_id=fee.id if fee is not None else None, credit_order_id=order_id,
            )  # fmt: skip
            uow.money.add(made)
            after = balance(
                account.balance.charged, account.balance.received, account.balance.refunded, [made]
            )  # the balance with this one added
            audit.record(
                uow, now, actor, f"payment.{kind}", "payment", account.reference,
                {"held_pence": account.balance.held},
                {"amount_pence": pence, "on": on, "method": method, "reference": their_reference,
                 "held_pence": after.held, "owed_back_pence": after.owed_back},
            )  # fmt: skip
            submissions.settle(uow, once, account.reference)
            uow.commit()
            account.adjustments.append(made)
            account.balance = after
            return account


def _said(problem: Problem, kind: str) -> Problem:
    fields = {"refunded_on": "on", "refund_method": "method", "refund_reference": "reference"}
    received = kind == Kind.OVERPAYMENT
    text = problem.message
    if received:
        text = text.replace("the fee was refunded", "the money was received").replace(
            "the fee was paid back", "the money was paid"
        )
    text = text.replace("the fee was refunded", "the money was paid back").replace("refund's reference", "reference")
    return Problem(fields.get(problem.field, problem.field), text)
