"""A 1.0.3 workbook edited and recalculated by real LibreOffice: its own release's formulas, and pasted values.

A real-site 1.0.3 workbook (digital-ecology/metric_pulling OnSiteHedgeEnhance2.xlsx) gets inputs that
only 1.0.3's formulas compute as they do, and values pasted past the drop-down lists; LibreOffice
recalculates it, and the check must find every cached value equal to our recalculation with the
1.0.3 reference data, and name the pasted cells. Recalculated with 1.0.0/1.0.1's instead (``--release``),
the same workbook is inconsistent exactly where the releases differ.

* B-3!Z12 delay "30+": 1.0.3 gives the final time "30+" (its multiplier 0.32); 1.0.0/1.0.1 gave
  "30+ ⚠", which the multiplier lookup misses, so the row delivered no units (quirk 7);
* A-2!P11 advance 31 years (pasted, the list stops at 30): the final time is 0, the multiplier 1;
* B-3!Y13 advance "Habitat already in target condition" (pasted, not in B-3's list): the row counts
  as in target condition, with the Low difficulty.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bng.workbook.check import check_workbook
from tests.conftest import SHARED
from tests.workbook.helpers import edit_workbook, set_value
from tests.workbook.libreoffice import recalculate, soffice

EXTERNAL = SHARED / "spec" / "external-workbooks"
V103 = EXTERNAL / "digital-ecology__metric_pulling__inst__extdata__OnSiteHedgeEnhance2.xlsx"
B3 = "B-3 On-Site Hedge Enhancement"
A2 = "A-2 On-Site Habitat Creation"


@pytest.mark.slow
def test_a_1_0_3_workbook_recalculated_by_libreoffice_is_consistent_with_its_own_release(tmp_path: Path) -> None:
    if soffice() is None:
        pytest.fail("LibreOffice is not installed: test.sh installs Debian's libreoffice-calc")
    edited = edit_workbook(
        V103,
        tmp_path / "edited.xlsx",
        sheets={
            B3: lambda xml: set_value("Y13", "Habitat already in target condition")(set_value("Z12", "30+")(xml)),
            A2: set_value("P11", 31.0),
        },
    )
    out = tmp_path / "recalculated.xlsx"
    passes = recalculate([(edited, out)], tmp_path, timeout=600)
    assert passes.get(out, (0, False))[1], f"LibreOffice's passes never agreed: {passes}"

    report = check_workbook(out)
    assert report.release.label == "statutory 1.0.3" and report.result.metric_release == "statutory-1.0.3"
    assert report.consistent, "\n".join(str(d) for d in report.discrepancies)
    b3 = {(r.stage, r.ref): r for r in report.result.rows if r.module == "hedgerow"}
    delayed = next(r for (stage, _), r in b3.items() if stage == "enhancement")
    assert delayed.units is not None and delayed.units > 0  # "30+" finds its multiplier in 1.0.3
    errors = next(c for c in report.checks if c.code == "NO_ERROR_ROWS")
    said = "\n".join(errors.details)
    assert "cell P11 (advance)" in said and "cell Y13 (advance)" in said and "drop-down list" in said

    older = check_workbook(out, release="1.0.1")
    assert older.result.metric_release == "statutory-2024"
    assert any("--release" in n for n in older.release.notes)
    cells = {(d.sheet, d.cell) for d in older.discrepancies}
    assert (B3, "AH12") in cells  # 1.0.0/1.0.1's "30+ ⚠" gives no units where 1.0.3 gives them
