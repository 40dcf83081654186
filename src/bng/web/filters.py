"""Template filters: dates and times as GOV.UK writes them, money, units, areas."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup, escape

from bng.register.fees import pounds
from bng.register.ledger import MICRO

LONDON = ZoneInfo("Europe/London")


def long_date(value: date | str | None) -> str:
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


def micro(value: int, places: int = 2) -> str:
    return f"{value / MICRO:,.{places}f}"


def number(value: float | None, places: int = 2) -> str:
    return "" if value is None else f"{value:,.{places}f}"


def lines(value: object) -> Markup:
    """Typed text as HTML with its line breaks kept (an address, a list of owners, a reason)."""
    return Markup("<br>").join(escape(line) for line in str(value if value is not None else "").split("\n"))


def register(app: Flask) -> None:
    app.add_template_filter(lines, "lines")
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(when, "when")
    app.add_template_filter(pounds, "pounds")
    app.add_template_filter(micro, "micro")
    app.add_template_filter(number, "number")
