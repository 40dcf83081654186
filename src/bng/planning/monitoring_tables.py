"""Monitoring's law and policy as data: schedules, fee models, LPA monitoring profiles and rules.

Four CSV tables in ``data/``, each row with its source and a confidence marker (V seen in an
official text, T a third-party summary, U bng's own choice), read once and checked together:

* ``monitoring_schedules.csv``: the years after completion in which reports are due (or the
  LPA inspects), by schedule and by the size of the land monitored;
* ``monitoring_fees.csv``: fee models (banded, fixed, per unit, hourly), amounts in pounds;
* ``monitoring_profiles.csv``: which schedule and fee model an LPA uses (by bng's LPA profile
  code or the LPA's ONS code), and when its fee falls due;
* ``monitoring_rules.csv``: the period (30 years), tolerances, reminder days.

A change in an LPA's schedule or fees is a new row with its dates, not new code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import pairwise
from types import MappingProxyType

from .errors import PlanningDataError
from .tables import _rows

FEE_KINDS = ("banded", "fixed", "per_unit", "hourly")
WHO = ("LPA inspection", "monitoring report")


@dataclass(frozen=True, slots=True)
class ScheduleBand:
    """One band of a monitoring schedule: the years after completion for land of this size (ha)."""

    schedule: str
    band: str
    size_from_ha: float
    size_to_ha: float | None  # exclusive; None: no upper limit
    years: tuple[int, ...]
    who: str  # "LPA inspection" (the LPA inspects; bng asks the provider for a report too) or "monitoring report"
    effective_from: date | None
    stated_to: date | None  # the period the source stated the schedule for (it may still be the latest)
    marker: str
    source: str

    def holds(self, size_ha: float) -> bool:
        """Whether a site of this size falls in the band (the lower bound included, the upper not)."""
        return self.size_from_ha <= size_ha and (self.size_to_ha is None or size_ha < self.size_to_ha)

    @property
    def size_text(self) -> str:
        """The band's sizes in words."""
        if self.size_to_ha is None:
            return f"{self.size_from_ha:g} ha or more" if self.size_from_ha else "any size"
        if not self.size_from_ha:
            return f"less than {self.size_to_ha:g} ha"
        return f"{self.size_from_ha:g} ha or more, less than {self.size_to_ha:g} ha"


@dataclass(frozen=True, slots=True)
class FeeRow:
    """One row of a fee model: a band (banded), or the model's one rate (fixed, per unit, hourly)."""

    model: str
    kind: str
    band: str
    size_from_ha: float | None  # banded by size; None: the band is chosen, not measured
    size_to_ha: float | None
    amount_gbp: float
    per: str  # "obligation", "unit" or "hour"
    hours: float | None  # hourly: the hours a visit takes
    vat: str  # "excluded" (the amount is net of VAT) or "unknown"
    at_least: bool  # "+": the amount is a minimum, a bespoke fee is agreed above it
    index: str  # the price index the amount follows ("" if none)
    effective_from: date | None
    stated_to: date | None
    marker: str
    source: str

    def holds(self, size_ha: float) -> bool:
        """Whether a site of this size falls in the fee's band (a fee with no size band holds none)."""
        if self.size_from_ha is None:
            return False
        return self.size_from_ha <= size_ha and (self.size_to_ha is None or size_ha < self.size_to_ha)


@dataclass(frozen=True, slots=True)
class MonitoringProfile:
    """An LPA's monitoring arrangements: its schedule, its fee model and when fees are due."""

    lpa: str  # an LPA profile code (lpa_profiles.csv) or an ONS code
    name: str
    schedule: str
    fee_model: str  # "" when no fee schedule is known
    fee_due: str
    marker: str
    source: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule of monitoring as data (a period, a count, a share), with its source."""

    name: str
    value: str
    unit: str
    meaning: str
    marker: str
    source: str

    def number(self) -> float:
        """The rule's value as a number."""
        return float(self.value)

    def numbers(self) -> tuple[float, ...]:
        """The rule's values as numbers (a list written with |)."""
        return tuple(float(v) for v in self.value.split("|"))


@dataclass(frozen=True)
class MonitoringTables:
    """The monitoring tables: schedules, fees, LPA profiles and rules, as read from data/."""

    schedules: Mapping[str, tuple[ScheduleBand, ...]]
    fees: Mapping[str, tuple[FeeRow, ...]]
    profiles: Mapping[str, MonitoringProfile]
    rules: Mapping[str, Rule]

    def number(self, name: str) -> float:
        """A rule's value as a number, by name."""
        return self.rules[name].number()

    def profile(self, *keys: str) -> MonitoringProfile:
        """The first profile named by one of the keys (an LPA profile code or ONS code), else the national one."""
        for key in keys:
            found = self.profiles.get(key.strip()) if key else None
            if found is not None:
                return found
        return self.profiles["national"]


def _date(text: str, where: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PlanningDataError(f"{where}: {text!r} is not a date") from None


def _number(text: str, where: str) -> float | None:
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise PlanningDataError(f"{where}: {text!r} is not a number") from None


def _schedules() -> dict[str, tuple[ScheduleBand, ...]]:
    name = "monitoring_schedules.csv"
    out: dict[str, list[ScheduleBand]] = {}
    for i, r in enumerate(_rows(name, ("schedule", "band", "size_from_ha", "size_to_ha", "years", "who")), start=2):
        where = f"{name} line {i}"
        try:
            years = tuple(int(y) for y in r["years"].split("|"))
        except ValueError:
            raise PlanningDataError(f"{where}: years must be whole numbers separated by |") from None
        if list(years) != sorted(set(years)) or years[0] < 1:
            raise PlanningDataError(f"{where}: years must rise from 1 or later")
        if r["who"] not in WHO:
            raise PlanningDataError(f"{where}: who must be one of {', '.join(WHO)}")
        low = _number(r["size_from_ha"], where)
        out.setdefault(r["schedule"], []).append(
            ScheduleBand(
                r["schedule"],
                r["band"],
                low if low is not None else 0.0,
                _number(r["size_to_ha"], where),
                years,
                r["who"],
                _date(r["effective_from"], where),
                _date(r["stated_to"], where),
                r["marker"],
                r["source"],
            )
        )
    for code, bands in out.items():  # contiguous from 0 ha with no upper limit on the last band
        if bands[0].size_from_ha != 0 or bands[-1].size_to_ha is not None:
            raise PlanningDataError(f"{name}: schedule {code} must start at 0 ha and end with no upper limit")
        for a, b in pairwise(bands):
            if a.size_to_ha != b.size_from_ha:
                raise PlanningDataError(f"{name}: schedule {code}: band {b.band} does not start where {a.band} ends")
    return {k: tuple(v) for k, v in out.items()}


def _fees() -> dict[str, tuple[FeeRow, ...]]:
    name = "monitoring_fees.csv"
    out: dict[str, list[FeeRow]] = {}
    cols = ("model", "kind", "band", "size_from_ha", "size_to_ha", "amount_gbp", "per", "hours", "vat", "at_least")
    for i, r in enumerate(_rows(name, cols), start=2):
        where = f"{name} line {i}"
        if r["kind"] not in FEE_KINDS:
            raise PlanningDataError(f"{where}: kind must be one of {', '.join(FEE_KINDS)}")
        if r["at_least"] not in ("yes", "no") or r["vat"] not in ("excluded", "unknown"):
            raise PlanningDataError(f"{where}: at_least is yes or no; vat is excluded or unknown")
        amount = _number(r["amount_gbp"], where)
        if amount is None or amount < 0:
            raise PlanningDataError(f"{where}: amount_gbp must be a number of pounds")
        hours = _number(r["hours"], where)
        if r["kind"] == "hourly" and not hours:
            raise PlanningDataError(f"{where}: an hourly fee says how many hours")
        out.setdefault(r["model"], []).append(
            FeeRow(
                r["model"],
                r["kind"],
                r["band"],
                _number(r["size_from_ha"], where),
                _number(r["size_to_ha"], where),
                amount,
                r["per"],
                hours,
                r["vat"],
                r["at_least"] == "yes",
                r["index"],
                _date(r["effective_from"], where),
                _date(r["stated_to"], where),
                r["marker"],
                r["source"],
            )
        )
    for code, rows in out.items():
        kinds = {x.kind for x in rows}
        if len(kinds) != 1:
            raise PlanningDataError(f"{name}: fee model {code} mixes kinds {sorted(kinds)}")
        if rows[0].kind != "banded" and len(rows) != 1:
            raise PlanningDataError(f"{name}: fee model {code} ({rows[0].kind}) has one rate, not {len(rows)}")
    return {k: tuple(v) for k, v in out.items()}


@cache
def monitoring_tables() -> MonitoringTables:
    """Every monitoring table, read and checked once."""
    schedules = _schedules()
    fees = _fees()
    profiles: dict[str, MonitoringProfile] = {}
    for r in _rows("monitoring_profiles.csv", ("lpa", "name", "schedule", "fee_model", "fee_due")):
        p = MonitoringProfile(
            r["lpa"], r["name"], r["schedule"], r["fee_model"], r["fee_due"], r["marker"], r["source"]
        )
        if p.schedule not in schedules:
            raise PlanningDataError(f"monitoring_profiles.csv {p.lpa}: no schedule {p.schedule!r}")
        if p.fee_model and p.fee_model not in fees:
            raise PlanningDataError(f"monitoring_profiles.csv {p.lpa}: no fee model {p.fee_model!r}")
        profiles[p.lpa] = p
    if "national" not in profiles:
        raise PlanningDataError("monitoring_profiles.csv: the national profile is missing")
    rules = {
        r["name"]: Rule(r["name"], r["value"], r["unit"], r["meaning"], r["marker"], r["source"])
        for r in _rows("monitoring_rules.csv", ("name", "value", "unit", "meaning", "marker", "source"))
    }
    for needed in (
        "period_years",
        "extent_behind_below_percent",
        "extent_failed_below_percent",
        "units_behind_below_percent",
        "reminder_days_before",
        "report_grace_days",
    ):
        if needed not in rules:
            raise PlanningDataError(f"monitoring_rules.csv: {needed} is missing")
    return MonitoringTables(
        MappingProxyType(schedules), MappingProxyType(fees), MappingProxyType(profiles), MappingProxyType(rules)
    )
