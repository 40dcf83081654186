"""The records of statutory biodiversity credit sales: plain dataclasses that ``bng.db`` maps onto tables.

An order moves through the states of :data:`TRANSITIONS` and no others: the services refuse an
illegal move with a clear message and a database trigger refuses it too. Quantities are whole
hundredths of a credit, money whole pence, VAT rates hundredths of a per cent (2000 = 20 %).
An invoice, its lines and a proof of purchase are never changed once written: what a price
change does later cannot reach them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class OrderStatus(StrEnum):
    """The states of a credit order; :data:`TRANSITIONS` says who moves an order from one to another."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    DUE_DILIGENCE_PASSED = "due_diligence_passed"
    DUE_DILIGENCE_FAILED = "due_diligence_failed"
    INVOICE_ISSUED = "invoice_issued"
    PAID = "paid"
    ALLOCATED = "allocated"
    SENT_TO_LPA = "sent_to_lpa"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


S = OrderStatus
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.DUE_DILIGENCE_PASSED, S.DUE_DILIGENCE_FAILED, S.WITHDRAWN, S.CANCELLED}),
    S.DUE_DILIGENCE_PASSED: frozenset({S.INVOICE_ISSUED, S.WITHDRAWN, S.CANCELLED}),
    S.INVOICE_ISSUED: frozenset({S.PAID, S.WITHDRAWN, S.CANCELLED}),
    S.PAID: frozenset({S.ALLOCATED, S.REFUNDED}),
    S.ALLOCATED: frozenset({S.SENT_TO_LPA, S.REFUNDED}),
    S.SENT_TO_LPA: frozenset({S.REFUNDED}),
    S.DUE_DILIGENCE_FAILED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}
"""Who moves an order where: the developer submits and withdraws (before payment); the register
team decides due diligence, issues the invoice, records payment, allocates the credits with a
proof of purchase, sends it to the LPA, cancels (before payment) and refunds (after it, when the
development does not go ahead)."""

STATUS_LABELS: dict[OrderStatus, str] = {
    S.DRAFT: "Draft",
    S.SUBMITTED: "Submitted: due diligence checks",
    S.DUE_DILIGENCE_PASSED: "Due diligence passed",
    S.DUE_DILIGENCE_FAILED: "Due diligence failed",
    S.INVOICE_ISSUED: "Invoice issued",
    S.PAID: "Paid",
    S.ALLOCATED: "Credits allocated",
    S.SENT_TO_LPA: "Proof of purchase sent to the LPA",
    S.WITHDRAWN: "Withdrawn",
    S.CANCELLED: "Cancelled",
    S.REFUNDED: "Refunded",
}
BEFORE_PAYMENT = frozenset({S.DRAFT, S.SUBMITTED, S.DUE_DILIGENCE_PASSED, S.INVOICE_ISSUED})
PAID_STATES = frozenset({S.PAID, S.ALLOCATED, S.SENT_TO_LPA, S.REFUNDED})
WITH_PROOF = frozenset({S.ALLOCATED, S.SENT_TO_LPA})
ENDED = frozenset({S.DUE_DILIGENCE_FAILED, S.WITHDRAWN, S.CANCELLED, S.REFUNDED})


class CustomerType(StrEnum):
    """Who is buying credits, for the customer due diligence checks: a person or an organisation."""

    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"


@dataclass(eq=False)
class CreditPrice:
    """A row of the price table: a tier's price per credit (ex VAT) from a date."""

    tier: str
    price_pence: int
    valid_from: date
    source: str
    created_at: datetime
    created_by: int | None = None
    id: int | None = None


@dataclass(eq=False)
class VatRate:
    """The VAT rate on statutory biodiversity credits from a date (hundredths of a per cent)."""

    basis_points: int
    valid_from: date
    source: str
    created_at: datetime
    created_by: int | None = None
    id: int | None = None


@dataclass(eq=False)
class CreditOrder:
    """A developer's order: answers while a draft, typed columns once submitted, then its fulfilment."""

    reference: str
    owner_id: int
    created_at: datetime
    updated_at: datetime
    status: str = OrderStatus.DRAFT
    answers: dict[str, Any] = field(default_factory=dict)
    submitted_at: datetime | None = None
    lpa_id: int | None = None
    planning_reference: str = ""
    development_name: str = ""
    purchase_order: str = ""
    metric_file_id: int | None = None
    metric_release: str = ""
    metric_sha256: str = ""
    onsite_reason: str = ""
    offsite_reason: str = ""
    register_search: dict[str, Any] | None = None
    terms_accepted_at: datetime | None = None
    due_diligence_on: date | None = None
    due_diligence_note: str = ""
    paid_on: date | None = None
    payment_method: str = ""
    allocated_at: datetime | None = None
    sent_to_lpa_on: date | None = None
    ended_on: date | None = None
    end_reason: str = ""
    version: int = 1
    id: int | None = None


@dataclass(eq=False)
class CreditOrderLine:
    """One tier of an order: the credits the metric needs (rounded up) and the credits ordered."""

    order_id: int
    tier: str
    metric_credits: float
    needed_hundredths: int
    quantity_hundredths: int
    id: int | None = None


@dataclass(eq=False)
class CreditCustomer:
    """Who is buying, for the customer due diligence (anti-money laundering) checks."""

    order_id: int
    customer_type: str
    full_name: str = ""
    date_of_birth: date | None = None
    nationality: str = ""
    organisation_name: str = ""
    organisation_number: str = ""
    id: int | None = None


@dataclass(eq=False)
class CreditInvoice:
    """The pro forma invoice: the offer to sell, at the prices in force on the day it was issued."""

    order_id: int
    number: str
    issued_on: date
    valid_until: date
    subtotal_pence: int
    vat_basis_points: int
    vat_pence: int
    total_pence: int
    issued_at: datetime
    issued_by: int | None = None
    id: int | None = None


@dataclass(eq=False)
class CreditInvoiceLine:
    """A line of a pro forma invoice: a tier's credits at the price in force when it was issued."""

    invoice_id: int
    tier: str
    quantity_hundredths: int
    unit_price_pence: int
    price_valid_from: date
    amount_pence: int
    id: int | None = None


@dataclass(eq=False)
class CreditProof:
    """The proof of purchase: a PDF in the file store, issued once the credits are allocated."""

    order_id: int
    issued_at: datetime
    file_id: int
    sha256: str
    issued_by: int | None = None
    id: int | None = None


@dataclass(eq=False)
class CreditOrderEvent:
    """What happened to an order, in the words its developer sees (the audit log has the detail)."""

    order_id: int
    at: datetime
    kind: str
    message: str = ""
    by_user_id: int | None = None
    id: int | None = None
