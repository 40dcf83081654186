"""An application's biodiversity submission, read and checked: the files an applicant sends.

Not pure (it reads folders, zips, workbooks and maps): it joins :mod:`bng.planning`'s rules to
the readers that already exist — ``bng.workbook``'s metric check, ``bng.gis``'s validation and
reconciliation, the register's records (through :class:`~bng.submission.records.Records`) — and
writes reports and documents through :mod:`bng.documents`.

This is the package's face: code outside ``bng.submission`` imports from here, never from a
submodule (an import-linter contract in pyproject.toml; ``bng.cli`` mounts the commands of
``bng.submission.cli``). The face is lazy, like ``bng.gis``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bng.faces import lazy_face

if TYPE_CHECKING:
    from .check import ValidationReport, validate_submission
    from .documents import KINDS, case_from_submission, gain_plan, render
    from .errors import BundleError, DocumentInputError, UnknownLpa
    from .records import AllocationRecord, CreditPurchaseRecord, NoRecords, Records
    from .report import render_text, write_report

# Where each name of the face is defined ("module" or "module:name"). A name is imported from its
# module the first time it is asked for (PEP 562), so importing the face costs nothing and
# ``import bng.cli`` stays light (tests/test_startup.py). No name here is also a submodule's name:
# once the submodule was imported, Python would answer the module instead (tests/test_architecture.py).
_WHERE = {
    "ValidationReport": "check",
    "validate_submission": "check",
    "KINDS": "documents",
    "case_from_submission": "documents",
    "gain_plan": "documents",
    "render": "documents",
    "BundleError": "errors",
    "DocumentInputError": "errors",
    "UnknownLpa": "errors",
    "AllocationRecord": "records",
    "CreditPurchaseRecord": "records",
    "NoRecords": "records",
    "Records": "records",
    "render_text": "report",
    "write_report": "report",
}

__all__ = [
    "KINDS",
    "AllocationRecord",
    "BundleError",
    "CreditPurchaseRecord",
    "DocumentInputError",
    "NoRecords",
    "Records",
    "UnknownLpa",
    "ValidationReport",
    "case_from_submission",
    "gain_plan",
    "render",
    "render_text",
    "validate_submission",
    "write_report",
]

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
