"""Writing a Site into the official workbook: only input cells, each where the workbook expects it."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from bng.metric import parse_site
from bng.metric.model import AreaBaseline, AreaEnhancement, AreaRows, Location, Site
from bng.workbook.errors import WorkbookError
from bng.workbook.grid import Book, column_letters
from bng.workbook.layout import INPUT_SHEETS, find_sheet, locate
from bng.workbook.reader import read_start, read_workbook
from bng.workbook.template import template_path
from bng.workbook.writer import export_site
from tests.workbook.helpers import VECTORS, edit_workbook, normalised

VECTOR_FILES = sorted(VECTORS.glob("*.site.json"))
CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*?(?:/>|>.*?</c>)', re.S)


def _site(path: Path) -> Site:
    site, _ = parse_site(json.loads(path.read_text()))
    return site


def _read(path: Path) -> Site:
    wb = read_workbook(path)
    wb.book.close()
    return wb.site


@pytest.mark.parametrize("vector", VECTOR_FILES, ids=lambda p: p.name.split(".")[0])
def test_every_vector_reads_back_as_it_was_written(tmp_path: Path, vector: Path) -> None:
    site = _site(vector)
    out = tmp_path / "out.xlsm"
    summary = export_site(site, out)
    assert summary.rows == site.on_site.row_count() + site.off_site.row_count()
    assert normalised(_read(out)) == normalised(site)


def _cells(xml: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(0) for m in CELL.finditer(xml)}


def test_only_input_cells_change_and_everything_else_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "out.xlsm"
    export_site(_site(VECTORS / "pub-21-offsite.site.json"), out)
    with Book(template_path()) as book:
        inputs: dict[str, set[bytes]] = {}
        for spec in INPUT_SHEETS:
            name = find_sheet(book.sheet_names, spec)
            assert name is not None
            layout = locate(book.grid(name), spec, "template")
            letters = [column_letters(layout.columns[c.field]) for c in spec.inputs if c.field in layout.columns]
            inputs[book.package.sheets[name]] = {
                f"{c}{r}".encode() for c in letters for r in range(layout.first_row, 300)
            }
        start = read_start(book.grid("Start"))
        inputs[book.package.sheets["Start"]] = {c.encode() for c in start.cells.values()}
    with zipfile.ZipFile(template_path()) as a, zipfile.ZipFile(out) as b:
        assert a.namelist() == b.namelist()
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
        assert changed and set(changed) <= set(inputs)
        for part in changed:
            before, after = _cells(a.read(part)), _cells(b.read(part))
            differ = {ref for ref in before.keys() | after.keys() if before.get(ref) != after.get(ref)}
            assert differ <= inputs[part], sorted(differ - inputs[part])[:5]
        assert a.read("xl/vbaProject.bin") == b.read("xl/vbaProject.bin")


def test_a_different_proposed_broad_habitat_replaces_the_prefilled_formula_cleanly(tmp_path: Path) -> None:
    """A-3!Q12 is the master of the shared formula =A12 down to Q76: overwriting it must unshare the rest."""
    base = AreaBaseline(
        "B1",
        "Grassland - Modified grassland",
        1.0,
        "Poor",
        "Area/compensation not in local strategy/ no local strategy",
        enhanced_ha=1.0,
        retained_ha=0.0,
    )
    enh = AreaEnhancement("E1", "B1", "Heathland and shrub - Mixed scrub", "Moderate", base.strategic_significance)
    site = Site(on_site=Location(area=AreaRows((base,), (), (enh,))))
    out = tmp_path / "out.xlsm"
    export_site(site, out)
    with Book(out) as book:
        xml = book.package.read(book.package.sheets["A-3 On-Site Habitat Enhancement"])
    assert re.search(rb'<c r="Q12"[^>]*t="inlineStr"><is><t>Heathland and shrub</t>', xml)
    assert b'si="0"' not in xml  # no cell left pointing at the shared formula's old master
    assert re.search(rb'<c r="Q13"[^>]*><f>A13</f>', xml) and re.search(rb'<c r="Q76"[^>]*><f>A76</f>', xml)
    assert normalised(_read(out)) == normalised(site)


def test_rows_beyond_the_sheet_are_refused(tmp_path: Path) -> None:
    row = AreaBaseline(
        "x", "Grassland - Modified grassland", 0.1, "Poor", "Area/compensation not in local strategy/ no local strategy"
    )
    rows = tuple(replace(row, ref=str(i)) for i in range(249))
    site = Site(on_site=Location(area=AreaRows(rows)))
    with pytest.raises(WorkbookError, match=r"249 on-site area baseline rows do not fit .* which has 248 input rows"):
        export_site(site, tmp_path / "out.xlsm")


def test_an_enhancement_row_without_a_baseline_is_refused(tmp_path: Path) -> None:
    enh = AreaEnhancement(
        "E1",
        "missing",
        "Grassland - Modified grassland",
        "Good",
        "Area/compensation not in local strategy/ no local strategy",
    )
    site = Site(on_site=Location(area=AreaRows((), (), (enh,))))
    with pytest.raises(WorkbookError, match="enhancement rows 'E1' have no place in the workbook"):
        export_site(site, tmp_path / "out.xlsm")


def test_output_must_be_macro_enabled(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match=r"name the output \.xlsm"):
        export_site(Site(), tmp_path / "out.xlsx")


def test_locked_cells_are_never_written(tmp_path: Path) -> None:
    """A template whose input cell is locked is refused rather than written into silently."""

    def lock(xml: bytes) -> bytes:
        return re.sub(rb'(<c r="E11") s="[0-9]+"', rb"\1", xml)  # default style: locked

    locked = edit_workbook(template_path(), tmp_path / "locked.xlsm", sheets={"A-1 On-Site Habitat Baseline": lock})
    site = _site(VECTORS / "pub-02-small.site.json")
    with pytest.raises(WorkbookError, match="cells E11 are locked in the template"):
        export_site(site, tmp_path / "out.xlsm", template=locked)
