"""The packaged reference data against the official workbook it was taken from.

The shared CSVs drop the " ▲" the workbook puts after texts such as "Not Possible ▲"; the
loader restores it. These tests read the workbook's own G-sheets (cached cell values, with
python-calamine) and check every lookup cell the engine uses, so a wrong restoration, a
stale CSV or a changed layout table fails here rather than in a calculation.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from bng.metric import load
from bng.metric.errors import ReferenceDataError
from bng.metric.reference import CONDITIONS, release_id
from tests.conftest import ROOT, SHARED

WORKBOOK = SHARED / "spec" / "metric-files" / "statutory-2024-02__completed-offsite__macro-free.xlsx"
REL = load()


@pytest.fixture(scope="module")
def sheets() -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(WORKBOOK))
    names = (
        "G-3 Multipliers",
        "G-4 Temporal multipliers",
        "G-5 Enhancement Temporal",
        "G-6 Hedgerow Data",
        "G-7 WaterC' Data",
        "G-8 Condition Look up",
    )
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in names}


def cell(rows: list[list[Any]], ref: str) -> Any:
    """A1-style cell of a calamine sheet read from A1 ("" for an empty cell)."""
    col = "".join(ch for ch in ref if ch.isalpha())
    row = int(ref[len(col) :])
    c = 0
    for ch in col:
        c = c * 26 + ord(ch) - 64
    line = rows[row - 1] if row - 1 < len(rows) else []
    return line[c - 1] if c - 1 < len(line) else ""


def as_cell(v: Any) -> Any:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def test_release_names() -> None:
    assert release_id(None) == "statutory-2024"
    assert release_id("statutory-1.0.x") == "statutory-2024"
    with pytest.raises(ReferenceDataError, match="unknown metric release"):
        release_id("metric-3.1")
    assert load("4.1") is load("statutory-2024")


def test_condition_scores_match_g8(sheets: dict[str, list[list[Any]]]) -> None:
    g8 = sheets["G-8 Condition Look up"]
    header = g8[2][1:8]
    assert tuple(header) == CONDITIONS
    seen = 0
    for line in g8[3:135]:
        label = line[0]
        if not label:
            continue
        hab = REL.area_habitat(label)
        assert hab is not None, label
        for cond, value in zip(CONDITIONS, line[1:8], strict=True):
            assert hab.condition_scores[cond] == as_cell(value), (label, cond)
        seen += 1
    assert seen == len(REL.area_habitats)


def test_creation_years_match_g4(sheets: dict[str, list[list[Any]]]) -> None:
    g4 = sheets["G-4 Temporal multipliers"]
    conds = [cell(g4, f"{c}3") for c in "GHIJKLM"]
    assert tuple(conds) == CONDITIONS
    for r in range(4, 136):
        label = cell(g4, f"F{r}")
        hab = REL.area_habitat(label)
        assert hab is not None, label
        for c, cond in zip("GHIJKLM", CONDITIONS, strict=True):
            assert hab.creation_years[cond] == as_cell(cell(g4, f"{c}{r}")), (label, cond)


def test_temporal_multipliers_match_g4(sheets: dict[str, list[list[Any]]]) -> None:
    g4 = sheets["G-4 Temporal multipliers"]
    for r in range(4, 37):  # TemporalMultipliers = G-4!A4:C36
        key = as_cell(cell(g4, f"A{r}"))
        assert REL.temporal_multipliers[key] == float(cell(g4, f"C{r}")), key


def test_enhancement_years_match_g5(sheets: dict[str, list[list[Any]]]) -> None:
    g5 = sheets["G-5 Enhancement Temporal"]
    columns = [chr(c) for c in range(ord("D"), ord("Y") + 1)]
    labels = [cell(g5, f"{c}4") for c in columns]
    for r in range(5, 137):
        label = cell(g5, f"C{r}")
        if not label:
            continue
        hab = REL.area_habitat(label)
        assert hab is not None, label
        for c, change in zip(columns, labels, strict=True):
            assert hab.enhancement_years[change] == as_cell(cell(g5, f"{c}{r}")), (label, change)


def test_difficulty_matches_g3(sheets: dict[str, list[list[Any]]]) -> None:
    g3 = sheets["G-3 Multipliers"]
    for r in range(3, 136):
        label = cell(g3, f"A{r}")
        if not label:
            continue
        hab = REL.area_habitat(label)
        assert hab is not None, label
        assert (hab.creation_difficulty, hab.enhancement_difficulty) == (cell(g3, f"B{r}"), cell(g3, f"D{r}"))
    for r in range(3, 7):
        assert REL.difficulty_multipliers[cell(g3, f"P{r}")] == float(cell(g3, f"Q{r}"))
    for r in range(4, 11):  # spatial risk categories carry trailing spaces in the workbook
        assert REL.spatial_risk[" ".join(cell(g3, f"S{r}").split())] == float(cell(g3, f"T{r}"))
    sizes = ["Small", "Medium", "Large", "Very large"]
    for size, r in zip(sizes, range(4, 8), strict=True):
        assert REL.tree_areas_ha[size] == float(cell(g3, f"Z{r}"))


def test_hedgerow_tables_match_g6(sheets: dict[str, list[list[Any]]]) -> None:
    g6 = sheets["G-6 Hedgerow Data"]
    types = list(REL.hedgerow_types.values())
    for r, t in zip(range(3, 16), types, strict=True):
        assert cell(g6, f"B{r}") == t.name
        assert as_cell(cell(g6, f"D{r}")) == t.score
        for c, cond in zip("EGI", ("Poor", "Moderate", "Good"), strict=True):
            assert t.creation_years[cond] == as_cell(cell(g6, f"{c}{r}")), (t.name, cond)
        for c, change in zip("KMQ", ("Poor - Moderate", "Poor - Good", "Moderate - Good"), strict=True):
            assert t.condition_change_years[change] == as_cell(cell(g6, f"{c}{r}")), (t.name, change)
        for k, col in enumerate(range(ord("S"), ord("Z") + 1 + 5)):
            letter = chr(col) if col <= ord("Z") else "A" + chr(col - 26)
            proposed = types[k].name
            assert cell(g6, f"{letter}2") == proposed
            assert REL.hedgerow_distinctiveness_years[(t.name, proposed)] == as_cell(cell(g6, f"{letter}{r}"))
        for k in range(13):
            letter = "A" + chr(ord("N") + k)
            assert cell(g6, f"{letter}2") == types[k].name
            assert REL.hedgerow_change[(t.name, types[k].name)] == cell(g6, f"{letter}{r}"), (t.name, k)


def test_watercourse_tables_match_g7(sheets: dict[str, list[list[Any]]]) -> None:
    g7 = sheets["G-7 WaterC' Data"]
    for r, w in zip(range(4, 9), REL.watercourse_types.values(), strict=True):
        assert cell(g7, f"B{r}") == w.name
        for c, cond in zip("HIJKL", CONDITIONS[:5], strict=True):
            assert w.condition_scores[cond] == as_cell(cell(g7, f"{c}{r}")), (w.name, cond)
        assert (w.creation_difficulty, w.enhancement_difficulty) == (cell(g7, f"E{r}"), cell(g7, f"F{r}"))
    for r in range(3, 8):
        assert REL.watercourse_creation_years[cell(g7, f"N{r}")] == as_cell(cell(g7, f"O{r}"))
    assert REL.watercourse_distinctiveness_years == float(cell(g7, "R3"))
    for r in range(5, 10):
        for c in "UVWXY":
            key = (cell(g7, f"T{r}"), cell(g7, f"{c}4"))
            assert REL.watercourse_condition_years[key] == as_cell(cell(g7, f"{c}{r}")), key
    for r in range(4, 8):
        assert REL.watercourse_encroachment[cell(g7, f"AA{r}")] == float(cell(g7, f"AB{r}"))
        assert REL.spatial_risk_watercourse[" ".join(cell(g7, f"AO{r}").split())] == float(cell(g7, f"AP{r}"))
    for r in range(4, 15):
        assert REL.riparian_encroachment[cell(g7, f"AD{r}")] == float(cell(g7, f"AE{r}"))


@pytest.mark.slow
def test_layout_tables_are_what_the_workbook_says() -> None:
    """area_trading_layout.csv and credit_*.csv equal a fresh extraction from the workbook."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import extract_layout
    finally:
        sys.path.pop(0)
    fresh = extract_layout.extract(WORKBOOK)
    folder = Path(__file__).resolve().parents[2] / "src" / "bng" / "metric" / "reference" / "statutory_2024"
    for name, text in fresh.items():
        assert list(csv.reader(io.StringIO(text))) == list(csv.reader(io.StringIO((folder / name).read_text()))), name
