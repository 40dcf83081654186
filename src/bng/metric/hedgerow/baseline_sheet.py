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
        "distinctiveness_score",
        "enhanced_length",
        "length",
        "length_lost",
        "retained_srm",
        "significance_multiplier",
        "srm",
        "srm_category",
        "type",
    )

    type: str  # D10 hedgerow type
    length: Value  # E10
    band: str  # F10 distinctiveness band
    distinctiveness_score: Value  # G10 distinctiveness score
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
        calc = HedgerowBaselineCalc("hedgerow", location, "baseline", row.ref, row, row.gain_site)
        hedgerow = rel.hedgerow_types.get(row.habitat)
        calc.type = hedgerow.name if hedgerow else ""
        calc.length, calc.enhanced_length = row.length_km, row.enhanced_km
        calc.band, calc.distinctiveness_score = (
            (hedgerow.band if hedgerow else ""),
            (hedgerow.score if hedgerow else ""),
        )
        calc.condition = row.condition or ""
        calc.condition_score = condition_score(rel, hedgerow, calc.condition, off, True)
        strategic_significance = row.strategic_significance or ""
        calc.significance_multiplier = strategic_significance_multiplier(
            rel, strategic_significance, T.SPATIAL_DATA_MISSING
        )
        calc.length_lost = _length_lost(hedgerow, row)
        # N10 / Q10 say "Check data ▲" when K10 or I10 say "Check data ⚠" (K10 only for that check)
        checked = (hedgerow is not None and not strategic_significance) or calc.condition_score == T.CHECK_DATA_LOWER
        # From 1.0.3 E-1!Q10 also shows "Check data ▲" when the lengths do not add up (W10). B-1!N10 got
        # the same test of R10, which is the retained units there and never holds that text (quirk 23).
        if voids_units and eq(calc.length_lost, T.ERROR_IN_LENGTHS):
            checked = True
        if off:
            _offsite_baseline_units(rel, calc, row, checked)
        else:
            calc.units = T.CHECK_DATA_LOWER_TRIANGLE if checked else _units_of(calc, row.length_km)
            calc.srm, calc.srm_category = "", ""
        calc.retained = _units_of(calc, row.retained_km)  # R10 / U10
        calc.enhanced = _units_of(calc, row.enhanced_km)  # S10 / V10
        calc.note(calc.units, calc.units_srm if off else None, calc.condition_score, calc.length_lost)
        out.append(calc)
    return out


def _units_of(calc: HedgerowBaselineCalc, length: Value, srm: Value | None = None) -> Value:
    """``length × G10 × I10 × L10`` (× the spatial risk multiplier): "" where it errors."""
    try:
        if srm is None:
            return prod(length, calc.distinctiveness_score, calc.condition_score, calc.significance_multiplier)
        return prod(length, calc.distinctiveness_score, calc.condition_score, calc.significance_multiplier, srm)
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


def _offsite_baseline_units(rel: Release, calc: HedgerowBaselineCalc, row: HedgerowBaseline, checked: bool) -> None:
    """E-1!P10 spatial risk multiplier, Q10 units, N10 units with SRM, AY10 retained units with SRM."""
    category = row.spatial_risk or ""
    calc.srm_category = category
    calc.srm = spatial_risk_multiplier(rel.spatial_risk, category)
    if checked:
        calc.units = T.CHECK_DATA_LOWER_TRIANGLE
    elif category and not row.gain_site:
        calc.units = T.OFFSITE_REFERENCE_REQUIRED
    elif not category:
        calc.units = ""
    else:
        calc.units = _units_of(calc, row.length_km)
    # N10 tests Q10 for "Check data ⚠", which it never says (it says "Check data ▲")
    calc.units_srm = (
        T.CHECK_DATA_LOWER if eq(calc.units, T.CHECK_DATA_LOWER) else _units_of(calc, row.length_km, calc.srm)
    )
    calc.retained_srm = _units_of(calc, row.retained_km, calc.srm)
