"""Monitoring fees: what an LPA charges to monitor an obligation over 30 years, per its fee model.

The models in ``monitoring_fees.csv`` (planning-side spec §4.7):

* **banded** by the size of the land monitored (Worcestershire, source 003: four bands, amounts
  excluding VAT, the top band "£20,361.68+" a minimum above which a bespoke fee is agreed), or by
  a band the officer chooses (Broxtowe, whose band wording is delegated to officers);
* **fixed** per obligation (Windsor and Maidenhead, New Forest DC);
* **per unit**: pounds per biodiversity unit secured (Calderdale, Wyre Forest);
* **hourly**: a rate × the hours of a visit × the visits (New Forest NPA: £41.65 × 8 hours).

A row whose ``index`` names a price index is index-linked: the amount moves with the index from
the row's ``effective_from`` month to the month the fee is quoted. bng ships no index values
(no profile it holds is index-linked with known amounts); a deployment that needs one passes
the series. Fees may only recover costs (CIL Regs 2010 reg 122, as amended in 2019): the table
is each LPA's own schedule, never a bng estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .errors import FeeError
from .monitoring_tables import FeeRow, monitoring_tables


@dataclass(frozen=True, slots=True)
class FeeQuote:
    """A fee quoted from a published schedule: the amount, whether it is a minimum, and whether VAT is in it."""

    model: str
    kind: str
    band: str
    amount_gbp: Decimal  # to the penny
    at_least: bool  # a minimum: a bespoke fee is agreed above it
    vat: str  # "excluded" or "unknown"
    basis: str  # how the amount was reached, in words
    marker: str
    source: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """The fee in words, as a schedule writes it."""
        plus = "+" if self.at_least else ""
        vat = " excluding VAT" if self.vat == "excluded" else ""
        return f"£{self.amount_gbp:,.2f}{plus}{vat}"

    def to_dict(self) -> dict[str, object]:
        """The fee as JSON (the amount as text, exact to the penny)."""
        return {
            "model": self.model,
            "kind": self.kind,
            "band": self.band,
            "amount_gbp": str(self.amount_gbp),
            "at_least": self.at_least,
            "vat": self.vat,
            "text": self.text,
            "basis": self.basis,
            "marker": self.marker,
            "source": self.source,
            "notes": list(self.notes),
        }


def long_date(d: date) -> str:
    """A date as the documents write it (1 May 2025)."""
    return f"{d.day} {d:%B %Y}"


def pence(amount: float | Decimal) -> Decimal:
    """An amount rounded to the penny, halves up, as fees are."""
    return Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _in_force(rows: tuple[FeeRow, ...], on: date) -> tuple[FeeRow, ...]:
    started = [r for r in rows if r.effective_from is None or r.effective_from <= on]
    if not started:
        return ()
    latest = max((r.effective_from or date.min) for r in started)
    return tuple(r for r in started if (r.effective_from or date.min) == latest)


def _indexed(row: FeeRow, amount: Decimal, on: date, indices: Mapping[str, float] | None) -> tuple[Decimal, str]:
    if not row.index:
        return amount, ""
    if row.effective_from is None:
        return amount, f"index-linked to {row.index}, but the schedule has no start date to index from"
    base_key, now_key = row.effective_from.strftime("%Y-%m"), on.strftime("%Y-%m")
    series = indices or {}
    if base_key not in series or now_key not in series:
        return amount, f"index-linked to {row.index}: no index value for {base_key} or {now_key}, amount not moved"
    factor = Decimal(str(series[now_key])) / Decimal(str(series[base_key]))
    return pence(amount * factor), f"index-linked: × {row.index} {now_key} / {base_key} = {factor:.6f}"


def quote(
    model: str,
    *,
    on: date,
    size_ha: float | None = None,
    units: float | None = None,
    band: str | None = None,
    visits: int = 1,
    indices: Mapping[str, float] | None = None,
) -> FeeQuote:
    """The fee of a model on a date, for land of ``size_ha`` hectares securing ``units`` biodiversity units."""
    rows = monitoring_tables().fees.get(model)
    if not rows:
        raise FeeError(f"no fee model {model!r}")
    live = _in_force(rows, on)
    if not live:
        first = min(r.effective_from for r in rows if r.effective_from is not None)
        raise FeeError(f"{model}'s fee schedule applies from {long_date(first)}, not on {long_date(on)}")
    kind = live[0].kind
    notes: list[str] = []
    if kind == "banded":
        if band:
            found = [r for r in live if r.band.lower() == band.strip().lower()]
            if not found:
                raise FeeError(f"{model} has no band {band!r} (bands: {', '.join(r.band for r in live)})")
            row = found[0]
            basis = f"band {row.band}, as chosen"
        else:
            if size_ha is None:
                raise FeeError(f"{model}'s fee is banded: give the size monitored or choose a band")
            sized = [r for r in live if r.holds(size_ha)]
            if not sized:
                raise FeeError(
                    f"{model}'s bands are chosen, not measured: choose one of {', '.join(r.band for r in live)}"
                )
            row = sized[0]
            limit = f"less than {row.size_to_ha:g} ha" if row.size_to_ha is not None else "no upper limit"
            basis = f"{size_ha:g} ha: band {row.band} ({row.size_from_ha:g} ha or more, {limit})"
        amount = pence(row.amount_gbp)
    elif kind == "fixed":
        row = live[0]
        amount = pence(row.amount_gbp)
        basis = "a fixed fee per obligation"
    elif kind == "per_unit":
        row = live[0]
        if units is None:
            raise FeeError(f"{model}'s fee is per biodiversity unit: give the units secured")
        amount = pence(Decimal(str(row.amount_gbp)) * Decimal(str(units)))
        basis = f"£{row.amount_gbp:,.2f} a unit × {units:.4f} units"
    else:  # hourly
        row = live[0]
        if visits < 1:
            raise FeeError("an hourly fee needs at least one visit")
        hours = row.hours or 0.0
        amount = pence(Decimal(str(row.amount_gbp)) * Decimal(str(hours)) * visits)
        basis = f"£{row.amount_gbp:,.2f} an hour × {hours:g} hours × {visits} visit{'s' if visits != 1 else ''}"
    amount, index_note = _indexed(row, amount, on, indices)
    if index_note:
        notes.append(index_note)
    if row.stated_to is not None and on > row.stated_to:
        notes.append(
            f"the schedule was stated to {long_date(row.stated_to)}; no later one is known, so it is used "
            f"(the LPA reviews it: check the amount with them)"
        )
    if row.at_least:
        notes.append("the amount is a minimum: a bespoke fee is agreed with the LPA above it")
    return FeeQuote(model, kind, row.band, amount, row.at_least, row.vat, basis, row.marker, row.source, tuple(notes))
