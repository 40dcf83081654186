"""A workbook open for reading: checked by :mod:`package`, values read by python-calamine.

Cells are addressed 1-based (row 11, column 5 is E11), as the workbook's formulas name them.
python-calamine reads an error cell (``#VALUE!``) as empty; the package scan found those
cells in the sheet XML, so :class:`Grid` shows their error text instead.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from python_calamine import CalamineWorkbook

from .errors import UnsafeFileError, WorkbookError
from .package import LIMITS, Limits, open_package

CellValue = float | int | str | bool | dt.date | dt.datetime | dt.time | dt.timedelta
EMPTY = ""


def column_letters(col: int) -> str:
    """1 → ``"A"``, 28 → ``"AB"``."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_name(row: int, col: int) -> str:
    return f"{column_letters(col)}{row}"


def normalise(text: object) -> str:
    """A header or label as compared: case-folded, whitespace collapsed."""
    if not isinstance(text, str):
        return ""
    return re.sub(r"\s+", " ", text).strip().lower()


def is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


class Grid:
    """One sheet's values as read (a dense rectangle from A1)."""

    def __init__(self, name: str, rows: list[list[CellValue]], errors: dict[tuple[int, int], str]) -> None:
        self.name = name
        self.rows = rows
        self.errors = errors
        self.height = len(rows)
        self.width = max((len(r) for r in rows), default=0)

    def get(self, row: int, col: int) -> CellValue:
        err = self.errors.get((row, col)) if self.errors else None
        if err is not None:
            return err
        if 1 <= row <= self.height:
            r = self.rows[row - 1]
            if 1 <= col <= len(r):
                return r[col - 1]
        return EMPTY

    def find(self, label: str, rows: range | None = None, cols: range | None = None) -> tuple[int, int] | None:
        """The first cell (row by row) whose normalised text equals, or starts with, ``label``."""
        want = normalise(label)
        rows = rows or range(1, self.height + 1)
        for r in rows:
            if r > self.height:
                break
            line = self.rows[r - 1]
            for c in cols or range(1, len(line) + 1):
                if c > len(line):
                    break
                v = line[c - 1]
                if isinstance(v, str) and v and normalise(v).startswith(want):
                    return r, c
        return None


class Book:
    """A workbook file opened for reading values, every part checked before it is inflated."""

    def __init__(self, path: Path | str, limits: Limits = LIMITS) -> None:
        self.path = Path(path)
        self.package = open_package(self.path, limits)
        self.package.verify_common_parts()
        try:
            self.calamine = CalamineWorkbook.from_path(str(self.path))
        except Exception as err:  # python-calamine raises its own error types for broken workbooks
            raise UnsafeFileError(self.path, f"the workbook cannot be read ({type(err).__name__}: {err})") from None
        self.sheet_names: list[str] = list(self.calamine.sheet_names)
        self._grids: dict[str, Grid] = {}

    def has(self, name: str) -> bool:
        return name in self.sheet_names

    def grid(self, name: str) -> Grid:
        """A sheet's values (each sheet read once)."""
        cached = self._grids.get(name)
        if cached is not None:
            return cached
        if name not in self.sheet_names:
            raise WorkbookError(self.path, f"the workbook has no sheet {name!r}")
        scan = self.package.scan_sheet(name)
        try:
            sheet = self.calamine.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False, nrows=scan.max_row + 1)
        except Exception as err:  # a sheet python-calamine cannot parse
            raise UnsafeFileError(self.path, f"sheet {name!r} cannot be read ({type(err).__name__}: {err})") from None
        grid = Grid(name, rows, scan.errors)
        self._grids[name] = grid
        return grid

    def close(self) -> None:
        self.calamine.close()

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
