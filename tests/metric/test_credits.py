"""Statutory credits: tiers from the metric (golden vectors carry them), prices by effective date."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bng.metric import calculate, load, parse_site
from bng.metric.credits import cost, prices_on
from bng.metric.reference import CreditPrice
from tests.conftest import VECTORS


def test_credits_are_twice_the_shortfall_in_the_tier_of_the_loss() -> None:
    site, _ = parse_site(json.loads((VECTORS / "pub-39-credits-tiers.site.json").read_text()))
    result = calculate(site)
    expected = json.loads((VECTORS / "pub-39-credits-tiers.expected.json").read_text())["credits"]
    assert result.credits.by_tier == pytest.approx(expected)
    assert set(result.credits.by_tier) == {"A1", "A2", "A3", "A4", "A5", "H", "W"}


def test_default_prices_are_the_statutory_prices() -> None:
    prices = prices_on(load().credit_prices, date(2026, 11, 22))
    assert {t: p.price_gbp for t, p in prices.items()} == {
        "A1": 42000.0,
        "A2": 48000.0,
        "A3": 66000.0,
        "A4": 125000.0,
        "A5": 650000.0,
        "H": 44000.0,
        "W": 230000.0,
    }


def test_a_price_change_applies_from_its_effective_date_only() -> None:
    table = (
        CreditPrice("A1", 42000.0, "area", 2.0, date(2024, 2, 12)),
        CreditPrice("A1", 50000.0, "area", 2.0, date(2027, 1, 1)),
    )
    before = cost({"A1": 3.0}, table, date(2026, 12, 31))
    after = cost({"A1": 3.0}, table, date(2027, 1, 1))
    assert [(c.tier, c.credits, c.price_gbp, c.cost_gbp) for c in before] == [("A1", 3.0, 42000.0, 126000.0)]
    assert after[0].cost_gbp == 150000.0


def test_no_price_in_force_is_an_error() -> None:
    with pytest.raises(ValueError, match="no price for credit tier A1 in force on 2020-01-01"):
        cost({"A1": 1.0}, load().credit_prices, date(2020, 1, 1))
    assert cost({"A1": 0.0, "W": None}, load().credit_prices, date(2020, 1, 1)) == []
