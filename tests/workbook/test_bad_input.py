"""Bad input: every broken or hostile file gets a clear error naming the problem, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bng.cli import app
from bng.workbook.check import EXIT_UNREADABLE
from bng.workbook.errors import CellValueError, LayoutError, UnsafeFileError, WorkbookError
from bng.workbook.reader import read_workbook
from tests.workbook import badfiles
from tests.workbook.helpers import TEST_METRIC, edit_workbook, set_value

D1 = "D-1 Off-Site Habitat Baseline"
BOUNDED = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB of address space
    from bng.workbook.errors import WorkbookError
    from bng.workbook.reader import read_workbook
    try:
        read_workbook(sys.argv[1])
    except WorkbookError as err:
        print(err)
        sys.exit(3)
    """
)


def _cli(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["metric", "check", str(path)])
    return result.exit_code, result.output


def _read_bounded(path: Path) -> str:
    """Read a file in a child process with 1 GiB of address space and a minute: it must end in our error."""
    done = subprocess.run(
        [sys.executable, "-c", BOUNDED, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 3, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"Ref,Habitat\n1,Grassland\n", "not a zip package but a text file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not a zip package but a PDF document"),
        (b"", "not a zip package but an empty file"),
        (b"PK\x03\x04" + b"\0" * 100, "not a readable zip package"),
    ],
)
def test_not_a_zip(tmp_path: Path, content: bytes, said: str) -> None:
    path = tmp_path / "metric.xlsm"
    path.write_bytes(content)
    with pytest.raises(UnsafeFileError, match=re.escape(said)):
        read_workbook(path)
    code, output = _cli(path)
    assert code == EXIT_UNREADABLE and said in output and "Traceback" not in output


def test_encrypted_workbook(tmp_path: Path) -> None:
    path = badfiles.encrypted_workbook(tmp_path / "locked.xlsx")
    with pytest.raises(UnsafeFileError, match="encrypted \\(password to open\\)"):
        read_workbook(path)


def test_legacy_xls(tmp_path: Path) -> None:
    with pytest.raises(UnsafeFileError, match="legacy Excel 97-2003"):
        read_workbook(badfiles.legacy_xls(tmp_path / "old.xlsm"))


def test_zip_bomb_is_refused_from_its_directory(tmp_path: Path) -> None:
    path = badfiles.zip_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 1_000_000
    with pytest.raises(UnsafeFileError, match="zip bomb"):
        read_workbook(path)
    assert "zip bomb" in _read_bounded(path)


def test_zip_bomb_that_lies_about_its_size_is_caught_while_inflating(tmp_path: Path) -> None:
    path = badfiles.lying_zip_bomb(TEST_METRIC, tmp_path / "liar.xlsm", "Start")
    with pytest.raises(UnsafeFileError, match="inflates to more or fewer bytes than its declared"):
        read_workbook(path)
    assert "zip bomb" in _read_bounded(path)


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    path = badfiles.large_file(tmp_path / "big.xlsx")
    with pytest.raises(UnsafeFileError, match=r"the file is 50,000,\d{3} bytes, larger than"):
        read_workbook(path)


def test_hundred_thousand_row_sheet(tmp_path: Path) -> None:
    path = badfiles.hundred_thousand_rows(TEST_METRIC, tmp_path / "long.xlsm", D1)
    message = _read_bounded(path)
    assert f"sheet {D1!r} has a cell at D10000 (row 10,000, column 4), beyond the 9,999 rows" in message
    with pytest.raises(UnsafeFileError, match="beyond the 9,999 rows and 256 columns"):
        read_workbook(path)


def test_a_sheet_with_one_far_away_cell_is_refused_before_calamine_builds_its_grid(tmp_path: Path) -> None:
    def far(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", b'<row r="60000"><c r="XFD60000"><v>1</v></c></row></sheetData>')

    path = edit_workbook(TEST_METRIC, tmp_path / "far.xlsm", sheets={D1: far})
    assert "has a cell at XFD60000 (row 60,000, column 16,384)" in _read_bounded(path)


def test_cells_without_positions_are_measured_the_slow_way(tmp_path: Path) -> None:
    """Cells may omit their r attribute (each takes the next column); 300 of them reach past column IV."""

    def wide(xml: bytes) -> bytes:
        cells = b"<c><v>1</v></c>" * 300
        return xml.replace(b"</sheetData>", b'<row r="400">' + cells + b"</row></sheetData>")

    path = edit_workbook(TEST_METRIC, tmp_path / "wide.xlsm", sheets={D1: wide})
    with pytest.raises(UnsafeFileError, match="cells down to row 400 and out to column 300, beyond"):
        read_workbook(path)


def test_missing_sheet_is_named(tmp_path: Path) -> None:
    def drop(xml: bytes) -> bytes:
        return re.sub(rb'<sheet name="D-2 Off-Site Habitat Creation"[^>]*/>', b"", xml)

    path = edit_workbook(TEST_METRIC, tmp_path / "missing.xlsm", parts={"xl/workbook.xml": drop})
    with pytest.raises(LayoutError, match="without the input sheet 'D-2 Off-Site Habitat Creation'"):
        read_workbook(path)
    code, output = _cli(path)
    assert code == EXIT_UNREADABLE and "D-2 Off-Site Habitat Creation" in output


def test_renamed_header_is_named(tmp_path: Path) -> None:
    def strings(xml: bytes) -> bytes:
        return xml.replace(b"<t>Area enhanced</t>", b"<t>Area improved</t>")

    path = edit_workbook(TEST_METRIC, tmp_path / "header.xlsm", parts={"xl/sharedStrings.xml": strings})
    with pytest.raises(LayoutError, match="no column headed 'area enhanced'"):
        read_workbook(path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("16.85 ha", "expected a number (hectares), not text"), ("16.85", "not a number stored as text")],
)
def test_text_in_a_number_cell_names_sheet_cell_and_field(tmp_path: Path, value: str, expected: str) -> None:
    path = edit_workbook(TEST_METRIC, tmp_path / "text.xlsm", sheets={D1: set_value("H12", value)})
    with pytest.raises(CellValueError) as err:
        read_workbook(path)
    (problem,) = err.value.problems
    assert (problem.sheet, problem.cell, problem.field) == (D1, "H12", "size")
    assert expected in str(err.value)
    code, output = _cli(path)
    assert code == EXIT_UNREADABLE and f"sheet {D1!r} cell H12 (size)" in output and "Traceback" not in output


def test_every_bad_cell_is_listed_at_once(tmp_path: Path) -> None:
    edits = {D1: lambda xml: set_value("V13", "none")(set_value("H12", "big")(xml))}
    path = edit_workbook(TEST_METRIC, tmp_path / "two.xlsm", sheets=edits)
    with pytest.raises(CellValueError, match="2 input cells cannot be used") as err:
        read_workbook(path)
    assert [p.cell for p in err.value.problems] == ["H12", "V13"]


def test_errors_are_workbook_errors_with_the_file_named(tmp_path: Path) -> None:
    path = tmp_path / "nothing.xlsm"
    with pytest.raises(WorkbookError) as err:
        read_workbook(path)
    assert str(path) in str(err.value) and "cannot read the file" in str(err.value)


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/sharedStrings.xml"])
def test_a_dtd_after_the_first_kilobytes_is_still_refused(tmp_path: Path, part: str) -> None:
    """A DOCTYPE may follow any amount of comment: the whole part is searched, not its first 2 KB."""
    bomb = b"<!-- " + b"x" * 5000 + b' -->\n<!DOCTYPE lol [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'

    def add(xml: bytes) -> bytes:
        head, sep, rest = xml.partition(b"?>")
        return head + sep + b"\n" + bomb + rest.lstrip() if sep else bomb + xml

    path = edit_workbook(TEST_METRIC, tmp_path / "dtd.xlsm", parts={part: add})
    with pytest.raises(UnsafeFileError, match=f"part '{part}' declares a DTD"):
        read_workbook(path)
