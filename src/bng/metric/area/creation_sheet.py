"""Sheets A-2 (on-site) and D-2 (off-site): habitats created, row by row.

The final time to target condition (``final_time``) is also the formula of A-3!AH12.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .. import xl
from ..cells import RowCalc, creation_key, prod
from ..messages import T
from ..model import AreaCreation, Years
from ..multipliers import (
    spatial_risk_multiplier,
    strategic_significance_multiplier,
    temporal_multiplier,
)
from ..reference import AreaHabitat, Release
from ..xl import ERROR, Value, XlError, blank, eq, ge, gt, le, num


class AreaCreationCalc(RowCalc):
    """A-2 / D-2 row (units: A-2!Y / D-2!AB, units_srm: D-2!AA)."""

    __slots__ = ("area", "label", "srm", "srm_category")

    label: str  # F11 "Broad habitat - Habitat type"
    area: Value  # G11
    srm_category: str  # D-2!Y11 spatial risk category
    srm: Value  # D-2!Z11 spatial risk multiplier


class CreationTerms(NamedTuple):
    """A-2!F11:X11: the cells of a creation row that depend neither on its area nor on its position."""

    habitat: AreaHabitat | None  # F11
    distinctiveness_score: Value  # I11 distinctiveness score
    condition_score: Value  # K11
    significance_multiplier: Value  # N11 strategic significance multiplier
    standard_years: Value  # O11 standard time to target condition
    status: Value  # R11
    final_years: Value  # S11 final time to target condition
    temporal_multiplier: Value  # T11
    applied_difficulty: Value  # V11
    difficulty_multiplier: Value  # X11 (of W11, the final difficulty)


CreationCache = dict[tuple[object, ...], CreationTerms]
"""Creation terms by :func:`~bng.metric.cells.creation_key`, shared by the on-site and off-site sheets."""


def _creation_status(
    distinctiveness_score: Value,
    standard_years: Value,
    advance: Years,
    delay: Years,
    poor_years: Value,
    has_habitat: bool,
) -> Value:
    """A-2!R11: standard or adjusted time to target condition (``poor_years`` is AE11)."""
    if not has_habitat:
        return ""
    if gt(advance, 0.0) and gt(delay, 0.0):
        return T.BOTH_ADVANCE_AND_DELAY
    if eq(distinctiveness_score, 0.0):
        return T.STANDARD_TIME
    if le(standard_years, advance):
        return T.REACHED_TARGET
    if blank(standard_years):
        return ""
    if ge(advance, poor_years) and gt(advance, 0.0):
        return T.POOR_THRESHOLD_REACHED
    if gt(standard_years, advance) and gt(advance, 0.0):
        return T.CREATION_IN_PLACE
    if gt(delay, 0.0):
        return T.DELAY
    if gt(advance, 0.0):
        return T.STARTED_IN_PLACE
    return T.STANDARD_TIME


def final_time(
    status: Value,
    standard_years: Value,
    advance: Years,
    delay: Years,
    not_possible_text: str,
    not_possible: str = T.CHECK_DATA,
) -> Value:
    """A-2!S11 / A-3!AH12: final time to target condition (years, "30+", or a text).

    ``not_possible_text`` is the text the release's formula compares the standard years with
    (until 1.0.3 "Not Possible", which never equals the lookup's "Not Possible ▲").
    Raises XlError where the workbook's formula itself errors (arithmetic on a text).
    """
    if status == T.BOTH_ADVANCE_AND_DELAY:
        return T.CHECK_DATA
    if eq(standard_years, not_possible_text):
        return not_possible
    if blank(standard_years):
        return ""
    if eq(standard_years, "30+"):
        if eq(advance, 0.0):
            return "30+"
        if eq(advance, "30+"):
            return 0.0
        return xl.sub(30.0, num(advance))
    if gt(advance, standard_years):
        return 0.0
    if eq(delay, "30+"):
        return "30+"
    return years_left(standard_years, advance, delay)


def years_left(standard_years: Value, advance: Years, delay: Years) -> Value:
    """The tail of A-2!S11 / A-3!AH12 / D-3!AH12: standard + delay − advance, "30+" past thirty years."""
    with_delay = xl.add(num(standard_years), num(delay))
    if gt(with_delay, 30.0):
        return "30+"
    if gt(xl.sub(num(standard_years), num(advance)), 30.0):
        return "30+"
    left = xl.sub(with_delay, num(advance))
    if gt(left, 0.0):
        return left
    without_delay = xl.sub(num(standard_years), num(advance))
    if gt(without_delay, 0.0):
        return without_delay
    return left


def _years(habitat: AreaHabitat | None, condition: str) -> Value:
    """INDEX(TemporalData, habitat, condition): standard years to reach a condition ("" if none)."""
    if habitat is None or not condition:
        return ""
    return habitat.creation_years.get(condition, "")


def _creation_terms(rel: Release, row: AreaCreation) -> CreationTerms:
    """A-2!F11:X11 of one row; on-site and off-site alike, so computed once per distinct combination."""
    habitat = rel.area_habitat(row.habitat)
    distinctiveness_score: Value = habitat.score if habitat else ""
    condition = row.condition or ""
    condition_score: Value = habitat.condition_scores.get(condition, "") if habitat and condition else ""
    multiplier = strategic_significance_multiplier(rel, row.strategic_significance, T.SPATIAL_DATA_MISSING_PLAIN)
    standard_years = _years(habitat, condition)
    advance, delay = row.advance_years, row.delay_years
    status = _creation_status(
        distinctiveness_score, standard_years, advance, delay, _years(habitat, "Poor"), bool(row.habitat)
    )
    final_years: Value
    try:
        final_years = final_time(status, standard_years, advance, delay, rel.rules.area_not_possible_years_text)
    except XlError:
        final_years = ERROR
    temporal: Value  # T11
    try:
        temporal = T.CHECK_DATA if eq(final_years, T.CHECK_DATA) else temporal_multiplier(rel, final_years)
    except XlError:
        temporal = ""
    # V11 applied difficulty (off-site, "Poor threshold reached" depends on the row: see creation)
    applied: Value = ""
    if habitat is not None:
        if status == T.REACHED_TARGET:
            applied = T.LOW_DIFFICULTY
        elif status == T.POOR_THRESHOLD_REACHED:
            applied = _poor_threshold_difficulty(rel, habitat, habitat.type.lower())
        else:
            applied = T.STANDARD_DIFFICULTY
    difficulty = _final_difficulty(rel, habitat, applied, standard_years, advance)
    return CreationTerms(
        habitat,
        distinctiveness_score,
        condition_score,
        multiplier,
        standard_years,
        status,
        final_years,
        temporal,
        applied,
        difficulty,
    )


def _poor_threshold_difficulty(rel: Release, habitat: AreaHabitat, shifted_type: str) -> str:
    """A-2!V11 when the poor threshold is reached: standard difficulty for the listed types."""
    own = habitat.type.lower()
    shifted = rel.rules.poor_threshold_row_offset_type.lower()
    exceptions = rel.rules.poor_threshold_standard_difficulty
    keeps_standard = any((shifted_type if ex == shifted else own) == ex for ex in exceptions)
    return T.STANDARD_DIFFICULTY if keeps_standard else T.ENHANCEMENT_DIFFICULTY


def _final_difficulty(
    rel: Release, habitat: AreaHabitat | None, applied: Value, standard_years: Value, advance: Years
) -> Value:
    """A-2!W11 final difficulty, and X11 its multiplier."""
    difficulty: Value = ""
    if habitat is not None:
        if applied == T.STANDARD_DIFFICULTY and gt(standard_years, advance):
            difficulty = habitat.creation_difficulty
        elif applied == T.LOW_DIFFICULTY and ge(advance, standard_years):
            difficulty = "Low"
        else:
            difficulty = habitat.enhancement_difficulty
    return rel.difficulty_multipliers.get(difficulty, "") if isinstance(difficulty, str) else ""


def creation(
    rel: Release, rows: Sequence[AreaCreation], off: bool, cache: CreationCache | None = None
) -> list[AreaCreationCalc]:
    """A-2 / D-2 rows. ``cache`` may be shared by the on-site and off-site sheets of one release."""
    location = "off_site" if off else "on_site"
    out: list[AreaCreationCalc] = []
    # Rows that share habitat, condition, strategic significance and years share every
    # multiplier: they are looked up and decided once, not once per row.
    if cache is None:
        cache = {}
    for index, row in enumerate(rows):
        calc = AreaCreationCalc("area", location, "creation", row.ref, row, row.gain_site)
        key = creation_key(row)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _creation_terms(rel, row)
        habitat, distinctiveness_score, condition_score, multiplier, _, status, _, temporal, applied, difficulty = terms
        calc.label = habitat.label if habitat else ""
        calc.area = area = row.area_ha
        if off and habitat is not None and status == T.POOR_THRESHOLD_REACHED:
            applied, difficulty = _poor_threshold_offsite(rel, rows, index, habitat, terms, row.advance_years)
        try:
            units: Value = prod(area, distinctiveness_score, condition_score, multiplier, temporal, difficulty)  # Y11
        except XlError:
            units = ""
        if off:
            _offsite_creation_units(rel, calc, row, units)
        else:
            calc.units = units
        calc.note(calc.units, status, applied if applied == T.LOW_DIFFICULTY else None, condition_score)
        out.append(calc)
    return out


def _poor_threshold_offsite(
    rel: Release,
    rows: Sequence[AreaCreation],
    index: int,
    habitat: AreaHabitat,
    terms: CreationTerms,
    advance: Years,
) -> tuple[Value, Value]:
    """D-2!V11 and AA11's difficulty: the type exception is read from the row 63 rows below (quirk 4)."""
    ahead_index = index + rel.rules.poor_threshold_row_offset_offsite
    ahead = rows[ahead_index].habitat if ahead_index < len(rows) else ""
    ahead_habitat = rel.area_habitat(ahead) if ahead else None
    applied = _poor_threshold_difficulty(rel, habitat, ahead_habitat.type.lower() if ahead_habitat else "")
    return applied, _final_difficulty(rel, habitat, applied, terms.standard_years, advance)


def _offsite_creation_units(rel: Release, calc: AreaCreationCalc, row: AreaCreation, units: Value) -> None:
    """D-2!Z11 spatial risk multiplier, AA11 units with SRM, AB11 units (the off-site reference check)."""
    srm = spatial_risk_multiplier(rel.spatial_risk, row.spatial_risk)
    calc.srm, calc.srm_category = srm, row.spatial_risk or ""
    try:
        calc.units_srm = prod(units, srm)
    except XlError:
        calc.units_srm = ""
    if row.spatial_risk and not row.gain_site:
        calc.units = T.OFFSITE_REFERENCE_REQUIRED
    elif not row.spatial_risk:
        calc.units = ""
    else:
        calc.units = units


def area_created_for_balance(rel: Release, calcs: Sequence[AreaCreationCalc]) -> float:
    """A-2!G259 / D-2!G259: area created, without trees, green walls and hard structures."""
    excluded = rel.rules.area_balance_excluded
    return xl.total(
        (num(calc.area) if isinstance(calc.area, float) else None)
        for calc in calcs
        if calc.label.lower() not in excluded
    )
