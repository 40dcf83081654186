"""The official statutory metric workbook (.xlsx/.xlsm): read it into a Site, check it, write it.

This is the package's face: code outside ``bng.workbook`` imports from here, never from a
submodule (an import-linter contract in pyproject.toml). The face is lazy (openpyxl and
python-calamine load only when a workbook is read or written).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bng.faces import lazy_face

if TYPE_CHECKING:
    from .check import CheckReport, check_workbook
    from .errors import CellValueError, LayoutError, UnsafeFileError, UnsupportedReleaseError, WorkbookError
    from .layout import INPUT_SHEETS
    from .reader import MetricWorkbook, read_workbook
    from .writer import ExportSummary, export_site

# Where each name of the face is defined ("module" or "module:name"). A name is imported from its
# module the first time it is asked for (PEP 562), so importing the face costs nothing and
# ``import bng.cli`` stays light (tests/test_startup.py). No name here is also a submodule's name:
# once the submodule was imported, Python would answer the module instead (tests/test_architecture.py).
_WHERE = {
    "CheckReport": "check",
    "check_workbook": "check",
    "CellValueError": "errors",
    "LayoutError": "errors",
    "UnsafeFileError": "errors",
    "UnsupportedReleaseError": "errors",
    "WorkbookError": "errors",
    "INPUT_SHEETS": "layout",
    "MetricWorkbook": "reader",
    "read_workbook": "reader",
    "ExportSummary": "writer",
    "export_site": "writer",
}

__all__ = [
    "INPUT_SHEETS",
    "CellValueError",
    "CheckReport",
    "ExportSummary",
    "LayoutError",
    "MetricWorkbook",
    "UnsafeFileError",
    "UnsupportedReleaseError",
    "WorkbookError",
    "check_workbook",
    "export_site",
    "read_workbook",
]

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
