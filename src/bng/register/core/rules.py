"""The register's date rules: the 30-year rule and the age of the local land charge search.

Calendar arithmetic follows the usual legal reading: a period of months or years from a day
ends on the same day of the later month, or on that month's last day where it has no such day
(30 years from 29 February 2024 is 28 February 2054).
"""

from __future__ import annotations

import calendar
from datetime import date

from .errors import Problem

MINIMUM_YEARS_SECURED = 30
"""Environment Act 2021 Sch. 7A para 9(3): the habitat is maintained for at least 30 years after the works complete."""
LAND_CHARGE_MAX_AGE_MONTHS = 2
"""The local land charge search certificate must be dated within 2 months of the application."""


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), or that month's last day where it has no such day."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; from 29 February, the 28th where the year has no 29th."""
    return add_months(day, 12 * years)


def thirty_year_rule(works_completion: date, secured_until: date, section: str = "legal-agreement") -> list[Problem]:
    """The agreement must secure the habitat for at least 30 years after the works complete."""
    needed = add_years(works_completion, MINIMUM_YEARS_SECURED)
    if secured_until >= needed:
        return []
    return [
        Problem(
            "secured_until",
            f"The legal agreement secures the habitat until {long_date(secured_until)}, but it must be secured for "
            f"at least {MINIMUM_YEARS_SECURED} years after the habitat works complete ({long_date(works_completion)}), "
            f"that is until {long_date(needed)} or later",
            section,
        )
    ]


def land_charge_rule(certificate_date: date, on: date, section: str = "land-charge") -> list[Problem]:
    """The certificate must be dated on or before ``on`` and no more than 2 months before it."""
    if certificate_date > on:
        return [
            Problem(
                "certificate_date",
                f"The local land charge search certificate date ({long_date(certificate_date)}) is in the future",
                section,
            )
        ]
    earliest = add_months(on, -LAND_CHARGE_MAX_AGE_MONTHS)
    if certificate_date < earliest:
        return [
            Problem(
                "certificate_date",
                f"The local land charge search certificate is dated {long_date(certificate_date)}; it must be dated "
                f"within {LAND_CHARGE_MAX_AGE_MONTHS} months of the application, that is on or after "
                f"{long_date(earliest)}. Get a new search certificate",
                section,
            )
        ]
    return []


def long_date(day: date) -> str:
    """The GOV.UK style: 22 November 2026."""
    return f"{day.day} {day:%B %Y}"
