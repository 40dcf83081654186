"""Pricing statutory biodiversity credits from the operator's price table, on a date.

Which price is in force is the engine's rule (``bng.metric.credits.prices_on``: the latest row
valid from that date or before); the sums are ours, exact in pence. VAT is its own table with
effective dates, shown separately from the price, never folded into it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bng.metric import TIERS, prices_on
from bng.metric import CreditPrice as EnginePrice
from bng.register.core.errors import Invalid
from bng.register.core.rules import long_date

from .amounts import TIER_LABELS, line_amount, vat_amount
from .records import CreditPrice, VatRate

MODULES = {"H": "hedgerow", "W": "watercourse"}


@dataclass(frozen=True, slots=True)
class QuoteLine:
    """A tier's line of a quote: the credits, the price per credit in force and the amount."""

    tier: str
    quantity_hundredths: int
    unit_price_pence: int
    price_valid_from: date
    amount_pence: int


@dataclass(frozen=True, slots=True)
class Quote:
    """What credits cost on a date: a line per tier ordered, the sum, the VAT and the total."""

    on: date
    lines: tuple[QuoteLine, ...]
    subtotal_pence: int
    vat_basis_points: int
    vat_valid_from: date
    vat_pence: int

    @property
    def total_pence(self) -> int:
        """What the credits cost with VAT."""
        return self.subtotal_pence + self.vat_pence


def in_force(prices: Sequence[CreditPrice], on: date) -> dict[str, CreditPrice]:
    """The price row of each tier in force on a date."""
    engine = [
        EnginePrice(p.tier, p.price_pence / 100, MODULES.get(p.tier, "area"), 2.0, p.valid_from)
        for p in prices
        if p.tier in TIERS
    ]
    rows = {(p.tier, p.valid_from): p for p in prices}
    return {tier: rows[(tier, chosen.valid_from)] for tier, chosen in prices_on(engine, on).items()}


def vat_in_force(rates: Sequence[VatRate], on: date) -> VatRate | None:
    """The VAT rate in force on a date: the latest valid from that date or before (None if none)."""
    current = [r for r in rates if r.valid_from <= on]
    return max(current, key=lambda r: r.valid_from) if current else None


def quote(
    quantities: Mapping[str, int], prices: Sequence[CreditPrice], rates: Sequence[VatRate], on: date, field: str = ""
) -> Quote:
    """Price quantities (hundredths per tier) on a date; Invalid if a tier or VAT has no rate in force."""
    current = in_force(prices, on)
    lines: list[QuoteLine] = []
    for tier in TIERS:
        n = quantities.get(tier, 0)
        if n <= 0:
            continue
        price = current.get(tier)
        if price is None:
            raise Invalid.one(
                field or f"quantity_{tier}",
                f"There is no price for {TIER_LABELS[tier]} in force on {long_date(on)}: the price table starts later",
            )
        lines.append(QuoteLine(tier, n, price.price_pence, price.valid_from, line_amount(n, price.price_pence)))
    vat = vat_in_force(rates, on)
    if vat is None:
        raise Invalid.one(field or "on", f"There is no VAT rate in force on {long_date(on)}")
    subtotal = sum(line.amount_pence for line in lines)
    return Quote(on, tuple(lines), subtotal, vat.basis_points, vat.valid_from, vat_amount(subtotal, vat.basis_points))
