"""The credit records' repository (``bng.register.credits.ports.CreditRecords``) on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bng.register.credits.records import (
    CreditCustomer,
    CreditInvoice,
    CreditInvoiceLine,
    CreditOrder,
    CreditOrderEvent,
    CreditOrderLine,
    CreditPrice,
    CreditProof,
    VatRate,
)

from . import credit_tables as t


class CreditRecords:
    def __init__(self, session: Session) -> None:
        self.s = session

    def order(self, reference: str, *, for_update: bool = False) -> CreditOrder | None:
        q = select(CreditOrder).where(t.credit_order.c.reference == reference).execution_options(populate_existing=True)
        if for_update:
            q = q.with_for_update()
        return self.s.scalars(q).first()

    def orders_of(self, owner_id: int) -> Sequence[CreditOrder]:
        o = t.credit_order
        return self.s.scalars(select(CreditOrder).where(o.c.owner_id == owner_id).order_by(o.c.created_at.desc())).all()

    def orders_with_status(self, statuses: Sequence[str]) -> Sequence[CreditOrder]:
        o = t.credit_order
        q = select(CreditOrder).where(o.c.status.in_(list(statuses))).order_by(o.c.submitted_at, o.c.id)
        return self.s.scalars(q).all()

    def orders_with_metric(self, sha256: str) -> Sequence[CreditOrder]:
        o = t.credit_order
        return self.s.scalars(select(CreditOrder).where(o.c.metric_sha256 == sha256).order_by(o.c.id)).all()

    def orders_sent_to(self, lpa_id: int) -> Sequence[CreditOrder]:
        o = t.credit_order
        q = (
            select(CreditOrder)
            .where(o.c.lpa_id == lpa_id, o.c.sent_to_lpa_on.is_not(None))
            .order_by(o.c.sent_to_lpa_on.desc(), o.c.reference)
        )
        return self.s.scalars(q).all()

    def lines(self, order_id: int) -> Sequence[CreditOrderLine]:
        line = t.credit_order_line
        return self.s.scalars(select(CreditOrderLine).where(line.c.order_id == order_id).order_by(line.c.tier)).all()

    def customer(self, order_id: int) -> CreditCustomer | None:
        return self.s.scalars(select(CreditCustomer).where(t.credit_customer.c.order_id == order_id)).first()

    def invoice(self, order_id: int) -> CreditInvoice | None:
        return self.s.scalars(select(CreditInvoice).where(t.credit_invoice.c.order_id == order_id)).first()

    def invoice_lines(self, invoice_id: int) -> Sequence[CreditInvoiceLine]:
        line = t.credit_invoice_line
        q = select(CreditInvoiceLine).where(line.c.invoice_id == invoice_id).order_by(line.c.id)
        return self.s.scalars(q).all()

    def proof(self, order_id: int) -> CreditProof | None:
        return self.s.scalars(select(CreditProof).where(t.credit_proof.c.order_id == order_id)).first()

    def events(self, order_id: int) -> Sequence[CreditOrderEvent]:
        e = t.credit_order_event
        return self.s.scalars(select(CreditOrderEvent).where(e.c.order_id == order_id).order_by(e.c.at, e.c.id)).all()

    def prices(self) -> Sequence[CreditPrice]:
        p = t.credit_price
        return self.s.scalars(select(CreditPrice).order_by(p.c.tier, p.c.valid_from)).all()

    def price(self, price_id: int) -> CreditPrice | None:
        return self.s.get(CreditPrice, price_id)

    def vat_rates(self) -> Sequence[VatRate]:
        return self.s.scalars(select(VatRate).order_by(t.credit_vat_rate.c.valid_from)).all()

    def vat_rate(self, rate_id: int) -> VatRate | None:
        return self.s.get(VatRate, rate_id)

    def delete(self, record: CreditPrice | VatRate) -> None:
        self.s.delete(record)
        self.s.flush()
