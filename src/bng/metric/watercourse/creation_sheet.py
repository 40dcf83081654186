"""Sheets C-2 (on-site) and F-2 (off-site): watercourses created, row by row.

The time to target condition and the difficulty (``final_time`` …) are also C-3's formulas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .. import xl
from ..cells import RowCalc, creation_key, prod
from ..messages import T
from ..model import WatercourseCreation, Years
from ..multipliers import (
    difficulty_multiplier,
    spatial_risk_multiplier,
    strategic_significance_multiplier,
    temporal_multiplier,
    time_to_target_status,
)
from ..reference import Release
from ..xl import ERROR, Value, XlError, blank, eq, ge, gt, lt, num
from .baseline_sheet import condition_score, encroachment


def applied_difficulty(has_type: bool, final_years: Value, condition: str, status: Value, low_text: str) -> Value:
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


def final_difficulty_multiplier(
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


def final_time(status: Value, standard_years: Value, advance: Years, delay: Years, over_thirty: str) -> Value:
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


def temporal_multiplier_cell(rel: Release, final_years: Value) -> Value:
    """C-2!Q12 / C-3!AD12: the temporal multiplier of the final time ("" where the lookup fails)."""
    try:
        return T.CHECK_DATA if eq(final_years, T.CHECK_DATA) else temporal_multiplier(rel, final_years)
    except XlError:
        return ""


class WatercourseCreationCalc(RowCalc):
    """C-2 / F-2 row (units: C-2!Z / F-2!AC, units_srm: F-2!AB)."""

    __slots__ = ("length", "srm", "type")

    type: str  # C12 watercourse type
    length: Value  # D12
    srm: Value  # F-2!AA12 spatial risk multiplier


class _CreationTerms(NamedTuple):
    """C-2!C12:Y12 (F-2 alike): the cells of a creation row that do not depend on its length."""

    type: str  # C12
    distinctiveness_score: Value  # F12 distinctiveness score
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
        final_years = final_time(status, standard_years, advance, delay, "30+" if off else "30+ ")
    except XlError:
        final_years = ERROR
    low_text = T.LOW_DIFFICULTY_NO if off else T.LOW_DIFFICULTY
    applied = applied_difficulty(bool(row.habitat), final_years, condition, status, low_text)
    difficulty = final_difficulty_multiplier(
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
        condition_score(watercourse, condition),
        strategic_significance_multiplier(rel, row.strategic_significance, T.SPATIAL_DATA_MISSING),
        status,
        temporal_multiplier_cell(rel, final_years),
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
        calc = WatercourseCreationCalc("watercourse", location, "creation", row.ref, row, row.gain_site)
        key = creation_key(row, row.encroachment, row.riparian_encroachment)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _creation_terms(rel, row, off)
        calc.type = terms.type
        calc.length = row.length_km
        if off:
            _offsite_creation_units(rel, calc, row, terms)
        else:
            try:
                calc.units = "" if not row.habitat else _creation_units(row, terms, off)
            except XlError:
                calc.units = ""
        calc.note(
            calc.units,
            terms.status,
            terms.low_difficulty,
            terms.condition_score,
            terms.encroachment_multiplier,
            terms.riparian_multiplier,
        )
        out.append(calc)
    return out


def _creation_units(row: WatercourseCreation, terms: _CreationTerms, off: bool) -> float:
    """C-2!Z12 ``D × F × H × K × Q × U × Y × W``; F-2!AC12 multiplies W before Y."""
    (
        _,
        distinctiveness_score,
        target_condition_score,
        multiplier,
        _,
        temporal,
        difficulty,
        encroachment_multiplier,
        riparian_multiplier,
        _,
    ) = terms
    if off:
        return prod(
            row.length_km,
            distinctiveness_score,
            target_condition_score,
            multiplier,
            temporal,
            difficulty,
            encroachment_multiplier,
            riparian_multiplier,
        )
    return prod(
        row.length_km,
        distinctiveness_score,
        target_condition_score,
        multiplier,
        temporal,
        difficulty,
        riparian_multiplier,
        encroachment_multiplier,
    )


def _offsite_creation_units(
    rel: Release, calc: WatercourseCreationCalc, row: WatercourseCreation, terms: _CreationTerms
) -> None:
    """F-2!AA12 spatial risk multiplier, AB12 units with SRM, AC12 units (the off-site reference check)."""
    srm = spatial_risk_multiplier(rel.spatial_risk_watercourse, row.spatial_risk)
    calc.srm = srm
    try:
        calc.units_srm = prod(_creation_units(row, terms, True), srm)
    except XlError:
        calc.units_srm = ""
    try:
        if row.spatial_risk and not row.gain_site:
            calc.units = T.OFFSITE_REFERENCE_REQUIRED
        elif not row.spatial_risk:
            calc.units = ""
        else:
            calc.units = _creation_units(row, terms, True)
    except XlError:
        calc.units = ""
