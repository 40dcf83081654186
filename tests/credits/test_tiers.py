"""Credits per tier from a metric, as the workbook derives them, and what they cost (no database).

The golden test vectors carry the workbook's own "Unit shortfall summary" (LibreOffice computed it
from the official workbook): every vector with credits is checked tier by tier, then rounded up to
the hundredths credits are sold in, by a computation independent of the one under test."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import pytest

from bng.metric import parse_site
from bng.metric.credits import TIERS
from bng.register.core.errors import Invalid
from bng.register.credits.amounts import (
    line_amount,
    needed_hundredths,
    parse_percent,
    parse_pounds,
    parse_quantity,
    quantity_text,
    show_percent,
    show_quantity,
    vat_amount,
)
from bng.register.credits.metric import MetricCredits, credits_of, metric_credits
from bng.register.credits.pricing import in_force, quote
from bng.register.credits.records import CreditPrice, VatRate
from tests.conftest import VECTORS

WITH_CREDITS = sorted(
    p.name.removesuffix(".expected.json")
    for p in VECTORS.glob("*.expected.json")
    if any(v != 0 for v in json.loads(p.read_text())["credits"].values())
)
NOW = datetime(2026, 11, 22)


def _site(name: str) -> tuple[object, dict[str, float | None]]:
    site, _ = parse_site(json.loads((VECTORS / f"{name}.site.json").read_text()))
    return site, json.loads((VECTORS / f"{name}.expected.json").read_text())["credits"]


def _rounded_up(figure: float) -> int:
    """Hundredths to buy, the independent way: exact decimal of the figure to 9 places, then the ceiling."""
    return math.ceil(Fraction(str(round(figure, 9))) * 100)


def test_the_vectors_cover_credits_in_every_tier_and_the_workbook_errors() -> None:
    assert len(WITH_CREDITS) >= 30
    expected = [json.loads((VECTORS / f"{n}.expected.json").read_text())["credits"] for n in WITH_CREDITS]
    assert all(any((e[t] or 0) > 0 for e in expected) for t in TIERS)  # every tier is exercised
    assert any(e["A1"] is None for e in expected) and any(e["W"] is None and e["A1"] == 0 for e in expected)


@pytest.mark.parametrize("name", WITH_CREDITS)
def test_tiers_from_the_metric_are_the_workbooks(name: str) -> None:
    site, expected = _site(name)
    found = credits_of(site)  # type: ignore[arg-type]
    for tier in TIERS:
        if expected[tier] is None:
            assert found.by_tier[tier] is None and found.needed[tier] is None, tier
        else:
            assert found.by_tier[tier] == pytest.approx(expected[tier], rel=1e-9, abs=1e-9), tier
            assert found.needed[tier] == _rounded_up(expected[tier]), tier
    assert found.usable == all(expected[t] is not None for t in TIERS)
    if not found.usable:
        assert found.tier_error()


def test_pub_39_in_six_tiers_rounded_up_to_hundredths() -> None:
    site, _ = _site("pub-39-credits-tiers")
    found = credits_of(site)  # type: ignore[arg-type]
    # the workbook's 7.199999999999999 is 7.2 credits, not 7.21; 1.7600000000000002 is 1.76
    assert found.needed == {"A1": 2428, "A2": 720, "A3": 1080, "A4": 480, "A5": 0, "H": 264, "W": 176}
    assert {g.module: round(g.unit_deficit or 0, 6) for g in found.gains} == {
        "area": 23.54,
        "hedgerow": 1.32,
        "watercourse": 0.88,
    }
    assert [h for h, _ in found.losses["hedgerow"]] == ["Native hedgerow"]
    assert MetricCredits.from_dict(json.loads(json.dumps(found.to_dict()))) == found


def test_a_very_high_distinctiveness_loss_cannot_be_bought_with_credits() -> None:
    site, expected = _site("pub-35-vhigh-loss")
    assert all(v is None for v in expected.values())
    found = credits_of(site)  # type: ignore[arg-type]
    assert not found.usable
    assert "very high distinctiveness" in found.tier_error() and "bespoke compensation" in found.tier_error()


def test_an_error_in_one_tier_names_that_tier() -> None:
    site, expected = _site("pub-01-small")
    assert expected["W"] is None and expected["H"] is not None
    message = credits_of(site).tier_error()  # type: ignore[arg-type]
    assert "Tier W (watercourses)" in message and "Tier H" not in message


@pytest.mark.parametrize(
    ("figure", "hundredths"),
    [
        (7.199999999999999, 720),
        (1.7600000000000002, 176),
        (20.23355999999999, 2024),
        (24.28, 2428),
        (0.0001, 1),
        (3e-10, 0),  # below a billionth: binary noise, not a shortfall
        (0.0, 0),
        (-1.5, 0),
        (None, None),
    ],
)
def test_credits_are_rounded_up_to_the_next_hundredth(figure: float | None, hundredths: int | None) -> None:
    assert needed_hundredths(figure) == hundredths


@pytest.mark.parametrize(
    ("text", "hundredths"), [("3.76", 376), ("12", 1200), ("0.5", 50), ("1,234.5", 123450), ("", 0)]
)
def test_quantities_are_typed_with_up_to_two_decimals(text: str, hundredths: int) -> None:
    assert parse_quantity(text, "A1", "quantity_A1") == hundredths
    assert parse_quantity(quantity_text(hundredths), "A1", "quantity_A1") == hundredths


@pytest.mark.parametrize("text", ["3.765", "-1", "abc", "1e3", "3.", "100001"])
def test_a_bad_quantity_names_its_field_and_what_was_expected(text: str) -> None:
    with pytest.raises(Invalid) as err:
        parse_quantity(text, "H", "quantity_H")
    problem = err.value.problems[0]
    assert problem.field == "quantity_H" and "Tier H (hedgerows)" in problem.message


def test_money_and_rates_are_exact() -> None:
    assert line_amount(2428, 4_200_000) == 101_976_000  # 24.28 credits at £42,000
    assert line_amount(1, 4_200_050) == 42_001  # 0.01 of £42,000.50 = £420.0050: half a penny rounds up
    assert line_amount(1, 4_200_049) == 42_000
    assert vat_amount(101_976_000, 2000) == 20_395_200 and vat_amount(5, 2000) == 1 and vat_amount(2, 2000) == 0
    assert parse_pounds("£42,000.50", "price", "the price") == 4_200_050
    assert parse_percent("17.5", "rate") == 1750 and show_percent(1750) == "17.5 %" and show_percent(0) == "0 %"
    assert show_quantity(720) == "7.20" and show_quantity(123450) == "1,234.50"
    for bad in ("0", "abc", "-3"):
        with pytest.raises(Invalid, match="price"):
            parse_pounds(bad, "price", "the price per credit")


def _price(tier: str, pounds: int, on: date) -> CreditPrice:
    return CreditPrice(tier, pounds * 100, on, "test", NOW)


def test_prices_and_vat_apply_from_their_dates_only() -> None:
    prices = [_price("A1", 42_000, date(2024, 2, 12)), _price("A1", 50_000, date(2027, 1, 1))]
    rates = [VatRate(2000, date(2024, 2, 12), "test", NOW), VatRate(0, date(2025, 9, 2), "test", NOW)]
    before = quote({"A1": 300}, prices, rates, date(2025, 1, 1))
    assert (before.subtotal_pence, before.vat_basis_points, before.vat_pence) == (12_600_000, 2000, 2_520_000)
    today = quote({"A1": 300}, prices, rates, date(2026, 12, 31))
    assert (today.subtotal_pence, today.vat_pence, today.total_pence) == (12_600_000, 0, 12_600_000)
    later = quote({"A1": 300}, prices, rates, date(2027, 1, 1))
    assert later.lines[0].unit_price_pence == 5_000_000 and later.lines[0].price_valid_from == date(2027, 1, 1)
    assert in_force(prices, date(2026, 12, 31))["A1"].price_pence == 4_200_000


def test_no_price_in_force_names_the_tier_and_the_date() -> None:
    with pytest.raises(Invalid, match=r"no price for Tier W \(watercourses\) in force on 1 January 2024") as err:
        quote({"W": 100}, [_price("W", 230_000, date(2024, 2, 12))], [], date(2024, 1, 1), field="on")
    assert err.value.problems[0].field == "on"


def test_the_metric_door_reads_workbooks_and_site_files(tmp_path: Path) -> None:
    data = (VECTORS / "pub-39-credits-tiers.site.json").read_bytes()
    assert metric_credits("metric.json", data).needed["A1"] == 2428
    with pytest.raises(Invalid) as err:
        metric_credits("metric.xlsx", b"not a workbook")
    assert err.value.problems[0].field == "metric_file"


def test_a_row_with_an_input_problem_is_named_once() -> None:
    # the hedgerow's condition is not one its type can have: the engine's own ▲ row error would say it again
    found = metric_credits("metric.json", (VECTORS / "pub-06-small.site.json").read_bytes())
    assert found.problems == (
        "The site file: on_site.hedgerow.baseline row '1' field 'condition': condition 'Good' is not possible for "
        "'Non-native and ornamental hedgerow'; expected one of 'Poor'",
    )


def test_a_statutory_workbook_gives_the_same_credits_as_its_site_file(tmp_path: Path) -> None:
    from bng.workbook.writer import export_site

    site, expected = _site("pub-39-credits-tiers")
    path = tmp_path / "development-metric.xlsm"
    export_site(site, path)  # type: ignore[arg-type]  # DEFRA's own workbook, filled in
    found = metric_credits(path.name, path.read_bytes())
    assert found.problems == ()
    assert found.needed == {t: _rounded_up(expected[t] or 0) for t in TIERS}
