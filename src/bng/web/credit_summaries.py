"""An order's answers and figures as GOV.UK summary lists and tables (check your answers, the order
and case pages), worded as the guidance words them."""

from __future__ import annotations

from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from bng.register.applications.habitats import MODULE_LABELS
from bng.register.core.fees import pounds
from bng.register.core.ledger import shown
from bng.register.credits.amounts import TIER_LABELS, TIERS, show_percent, show_quantity
from bng.register.credits.base import OrderView
from bng.register.credits.metric import MetricCredits
from bng.register.credits.orders import SECTIONS
from bng.register.credits.pricing import Quote

from .filters import lines, long_date, number
from .summaries import file_size


def _row(key: str, value: Any, change: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "key": {"text": key},
        "value": {"html": value if isinstance(value, Markup) else lines(value)},
    }
    if change:
        row["actions"] = {"items": [{"href": change, "text": "Change", "visuallyHiddenText": key.lower()}]}
    return row


def _lines(*parts: Any) -> Markup:
    return Markup("<br>").join(escape(p) for p in parts if p)


def section_rows(view: OrderView, key: str, editable: bool) -> list[dict[str, Any]]:
    order = view.order
    a: dict[str, Any] = order.answers.get(key) or {}
    change = url_for("credits.section", reference=order.reference, key=key, back="check") if editable else None
    if key == "development":
        lpa = view.lpa
        lpa_text = f"{lpa.name} ({lpa.ons_code})" if lpa and lpa.ons_code else (lpa.name if lpa else "")
        return [
            _row("Local planning authority (LPA)", lpa_text, change),
            _row("Planning application reference", order.planning_reference or a.get("planning_reference", ""), change),
            _row("Name of the development", order.development_name or a.get("development_name", ""), change),
        ]
    if key == "metric":
        f = view.metric_file
        metric = view.metric
        if f is None or metric is None:
            return [_row("Metric", "Not uploaded", change)]
        href = url_for("credits.metric", reference=order.reference)
        link = Markup(f'<a class="govuk-link" href="{href}">{escape(f.name)}</a> ({file_size(f.size)})')
        return [_row("Metric", link, change), _row("Metric release", metric.release_title or metric.metric_release)]
    if key == "quantities":
        quantities = {line.tier: line.quantity_hundredths for line in view.lines} or {
            t: int(n) for t, n in (a.get("by_tier") or {}).items()
        }
        shown = [f"{TIER_LABELS[t]}: {show_quantity(quantities[t])}" for t in TIERS if quantities.get(t, 0) > 0]
        return [_row("Credits to buy", _lines(*shown) if shown else "None", change)]
    if key == "gain-hierarchy":
        return [
            _row(
                "Why on-site gains cannot deliver the units", order.onsite_reason or a.get("onsite_reason", ""), change
            ),
            _row(
                "Why registered off-site gains cannot deliver them",
                order.offsite_reason or a.get("offsite_reason", ""),
                change,
            ),
        ]
    if key == "purchase-order":
        return [_row("Purchase order number", order.purchase_order or a.get("purchase_order") or "None", change)]
    if key == "due-diligence":
        c = view.customer
        kind = c.customer_type if c else a.get("customer_type", "")
        if kind == "organisation":
            return [
                _row("Buying", "For an organisation", change),
                _row("Organisation", c.organisation_name if c else a.get("organisation_name", ""), change),
                _row("Registration number", c.organisation_number if c else a.get("organisation_number", ""), change),
            ]
        born = c.date_of_birth if c else a.get("date_of_birth")
        return [
            _row("Buying", "As an individual", change),
            _row("Full name", c.full_name if c else a.get("full_name", ""), change),
            _row("Date of birth", long_date(born), change),
            _row("Nationality", c.nationality if c else a.get("nationality", ""), change),
        ]
    accepted = bool(a.get("accepted")) or order.terms_accepted_at is not None
    return [
        _row("Terms and conditions", "Accepted; buying for my own development" if accepted else "Not accepted", change)
    ]


def all_sections(view: OrderView, editable: bool) -> list[tuple[str, str, list[dict[str, Any]]]]:
    return [(s.key, s.title, section_rows(view, s.key, editable)) for s in SECTIONS]


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
    """The gain sites the register's search found, each with its matching habitats and their units not
    yet allocated."""
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
