"""Monitoring's pure rules: schedules and fees as the tables say (every boundary), the calendar of a 30-year
obligation, each parcel judged against the metric's path, and the excess a development may sell."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

GRASS = "Grassland - Other neutral grassland"


@pytest.mark.parametrize(
    ("hectares", "band", "amount", "years", "at_least"),
    [
        (0.0, "Small", "2052.83", (3, 30), False),
        (9.99, "Small", "2052.83", (3, 30), False),
        (10.0, "Medium", "5391.30", (3, 5, 10, 30), False),
        (19.99, "Medium", "5391.30", (3, 5, 10, 30), False),
        (20.0, "Large", "13043.93", (3, 5, 10, 15, 20, 25, 30), False),
        (39.99, "Large", "13043.93", (3, 5, 10, 15, 20, 25, 30), False),
        (40.0, "Very large", "20361.68", (3, 5, 7, 10, 13, 15, 20, 25, 30), True),
        (250.0, "Very large", "20361.68", (3, 5, 7, 10, 13, 15, 20, 25, 30), True),
    ],
)
def test_worcestershire_bands_at_each_boundary(
    hectares: float, band: str, amount: str, years: tuple[int, ...], at_least: bool
) -> None:
    from bng.planning.fees import quote
    from bng.planning.schedules import schedule_band

    q = quote("worcestershire", on=date(2025, 6, 1), size_ha=hectares)
    assert (q.band, q.amount_gbp, q.at_least, q.vat) == (band, Decimal(amount), at_least, "excluded")
    assert q.source.startswith("source 003")
    assert schedule_band("worcestershire", hectares).years == years
    assert schedule_band("worcestershire", hectares).band == band
    if at_least:
        assert q.text.endswith("+ excluding VAT") and any("bespoke" in n for n in q.notes)


def test_fees_outside_their_dates_and_the_other_models() -> None:
    from bng.planning.errors import FeeError
    from bng.planning.fees import quote

    with pytest.raises(FeeError, match="applies from 1 April 2025"):
        quote("worcestershire", on=date(2025, 3, 31), size_ha=5)
    later = quote("worcestershire", on=date(2026, 11, 22), size_ha=5)
    assert later.amount_gbp == Decimal("2052.83")
    assert any("stated to 31 March 2026" in n for n in later.notes)  # the latest known, said so
    assert quote("windsor-maidenhead", on=date(2026, 1, 1)).amount_gbp == Decimal("5000.00")
    assert quote("calderdale", on=date(2026, 1, 1), units=3.25).amount_gbp == Decimal("6500.00")
    assert quote("wyre-forest", on=date(2026, 1, 1), units=1.333).amount_gbp == Decimal("999.75")
    hourly = quote("new-forest-npa", on=date(2026, 1, 1))
    assert hourly.amount_gbp == Decimal("333.20") and "8 hours" in hourly.basis  # £41.65 × 8 h
    assert quote("new-forest-npa", on=date(2026, 1, 1), visits=3).amount_gbp == Decimal("999.60")
    assert quote("broxtowe", on=date(2026, 1, 1), band="Large").amount_gbp == Decimal("10000.00")
    with pytest.raises(FeeError, match="choose one of"):
        quote("broxtowe", on=date(2026, 1, 1), size_ha=12)  # its bands are chosen by the officer
    with pytest.raises(FeeError, match="per biodiversity unit"):
        quote("calderdale", on=date(2026, 1, 1))


def test_index_linking_moves_the_amount_with_the_index() -> None:
    from dataclasses import replace

    from bng.planning import fees
    from bng.planning.monitoring_tables import monitoring_tables

    row = replace(monitoring_tables().fees["windsor-maidenhead"][0], index="CPI", effective_from=date(2025, 4, 1))
    amount, note = fees._indexed(row, Decimal("5000.00"), date(2026, 4, 10), {"2025-04": 100.0, "2026-04": 103.4})
    assert amount == Decimal("5170.00") and "CPI 2026-04 / 2025-04" in note
    same, missing = fees._indexed(row, Decimal("5000.00"), date(2026, 5, 1), {"2025-04": 100.0})
    assert same == Decimal("5000.00") and "no index value" in missing


def test_profiles_pick_a_schedule_and_a_fee_model() -> None:
    from bng.planning.monitoring_tables import monitoring_tables

    t = monitoring_tables()
    assert t.profile("worcestershire").fee_model == "worcestershire"
    assert t.profile("", "E60000162").schedule == "maldon"
    national = t.profile("cambridge", "E60000149")
    assert national.lpa == "national" and national.fee_model == "" and national.schedule == "govuk-typical"


def test_the_calendar_of_a_large_worcestershire_site() -> None:
    from bng.planning.schedules import INSPECTION, REPORT, due_dates, end_date, schedule_band

    start = date(2027, 3, 1)
    due = due_dates(start, schedule_band("worcestershire", 25))
    reports = [d for d in due if d.kind == REPORT]
    assert [d.year for d in reports] == [3, 5, 10, 15, 20, 25, 30]
    assert [d.on for d in reports][:2] == [date(2030, 3, 1), date(2032, 3, 1)]
    assert len([d for d in due if d.kind == INSPECTION]) == 7  # Worcestershire's years are its inspections
    assert end_date(start) == date(2057, 3, 1)
    assert end_date(date(2024, 2, 29)) == date(2054, 2, 28)


def _grassland(delay: float = 0.0) -> object:
    from bng.metric import load
    from bng.planning.trajectory import trajectory

    rel = load("statutory-2024")
    return trajectory(
        rel,
        key="area:created:G1",
        module="area",
        intervention="created",
        habitat=GRASS,
        condition="Good",
        size=4.0,
        plan_units=4.0 * 4 * 3 * 1.0 * 1.0 * rel.temporal_multipliers[10.0 + delay],
        strategic_significance="Low",
        delay=delay,
    )


def test_parcels_judged_on_the_path() -> None:
    from bng.planning.progress import Observation, Status, judge

    t = _grassland()
    key = "area:created:G1"
    assert judge(t, 1, Observation(key, GRASS, "")).status == Status.NOT_YET_DUE  # Poor is reached at 2 years
    assert judge(t, 3, Observation(key, GRASS, "Fairly Poor")).status == Status.ON_TRACK
    assert judge(t, 3, Observation(key, GRASS, "Good")).status == Status.ON_TRACK  # ahead
    behind = judge(t, 5, Observation(key, GRASS, "Fairly Poor"))
    assert behind.status == Status.BEHIND and "Moderate" in behind.reasons[0]
    assert behind.observed_units is not None and behind.expected_units is not None
    assert behind.observed_units < behind.expected_units
    scrub = judge(t, 10, Observation(key, "Heathland and shrub - Bramble scrub", "Condition Assessment N/A"))
    assert scrub.status == Status.FAILED and scrub.observed_units == 0
    assert judge(t, 10, Observation(key, GRASS, "Good", size=1.5)).status == Status.FAILED  # most of it lost
    small = judge(t, 10, Observation(key, GRASS, "Good", size=3.7))
    assert small.status == Status.BEHIND and "3.7000 ha found" in small.reasons[0]
    assert judge(t, 10, Observation(key, lost=True)).status == Status.FAILED
    assert judge(t, 10, None).status == Status.BEHIND  # a due report that leaves it out
    on = judge(t, 15, Observation(key, GRASS, "Good"))
    assert on.status == Status.ON_TRACK and on.observed_units == pytest.approx(4.0 * 4 * 3)
    assert judge(_grassland(delay=3), 4, None).status == Status.NOT_YET_DUE  # a delayed start


def test_an_enhanced_parcel_may_not_fall_below_where_it_started() -> None:
    from bng.metric import load
    from bng.planning.progress import Observation, Status, judge
    from bng.planning.trajectory import trajectory

    rel = load("statutory-2024")
    t = trajectory(
        rel,
        key="area:enhanced:E1",
        module="area",
        intervention="enhanced",
        habitat=GRASS,
        condition="Good",
        size=2.0,
        plan_units=20.0,
        strategic_significance="Low",
        baseline_habitat=GRASS,
        baseline_condition="Moderate",
    )
    assert [s.condition for s in t.steps] == ["Moderate", "Fairly Good", "Good"]
    assert judge(t, 3, Observation(t.key, GRASS, "Moderate")).status == Status.ON_TRACK  # Fairly Good at 8 years
    assert judge(t, 3, Observation(t.key, GRASS, "Poor")).status == Status.FAILED
    assert judge(t, 9, Observation(t.key, GRASS, "Moderate")).status == Status.BEHIND


@given(
    st.integers(min_value=0, max_value=30), st.sampled_from(["Poor", "Fairly Poor", "Moderate", "Fairly Good", "Good"])
)
def test_observed_units_never_exceed_the_target_nor_fall_below_zero(year: int, condition: str) -> None:
    from bng.planning.progress import Observation, observed_units

    t = _grassland()
    u = observed_units(t, year, Observation("area:created:G1", GRASS, condition))  # type: ignore[arg-type]
    assert u is not None and 0 <= u <= 4.0 * 4 * 3 + 1e-9


def test_excess_above_a_local_target() -> None:
    from bng.planning.excess import excess

    plan = {
        "objective": {
            "modules": [
                {"module": "area", "pre_development": 100.0, "post_development_onsite": 135.0},
                {"module": "hedgerow", "pre_development": 2.0, "post_development_onsite": 2.1},
            ]
        },
        "parcels": [
            {"module": "area", "intervention": "retained", "units": 60.0},
            {"module": "area", "intervention": "created", "units": 75.0},
            {"module": "hedgerow", "intervention": "created", "units": 2.1},
        ],
    }
    area, hedgerow, watercourse = excess(plan, 20.0)
    assert area.net_change_percent == pytest.approx(35.0) and area.target_percent == 20.0
    assert area.sellable == pytest.approx(15.0)  # only above the 20 % target, never the statutory 10 %
    assert hedgerow.sellable == 0.0 and watercourse.sellable == 0.0  # 5 % on hedgerows: nothing to sell
    assert excess(plan, None)[0].sellable == pytest.approx(25.0)  # the statutory 10 % where no local target
    capped = dict(plan, parcels=[{"module": "area", "intervention": "created", "units": 8.0}])
    assert excess(capped, 20.0)[0].sellable == pytest.approx(8.0)  # never retained habitat
