"""The blank statutory workbook shipped with bng, and how it is made from the official one.

``templates/statutory-2024-02-blank.xlsm`` is DEFRA's Feb-2024 calculation tool
(``../shared/spec/metric-files/statutory-2024-02__completed-offsite.xlsm``) with every input
cell cleared (its style, protection and drop-down kept) and nothing else changed, except:

* the cached result of every formula is removed and ``fullCalcOnLoad`` set, so that Excel and
  LibreOffice calculate the workbook when they open it and no reader ever sees the completed
  example's stale results as if they were this workbook's;
* ``xl/calcChain.xml`` is dropped (Excel rebuilds it): it lists formula cells, and the
  writer may replace the pre-filled formula of a proposed broad habitat with a value.

Rebuild it with ``python -m bng.workbook.template OFFICIAL.xlsm OUT.xlsm``;
``tests/workbook/test_template.py`` checks that the shipped file is what this produces.
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from importlib import resources
from pathlib import Path

from .cached import totals_row
from .grid import Book, column_letters
from .layout import INPUT_SHEETS, SheetLayout, find_sheet, locate
from .package import column_number
from .reader import START_FIELDS, read_start
from .release import identify
from .xmlpatch import CELL, set_cells

TEMPLATE_NAME = "statutory-2024-02-blank.xlsm"
TEMPLATE_RELEASE = "statutory-2024"
"""The release of the tool the template is made from (DEFRA's completed test workbook: statutory 1.0.0/1.0.1)."""
CALC_CHAIN = "xl/calcChain.xml"
START_KEEP = frozenset({"target"})
"""Start inputs the blank keeps: the 10 % target the official tool ships with."""


FAST = 1
"""zlib level for written workbooks: 5x faster than the default for a 25 % larger file (3.5 MB)."""


def copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh entry with the original's name, date and attributes (writing mutates a ZipInfo)."""
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.external_attr = info.external_attr
    new.create_system = info.create_system
    return new


def template_path() -> Path:
    """The shipped blank workbook."""
    return Path(str(resources.files("bng.workbook").joinpath("templates", TEMPLATE_NAME)))


def input_cells(book: Book, layout: SheetLayout) -> list[tuple[int, int]]:
    """Every input cell of a sheet's data rows (the pre-filled proposed broad habitat excepted)."""
    end = totals_row(book, layout)
    if end is None:
        raise ValueError(f"sheet {layout.sheet!r}: no totals row found below the data rows")
    fields = [c.field for c in layout.spec.inputs if c.field in layout.columns]
    if layout.spec.stage == "enhancement":
        fields = [f for f in fields if f != "broad"]
    return [(r, layout.columns[f]) for r in range(layout.first_row, end) for f in fields]


def strip_cached_values(sheet_xml: bytes) -> bytes:
    """The sheet without the cached results of its formulas (the formulas stay)."""
    arrays = [
        m.group(1).decode() for m in re.finditer(rb'<f t="array" ref="([A-Z]{1,3}[0-9]+:[A-Z]{1,3}[0-9]+)"', sheet_xml)
    ]
    spilled: set[str] = set()
    for ref in arrays:
        a, b = ref.split(":")
        (c1, r1), (c2, r2) = (_split(a), _split(b))
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    spilled.add(f"{column_letters(c)}{r}")

    def strip(m: re.Match[bytes]) -> bytes:
        content = m.group(5)
        ref = (m.group(1) + m.group(2)).decode()
        if content is None or (b"<f" not in content and ref not in spilled):
            return m.group(0)
        attrs = re.sub(rb'\st="[^"]*"', b"", m.group(3))
        content = re.sub(rb"<v(?:\s[^>]*)?>[^<]*</v>|<v\s*/>", b"", content)
        head = b'<c r="' + m.group(1) + m.group(2) + b'"' + attrs
        return head + (b">" + content + b"</c>" if content else b"/>")

    return CELL.sub(strip, sheet_xml)


def _split(ref: str) -> tuple[int, int]:
    """``"B7"`` → (column 2, row 7)."""
    m = re.fullmatch(r"([A-Z]{1,3})([0-9]+)", ref)
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return column_number(m.group(1)), int(m.group(2))


def _without_calc_chain(name: str, data: bytes) -> bytes:
    if name == "[Content_Types].xml":
        return re.sub(rb'<Override PartName="/xl/calcChain.xml"[^>]*/>', b"", data)
    if name == "xl/_rels/workbook.xml.rels":
        return re.sub(rb'<Relationship [^>]*Target="calcChain.xml"[^>]*/>', b"", data)
    if name == "xl/workbook.xml":
        return re.sub(rb"<calcPr([^>]*?)/>", lambda m: b"<calcPr" + m.group(1) + b' fullCalcOnLoad="1"/>', data)
    return data


def build_template(official: Path, out: Path) -> None:
    """Make the blank workbook from DEFRA's completed Feb-2024 workbook."""
    with Book(official) as book:
        release = identify(book)
        if release.id != TEMPLATE_RELEASE:
            raise ValueError(f"{official}: expected the statutory 1.0.0/1.0.1 workbook, found {release.title}")
        clears: dict[str, dict[tuple[int, int], None]] = {}
        for spec in INPUT_SHEETS:
            name = find_sheet(book.sheet_names, spec)
            assert name is not None
            layout = locate(book.grid(name), spec, str(official))
            clears[book.package.sheets[name]] = dict.fromkeys(input_cells(book, layout))
        start = read_start(book.grid("Start"))
        start_cells = {
            _split(start.cells[key])[::-1]: None
            for key, _ in START_FIELDS
            if key in start.cells and key not in START_KEEP
        }
        clears.setdefault(book.package.sheets["Start"], {}).update(start_cells)
        sheets = set(book.package.sheets.values())
    with zipfile.ZipFile(official) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == CALC_CHAIN:
                continue
            data = _without_calc_chain(info.filename, src.read(info.filename))
            if info.filename in clears:
                data = set_cells(data, clears[info.filename])
            if info.filename in sheets:
                data = strip_cached_values(data)
            dst.writestr(copy_info(info), data, compress_type=zipfile.ZIP_DEFLATED)


def main(argv: list[str] | None = None) -> int:
    """Build the blank template from DEFRA's completed workbook (run as a script)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("official", type=Path, help="DEFRA's completed Feb-2024 statutory workbook (.xlsm)")
    parser.add_argument("out", type=Path, help="where to write the blank workbook")
    args = parser.parse_args(argv)
    build_template(args.official, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
