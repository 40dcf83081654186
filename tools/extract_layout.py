"""Extract the structural reference tables of a statutory metric workbook.

The per-habitat tables (G-1 … G-8) are published as CSV in ``shared/spec/data``.  What is
not published is the *layout* the workbook uses to apply the trading rules and to derive
statutory credit tiers: which habitat sits in which band row of "Trading Summary Area
Habitats", which rows each Medium "cumulative broad habitat change" adds up, which High
habitat belongs to which credit tier, and which surpluses may offset which Medium group.
Those are facts of a metric release, so they live beside the other reference tables.

Run it against the official workbook (openpyxl is a development dependency)::

    python tools/extract_layout.py ../shared/spec/metric-files/statutory-2024-02__completed-offsite__macro-free.xlsx \
        src/bng/metric/reference/statutory_2024

It reads formulas and cached values and writes three CSV files; ``tests/metric/test_reference.py``
re-runs it and checks the committed files still match the workbook.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import warnings
from pathlib import Path
from typing import Any

TS = "Trading Summary Area Habitats"
US = "Unit shortfall calculations"
G2 = "G-2 Habitat groups"

BAND_ROWS = {  # Trading Summary Area Habitats: band → data rows (inclusive)
    "V.High": (13, 32),
    "High": (41, 82),
    "Medium": (89, 115),
    "Low": (125, 162),
}
_G2_REF = re.compile(r"^='G-2 Habitat groups'!\$?([A-Z]+)\$?(\d+)$")
_RANGE = re.compile(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?")


def _load(path: Path) -> tuple[Any, Any]:
    import openpyxl

    warnings.filterwarnings("ignore")
    formulas = openpyxl.load_workbook(path, data_only=False)
    values = openpyxl.load_workbook(path, data_only=True)
    return formulas, values


def _g2_row(formula: object) -> int | None:
    if not isinstance(formula, str):
        return None
    m = _G2_REF.match(formula.strip())
    return int(m.group(2)) if m else None


def _rows_of(ref: str) -> range:
    m = _RANGE.fullmatch(ref.replace("$", ""))
    if not m:
        raise ValueError(f"not a range: {ref}")
    first = int(m.group(2))
    last = int(m.group(4) or first)
    return range(first, last + 1)


def extract(path: Path) -> dict[str, str]:
    wf, wv = _load(path)
    tsf, tsv, g2v = wf[TS], wv[TS], wv[G2]
    usf, usv = wf[US], wv[US]

    def au(row: int) -> str:
        return str(g2v[f"AU{row}"].value)

    # --- area trading layout -------------------------------------------------------------
    medium_block: dict[int, str] = {}
    for row in range(BAND_ROWS["Medium"][0], BAND_ROWS["Medium"][1] + 1):
        g = tsf[f"G{row}"].value
        if isinstance(g, str) and g.startswith("="):
            inner = g[1:]
            if inner.startswith("SUM("):
                inner = inner[4:-1]
            block = _rows_of(inner)
            name = str(tsv[f"C{row}"].value)
            for r in block:
                medium_block[r] = name
    trading = io.StringIO()
    w = csv.writer(trading, lineterminator="\n")
    w.writerow(["seq", "band", "habitat_label", "display_label", "group", "medium_block"])
    seq = 0
    ts_label_of_row: dict[int, str] = {}
    for band, (first, last) in BAND_ROWS.items():
        for row in range(first, last + 1):
            g2 = _g2_row(tsf[f"F{row}"].value)
            if g2 is None:
                raise ValueError(f"{TS}!F{row} does not reference G-2: {tsf[f'F{row}'].value!r}")
            seq += 1
            label = au(g2)
            ts_label_of_row[row] = label
            w.writerow(
                [
                    seq,
                    band,
                    label,
                    tsv[f"B{row}"].value,
                    tsv[f"C{row}"].value,
                    medium_block.get(row, "") if band == "Medium" else "",
                ]
            )

    # --- credit tiers of High habitats (rows 21-66) ----------------------------------------
    tiers = io.StringIO()
    w = csv.writer(tiers, lineterminator="\n")
    w.writerow(["habitat_label", "tier"])
    tier = ""
    for row in range(21, 67):
        d = usv[f"D{row}"].value
        if isinstance(d, str) and re.fullmatch(r"A[1-5]", d):
            tier = d
        g2 = _g2_row(usf[f"G{row}"].value)
        if g2 is not None:
            w.writerow([au(g2), tier])

    # --- Medium broad-group offsets (rows 122-131) -----------------------------------------
    high_list: dict[int, str] = {}  # rows 76-117: High habitats in G-2 AU order
    for row in range(76, 118):
        g2 = _g2_row(usf[f"G{row}"].value)
        if g2 is not None:
            high_list[row] = au(g2)
    groups = io.StringIO()
    w = csv.writer(groups, lineterminator="\n")
    w.writerow(["group", "tier", "medium_block", "surplus_source", "surplus_band"])
    tier = ""
    for row in range(122, 132):
        c = usv[f"C{row}"].value
        if isinstance(c, str) and c:
            tier = c
        group = str(usv[f"D{row}"].value)
        g = usf[f"G{row}"].value
        block = ""
        if isinstance(g, str):
            m = re.search(r"'Trading Summary Area Habitats'!G(\d+)", g)
            if m:
                block = medium_block[int(m.group(1))]
        sources: list[tuple[str, str]] = []
        e = usf[f"E{row}"].value
        if isinstance(e, str):
            for part in re.findall(r"SUMIF\(([^,]+),", e):
                if part.startswith("'Trading Summary Area Habitats'!F"):
                    for r in _rows_of(part.split("!")[1]):
                        sources.append((ts_label_of_row[r], "V.High"))
                else:
                    for r in _rows_of(part):
                        sources.append((high_list[r], "High"))
        if not sources:
            w.writerow([group, tier, block, "", ""])
        for label, band in sources:
            w.writerow([group, tier, block, label, band])
    return {
        "area_trading_layout.csv": trading.getvalue(),
        "credit_tiers.csv": tiers.getvalue(),
        "credit_medium_groups.csv": groups.getvalue(),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__)
        return 2
    out = Path(argv[2])
    for name, text in extract(Path(argv[1])).items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
