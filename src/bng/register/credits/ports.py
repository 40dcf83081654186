"""What the credit services need from storage, as interfaces (``bng.db.credit_repos`` implements them).

The credit services work on the register's unit of work, which also carries ``credits``: one
transaction covers an order, its audit entries, its files and the register records it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from bng.register.core.ports import UnitOfWork

from .records import (
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


class CreditRecords(Protocol):
    """The stored statutory biodiversity credit sales: orders, their lines, invoices, proofs, prices and VAT."""

    def order(self, reference: str, *, for_update: bool = False) -> CreditOrder | None:
        """The order with this reference (locked for the transaction with ``for_update``)."""
        ...

    def orders_of(self, owner_id: int) -> Sequence[CreditOrder]:
        """A developer's orders, newest first."""
        ...

    def orders_with_status(self, statuses: Sequence[str]) -> Sequence[CreditOrder]:
        """The orders in any of these states, first submitted first (a register team queue)."""
        ...

    def orders_with_metric(self, sha256: str) -> Sequence[CreditOrder]:
        """The submitted orders whose metric has this SHA-256 (any status but draft)."""
        ...

    def orders_sent_to(self, lpa_id: int) -> Sequence[CreditOrder]:
        """The orders whose proof of purchase was sent to this LPA."""
        ...

    def lines(self, order_id: int) -> Sequence[CreditOrderLine]:
        """The order's credits, a line per tier."""
        ...

    def customer(self, order_id: int) -> CreditCustomer | None:
        """Who is buying, for the customer due diligence checks."""
        ...

    def invoice(self, order_id: int) -> CreditInvoice | None:
        """The order's pro forma invoice, once issued."""
        ...

    def invoice_lines(self, invoice_id: int) -> Sequence[CreditInvoiceLine]:
        """The invoice's lines, at the prices fixed when it was issued."""
        ...

    def proof(self, order_id: int) -> CreditProof | None:
        """The order's proof of purchase, once the credits are allocated."""
        ...

    def events(self, order_id: int) -> Sequence[CreditOrderEvent]:
        """The order's history, oldest first, in the words its developer sees."""
        ...

    def prices(self) -> Sequence[CreditPrice]:
        """Every row of the price table (past, in force and future)."""
        ...

    def price(self, price_id: int) -> CreditPrice | None:
        """One row of the price table."""
        ...

    def vat_rates(self) -> Sequence[VatRate]:
        """Every VAT rate with its effective date."""
        ...

    def vat_rate(self, rate_id: int) -> VatRate | None:
        """One VAT rate."""
        ...

    def delete(self, record: CreditPrice | VatRate) -> None:
        """Remove a price or VAT rate not yet in force."""
        ...


class CreditUnitOfWork(UnitOfWork, Protocol):
    """A unit of work with the credit records beside the register's core records."""

    credits: CreditRecords

    def __enter__(self) -> CreditUnitOfWork: ...


CreditUnitOfWorkFactory = Callable[..., CreditUnitOfWork]
