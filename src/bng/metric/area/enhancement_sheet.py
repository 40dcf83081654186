"""Sheets A-3 (on-site) and D-3 (off-site): habitats enhanced, one row per enhanced baseline parcel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .. import xl
from ..cells import RowCalc, cache_key, place_enhancements, prod, uplift
from ..messages import T
from ..model import AreaEnhancement, Years
from ..multipliers import (
    difficulty_multiplier,
    strategic_significance_multiplier,
    temporal_multiplier,
)
from ..reference import AreaHabitat, Release
from ..xl import ERROR, Value, XlError, blank, eq, ge, gt, le, lt, ne, num
from .baseline_sheet import AreaBaselineCalc
from .creation_sheet import final_time, years_left


class AreaEnhancementCalc(RowCalc):
    """A-3 / D-3 row (units: A-3!AN / D-3!AQ, units_srm: D-3!AP)."""

    __slots__ = ("area", "proposed_label", "required_action")

    required_action: Value  # O12: the baseline row's required action (row n+1's AG reads it, quirk 2)
    proposed_label: str  # S12
    area: Value  # V12 area enhanced


class _Proposal(NamedTuple):
    """A-3!R12:AF12 (D-3 alike): the proposed habitat of an enhancement row, as entered and looked up."""

    habitat: AreaHabitat | None  # S12's row of G-1
    habitat_type: str  # R12
    label: str  # S12
    band: Value  # W12 distinctiveness band
    distinctiveness_score: Value  # X12 distinctiveness score
    condition: str  # Y12
    condition_score: Value  # Z12
    significance_multiplier: Value  # AC12 strategic significance multiplier
    advance_years: Years  # AE12
    delay_years: Years  # AF12


class _EnhancementTerms(NamedTuple):
    """A-3!R12:AM12: the cells of an enhancement row that depend neither on its area nor on its units."""

    proposal: _Proposal
    distinctiveness_change: Value  # T12
    condition_change: Value  # U12
    standard_years: Value  # AD12 standard time to target condition
    status: Value  # AG12
    temporal_multiplier: Value  # AI12
    applied_difficulty: Value  # AK12
    difficulty_multiplier: Value  # AM12


_NO_PROPOSAL = _Proposal(None, "", "", "", "", "", "", "", None, None)


def enhancement(
    rel: Release,
    rows: Sequence[AreaEnhancement],
    baselines: Sequence[AreaBaselineCalc],
    off: bool,
) -> tuple[list[AreaEnhancementCalc], list[AreaEnhancement]]:
    """A-3 / D-3: one sheet row per baseline row with an enhanced area, in baseline order.

    Returns the calculated rows and the enhancement rows the workbook has no place for
    (their baseline row is missing, has no enhanced area, or is enhanced twice).
    """
    pairs, unplaced = place_enhancements(
        rows, baselines, lambda baseline_row: not blank(baseline_row.area_ha) and gt(baseline_row.enhanced_ha, 0.0)
    )
    out: list[AreaEnhancementCalc] = []
    previous_action: Value = "Required Action to Meet Trading Rules"  # A-3!O11, the header above row 12
    # rows that share the baseline's habitat and condition, the proposal and their position's quirks
    # share T12-AM12: computed once
    cache: dict[tuple[object, ...], _EnhancementTerms] = {}
    for baseline, row in pairs:
        first = not out
        key = _enhancement_key(row, baseline, first, blank(previous_action))
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _enhancement_terms(rel, row, baseline, off, first, previous_action)
        calc = _enhancement_row(row, baseline, terms, off)
        previous_action = calc.required_action
        out.append(calc)
    return out, unplaced


def _enhancement_key(
    row: AreaEnhancement | None, baseline: AreaBaselineCalc, first: bool, previous_blank: bool
) -> tuple[object, ...]:
    """What A-3 T12-AM12 depend on: the baseline's habitat and condition, the proposal, the row's place."""
    base = (
        baseline.label,
        baseline.band,
        baseline.distinctiveness_score,
        baseline.condition,
        baseline.condition_score,
        baseline.required_action,
        baseline.irreplaceable,
    )
    if row is None:
        return (*base, first, previous_blank)
    return (
        *base,
        first,
        previous_blank,
        row.habitat,
        row.condition,
        row.strategic_significance,
        cache_key(row.advance_years),
        cache_key(row.delay_years),
    )


def _proposal(rel: Release, row: AreaEnhancement | None) -> _Proposal:
    """A-3!R12:AF12: the proposed habitat, its band, scores and multiplier, and the years entered."""
    if row is None:
        return _NO_PROPOSAL
    habitat = rel.area_habitat(row.habitat) if row.habitat else None
    condition = row.condition
    return _Proposal(
        habitat,
        habitat.type if habitat else "",
        habitat.label if habitat else "",
        habitat.band if habitat else "",
        habitat.score if habitat else "",
        condition,
        habitat.condition_scores.get(condition, "") if habitat and condition else "",
        strategic_significance_multiplier(rel, row.strategic_significance, T.SPATIAL_DATA_MISSING),
        row.advance_years,
        row.delay_years,
    )


def _enhancement_terms(
    rel: Release,
    row: AreaEnhancement | None,
    baseline: AreaBaselineCalc,
    off: bool,
    first: bool,
    previous_action: Value,
) -> _EnhancementTerms:
    """A-3 / D-3 R12:AM12 of one row: the proposal, its checks, time to target and difficulty."""
    proposal = _proposal(rel, row)
    distinctiveness_change = _distinctiveness_change(rel, baseline, proposal)
    condition_change = _condition_change(rel, baseline, proposal, distinctiveness_change, off, first)
    standard_years = _standard_years(rel, proposal, distinctiveness_change, condition_change)
    status = _enhancement_status(standard_years, proposal, previous_action)
    final_years = _enhancement_final_time(rel, status, standard_years, proposal, off)
    temporal = _enhancement_temporal(rel, final_years, off, first)
    applied, difficulty = _enhancement_difficulty(rel, baseline, proposal, status, standard_years, final_years)
    return _EnhancementTerms(
        proposal, distinctiveness_change, condition_change, standard_years, status, temporal, applied, difficulty
    )


def _distinctiveness_change(rel: Release, baseline: AreaBaselineCalc, proposal: _Proposal) -> Value:
    """A-3!T12: the change in distinctiveness ("Medium - High"), or the trading rule it breaks."""
    baseline_label, proposed_label = baseline.label, proposal.label  # F12, S12
    baseline_score, proposed_score = baseline.distinctiveness_score, proposal.distinctiveness_score  # I12, X12
    action = xl.left(baseline.required_action, 6)  # O12
    if (
        (action == "Same d" and gt(baseline_score, proposed_score))
        or (
            action == "Same b"
            and xl.left(baseline_label, 5).lower() != xl.left(proposed_label, 5).lower()
            and gt(baseline_score, proposed_score)
        )
        or (action == "Same h" and ne(baseline_label, proposed_label))
        or (action == "Bespok" and ne(baseline_label, proposed_label))
    ):
        return T.TRADING_RULES_NOT_SATISFIED
    if lt(proposed_score, baseline_score):
        return T.TRADING_DOWN
    only_from = rel.rules.enhancement_only_from
    proposed_type = proposal.habitat_type.lower()
    if proposed_type in only_from and baseline_label.lower() not in only_from[proposed_type]:
        return T.ENHANCEMENT_NOT_POSSIBLE
    return xl.show(baseline.band) + " - " + xl.show(proposal.band)


def _condition_change(
    rel: Release, baseline: AreaBaselineCalc, proposal: _Proposal, distinctiveness_change: Value, off: bool, first: bool
) -> Value:
    """A-3!U12 / D-3!U12: the change in condition ("Poor - Moderate"), or why there is none."""
    if blank(baseline.label):
        return ""
    if ne(proposal.label, baseline.label) and baseline.irreplaceable == "Yes":
        return T.REPLACE_IRREPLACEABLE
    if (
        xl.left(baseline.label, 55).lower() != xl.left(proposal.label, 55).lower()
        and distinctiveness_change == "High - High"
    ):
        return T.NOT_LIKE_FOR_LIKE
    if off:
        return _condition_change_offsite(baseline, proposal)
    if first and not rel.rules.a3_first_row_condition_checks:
        return _condition_change_first_row(baseline, proposal)
    return _condition_change_onsite(baseline, proposal)


def _condition_change_onsite(baseline: AreaBaselineCalc, proposal: _Proposal) -> Value:
    """A-3!U13:U257 (and U12 from 1.0.2): a condition may not be reduced."""
    same_distinctiveness = eq(baseline.distinctiveness_score, proposal.distinctiveness_score)
    if same_distinctiveness and gt(baseline.condition_score, proposal.condition_score):
        return T.CANNOT_REDUCE_CONDITION
    if same_distinctiveness and eq(baseline.condition_score, proposal.condition_score):
        return T.NO_ENHANCEMENT
    if gt(baseline.condition_score, proposal.condition_score):
        return T.CONDITION_CANNOT_BE_REDUCED
    if lt(proposal.distinctiveness_score, baseline.distinctiveness_score):
        return T.TRADING_DOWN
    return _condition_label(baseline, proposal)


def _condition_change_first_row(baseline: AreaBaselineCalc, proposal: _Proposal) -> Value:
    """A-3!U12 until 1.0.2: without the "condition cannot be reduced" checks (quirk 1)."""
    if eq(baseline.distinctiveness_score, proposal.distinctiveness_score) and eq(
        baseline.condition_score, proposal.condition_score
    ):
        return T.NO_ENHANCEMENT
    if lt(proposal.distinctiveness_score, baseline.distinctiveness_score):
        return T.TRADING_DOWN
    return _condition_label(baseline, proposal)


def _condition_change_offsite(baseline: AreaBaselineCalc, proposal: _Proposal) -> Value:
    """D-3!U12: the on-site checks in another order."""
    same_distinctiveness = eq(baseline.distinctiveness_score, proposal.distinctiveness_score)
    if same_distinctiveness and gt(baseline.condition_score, proposal.condition_score):
        return T.CANNOT_REDUCE_CONDITION
    if gt(baseline.condition_score, proposal.condition_score):
        return T.CONDITION_CANNOT_BE_REDUCED
    if same_distinctiveness and eq(baseline.condition_score, proposal.condition_score):
        return T.NO_ENHANCEMENT
    if lt(proposal.distinctiveness_score, baseline.distinctiveness_score):
        return T.TRADING_DOWN
    return _condition_label(baseline, proposal)


def _condition_label(baseline: AreaBaselineCalc, proposal: _Proposal) -> str:
    """The last branch of A-3!U12: "J12 - Y12", or from a lower distinctiveness habitat."""
    if ne(baseline.label, proposal.label) and lt(baseline.distinctiveness_score, proposal.distinctiveness_score):
        return "Lower Distinctiveness Habitat - " + proposal.condition
    return baseline.condition + " - " + proposal.condition


def _standard_years(rel: Release, proposal: _Proposal, distinctiveness_change: Value, condition_change: Value) -> Value:
    """A-3!AD12: standard time to target condition of the enhancement."""
    if eq(xl.left(condition_change, 5), "Error") or eq(xl.left(distinctiveness_change, 5), "Error"):
        return T.CHECK_DATA
    if proposal.habitat is None:
        return ""
    return _enhancement_years(rel, proposal.habitat, condition_change)


def _enhancement_years(rel: Release, habitat: AreaHabitat, condition_change: Value) -> Value:
    """INDEX(EnhanceTemporal, habitat, condition change); a missing column is #N/A → ""."""
    if not isinstance(condition_change, str):
        return ""
    key = condition_change.lower()
    if key in rel.rules.enhancement_years_outside_range:
        return ""
    return habitat.enhancement_years_ci.get(key, "")


def _enhancement_status(standard_years: Value, proposal: _Proposal, previous_action: Value) -> Value:
    """A-3!AG12: the time-to-target status; it tests the row above's required action (quirk 2)."""
    advance, delay = proposal.advance_years, proposal.delay_years
    if blank(standard_years):
        return ""
    if standard_years == T.CHECK_DATA:
        return T.CHECK_DATA
    if not proposal.habitat_type:
        return ""
    if gt(advance, 0.0) and gt(delay, 0.0):
        return T.BOTH_ADVANCE_AND_DELAY
    if (eq(advance, "Habitat already in target condition") or le(standard_years, advance)) and eq(delay, 0.0):
        return T.REACHED_TARGET
    if blank(previous_action):
        return ""
    if gt(advance, 0.0):
        return T.STARTED_IN_PLACE
    if gt(delay, 0.0):
        return T.DELAY
    return T.STANDARD_TIME


def _enhancement_final_time(
    rel: Release, status: Value, standard_years: Value, proposal: _Proposal, off: bool
) -> Value:
    """A-3!AH12 / D-3!AH12: final time to target condition (D-3 tests a "30+" delay earlier)."""
    if status in (T.BOTH_ADVANCE_AND_DELAY, T.CHECK_DATA):
        return T.CHECK_DATA
    not_possible_text = rel.rules.area_not_possible_years_text
    try:
        if off:
            return _final_time_offsite(standard_years, proposal.advance_years, proposal.delay_years, not_possible_text)
        return final_time("", standard_years, proposal.advance_years, proposal.delay_years, not_possible_text)
    except XlError:
        return ERROR


def _final_time_offsite(standard_years: Value, advance: Years, delay: Years, not_possible_text: str) -> Value:
    """D-3!AH12: as A-3!AH12 but "30+" delay is tested before advance beyond the standard time."""
    if blank(standard_years):
        return ""
    if eq(standard_years, not_possible_text):
        return T.CHECK_DATA_NO_SPACE
    if eq(standard_years, "30+"):
        if eq(advance, 0.0):
            return "30+"
        if eq(advance, "30+"):
            return 0.0
        return xl.sub(30.0, num(advance))
    if eq(delay, "30+"):
        return "30+"
    if gt(advance, standard_years):
        return 0.0
    return years_left(standard_years, advance, delay)


def _enhancement_temporal(rel: Release, final_years: Value, off: bool, first: bool) -> Value:
    """A-3!AI12 / D-3!AI12: the temporal multiplier of the final time.

    Until 1.0.3 the on-site rows below the first compare the final time with "Check Data", no
    mark, which it never says (quirk 3); 1.0.2 gave row 12 that formula too.
    """
    if off:
        check_text = T.CHECK_DATA
    elif first:
        check_text = rel.rules.a3_first_row_check_data_text
    else:
        check_text = rel.rules.a3_check_data_text
    try:
        if eq(final_years, check_text):
            return check_text
    except XlError:
        return ERROR
    try:
        return temporal_multiplier(rel, final_years)
    except XlError:
        return ""


def _enhancement_difficulty(
    rel: Release,
    baseline: AreaBaselineCalc,
    proposal: _Proposal,
    status: Value,
    standard_years: Value,
    final_years: Value,
) -> tuple[Value, Value]:
    """A-3!AK12 applied difficulty and AM12 the multiplier of AL12, the final difficulty (AJ12 standard)."""
    standard: Value = proposal.habitat.enhancement_difficulty if proposal.habitat else ""  # AJ12
    applied = T.LOW_DIFFICULTY if status == T.REACHED_TARGET else T.STANDARD_DIFFICULTY  # AK12
    final: Value = standard  # AL12
    if applied == T.LOW_DIFFICULTY and ge(proposal.advance_years, standard_years):
        final = "Low"
    try:  # AM12
        if blank(baseline.label):
            return applied, ""
        if eq(final_years, T.CHECK_DATA):
            return applied, T.CHECK_DATA
        return applied, difficulty_multiplier(rel, final)
    except XlError:
        return applied, ""


def _enhancement_row(
    row: AreaEnhancement | None, baseline: AreaBaselineCalc, terms: _EnhancementTerms, off: bool
) -> AreaEnhancementCalc:
    """A-3 / D-3 row: the terms applied to the enhanced area, units with and without spatial risk."""
    calc = AreaEnhancementCalc(
        "area",
        "off_site" if off else "on_site",
        "enhancement",
        row.ref if row is not None else "",
        row,
        row.gain_site if row is not None else None,
        baseline.ref,
    )
    proposal = terms.proposal
    calc.required_action = baseline.required_action
    calc.proposed_label = proposal.label
    area: Value = baseline.enhanced_area if proposal.label else ""  # V12
    calc.area = area
    if off:
        _offsite_enhancement_units(calc, row, baseline, terms, area)
    else:
        baseline_units = baseline.units  # N12
        try:
            if eq(baseline_units, T.IRREPLACEABLE_TREE_ENHANCED):
                calc.units = baseline_units
            else:
                calc.units = _enhancement_units(baseline, terms, area, False, off)
        except XlError:
            calc.units = ""
    low = terms.applied_difficulty if terms.applied_difficulty == T.LOW_DIFFICULTY else None
    calc.note(calc.units, terms.standard_years, terms.distinctiveness_change, terms.condition_change, terms.status, low)
    return calc


def _enhancement_units(
    baseline: AreaBaselineCalc, terms: _EnhancementTerms, area: Value, with_srm: bool, off: bool
) -> float:
    """A-3!AN12 / D-3!AQ12 (AP12 ``with_srm``): the baseline value kept whole plus the discounted uplift.

    On-site, a proposal in a lower condition than the baseline's is valued at the proposed
    condition throughout (A-3!AN12's K12 > Z12 branch).
    """
    proposal = terms.proposal
    risk = prod(terms.difficulty_multiplier, terms.temporal_multiplier)
    baseline_condition = baseline.condition_score  # K12
    if not off and gt(baseline_condition, proposal.condition_score):
        baseline_condition = proposal.condition_score
    core = uplift(
        area,
        proposal.distinctiveness_score,
        proposal.condition_score,
        baseline.distinctiveness_score,
        baseline_condition,
        risk,
    )
    units = prod(core, proposal.significance_multiplier)
    return prod(units, baseline.srm) if with_srm else units


def _offsite_enhancement_units(
    calc: AreaEnhancementCalc,
    row: AreaEnhancement | None,
    baseline: AreaBaselineCalc,
    terms: _EnhancementTerms,
    area: Value,
) -> None:
    """D-3!AP12 units with SRM, AQ12 units (the off-site reference and the baseline's checks first)."""
    baseline_units = baseline.units  # N12
    try:
        if eq(baseline_units, T.CHECK_DATA):
            calc.units_srm = T.CHECK_DATA
        else:
            calc.units_srm = _enhancement_units(baseline, terms, area, True, True)
    except XlError:
        calc.units_srm = ""
    try:
        if blank(baseline.srm_category):
            calc.units = ""
        elif row is None or not row.gain_site:
            calc.units = T.OFFSITE_REFERENCE_REQUIRED
        elif eq(baseline_units, T.IRREPLACEABLE_TREE_ENHANCED):
            calc.units = baseline_units
        elif eq(baseline_units, T.CHECK_DATA):
            calc.units = T.CHECK_DATA
        else:
            calc.units = _enhancement_units(baseline, terms, area, False, True)
    except XlError:
        calc.units = ""
