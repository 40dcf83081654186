"""The price table of statutory biodiversity credits and the VAT rate on them, kept by the register team.

Prices change by adding a row with the date it applies from, never by editing one: what was in
force on any day stays known, and estimates and invoices of that day can be explained. A row not in
force yet may be removed (a mistake caught in time); a row in force, or past, may not. Every change
is audited. The table is seeded from the statutory prices shipped with the metric's reference data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem, gather, refuse
from bng.register.core.fees import pounds
from bng.register.core.ports import Clock
from bng.register.core.roles import Permission
from bng.register.core.rules import long_date
from bng.register.core.service import Service, require

from .amounts import TIER_LABELS, TIERS, parse_percent, parse_pounds, show_percent
from .ports import CreditUnitOfWorkFactory
from .pricing import in_force, vat_in_force
from .records import CreditPrice, VatRate

MAX_SOURCE = 500


@dataclass(frozen=True)
class PriceTable:
    """Every price and VAT rate, and those in force on a day."""

    on: date
    prices: list[CreditPrice]
    vat_rates: list[VatRate]
    current: dict[str, CreditPrice]
    current_vat: VatRate | None


def _start(valid_from: date | None, today: date, field: str) -> date:
    if valid_from is None:
        raise Invalid.one(field, "Enter the date the new rate applies from")
    if valid_from < today:
        raise Invalid.one(
            field,
            f"A new rate applies from today ({long_date(today)}) or later: what was in force before today stays as "
            "it was",
        )
    return valid_from


def _source(text: str | None) -> str:
    value = " ".join((text or "").split())
    if not value:
        raise Invalid.one("source", "Enter the source of the rate, for example the GOV.UK page and the date it changed")
    if len(value) > MAX_SOURCE:
        raise Invalid.one("source", f"The source must be {MAX_SOURCE} characters or fewer")
    return value


class CreditPrices(Service):
    """The price table of statutory biodiversity credits and VAT rates, kept by the register team."""

    def __init__(self, uow: CreditUnitOfWorkFactory, clock: Clock) -> None:
        super().__init__(uow, clock)
        self._credit_uow = uow

    def table(self, on: date | None = None) -> PriceTable:
        """The whole table (anyone may read it: it is what estimates use)."""
        day = on or self.today()
        with self._credit_uow() as uow:
            prices, rates = list(uow.credits.prices()), list(uow.credits.vat_rates())
        return PriceTable(day, prices, rates, in_force(prices, day), vat_in_force(rates, day))

    def add_price(
        self,
        actor: Actor | None,
        tier: str,
        price: str | None,
        valid_from: date | None,
        source: str | None,
        *,
        once: submissions.Once | None = None,
    ) -> CreditPrice:
        """Add a tier's price per credit from a date (today or later), with its source."""
        actor = require(actor, Permission.MANAGE_CREDIT_PRICES)
        problems: list[Problem] = []
        if tier not in TIERS:
            problems.append(Problem("tier", "Select the tier the price is for"))
        pence = gather(problems, lambda: parse_pounds(price, "price", "the price per credit"))
        start = gather(problems, lambda: _start(valid_from, self.today(), "valid_from"))
        text = gather(problems, lambda: _source(source))
        refuse(problems)
        assert pence is not None and start is not None and text is not None
        now = self.now()
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            if any(p.tier == tier and p.valid_from == start for p in uow.credits.prices()):
                raise Invalid.one(
                    "valid_from", f"{TIER_LABELS[tier]} already has a price from {long_date(start)}: remove it first"
                )
            row = CreditPrice(tier, pence, start, text, now, actor.user_id)
            uow.add(row)
            uow.flush()
            audit.record(uow, now, actor, "credit_price.added", "credit_price", row.id, None, audit.snapshot(row))
            uow.commit()
            return row

    def remove_price(self, actor: Actor | None, price_id: int, *, once: submissions.Once | None = None) -> CreditPrice:
        """Remove a price not yet in force (one that has applied stays: add a new price instead)."""
        actor = require(actor, Permission.MANAGE_CREDIT_PRICES)
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            row = uow.credits.price(price_id)
            if row is None:
                raise NotFound("No such price")
            if row.valid_from <= self.today():
                raise Conflict(
                    f"The price of {pounds(row.price_pence)} for {TIER_LABELS[row.tier]} has applied since "
                    f"{long_date(row.valid_from)}: add a new price instead of removing it"
                )
            before = audit.snapshot(row)
            uow.credits.delete(row)
            audit.record(uow, self.now(), actor, "credit_price.removed", "credit_price", price_id, before, None)
            uow.commit()
            return row

    def add_vat_rate(
        self,
        actor: Actor | None,
        rate: str | None,
        valid_from: date | None,
        source: str | None,
        *,
        once: submissions.Once | None = None,
    ) -> VatRate:
        """Add a VAT rate from a date (today or later), with its source."""
        actor = require(actor, Permission.MANAGE_CREDIT_PRICES)
        problems: list[Problem] = []
        basis_points = gather(problems, lambda: parse_percent(rate, "rate"))
        start = gather(problems, lambda: _start(valid_from, self.today(), "vat_valid_from"))
        text = gather(problems, lambda: _source(source))
        refuse(problems)
        assert basis_points is not None and start is not None and text is not None
        now = self.now()
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            if any(r.valid_from == start for r in uow.credits.vat_rates()):
                raise Invalid.one("vat_valid_from", f"There is already a VAT rate from {long_date(start)}")
            row = VatRate(basis_points, start, text, now, actor.user_id)
            uow.add(row)
            uow.flush()
            audit.record(uow, now, actor, "credit_vat_rate.added", "credit_vat_rate", row.id, None, audit.snapshot(row))
            uow.commit()
            return row

    def remove_vat_rate(self, actor: Actor | None, rate_id: int, *, once: submissions.Once | None = None) -> VatRate:
        """Remove a VAT rate not yet in force (one that has applied stays: add a new rate instead)."""
        actor = require(actor, Permission.MANAGE_CREDIT_PRICES)
        with self._credit_uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            row = uow.credits.vat_rate(rate_id)
            if row is None:
                raise NotFound("No such VAT rate")
            if row.valid_from <= self.today():
                raise Conflict(
                    f"VAT at {show_percent(row.basis_points)} has applied since {long_date(row.valid_from)}: "
                    "add a new rate instead of removing it"
                )
            before = audit.snapshot(row)
            uow.credits.delete(row)
            audit.record(uow, self.now(), actor, "credit_vat_rate.removed", "credit_vat_rate", rate_id, before, None)
            uow.commit()
            return row
