"""Sheets B-3 (on-site) and E-3 (off-site): hedgerows enhanced, one row per enhanced baseline hedgerow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .. import xl
from ..cells import RowCalc, cache_key, place_enhancements, prod, uplift
from ..messages import T
from ..model import HedgerowEnhancement, Years
from ..multipliers import (
    difficulty_multiplier,
    strategic_significance_multiplier,
    temporal_multiplier,
    time_to_target_status,
)
from ..reference import HedgerowType, Release
from ..xl import ERROR, Value, XlError, blank, eq, gt, lt, ne, num
from .baseline_sheet import HedgerowBaselineCalc, condition_score


class HedgerowEnhancementCalc(RowCalc):
    """B-3 / E-3 row (units: B-3!AH / E-3!AK, units_srm: E-3!AJ)."""

    __slots__ = ("length", "proposed")

    proposed: str  # M12 proposed hedgerow type
    length: Value  # P12 length enhanced


class _EnhancementTerms(NamedTuple):
    """B-3!M12:AG12 (E-3 alike): the cells of an enhancement row that depend neither on lengths nor on units."""

    proposed: str  # M12 proposed hedgerow type
    complete: bool  # M12, S12 and U12 all given (AH12's blank test)
    distinctiveness_score: Value  # R12 distinctiveness score of the proposal
    condition_score: Value  # T12
    significance_multiplier: Value  # W12 strategic significance multiplier
    standard_years: Value  # X12 standard time to target condition
    distinctiveness_movement: Value  # N12 ("Medium - High")
    condition_movement: Value  # O12 ("Poor - Moderate"), or why there is none
    status: Value  # AA12
    final_years: Value  # AB12 final time to target condition
    temporal_multiplier: Value  # AC12
    difficulty_multiplier: Value  # AG12


def enhancement(
    rel: Release,
    rows: Sequence[HedgerowEnhancement],
    baselines: Sequence[HedgerowBaselineCalc],
    off: bool,
) -> tuple[list[HedgerowEnhancementCalc], list[HedgerowEnhancement]]:
    """B-3 / E-3: one sheet row per baseline row with an enhanced length, and the rows without a place."""
    pairs, unplaced = place_enhancements(
        rows, baselines, lambda baseline_row: bool(baseline_row.habitat) and gt(baseline_row.enhanced_km, 0.0)
    )
    # rows that share baseline type and condition and the proposal share M12-AG12: computed once
    cache: dict[tuple[object, ...], _EnhancementTerms] = {}
    out: list[HedgerowEnhancementCalc] = []
    for baseline, row in pairs:
        key = _enhancement_key(row, baseline)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _enhancement_terms(rel, row, baseline, off)
        out.append(_enhancement_row(row, baseline, terms, off))
    return out, unplaced


def _enhancement_key(row: HedgerowEnhancement | None, baseline: HedgerowBaselineCalc) -> tuple[object, ...]:
    """What B-3 M12-AG12 depend on: the baseline's type and condition and the proposal, not lengths."""
    if row is None:
        return (baseline.type, baseline.distinctiveness_score, baseline.condition, baseline.condition_score)
    return (
        baseline.type,
        baseline.distinctiveness_score,
        baseline.condition,
        baseline.condition_score,
        row.habitat,
        row.condition,
        row.strategic_significance,
        cache_key(row.advance_years),
        cache_key(row.delay_years),
    )


def _enhancement_terms(
    rel: Release, row: HedgerowEnhancement | None, baseline: HedgerowBaselineCalc, off: bool
) -> _EnhancementTerms:
    """B-3 / E-3 M12:AG12 of one row: the proposal, its checks, time to target and difficulty."""
    proposed = rel.hedgerow_types.get(row.habitat) if row is not None and row.habitat else None  # M12
    proposed_name = proposed.name if proposed else (row.habitat if row is not None else "")
    condition = row.condition if row is not None else ""  # S12
    strategic_significance = row.strategic_significance if row is not None else ""  # U12
    advance: Years = row.advance_years if row is not None else None  # Y12
    delay: Years = row.delay_years if row is not None else None  # Z12
    movement: Value = ""  # N12 distinctiveness movement
    if proposed_name and proposed:
        movement = rel.hedgerow_change.get((baseline.type, proposed.name), "")
    proposed_score: Value = proposed.score if proposed else ""  # R12
    try:  # T12
        proposed_condition_score = condition_score(rel, proposed, condition or "", off, False)
    except XlError:
        proposed_condition_score = ""
    condition_movement = _condition_movement(
        rel, baseline, proposed_name, movement, proposed_score, condition, proposed_condition_score, off
    )
    multiplier = strategic_significance_multiplier(rel, strategic_significance, T.SPATIAL_DATA_MISSING)  # W12
    standard_years = _enhancement_standard_years(
        rel, baseline, proposed, proposed_name, proposed_score, movement, condition_movement, proposed_condition_score
    )
    status = _enhancement_status(standard_years, proposed_name, advance, delay)
    final_years = _enhancement_final_time(rel, standard_years, status, advance, delay, off)
    temporal = _enhancement_temporal(rel, condition, proposed_name, final_years)
    return _EnhancementTerms(
        proposed_name,
        bool(proposed_name and condition and strategic_significance),
        proposed_score,
        proposed_condition_score,
        multiplier,
        standard_years,
        movement,
        condition_movement,
        status,
        final_years,
        temporal,
        _enhancement_difficulty(rel, proposed, condition_movement),
    )


def _enhancement_status(standard_years: Value, proposed_name: str, advance: Years, delay: Years) -> Value:
    """B-3!AA12 / E-3!AA12: the time-to-target status, or "Check Data" where the standard time says it."""
    if eq(standard_years, T.CHECK_DATA):
        return T.CHECK_DATA
    if not proposed_name:
        return ""
    return time_to_target_status(standard_years, advance, delay)


def _enhancement_difficulty(rel: Release, proposed: HedgerowType | None, condition_movement: Value) -> Value:
    """B-3!AG12 / E-3!AG12: the multiplier of the proposed type's *standard* (creation) difficulty (B-3!AD12 quirk)."""
    if blank(condition_movement) or proposed is None:
        return ""
    try:
        return difficulty_multiplier(rel, proposed.creation_difficulty)
    except XlError:
        return ""


def _condition_movement(
    rel: Release,
    baseline: HedgerowBaselineCalc,
    proposed_name: str,
    movement: Value,
    proposed_score: Value,
    condition: str,
    proposed_condition_score: Value,
    off: bool,
) -> Value:
    """B-3!O12 / E-3!O12: the change in condition ("Poor - Moderate"), or why there is none."""
    try:
        differs = xl.left(baseline.type, 55).lower() != xl.left(proposed_name, 55).lower()
        if differs and eq(movement, "High - High"):
            return T.NOT_LIKE_FOR_LIKE
        # E-3!O12 also wants "Medium - Medium" like for like, until 1.0.2
        if (
            off
            and differs
            and isinstance(movement, str)
            and movement.lower() in rel.rules.hedgerow_not_like_for_like_offsite
        ):
            return T.NOT_LIKE_FOR_LIKE
        if gt(baseline.condition_score, proposed_condition_score):
            return T.CANNOT_REDUCE_CONDITION
        if eq(baseline.distinctiveness_score, proposed_score) and eq(
            baseline.condition_score, proposed_condition_score
        ):
            return T.NO_ENHANCEMENT
        if ne(baseline.type, proposed_name) and lt(baseline.distinctiveness_score, proposed_score):
            return "Lower Distinctiveness Habitat - " + (condition or "")
        return xl.show(baseline.condition) + " - " + (condition or "")
    except XlError:
        return ""


def _enhancement_standard_years(
    rel: Release,
    baseline: HedgerowBaselineCalc,
    proposed: HedgerowType | None,
    proposed_name: str,
    proposed_score: Value,
    movement: Value,
    condition_movement: Value,
    proposed_condition_score: Value,
) -> Value:
    """B-3!X12: standard time to target condition, by distinctiveness (G-6 S:AE) or by condition (G-6 K:Q)."""
    try:
        if (
            eq(xl.left(condition_movement, 5), "Error")
            or eq(xl.left(movement, 5), "Error")
            or eq(proposed_condition_score, "Error")
        ):
            return T.CHECK_DATA
        last_type = _last_type(rel)  # G-6!B3:B14 leaves out the last (V.Low) type
        if lt(baseline.distinctiveness_score, proposed_score):
            years = rel.hedgerow_distinctiveness_years.get((baseline.type, proposed_name))
            if baseline.type == last_type or years is None:
                return ""
            return years
        if proposed is None or proposed.name == last_type:
            return ""
        found = (
            proposed.condition_change_years_ci.get(condition_movement.lower())
            if isinstance(condition_movement, str)
            else None
        )
        return "" if found is None else found
    except XlError:
        return ""


def _enhancement_final_time(
    rel: Release, standard_years: Value, status: Value, advance: Years, delay: Years, off: bool
) -> Value:
    """B-3!AB12 / E-3!AB12: final time to target condition.

    Until 1.0.3 on-site gives "30+ ⚠" when the delay is 30+, which its multiplier lookup misses
    (quirk 7); from 1.0.3 a "Not possible" standard time is "Check Data" (tested before the 30+
    advance off-site, after it on-site).
    """
    not_possible = rel.rules.hedgerow_not_possible_years_text
    try:
        if blank(standard_years):
            return ""
        if status == T.CHECK_DATA:
            return T.CHECK_DATA
        if off and not_possible and eq(standard_years, not_possible):
            return T.CHECK_DATA_LOWER
        if eq(advance, "30+"):
            return 0.0
        if not off and not_possible and eq(standard_years, not_possible):
            return T.CHECK_DATA
        if eq(delay, "30+"):
            return "30+" if off else rel.rules.b3_delay_30_plus_text
        with_delay = xl.add(num(standard_years), num(delay))
        if gt(with_delay, 30.0):
            return "30+"
        if status == T.BOTH_ADVANCE_AND_DELAY:
            return T.CHECK_DATA
        left = xl.sub(with_delay, num(advance))
        return left if gt(left, 0.0) else 0.0
    except XlError:
        return ERROR


def _enhancement_temporal(rel: Release, condition: str, proposed_name: str, final_years: Value) -> Value:
    """B-3!AC12 / E-3!AC12: the temporal multiplier of the final time (no IFERROR)."""
    try:
        if not condition or not proposed_name:
            return ""
        if eq(xl.left(final_years, 5), "Error ▲"):
            return T.CHECK_DATA
        if eq(final_years, T.CHECK_DATA):
            return T.CHECK_DATA
        return temporal_multiplier(rel, final_years)
    except XlError:
        return ERROR


def _enhancement_row(
    row: HedgerowEnhancement | None, baseline: HedgerowBaselineCalc, terms: _EnhancementTerms, off: bool
) -> HedgerowEnhancementCalc:
    """B-3 / E-3 row: the terms applied to the enhanced length, units with and without spatial risk."""
    calc = HedgerowEnhancementCalc(
        "hedgerow",
        "off_site" if off else "on_site",
        "enhancement",
        row.ref if row else "",
        row,
        row.gain_site if row else None,
        baseline.ref,
    )
    calc.proposed = terms.proposed
    length: Value = baseline.enhanced_length  # P12
    calc.length = length
    baseline_units = baseline.units  # K12 (B-1!N / E-1!Q)
    if off:
        _offsite_enhancement_units(calc, row, baseline, terms, length)
    else:
        try:
            if eq(baseline_units, T.CHECK_DATA_LOWER):
                calc.units = T.CHECK_DATA_LOWER
            else:
                calc.units = _enhancement_units(baseline, terms, length, False)
        except XlError:
            calc.units = ""
    low = T.LOW_DIFFICULTY if terms.status == T.REACHED_TARGET else None
    final_marked = terms.final_years if terms.final_years == T.THIRTY_PLUS_MARKED else None
    calc.note(
        calc.units,
        terms.status,
        final_marked,
        terms.standard_years,
        terms.distinctiveness_movement,
        terms.condition_movement,
        low,
    )
    return calc


def _enhancement_units(
    baseline: HedgerowBaselineCalc, terms: _EnhancementTerms, length: Value, with_srm: bool
) -> Value:
    """B-3!AH12 / E-3!AK12 (AJ12 ``with_srm``): the baseline value kept whole plus the discounted uplift."""
    if not terms.complete:
        return ""
    risk = prod(terms.difficulty_multiplier, terms.temporal_multiplier)
    core = uplift(
        length,
        terms.distinctiveness_score,
        terms.condition_score,
        baseline.distinctiveness_score,
        baseline.condition_score,
        risk,
    )
    units = prod(core, terms.significance_multiplier)
    return prod(units, baseline.srm) if with_srm else units


def _offsite_enhancement_units(
    calc: HedgerowEnhancementCalc,
    row: HedgerowEnhancement | None,
    baseline: HedgerowBaselineCalc,
    terms: _EnhancementTerms,
    length: Value,
) -> None:
    """E-3!AK12 units (the off-site reference check) and AJ12 units with SRM."""
    category = baseline.srm_category  # AH12
    try:
        if eq(baseline.units, T.CHECK_DATA_LOWER):
            calc.units = T.CHECK_DATA_LOWER
        elif category and (row is None or not row.gain_site):
            calc.units = T.OFFSITE_REFERENCE_REQUIRED
        elif not category:
            calc.units = ""
        else:
            calc.units = _enhancement_units(baseline, terms, length, False)
    except XlError:
        calc.units = ""
    try:
        if eq(calc.units, T.CHECK_DATA_LOWER):
            calc.units_srm = T.CHECK_DATA_LOWER
        elif not category:
            calc.units_srm = ""
        else:
            calc.units_srm = _enhancement_units(baseline, terms, length, True)
    except XlError:
        calc.units_srm = ""


def _last_type(rel: Release) -> str:
    return next(reversed(list(rel.hedgerow_types)))
