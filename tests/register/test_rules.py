"""The register's date rules, fees and references: exact at their edges."""

from __future__ import annotations

from datetime import date

import pytest

from bng.register.core.fees import FeePurpose, fee, pounds
from bng.register.core.references import (
    allocation_reference,
    application_reference,
    gain_site_reference,
    is_gain_site_reference,
    is_reference,
    normalise,
    payment_reference,
)
from bng.register.core.rules import add_months, add_years, land_charge_rule, long_date, thirty_year_rule


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 22), -2, date(2026, 9, 22)),
        (date(2026, 12, 31), -2, date(2026, 10, 31)),
        (date(2026, 4, 30), -2, date(2026, 2, 28)),
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
    ],
)
def test_add_months_ends_on_the_month_end_where_the_day_is_missing(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_thirty_years_from_a_leap_day() -> None:
    assert add_years(date(2024, 2, 29), 30) == date(2054, 2, 28)


def test_thirty_year_rule_is_exact_at_the_edge() -> None:
    works = date(2027, 3, 31)
    assert thirty_year_rule(works, date(2057, 3, 31)) == []
    assert thirty_year_rule(works, date(2060, 1, 1)) == []
    [problem] = thirty_year_rule(works, date(2057, 3, 30))
    assert problem.field == "secured_until"
    assert "at least 30 years" in problem.message and "31 March 2057" in problem.message


def test_land_charge_certificate_within_two_months() -> None:
    on = date(2026, 11, 22)
    assert land_charge_rule(date(2026, 9, 22), on) == []
    assert land_charge_rule(on, on) == []
    [old] = land_charge_rule(date(2026, 9, 21), on)
    assert "within 2 months" in old.message and "22 September 2026" in old.message
    [future] = land_charge_rule(date(2026, 11, 23), on)
    assert "in the future" in future.message


def test_fees_in_force_and_before_the_register_opened() -> None:
    assert fee(FeePurpose.REGISTRATION, date(2026, 11, 22)) == 63_900
    assert fee(FeePurpose.ALLOCATION, date(2026, 11, 22)) == 4_500
    with pytest.raises(ValueError, match="no registration fee"):
        fee(FeePurpose.REGISTRATION, date(2023, 12, 31))
    assert pounds(63_900) == "£639" and pounds(4_550) == "£45.50" and pounds(123_456_700) == "£1,234,567"


def test_gain_site_reference_is_the_date_and_the_number_of_the_day() -> None:
    assert gain_site_reference(date(2026, 11, 22), 1) == "BGS-221126001"
    assert gain_site_reference(date(2024, 1, 1), 12) == "BGS-010124012"
    assert is_gain_site_reference("bgs-010124001 ") and not is_gain_site_reference("BGS-0101")
    with pytest.raises(ValueError):
        gain_site_reference(date(2026, 11, 22), 0)


def test_random_references_are_unambiguous_and_normalise_misreadings() -> None:
    for make, prefix in ((application_reference, "APP"), (payment_reference, "PAY"), (allocation_reference, "ALL")):
        refs = {make() for _ in range(200)}
        assert len(refs) == 200
        assert all(is_reference(r, prefix) for r in refs)
        assert not any(c in r[4:] for r in refs for c in "ILOU")
    assert normalise(" app-0o1l-abcd ") == "APP-0011-ABCD"
    assert normalise("BGS-221126001") == "BGS-221126001"


def test_long_date() -> None:
    assert long_date(date(2026, 11, 2)) == "2 November 2026"
