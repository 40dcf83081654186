"""Area habitat units: sheets A-1/A-2/A-3 (on-site) and D-1/D-2/D-3 (off-site).

Each function computes one cell of a row (or a few that belong together) as the workbook's
formula does, in its order of precedence; the docstring names the cell (``A-1!Q11``) and each
field its column. Off-site sheets differ from the on-site ones in a few places (spatial risk,
the off-site reference check, some error texts, a row-position quirk); those places test ``off``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from . import xl
from .cells import RowCalc, cache_key, creation_key, place_enhancements, prod, uplift
from .messages import T
from .model import AreaBaseline, AreaCreation, AreaEnhancement, Years
from .multipliers import (
    difficulty_multiplier,
    spatial_risk_multiplier,
    strategic_significance_multiplier,
    temporal_multiplier,
)
from .reference import AreaHabitat, Release
from .xl import ERROR, Value, XlError, blank, eq, ge, gt, le, lt, ne, num

# -- A-1 / D-1: baseline ------------------------------------------------------------------------


class AreaBaselineCalc(RowCalc):
    """A-1 / D-1 row (units: A-1!Q / D-1!T, units_srm: D-1!Q); columns of A-1 (D-1's where they differ)."""

    __slots__ = (
        "area",
        "area_lost",
        "band",
        "bespoke_compensation",
        "broad",
        "condition",
        "condition_score",
        "enhanced_area",
        "irreplaceable",
        "label",
        "required_action",
        "retained_area",
        "retained_srm",
        "score",
        "significance_multiplier",
        "srm",
        "srm_category",
        "units_lost",
        "vhdh_bespoke",
    )

    broad: str  # E11 broad habitat
    label: str  # AV11 "Broad habitat - Habitat type"
    irreplaceable: str  # G11 "Yes", "No", or "" (not confirmed)
    area: Value  # H11
    band: Value  # I11 distinctiveness band, or why the irreplaceability is wrong
    score: Value  # J11 distinctiveness score
    condition: str  # K11
    condition_score: Value  # L11
    significance_multiplier: Value  # O11 strategic significance multiplier
    required_action: str  # P11 required action to meet trading rules
    retained_area: Value  # S11 / V11
    enhanced_area: Value  # T11 / W11
    area_lost: Value  # W11 / Z11
    units_lost: Value  # X11 / AA11
    bespoke_compensation: str  # Y11 / AB11
    vhdh_bespoke: Value  # AT11 / AS11 V.High units with bespoke compensation
    srm_category: str  # D-1!R11 spatial risk category
    srm: Value  # D-1!S11 spatial risk multiplier
    retained_srm: Value  # D-1!AY11 retained units with SRM


class _Actions(NamedTuple):
    """The two required actions (G-1!X3, X9) the baseline formulas compare P11 with."""

    very_high: str  # G-1!X3: the V.High band's trading rule
    irreplaceable: str  # G-1!X9: "Bespoke compensation likely to be required"


def baseline(rel: Release, rows: Sequence[AreaBaseline], off: bool) -> list[AreaBaselineCalc]:
    """A-1 / D-1: one calculated row per baseline row, in input order."""
    actions = _Actions(rel.trading_rule_of_band["V.High"], rel.rules.irreplaceable_trading_rule)
    tree_broad = rel.rules.tree_broad_habitat
    location = "off_site" if off else "on_site"
    out: list[AreaBaselineCalc] = []
    for row in rows:
        c = AreaBaselineCalc("area", location, "baseline", row.ref, row, row.gain_site)
        _habitat_cells(rel, c, row, actions)
        # an irreplaceable individual tree that is enhanced (A-1!Q11, V11, D-1!AA11 …)
        tree_enhanced = eq(c.broad, tree_broad) and gt(c.enhanced_area, 0.0) and c.irreplaceable == "Yes"
        c.retained, c.enhanced = _retained_units(c), _enhanced_units(c, tree_enhanced)
        c.area_lost = _area_lost(c)
        if off:
            c.srm_category = row.spatial_risk or ""
            c.srm = spatial_risk_multiplier(rel.spatial_risk, c.srm_category)
            reference_missing = bool(c.srm_category) and not row.gain_site
        else:
            c.srm_category, c.srm = "", ""
            reference_missing = False
        c.units = _total_units(c, bool(row.habitat), reference_missing, tree_enhanced, actions, off)
        if off:
            c.units_srm = _total_units_srm(c, tree_enhanced, actions)
        c.units_lost = _units_lost(c, tree_enhanced, actions, off)
        c.vhdh_bespoke = _vhdh_bespoke(c, actions, off)
        if off:
            c.retained_srm = _retained_srm(c)
        c.note(
            c.units,
            c.units_srm if off else None,
            c.retained,
            c.enhanced,
            c.area_lost,
            c.units_lost,
            c.band,
            c.condition_score,
        )
        out.append(c)
    return out


def _habitat_cells(rel: Release, c: AreaBaselineCalc, row: AreaBaseline, actions: _Actions) -> None:
    """A-1!E11:P11 and S11:T11, Y11: the habitat, its scores and multiplier, the areas as entered."""
    habitat = rel.area_habitat(row.habitat)
    c.broad = habitat.broad if habitat else ""
    c.label = habitat.label if habitat else ""
    irreplaceable = "" if row.irreplaceable is None else ("Yes" if row.irreplaceable else "No")
    c.irreplaceable = irreplaceable
    c.area, c.retained_area, c.enhanced_area = row.area_ha, row.retained_ha, row.enhanced_ha
    c.bespoke_compensation = row.bespoke_compensation or ""
    band = _band(habitat, irreplaceable)
    c.band = band
    c.score = rel.distinctiveness_scores.get(band, "") if isinstance(band, str) else ""
    condition = row.condition or ""
    c.condition = condition
    c.condition_score = habitat.condition_scores.get(condition, "") if habitat is not None and condition else ""
    # an unknown wording is #N/A
    c.significance_multiplier = strategic_significance_multiplier(rel, row.strategic_significance)
    if irreplaceable == "Yes":
        c.required_action = actions.irreplaceable
    else:
        c.required_action = habitat.trading_rule if habitat is not None else ""


def _band(habitat: AreaHabitat | None, irreplaceable: str) -> Value:
    """A-1!I11: the distinctiveness band, or the error of an irreplaceability the habitat cannot have."""
    if habitat is None:
        return ""
    if habitat.irreplaceable == "Yes" and irreplaceable == "No":
        return T.IRREPLACEABLE_MUST_BE
    if habitat.irreplaceable == "No" and irreplaceable == "Yes":
        return T.CANNOT_BE_IRREPLACEABLE
    return habitat.band


def _units_of(c: AreaBaselineCalc, area: Value) -> float:
    """``area × J11 × L11 × O11``: the units of an area of the parcel (without spatial risk)."""
    return prod(area, c.score, c.condition_score, c.significance_multiplier)


def _retained_units(c: AreaBaselineCalc) -> Value:
    """A-1!U11 / D-1!X11: units of the area retained."""
    if c.irreplaceable == "Yes":
        return T.IRREPLACEABLE_NO_UNITS
    try:
        return _units_of(c, c.retained_area)
    except XlError:
        return ""


def _enhanced_units(c: AreaBaselineCalc, tree_enhanced: bool) -> Value:
    """A-1!V11 / D-1!Y11: units of the area enhanced."""
    if tree_enhanced:
        return T.IRREPLACEABLE_TREE_ENHANCED_SHORT
    try:
        return _units_of(c, c.enhanced_area)
    except XlError:
        return ""


def _area_lost(c: AreaBaselineCalc) -> Value:
    """A-1!W11 / D-1!Z11: the area neither retained nor enhanced (no IFERROR)."""
    if blank(c.broad):
        return ""
    area, retained, enhanced = c.area, c.retained_area, c.enhanced_area
    if lt(area, xl.add(num(retained), num(enhanced))):
        return T.ERROR_IN_AREAS
    return xl.sub(xl.sub(num(area), num(retained)), num(enhanced))


def _unacceptable_loss_area(c: AreaBaselineCalc, actions: _Actions) -> Value:
    """A-1!AC11: the irreplaceable area lost without bespoke compensation (read by Q11 only)."""
    if c.required_action == "" or c.bespoke_compensation == "Yes":
        return ""
    if c.required_action != actions.irreplaceable:
        return "None"
    try:
        return xl.sub(xl.sub(num(c.area), num(c.retained_area)), num(c.enhanced_area))
    except XlError:
        return ""


def _total_units(
    c: AreaBaselineCalc,
    has_habitat: bool,
    reference_missing: bool,
    tree_enhanced: bool,
    actions: _Actions,
    off: bool,
) -> Value:
    """A-1!Q11 / D-1!T11: total habitat units, without spatial risk."""
    irreplaceable_action = actions.irreplaceable
    action = c.required_action
    area, retained, enhanced = c.area, c.retained_area, c.enhanced_area
    no_bespoke = c.bespoke_compensation in ("No", "")
    try:
        if has_habitat and c.irreplaceable == "":
            return T.CONFIRM_IRREPLACEABLE
        if reference_missing:
            return T.OFFSITE_REFERENCE_REQUIRED
        if tree_enhanced:
            return T.IRREPLACEABLE_TREE_ENHANCED
        if c.retained == T.IRREPLACEABLE_NO_UNITS:
            if lt(xl.add(num(retained), num(enhanced)), area) and no_bespoke:
                return T.ANY_LOSS_UNACCEPTABLE
            return _units_of(c, enhanced)
        if action == irreplaceable_action:
            if gt(_unacceptable_loss_area(c, actions), 0.0) and le(retained, 0.0) and le(enhanced, 0.0):
                return T.ANY_LOSS_UNACCEPTABLE if no_bespoke else 0.0
            if lt(xl.add(num(retained), num(enhanced)), area) and no_bespoke:
                return T.ANY_LOSS_UNACCEPTABLE
        if action == "":
            return ""
        if action == irreplaceable_action and (gt(enhanced, 0.0) or gt(retained, 0.0)):
            return xl.add(num(c.retained), num(c.enhanced))
        if off and not c.srm_category:
            return ""
        return _units_of(c, area)
    except XlError:
        return T.CHECK_DATA_TRIANGLE


def _total_units_srm(c: AreaBaselineCalc, tree_enhanced: bool, actions: _Actions) -> Value:
    """D-1!Q11: total habitat units with spatial risk."""
    try:
        if c.required_action == "":
            return ""
        if tree_enhanced:
            return T.IRREPLACEABLE_TREE_ENHANCED
        if c.required_action == actions.irreplaceable:
            return prod(c.units, c.srm)
        return prod(c.area, c.score, c.condition_score, c.significance_multiplier, c.srm)
    except XlError:
        return T.CHECK_DATA


def _units_lost(c: AreaBaselineCalc, tree_enhanced: bool, actions: _Actions, off: bool) -> Value:
    """A-1!X11 / D-1!AA11: units lost, or what the loss needs (bespoke compensation …)."""
    action, bespoke = c.required_action, c.bespoke_compensation
    area, retained, enhanced = c.area, c.retained_area, c.enhanced_area
    try:
        if off and tree_enhanced:
            return T.IRREPLACEABLE_TREE_ENHANCED_OFFSITE
        if blank(area):
            return ""
        if gt(xl.add(num(retained), num(enhanced)), area):
            return T.ERROR_IN_AREAS
        if action in (actions.irreplaceable, actions.very_high) and bespoke == "Yes":
            return T.ALTERNATIVE_COMPENSATION
        if bespoke == "Pending" and action == actions.very_high:
            return T.BESPOKE_MUST_BE_AGREED
        if bespoke == "Pending" and action == actions.irreplaceable:
            return T.BESPOKE_MUST_BE_AGREED_IRREPLACEABLE
        if eq(c.area_lost, 0.0):
            return 0.0
        if action == actions.irreplaceable:
            return T.ANY_LOSS_UNACCEPTABLE_LOST
        return xl.sub(xl.sub(num(c.units), num(c.retained)), num(c.enhanced))
    except XlError:
        return T.CHECK_DATA if off else T.CHECK_DATA_TRIANGLE


def _vhdh_bespoke(c: AreaBaselineCalc, actions: _Actions, off: bool) -> Value:
    """A-1!AT11 / D-1!AS11: V.High units lost with bespoke compensation agreed or pending count as kept."""
    if c.bespoke_compensation in ("Yes", "Pending") and c.required_action == actions.very_high:
        try:
            return xl.sub(xl.sub(num(c.units), num(c.retained)), num(c.enhanced))
        except XlError:
            return ERROR
    return "0" if off else ""


def _retained_srm(c: AreaBaselineCalc) -> Value:
    """D-1!AY11: retained units with spatial risk, plus the V.High bespoke units."""
    if c.retained == T.IRREPLACEABLE_NO_UNITS:
        return "0"
    try:
        retained = prod(c.retained_area, c.score, c.condition_score, c.significance_multiplier, c.srm)
        return xl.add(retained, prod(c.vhdh_bespoke, c.srm))
    except XlError:
        return ""


def area_lost_for_balance(rel: Release, calcs: Sequence[AreaBaselineCalc]) -> float:
    """A-1!W261 / D-1!Z261: area lost, without trees, green walls and hard structures."""
    excluded = rel.rules.area_balance_excluded
    return xl.total(c.area_lost for c in calcs if c.label.lower() not in excluded)


# -- A-2 / D-2: creation ------------------------------------------------------------------------


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
    score: Value  # I11 distinctiveness score
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
    score: Value, standard_years: Value, advance: Years, delay: Years, poor_years: Value, has_habitat: bool
) -> Value:
    """A-2!R11: standard or adjusted time to target condition (``poor_years`` is AE11)."""
    if not has_habitat:
        return ""
    if gt(advance, 0.0) and gt(delay, 0.0):
        return T.BOTH_ADVANCE_AND_DELAY
    if eq(score, 0.0):
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
    return _years_left(standard_years, advance, delay)


def _years_left(standard_years: Value, advance: Years, delay: Years) -> Value:
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
    score: Value = habitat.score if habitat else ""
    condition = row.condition or ""
    condition_score: Value = habitat.condition_scores.get(condition, "") if habitat and condition else ""
    multiplier = strategic_significance_multiplier(rel, row.strategic_significance, T.SPATIAL_DATA_MISSING_PLAIN)
    standard_years = _years(habitat, condition)
    advance, delay = row.advance_years, row.delay_years
    status = _creation_status(score, standard_years, advance, delay, _years(habitat, "Poor"), bool(row.habitat))
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
        habitat, score, condition_score, multiplier, standard_years, status, final_years, temporal, applied, difficulty
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
        c = AreaCreationCalc("area", location, "creation", row.ref, row, row.gain_site)
        key = creation_key(row)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _creation_terms(rel, row)
        habitat, score, condition_score, multiplier, _, status, _, temporal, applied, difficulty = terms
        c.label = habitat.label if habitat else ""
        c.area = area = row.area_ha
        if off and habitat is not None and status == T.POOR_THRESHOLD_REACHED:
            applied, difficulty = _poor_threshold_offsite(rel, rows, index, habitat, terms, row.advance_years)
        try:
            units: Value = prod(area, score, condition_score, multiplier, temporal, difficulty)  # Y11
        except XlError:
            units = ""
        if off:
            _offsite_creation_units(rel, c, row, units)
        else:
            c.units = units
        c.note(c.units, status, applied if applied == T.LOW_DIFFICULTY else None, condition_score)
        out.append(c)
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


def _offsite_creation_units(rel: Release, c: AreaCreationCalc, row: AreaCreation, units: Value) -> None:
    """D-2!Z11 spatial risk multiplier, AA11 units with SRM, AB11 units (the off-site reference check)."""
    srm = spatial_risk_multiplier(rel.spatial_risk, row.spatial_risk)
    c.srm, c.srm_category = srm, row.spatial_risk or ""
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


def area_created_for_balance(rel: Release, calcs: Sequence[AreaCreationCalc]) -> float:
    """A-2!G259 / D-2!G259: area created, without trees, green walls and hard structures."""
    excluded = rel.rules.area_balance_excluded
    return xl.total(
        (num(c.area) if isinstance(c.area, float) else None) for c in calcs if c.label.lower() not in excluded
    )


# -- A-3 / D-3: enhancement ---------------------------------------------------------------------


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
    score: Value  # X12 distinctiveness score
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
        rows, baselines, lambda row: not blank(row.area_ha) and gt(row.enhanced_ha, 0.0)
    )
    out: list[AreaEnhancementCalc] = []
    previous_action: Value = "Required Action to Meet Trading Rules"  # A-3!O11, the header above row 12
    # rows that share the baseline's habitat and condition, the proposal and their position's quirks
    # share T12-AM12: computed once
    cache: dict[tuple[object, ...], _EnhancementTerms] = {}
    for b, e in pairs:
        first = not out
        key = _enhancement_key(e, b, first, blank(previous_action))
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _enhancement_terms(rel, e, b, off, first, previous_action)
        c = _enhancement_row(e, b, terms, off)
        previous_action = c.required_action
        out.append(c)
    return out, unplaced


def _enhancement_key(
    e: AreaEnhancement | None, b: AreaBaselineCalc, first: bool, previous_blank: bool
) -> tuple[object, ...]:
    """What A-3 T12-AM12 depend on: the baseline's habitat and condition, the proposal, the row's place."""
    base = (b.label, b.band, b.score, b.condition, b.condition_score, b.required_action, b.irreplaceable)
    if e is None:
        return (*base, first, previous_blank)
    return (
        *base,
        first,
        previous_blank,
        e.habitat,
        e.condition,
        e.strategic_significance,
        cache_key(e.advance_years),
        cache_key(e.delay_years),
    )


def _proposal(rel: Release, e: AreaEnhancement | None) -> _Proposal:
    """A-3!R12:AF12: the proposed habitat, its band, scores and multiplier, and the years entered."""
    if e is None:
        return _NO_PROPOSAL
    habitat = rel.area_habitat(e.habitat) if e.habitat else None
    condition = e.condition
    return _Proposal(
        habitat,
        habitat.type if habitat else "",
        habitat.label if habitat else "",
        habitat.band if habitat else "",
        habitat.score if habitat else "",
        condition,
        habitat.condition_scores.get(condition, "") if habitat and condition else "",
        strategic_significance_multiplier(rel, e.strategic_significance, T.SPATIAL_DATA_MISSING),
        e.advance_years,
        e.delay_years,
    )


def _enhancement_terms(
    rel: Release,
    e: AreaEnhancement | None,
    b: AreaBaselineCalc,
    off: bool,
    first: bool,
    previous_action: Value,
) -> _EnhancementTerms:
    """A-3 / D-3 R12:AM12 of one row: the proposal, its checks, time to target and difficulty."""
    p = _proposal(rel, e)
    distinctiveness_change = _distinctiveness_change(rel, b, p)
    condition_change = _condition_change(rel, b, p, distinctiveness_change, off, first)
    standard_years = _standard_years(rel, p, distinctiveness_change, condition_change)
    status = _enhancement_status(standard_years, p, previous_action)
    final_years = _enhancement_final_time(rel, status, standard_years, p, off)
    temporal = _enhancement_temporal(rel, final_years, off, first)
    applied, difficulty = _enhancement_difficulty(rel, b, p, status, standard_years, final_years)
    return _EnhancementTerms(
        p, distinctiveness_change, condition_change, standard_years, status, temporal, applied, difficulty
    )


def _distinctiveness_change(rel: Release, b: AreaBaselineCalc, p: _Proposal) -> Value:
    """A-3!T12: the change in distinctiveness ("Medium - High"), or the trading rule it breaks."""
    baseline_label, proposed_label = b.label, p.label  # F12, S12
    baseline_score, proposed_score = b.score, p.score  # I12, X12
    action = xl.left(b.required_action, 6)  # O12
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
    proposed_type = p.habitat_type.lower()
    if proposed_type in only_from and baseline_label.lower() not in only_from[proposed_type]:
        return T.ENHANCEMENT_NOT_POSSIBLE
    return xl.show(b.band) + " - " + xl.show(p.band)


def _condition_change(
    rel: Release, b: AreaBaselineCalc, p: _Proposal, distinctiveness_change: Value, off: bool, first: bool
) -> Value:
    """A-3!U12 / D-3!U12: the change in condition ("Poor - Moderate"), or why there is none."""
    if blank(b.label):
        return ""
    if ne(p.label, b.label) and b.irreplaceable == "Yes":
        return T.REPLACE_IRREPLACEABLE
    if xl.left(b.label, 55).lower() != xl.left(p.label, 55).lower() and distinctiveness_change == "High - High":
        return T.NOT_LIKE_FOR_LIKE
    if off:
        return _condition_change_offsite(b, p)
    if first and not rel.rules.a3_first_row_condition_checks:
        return _condition_change_first_row(b, p)
    return _condition_change_onsite(b, p)


def _condition_change_onsite(b: AreaBaselineCalc, p: _Proposal) -> Value:
    """A-3!U13:U257 (and U12 from 1.0.2): a condition may not be reduced."""
    same_distinctiveness = eq(b.score, p.score)
    if same_distinctiveness and gt(b.condition_score, p.condition_score):
        return T.CANNOT_REDUCE_CONDITION
    if same_distinctiveness and eq(b.condition_score, p.condition_score):
        return T.NO_ENHANCEMENT
    if gt(b.condition_score, p.condition_score):
        return T.CONDITION_CANNOT_BE_REDUCED
    if lt(p.score, b.score):
        return T.TRADING_DOWN
    return _condition_label(b, p)


def _condition_change_first_row(b: AreaBaselineCalc, p: _Proposal) -> Value:
    """A-3!U12 until 1.0.2: without the "condition cannot be reduced" checks (quirk 1)."""
    if eq(b.score, p.score) and eq(b.condition_score, p.condition_score):
        return T.NO_ENHANCEMENT
    if lt(p.score, b.score):
        return T.TRADING_DOWN
    return _condition_label(b, p)


def _condition_change_offsite(b: AreaBaselineCalc, p: _Proposal) -> Value:
    """D-3!U12: the on-site checks in another order."""
    same_distinctiveness = eq(b.score, p.score)
    if same_distinctiveness and gt(b.condition_score, p.condition_score):
        return T.CANNOT_REDUCE_CONDITION
    if gt(b.condition_score, p.condition_score):
        return T.CONDITION_CANNOT_BE_REDUCED
    if same_distinctiveness and eq(b.condition_score, p.condition_score):
        return T.NO_ENHANCEMENT
    if lt(p.score, b.score):
        return T.TRADING_DOWN
    return _condition_label(b, p)


def _condition_label(b: AreaBaselineCalc, p: _Proposal) -> str:
    """The last branch of A-3!U12: "J12 - Y12", or from a lower distinctiveness habitat."""
    if ne(b.label, p.label) and lt(b.score, p.score):
        return "Lower Distinctiveness Habitat - " + p.condition
    return b.condition + " - " + p.condition


def _standard_years(rel: Release, p: _Proposal, distinctiveness_change: Value, condition_change: Value) -> Value:
    """A-3!AD12: standard time to target condition of the enhancement."""
    if eq(xl.left(condition_change, 5), "Error") or eq(xl.left(distinctiveness_change, 5), "Error"):
        return T.CHECK_DATA
    if p.habitat is None:
        return ""
    return _enhancement_years(rel, p.habitat, condition_change)


def _enhancement_years(rel: Release, habitat: AreaHabitat, condition_change: Value) -> Value:
    """INDEX(EnhanceTemporal, habitat, condition change); a missing column is #N/A → ""."""
    if not isinstance(condition_change, str):
        return ""
    key = condition_change.lower()
    if key in rel.rules.enhancement_years_outside_range:
        return ""
    return habitat.enhancement_years_ci.get(key, "")


def _enhancement_status(standard_years: Value, p: _Proposal, previous_action: Value) -> Value:
    """A-3!AG12: the time-to-target status; it tests the row above's required action (quirk 2)."""
    advance, delay = p.advance_years, p.delay_years
    if blank(standard_years):
        return ""
    if standard_years == T.CHECK_DATA:
        return T.CHECK_DATA
    if not p.habitat_type:
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


def _enhancement_final_time(rel: Release, status: Value, standard_years: Value, p: _Proposal, off: bool) -> Value:
    """A-3!AH12 / D-3!AH12: final time to target condition (D-3 tests a "30+" delay earlier)."""
    if status in (T.BOTH_ADVANCE_AND_DELAY, T.CHECK_DATA):
        return T.CHECK_DATA
    not_possible_text = rel.rules.area_not_possible_years_text
    try:
        if off:
            return _final_time_offsite(standard_years, p.advance_years, p.delay_years, not_possible_text)
        return final_time("", standard_years, p.advance_years, p.delay_years, not_possible_text)
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
    return _years_left(standard_years, advance, delay)


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
    rel: Release, b: AreaBaselineCalc, p: _Proposal, status: Value, standard_years: Value, final_years: Value
) -> tuple[Value, Value]:
    """A-3!AK12 applied difficulty and AM12 the multiplier of AL12, the final difficulty (AJ12 standard)."""
    standard: Value = p.habitat.enhancement_difficulty if p.habitat else ""  # AJ12
    applied = T.LOW_DIFFICULTY if status == T.REACHED_TARGET else T.STANDARD_DIFFICULTY  # AK12
    final: Value = standard  # AL12
    if applied == T.LOW_DIFFICULTY and ge(p.advance_years, standard_years):
        final = "Low"
    try:  # AM12
        if blank(b.label):
            return applied, ""
        if eq(final_years, T.CHECK_DATA):
            return applied, T.CHECK_DATA
        return applied, difficulty_multiplier(rel, final)
    except XlError:
        return applied, ""


def _enhancement_row(
    e: AreaEnhancement | None, b: AreaBaselineCalc, terms: _EnhancementTerms, off: bool
) -> AreaEnhancementCalc:
    """A-3 / D-3 row: the terms applied to the enhanced area, units with and without spatial risk."""
    c = AreaEnhancementCalc(
        "area",
        "off_site" if off else "on_site",
        "enhancement",
        e.ref if e is not None else "",
        e,
        e.gain_site if e is not None else None,
        b.ref,
    )
    p = terms.proposal
    c.required_action = b.required_action
    c.proposed_label = p.label
    area: Value = b.enhanced_area if p.label else ""  # V12
    c.area = area
    if off:
        _offsite_enhancement_units(c, e, b, terms, area)
    else:
        baseline_units = b.units  # N12
        try:
            if eq(baseline_units, T.IRREPLACEABLE_TREE_ENHANCED):
                c.units = baseline_units
            else:
                c.units = _enhancement_units(b, terms, area, False, off)
        except XlError:
            c.units = ""
    low = terms.applied_difficulty if terms.applied_difficulty == T.LOW_DIFFICULTY else None
    c.note(c.units, terms.standard_years, terms.distinctiveness_change, terms.condition_change, terms.status, low)
    return c


def _enhancement_units(b: AreaBaselineCalc, terms: _EnhancementTerms, area: Value, with_srm: bool, off: bool) -> float:
    """A-3!AN12 / D-3!AQ12 (AP12 ``with_srm``): the baseline value kept whole plus the discounted uplift.

    On-site, a proposal in a lower condition than the baseline's is valued at the proposed
    condition throughout (A-3!AN12's K12 > Z12 branch).
    """
    p = terms.proposal
    risk = prod(terms.difficulty_multiplier, terms.temporal_multiplier)
    baseline_condition = b.condition_score  # K12
    if not off and gt(baseline_condition, p.condition_score):
        baseline_condition = p.condition_score
    core = uplift(area, p.score, p.condition_score, b.score, baseline_condition, risk)
    units = prod(core, p.significance_multiplier)
    return prod(units, b.srm) if with_srm else units


def _offsite_enhancement_units(
    c: AreaEnhancementCalc, e: AreaEnhancement | None, b: AreaBaselineCalc, terms: _EnhancementTerms, area: Value
) -> None:
    """D-3!AP12 units with SRM, AQ12 units (the off-site reference and the baseline's checks first)."""
    baseline_units = b.units  # N12
    try:
        if eq(baseline_units, T.CHECK_DATA):
            c.units_srm = T.CHECK_DATA
        else:
            c.units_srm = _enhancement_units(b, terms, area, True, True)
    except XlError:
        c.units_srm = ""
    try:
        if blank(b.srm_category):
            c.units = ""
        elif e is None or not e.gain_site:
            c.units = T.OFFSITE_REFERENCE_REQUIRED
        elif eq(baseline_units, T.IRREPLACEABLE_TREE_ENHANCED):
            c.units = baseline_units
        elif eq(baseline_units, T.CHECK_DATA):
            c.units = T.CHECK_DATA
        else:
            c.units = _enhancement_units(b, terms, area, False, True)
    except XlError:
        c.units = ""
