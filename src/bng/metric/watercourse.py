"""Watercourse units: sheets C-1/C-2/C-3 (on-site) and F-1/F-2/F-3 (off-site).

Each function computes one cell of a row (or a few that belong together) as the workbook's
formula does; the docstring names the cell and each field its column. Off-site sheets differ
from the on-site ones in a few places (spatial risk, the off-site reference check, some texts);
those places test ``off``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from . import xl
from .cells import RowCalc, cache_key, creation_key, iferror, place_enhancements, prod, uplift
from .messages import T
from .model import WatercourseBaseline, WatercourseCreation, WatercourseEnhancement, Years
from .multipliers import (
    difficulty_multiplier,
    spatial_risk_multiplier,
    strategic_significance_multiplier,
    temporal_multiplier,
    time_to_target_status,
)
from .reference import Release, WatercourseType
from .xl import ERROR, Value, XlError, blank, catch, eq, ge, gt, lt, ne, num


def _condition_score(watercourse: WatercourseType | None, condition: str) -> Value:
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


def _applied_difficulty(has_type: bool, final_years: Value, condition: str, status: Value, low_text: str) -> Value:
    """C-2!S12 / C-3!AF12: the difficulty applied (low where the habitat has reached its target condition)."""
    try:
        if not has_type:
            return ""
        if eq(final_years, T.CHECK_DATA):
            return T.CHECK_DATA
        if not condition:
            return ""
        return low_text if status == T.REACHED_TARGET else T.STANDARD_DIFFICULTY
    except XlError:
        return ERROR


def _final_difficulty_multiplier(
    rel: Release,
    has_type: bool,
    applied: Value,
    standard_years: Value,
    advance: Years,
    standard_difficulty: Value,
    low_text: str,
) -> Value:
    """C-2!T12 final difficulty and U12 its multiplier (C-3!AG12, AH12 alike); no IFERROR."""
    final: Value
    try:
        if eq(applied, T.STANDARD_DIFFICULTY) and gt(standard_years, advance):
            final = standard_difficulty
        elif eq(applied, low_text) and ge(advance, standard_years):
            final = "Low"
        else:
            final = standard_difficulty
    except XlError:
        final = ERROR
    if not has_type:
        return ""
    try:
        return difficulty_multiplier(rel, final)
    except XlError:
        return ERROR


def _final_time(status: Value, standard_years: Value, advance: Years, delay: Years, over_thirty: str) -> Value:
    """C-2!P12 / C-3!AC12: final time to target condition (``over_thirty`` is what past 30 years shows)."""
    if status == T.BOTH_ADVANCE_AND_DELAY:
        return T.CHECK_DATA
    if status == T.CHECK_DATA:
        return T.CHECK_DATA
    if blank(standard_years):
        return ""
    if eq(advance, "30+"):
        return 0.0
    if eq(delay, "30+"):
        return "30+"
    with_delay = xl.add(num(standard_years), num(delay))
    if gt(with_delay, 30.0):
        return over_thirty
    left = xl.sub(with_delay, num(advance))
    if gt(left, 0.0):
        return left
    if lt(xl.sub(num(standard_years), num(advance)), 0.0):
        return 0.0
    return left


def _temporal(rel: Release, final_years: Value) -> Value:
    """C-2!Q12 / C-3!AD12: the temporal multiplier of the final time ("" where the lookup fails)."""
    try:
        return T.CHECK_DATA if eq(final_years, T.CHECK_DATA) else temporal_multiplier(rel, final_years)
    except XlError:
        return ""


# -- C-1 / F-1: baseline ------------------------------------------------------------------------


class WatercourseBaselineCalc(RowCalc):
    """C-1 / F-1 row (units: C-1!R / F-1!U, units_srm: F-1!R); columns of C-1 (F-1's where they differ)."""

    __slots__ = (
        "band",
        "bespoke_compensation",
        "condition",
        "condition_score",
        "encroachment_multiplier",
        "enhanced_length",
        "irreplaceable",
        "length",
        "length_lost",
        "required_action",
        "retained_length",
        "retained_srm",
        "riparian_multiplier",
        "score",
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
    score: Value  # G10 distinctiveness score
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
        c = WatercourseBaselineCalc("watercourse", location, "baseline", row.ref, row, row.gain_site)
        _watercourse_cells(rel, c, row)
        length, retained, enhanced = row.length_km, row.retained_km, row.enhanced_km
        split = gt(retained, 0.0) and gt(enhanced, 0.0) and gt(xl.add(num(retained), num(enhanced)), length)
        if off:
            _offsite_baseline_units(rel, c, row, split)
        else:
            c.srm, c.srm_category = "", ""
            c.units = _baseline_units(c, split)
        try:  # W10 / Z10
            c.retained = T.ERROR_IN_LENGTHS if gt(retained, length) else _units_of(c, retained)
        except XlError:
            c.retained = ""
        try:  # X10 / AA10
            c.enhanced = "" if not row.habitat else _units_of(c, enhanced)
        except XlError:
            c.enhanced = ""
        c.length_lost = _length_lost(row)
        c.units_lost = _units_lost(c, very_high_action, off)
        c.vhdh_bespoke = _vhdh_bespoke(c, very_high_action, off)
        if off:
            c.retained_srm = _retained_srm(c)
        c.note(
            c.units,
            c.units_srm if off else None,
            c.retained,
            c.units_lost,
            c.encroachment_multiplier,
            c.riparian_multiplier,
            c.condition_score,
        )
        out.append(c)
    return out


def _watercourse_cells(rel: Release, c: WatercourseBaselineCalc, row: WatercourseBaseline) -> None:
    """C-1!D10:Q10, U10, AA10, AU10: the type, its scores and multipliers, the lengths as entered."""
    watercourse = rel.watercourse_types.get(row.habitat)
    name = watercourse.name if watercourse else ""
    c.type = name
    c.length, c.retained_length, c.enhanced_length = row.length_km, row.retained_km, row.enhanced_km
    c.band = watercourse.band if watercourse else ""
    c.score = watercourse.score if watercourse else ""
    c.condition = row.condition or ""
    c.condition_score = _condition_score(watercourse, c.condition)
    c.significance_multiplier = strategic_significance_multiplier(
        rel, row.strategic_significance, T.SPATIAL_DATA_MISSING
    )
    c.encroachment_multiplier = encroachment(rel, row.encroachment, name, False, T.SPATIAL_DATA_MISSING)
    c.riparian_multiplier = encroachment(rel, row.riparian_encroachment, name, True, T.SPATIAL_DATA_MISSING)
    c.required_action = watercourse.trading_rule if watercourse else ""
    c.irreplaceable = watercourse.irreplaceable if watercourse else ""
    c.bespoke_compensation = row.bespoke_compensation or ""


def _units_of(c: WatercourseBaselineCalc, length: Value, srm: Value | None = None) -> float:
    """``length × G10 × I10 × L10 × N10 × P10`` (× the spatial risk multiplier)."""
    if srm is None:
        return prod(
            length,
            c.score,
            c.condition_score,
            c.significance_multiplier,
            c.encroachment_multiplier,
            c.riparian_multiplier,
        )
    return prod(
        length,
        c.score,
        c.condition_score,
        c.significance_multiplier,
        c.encroachment_multiplier,
        c.riparian_multiplier,
        srm,
    )


def _baseline_units(c: WatercourseBaselineCalc, split: bool, srm: Value | None = None) -> Value:
    """C-1!R10 / F-1!U10 (F-1!R10 with ``srm``): " " where the product errors."""
    try:
        return T.SPLIT_RETAINED_ENHANCED if split else _units_of(c, c.length, srm)
    except XlError:
        return " "


def _offsite_baseline_units(rel: Release, c: WatercourseBaselineCalc, row: WatercourseBaseline, split: bool) -> None:
    """F-1!T10 spatial risk multiplier, R10 units with SRM, U10 units (the off-site reference check)."""
    c.srm_category = row.spatial_risk or ""
    c.srm = spatial_risk_multiplier(rel.spatial_risk_watercourse, c.srm_category)
    c.units_srm = _baseline_units(c, split, c.srm)
    if not split and c.srm_category and not row.gain_site:
        c.units = T.OFFSITE_REFERENCE_REQUIRED
    else:
        c.units = _baseline_units(c, split)


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


def _units_lost(c: WatercourseBaselineCalc, very_high_action: str, off: bool) -> Value:
    """C-1!Z10 / F-1!AC10: units lost, or what the loss needs (bespoke compensation …)."""
    units, retained, enhanced = c.units, c.retained, c.enhanced
    action, bespoke = c.required_action, c.bespoke_compensation
    try:
        if blank(c.length) or blank(units):
            return ""
        if off and not blank(c.length_lost) and not c.srm_category:
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


def _vhdh_bespoke(c: WatercourseBaselineCalc, very_high_action: str, off: bool) -> Value:
    """C-1!AT10 / F-1!AT10: V.High losses with bespoke compensation (no IFERROR; F-1 subtracts enhanced first)."""
    if c.bespoke_compensation not in ("Yes", "Pending") or c.required_action != very_high_action:
        return "0" if off else ""
    try:
        if off:
            return xl.sub(xl.sub(num(c.units), num(c.enhanced)), num(c.retained))
        return xl.sub(xl.sub(num(c.units), num(c.retained)), num(c.enhanced))
    except XlError:
        return ERROR


def _retained_srm(c: WatercourseBaselineCalc) -> Value:
    """F-1!BA10: retained units with spatial risk, plus the V.High bespoke units."""
    try:
        if gt(c.retained_length, c.length):
            return T.ERROR_IN_LENGTHS
        return xl.add(_units_of(c, c.retained_length, c.srm), prod(c.vhdh_bespoke, c.srm))
    except XlError:
        return ""


# -- C-2 / F-2: creation ------------------------------------------------------------------------


class WatercourseCreationCalc(RowCalc):
    """C-2 / F-2 row (units: C-2!Z / F-2!AC, units_srm: F-2!AB)."""

    __slots__ = ("length", "srm", "type")

    type: str  # C12 watercourse type
    length: Value  # D12
    srm: Value  # F-2!AA12 spatial risk multiplier


class _CreationTerms(NamedTuple):
    """C-2!C12:Y12 (F-2 alike): the cells of a creation row that do not depend on its length."""

    type: str  # C12
    score: Value  # F12 distinctiveness score
    condition_score: Value  # H12
    significance_multiplier: Value  # K12 strategic significance multiplier
    status: Value  # O12
    temporal_multiplier: Value  # Q12
    difficulty_multiplier: Value  # U12
    encroachment_multiplier: Value  # W12
    riparian_multiplier: Value  # Y12
    low_difficulty: Value  # S12 where it is a low difficulty (a message), else None


def _creation_terms(rel: Release, row: WatercourseCreation, off: bool) -> _CreationTerms:
    """C-2 / F-2 C12:Y12 of one row; computed once per distinct combination."""
    watercourse = rel.watercourse_types.get(row.habitat)
    name = watercourse.name if watercourse else ""
    condition = row.condition or ""
    standard_years: Value = rel.watercourse_creation_years_ci.get(condition.lower(), "") if condition else ""  # L12
    advance, delay = row.advance_years, row.delay_years
    status: Value = "" if blank(standard_years) else time_to_target_status(standard_years, advance, delay)
    # C-2!P12 returns "30+ " (trailing space) past 30 years, which the multiplier lookup misses (quirk 8)
    try:
        final_years = _final_time(status, standard_years, advance, delay, "30+" if off else "30+ ")
    except XlError:
        final_years = ERROR
    low_text = T.LOW_DIFFICULTY_NO if off else T.LOW_DIFFICULTY
    applied = _applied_difficulty(bool(row.habitat), final_years, condition, status, low_text)
    difficulty = _final_difficulty_multiplier(
        rel,
        bool(row.habitat),
        applied,
        standard_years,
        advance,
        watercourse.creation_difficulty if watercourse else "",
        low_text,
    )
    return _CreationTerms(
        name,
        watercourse.score if watercourse else "",
        _condition_score(watercourse, condition),
        strategic_significance_multiplier(rel, row.strategic_significance, T.SPATIAL_DATA_MISSING),
        status,
        _temporal(rel, final_years),
        difficulty,
        encroachment(rel, row.encroachment, name, False, T.SPATIAL_DATA_MISSING),
        encroachment(rel, row.riparian_encroachment, name, True, T.ENCROACHMENT_DATA_MISSING),
        applied if applied in (T.LOW_DIFFICULTY, T.LOW_DIFFICULTY_NO) else None,
    )


def creation(rel: Release, rows: Sequence[WatercourseCreation], off: bool) -> list[WatercourseCreationCalc]:
    """C-2 / F-2 rows, in input order."""
    location = "off_site" if off else "on_site"
    out: list[WatercourseCreationCalc] = []
    # rows that share type, condition, strategic significance, years and encroachment share
    # C12-Y12: computed once
    cache: dict[tuple[object, ...], _CreationTerms] = {}
    for row in rows:
        c = WatercourseCreationCalc("watercourse", location, "creation", row.ref, row, row.gain_site)
        key = creation_key(row, row.encroachment, row.riparian_encroachment)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _creation_terms(rel, row, off)
        c.type = terms.type
        c.length = row.length_km
        if off:
            _offsite_creation_units(rel, c, row, terms)
        else:
            try:
                c.units = "" if not row.habitat else _creation_units(row, terms, off)
            except XlError:
                c.units = ""
        c.note(
            c.units,
            terms.status,
            terms.low_difficulty,
            terms.condition_score,
            terms.encroachment_multiplier,
            terms.riparian_multiplier,
        )
        out.append(c)
    return out


def _creation_units(row: WatercourseCreation, terms: _CreationTerms, off: bool) -> float:
    """C-2!Z12 ``D × F × H × K × Q × U × Y × W``; F-2!AC12 multiplies W before Y."""
    _, score, condition_score, multiplier, _, temporal, difficulty, encroachment, riparian, _ = terms
    if off:
        return prod(row.length_km, score, condition_score, multiplier, temporal, difficulty, encroachment, riparian)
    return prod(row.length_km, score, condition_score, multiplier, temporal, difficulty, riparian, encroachment)


def _offsite_creation_units(
    rel: Release, c: WatercourseCreationCalc, row: WatercourseCreation, terms: _CreationTerms
) -> None:
    """F-2!AA12 spatial risk multiplier, AB12 units with SRM, AC12 units (the off-site reference check)."""
    srm = spatial_risk_multiplier(rel.spatial_risk_watercourse, row.spatial_risk)
    c.srm = srm
    try:
        c.units_srm = prod(_creation_units(row, terms, True), srm)
    except XlError:
        c.units_srm = ""
    try:
        if row.spatial_risk and not row.gain_site:
            c.units = T.OFFSITE_REFERENCE_REQUIRED
        elif not row.spatial_risk:
            c.units = ""
        else:
            c.units = _creation_units(row, terms, True)
    except XlError:
        c.units = ""


# -- C-3 / F-3: enhancement ---------------------------------------------------------------------


class WatercourseEnhancementCalc(RowCalc):
    """C-3 / F-3 row (units: C-3!AM / F-3!AP, units_srm: F-3!AO)."""

    __slots__ = ("baseline_comparison", "length", "proposed")

    proposed: str  # N12 proposed watercourse type
    length: Value  # Q12 length enhanced
    baseline_comparison: Value  # AY12 / BD12 the baseline units the enhancement must not fall below


class _EnhancementTerms(NamedTuple):
    """C-3!N12:AL12 (F-3 alike): the cells of an enhancement row that depend neither on lengths nor on units."""

    proposed: str  # N12
    score: Value  # S12 distinctiveness score of the proposal
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
    pairs, unplaced = place_enhancements(rows, baselines, lambda row: bool(row.habitat) and gt(row.enhanced_km, 0.0))
    # rows that share baseline type and condition and the proposal share N12-AL12: computed once
    cache: dict[tuple[object, ...], _EnhancementTerms] = {}
    out: list[WatercourseEnhancementCalc] = []
    for b, e in pairs:
        key = _enhancement_key(e, b)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _enhancement_terms(rel, e, b, off)
        out.append(_enhancement_row(e, b, terms, off))
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
    return xl.total((c.units_srm if srm else c.units) for c in calcs)


def _less_than_baseline(rel: Release, calcs: Sequence[WatercourseEnhancementCalc]) -> bool:
    """C-3!AM6 / F-3!AQ6: SUMPRODUCT(--(units < baseline comparison)) > 0.

    Until 1.0.3 an error among the comparisons (quirk 20) makes the total an error too; 1.0.3
    wrapped AM6 and AQ6 in IFERROR, so the total is then the plain sum.
    """
    try:
        return any([lt(c.units, c.baseline_comparison) for c in calcs])
    except XlError:
        if rel.rules.watercourse_units_check_iferror:
            return False
        raise


def _baseline_cells(b: WatercourseBaselineCalc) -> tuple[Value, Value, Value, Value]:
    """C-3!E12:H12 (F-3 alike): the baseline row's band, score, condition and condition score.

    Each is ``IF(previous cell = "", "", VLOOKUP(…))`` down from D12, the baseline's length.
    LibreOffice, whose evaluation the engine follows, gives a VLOOKUP of an empty cell as empty,
    so a baseline row without a length (listed for enhancement by its type) leaves all four
    blank (quirk 24; Excel would give D12 = 0 and look them up).
    """
    if blank(b.length):
        return "", "", "", ""
    return b.band, b.score, b.condition, b.condition_score


def _enhancement_key(e: WatercourseEnhancement | None, b: WatercourseBaselineCalc) -> tuple[object, ...]:
    """What C-3 N12-AL12 depend on: the baseline's type and condition and the proposal, not sizes."""
    if e is None:
        return (b.type, *_baseline_cells(b), b.irreplaceable)
    return (
        b.type,
        *_baseline_cells(b),
        b.irreplaceable,
        e.habitat,
        e.condition,
        e.strategic_significance,
        cache_key(e.advance_years),
        cache_key(e.delay_years),
        e.encroachment,
        e.riparian_encroachment,
    )


def _enhancement_terms(
    rel: Release, e: WatercourseEnhancement | None, b: WatercourseBaselineCalc, off: bool
) -> _EnhancementTerms:
    """C-3 / F-3 N12:AL12 of one row: the proposal, its checks, time to target and difficulty."""
    band, score, _, _ = _baseline_cells(b)  # E12, F12
    proposed = rel.watercourse_types.get(e.habitat) if e is not None and e.habitat else None
    name = proposed.name if proposed else (e.habitat if e is not None else "")  # N12
    proposed_score: Value = proposed.score if proposed else ""  # S12
    condition = (e.condition if e is not None else "") or ""  # T12
    proposed_condition_score = _condition_score(proposed, condition)  # U12
    advance: Years = e.advance_years if e is not None else None  # Z12
    delay: Years = e.delay_years if e is not None else None  # AA12
    # O12 distinctiveness movement
    movement: Value = (
        T.TRADING_DOWN
        if lt(proposed_score, score)
        else xl.show(band) + " - " + xl.show(proposed.band if proposed else "")
    )
    condition_movement = _condition_movement(
        b, name, proposed_score, condition, proposed_condition_score, movement, off
    )
    standard_years = _enhancement_standard_years(rel, b, proposed_score, condition, movement, condition_movement, off)
    status: Value = ""  # AB12
    if not blank(standard_years):
        status = (
            T.CHECK_DATA if eq(standard_years, T.CHECK_DATA) else time_to_target_status(standard_years, advance, delay)
        )
    try:
        final_years = _final_time(status, standard_years, advance, delay, "30+")  # AC12
    except XlError:
        final_years = ERROR
    applied = _applied_difficulty(bool(name), final_years, condition, status, T.LOW_DIFFICULTY)
    standard_difficulty: Value = proposed.enhancement_difficulty if proposed else ""  # AE12
    return _EnhancementTerms(
        name,
        proposed_score,
        proposed_condition_score,
        strategic_significance_multiplier(rel, e.strategic_significance if e else "", T.SPATIAL_DATA_MISSING),
        movement,
        condition_movement,
        standard_years,
        status,
        _temporal(rel, final_years),
        _final_difficulty_multiplier(
            rel, bool(name), applied, standard_years, advance, standard_difficulty, T.LOW_DIFFICULTY
        ),
        # AJ12 / AL12: encroachment of the enhanced watercourse (only N/A - Culvert on a non-culvert fails)
        encroachment(rel, e.encroachment if e else None, name, False, T.SPATIAL_DATA_MISSING, False),
        encroachment(rel, e.riparian_encroachment if e else None, name, True, T.SPATIAL_DATA_MISSING, False),
    )


def _condition_movement(
    b: WatercourseBaselineCalc,
    proposed_name: str,
    proposed_score: Value,
    condition: str,
    proposed_condition_score: Value,
    movement: Value,
    off: bool,
) -> Value:
    """C-3!P12 / F-3!P12: the change in condition ("Poor - Moderate"), or why there is none."""
    base_type = b.type  # C12
    _, score, baseline_condition, baseline_condition_score = _baseline_cells(b)  # F12, G12, H12
    try:
        if blank(base_type):
            return ""
        # C-3!AS12 / F-3!AZ12: the baseline type's irreplaceability (C-3 misspells the message)
        if ne(proposed_name, base_type) and b.irreplaceable == "Yes":
            return T.REPLACE_IRREPLACEABLE if off else T.REPLACE_IRREPLACEABLE_TYPO
        if xl.left(base_type, 55).lower() != xl.left(proposed_name, 55).lower() and eq(movement, "High - High"):
            return T.NOT_LIKE_FOR_LIKE
        if gt(baseline_condition_score, proposed_condition_score):
            return T.CANNOT_REDUCE_CONDITION
        if ne(base_type, proposed_name) and lt(score, proposed_score):
            return "Lower Distinctiveness Habitat - " + condition
        return xl.show(baseline_condition) + " - " + condition
    except XlError:
        return ERROR


def _enhancement_standard_years(
    rel: Release,
    b: WatercourseBaselineCalc,
    proposed_score: Value,
    condition: str,
    movement: Value,
    condition_movement: Value,
    off: bool,
) -> Value:
    """C-3!Y12 / F-3!Y12: standard time to target condition, by distinctiveness (G-7!R3) or by condition."""
    _, score, baseline_condition, _ = _baseline_cells(b)  # F12, G12
    # C-3 compares the movement's first five characters with the release's text (quirk 19)
    error_mark = "Error" if off else rel.rules.c3_trading_down_error_prefix
    try:
        if eq(xl.left(condition_movement, 5), "Error") or eq(xl.left(movement, 5), error_mark):
            return T.CHECK_DATA
        if lt(score, proposed_score):
            return rel.watercourse_distinctiveness_years
        found = rel.watercourse_condition_years_ci.get((xl.show(baseline_condition).lower(), condition.lower()))
        return "" if found is None else found
    except XlError:
        return ""


def _enhancement_row(
    e: WatercourseEnhancement | None, b: WatercourseBaselineCalc, terms: _EnhancementTerms, off: bool
) -> WatercourseEnhancementCalc:
    """C-3 / F-3 row: the terms applied to the enhanced length, and the baseline units to compare with."""
    c = WatercourseEnhancementCalc(
        "watercourse",
        "off_site" if off else "on_site",
        "enhancement",
        e.ref if e else "",
        e,
        e.gain_site if e else None,
        b.ref,
    )
    c.proposed = terms.proposed
    length: Value = b.enhanced_length if terms.proposed else ""  # Q12
    c.length = length
    if off:
        _offsite_enhancement_units(c, e, b, terms, length)
    else:
        try:
            if blank(b.type):
                c.units = ""
            elif terms.proposed and blank(b.units):
                c.units = T.CHECK_DATA
            else:
                c.units = _enhancement_units(b, terms, length, False)
        except XlError:
            c.units = ""
    c.baseline_comparison = _baseline_comparison(b, length)
    c.note(c.units, terms.distinctiveness_movement, terms.condition_movement, terms.status, terms.standard_years)
    return c


def _enhancement_units(b: WatercourseBaselineCalc, terms: _EnhancementTerms, length: Value, with_srm: bool) -> float:
    """C-3!AM12 / F-3!AP12 (AO12 ``with_srm``): the baseline value kept whole plus the discounted uplift.

    A lengthened watercourse is valued on its baseline length (D12) and the uplift on the new one.
    """
    _, score, _, condition_score = _baseline_cells(b)  # F12, H12
    baseline_length = b.length  # D12
    risk = prod(terms.difficulty_multiplier, terms.temporal_multiplier)
    core = uplift(
        length,
        terms.score,
        terms.condition_score,
        score,
        condition_score,
        risk,
        baseline_size=baseline_length if gt(length, baseline_length) else None,
    )
    if with_srm:
        return prod(
            core,
            prod(terms.riparian_multiplier, terms.significance_multiplier, terms.encroachment_multiplier, b.srm),
        )
    return prod(core, prod(terms.riparian_multiplier, terms.significance_multiplier, terms.encroachment_multiplier))


def _offsite_enhancement_units(
    c: WatercourseEnhancementCalc,
    e: WatercourseEnhancement | None,
    b: WatercourseBaselineCalc,
    terms: _EnhancementTerms,
    length: Value,
) -> None:
    """F-3!AO12 units with SRM and AP12 units (the baseline's and the off-site reference checks)."""
    try:
        c.units_srm = "" if blank(b.type) else _enhancement_units(b, terms, length, True)
    except XlError:
        c.units_srm = ""
    try:
        if blank(b.type) or blank(b.srm_category):
            c.units = ""
        elif terms.proposed and blank(b.units):
            c.units = T.CHECK_DATA_LOWER
        elif b.srm_category and (e is None or not e.gain_site):
            c.units = T.OFFSITE_REFERENCE_REQUIRED
        else:
            c.units = _enhancement_units(b, terms, length, False)
    except XlError:
        c.units = ""


def _baseline_comparison(b: WatercourseBaselineCalc, length: Value) -> Value:
    """C-3!AY12 / F-3!BD12: the baseline units the enhancement must not fall below (no IFERROR)."""
    units = b.units  # M12
    enhanced = b.enhanced  # AX12: units enhanced of the baseline row
    try:
        if gt(enhanced, units):
            return units
        if gt(xl.add(num(b.retained_length), num(length)), b.length):
            return xl.sub(num(units), num(b.retained))
        return enhanced
    except XlError:
        return ERROR
