"""Sheets B-1 (on-site) and E-1 (off-site): the hedgerow baseline, row by row.

The condition score (``condition_score``) is also the formula of B-2!I12 and B-3!T12.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import xl
from ..cells import RowCalc, prod
from ..messages import T
from ..model import HedgerowBaseline
from ..multipliers import (
    spatial_risk_multiplier,
    strategic_significance_multiplier,
)
from ..reference import HedgerowType, Release
from ..xl import Value, XlError, eq, gt, ne, num


def condition_score(rel: Release, hedgerow: HedgerowType | None, condition: str, off: bool, check_blank: bool) -> Value:
    """B-1!I10 / E-1!I10 (and B-2!I12, B-3!T12 …): a hedgerow condition score or its error text."""
    rules = rel.rules
    if check_blank and hedgerow is not None and not condition:
        return T.CHECK_DATA_LOWER
    if not condition:
        return ""
    name = hedgerow.name if hedgerow is not None else ""
    if eq(name, rules.non_native_hedgerow) and ne(condition, rules.hedgerow_poor_only_condition):
        return T.NOT_POSSIBLE
    band = hedgerow.band if hedgerow is not None else ""
    if (
        off
        and band == rules.very_low_hedgerow_band
        and condition.lower() in rules.very_low_hedgerow_forbidden_conditions
    ):
        return T.ERROR_TRIANGLE
    score = rel.condition_scores.get(condition)
    return "" if score is None else score


class HedgerowBaselineCalc(RowCalc):
    """B-1 / E-1 row (units: B-1!N / E-1!Q, units_srm: E-1!N); columns of B-1 (E-1's where they differ)."""

    __slots__ = (
        "band",
        "condition",
        "condition_score",
        "enhanced_length",
        "length",
        "length_lost",
        "retained_srm",
        "score",
        "significance_multiplier",
        "srm",
        "srm_category",
        "type",
    )

    type: str  # D10 hedgerow type
    length: Value  # E10
    band: str  # F10 distinctiveness band
    score: Value  # G10 distinctiveness score
    condition: str  # H10
    condition_score: Value  # I10
    significance_multiplier: Value  # L10 strategic significance multiplier
    enhanced_length: Value  # Q10 / T10
    length_lost: Value  # T10 / W10
    srm_category: str  # E-1!O10 spatial risk category
    srm: Value  # E-1!P10 spatial risk multiplier
    retained_srm: Value  # E-1!AY10 retained units with SRM


def baseline(rel: Release, rows: Sequence[HedgerowBaseline], off: bool) -> list[HedgerowBaselineCalc]:
    """B-1 / E-1: one calculated row per baseline row, in input order."""
    location = "off_site" if off else "on_site"
    voids_units = off and rel.rules.hedgerow_length_error_voids_units
    out: list[HedgerowBaselineCalc] = []
    for row in rows:
        c = HedgerowBaselineCalc("hedgerow", location, "baseline", row.ref, row, row.gain_site)
        hedgerow = rel.hedgerow_types.get(row.habitat)
        c.type = hedgerow.name if hedgerow else ""
        c.length, c.enhanced_length = row.length_km, row.enhanced_km
        c.band, c.score = (hedgerow.band if hedgerow else ""), (hedgerow.score if hedgerow else "")
        c.condition = row.condition or ""
        c.condition_score = condition_score(rel, hedgerow, c.condition, off, True)
        strategic_significance = row.strategic_significance or ""
        c.significance_multiplier = strategic_significance_multiplier(
            rel, strategic_significance, T.SPATIAL_DATA_MISSING
        )
        c.length_lost = _length_lost(hedgerow, row)
        # N10 / Q10 say "Check data ▲" when K10 or I10 say "Check data ⚠" (K10 only for that check)
        checked = (hedgerow is not None and not strategic_significance) or c.condition_score == T.CHECK_DATA_LOWER
        # From 1.0.3 E-1!Q10 also shows "Check data ▲" when the lengths do not add up (W10). B-1!N10 got
        # the same test of R10, which is the retained units there and never holds that text (quirk 23).
        if voids_units and eq(c.length_lost, T.ERROR_IN_LENGTHS):
            checked = True
        if off:
            _offsite_baseline_units(rel, c, row, checked)
        else:
            c.units = T.CHECK_DATA_LOWER_TRIANGLE if checked else _units_of(c, row.length_km)
            c.srm, c.srm_category = "", ""
        c.retained = _units_of(c, row.retained_km)  # R10 / U10
        c.enhanced = _units_of(c, row.enhanced_km)  # S10 / V10
        c.note(c.units, c.units_srm if off else None, c.condition_score, c.length_lost)
        out.append(c)
    return out


def _units_of(c: HedgerowBaselineCalc, length: Value, srm: Value | None = None) -> Value:
    """``length × G10 × I10 × L10`` (× the spatial risk multiplier): "" where it errors."""
    try:
        if srm is None:
            return prod(length, c.score, c.condition_score, c.significance_multiplier)
        return prod(length, c.score, c.condition_score, c.significance_multiplier, srm)
    except XlError:
        return ""


def _length_lost(hedgerow: HedgerowType | None, row: HedgerowBaseline) -> Value:
    """B-1!T10 / E-1!W10: the length neither retained nor enhanced (no IFERROR)."""
    if hedgerow is None and not row.habitat:
        return ""
    length, retained, enhanced = row.length_km, row.retained_km, row.enhanced_km
    if gt(xl.add(num(retained), num(enhanced)), length):
        return T.ERROR_IN_LENGTHS
    return xl.sub(xl.sub(num(length), num(retained)), num(enhanced))


def _offsite_baseline_units(rel: Release, c: HedgerowBaselineCalc, row: HedgerowBaseline, checked: bool) -> None:
    """E-1!P10 spatial risk multiplier, Q10 units, N10 units with SRM, AY10 retained units with SRM."""
    category = row.spatial_risk or ""
    c.srm_category = category
    c.srm = spatial_risk_multiplier(rel.spatial_risk, category)
    if checked:
        c.units = T.CHECK_DATA_LOWER_TRIANGLE
    elif category and not row.gain_site:
        c.units = T.OFFSITE_REFERENCE_REQUIRED
    elif not category:
        c.units = ""
    else:
        c.units = _units_of(c, row.length_km)
    # N10 tests Q10 for "Check data ⚠", which it never says (it says "Check data ▲")
    c.units_srm = T.CHECK_DATA_LOWER if eq(c.units, T.CHECK_DATA_LOWER) else _units_of(c, row.length_km, c.srm)
    c.retained_srm = _units_of(c, row.retained_km, c.srm)
