"""The consistency verdict: hand-edited caches, stale caches and edited inputs are all caught."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bng.workbook.check import EXIT_INCONSISTENT, check_workbook
from bng.workbook.consistency import agrees, close
from bng.workbook.grid import cell_name
from bng.workbook.package import open_package
from bng.workbook.reader import read_workbook
from tests.workbook.helpers import TEST_METRIC, cached_value, edit_workbook, set_value

D2 = "D-2 Off-Site Habitat Creation"
HEADLINE = "Headline Results"


def test_a_hand_edited_cached_row_value_is_named_by_sheet_and_cell(tmp_path: Path) -> None:
    edited = edit_workbook(TEST_METRIC, tmp_path / "edited.xlsm", sheets={D2: cached_value("AB13")})
    report = check_workbook(edited)
    assert not report.consistent and report.exit_code == EXIT_INCONSISTENT
    (d,) = report.discrepancies
    assert (d.sheet, d.cell) == (D2, "AB13")
    assert "units" in d.what and d.ours == repr(17.781567506486397)


def test_a_hand_edited_headline_is_caught(tmp_path: Path) -> None:
    edited = edit_workbook(TEST_METRIC, tmp_path / "edited.xlsm", sheets={HEADLINE: cached_value("H47")})
    (d,) = check_workbook(edited).discrepancies
    assert (d.sheet, d.cell, d.what) == (HEADLINE, "H47", "area: total net unit change")


def test_an_input_edited_without_recalculating_leaves_a_stale_cache(tmp_path: Path) -> None:
    """The area of D-2 row 11 changed as if typed with calculation switched off: everything downstream is stale."""
    edited = edit_workbook(TEST_METRIC, tmp_path / "stale.xlsm", sheets={D2: set_value("G11", 20.0)})
    report = check_workbook(edited)
    cells = {(d.sheet, d.cell) for d in report.discrepancies}
    assert (D2, "AB11") in cells and (D2, "AA11") in cells  # the row itself
    assert (HEADLINE, "H24") in cells and (HEADLINE, "H47") in cells  # and the headline
    assert ("Off-site gain site summary", "I7") in cells  # and the gain site


def test_a_workbook_never_calculated_gets_one_clear_finding(tmp_path: Path) -> None:
    def strip_values(xml: bytes) -> bytes:
        return re.sub(rb"(<c [^>]*>)(<f[^>]*>[^<]*</f>|<f[^>]*/>)<v>[^<]*</v>", rb"\1\2", xml)

    sheets = {name: strip_values for name in open_package(TEST_METRIC).sheets}
    report = check_workbook(edit_workbook(TEST_METRIC, tmp_path / "raw.xlsm", sheets=sheets))
    (d,) = report.discrepancies
    assert d.code == "NOT_CALCULATED"


def _numeric_cached_cells() -> list[tuple[str, str]]:
    """(sheet, cell) of every numeric cached row result of test_metric: the fuzz targets."""
    wb = read_workbook(TEST_METRIC)
    wb.book.close()
    out = []
    for src in wb.sources:
        for field in ("units", "units_srm", "retained_units", "enhanced_units"):
            v = src.cached.get(field)
            if isinstance(v, float) and v != 0.0 and field in src.columns:
                out.append((src.sheet, cell_name(src.row, src.columns[field])))
    return out


CELLS = _numeric_cached_cells()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(CELLS), factor=st.sampled_from([1 + 1e-6, 1 - 1e-3, 2.0, -1.0]))
def test_any_changed_cached_row_value_is_found_where_it_was_changed(
    tmp_path: Path, target: tuple[str, str], factor: float
) -> None:
    sheet, cell = target

    def scale(xml: bytes) -> bytes:
        m = re.search(rb'(<c r="' + cell.encode() + rb'"[^>]*>.*?<v>)([^<]*)(</v>)', xml, re.S)
        assert m is not None
        return xml[: m.start(2)] + repr(float(m.group(2)) * factor).encode() + xml[m.end(2) :]

    edited = edit_workbook(TEST_METRIC, tmp_path / f"{abs(hash(target))}.xlsm", sheets={sheet: scale})
    found = {(d.sheet, d.cell) for d in check_workbook(edited).discrepancies}
    assert (sheet, cell) in found


@given(
    a=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    rel=st.floats(min_value=-1e-10, max_value=1e-10),
)
def test_numbers_agree_within_the_vectors_tolerance(a: float, rel: float) -> None:
    assert agrees(a, a * (1 + rel), None)
    assert close(a, a + 1e-10)


@given(a=st.floats(min_value=1.0, max_value=1e9), rel=st.floats(min_value=1e-8, max_value=1.0))
def test_numbers_further_apart_disagree(a: float, rel: float) -> None:
    assert not agrees(a, a * (1 + rel), None)


@pytest.mark.parametrize(
    ("cached", "ours", "texts", "expected"),
    [
        ("", None, (), True),
        ("  ", None, ("x",), True),
        ("", 0.0, (), False),
        ("Off-site reference required ▲", None, ("Off-site reference required ▲",), True),
        ("Check Data ▲", None, ("Off-site reference required ▲",), False),
        ("Check Data ▲", 1.0, None, False),
        (1.0, None, None, False),
        (True, None, None, False),
    ],
)
def test_texts_agree_only_with_the_same_text(cached: object, ours: float | None, texts: object, expected: bool) -> None:
    assert agrees(cached, ours, texts) is expected  # type: ignore[arg-type]


def test_edit_helper_only_touches_the_named_part(tmp_path: Path) -> None:
    edited = edit_workbook(TEST_METRIC, tmp_path / "e.xlsm", sheets={D2: cached_value("AB13")})
    part = open_package(TEST_METRIC).sheets[D2]
    with zipfile.ZipFile(TEST_METRIC) as a, zipfile.ZipFile(edited) as b:
        changed = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert changed == [part]
