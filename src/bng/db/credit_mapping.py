"""Classical mappings of the credit records (``bng.register.credits.records``) onto their tables."""

from __future__ import annotations

from typing import Any

from bng.register.credits import records as r

from . import credit_tables as t


def map_credit_models(map_imperatively: Any) -> None:
    """Map the credit records with the register's mapper registry (called once by ``map_models``)."""
    m = map_imperatively
    m(r.CreditPrice, t.credit_price)
    m(r.VatRate, t.credit_vat_rate)
    m(r.CreditOrder, t.credit_order, version_id_col=t.credit_order.c.version)
    m(r.CreditOrderLine, t.credit_order_line)
    m(r.CreditCustomer, t.credit_customer)
    m(r.CreditInvoice, t.credit_invoice)
    m(r.CreditInvoiceLine, t.credit_invoice_line)
    m(r.CreditProof, t.credit_proof)
    m(r.CreditOrderEvent, t.credit_order_event)
