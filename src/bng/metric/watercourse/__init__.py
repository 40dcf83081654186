"""Watercourse units: sheets C-1/C-2/C-3 (on-site) and F-1/F-2/F-3 (off-site).

Each function computes one cell of a row (or a few that belong together) as the workbook's
formula does; the docstring names the cell and each field its column. Off-site sheets differ
from the on-site ones in a few places (spatial risk, the off-site reference check, some texts);
those places test ``off``.
"""

from .baseline_sheet import WatercourseBaselineCalc, baseline, encroachment
from .creation_sheet import WatercourseCreationCalc, creation
from .enhancement_sheet import WatercourseEnhancementCalc, enhancement

__all__ = [
    "WatercourseBaselineCalc",
    "WatercourseCreationCalc",
    "WatercourseEnhancementCalc",
    "baseline",
    "creation",
    "encroachment",
    "enhancement",
]
