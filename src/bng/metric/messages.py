"""The workbook's own texts for row errors and warnings, each with a stable code.

A text ending in "▲" is an input error or broken rule in the workbook's conventions
(Start!D31), "⚠" asks for attention (Start!D30). The texts are kept letter for letter,
typos and double spaces included, because other formulas compare against them and because
users search for the words they see in the official tool. The code is the constant's name.
"""

from __future__ import annotations


class T:
    """Workbook texts, by the name used as their stable code."""

    # baseline (A-1/D-1, B-1/E-1, C-1/F-1)
    CONFIRM_IRREPLACEABLE = "Confirm irreplaceable habitat status ▲"
    IRREPLACEABLE_TREE_ENHANCED = "Error - you cannot enhance irreplaceable individual trees ▲"
    IRREPLACEABLE_TREE_ENHANCED_SHORT = "Error - ▲"
    IRREPLACEABLE_TREE_ENHANCED_OFFSITE = "Error - you cannot enhance an irreplaceable tree ▲"
    ANY_LOSS_UNACCEPTABLE = "Any Loss Unacceptable ⚠"
    ANY_LOSS_UNACCEPTABLE_SRM = "Any Loss Unacceptable  ⚠"
    ANY_LOSS_UNACCEPTABLE_LOST = "Any Loss Unacceptable ▲"
    IRREPLACEABLE_NO_UNITS = "Irreplaceable habitat - no units generated ⚠"
    IRREPLACEABLE_MUST_BE = "Irreplaceable habitat ▲"
    CANNOT_BE_IRREPLACEABLE = "Cannot be Irreplaceable ▲"
    CHECK_DATA_TRIANGLE = "Check Data ▲"
    CHECK_DATA = "Check Data ⚠"
    CHECK_DATA_LOWER = "Check data ⚠"
    CHECK_DATA_LOWER_TRIANGLE = "Check data ▲"
    CHECK_DATA_NO_SPACE = "CheckData ⚠"
    ERROR_IN_AREAS = "Error in Areas ▲"
    ERROR_IN_LENGTHS = "Error in Lengths ▲"
    ERROR_IN_LENGTHS_PLAIN = "Error in Lengths"
    ALTERNATIVE_COMPENSATION = "Alternative Compensation ✓"
    BESPOKE_MUST_BE_AGREED = "Bespoke compensation must be agreed ▲"
    BESPOKE_MUST_BE_AGREED_IRREPLACEABLE = "Bespoke compensation must be agreed  ▲"
    BESPOKE_LIKELY = "Bespoke compensation likely to be required"
    SPATIAL_DATA_MISSING = "Spatial Data Missing ⚠"
    SPATIAL_DATA_MISSING_TRIANGLE = "Spatial Data Missing ▲"
    SPATIAL_DATA_MISSING_PLAIN = "Spatial Data Missing"
    ENCROACHMENT_DATA_MISSING = "Enrcoachment Data Missing ⚠"
    OFFSITE_REFERENCE_REQUIRED = "Off-site reference required ▲"
    SPATIAL_RISK_CATEGORY_MISSING = "Spatial risk category missing ▲"
    NOT_POSSIBLE = "Not possible ▲"
    CONDITION_NOT_POSSIBLE = "Not Possible ▲"
    ERROR_TRIANGLE = "Error ▲"
    SPLIT_RETAINED_ENHANCED = "Split retained and enhanced into separate entries ▲"
    # creation and enhancement status (A-2 R, A-3 AG, B-2 P, …)
    BOTH_ADVANCE_AND_DELAY = "Error -both advance and delayed habitat creation ▲"
    REACHED_TARGET = "Check details - Is there evidence that habitat has reached target condition? ⚠"
    POOR_THRESHOLD_REACHED = (
        "Check details - Is there evidence habitat creation started and the threshold for Poor condition reached? ⚠"
    )
    CREATION_IN_PLACE = "Check details - Is there evidence habitat creation in place? ⚠"
    DELAY = "Check details- Delay in starting habitat in required condition? ⚠"
    DELAY_NO_MARK = "Check details- Delay in starting habitat in required condition?"
    STARTED_IN_PLACE = "Check details - Is there evidence habitat creation started/in place? ⚠"
    STANDARD_TIME = "Standard time to target condition applied"
    LOW_DIFFICULTY = "Low Difficulty - only applicable if all habitat created before losses ⚠"
    LOW_DIFFICULTY_NO = "No - Low Difficulty - only applicable if all habitat created before losses ⚠"
    ENHANCEMENT_DIFFICULTY = "Enhancement difficulty applied"
    STANDARD_DIFFICULTY = "Standard difficulty applied"
    THIRTY_PLUS_MARKED = "30+ ⚠"
    # enhancement checks (A-3 T/U, B-3 N/O, C-3 O/P)
    TRADING_RULES_NOT_SATISFIED = "Error - Trading rules not satisfied ▲"
    TRADING_DOWN = "Error Trading Down ▲"
    ENHANCEMENT_NOT_POSSIBLE = "Error - Enhancement not possible ▲"
    REPLACE_IRREPLACEABLE = "Error you cannot replace an irreplaceable habitat ▲"
    REPLACE_IRREPLACEABLE_TYPO = "Error you cannot replace and irreplaceable habitat ▲"
    NOT_LIKE_FOR_LIKE = "Error - Not like for like ▲"
    CANNOT_REDUCE_CONDITION = "Error - Can not reduce condition ▲"
    CONDITION_CANNOT_BE_REDUCED = "Error - condition cannot be reduced ▲"
    NO_ENHANCEMENT = "Error - No enhancement ▲"
    UNITS_LESS_THAN_BASELINE = "Error - No enhancement - units less than baseline ▲"
    # sheet and headline texts
    AREA_CREATED_NOT_LOST = "Error - Area created does not equal area lost ▲"
    AREA_ACCEPTABLE = "Area Acceptable ✓"
    GAIN_SITE_NEGATIVE = "Error - gain sites must be postive ▲"
    OFFSITE_GAIN_SITES_NEGATIVE = "Error - off-site gain sites must be postive ▲"
    CHECK_DATA_HEADLINE_NO_SPACE = "Check Data⚠"
    HEADLINE_ERROR = "Error ▲"
    NA = "N/A"
    ZERO_BASELINE = "Zero baseline units - % cannot be calculated"
    ZERO_BASELINE_TOTAL = "0 baseline units - % cannot be calculated"
    ONSITE_BELOW_TARGET = "On-site net gain is less than target set ⚠"
    TOTAL_BELOW_TARGET = "Total net gain achieved is less than target set ▲"
    SRM_ONLY_POSITIVE_AREA = "SRM only applies where unit change is positive (uplift)"
    SRM_ONLY_POSITIVE = "SRM only applies where unit change is positive"
    NO_MORE_AREA_UNITS = "No additional area habitat units required to meet target  ✓"
    NO_MORE_HEDGEROW_UNITS = "No additional hedgerow units required to meet target  ✓"
    NO_MORE_WATERCOURSE_UNITS = "No additional watercourse units required to meet target  ✓"
    UNACCEPTABLE_IRREPLACEABLE_LOSS = (
        "Unacceptable loss of irreplaceable habitat recorded - no bespoke compensation for losses has been agreed  ▲"
    )
    AREA_MISMATCH = "Area created must match area lost for both onsite and offsite ▲"
    BESPOKE_ENSURE_AGREED = "Ensure bespoke compensation has been agreed where stated ⚠"
    VERY_HIGH_LOSS_REMAINS = (
        "ERROR - This metric still includes losses of very high distinctiveness habitat. Losses of "
        "very high distinctiveness units must be compensated for through this metric or through "
        "bespoke compensation ▲"
    )
    CREDITS_ERROR = "ERROR"
    CREDITS_OTHER_ERROR = "Error"
    TRADING_YES = "Yes ✓"
    TRADING_NO = "No ▲"
    TARGET_BELOW_TEN = "Target set below 10% ▲"
    THIRTY_PLUS_NOTE = (
        "Note; Habitat selected has a time to target condition greater than 30 years. Non standard "
        "agreement may be required. ⚠"
    )


CODE_OF_TEXT: dict[str, str] = {
    value: name for name, value in vars(T).items() if not name.startswith("_") and isinstance(value, str)
}


def code_of(text: str) -> str:
    """The stable code of a workbook text; texts the catalogue does not know keep a generic code."""
    return CODE_OF_TEXT.get(text, "WORKBOOK_TEXT")


def is_error(text: str) -> bool:
    """A ▲ text marks an input error or a broken rule (Start!D31)."""
    return "▲" in text
