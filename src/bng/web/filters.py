"""Template filters: dates and times as GOV.UK writes them, money, units, areas."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup, escape

from bng.register.core.fees import pounds
from bng.register.core.ledger import shown

LONDON = ZoneInfo("Europe/London")


def long_date(value: date | str | None) -> str:
    """A date as GOV.UK writes it: 27 March 2026."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.day} {value:%B %Y}"


def when(value: datetime | None) -> str:
    """A UTC time as London time: 22 November 2026 at 10:05am."""
    if value is None:
        return ""
    local = value.replace(tzinfo=ZoneInfo("UTC")).astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def number(value: float | Decimal | None, places: int = 2) -> str:
    """A figure (units, hectares) with ``places`` decimals, as the pages show it."""
    return shown(value, places)


def lines(value: object) -> Markup:
    """Typed text as HTML with its line breaks kept (an address, a list of owners, a reason)."""
    return Markup("<br>").join(escape(line) for line in str(value if value is not None else "").split("\n"))


def stacked(params: dict[str, Any]) -> dict[str, Any]:
    """A GOV.UK table that stacks on a narrow screen (``bng-table--stack`` in app.css).

    Each cell is labelled with its column's heading, so a row reads as a short list and nothing is wider than
    the phone.
    """
    head = [str(h.get("text", "")) for h in params.get("head") or []]
    rows = []
    for row in params.get("rows") or []:
        cells, column = [], 0
        for cell in row:
            span = int(cell.get("colspan") or 1)
            attributes = dict(cell.get("attributes") or {})
            if span == 1 and column < len(head) and head[column]:
                attributes["data-label"] = head[column]
            cells.append({**cell, "attributes": attributes})
            column += span
        rows.append(cells)
    return {**params, "rows": rows, "classes": f"{params.get('classes', '')} bng-table--stack".strip()}


def register(app: Flask) -> None:
    """The pages' template filters (dates, money, figures, lines, tables)."""
    app.add_template_filter(lines, "lines")
    app.add_template_filter(stacked, "stacked")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(when, "when")
    app.add_template_filter(pounds, "pounds")
    app.add_template_filter(number, "number")
