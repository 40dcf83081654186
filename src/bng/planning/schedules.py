"""Monitoring schedules: in which years after completion a report is due (and the LPA inspects).

An LPA's monitoring profile names a schedule; the schedule's band is chosen by the size (ha) of
the land the obligation monitors. Worcestershire's bands (source 003) are "less than 10", "10
to 20", "20 to 40" and "40 or more" hectares: the first is "less than" and the last "or more",
so bng reads every band as including its lower limit and excluding its upper one (20 ha is
Large, not Medium: the source's words put 20 in both).

Year N falls on the Nth anniversary of the start (the habitat works' completion, or the
commencement of development); the obligation ends after the period (30 years).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import ScheduleError
from .monitoring_tables import ScheduleBand, monitoring_tables

REPORT = "report"
INSPECTION = "inspection"


def add_years(start: date, years: int) -> date:
    """The anniversary; 29 February becomes 28 February in a year without it."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def schedule_band(schedule: str, size_ha: float) -> ScheduleBand:
    """The band of a monitoring schedule that a site of this size falls in."""
    bands = monitoring_tables().schedules.get(schedule)
    if not bands:
        raise ScheduleError(f"no monitoring schedule {schedule!r}")
    if size_ha < 0 or size_ha != size_ha:
        raise ScheduleError(f"the size monitored must be a number of hectares, not {size_ha!r}")
    for band in bands:
        if band.holds(size_ha):
            return band
    raise ScheduleError(f"schedule {schedule!r} has no band for {size_ha} ha")  # pragma: no cover (checked)


@dataclass(frozen=True, slots=True)
class Due:
    """Something due under an obligation: a monitoring report, or an LPA inspection, in year N."""

    kind: str  # REPORT or INSPECTION
    year: int
    on: date

    @property
    def title(self) -> str:
        """The event in words (a report or an inspection, and its year)."""
        what = "Monitoring report" if self.kind == REPORT else "LPA monitoring inspection"
        return f"{what}: year {self.year}"


def period_years() -> int:
    """How many years the habitat is monitored (30, from the rules table)."""
    return int(monitoring_tables().number("period_years"))


def end_date(start: date) -> date:
    """The last day monitoring covers: the period's years after the start."""
    return add_years(start, period_years())


def due_dates(start: date, band: ScheduleBand) -> tuple[Due, ...]:
    """The reports (and, where the LPA inspects, its inspections) of a band, from a start date.

    Where the source's years are the LPA's inspections (Worcestershire), bng asks the provider for a
    report in the same years, due on the anniversary, so the inspection has the report to check.
    """
    out: list[Due] = []
    last = period_years()
    for year in band.years:
        if year > last:
            continue
        on = add_years(start, year)
        out.append(Due(REPORT, year, on))
        if band.who == "LPA inspection":
            out.append(Due(INSPECTION, year, on))
    return tuple(out)
