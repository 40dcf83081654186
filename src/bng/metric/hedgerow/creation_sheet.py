"""Sheets B-2 (on-site) and E-2 (off-site): hedgerows created, row by row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .. import xl
from ..cells import RowCalc, creation_key, prod
from ..messages import T
from ..model import HedgerowCreation, Years
from ..multipliers import (
    spatial_risk_multiplier,
    strategic_significance_multiplier,
    temporal_multiplier,
    time_to_target_status,
)
from ..reference import HedgerowType, Release
from ..xl import ERROR, Value, XlError, blank, catch, eq, gt, lt, num
from .baseline_sheet import condition_score


class HedgerowCreationCalc(RowCalc):
    """B-2 / E-2 row (units: B-2!W / E-2!Z, units_srm: E-2!Y)."""

    __slots__ = ("length", "srm", "type")

    type: str  # D12 hedgerow type
    length: Value  # E12
    srm: Value  # E-2!N12 spatial risk multiplier


class _CreationTerms(NamedTuple):
    """B-2!D12:V12 (E-2 alike): the cells of a creation row that do not depend on its length."""

    hedgerow: HedgerowType | None  # D12
    distinctiveness_score: Value  # G12 distinctiveness score
    condition_score: Value  # I12
    significance_multiplier: Value  # L12 strategic significance multiplier
    status: Value  # P12 / R12
    temporal_multiplier: Value  # R12 / T12
    difficulty_multiplier: Value  # V12 / X12


def _creation_years(hedgerow: HedgerowType | None, condition: str) -> Value:
    """B-2!M12: INDEX(G-6!E3:I15, type, condition) — no IFERROR, so a miss is an error."""
    years = hedgerow.creation_years_ci.get(condition.lower()) if hedgerow is not None else None
    if years is None:
        raise XlError("#N/A")
    return years


def final_time(
    standard_years: Value,
    status: Value,
    advance: Years,
    delay: Years,
    not_possible_text: str = "",
    off: bool = False,
) -> Value:
    """B-2!Q12 (E-2!S12): final time to target condition of a created hedgerow.

    From 1.0.3 a standard time of ``not_possible_text`` is "Check Data ⚠" ("Check data ⚠" off-site).
    """
    if blank(standard_years):
        return ""
    if status == T.BOTH_ADVANCE_AND_DELAY:
        return T.CHECK_DATA
    if not_possible_text and eq(standard_years, not_possible_text):
        return T.CHECK_DATA_LOWER if off else T.CHECK_DATA
    if eq(advance, "30+") or eq(advance, "Habitat already in target condition"):
        return 0.0
    if eq(delay, "30+"):
        return "30+"
    if eq(standard_years, "30+") and (blank(advance) or eq(advance, 0.0)):
        return "30+"
    if eq(standard_years, "30+") and gt(advance, 0.0):
        return xl.sub(30.0, num(advance))
    with_delay = xl.add(num(standard_years), num(delay))
    if gt(with_delay, 30.0):
        return "30+"
    left = xl.sub(with_delay, num(advance))
    if gt(left, 0.0):
        return left
    if lt(xl.sub(num(standard_years), num(advance)), 0.0):
        return 0.0
    return left


def _creation_terms(rel: Release, row: HedgerowCreation, off: bool, first: bool) -> _CreationTerms:
    """B-2 / E-2 D12:V12 of one row; computed once per distinct combination."""
    hedgerow = rel.hedgerow_types.get(row.habitat)
    condition = row.condition or ""
    try:  # I12
        target_condition_score = condition_score(rel, hedgerow, condition, off, False)
    except XlError:
        target_condition_score = ""
    multiplier = strategic_significance_multiplier(rel, row.strategic_significance, T.SPATIAL_DATA_MISSING)
    advance, delay = row.advance_years, row.delay_years
    if not row.habitat or not condition:
        standard_years: Value = ""
    else:
        standard_years = catch(lambda: _creation_years(hedgerow, condition))  # M12 / O12
    status = _creation_status(row, standard_years, off, first)
    try:
        final_years = final_time(
            standard_years, status, advance, delay, rel.rules.hedgerow_not_possible_years_text, off
        )
    except XlError:
        final_years = ERROR
    temporal = _creation_temporal(rel, row, standard_years, final_years, off)
    # B-2!V12 / E-2!X12: multiplier of the *standard* creation difficulty (a workbook quirk)
    difficulty: Value = ""
    if hedgerow is not None:
        difficulty = rel.difficulty_multipliers.get(hedgerow.creation_difficulty, ERROR)
    distinctiveness_score = hedgerow.score if hedgerow else ""  # G12
    return _CreationTerms(
        hedgerow, distinctiveness_score, target_condition_score, multiplier, status, temporal, difficulty
    )


def _creation_status(row: HedgerowCreation, standard_years: Value, off: bool, first: bool) -> Value:
    """B-2!P12 / E-2!R12: time-to-target status (E-2's first row lacks the ⚠ on the delay text)."""
    delay_text = T.DELAY_NO_MARK if (off and first) else T.DELAY
    try:
        if off:
            if not row.habitat:
                return ""
        elif blank(standard_years):
            return ""
        return time_to_target_status(standard_years, row.advance_years, row.delay_years, delay_text)
    except XlError:
        return ERROR


def _creation_temporal(
    rel: Release, row: HedgerowCreation, standard_years: Value, final_years: Value, off: bool
) -> Value:
    """B-2!R12 / E-2!T12: the temporal multiplier of the final time (no IFERROR)."""
    try:
        if not off and blank(standard_years):
            return ""
        if off and not row.habitat:
            return ""
        if eq(final_years, T.CHECK_DATA):
            return T.CHECK_DATA
        return temporal_multiplier(rel, final_years)
    except XlError:
        return ERROR


def creation(rel: Release, rows: Sequence[HedgerowCreation], off: bool) -> list[HedgerowCreationCalc]:
    """B-2 / E-2 rows, in input order."""
    location = "off_site" if off else "on_site"
    out: list[HedgerowCreationCalc] = []
    # rows that share type, condition, strategic significance and years share D12-V12: computed once
    cache: dict[tuple[object, ...], _CreationTerms] = {}
    for index, row in enumerate(rows):
        calc = HedgerowCreationCalc("hedgerow", location, "creation", row.ref, row, row.gain_site)
        first = off and index == 0
        key = creation_key(row, first)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _creation_terms(rel, row, off, first)
        calc.type = terms.hedgerow.name if terms.hedgerow else ""
        calc.length = row.length_km
        if off:
            _offsite_creation_units(rel, calc, row, terms)
        else:
            calc.units = _creation_units(row, terms)
        low = T.LOW_DIFFICULTY if terms.status == T.REACHED_TARGET else None
        calc.note(calc.units, terms.status, low, terms.condition_score)
        out.append(calc)
    return out


def _creation_units(row: HedgerowCreation, terms: _CreationTerms) -> Value:
    """B-2!W12 / E-2!Z12's product ``E × G × I × L × R × V``: "" where it errors."""
    _, distinctiveness_score, target_condition_score, multiplier, _, temporal, difficulty = terms
    try:
        return prod(row.length_km, distinctiveness_score, target_condition_score, multiplier, temporal, difficulty)
    except XlError:
        return ""


def _offsite_creation_units(
    rel: Release, calc: HedgerowCreationCalc, row: HedgerowCreation, terms: _CreationTerms
) -> None:
    """E-2!N12 spatial risk multiplier, Y12 units with SRM, Z12 units (the off-site reference check)."""
    srm = spatial_risk_multiplier(rel.spatial_risk, row.spatial_risk)
    calc.srm = srm
    units = _creation_units(row, terms)
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
