"""A workbook open for reading: checked by :mod:`package`, values read by python-calamine.

Cells are addressed 1-based (row 11, column 5 is E11), as the workbook's formulas name them.
python-calamine reads an error cell (``#VALUE!``) as empty; the package scan found those
cells in the sheet XML, so :class:`Grid` shows their error text instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
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
    """The A1-style name of a cell (1-based row and column)."""
    return f"{column_letters(col)}{row}"


def normalise(text: object) -> str:
    """A header or label as compared: case-folded, whitespace collapsed."""
    if not isinstance(text, str) or not text:
        return ""
    return _normalise(text)


@lru_cache(maxsize=8192)
def _normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def is_blank(v: object) -> bool:
    """Whether a cell is empty or only whitespace: both are blank to the metric."""
    return v is None or (isinstance(v, str) and not v.strip())


def _reraise_interrupts(err: BaseException) -> None:
    if isinstance(err, (KeyboardInterrupt, SystemExit, GeneratorExit)):
        raise err


class Grid:
    """One sheet's values as read (a dense rectangle from A1)."""

    def __init__(self, name: str, rows: list[list[CellValue]], errors: dict[tuple[int, int], str]) -> None:
        """The sheet ``name``'s rows as read, with the cells holding Excel errors (``#REF!``) apart."""
        self.name = name
        self.rows = rows
        self.errors = errors
        self.height = len(rows)
        self.width = max((len(r) for r in rows), default=0)

    def get(self, row: int, col: int) -> CellValue:
        """The value of a cell (1-based; empty outside the sheet), or its Excel error text."""
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


def is_input_sheet(name: str) -> bool:
    """A-1 … F-3: the input sheets, whose names start with their key."""
    return name[:1] in "ABCDEF" and name[1:2] == "-" and name[2:3].isdigit()


class Book:
    """A workbook file opened for reading values, every part checked before it is inflated.

    python-calamine is given a temporary copy of the package holding only the parts bng reads,
    each already inflated once by :mod:`package` (size, ratio and checksum proven, grid bounds
    scanned) and stored uncompressed: calamine never inflates, or even sees, a byte that has
    not been checked.
    """

    def __init__(
        self,
        path: Path | str,
        limits: Limits = LIMITS,
        also: frozenset[str] = frozenset(),
        also_if: Callable[[str], bool] | None = None,
    ) -> None:
        """Open for reading the Start sheet, the input sheets and the sheets named in ``also``.

        ``also_if`` picks more sheets by name: a release's renamed tab.
        """
        self.path = Path(path)
        self.package = open_package(self.path, limits)
        self.package.verify_common_parts()
        self.sheet_names: list[str] = list(self.package.sheets)
        wanted = [
            n
            for n in self.sheet_names
            if n == "Start" or is_input_sheet(n) or n in also or (also_if is not None and also_if(n))
        ]
        self._scans = {n: self.package.scan_sheet(n) for n in wanted}
        self._copy: Path | None = self.package.checked_copy([self.package.sheets[n] for n in self._scans])
        try:
            self.calamine = CalamineWorkbook.from_path(str(self._copy))
        except BaseException as err:  # calamine's own errors, and a Rust panic (a BaseException)
            self._remove_copy()
            _reraise_interrupts(err)
            raise UnsafeFileError(self.path, f"the workbook cannot be read ({type(err).__name__}: {err})") from None
        try:  # on POSIX the open file outlives its name; elsewhere close() removes it
            self._copy.unlink()
            self._copy = None
        except OSError:
            pass
        self._grids: dict[str, Grid] = {}

    def _remove_copy(self) -> None:
        if self._copy is not None:
            self._copy.unlink(missing_ok=True)
            self._copy = None

    def has(self, name: str) -> bool:
        """Whether the workbook has a sheet of this name."""
        return name in self.sheet_names

    def grid(self, name: str) -> Grid:
        """A sheet's values (each sheet read once)."""
        cached = self._grids.get(name)
        if cached is not None:
            return cached
        scan = self._scans.get(name)
        if scan is None:
            raise WorkbookError(self.path, f"the workbook has no sheet {name!r} that bng reads")
        try:
            sheet = self.calamine.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
        except BaseException as err:  # a sheet python-calamine cannot parse (or panics on)
            _reraise_interrupts(err)
            raise UnsafeFileError(self.path, f"sheet {name!r} cannot be read ({type(err).__name__}: {err})") from None
        grid = Grid(name, rows, scan.errors)
        self._grids[name] = grid
        return grid

    def close(self) -> None:
        """Close the reader and remove the private copy it read from."""
        self.calamine.close()
        self._remove_copy()

    def __enter__(self) -> Book:
        """The book itself; it is closed on leaving."""
        return self

    def __exit__(self, *_: object) -> None:
        """Close the book."""
        self.close()
