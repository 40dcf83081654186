"""Rows that share their habitat, condition and years share their multipliers, computed once.

The engine computes the size-independent cells of a row (scores, time to target, temporal and
difficulty multipliers) once per distinct combination. These tests check that a row's result does
not depend on which other rows share its combination: each row calculated among many equals the
same row calculated alone.
"""

from __future__ import annotations

import numpy as np

from bng.metric import calculate, load
from bng.metric.cells import cache_key
from bng.metric.model import (
    AreaCreation,
    AreaRows,
    HedgerowBaseline,
    HedgerowCreation,
    HedgerowEnhancement,
    HedgerowRows,
    Location,
    Site,
    WatercourseBaseline,
    WatercourseCreation,
    WatercourseEnhancement,
    WatercourseRows,
)
from bng.metric.result import RowResult

REL = load()
SS = next(iter(REL.strategic_significance))
SIZES = (0.5, 1.25, 0.0, 3.3, 0.1, None, 2.0)


def test_cache_keys_keep_apart_what_a_formula_may_tell_apart() -> None:
    assert cache_key(0.0) != cache_key(-0.0)
    assert cache_key(2.0) == cache_key(2.0)
    assert cache_key(2.0) != cache_key(np.float64(2.0))
    assert cache_key("30+") == "30+"
    assert cache_key(None) is None


def _alone(site: Site) -> list[RowResult]:
    """Every row of the site calculated in a site of its own (enhancements with their baseline)."""
    out: list[RowResult] = []
    loc = site.on_site
    for ac in loc.area.creation:
        out.extend(calculate(Site(on_site=Location(area=AreaRows(creation=(ac,))))).rows)
    for hc in loc.hedgerow.creation:
        out.extend(calculate(Site(on_site=Location(hedgerow=HedgerowRows(creation=(hc,))))).rows)
    for wc in loc.watercourse.creation:
        out.extend(calculate(Site(on_site=Location(watercourse=WatercourseRows(creation=(wc,))))).rows)
    for hb, he in zip(loc.hedgerow.baseline, loc.hedgerow.enhancement, strict=True):
        rows = calculate(Site(on_site=Location(hedgerow=HedgerowRows(baseline=(hb,), enhancement=(he,))))).rows
        out.append(rows[1])
    for wb, we in zip(loc.watercourse.baseline, loc.watercourse.enhancement, strict=True):
        rows = calculate(Site(on_site=Location(watercourse=WatercourseRows(baseline=(wb,), enhancement=(we,))))).rows
        out.append(rows[1])
    return out


def test_rows_sharing_a_combination_give_what_they_give_alone() -> None:
    habitat = next(h for h in REL.area_habitats.values() if h.irreplaceable != "Yes")
    hedge = next(t for t in REL.hedgerow_types.values() if len(t.allowed_conditions()) > 1)
    conditions = hedge.allowed_conditions()
    water = next(w for w in REL.watercourse_types.values() if w.name != REL.rules.culvert_type)
    area_creation = tuple(
        AreaCreation(f"C{i}", habitat.label, size, habitat.allowed_conditions()[0], SS, delay_years=delay)
        for i, (size, delay) in enumerate((s, d) for s in SIZES for d in (0.0, -0.0, 5.0, "30+"))
    )
    hedge_creation = tuple(
        HedgerowCreation(f"HC{i}", hedge.name, size, hedge.allowed_conditions()[-1], SS, delay_years=delay)
        for i, (size, delay) in enumerate((s, d) for s in SIZES for d in (0.0, 2.0, "30+"))
    )
    water_creation = tuple(
        WatercourseCreation(f"WC{i}", water.name, size, water.allowed_conditions()[0], SS)
        for i, size in enumerate(SIZES)
    )
    hedge_base = tuple(
        HedgerowBaseline(f"H{i}", hedge.name, 1.0 + i, hedge.allowed_conditions()[-1], SS, 0.2, size or 0.0)
        for i, size in enumerate(SIZES)
    )
    hedge_enh = tuple(
        HedgerowEnhancement(f"HE{i}", f"H{i}", hedge.name, conditions[i % len(conditions)], SS)
        for i in range(len(SIZES))
    )
    water_base = tuple(
        WatercourseBaseline(
            f"W{i}", water.name, 1.0 + i, water.allowed_conditions()[-1], SS, retained_km=0.1, enhanced_km=size or 0.0
        )
        for i, size in enumerate(SIZES)
    )
    water_enh = tuple(
        WatercourseEnhancement(f"WE{i}", f"W{i}", water.name, water.allowed_conditions()[0], SS)
        for i in range(len(SIZES))
    )
    site = Site(
        on_site=Location(
            area=AreaRows(creation=area_creation),
            hedgerow=HedgerowRows(baseline=hedge_base, creation=hedge_creation, enhancement=hedge_enh),
            watercourse=WatercourseRows(baseline=water_base, creation=water_creation, enhancement=water_enh),
        )
    )
    together = {(r.module, r.stage, r.ref): r for r in calculate(site).rows}
    alone = _alone(site)
    assert len(alone) == len(area_creation) + len(hedge_creation) + len(water_creation) + 2 * len(SIZES)
    for row in alone:
        assert together[(row.module, row.stage, row.ref)] == row
