"""Every statutory release told apart, named in every result, and recalculated with its own reference data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bng.cli import app
from bng.workbook.check import check_workbook
from bng.workbook.reader import read_workbook
from tests.conftest import SHARED
from tests.workbook.helpers import COMBINED, TEST_METRIC, TEST_METRIC_XLSX, edit_workbook

EXTERNAL = SHARED / "spec" / "external-workbooks"
REAL = "digital-ecology__metric_pulling__inst__extdata__"
V102 = (EXTERNAL / f"{REAL}OnSiteBoth.xlsx", EXTERNAL / f"{REAL}OnSiteTradingSummary.xlsx")
V103 = tuple(
    EXTERNAL / f"{REAL}{n}.xlsx"
    for n in (
        "OnSiteCreation",
        "OnSiteHedgeEnhance",
        "OnSiteHedgeEnhance2",
        "OnSiteHedgeEnhance3",
        "OnSiteHedgeEnhanceMissing",
    )
)
runner = CliRunner()


@pytest.mark.parametrize(
    ("path", "label", "rid", "how"),
    [
        *((p, "statutory 1.0.0/1.0.1", "statutory-2024", "lacks") for p in (TEST_METRIC, TEST_METRIC_XLSX, COMBINED)),
        *((p, "statutory 1.0.2", "statutory-1.0.2", "checks that condition") for p in V102),
        *((p, "statutory 1.0.3", "statutory-1.0.3", "Version History tab names 1.0.3") for p in V103),
    ],
    ids=lambda v: (
        v.name.removeprefix("digital-ecology__metric_pulling__inst__extdata__") if isinstance(v, Path) else ""
    ),
)
def test_each_workbook_is_told_its_release(path: Path, label: str, rid: str, how: str) -> None:
    workbook = read_workbook(path)
    workbook.book.close()
    assert (workbook.release.id, workbook.release.label, workbook.release.engine_release) == (rid, label, rid)
    assert how in workbook.release.evidence
    assert workbook.site.metric_release == rid
    assert workbook.release.notes == ()


def _rename_sheets(renames: dict[str, str]) -> object:
    def edit(xml: bytes) -> bytes:
        for old, new in renames.items():
            xml = xml.replace(f'name="{old}"'.encode(), f'name="{new}"'.encode())
        return xml

    return edit


def test_a_credits_tab_is_1_0_4_and_its_credits_are_read(tmp_path: Path) -> None:
    """1.0.4 renamed the "Unit Shortfall" tabs "Credits": such a tab names the release, and is read."""
    renamed = edit_workbook(
        TEST_METRIC,
        tmp_path / "credits.xlsm",
        parts={
            "xl/workbook.xml": _rename_sheets(  # type: ignore[dict-item]
                {"Unit shortfall summary": "Credits summary", "Unit shortfall calculations": "Credits calculations"}
            )
        },
    )
    report = check_workbook(renamed)
    assert (report.release.label, report.result.metric_release) == ("statutory 1.0.4", "statutory-1.0.4")
    assert "1.0.4 renamed 'Unit Shortfall' to 'Credits'" in report.release.evidence
    assert report.consistent and report.compared == check_workbook(TEST_METRIC).compared
    assert not any("shortfall" in n.lower() or "credit" in n.lower() for n in report.not_compared)
    assert "calculated with the 1.0.3 formulas" in report.result.release_title


def test_a_release_later_than_any_known_is_named_and_recalculated_with_the_latest(tmp_path: Path) -> None:
    def later(xml: bytes) -> bytes:
        return xml.replace(b"Version 1.0.3", b"Version 1.0.7")

    path = edit_workbook(V103[2], tmp_path / "later.xlsx", parts={"xl/sharedStrings.xml": later})
    report = check_workbook(path)
    assert report.release.id == "statutory-later" and report.release.label == "statutory 1.0.7"
    assert report.result.metric_release == "statutory-1.0.4"
    assert any("1.0.7, later than any release bng knows" in n for n in report.release.notes)


def test_release_option_recalculates_with_another_release_and_says_so() -> None:
    own = check_workbook(V103[4])
    assert own.result.metric_release == "statutory-1.0.3" and own.consistent
    older = check_workbook(V103[4], release="statutory 1.0.0/1.0.1")
    assert older.result.metric_release == "statutory-2024"
    assert older.release.label == "statutory 1.0.3"  # what the workbook is stays named
    assert any("recalculated with statutory 1.0.0/1.0.1's reference data as asked" in n for n in older.release.notes)
    # C-3!AM6 has no IFERROR before 1.0.3: the watercourse enhancement total is an error there
    assert {d.cell for d in older.discrepancies} == {"AM258"}


def test_every_result_names_its_release_in_the_text_json_and_report(tmp_path: Path) -> None:
    text = runner.invoke(app, ["metric", "check", str(V103[2])])
    assert text.exit_code == 0, text.output
    assert "Recalculated with statutory 1.0.3 (metric release statutory-1.0.3)" in text.output
    assert "Headline, statutory 1.0.3" in text.output
    doc = json.loads(runner.invoke(app, ["metric", "check", "--json", str(V103[2])]).output)
    assert (doc["metric_release"], doc["metric_release_label"]) == ("statutory-1.0.3", "statutory 1.0.3")
    assert doc["workbook_release"]["label"] == "statutory 1.0.3"
    assert doc["result"]["metric_release"] == "statutory-1.0.3"
    html = tmp_path / "report.html"
    runner.invoke(app, ["metric", "check", "--report", str(html), str(V102[0])])
    assert "statutory 1.0.2" in html.read_text()


def test_an_unknown_release_option_is_refused_by_name() -> None:
    result = runner.invoke(app, ["metric", "check", "--release", "3.1", str(TEST_METRIC)])
    assert result.exit_code == 3
    assert re.search(
        r"unknown metric release '3\.1'; known releases: statutory-2024 \(statutory 1\.0\.0/1\.0\.1\)", result.output
    )
