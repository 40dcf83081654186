"""Estimating the cost of statutory biodiversity credits (public, no account, nothing stored).

From a metric (workbook or site file), the credits per tier are the workbook's unit shortfall
summary rounded up to hundredths; or the quantities are typed. Either way they are priced from the
operator's price table on a chosen date, with VAT shown separately.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bng.register.core.errors import Invalid, Problem
from bng.register.core.ports import Clock
from bng.register.core.service import Service

from .amounts import TIERS, parse_quantity
from .metric import MetricCredits, metric_credits
from .ports import CreditUnitOfWorkFactory
from .pricing import Quote, quote


@dataclass(frozen=True)
class Estimate:
    """What statutory biodiversity credits would cost on a date, from a metric or from typed quantities."""

    on: date
    quantities: dict[str, int]
    quote: Quote
    metric: MetricCredits | None = None

    @property
    def nothing_needed(self) -> bool:
        """No tier needs credits (the metric has no unit shortfall): there is nothing to buy."""
        return not any(self.quantities.values())


class CreditEstimates(Service):
    """Estimates of credits and their cost for anyone, before an order: nothing is stored."""

    def __init__(self, uow: CreditUnitOfWorkFactory, clock: Clock) -> None:
        super().__init__(uow, clock)
        self._credit_uow = uow

    def _price(self, quantities: dict[str, int], on: date | None) -> Quote:
        with self._credit_uow() as uow:
            prices, rates = list(uow.credits.prices()), list(uow.credits.vat_rates())
        return quote(quantities, prices, rates, on or self.today(), field="on")

    def from_metric(self, filename: str, data: bytes, on: date | None = None) -> Estimate:
        """Credits from an uploaded metric; a tier the workbook shows as an error stops the estimate."""
        if not data:
            raise Invalid.one("metric_file", "Upload a statutory biodiversity metric, or choose to type the credits")
        credits = metric_credits(filename, data, "metric_file")
        if not credits.usable:
            raise Invalid.one("metric_file", credits.tier_error())
        quantities = {t: credits.needed[t] or 0 for t in TIERS}
        return Estimate(on or self.today(), quantities, self._price(quantities, on), credits)

    def from_quantities(self, typed: Mapping[str, str], on: date | None = None) -> Estimate:
        """Credits typed per tier (up to 2 decimals each)."""
        quantities: dict[str, int] = {}
        problems: list[Problem] = []
        for tier in TIERS:
            name = f"quantity_{tier}"
            try:
                quantities[tier] = parse_quantity(typed.get(name, ""), tier, name)
            except Invalid as err:
                problems += err.problems
        if problems:
            raise Invalid("There is a problem", problems)
        if not any(quantities.values()):
            raise Invalid.one("quantity_A1", "Enter the credits for at least one tier")
        return Estimate(on or self.today(), quantities, self._price(quantities, on))
