"""Before payment: the customer due diligence checks decided, then the pro forma invoice issued.

The invoice is an offer for 90 days, at the prices in force that day.
"""

from __future__ import annotations

from datetime import timedelta

from bng.register.core import notifications, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid
from bng.register.core.fees import pounds
from bng.register.core.roles import Permission
from bng.register.core.service import require

from .base import CreditService, when_text
from .casework import OFFER_DAYS, _note
from .pricing import quote
from .records import CreditInvoice, CreditInvoiceLine, CreditOrder, OrderStatus


class DecideDueDiligence(CreditService):
    """The register team records the customer due diligence (anti-money laundering) checks on an order."""

    def __call__(
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


class IssueInvoice(CreditService):
    """The register team issues the pro forma invoice of an order that passed due diligence."""

    def __call__(self, actor: Actor | None, reference: str, *, once: submissions.Once | None = None) -> CreditInvoice:
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
