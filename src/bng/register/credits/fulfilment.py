"""Fulfilling an order (the register team), and the proofs of purchase an LPA receives.

submitted → due diligence passed or failed → invoice issued (an offer for 90 days, at the prices in
force that day) → paid → credits allocated, with a proof of purchase → sent to the LPA; withdrawn or
cancelled before payment; refunded after it when the development does not go ahead. Each step is
one transaction that moves the order (``CreditService._move``: checked, in its history, audited).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from bng.register.core import notifications, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound
from bng.register.core.fees import pounds
from bng.register.core.model import Lpa, StoredFile
from bng.register.core.ports import Clock, FileStore
from bng.register.core.roles import Permission
from bng.register.core.service import require
from bng.register.core.uploads import store_bytes

from .base import CreditService, OrderView, when_text
from .card import mark_paid_by_hand
from .ports import CreditUnitOfWorkFactory
from .pricing import quote
from .proof import proof_pdf
from .records import (
    BEFORE_PAYMENT,
    PAID_STATES,
    CreditInvoice,
    CreditInvoiceLine,
    CreditOrder,
    CreditProof,
    OrderStatus,
)

OFFER_DAYS = 90
"""The pro forma invoice is an offer the developer accepts by paying within 90 days (terms of sale 1.2(e))."""
MAX_NOTE = 5_000
PROOF_KIND = "proof_of_purchase"
QUEUES: tuple[tuple[str, tuple[OrderStatus, ...]], ...] = (
    ("Due diligence checks", (OrderStatus.SUBMITTED,)),
    ("Invoice to issue", (OrderStatus.DUE_DILIGENCE_PASSED,)),
    ("Waiting for payment", (OrderStatus.INVOICE_ISSUED,)),
    ("Credits to allocate", (OrderStatus.PAID,)),
    ("Proof of purchase to send to the LPA", (OrderStatus.ALLOCATED,)),
    ("Done", (OrderStatus.SENT_TO_LPA,)),
    (
        "Closed",
        (OrderStatus.DUE_DILIGENCE_FAILED, OrderStatus.WITHDRAWN, OrderStatus.CANCELLED, OrderStatus.REFUNDED),
    ),
)


def _note(text: str | None, field: str, what: str, required: bool) -> str:
    value = (text or "").strip()
    if required and not value:
        raise Invalid.one(field, f"Enter {what}")
    if len(value) > MAX_NOTE:
        raise Invalid.one(field, f"{what[0].upper()}{what[1:]} must be {MAX_NOTE:,} characters or fewer")
    return value


@dataclass(frozen=True, slots=True)
class LpaProof:
    """A proof of purchase as the LPA sees it: the order, and whether it still counts."""

    order: CreditOrder
    total_credits_hundredths: int
    refunded: bool


class CreditFulfilment(CreditService):
    def __init__(self, uow: CreditUnitOfWorkFactory, clock: Clock, store: FileStore) -> None:
        super().__init__(uow, clock)
        self._store = store

    def queues(self, actor: Actor | None) -> list[tuple[str, list[CreditOrder]]]:
        require(actor, Permission.PROCESS_CREDIT_ORDERS)
        with self._credit_uow() as uow:
            return [(title, list(uow.credits.orders_with_status(statuses))) for title, statuses in QUEUES]

    def case(self, actor: Actor | None, reference: str) -> OrderView:
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        with self._credit_uow() as uow:
            return self._view(uow, self._order(uow, actor, reference))

    def decide_due_diligence(
        self, actor: Actor | None, reference: str, outcome: str, note: str, *, once: submissions.Once | None = None
    ) -> CreditOrder:
        """Record the customer due diligence (anti-money laundering) checks: passed or failed."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        if outcome not in ("passed", "failed"):
            raise Invalid.one("outcome", "Select whether the customer due diligence checks were passed or failed")
        text = _note(note, "note", "why the checks failed (the developer sees this)", required=outcome == "failed")
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._order(uow, actor, reference, for_update=True)
            if outcome == "passed":
                to, message = OrderStatus.DUE_DILIGENCE_PASSED, "Customer due diligence checks passed"
                changes: dict[str, object] = {"due_diligence_on": self.today(), "due_diligence_note": text}
            else:
                to, message = OrderStatus.DUE_DILIGENCE_FAILED, f"Customer due diligence checks failed: {text}"
                changes = {"due_diligence_on": self.today(), "due_diligence_note": text, "ended_on": self.today()}
                changes["end_reason"] = text
            self._move(uow, order, to, actor, message, changes)
            uow.commit()
            return order

    def issue_invoice(
        self, actor: Actor | None, reference: str, *, once: submissions.Once | None = None
    ) -> CreditInvoice:
        """The pro forma invoice at today's prices: written once, never changed (a later price does not reach it)."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        today, now = self.today(), self.now()
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._order(uow, actor, reference, for_update=True)
            if order.status != OrderStatus.DUE_DILIGENCE_PASSED:
                raise Conflict("An invoice is issued once the customer due diligence checks have passed, and once only")
            assert order.id is not None
            lines = list(uow.credits.lines(order.id))
            priced = quote(
                {line.tier: line.quantity_hundredths for line in lines},
                list(uow.credits.prices()),
                list(uow.credits.vat_rates()),
                today,
                field="invoice",
            )
            invoice = CreditInvoice(
                order_id=order.id,
                number="INV-" + order.reference.removeprefix("BNGCRD-"),
                issued_on=today,
                valid_until=today + timedelta(days=OFFER_DAYS),
                subtotal_pence=priced.subtotal_pence,
                vat_basis_points=priced.vat_basis_points,
                vat_pence=priced.vat_pence,
                total_pence=priced.total_pence,
                issued_at=now,
                issued_by=actor.user_id,
            )
            uow.add(invoice)
            uow.flush()
            assert invoice.id is not None
            for line in priced.lines:
                uow.add(
                    CreditInvoiceLine(
                        invoice.id,
                        line.tier,
                        line.quantity_hundredths,
                        line.unit_price_pence,
                        line.price_valid_from,
                        line.amount_pence,
                    )
                )
            uow.flush()
            self._move(
                uow,
                order,
                OrderStatus.INVOICE_ISSUED,
                actor,
                f"Invoice {invoice.number} issued for {pounds(invoice.total_pence)}; pay by "
                f"{when_text(invoice.valid_until)}, quoting {order.reference}",
            )
            notifications.queue(
                uow,
                now,
                uow.users.get(order.owner_id),
                "invoice_issued",
                {
                    "order": order.reference,
                    "invoice": invoice.number,
                    "amount": pounds(invoice.total_pence),
                    "pay_by": when_text(invoice.valid_until),
                    "link": f"/credits/orders/{order.reference}",
                },
            )
            submissions.settle(uow, once, invoice.number)
            uow.commit()
            return invoice

    def record_payment(
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
        if received_on is None:
            raise Invalid.one("received_on", "Enter the date the payment was received")
        if received_on > self.today():
            raise Invalid.one("received_on", "The date the payment was received must be today or in the past")
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

    def allocate(self, actor: Actor | None, reference: str, *, once: submissions.Once | None = None) -> CreditProof:
        """Allocate the paid credits to the development and issue the proof of purchase (a PDF)."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        now = self.now()
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._order(uow, actor, reference, for_update=True)
            if order.status != OrderStatus.PAID:
                raise Conflict("Credits are allocated once the invoice has been paid, and once only")
            assert order.id is not None
            view = self._view(uow, order)
            data = proof_pdf(view, now)
            key = store_bytes(uow, self._store, data)
            digest = hashlib.sha256(data).hexdigest()
            stored = StoredFile(
                key=key,
                kind=PROOF_KIND,
                name=f"proof-of-purchase-{order.reference}.pdf",
                media_type="application/pdf",
                size=len(data),
                sha256=digest,
                uploaded_at=now,
                uploaded_by=actor.user_id,
            )
            uow.add(stored)
            uow.flush()
            assert stored.id is not None
            proof = CreditProof(order.id, now, stored.id, digest, actor.user_id)
            uow.add(proof)
            uow.flush()
            total = sum(line.quantity_hundredths for line in view.invoice_lines) / 100
            self._move(
                uow,
                order,
                OrderStatus.ALLOCATED,
                actor,
                f"{total:,.2f} credits allocated to the development; proof of purchase issued",
                {"allocated_at": now},
            )
            uow.commit()
            return proof

    def send_to_lpa(self, actor: Actor | None, reference: str, *, once: submissions.Once | None = None) -> CreditOrder:
        """Send the proof of purchase to the development's LPA (its officers see it from now on)."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._order(uow, actor, reference, for_update=True)
            lpa = uow.lpas.get(order.lpa_id) if order.lpa_id else None
            name = lpa.name if lpa else "the LPA"
            self._move(
                uow,
                order,
                OrderStatus.SENT_TO_LPA,
                actor,
                f"Proof of purchase sent to {name}",
                {"sent_to_lpa_on": self.today()},
            )
            notifications.proof_sent(uow, self.now(), order, lpa)
            uow.commit()
            return order

    def cancel(
        self, actor: Actor | None, reference: str, reason: str, *, once: submissions.Once | None = None
    ) -> CreditOrder:
        """Cancel an order before payment (an expired invoice, a request the developer made another way)."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        text = _note(reason, "reason", "why the order is cancelled (the developer sees this)", required=True)
        return self._end(
            actor, reference, OrderStatus.CANCELLED, text, f"Order cancelled by the register team: {text}",
            BEFORE_PAYMENT, "A paid order cannot be cancelled; refund it if the development does not go ahead",
            once=once,
        )  # fmt: skip

    def refund(
        self, actor: Actor | None, reference: str, reason: str, *, once: submissions.Once | None = None
    ) -> CreditOrder:
        """Refund a paid order because the development does not go ahead; its proof of purchase stops counting."""
        actor = require(actor, Permission.PROCESS_CREDIT_ORDERS)
        text = _note(reason, "reason", "why the development does not go ahead", required=True)
        return self._end(
            actor, reference, OrderStatus.REFUNDED, text, f"Refunded because the development does not go ahead: {text}",
            PAID_STATES, "Only a paid order is refunded; cancel an order that has not been paid",
            once=once,
        )  # fmt: skip

    def _end(
        self,
        actor: Actor,
        reference: str,
        to: OrderStatus,
        reason: str,
        message: str,
        allowed: frozenset[OrderStatus],
        refused: str,
        *,
        once: submissions.Once | None = None,
    ) -> CreditOrder:
        """Cancelling and refunding end an order alike: only from the states that allow it (else ``refused``),
        dated today, with the team's reason kept on the order."""
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            order = self._order(uow, actor, reference, for_update=True)
            if OrderStatus(order.status) not in allowed:
                raise Conflict(refused)
            self._move(uow, order, to, actor, message, {"ended_on": self.today(), "end_reason": reason})
            uow.commit()
            return order

    # -- proofs of purchase: the developer, the register team, the LPA ------------------------------------

    def proof(self, actor: Actor | None, reference: str) -> tuple[StoredFile, bytes]:
        if actor is None:
            raise NotFound("No such proof of purchase")
        with self._credit_uow() as uow:
            order = self._order(uow, actor, reference)
            assert order.id is not None
            proof = uow.credits.proof(order.id)
            stored = uow.files.get(proof.file_id) if proof else None
            if stored is None:
                raise NotFound("No proof of purchase has been issued for this order")
            return stored, self._store.get(stored.key)

    def for_lpa(self, actor: Actor | None) -> tuple[Lpa, list[LpaProof]]:
        """The proofs of purchase sent to the officer's LPA, newest first (refunded ones marked)."""
        actor = require(actor, Permission.VIEW_LPA_CREDITS)
        with self._credit_uow() as uow:
            lpa = uow.lpas.get(actor.lpa_id) if actor.lpa_id is not None else None
            if lpa is None or lpa.id is None:
                raise NotFound("Your account is not linked to an LPA; ask the register team")
            out = []
            for order in uow.credits.orders_sent_to(lpa.id):
                assert order.id is not None
                total = sum(line.quantity_hundredths for line in uow.credits.lines(order.id))
                out.append(LpaProof(order, total, order.status == OrderStatus.REFUNDED))
            return lpa, out
