"""The national audit (``bng audit``): many workbooks and maps checked into one report that survives an interruption.

Every metric workbook and GeoPackage pair in folders or zips is recalculated and checked on a Dask cluster.

It reuses what checks one file (``bng.workbook.check.check_workbook``; ``bng.gis.workflow.load_maps``
and the metric engine for maps) and adds only what thousands of files need: finding them
(:mod:`.sources`), running each on a worker where nothing it does can stop the run (:mod:`.task`),
a journal that a second run resumes from (:mod:`.journal`), the Dask side (:mod:`.run`) and the
report (:mod:`.report`). Not to be confused with ``bng.register.core.audit``, the register's audit log.

This is the package's face: code outside ``bng.audit`` imports from here, never from a
submodule (an import-linter contract in pyproject.toml). The face is lazy: Dask loads only
when an audit runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bng.faces import lazy_face

if TYPE_CHECKING:
    from .errors import JournalError, SourceError, TooLarge
    from .report import write_reports
    from .run import run_audit

# Where each name of the face is defined ("module" or "module:name"). A name is imported from its
# module the first time it is asked for (PEP 562), so importing the face costs nothing and
# ``import bng.cli`` stays light (tests/test_startup.py). No name here is also a submodule's name:
# once the submodule was imported, Python would answer the module instead (tests/test_architecture.py).
_WHERE = {
    "JournalError": "errors",
    "SourceError": "errors",
    "TooLarge": "errors",
    "write_reports": "report",
    "run_audit": "run",
}

__all__ = [
    "JournalError",
    "SourceError",
    "TooLarge",
    "run_audit",
    "write_reports",
]

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
