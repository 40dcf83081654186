"""Input cell values as the metric model holds them, and the problems of cells that cannot be.

The workbook's drop-downs give exact texts; typed cells can hold anything. A number cell
holding text (or a number stored as text, which Excel's products accept but SUM ignores)
cannot be reproduced faithfully and is a :class:`CellProblem`; an unknown text in a text
cell is passed on as it is, because the workbook computes with it too (to an error).
"""

from __future__ import annotations

import datetime as dt
import math

from bng.metric import Years

from .errors import CellProblem, Problems
from .grid import CellValue, is_blank


def show(v: CellValue) -> str:
    """A cell value as a person would read it in a message."""
    if isinstance(v, str):
        return repr(v) if len(v) <= 60 else repr(v[:57] + "…")
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return f"{v:.0f}"
    return str(v)


def _number_like(text: str) -> bool:
    try:
        float(text.replace(",", ""))
        return True
    except ValueError:
        return False


class CellReader:
    """Converts one sheet's cells, collecting problems with their sheet and cell names."""

    def __init__(self, sheet: str, problems: Problems) -> None:
        """Read the cells of ``sheet``, adding each problem to ``problems``."""
        self.sheet = sheet
        self.problems = problems

    def _problem(self, cell: str, field: str, v: CellValue, expected: str, code: str) -> None:
        self.problems.add(CellProblem(self.sheet, cell, field, show(v), expected, code))

    def number(self, v: CellValue, cell: str, field: str, what: str) -> float | None:
        """A size (ha or km): a number, or None for a blank cell."""
        if is_blank(v):
            return None
        if isinstance(v, (bool, dt.date, dt.time, dt.timedelta)):
            self._problem(cell, field, v, f"a number ({what})", "NOT_A_NUMBER")
            return None
        if isinstance(v, (int, float)):
            f = float(v)
            if not math.isfinite(f):
                self._problem(cell, field, v, f"a finite number ({what})", "NOT_A_NUMBER")
                return None
            return f
        text = str(v)
        if _number_like(text):
            self._problem(cell, field, v, f"a number ({what}), not a number stored as text", "NUMBER_AS_TEXT")
        else:
            self._problem(cell, field, v, f"a number ({what}), not text", "TEXT_IN_NUMBER_CELL")
        return None

    def years(self, v: CellValue, cell: str, field: str, top: int = 30) -> tuple[Years, bool]:
        """Advance or delay as the formulas see it, and whether it is one of the drop-down's values.

        The list holds whole years 0-30 and "30+" (G-4!A42:A73; E-3's, G-4!A4:A36, also 31). Anything else got past data
        validation by pasting; the formulas compute with it (a text compares above every number),
        so it is passed on and the caller flags it. What no formula can compute with the same in
        every spreadsheet program (a date, TRUE, a number stored as text) is a problem.
        """
        expected = 'whole years from 0 to 30 or "30+" (the drop-down list)'
        if is_blank(v):
            return None, True
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            f = float(v)
            if not math.isfinite(f):
                self._problem(cell, field, v, expected, "BAD_YEARS")
                return None, True
            return f, f.is_integer() and 0 <= f <= top
        if isinstance(v, str):
            if v.strip() == "30+":
                return "30+", True
            if _number_like(v):
                self._problem(cell, field, v, expected + ", not a number stored as text", "NUMBER_AS_TEXT")
                return None, True
            return v, False
        self._problem(cell, field, v, expected, "BAD_YEARS")
        return None, True

    @staticmethod
    def text(v: CellValue) -> str:
        """A text input as the formulas compare it ("" for blank; numbers as Excel shows them)."""
        if is_blank(v):
            return ""
        if isinstance(v, str):
            return v
        return reference(v)

    def yes_no(self, v: CellValue, cell: str, field: str) -> bool | None:
        """A Yes/No cell as a bool (None when blank); anything else is a problem."""
        if is_blank(v):
            return None
        text = str(v).strip().lower() if isinstance(v, str) else ""
        if text in ("yes", "no"):
            return text == "yes"
        self._problem(cell, field, v, '"Yes" or "No" (the drop-down list)', "NOT_YES_NO")
        return None


def reference(v: CellValue) -> str:
    """A free reference (gain site, habitat reference) as text: 1.0 reads "1"."""
    if is_blank(v):
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return f"{v:.0f}" if v.is_integer() else repr(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v).strip()
