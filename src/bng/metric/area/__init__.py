"""Area habitat units: sheets A-1/A-2/A-3 (on-site) and D-1/D-2/D-3 (off-site).

Each function computes one cell of a row (or a few that belong together) as the workbook's
formula does, in its order of precedence; the docstring names the cell (``A-1!Q11``) and each
field its column. Off-site sheets differ from the on-site ones in a few places (spatial risk,
the off-site reference check, some error texts, a row-position quirk); those places test ``off``.
"""

from .baseline_sheet import AreaBaselineCalc, area_lost_for_balance, baseline
from .creation_sheet import (
    AreaCreationCalc,
    CreationCache,
    CreationTerms,
    area_created_for_balance,
    creation,
    final_time,
)
from .enhancement_sheet import AreaEnhancementCalc, enhancement

__all__ = [
    "AreaBaselineCalc",
    "AreaCreationCalc",
    "AreaEnhancementCalc",
    "CreationCache",
    "CreationTerms",
    "area_created_for_balance",
    "area_lost_for_balance",
    "baseline",
    "creation",
    "enhancement",
    "final_time",
]
