"""The doors habitats come through besides the JSON site file: the metric workbook and a GeoPackage pair.

Both readers belong to other packages (``bng.workbook``, ``bng.gis``); this module turns their
output into the register's :class:`~bng.register.habitats.Habitats` and their errors into
problems that name the uploaded file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .errors import Invalid, Problem
from .filetypes import EXTENSIONS, FileType
from .habitats import SECTION, Habitats, from_site

FIELD = "metric_file"


def habitats_from_workbook(data: bytes, file_type: FileType) -> Habitats:
    """Habitats from the off-site sheets of a statutory metric workbook (.xlsx or .xlsm)."""
    from bng.workbook.errors import WorkbookError
    from bng.workbook.reader import read_workbook

    with tempfile.TemporaryDirectory(prefix="bng-metric-") as tmp:
        path = Path(tmp) / f"metric{EXTENSIONS[file_type]}"
        path.write_bytes(data)
        try:
            workbook = read_workbook(path)
        except WorkbookError as err:
            lines = [Problem(FIELD, f"The metric workbook: {err.problem}", SECTION)]
            lines += [Problem(FIELD, f"The metric workbook: {p}", SECTION) for p in err.problems[:20]]
            raise Invalid("The metric workbook cannot be used", lines) from None
        try:
            problems = [
                Problem(FIELD, f"The metric workbook: {issue}", SECTION)
                for issue in workbook.issues
                if str(getattr(issue, "code", "")).upper().startswith("ERR") or "off-site" in issue.sheet.lower()
            ]
            if problems:
                raise Invalid("The metric workbook has problems on its off-site sheets", problems)
            return from_site(workbook.site, FIELD)
        finally:
            close = getattr(workbook, "close", None) or getattr(workbook.book, "close", None)
            if close is not None:
                close()
