"""Sheets C-1 (on-site) and F-1 (off-site): the watercourse baseline, row by row.

The condition score and the encroachment multipliers are also the formulas of C-2 and C-3.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import xl
from ..cells import RowCalc, prod
from ..messages import T
from ..model import WatercourseBaseline
from ..multipliers import (
    spatial_risk_multiplier,
    strategic_significance_multiplier,
)
from ..reference import Release, WatercourseType
from ..xl import ERROR, Value, XlError, blank, eq, ge, gt, num


def condition_score(watercourse: WatercourseType | None, condition: str) -> Value:
    """C-1!I10: INDEX(G-7!H4:L8, type, condition) ("" when not found)."""
    if watercourse is None or not condition:
        return ""
    return watercourse.condition_scores_ci.get(condition.lower(), "")


def encroachment(
    rel: Release,
    value: str | None,
    watercourse_type: str,
    riparian: bool,
    missing: str,
    culvert_check_both_ways: bool = True,
) -> Value:
    """C-1!N10 / P10: encroachment multipliers; a culvert takes "N/A - Culvert" and only it does."""
    if not value:
        return ""
    rules = rel.rules
    is_culvert = eq(watercourse_type, rules.culvert_type)
    na = value.lower() == rules.culvert_encroachment.lower()
    if na and not is_culvert:
        return T.NOT_POSSIBLE
    if culvert_check_both_ways and is_culvert and not na:
        return T.NOT_POSSIBLE
    table = rel.riparian_encroachment if riparian else rel.watercourse_encroachment
    multiplier = table.get(value)
    if multiplier is None:
        return ERROR
    return missing if multiplier == 0 else multiplier


class WatercourseBaselineCalc(RowCalc):
    """C-1 / F-1 row (units: C-1!R / F-1!U, units_srm: F-1!R); columns of C-1 (F-1's where they differ)."""

    __slots__ = (
        "band",
        "bespoke_compensation",
        "condition",
        "condition_score",
        "distinctiveness_score",
        "encroachment_multiplier",
        "enhanced_length",
        "irreplaceable",
        "length",
        "length_lost",
        "required_action",
        "retained_length",
        "retained_srm",
        "riparian_multiplier",
        "significance_multiplier",
        "srm",
        "srm_category",
        "type",
        "units_lost",
        "vhdh_bespoke",
    )

    type: str  # D10 watercourse type
    length: Value  # E10
    band: str  # F10 distinctiveness band
    distinctiveness_score: Value  # G10 distinctiveness score
    condition: str  # H10
    condition_score: Value  # I10
    significance_multiplier: Value  # L10 strategic significance multiplier
    encroachment_multiplier: Value  # N10 watercourse encroachment
    riparian_multiplier: Value  # P10 riparian zone encroachment
    required_action: str  # Q10 required action to meet trading rules
    retained_length: Value  # U10 / X10
    enhanced_length: Value  # V10 / Y10
    length_lost: Value  # Y10 / AB10
    units_lost: Value  # Z10 / AC10
    bespoke_compensation: str  # AA10 / AD10
    vhdh_bespoke: Value  # AT10 V.High units with bespoke compensation
    irreplaceable: str  # AU10 (G-7 column M of the type)
    srm_category: str  # F-1!S10 spatial risk category
    srm: Value  # F-1!T10 spatial risk multiplier
    retained_srm: Value  # F-1!BA10 retained units with SRM


def baseline(rel: Release, rows: Sequence[WatercourseBaseline], off: bool) -> list[WatercourseBaselineCalc]:
    """C-1 / F-1: one calculated row per baseline row, in input order."""
    very_high_action = rel.trading_rule_of_band["V.High"]  # G-7!G4
    location = "off_site" if off else "on_site"
    out: list[WatercourseBaselineCalc] = []
    for row in rows:
        calc = WatercourseBaselineCalc("watercourse", location, "baseline", row.ref, row, row.gain_site)
        _watercourse_cells(rel, calc, row)
        length, retained, enhanced = row.length_km, row.retained_km, row.enhanced_km
        split = gt(retained, 0.0) and gt(enhanced, 0.0) and gt(xl.add(num(retained), num(enhanced)), length)
        if off:
            _offsite_baseline_units(rel, calc, row, split)
        else:
            calc.srm, calc.srm_category = "", ""
            calc.units = _baseline_units(calc, split)
        try:  # W10 / Z10
            calc.retained = T.ERROR_IN_LENGTHS if gt(retained, length) else _units_of(calc, retained)
        except XlError:
            calc.retained = ""
        try:  # X10 / AA10
            calc.enhanced = "" if not row.habitat else _units_of(calc, enhanced)
        except XlError:
            calc.enhanced = ""
        calc.length_lost = _length_lost(row)
        calc.units_lost = _units_lost(calc, very_high_action, off)
        calc.vhdh_bespoke = _vhdh_bespoke(calc, very_high_action, off)
        if off:
            calc.retained_srm = _retained_srm(calc)
        calc.note(
            calc.units,
            calc.units_srm if off else None,
            calc.retained,
            calc.units_lost,
            calc.encroachment_multiplier,
            calc.riparian_multiplier,
            calc.condition_score,
        )
        out.append(calc)
    return out


def _watercourse_cells(rel: Release, calc: WatercourseBaselineCalc, row: WatercourseBaseline) -> None:
    """C-1!D10:Q10, U10, AA10, AU10: the type, its scores and multipliers, the lengths as entered."""
    watercourse = rel.watercourse_types.get(row.habitat)
    name = watercourse.name if watercourse else ""
    calc.type = name
    calc.length, calc.retained_length, calc.enhanced_length = row.length_km, row.retained_km, row.enhanced_km
    calc.band = watercourse.band if watercourse else ""
    calc.distinctiveness_score = watercourse.score if watercourse else ""
    calc.condition = row.condition or ""
    calc.condition_score = condition_score(watercourse, calc.condition)
    calc.significance_multiplier = strategic_significance_multiplier(
        rel, row.strategic_significance, T.SPATIAL_DATA_MISSING
    )
    calc.encroachment_multiplier = encroachment(rel, row.encroachment, name, False, T.SPATIAL_DATA_MISSING)
    calc.riparian_multiplier = encroachment(rel, row.riparian_encroachment, name, True, T.SPATIAL_DATA_MISSING)
    calc.required_action = watercourse.trading_rule if watercourse else ""
    calc.irreplaceable = watercourse.irreplaceable if watercourse else ""
    calc.bespoke_compensation = row.bespoke_compensation or ""


def _units_of(calc: WatercourseBaselineCalc, length: Value, srm: Value | None = None) -> float:
    """``length × G10 × I10 × L10 × N10 × P10`` (× the spatial risk multiplier)."""
    if srm is None:
        return prod(
            length,
            calc.distinctiveness_score,
            calc.condition_score,
            calc.significance_multiplier,
            calc.encroachment_multiplier,
            calc.riparian_multiplier,
        )
    return prod(
        length,
        calc.distinctiveness_score,
        calc.condition_score,
        calc.significance_multiplier,
        calc.encroachment_multiplier,
        calc.riparian_multiplier,
        srm,
    )


def _baseline_units(calc: WatercourseBaselineCalc, split: bool, srm: Value | None = None) -> Value:
    """C-1!R10 / F-1!U10 (F-1!R10 with ``srm``): " " where the product errors."""
    try:
        return T.SPLIT_RETAINED_ENHANCED if split else _units_of(calc, calc.length, srm)
    except XlError:
        return " "


def _offsite_baseline_units(rel: Release, calc: WatercourseBaselineCalc, row: WatercourseBaseline, split: bool) -> None:
    """F-1!T10 spatial risk multiplier, R10 units with SRM, U10 units (the off-site reference check)."""
    calc.srm_category = row.spatial_risk or ""
    calc.srm = spatial_risk_multiplier(rel.spatial_risk_watercourse, calc.srm_category)
    calc.units_srm = _baseline_units(calc, split, calc.srm)
    if not split and calc.srm_category and not row.gain_site:
        calc.units = T.OFFSITE_REFERENCE_REQUIRED
    else:
        calc.units = _baseline_units(calc, split)


def _length_lost(row: WatercourseBaseline) -> Value:
    """C-1!Y10 / F-1!AB10: the length neither retained nor enhanced (0 when they exceed it)."""
    if not row.habitat:
        return ""
    length, retained, enhanced = row.length_km, row.retained_km, row.enhanced_km
    try:
        if gt(length, xl.add(num(retained), num(enhanced))):
            return xl.sub(xl.sub(num(length), num(retained)), num(enhanced))
        return 0.0
    except XlError:
        return ""


def _units_lost(calc: WatercourseBaselineCalc, very_high_action: str, off: bool) -> Value:
    """C-1!Z10 / F-1!AC10: units lost, or what the loss needs (bespoke compensation …)."""
    units, retained, enhanced = calc.units, calc.retained, calc.enhanced
    action, bespoke = calc.required_action, calc.bespoke_compensation
    try:
        if blank(calc.length) or blank(units):
            return ""
        if off and not blank(calc.length_lost) and not calc.srm_category:
            return T.SPATIAL_RISK_CATEGORY_MISSING
        if action == very_high_action and bespoke == "Yes":
            return T.ALTERNATIVE_COMPENSATION
        if bespoke == "Pending" and action == very_high_action:
            return T.BESPOKE_MUST_BE_AGREED
        if ge(xl.add(num(retained), num(enhanced)), units):
            return 0.0
        return xl.sub(xl.sub(num(units), num(retained)), num(enhanced))
    except XlError:
        return T.CHECK_DATA


def _vhdh_bespoke(calc: WatercourseBaselineCalc, very_high_action: str, off: bool) -> Value:
    """C-1!AT10 / F-1!AT10: V.High losses with bespoke compensation (no IFERROR; F-1 subtracts enhanced first)."""
    if calc.bespoke_compensation not in ("Yes", "Pending") or calc.required_action != very_high_action:
        return "0" if off else ""
    try:
        if off:
            return xl.sub(xl.sub(num(calc.units), num(calc.enhanced)), num(calc.retained))
        return xl.sub(xl.sub(num(calc.units), num(calc.retained)), num(calc.enhanced))
    except XlError:
        return ERROR


def _retained_srm(calc: WatercourseBaselineCalc) -> Value:
    """F-1!BA10: retained units with spatial risk, plus the V.High bespoke units."""
    try:
        if gt(calc.retained_length, calc.length):
            return T.ERROR_IN_LENGTHS
        return xl.add(_units_of(calc, calc.retained_length, calc.srm), prod(calc.vhdh_bespoke, calc.srm))
    except XlError:
        return ""
