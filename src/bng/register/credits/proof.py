"""The proof of purchase: the document a developer sends to the LPA with the biodiversity gain plan.

Its figures are the invoice's (what was paid, at the prices of the day the invoice was issued),
never recomputed from the price table, so a later price change cannot alter an issued proof.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bng.documents import render_pdf
from bng.register.core.rules import long_date

from .amounts import TIER_LABELS, show_percent, show_quantity
from .base import OrderView

TEMPLATE = "credits/proof_of_purchase.html.j2"
ISSUER = "Statutory biodiversity credits"


def money(pence: int) -> str:
    """£42,000.00 on documents (always with pence: it is an account of money paid)."""
    whole, rest = divmod(pence, 100)
    return f"£{whole:,}.{rest:02d}"


def purchaser(view: OrderView) -> str:
    """Who bought the credits, as the proof of purchase names them (an organisation with its number)."""
    c = view.customer
    if c is None:
        return ""
    if c.customer_type == "organisation":
        return f"{c.organisation_name} (registration number {c.organisation_number})"
    return c.full_name


def proof_context(view: OrderView, allocated_at: datetime) -> dict[str, Any]:
    """What the proof of purchase shows: the order, the credits per tier, the LPA, the metric and the payment."""
    order, invoice = view.order, view.invoice
    assert invoice is not None and order.submitted_at is not None and order.paid_on is not None
    lpa = view.lpa
    lpa_text = f"{lpa.name} (ONS code {lpa.ons_code})" if lpa and lpa.ons_code else (lpa.name if lpa else "")
    total_credits = sum(line.quantity_hundredths for line in view.invoice_lines)
    metric = view.metric_file
    return {
        "title": f"Proof of purchase {order.reference}",
        "issuer": ISSUER,
        "header_left": "Statutory biodiversity credits: proof of purchase",
        "header_right": order.reference,
        "footer_left": f"Issued {long_date(allocated_at.date())}",
        "reference": order.reference,
        "development_name": order.development_name,
        "planning_reference": order.planning_reference,
        "lpa": lpa_text,
        "purchaser": purchaser(view),
        "lines": [
            {
                "tier": TIER_LABELS[line.tier],
                "quantity": show_quantity(line.quantity_hundredths),
                "unit_price": money(line.unit_price_pence),
                "amount": money(line.amount_pence),
            }
            for line in view.invoice_lines
        ],
        "total_credits": show_quantity(total_credits),
        "subtotal": money(invoice.subtotal_pence),
        "vat_label": f"VAT ({show_percent(invoice.vat_basis_points)})",
        "vat": money(invoice.vat_pence),
        "total": money(invoice.total_pence),
        "submitted_on": long_date(order.submitted_at.date()),
        "invoice_number": invoice.number,
        "invoice_issued_on": long_date(invoice.issued_on),
        "paid_on": long_date(order.paid_on),
        "allocated_on": long_date(allocated_at.date()),
        "metric_name": metric.name if metric else "",
        "metric_release": order.metric_release,
        "metric_sha256": metric.sha256 if metric else "",
        "lpa_note": (
            f"Send this proof of purchase to {lpa.name if lpa else 'the LPA'} with the development's biodiversity "
            "gain plan: the credits count towards the development's biodiversity gain objective."
        ),
        "rule_note": (
            "Statutory biodiversity credits are sold under section 101 of the Environment Act 2021, as a last resort "
            "after on-site and registered off-site gains. Two credits are bought for each biodiversity unit of "
            "shortfall (the spatial risk multiplier of the statutory biodiversity metric). The amounts are those of "
            f"invoice {invoice.number}, at the prices in force on the day it was issued."
        ),
    }


def proof_pdf(view: OrderView, allocated_at: datetime) -> bytes:
    """The proof of purchase as a PDF, dated when the credits were allocated."""
    context = proof_context(view, allocated_at)
    return render_pdf(TEMPLATE, context, title=context["title"], created=allocated_at)


__all__ = ["money", "proof_context", "proof_pdf", "purchaser"]
