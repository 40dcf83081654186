"""Hedgerow units: sheets B-1/B-2/B-3 (on-site) and E-1/E-2/E-3 (off-site).

Each function computes one cell of a row (or a few that belong together) as the workbook's
formula does; the docstring names the cell and each field its column. Off-site sheets differ
from the on-site ones in a few places (spatial risk, the off-site reference check, some texts);
those places test ``off``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from . import xl
from .cells import RowCalc, cache_key, creation_key, place_enhancements, prod, uplift
from .messages import T
from .model import HedgerowBaseline, HedgerowCreation, HedgerowEnhancement, Years
from .multipliers import (
    difficulty_multiplier,
    spatial_risk_multiplier,
    strategic_significance_multiplier,
    temporal_multiplier,
    time_to_target_status,
)
from .reference import HedgerowType, Release
from .xl import ERROR, Value, XlError, blank, catch, eq, gt, lt, ne, num


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


# -- B-1 / E-1: baseline ------------------------------------------------------------------------


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


# -- B-2 / E-2: creation ------------------------------------------------------------------------


class HedgerowCreationCalc(RowCalc):
    """B-2 / E-2 row (units: B-2!W / E-2!Z, units_srm: E-2!Y)."""

    __slots__ = ("length", "srm", "type")

    type: str  # D12 hedgerow type
    length: Value  # E12
    srm: Value  # E-2!N12 spatial risk multiplier


class _CreationTerms(NamedTuple):
    """B-2!D12:V12 (E-2 alike): the cells of a creation row that do not depend on its length."""

    hedgerow: HedgerowType | None  # D12
    score: Value  # G12 distinctiveness score
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
    try:
        score = condition_score(rel, hedgerow, condition, off, False)
    except XlError:
        score = ""
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
    return _CreationTerms(hedgerow, hedgerow.score if hedgerow else "", score, multiplier, status, temporal, difficulty)


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
        c = HedgerowCreationCalc("hedgerow", location, "creation", row.ref, row, row.gain_site)
        first = off and index == 0
        key = creation_key(row, first)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _creation_terms(rel, row, off, first)
        c.type = terms.hedgerow.name if terms.hedgerow else ""
        c.length = row.length_km
        if off:
            _offsite_creation_units(rel, c, row, terms)
        else:
            c.units = _creation_units(row, terms)
        low = T.LOW_DIFFICULTY if terms.status == T.REACHED_TARGET else None
        c.note(c.units, terms.status, low, terms.condition_score)
        out.append(c)
    return out


def _creation_units(row: HedgerowCreation, terms: _CreationTerms) -> Value:
    """B-2!W12 / E-2!Z12's product ``E × G × I × L × R × V``: "" where it errors."""
    _, score, condition_score, multiplier, _, temporal, difficulty = terms
    try:
        return prod(row.length_km, score, condition_score, multiplier, temporal, difficulty)
    except XlError:
        return ""


def _offsite_creation_units(
    rel: Release, c: HedgerowCreationCalc, row: HedgerowCreation, terms: _CreationTerms
) -> None:
    """E-2!N12 spatial risk multiplier, Y12 units with SRM, Z12 units (the off-site reference check)."""
    srm = spatial_risk_multiplier(rel.spatial_risk, row.spatial_risk)
    c.srm = srm
    units = _creation_units(row, terms)
    try:
        c.units_srm = prod(units, srm)
    except XlError:
        c.units_srm = ""
    if row.spatial_risk and not row.gain_site:
        c.units = T.OFFSITE_REFERENCE_REQUIRED
    elif not row.spatial_risk:
        c.units = ""
    else:
        c.units = units


# -- B-3 / E-3: enhancement ---------------------------------------------------------------------


class HedgerowEnhancementCalc(RowCalc):
    """B-3 / E-3 row (units: B-3!AH / E-3!AK, units_srm: E-3!AJ)."""

    __slots__ = ("length", "proposed")

    proposed: str  # M12 proposed hedgerow type
    length: Value  # P12 length enhanced


class _EnhancementTerms(NamedTuple):
    """B-3!M12:AG12 (E-3 alike): the cells of an enhancement row that depend neither on lengths nor on units."""

    proposed: str  # M12 proposed hedgerow type
    complete: bool  # M12, S12 and U12 all given (AH12's blank test)
    score: Value  # R12 distinctiveness score of the proposal
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
    pairs, unplaced = place_enhancements(rows, baselines, lambda row: bool(row.habitat) and gt(row.enhanced_km, 0.0))
    # rows that share baseline type and condition and the proposal share M12-AG12: computed once
    cache: dict[tuple[object, ...], _EnhancementTerms] = {}
    out: list[HedgerowEnhancementCalc] = []
    for b, e in pairs:
        key = _enhancement_key(e, b)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _enhancement_terms(rel, e, b, off)
        out.append(_enhancement_row(e, b, terms, off))
    return out, unplaced


def _enhancement_key(e: HedgerowEnhancement | None, b: HedgerowBaselineCalc) -> tuple[object, ...]:
    """What B-3 M12-AG12 depend on: the baseline's type and condition and the proposal, not lengths."""
    if e is None:
        return (b.type, b.score, b.condition, b.condition_score)
    return (
        b.type,
        b.score,
        b.condition,
        b.condition_score,
        e.habitat,
        e.condition,
        e.strategic_significance,
        cache_key(e.advance_years),
        cache_key(e.delay_years),
    )


def _enhancement_terms(
    rel: Release, e: HedgerowEnhancement | None, b: HedgerowBaselineCalc, off: bool
) -> _EnhancementTerms:
    """B-3 / E-3 M12:AG12 of one row: the proposal, its checks, time to target and difficulty."""
    proposed = rel.hedgerow_types.get(e.habitat) if e is not None and e.habitat else None  # M12
    proposed_name = proposed.name if proposed else (e.habitat if e is not None else "")
    condition = e.condition if e is not None else ""  # S12
    strategic_significance = e.strategic_significance if e is not None else ""  # U12
    advance: Years = e.advance_years if e is not None else None  # Y12
    delay: Years = e.delay_years if e is not None else None  # Z12
    movement: Value = ""  # N12 distinctiveness movement
    if proposed_name and proposed:
        movement = rel.hedgerow_change.get((b.type, proposed.name), "")
    proposed_score: Value = proposed.score if proposed else ""  # R12
    try:  # T12
        proposed_condition_score = condition_score(rel, proposed, condition or "", off, False)
    except XlError:
        proposed_condition_score = ""
    condition_movement = _condition_movement(
        rel, b, proposed_name, movement, proposed_score, condition, proposed_condition_score, off
    )
    multiplier = strategic_significance_multiplier(rel, strategic_significance, T.SPATIAL_DATA_MISSING)  # W12
    standard_years = _enhancement_standard_years(
        rel, b, proposed, proposed_name, proposed_score, movement, condition_movement, proposed_condition_score
    )
    if eq(standard_years, T.CHECK_DATA):  # AA12
        status: Value = T.CHECK_DATA
    elif not proposed_name:
        status = ""
    else:
        status = time_to_target_status(standard_years, advance, delay)
    final_years = _enhancement_final_time(rel, standard_years, status, advance, delay, off)
    temporal = _enhancement_temporal(rel, condition, proposed_name, final_years)
    # AG12: multiplier of the standard (creation) difficulty of the proposed type (B-3!AD12 quirk)
    difficulty: Value = ""
    if not blank(condition_movement) and proposed is not None:
        try:
            difficulty = difficulty_multiplier(rel, proposed.creation_difficulty)
        except XlError:
            difficulty = ""
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
        difficulty,
    )


def _condition_movement(
    rel: Release,
    b: HedgerowBaselineCalc,
    proposed_name: str,
    movement: Value,
    proposed_score: Value,
    condition: str,
    proposed_condition_score: Value,
    off: bool,
) -> Value:
    """B-3!O12 / E-3!O12: the change in condition ("Poor - Moderate"), or why there is none."""
    try:
        differs = xl.left(b.type, 55).lower() != xl.left(proposed_name, 55).lower()
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
        if gt(b.condition_score, proposed_condition_score):
            return T.CANNOT_REDUCE_CONDITION
        if eq(b.score, proposed_score) and eq(b.condition_score, proposed_condition_score):
            return T.NO_ENHANCEMENT
        if ne(b.type, proposed_name) and lt(b.score, proposed_score):
            return "Lower Distinctiveness Habitat - " + (condition or "")
        return xl.show(b.condition) + " - " + (condition or "")
    except XlError:
        return ""


def _enhancement_standard_years(
    rel: Release,
    b: HedgerowBaselineCalc,
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
        if lt(b.score, proposed_score):
            years = rel.hedgerow_distinctiveness_years.get((b.type, proposed_name))
            if b.type == last_type or years is None:
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
    e: HedgerowEnhancement | None, b: HedgerowBaselineCalc, terms: _EnhancementTerms, off: bool
) -> HedgerowEnhancementCalc:
    """B-3 / E-3 row: the terms applied to the enhanced length, units with and without spatial risk."""
    c = HedgerowEnhancementCalc(
        "hedgerow",
        "off_site" if off else "on_site",
        "enhancement",
        e.ref if e else "",
        e,
        e.gain_site if e else None,
        b.ref,
    )
    c.proposed = terms.proposed
    length: Value = b.enhanced_length  # P12
    c.length = length
    baseline_units = b.units  # K12 (B-1!N / E-1!Q)
    if off:
        _offsite_enhancement_units(c, e, b, terms, length)
    else:
        try:
            if eq(baseline_units, T.CHECK_DATA_LOWER):
                c.units = T.CHECK_DATA_LOWER
            else:
                c.units = _enhancement_units(b, terms, length, False)
        except XlError:
            c.units = ""
    low = T.LOW_DIFFICULTY if terms.status == T.REACHED_TARGET else None
    final_marked = terms.final_years if terms.final_years == T.THIRTY_PLUS_MARKED else None
    c.note(
        c.units,
        terms.status,
        final_marked,
        terms.standard_years,
        terms.distinctiveness_movement,
        terms.condition_movement,
        low,
    )
    return c


def _enhancement_units(b: HedgerowBaselineCalc, terms: _EnhancementTerms, length: Value, with_srm: bool) -> Value:
    """B-3!AH12 / E-3!AK12 (AJ12 ``with_srm``): the baseline value kept whole plus the discounted uplift."""
    if not terms.complete:
        return ""
    risk = prod(terms.difficulty_multiplier, terms.temporal_multiplier)
    core = uplift(length, terms.score, terms.condition_score, b.score, b.condition_score, risk)
    units = prod(core, terms.significance_multiplier)
    return prod(units, b.srm) if with_srm else units


def _offsite_enhancement_units(
    c: HedgerowEnhancementCalc,
    e: HedgerowEnhancement | None,
    b: HedgerowBaselineCalc,
    terms: _EnhancementTerms,
    length: Value,
) -> None:
    """E-3!AK12 units (the off-site reference check) and AJ12 units with SRM."""
    category = b.srm_category  # AH12
    try:
        if eq(b.units, T.CHECK_DATA_LOWER):
            c.units = T.CHECK_DATA_LOWER
        elif category and (e is None or not e.gain_site):
            c.units = T.OFFSITE_REFERENCE_REQUIRED
        elif not category:
            c.units = ""
        else:
            c.units = _enhancement_units(b, terms, length, False)
    except XlError:
        c.units = ""
    try:
        if eq(c.units, T.CHECK_DATA_LOWER):
            c.units_srm = T.CHECK_DATA_LOWER
        elif not category:
            c.units_srm = ""
        else:
            c.units_srm = _enhancement_units(b, terms, length, True)
    except XlError:
        c.units_srm = ""


def _last_type(rel: Release) -> str:
    return next(reversed(list(rel.hedgerow_types)))
