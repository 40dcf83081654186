"""The multipliers all three modules share: strategic significance, spatial risk, time and difficulty.

Area habitats, hedgerows and watercourses look these up in the same tables of the release
(strategic significance and spatial risk categories, G-4 temporal multipliers, G-3 difficulty
multipliers); what differs between the sheets — the text shown for a missing category, which
spatial risk table applies — is an argument. The time-to-target status that decides whether a
row counts as started in advance or delayed is here too, beside the temporal multiplier it feeds.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import xl
from .messages import T
from .model import Years
from .reference import Release
from .xl import ERROR, Value, XlError, blank, eq, gt, le


def strategic_significance_multiplier(
    rel: Release, strategic_significance: str | None, missing: str = T.SPATIAL_DATA_MISSING_TRIANGLE
) -> Value:
    """A-1!O11 (and every sheet's strategic significance column): "" when blank, an error when unknown.

    ``missing`` is the text a sheet shows for a category whose multiplier is 0 (no spatial data).
    """
    if not strategic_significance:
        return ""
    multiplier = rel.strategic_significance.get(strategic_significance)
    if multiplier is None:
        return ERROR
    return missing if multiplier == 0 else multiplier


def spatial_risk_multiplier(table: Mapping[str, float], category: str | None) -> Value:
    """D-1!S11 / D-2!Z11 / F-1 …: the spatial risk multiplier of a category ("" when blank)."""
    if not category:
        return ""
    multiplier = table.get(category)
    if multiplier is None:
        return ERROR
    return T.SPATIAL_DATA_MISSING if multiplier == 0 else multiplier


def time_to_target_status(
    standard_years: Value, advance_years: Years, delay_years: Years, delay_text: str = T.DELAY
) -> Value:
    """B-2!P12 / B-3!AA12 / C-2!O12 / C-3!AB12: standard or adjusted time to target condition.

    What the sheets test before it (a blank habitat or standard time) is left to them.
    """
    if gt(advance_years, 0.0) and gt(delay_years, 0.0):
        return T.BOTH_ADVANCE_AND_DELAY
    if (eq(advance_years, "Habitat already in target condition") or le(standard_years, advance_years)) and eq(
        delay_years, 0.0
    ):
        return T.REACHED_TARGET
    if blank(standard_years):
        return ""
    if gt(advance_years, 0.0):
        return T.STARTED_IN_PLACE
    if gt(delay_years, 0.0):
        return delay_text
    return T.STANDARD_TIME


def temporal_multiplier(rel: Release, final_years: Value) -> float:
    """VLOOKUP(years, G-4!A4:C36 or C37, 3, FALSE): the temporal multiplier of a final time to target."""
    if isinstance(final_years, float):
        exact = rel.temporal_multipliers.get(final_years)
        if exact is not None:
            return exact
        for years, multiplier in rel.temporal_multipliers.items():
            if isinstance(years, float) and xl.approx_equal(years, final_years):
                return multiplier
        raise XlError("#N/A")
    if isinstance(final_years, str):
        found = rel.temporal_multipliers.get(final_years)
        if found is not None:
            return found
    raise XlError("#N/A")


def difficulty_multiplier(rel: Release, difficulty: Value) -> float:
    """VLOOKUP(difficulty, G-3, 2, FALSE): the multiplier of a difficulty ("Low", "Medium" …); #N/A if unknown."""
    if isinstance(difficulty, str):
        multiplier = rel.difficulty_multipliers.get(difficulty)
        if multiplier is not None:
            return multiplier
    raise XlError("#N/A")
