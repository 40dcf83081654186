"""Sheets C-3 (on-site) and F-3 (off-site): watercourses enhanced, one row per enhanced baseline watercourse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .. import xl
from ..cells import RowCalc, cache_key, iferror, place_enhancements, prod, uplift
from ..messages import T
from ..model import WatercourseEnhancement, Years
from ..multipliers import (
    strategic_significance_multiplier,
    time_to_target_status,
)
from ..reference import Release
from ..xl import ERROR, Value, XlError, blank, catch, eq, gt, lt, ne, num
from .baseline_sheet import WatercourseBaselineCalc, condition_score, encroachment
from .creation_sheet import applied_difficulty, final_difficulty_multiplier, final_time, temporal_multiplier_cell


class WatercourseEnhancementCalc(RowCalc):
    """C-3 / F-3 row (units: C-3!AM / F-3!AP, units_srm: F-3!AO)."""

    __slots__ = ("baseline_comparison", "length", "proposed")

    proposed: str  # N12 proposed watercourse type
    length: Value  # Q12 length enhanced
    baseline_comparison: Value  # AY12 / BD12 the baseline units the enhancement must not fall below


class _EnhancementTerms(NamedTuple):
    """C-3!N12:AL12 (F-3 alike): the cells of an enhancement row that depend neither on lengths nor on units."""

    proposed: str  # N12
    distinctiveness_score: Value  # S12 distinctiveness score of the proposal
    condition_score: Value  # U12
    significance_multiplier: Value  # X12 strategic significance multiplier
    distinctiveness_movement: Value  # O12 ("Medium - High")
    condition_movement: Value  # P12 ("Poor - Moderate"), or why there is none
    standard_years: Value  # Y12 standard time to target condition
    status: Value  # AB12
    temporal_multiplier: Value  # AD12
    difficulty_multiplier: Value  # AH12
    encroachment_multiplier: Value  # AJ12
    riparian_multiplier: Value  # AL12


def enhancement(
    rel: Release,
    rows: Sequence[WatercourseEnhancement],
    baselines: Sequence[WatercourseBaselineCalc],
    off: bool,
) -> tuple[list[WatercourseEnhancementCalc], list[WatercourseEnhancement], Value, Value]:
    """C-3 / F-3 rows, the rows without a place, and the sheet totals (C-3!AM258, F-3!AP258/AO258)."""
    pairs, unplaced = place_enhancements(
        rows, baselines, lambda baseline_row: bool(baseline_row.habitat) and gt(baseline_row.enhanced_km, 0.0)
    )
    # rows that share baseline type and condition and the proposal share N12-AL12: computed once
    cache: dict[tuple[object, ...], _EnhancementTerms] = {}
    out: list[WatercourseEnhancementCalc] = []
    for baseline, row in pairs:
        key = _enhancement_key(row, baseline)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _enhancement_terms(rel, row, baseline, off)
        out.append(_enhancement_row(row, baseline, terms, off))
    if off:
        total = iferror(lambda: _sheet_total(rel, out, False, off), "")
        total_srm = iferror(lambda: _sheet_total(rel, out, True, off), "")
    else:
        total = catch(lambda: _sheet_total(rel, out, False, off))
        total_srm = ""
    return out, unplaced, total, total_srm


def _sheet_total(rel: Release, calcs: Sequence[WatercourseEnhancementCalc], srm: bool, off: bool) -> Value:
    """C-3!AM258 / F-3!AP258 (AO258 ``srm``): the sum, unless a row falls below its baseline (AM6 / AQ6)."""
    if _less_than_baseline(rel, calcs):
        return "Error  ▲" if off else T.ERROR_TRIANGLE
    return xl.total((calc.units_srm if srm else calc.units) for calc in calcs)


def _less_than_baseline(rel: Release, calcs: Sequence[WatercourseEnhancementCalc]) -> bool:
    """C-3!AM6 / F-3!AQ6: SUMPRODUCT(--(units < baseline comparison)) > 0.

    Until 1.0.3 an error among the comparisons (quirk 20) makes the total an error too; 1.0.3
    wrapped AM6 and AQ6 in IFERROR, so the total is then the plain sum.
    """
    try:
        return any([lt(calc.units, calc.baseline_comparison) for calc in calcs])
    except XlError:
        if rel.rules.watercourse_units_check_iferror:
            return False
        raise


def _baseline_cells(baseline: WatercourseBaselineCalc) -> tuple[Value, Value, Value, Value]:
    """C-3!E12:H12 (F-3 alike): the baseline row's band, score, condition and condition score.

    Each is ``IF(previous cell = "", "", VLOOKUP(…))`` down from D12, the baseline's length.
    LibreOffice, whose evaluation the engine follows, gives a VLOOKUP of an empty cell as empty,
    so a baseline row without a length (listed for enhancement by its type) leaves all four
    blank (quirk 24; Excel would give D12 = 0 and look them up).
    """
    if blank(baseline.length):
        return "", "", "", ""
    return baseline.band, baseline.distinctiveness_score, baseline.condition, baseline.condition_score


def _enhancement_key(row: WatercourseEnhancement | None, baseline: WatercourseBaselineCalc) -> tuple[object, ...]:
    """What C-3 N12-AL12 depend on: the baseline's type and condition and the proposal, not sizes."""
    if row is None:
        return (baseline.type, *_baseline_cells(baseline), baseline.irreplaceable)
    return (
        baseline.type,
        *_baseline_cells(baseline),
        baseline.irreplaceable,
        row.habitat,
        row.condition,
        row.strategic_significance,
        cache_key(row.advance_years),
        cache_key(row.delay_years),
        row.encroachment,
        row.riparian_encroachment,
    )


def _enhancement_terms(
    rel: Release, row: WatercourseEnhancement | None, baseline: WatercourseBaselineCalc, off: bool
) -> _EnhancementTerms:
    """C-3 / F-3 N12:AL12 of one row: the proposal, its checks, time to target and difficulty."""
    band, baseline_score, _, _ = _baseline_cells(baseline)  # E12, F12
    proposed = rel.watercourse_types.get(row.habitat) if row is not None and row.habitat else None
    proposed_name = proposed.name if proposed else (row.habitat if row is not None else "")  # N12
    proposed_score: Value = proposed.score if proposed else ""  # S12
    condition = (row.condition if row is not None else "") or ""  # T12
    proposed_condition_score = condition_score(proposed, condition)  # U12
    advance: Years = row.advance_years if row is not None else None  # Z12
    delay: Years = row.delay_years if row is not None else None  # AA12
    # O12 distinctiveness movement
    movement: Value = (
        T.TRADING_DOWN
        if lt(proposed_score, baseline_score)
        else xl.show(band) + " - " + xl.show(proposed.band if proposed else "")
    )
    condition_movement = _condition_movement(
        baseline, proposed_name, proposed_score, condition, proposed_condition_score, movement, off
    )
    standard_years = _enhancement_standard_years(
        rel, baseline, proposed_score, condition, movement, condition_movement, off
    )
    status = _enhancement_status(standard_years, advance, delay)
    try:
        final_years = final_time(status, standard_years, advance, delay, "30+")  # AC12
    except XlError:
        final_years = ERROR
    applied = applied_difficulty(bool(proposed_name), final_years, condition, status, T.LOW_DIFFICULTY)
    standard_difficulty: Value = proposed.enhancement_difficulty if proposed else ""  # AE12
    return _EnhancementTerms(
        proposed_name,
        proposed_score,
        proposed_condition_score,
        strategic_significance_multiplier(rel, row.strategic_significance if row else "", T.SPATIAL_DATA_MISSING),
        movement,
        condition_movement,
        standard_years,
        status,
        temporal_multiplier_cell(rel, final_years),
        final_difficulty_multiplier(
            rel, bool(proposed_name), applied, standard_years, advance, standard_difficulty, T.LOW_DIFFICULTY
        ),
        *_enhanced_encroachment(rel, row, proposed_name),
    )


def _enhancement_status(standard_years: Value, advance: Years, delay: Years) -> Value:
    """C-3!AB12 / F-3!AB12: the time-to-target status, or "Check Data" where the standard time says it."""
    if blank(standard_years):
        return ""
    if eq(standard_years, T.CHECK_DATA):
        return T.CHECK_DATA
    return time_to_target_status(standard_years, advance, delay)


def _enhanced_encroachment(rel: Release, row: WatercourseEnhancement | None, proposed_name: str) -> tuple[Value, Value]:
    """C-3!AJ12 / AL12: the enhanced watercourse's encroachment multipliers (N/A - Culvert fails off a culvert)."""
    return (
        encroachment(rel, row.encroachment if row else None, proposed_name, False, T.SPATIAL_DATA_MISSING, False),
        encroachment(
            rel, row.riparian_encroachment if row else None, proposed_name, True, T.SPATIAL_DATA_MISSING, False
        ),
    )


def _condition_movement(
    baseline: WatercourseBaselineCalc,
    proposed_name: str,
    proposed_score: Value,
    condition: str,
    proposed_condition_score: Value,
    movement: Value,
    off: bool,
) -> Value:
    """C-3!P12 / F-3!P12: the change in condition ("Poor - Moderate"), or why there is none."""
    base_type = baseline.type  # C12
    _, baseline_score, baseline_condition, baseline_condition_score = _baseline_cells(baseline)  # F12, G12, H12
    try:
        if blank(base_type):
            return ""
        # C-3!AS12 / F-3!AZ12: the baseline type's irreplaceability (C-3 misspells the message)
        if ne(proposed_name, base_type) and baseline.irreplaceable == "Yes":
            return T.REPLACE_IRREPLACEABLE if off else T.REPLACE_IRREPLACEABLE_TYPO
        if xl.left(base_type, 55).lower() != xl.left(proposed_name, 55).lower() and eq(movement, "High - High"):
            return T.NOT_LIKE_FOR_LIKE
        if gt(baseline_condition_score, proposed_condition_score):
            return T.CANNOT_REDUCE_CONDITION
        if ne(base_type, proposed_name) and lt(baseline_score, proposed_score):
            return "Lower Distinctiveness Habitat - " + condition
        return xl.show(baseline_condition) + " - " + condition
    except XlError:
        return ERROR


def _enhancement_standard_years(
    rel: Release,
    baseline: WatercourseBaselineCalc,
    proposed_score: Value,
    condition: str,
    movement: Value,
    condition_movement: Value,
    off: bool,
) -> Value:
    """C-3!Y12 / F-3!Y12: standard time to target condition, by distinctiveness (G-7!R3) or by condition."""
    _, baseline_score, baseline_condition, _ = _baseline_cells(baseline)  # F12, G12
    # C-3 compares the movement's first five characters with the release's text (quirk 19)
    error_mark = "Error" if off else rel.rules.c3_trading_down_error_prefix
    try:
        if eq(xl.left(condition_movement, 5), "Error") or eq(xl.left(movement, 5), error_mark):
            return T.CHECK_DATA
        if lt(baseline_score, proposed_score):
            return rel.watercourse_distinctiveness_years
        found = rel.watercourse_condition_years_ci.get((xl.show(baseline_condition).lower(), condition.lower()))
        return "" if found is None else found
    except XlError:
        return ""


def _enhancement_row(
    row: WatercourseEnhancement | None, baseline: WatercourseBaselineCalc, terms: _EnhancementTerms, off: bool
) -> WatercourseEnhancementCalc:
    """C-3 / F-3 row: the terms applied to the enhanced length, and the baseline units to compare with."""
    calc = WatercourseEnhancementCalc(
        "watercourse",
        "off_site" if off else "on_site",
        "enhancement",
        row.ref if row else "",
        row,
        row.gain_site if row else None,
        baseline.ref,
    )
    calc.proposed = terms.proposed
    length: Value = baseline.enhanced_length if terms.proposed else ""  # Q12
    calc.length = length
    if off:
        _offsite_enhancement_units(calc, row, baseline, terms, length)
    else:
        try:
            if blank(baseline.type):
                calc.units = ""
            elif terms.proposed and blank(baseline.units):
                calc.units = T.CHECK_DATA
            else:
                calc.units = _enhancement_units(baseline, terms, length, False)
        except XlError:
            calc.units = ""
    calc.baseline_comparison = _baseline_comparison(baseline, length)
    calc.note(calc.units, terms.distinctiveness_movement, terms.condition_movement, terms.status, terms.standard_years)
    return calc


def _enhancement_units(
    baseline: WatercourseBaselineCalc, terms: _EnhancementTerms, length: Value, with_srm: bool
) -> float:
    """C-3!AM12 / F-3!AP12 (AO12 ``with_srm``): the baseline value kept whole plus the discounted uplift.

    A lengthened watercourse is valued on its baseline length (D12) and the uplift on the new one.
    """
    _, baseline_score, _, baseline_condition_score = _baseline_cells(baseline)  # F12, H12
    baseline_length = baseline.length  # D12
    risk = prod(terms.difficulty_multiplier, terms.temporal_multiplier)
    core = uplift(
        length,
        terms.distinctiveness_score,
        terms.condition_score,
        baseline_score,
        baseline_condition_score,
        risk,
        baseline_size=baseline_length if gt(length, baseline_length) else None,
    )
    if with_srm:
        return prod(
            core,
            prod(terms.riparian_multiplier, terms.significance_multiplier, terms.encroachment_multiplier, baseline.srm),
        )
    return prod(core, prod(terms.riparian_multiplier, terms.significance_multiplier, terms.encroachment_multiplier))


def _offsite_enhancement_units(
    calc: WatercourseEnhancementCalc,
    row: WatercourseEnhancement | None,
    baseline: WatercourseBaselineCalc,
    terms: _EnhancementTerms,
    length: Value,
) -> None:
    """F-3!AO12 units with SRM and AP12 units (the baseline's and the off-site reference checks)."""
    try:
        calc.units_srm = "" if blank(baseline.type) else _enhancement_units(baseline, terms, length, True)
    except XlError:
        calc.units_srm = ""
    try:
        if blank(baseline.type) or blank(baseline.srm_category):
            calc.units = ""
        elif terms.proposed and blank(baseline.units):
            calc.units = T.CHECK_DATA_LOWER
        elif baseline.srm_category and (row is None or not row.gain_site):
            calc.units = T.OFFSITE_REFERENCE_REQUIRED
        else:
            calc.units = _enhancement_units(baseline, terms, length, False)
    except XlError:
        calc.units = ""


def _baseline_comparison(baseline: WatercourseBaselineCalc, length: Value) -> Value:
    """C-3!AY12 / F-3!BD12: the baseline units the enhancement must not fall below (no IFERROR)."""
    units = baseline.units  # M12
    enhanced = baseline.enhanced  # AX12: units enhanced of the baseline row
    try:
        if gt(enhanced, units):
            return units
        if gt(xl.add(num(baseline.retained_length), num(length)), baseline.length):
            return xl.sub(num(units), num(baseline.retained))
        return enhanced
    except XlError:
        return ERROR
