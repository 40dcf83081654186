"""Overpayments, part refunds and remittance details (``bng.register.money``: service, remittance) on
SQLAlchemy Core."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bng.register.core.adjustments import Adjustment
from bng.register.money.remittance import Remittance

from .credit_tables import credit_order
from .money_tables import credit_order_payment, money_adjustment, remittance_detail

ADJUSTMENT = ("kind", "amount_pence", "on", "method", "reference", "recorded_at", "recorded_by", "payment_id",
              "credit_order_id")  # fmt: skip
REMITTANCE = ("valid_from", "account_name", "bank_name", "sort_code", "account_number", "iban", "bic", "source",
              "recorded_at", "recorded_by", "id")  # fmt: skip


def _remittance(row: Any) -> Remittance:
    return Remittance(**{c: getattr(row, c) for c in REMITTANCE})


class MoneyRecords:
    def __init__(self, session: Session) -> None:
        self.s = session

    def adjustments(self, *, payment_id: int | None = None, credit_order_id: int | None = None) -> list[Adjustment]:
        a = money_adjustment
        where = a.c.payment_id == payment_id if payment_id is not None else a.c.credit_order_id == credit_order_id
        q = select(*(a.c[c] for c in ADJUSTMENT)).where(where).order_by(a.c.on, a.c.id)
        return [Adjustment(**{c: getattr(row, c) for c in ADJUSTMENT}) for row in self.s.execute(q)]

    def add(self, adjustment: Adjustment) -> None:
        self.s.execute(insert(money_adjustment).values(**{c: getattr(adjustment, c) for c in ADJUSTMENT}))

    def remittances(self) -> list[Remittance]:
        r = remittance_detail
        q = select(*(r.c[c] for c in REMITTANCE)).order_by(r.c.valid_from.desc(), r.c.id.desc())
        return [_remittance(row) for row in self.s.execute(q)]

    def remittance_on(self, day: date) -> Remittance | None:
        r = remittance_detail
        q = (
            select(*(r.c[c] for c in REMITTANCE))
            .where(r.c.valid_from <= day)
            .order_by(r.c.valid_from.desc(), r.c.id.desc())
            .limit(1)
        )
        row = self.s.execute(q).first()
        return _remittance(row) if row is not None else None

    def add_remittance(self, remittance: Remittance) -> None:
        values = {c: getattr(remittance, c) for c in REMITTANCE if c != "id"}
        self.s.execute(insert(remittance_detail).values(**values))

    def credit_fee(self, order_id: int) -> int | None:
        c = credit_order_payment
        found = self.s.execute(select(c.c.payment_id).where(c.c.credit_order_id == order_id)).scalar()
        return int(found) if found is not None else None

    def link_credit_fee(self, order_id: int, payment_id: int) -> None:
        self.s.execute(insert(credit_order_payment).values(credit_order_id=order_id, payment_id=payment_id))

    def order_of_fee(self, payment_id: int) -> str | None:
        c, o = credit_order_payment, credit_order
        q = (
            select(o.c.reference)
            .select_from(c.join(o, c.c.credit_order_id == o.c.id))
            .where(c.c.payment_id == payment_id)
        )
        found = self.s.execute(q).scalar()
        return str(found) if found is not None else None
