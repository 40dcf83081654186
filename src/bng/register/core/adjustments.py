"""The arithmetic of a payer's money beyond "due" and "received": overpayments and part refunds.

They are recorded against a fee or a credit order, and make its balance (:func:`balance`, pure). Kept in the core,
apart from the register team's service (``money``), because the review and card payments check a whole refund
against it and sit below the credits it also reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from .errors import Invalid
from .fees import pounds
from .ports import UnitOfWork

MAX_PENCE = 100_000_000_00
"""A hundred million pounds: more than any payment the register takes."""
AMOUNT = re.compile(r"£?\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?")


class Kind(StrEnum):
    """What an adjustment did to the payer's money."""

    OVERPAYMENT = "overpayment"  # more was received than was charged
    PART_REFUND = "part_refund"  # some of what was received was paid back


KIND_LABELS = {Kind.OVERPAYMENT: "Overpayment received", Kind.PART_REFUND: "Part refund paid"}


@dataclass(frozen=True, slots=True)
class Adjustment:
    """An overpayment received or a part refund paid, against a fee or a credit order (never changed)."""

    kind: str
    amount_pence: int
    on: date
    method: str
    reference: str
    recorded_at: datetime
    recorded_by: int | None
    payment_id: int | None = None
    credit_order_id: int | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    """A payer's money on one fee or order, in pence."""

    charged: int
    """What is owed: the fee or the invoice total while it is owed, else 0."""
    received: int
    """What came in: the amount recorded as paid, and every overpayment."""
    refunded: int
    """What went back: a whole refund, and every part refund."""

    @property
    def held(self) -> int:
        """What the register holds of the payer's money: received less refunded."""
        return self.received - self.refunded

    @property
    def outstanding(self) -> int:
        """Still to be paid."""
        return max(0, self.charged - self.held)

    @property
    def owed_back(self) -> int:
        """To be paid back to the payer (an overpayment, or a fee no longer owed, not yet refunded)."""
        return max(0, self.held - self.charged)


def balance(charged: int, paid: int, whole_refund: int, adjustments: Sequence[Adjustment]) -> Balance:
    """The balance of a fee or order, with its overpayments and part refunds.

    ``paid`` is the amount recorded as received (0 if none), ``whole_refund`` what a whole refund paid back
    (0 if none).
    """
    over = sum(a.amount_pence for a in adjustments if a.kind == Kind.OVERPAYMENT)
    part = sum(a.amount_pence for a in adjustments if a.kind == Kind.PART_REFUND)
    return Balance(charged, paid + over, whole_refund + part)


def parse_pence(text: str, field_name: str = "amount") -> int:
    """Pence of an amount typed in pounds: "£1,234.5" → 123450.

    Anything else gets a clear message (no negatives, no more than two decimals, at most :data:`MAX_PENCE`).
    """
    m = AMOUNT.fullmatch((text or "").strip())
    if not m:
        raise Invalid.one(field_name, "Enter the amount in pounds, like 45 or 12.50")
    pence = int(m.group(1).replace(",", "")) * 100 + int((m.group(2) or "0").ljust(2, "0"))
    if pence <= 0:
        raise Invalid.one(field_name, "The amount must be more than £0")
    if pence > MAX_PENCE:
        raise Invalid.one(field_name, f"The amount must be at most {pounds(MAX_PENCE)}")
    return pence


class MoneyRecords(Protocol):
    """The adjustments as the unit of work's ``money`` holds them (``bng.db``'s money records)."""

    def adjustments(self, *, payment_id: int | None = None, credit_order_id: int | None = None) -> list[Adjustment]:
        """The adjustments of a fee or of a credit order, oldest first."""
        ...

    def add(self, adjustment: Adjustment) -> None:
        """Record an adjustment (it is never changed after)."""
        ...


def short_of_whole_refund(uow: UnitOfWork, payment_id: int, amount_pence: int, received: bool) -> int:
    """How much less than the whole fee the register holds for it after part refunds (0 if it holds enough).

    A whole refund may not pay back money already paid back. A unit of work without these records holds none.
    """
    records: MoneyRecords | None = getattr(uow, "money", None)
    if records is None:
        return 0
    held = balance(0, amount_pence if received else 0, 0, records.adjustments(payment_id=payment_id)).held
    return max(0, amount_pence - held)
