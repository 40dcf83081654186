"""The blank workbook shipped as package data is DEFRA's Feb-2024 tool with its inputs cleared, nothing else."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from bng.workbook.cached import RESULT_SHEETS, read_cached
from bng.workbook.grid import Book, column_letters
from bng.workbook.layout import INPUT_SHEETS, find_sheet, locate
from bng.workbook.reader import read_workbook
from bng.workbook.template import CALC_CHAIN, build_template, input_cells, template_path
from bng.workbook.xmlpatch import cell_styles, unlocked_styles
from tests.workbook.helpers import TEST_METRIC

FORMULA_WITH_VALUE = re.compile(rb"<c [^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)<v")


def test_shipped_template_is_what_the_build_makes(tmp_path: Path) -> None:
    built = tmp_path / "blank.xlsm"
    build_template(TEST_METRIC, built)
    with zipfile.ZipFile(template_path()) as shipped, zipfile.ZipFile(built) as fresh:
        assert shipped.namelist() == fresh.namelist()
        different = [n for n in shipped.namelist() if shipped.read(n) != fresh.read(n)]
    assert different == []


def test_template_has_no_inputs_and_no_cached_results() -> None:
    wb = read_workbook(template_path(), also=RESULT_SHEETS)
    try:
        assert wb.sources == () and wb.site.project.details == ()
        assert wb.site.project.target_percent == 10.0  # the official tool's default target is kept
        assert not read_cached(wb.book, wb.layouts).calculated
    finally:
        wb.book.close()
    with zipfile.ZipFile(template_path()) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert not FORMULA_WITH_VALUE.search(z.read(name)), name


def test_template_keeps_macros_drop_downs_and_drawings_and_calculates_on_opening() -> None:
    with zipfile.ZipFile(TEST_METRIC) as official, zipfile.ZipFile(template_path()) as blank:
        assert set(official.namelist()) - set(blank.namelist()) == {CALC_CHAIN}
        assert official.read("xl/vbaProject.bin") == blank.read("xl/vbaProject.bin")
        for name in official.namelist():
            if name.startswith(("xl/drawings/", "xl/media/", "xl/charts/", "customXml/")):
                assert official.read(name) == blank.read(name), name
        for pattern in (rb"<x14:dataValidation ", rb"<dataValidation ", rb"<x14:cf", rb"<sheetProtection "):
            assert _count(official, pattern) == _count(blank, pattern) > 0, pattern
        assert b'fullCalcOnLoad="1"' in blank.read("xl/workbook.xml")
        assert b"calcChain" not in blank.read("[Content_Types].xml")


def _count(z: zipfile.ZipFile, pattern: bytes) -> int:
    return sum(len(re.findall(pattern, z.read(n))) for n in z.namelist() if n.startswith("xl/worksheets/sheet"))


def test_every_input_cell_is_unlocked_on_its_protected_sheet() -> None:
    with Book(TEST_METRIC) as book:
        unlocked = unlocked_styles(book.package.read("xl/styles.xml"))
        for spec in INPUT_SHEETS:
            name = find_sheet(book.sheet_names, spec)
            assert name is not None
            layout = locate(book.grid(name), spec, "official")
            cells = input_cells(book, layout)
            assert len(cells) >= 246 * 5
            styles = cell_styles(book.package.read(book.package.sheets[name]), cells)
            locked = [f"{column_letters(c)}{r}" for (r, c), s in styles.items() if s not in unlocked]
            assert locked == [], f"{name}: {locked[:5]}"
