"""The units a parcel should hold in year N follow the metric's temporal multiplier.

Two kinds of check. For every creation and enhancement row of the golden test vectors (all six
kinds: area, hedgerow and watercourse, created and enhanced), the trajectory's time to target T
and its undiscounted part B are checked against the metric engine itself: the engine's units for
the row (U) and for the same row one year later in reaching its target (U', one more year of delay,
or one less of advance) must satisfy U = B + X·m(T) and U' = B + X·m(T+1) with bng's T and B. Then,
one row of each kind is worked by hand from the metric's tables, year by year.
"""

from __future__ import annotations

import dataclasses
import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import VECTORS

KINDS = {
    ("area", "created"),
    ("area", "enhanced"),
    ("hedgerow", "created"),
    ("hedgerow", "enhanced"),
    ("watercourse", "created"),
    ("watercourse", "enhanced"),
}


def _vectors() -> list[Path]:
    return sorted(VECTORS.glob("*.site.json"))


def _later(row: Any) -> tuple[Any, bool]:
    """The row one year later in reaching its target: one more year of delay (one less of advance)."""
    a, d = row.advance_years or 0.0, row.delay_years or 0.0
    if a == "30+" or d == "30+":
        return row, False
    if a >= 1:
        return dataclasses.replace(row, advance_years=a - 1), True
    return dataclasses.replace(row, delay_years=d + 1), True


def test_every_golden_row_follows_the_engine() -> None:
    from bng.metric import calculate, load, parse_site
    from bng.planning.parcels import post_parcels
    from bng.planning.trajectory import multiplier

    checked: dict[tuple[str, str], int] = {}
    for path in _vectors():
        site, _ = parse_site(json.loads(path.read_text()))
        result = calculate(site)
        rel = load(site.metric_release)
        moved: dict[tuple[str, str, str], bool] = {}
        modules = {}
        for m in ("area", "hedgerow", "watercourse"):
            rows = getattr(site.on_site, m)
            created, enhanced = [], []
            for r in rows.creation:
                new, ok = _later(r)
                created.append(new)
                moved[(m, "created", r.ref)] = ok
            for r in rows.enhancement:
                new, ok = _later(r)
                enhanced.append(new)
                moved[(m, "enhanced", r.ref)] = ok
            modules[m] = dataclasses.replace(rows, creation=tuple(created), enhancement=tuple(enhanced))
        later = calculate(dataclasses.replace(site, on_site=dataclasses.replace(site.on_site, **modules)))
        units_later = {(r.module, r.stage, r.ref): r.units for r in later.rows if r.location == "on_site"}
        flagged = {(r.module, r.stage, r.ref) for r in result.rows if r.location == "on_site" and r.has_error}
        for p in post_parcels(site, result):
            t = p.trajectory
            assert t is not None
            stage = "creation" if p.intervention == "created" else "enhancement"
            if p.intervention == "retained" or p.units is None or (p.module, stage, p.ref) in flagged:
                continue  # a row the workbook marks ▲ (trading down …) is never in an approved plan
            # year 0 is the metric's own value, and the units never fall as the years pass
            assert t.expected_units(0) == pytest.approx(p.units, rel=1e-12), (path.name, p.key)
            series = [t.expected_units(n) for n in range(31)]
            assert all(b is not None and a is not None and b >= a - 1e-12 for a, b in pairwise(series)), p.key
            if t.final == "30+":
                assert set(series) == {p.units}, (path.name, p.key)  # the target lies beyond the 30 years
                continue
            u_later = units_later.get((p.module, stage, p.ref))
            if not isinstance(t.final, float) or not moved[(p.module, p.intervention, p.ref)] or u_later is None:
                continue
            if t.final + 1 > 30 or t.final == 0:
                continue  # beyond the table's years, or reached at once (the metric then drops the difficulty)
            m_t, m_t1 = multiplier(rel, t.final), multiplier(rel, t.final + 1)
            assert m_t is not None and m_t1 is not None
            x = (p.units - u_later) / (m_t - m_t1)
            b = p.units - x * m_t
            assert b == pytest.approx(t.base_units, rel=1e-9, abs=1e-12), (path.name, p.key, t.final)
            if p.intervention == "created":
                assert t.base_units == 0
            checked[(p.module, p.intervention)] = checked.get((p.module, p.intervention), 0) + 1
    assert set(checked) == KINDS, f"kinds checked: {checked}"
    assert sum(checked.values()) >= 150


# Hand-worked: size × distinctiveness × condition × strategic significance × difficulty (× encroachment for a
# watercourse) is the target's value V; the year-0 units are V × m(T) for a created parcel and
# B + (V − B) × m(T) for an enhanced one; in year N the multiplier is m(T − N). m(n) = G-4's table.
M = {0: 1.0, 1: 0.965, 2: 0.931225, 5: 0.8368287006, 7: 0.7792758067, 9: 0.7256811131, 10: 0.7002822742}
M.update({3: 0.898632125, 4: 0.8671800006, 12: 0.6521203607, 15: 0.5860163055, 6: 0.8075396961})
M.update({8: 0.7520011535, 11: 0.6757723946, 13: 0.6292961481})

HAND: list[tuple[str, str, str, float, float, float, dict[int, float]]] = [
    # vector, parcel key, what, B, V, T, {year: m(T - year)}
    (
        "pub-01-small",
        "hedgerow:created:1",
        "Species-rich native hedgerow - associated with bank or ditch, Good: 0.3728 km × 6 × 3 × 1.0 (low SS) × 1.0 "
        "(low difficulty) = 6.7104; Good takes 12 years (G-6)",
        0.0,
        0.3728 * 6 * 3 * 1.0 * 1.0,
        12,
        {0: M[12], 3: M[9], 5: M[7], 10: M[2], 12: M[0], 30: M[0]},
    ),
    (
        "pub-02-small",
        "area:created:2",
        "Rocky shore - High energy littoral rock, Moderate: 1.5851 ha × 6 × 2 × 1.0 × 0.33 (high difficulty); "
        "Moderate takes 4 years (G-4)",
        0.0,
        1.5851 * 6 * 2 * 1.0 * 0.33,
        4,
        {0: M[4], 3: M[1], 4: M[0], 10: M[0]},
    ),
    (
        "pub-06-small",
        "area:enhanced:E-1",
        "Inland rock outcrop and scree, Fairly Good → Good on 0.408 ha: B = 0.408 × 6 × 2.5 × 1.0 = 6.12, "
        "V = 0.408 × 6 × 3 × 1.0 = 7.344; Fairly Good - Good takes 15 years",
        0.408 * 6 * 2.5 * 1.0,
        0.408 * 6 * 3 * 1.0,
        15,
        {0: M[15], 3: M[12], 5: M[10], 10: M[5], 15: M[0], 30: M[0]},
    ),
    (
        "pub-10-small",
        "hedgerow:enhanced:E-3",
        "Ecologically valuable line of trees, Moderate → Good on 0.0272 km, medium SS 1.1: B = 0.0272 × 4 × 2 × 1.1, "
        "V = 0.0272 × 4 × 3 × 1.1; Moderate - Good takes 10 years (G-6)",
        0.0272 * 4 * 2 * 1.1,
        0.0272 * 4 * 3 * 1.1,
        10,
        {0: M[10], 3: M[7], 5: M[5], 10: M[0], 30: M[0]},
    ),
    (
        "pub-16-medium",
        "watercourse:created:1",
        "Ditches, Moderate: 0.1005 km × 4 × 2 × 1.0 × 0.67 (medium difficulty) × 1.0 (no encroachment) × 0.8 "
        "(riparian Major/Moderate); Moderate takes 5 years (G-7)",
        0.0,
        0.1005 * 4 * 2 * 1.0 * 0.67 * 1.0 * 0.8,
        5,
        {0: M[5], 3: M[2], 5: M[0], 30: M[0]},
    ),
    (
        "pub-01-small",
        "watercourse:enhanced:E-3",
        "Canals, Poor → Fairly Good on 0.0126 km, medium SS 1.1, Major encroachment 0.5, riparian Major/No "
        "Encroachment 0.87: B = 0.0126 × 4 × 1 × 1.1 × 0.5 × 0.87, V = 0.0126 × 4 × 2.5 × 1.1 × 0.5 × 0.87; "
        "Poor → Fairly Good takes 6 years (G-7)",
        0.0126 * 4 * 1 * 1.1 * 0.5 * 0.87,
        0.0126 * 4 * 2.5 * 1.1 * 0.5 * 0.87,
        6,
        {0: M[6], 3: M[3], 5: M[1], 6: M[0], 30: M[0]},
    ),
]


@pytest.mark.parametrize(("vector", "key", "what", "base", "value", "years", "by_year"), HAND, ids=[h[1] for h in HAND])
def test_hand_worked(
    vector: str, key: str, what: str, base: float, value: float, years: float, by_year: dict[int, float]
) -> None:
    from bng.metric import calculate, parse_site
    from bng.planning.parcels import post_parcels

    site, _ = parse_site(json.loads((VECTORS / f"{vector}.site.json").read_text()))
    golden = json.loads((VECTORS / f"{vector}.expected.json").read_text())
    parcel = next(p for p in post_parcels(site, calculate(site)) if p.key == key)
    t = parcel.trajectory
    assert t is not None
    assert t.final == years and t.base_units == pytest.approx(base, rel=1e-12)
    module, intervention, ref = key.split(":")
    stage = "creation" if intervention == "created" else "enhancement"
    row = next(
        r
        for r in golden["rows"]
        if r["module"] == module and r["stage"] == stage and r["ref"] == ref and r["location"] == "on_site"
    )
    assert row["units"] == pytest.approx(base + (value - base) * by_year[0], rel=1e-9), what  # the workbook's own
    for year, m in by_year.items():
        assert t.expected_units(year) == pytest.approx(base + (value - base) * m, rel=1e-9), (what, year)


def test_the_condition_path_comes_from_the_metric() -> None:
    from bng.metric import load
    from bng.planning.trajectory import path

    rel = load("statutory-2024")
    grass = "Grassland - Other neutral grassland"
    steps = path(rel, "area", "created", grass, "Good", None, None)
    assert [(s.condition, s.year) for s in steps] == [
        ("Poor", 2.0),
        ("Fairly Poor", 3.0),
        ("Moderate", 5.0),
        ("Fairly Good", 7.0),
        ("Good", 10.0),
    ]  # G-4's creation years of other neutral grassland
    delayed = path(rel, "area", "created", grass, "Good", None, None, 0, 3)
    assert [s.year for s in delayed] == [5.0, 6.0, 8.0, 10.0, 13.0]
    advanced = path(rel, "area", "created", grass, "Good", None, None, 4, 0)
    assert [s.year for s in advanced] == [0.0, 0.0, 1.0, 3.0, 6.0]
    # an enhancement that raises distinctiveness starts from the baseline habitat
    raised = path(rel, "area", "enhanced", grass, "Moderate", "Grassland - Modified grassland", "Good")
    assert raised[0].habitat == "Grassland - Modified grassland" and raised[0].year == 0.0
    assert [(s.condition, s.year) for s in raised[1:]] == [("Poor", 1.0), ("Fairly Poor", 5.0), ("Moderate", 10.0)]
    woodland = path(rel, "area", "created", "Woodland and forest - Other woodland; mixed", "Good", None, None)
    assert woodland[-1].year == "30+"  # beyond the metric's horizon: never expected within the 30 years
