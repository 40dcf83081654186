"""Fuzz the reader with mutated real workbooks: it reads them or refuses them, and never fails otherwise.

Mutations are made where a reader can trip: a cell's value and type (numbers, texts, booleans,
errors, shared strings that do not exist), cells and rows removed or repeated far away, parts
truncated or spliced with random bytes, and raw bytes of the zip flipped.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bng.workbook.check import check_workbook
from bng.workbook.errors import WorkbookError
from bng.workbook.package import open_package
from tests.workbook.helpers import TEST_METRIC, edit_workbook

SHEETS = (
    "Start",
    "A-1 On-Site Habitat Baseline",
    "D-1 Off-Site Habitat Baseline",
    "D-2 Off-Site Habitat Creation",
    "D-3 Off-Site Habitat Enhancment",
    "E-2 Off-Site Hedge Creation",
    "F-1 Off-Site WaterC' Baseline",
    "F-3 Off-Site WaterC Enhancement",
    "Headline Results",
    "Off-site gain site summary",
)
PARTS = ("xl/workbook.xml", "xl/sharedStrings.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml")
CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"([^>]*?)(/>|>.*?</c>)', re.S)

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
values = st.one_of(
    st.floats(allow_nan=False).map(lambda f: b"><v>" + repr(f).encode() + b"</v></c>"),
    st.sampled_from([b"><v>NaN</v></c>", b"><v>1e999</v></c>", b"><v></v></c>", b"><v>-0</v></c>"]),
    texts.map(
        lambda t: (
            b' t="inlineStr"><is><t>'
            + t.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8", "surrogatepass")
            + b"</t></is></c>"
        )
    ),
    st.sampled_from(["30+", "Yes", "No", "Pending", "Good", "N/A - Other", "Check Data ▲"]).map(
        lambda t: b' t="inlineStr"><is><t>' + t.encode() + b"</t></is></c>"
    ),
    st.sampled_from([b' t="b"><v>1</v></c>', b' t="e"><v>#VALUE!</v></c>', b' t="s"><v>999999</v></c>']),
    st.just(b"/>"),
)


@st.composite
def sheet_edit(draw: st.DrawFn) -> tuple[str, object]:
    sheet = draw(st.sampled_from(SHEETS))
    kind = draw(st.sampled_from(["cell", "cell", "cell", "drop", "row", "truncate", "splice"]))
    index = draw(st.integers(min_value=0, max_value=20_000))
    value = draw(values)
    junk = draw(st.binary(min_size=1, max_size=64))
    far = draw(st.integers(min_value=1, max_value=1_048_576))

    def edit(xml: bytes) -> bytes:
        cells = list(CELL.finditer(xml))
        m = cells[index % len(cells)] if cells else None
        if kind == "cell" and m:
            style = re.search(rb'\ss="[0-9]+"', m.group(2))
            return (
                xml[: m.start()]
                + b'<c r="'
                + m.group(1)
                + b'"'
                + (style.group(0) if style else b"")
                + value
                + xml[m.end() :]
            )
        if kind == "drop" and m:
            return xml[: m.start()] + xml[m.end() :]
        if kind == "row" and m:
            return xml.replace(b"</sheetData>", b'<row r="%d"><c r="A%d"><v>1</v></c></row></sheetData>' % (far, far))
        cut = index % max(len(xml), 1)
        if kind == "truncate":
            return xml[:cut]
        return xml[:cut] + junk + xml[cut:]

    return sheet, edit


@st.composite
def part_edit(draw: st.DrawFn) -> tuple[str, object]:
    part = draw(st.sampled_from(PARTS))
    cut = draw(st.integers(min_value=0, max_value=100_000))
    junk = draw(st.binary(max_size=32))

    def edit(xml: bytes) -> bytes:
        i = cut % max(len(xml), 1)
        return xml[:i] + junk + xml[i + len(junk) :]

    return part, edit


def _survives(path: Path) -> None:
    """Reading and checking either works or raises WorkbookError: never anything else."""
    try:
        report = check_workbook(path)
    except WorkbookError as err:
        assert str(path) in str(err) or err.path == str(path)
        return
    assert report.exit_code in (0, 1, 2)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(sheet_edit(), min_size=1, max_size=3))
def test_mutated_sheets(tmp_path: Path, edits: list[tuple[str, object]]) -> None:
    chained: dict[str, object] = {}
    for sheet, fn in edits:
        prev = chained.get(sheet)
        chained[sheet] = (lambda f, g: lambda x: g(f(x)))(prev, fn) if prev else fn  # type: ignore[misc]
    _survives(edit_workbook(TEST_METRIC, tmp_path / "mutant.xlsm", sheets=chained))  # type: ignore[arg-type]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edit=part_edit())
def test_mutated_package_parts(tmp_path: Path, edit: tuple[str, object]) -> None:
    part, fn = edit
    _survives(edit_workbook(TEST_METRIC, tmp_path / "mutant.xlsm", parts={part: fn}))  # type: ignore[dict-item]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), min_size=1, max_size=8)
)
def test_flipped_bytes(tmp_path: Path, flips: list[tuple[int, int]]) -> None:
    data = bytearray(TEST_METRIC.read_bytes())
    for pos, byte in flips:
        data[pos % len(data)] = byte
    path = tmp_path / "flipped.xlsm"
    path.write_bytes(bytes(data))
    _survives(path)


def test_the_fuzz_base_is_a_readable_workbook() -> None:
    assert open_package(TEST_METRIC).sheets.keys() >= set(SHEETS)
    assert check_workbook(TEST_METRIC).consistent
