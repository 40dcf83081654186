"""What goes wrong with a workbook, said so that a person can fix it.

Every problem names the file and, where it has one, the sheet, the cell (or row) and the
field, what was found and what was expected. Problems are collected, not raised one by one,
so that a workbook with twenty bad cells is reported once with twenty lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MAX_LISTED = 50
"""At most this many problems are listed in an error message (all are kept on the error)."""


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One cell (or row) of a workbook that the reader cannot use as it is."""

    sheet: str
    cell: str
    field: str
    found: str
    expected: str
    code: str = "BAD_CELL"

    def __str__(self) -> str:
        """The problem as the error message lists it."""
        return f"sheet {self.sheet!r} cell {self.cell} ({self.field}): found {self.found}; expected {self.expected}"


class WorkbookError(Exception):
    """A workbook that cannot be read, checked or written; the message names the problem."""

    code = "WORKBOOK_ERROR"

    def __init__(self, path: Path | str, problem: str, *, problems: tuple[CellProblem, ...] = ()) -> None:
        """An error for the workbook at ``path``: the problem, and the cells behind it."""
        self.path = str(path)
        self.problem = problem
        self.problems = problems
        super().__init__(self.message())

    def message(self) -> str:
        """The problem and the first cells behind it, one per line."""
        lines = [f"{self.path}: {self.problem}"]
        lines += [f"  {p}" for p in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            lines.append(f"  … and {len(self.problems) - MAX_LISTED} more")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """The error as JSON, with its code and every cell problem."""
        return {
            "code": self.code,
            "file": self.path,
            "message": self.problem,
            "problems": [
                {
                    "sheet": p.sheet,
                    "cell": p.cell,
                    "field": p.field,
                    "found": p.found,
                    "expected": p.expected,
                    "code": p.code,
                }
                for p in self.problems
            ],
        }


class UnsafeFileError(WorkbookError):
    """Not a workbook package we may open: not a zip, encrypted, a zip bomb, too large."""

    code = "UNSAFE_FILE"


class UnsupportedReleaseError(WorkbookError):
    """A metric workbook of a release that must not be used: pre-statutory, a draft or pre-release."""

    code = "UNSUPPORTED_RELEASE"


class LayoutError(WorkbookError):
    """A statutory workbook whose sheets or columns are not where its release keeps them."""

    code = "LAYOUT"


class CellValueError(WorkbookError):
    """Input cells whose values the metric cannot use (text in a number cell and the like)."""

    code = "BAD_CELLS"


@dataclass
class Problems:
    """A collector of cell problems, raised together at the end of a read."""

    items: list[CellProblem] = field(default_factory=list)

    def add(self, problem: CellProblem) -> None:
        """Collect one problem."""
        self.items.append(problem)

    def raise_if_any(self, path: Path | str) -> None:
        """Raise all the problems collected as one error, so the user sees every bad cell at once."""
        if self.items:
            n = len(self.items)
            raise CellValueError(
                path,
                f"{n} input cell{'s' if n != 1 else ''} cannot be used by the metric",
                problems=tuple(self.items),
            )
