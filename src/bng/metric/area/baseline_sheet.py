"""Sheets A-1 (on-site) and D-1 (off-site): the area habitat baseline, row by row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .. import xl
from ..cells import RowCalc, prod
from ..messages import T
from ..model import AreaBaseline
from ..multipliers import (
    spatial_risk_multiplier,
    strategic_significance_multiplier,
)
from ..reference import AreaHabitat, Release
from ..xl import ERROR, Value, XlError, blank, eq, gt, le, lt, num


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
        "distinctiveness_score",
        "enhanced_area",
        "irreplaceable",
        "label",
        "required_action",
        "retained_area",
        "retained_srm",
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
    distinctiveness_score: Value  # J11 distinctiveness score
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
        calc = AreaBaselineCalc("area", location, "baseline", row.ref, row, row.gain_site)
        _habitat_cells(rel, calc, row, actions)
        # an irreplaceable individual tree that is enhanced (A-1!Q11, V11, D-1!AA11 …)
        tree_enhanced = eq(calc.broad, tree_broad) and gt(calc.enhanced_area, 0.0) and calc.irreplaceable == "Yes"
        calc.retained, calc.enhanced = _retained_units(calc), _enhanced_units(calc, tree_enhanced)
        calc.area_lost = _area_lost(calc)
        if off:
            calc.srm_category = row.spatial_risk or ""
            calc.srm = spatial_risk_multiplier(rel.spatial_risk, calc.srm_category)
            reference_missing = bool(calc.srm_category) and not row.gain_site
        else:
            calc.srm_category, calc.srm = "", ""
            reference_missing = False
        calc.units = _total_units(calc, bool(row.habitat), reference_missing, tree_enhanced, actions, off)
        if off:
            calc.units_srm = _total_units_srm(calc, tree_enhanced, actions)
        calc.units_lost = _units_lost(calc, tree_enhanced, actions, off)
        calc.vhdh_bespoke = _vhdh_bespoke(calc, actions, off)
        if off:
            calc.retained_srm = _retained_srm(calc)
        calc.note(
            calc.units,
            calc.units_srm if off else None,
            calc.retained,
            calc.enhanced,
            calc.area_lost,
            calc.units_lost,
            calc.band,
            calc.condition_score,
        )
        out.append(calc)
    return out


def _habitat_cells(rel: Release, calc: AreaBaselineCalc, row: AreaBaseline, actions: _Actions) -> None:
    """A-1!E11:P11 and S11:T11, Y11: the habitat, its scores and multiplier, the areas as entered."""
    habitat = rel.area_habitat(row.habitat)
    calc.broad = habitat.broad if habitat else ""
    calc.label = habitat.label if habitat else ""
    irreplaceable = "" if row.irreplaceable is None else ("Yes" if row.irreplaceable else "No")
    calc.irreplaceable = irreplaceable
    calc.area, calc.retained_area, calc.enhanced_area = row.area_ha, row.retained_ha, row.enhanced_ha
    calc.bespoke_compensation = row.bespoke_compensation or ""
    band = _band(habitat, irreplaceable)
    calc.band = band
    calc.distinctiveness_score = rel.distinctiveness_scores.get(band, "") if isinstance(band, str) else ""
    condition = row.condition or ""
    calc.condition = condition
    calc.condition_score = habitat.condition_scores.get(condition, "") if habitat is not None and condition else ""
    # an unknown wording is #N/A
    calc.significance_multiplier = strategic_significance_multiplier(rel, row.strategic_significance)
    if irreplaceable == "Yes":
        calc.required_action = actions.irreplaceable
    else:
        calc.required_action = habitat.trading_rule if habitat is not None else ""


def _band(habitat: AreaHabitat | None, irreplaceable: str) -> Value:
    """A-1!I11: the distinctiveness band, or the error of an irreplaceability the habitat cannot have."""
    if habitat is None:
        return ""
    if habitat.irreplaceable == "Yes" and irreplaceable == "No":
        return T.IRREPLACEABLE_MUST_BE
    if habitat.irreplaceable == "No" and irreplaceable == "Yes":
        return T.CANNOT_BE_IRREPLACEABLE
    return habitat.band


def _units_of(calc: AreaBaselineCalc, area: Value) -> float:
    """``area × J11 × L11 × O11``: the units of an area of the parcel (without spatial risk)."""
    return prod(area, calc.distinctiveness_score, calc.condition_score, calc.significance_multiplier)


def _retained_units(calc: AreaBaselineCalc) -> Value:
    """A-1!U11 / D-1!X11: units of the area retained."""
    if calc.irreplaceable == "Yes":
        return T.IRREPLACEABLE_NO_UNITS
    try:
        return _units_of(calc, calc.retained_area)
    except XlError:
        return ""


def _enhanced_units(calc: AreaBaselineCalc, tree_enhanced: bool) -> Value:
    """A-1!V11 / D-1!Y11: units of the area enhanced."""
    if tree_enhanced:
        return T.IRREPLACEABLE_TREE_ENHANCED_SHORT
    try:
        return _units_of(calc, calc.enhanced_area)
    except XlError:
        return ""


def _area_lost(calc: AreaBaselineCalc) -> Value:
    """A-1!W11 / D-1!Z11: the area neither retained nor enhanced (no IFERROR)."""
    if blank(calc.broad):
        return ""
    area, retained, enhanced = calc.area, calc.retained_area, calc.enhanced_area
    if lt(area, xl.add(num(retained), num(enhanced))):
        return T.ERROR_IN_AREAS
    return xl.sub(xl.sub(num(area), num(retained)), num(enhanced))


def _unacceptable_loss_area(calc: AreaBaselineCalc, actions: _Actions) -> Value:
    """A-1!AC11: the irreplaceable area lost without bespoke compensation (read by Q11 only)."""
    if calc.required_action == "" or calc.bespoke_compensation == "Yes":
        return ""
    if calc.required_action != actions.irreplaceable:
        return "None"
    try:
        return xl.sub(xl.sub(num(calc.area), num(calc.retained_area)), num(calc.enhanced_area))
    except XlError:
        return ""


def _total_units(
    calc: AreaBaselineCalc,
    has_habitat: bool,
    reference_missing: bool,
    tree_enhanced: bool,
    actions: _Actions,
    off: bool,
) -> Value:
    """A-1!Q11 / D-1!T11: total habitat units, without spatial risk."""
    irreplaceable_action = actions.irreplaceable
    action = calc.required_action
    area, retained, enhanced = calc.area, calc.retained_area, calc.enhanced_area
    no_bespoke = calc.bespoke_compensation in ("No", "")
    try:
        if has_habitat and calc.irreplaceable == "":
            return T.CONFIRM_IRREPLACEABLE
        if reference_missing:
            return T.OFFSITE_REFERENCE_REQUIRED
        if tree_enhanced:
            return T.IRREPLACEABLE_TREE_ENHANCED
        if calc.retained == T.IRREPLACEABLE_NO_UNITS:
            if lt(xl.add(num(retained), num(enhanced)), area) and no_bespoke:
                return T.ANY_LOSS_UNACCEPTABLE
            return _units_of(calc, enhanced)
        if action == irreplaceable_action:
            if gt(_unacceptable_loss_area(calc, actions), 0.0) and le(retained, 0.0) and le(enhanced, 0.0):
                return T.ANY_LOSS_UNACCEPTABLE if no_bespoke else 0.0
            if lt(xl.add(num(retained), num(enhanced)), area) and no_bespoke:
                return T.ANY_LOSS_UNACCEPTABLE
        if action == "":
            return ""
        if action == irreplaceable_action and (gt(enhanced, 0.0) or gt(retained, 0.0)):
            return xl.add(num(calc.retained), num(calc.enhanced))
        if off and not calc.srm_category:
            return ""
        return _units_of(calc, area)
    except XlError:
        return T.CHECK_DATA_TRIANGLE


def _total_units_srm(calc: AreaBaselineCalc, tree_enhanced: bool, actions: _Actions) -> Value:
    """D-1!Q11: total habitat units with spatial risk."""
    try:
        if calc.required_action == "":
            return ""
        if tree_enhanced:
            return T.IRREPLACEABLE_TREE_ENHANCED
        if calc.required_action == actions.irreplaceable:
            return prod(calc.units, calc.srm)
        return prod(calc.area, calc.distinctiveness_score, calc.condition_score, calc.significance_multiplier, calc.srm)
    except XlError:
        return T.CHECK_DATA


def _units_lost(calc: AreaBaselineCalc, tree_enhanced: bool, actions: _Actions, off: bool) -> Value:
    """A-1!X11 / D-1!AA11: units lost, or what the loss needs (bespoke compensation …)."""
    action, bespoke = calc.required_action, calc.bespoke_compensation
    area, retained, enhanced = calc.area, calc.retained_area, calc.enhanced_area
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
        if eq(calc.area_lost, 0.0):
            return 0.0
        if action == actions.irreplaceable:
            return T.ANY_LOSS_UNACCEPTABLE_LOST
        return xl.sub(xl.sub(num(calc.units), num(calc.retained)), num(calc.enhanced))
    except XlError:
        return T.CHECK_DATA if off else T.CHECK_DATA_TRIANGLE


def _vhdh_bespoke(calc: AreaBaselineCalc, actions: _Actions, off: bool) -> Value:
    """A-1!AT11 / D-1!AS11: V.High units lost with bespoke compensation agreed or pending count as kept."""
    if calc.bespoke_compensation in ("Yes", "Pending") and calc.required_action == actions.very_high:
        try:
            return xl.sub(xl.sub(num(calc.units), num(calc.retained)), num(calc.enhanced))
        except XlError:
            return ERROR
    return "0" if off else ""


def _retained_srm(calc: AreaBaselineCalc) -> Value:
    """D-1!AY11: retained units with spatial risk, plus the V.High bespoke units."""
    if calc.retained == T.IRREPLACEABLE_NO_UNITS:
        return "0"
    try:
        retained = prod(
            calc.retained_area, calc.distinctiveness_score, calc.condition_score, calc.significance_multiplier, calc.srm
        )
        return xl.add(retained, prod(calc.vhdh_bespoke, calc.srm))
    except XlError:
        return ""


def area_lost_for_balance(rel: Release, calcs: Sequence[AreaBaselineCalc]) -> float:
    """A-1!W261 / D-1!Z261: area lost, without trees, green walls and hard structures."""
    excluded = rel.rules.area_balance_excluded
    return xl.total(calc.area_lost for calc in calcs if calc.label.lower() not in excluded)
