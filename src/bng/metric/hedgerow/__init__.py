"""Hedgerow units: sheets B-1/B-2/B-3 (on-site) and E-1/E-2/E-3 (off-site).

Each function computes one cell of a row (or a few that belong together) as the workbook's
formula does; the docstring names the cell and each field its column. Off-site sheets differ
from the on-site ones in a few places (spatial risk, the off-site reference check, some texts);
those places test ``off``.
"""

from .baseline_sheet import HedgerowBaselineCalc, baseline, condition_score
from .creation_sheet import HedgerowCreationCalc, creation, final_time
from .enhancement_sheet import HedgerowEnhancementCalc, enhancement

__all__ = [
    "HedgerowBaselineCalc",
    "HedgerowCreationCalc",
    "HedgerowEnhancementCalc",
    "baseline",
    "condition_score",
    "creation",
    "enhancement",
    "final_time",
]
