"""A credit order's answers and figures as GOV.UK summary lists and tables, worded as the guidance words them.

They appear on check your answers, the order page and the case page.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from bng.register.applications.habitats import MODULE_LABELS
from bng.register.core.fees import pounds
from bng.register.core.ledger import shown
from bng.register.credits.amounts import TIER_LABELS, show_percent, show_quantity
from bng.register.credits.answers import summary
from bng.register.credits.base import OrderView
from bng.register.credits.metric import MetricCredits
from bng.register.credits.orders import SECTION_BY_KEY
from bng.register.credits.pricing import Quote

from .filters import number
from .summaries import summary_row


def all_sections(view: OrderView, editable: bool) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Each section's key, title and summary list rows (``credits.answers``); with Change links when ``editable``."""
    reference = view.order.reference
    metric_page = url_for("credits.metric", reference=reference)
    out = []
    for key, rows in summary(view):
        change = url_for("credits.section", reference=reference, key=key, back="check") if editable else None
        out.append((key, SECTION_BY_KEY[key].title, [summary_row(r, change, metric_page) for r in rows]))
    return out


def gains_table(metric: MetricCredits) -> dict[str, Any]:
    """The gain hierarchy in the metric's own figures, module by module."""
    rows = []
    for g in metric.gains:
        rows.append(
            [
                {"text": MODULE_LABELS[g.module]},
                {"text": number(g.on_site_change), "format": "numeric"},
                {"text": number(g.off_site_change), "format": "numeric"},
                {"text": number(g.unit_deficit), "format": "numeric"},
            ]
        )
    return {
        "caption": "What the metric delivers, in biodiversity units",
        "captionClasses": "govuk-table__caption--s",
        "firstCellIsHeader": True,
        "head": [
            {"text": "Module"},
            {"text": "On-site net change", "format": "numeric"},
            {"text": "Off-site (registered gain sites in the metric)", "format": "numeric"},
            {"text": "Unit deficit still to meet", "format": "numeric"},
        ],
        "rows": rows,
    }


def quote_table(q: Quote, metric: MetricCredits | None = None, caption: str = "") -> dict[str, Any]:
    """Tiers, credits, prices and amounts, then the sum, the VAT (separately) and the total."""
    rows: list[list[dict[str, Any]]] = []
    for line in q.lines:
        row = [{"text": TIER_LABELS[line.tier]}]
        if metric is not None:
            figure = metric.by_tier.get(line.tier)
            row.append({"text": _shortfall(figure / 2 if figure is not None else None), "format": "numeric"})
        row += [
            {"text": show_quantity(line.quantity_hundredths), "format": "numeric"},
            {"text": pounds(line.unit_price_pence), "format": "numeric"},
            {"text": pounds(line.amount_pence), "format": "numeric"},
        ]
        rows.append(row)
    span = 4 if metric is not None else 3
    bold = "govuk-!-font-weight-bold"
    rows += [
        [{"text": "Price of the credits (excluding VAT)", "colspan": span}, _money(q.subtotal_pence)],
        [{"text": f"VAT ({show_percent(q.vat_basis_points)})", "colspan": span}, _money(q.vat_pence)],
        [{"text": "Total", "colspan": span, "classes": bold}, _money(q.total_pence, bold)],
    ]
    head = [{"text": "Tier"}]
    if metric is not None:
        head.append({"text": "Unit shortfall", "format": "numeric"})
    head += [
        {"text": "Credits", "format": "numeric"},
        {"text": "Price per credit", "format": "numeric"},
        {"text": "Cost", "format": "numeric"},
    ]
    table: dict[str, Any] = {"firstCellIsHeader": True, "head": head, "rows": rows}
    if caption:
        table |= {"caption": caption, "captionClasses": "govuk-table__caption--m"}
    return table


def _shortfall(units: float | None) -> str:
    """A unit shortfall to 4 decimal places, without trailing zeros past the second: 12.14, 10.1168."""
    if units is None:
        return ""
    text = shown(units, 4)
    return text[:-2] + text[-2:].rstrip("0") if text.endswith("0") else text


def _money(pence: int, classes: str = "") -> dict[str, Any]:
    cell: dict[str, Any] = {"text": pounds(pence), "format": "numeric"}
    if classes:
        cell["classes"] = classes
    return cell


def search_rows(evidence: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """The gain sites the register's search found, each with its matching habitats and their unallocated units."""
    rows: list[list[dict[str, Any]]] = []
    for f in evidence.get("found", []):
        href = url_for("public.site", reference=f["reference"])
        site = Markup(
            f'<a class="govuk-link bng-nowrap" href="{href}">{escape(f["reference"])}</a><br>{escape(f["name"])}'
        )
        where = f["lpa"] if f["where"] == "in the development's LPA" else f"{f['lpa']} (a neighbouring LPA)"
        matches = Markup("<br>").join(
            escape(f"{', '.join(m['habitats'] or [m['term']])}: {number(m['remaining_units'])}") for m in f["matches"]
        )
        rows.append(
            [
                {"html": site},
                {"text": where},
                {"html": matches},
                {"text": number(f["remaining_units"]), "format": "numeric"},
            ]
        )
    return rows


SEARCH_HEAD = [
    {"text": "Gain site"},
    {"text": "LPA"},
    {"text": "Habitat created or enhanced, units not yet allocated"},
    {"text": "Total units not yet allocated", "format": "numeric"},
]
