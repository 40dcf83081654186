"""What real-site workbooks showed ``bng metric check`` doing wrong (issue 16), one test per defect.

Each test is built from a real workbook of ``../shared/spec/external-workbooks`` (LibreOffice-saved
real-site metrics from digital-ecology/metric_pulling, whose cached values are the workbook's own
except the Off-site gain site summary) or from DEFRA's completed test workbook.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bng.cli import app
from bng.workbook.check import check_workbook
from bng.workbook.errors import LayoutError, UnsupportedReleaseError
from bng.workbook.reader import read_workbook
from bng.workbook.template import template_path
from tests.conftest import SHARED
from tests.workbook.helpers import TEST_METRIC, cached_value, edit_workbook, set_value

EXTERNAL = SHARED / "spec" / "external-workbooks"
REAL = "digital-ecology__metric_pulling__inst__extdata__"
BOTH = EXTERNAL / f"{REAL}OnSiteBoth.xlsx"
HEDGE_ENHANCE = EXTERNAL / f"{REAL}OnSiteHedgeEnhance.xlsx"
HEDGE_MISSING = EXTERNAL / f"{REAL}OnSiteHedgeEnhanceMissing.xlsx"
MINIMAL_V4 = EXTERNAL / "DEFRA__bng-metric-journey-tests__test__example-files__bmd-818-minimal-metric-v4.xlsx"
FORBIDDEN = (
    EXTERNAL
    / "DEFRA__biodiversity-net-gain-service__packages__bng-metric-service__mock-data__metric-file__forbidden.xlsx"
)
A3 = "A-3 On-Site Habitat Enhancement"
C3 = "C-3 On-Site WaterC' Enhancement"
HEADLINE = "Headline Results"


def test_1_an_area_habitat_is_identified_by_its_type_as_the_workbook_does() -> None:
    """A-3!Q12 keeps the baseline's broad habitat "Cropland" beside the type "Other neutral grassland".

    The workbook finds the habitat by the type alone (INDEX(G-1!B, MATCH(type, G-1!A))) and computes
    6.2016936452 units; bng refused the row ("not an area habitat") and lost them (Headline H12 52.73).
    """
    report = check_workbook(HEDGE_ENHANCE)
    assert report.consistent, "\n".join(str(d) for d in report.discrepancies)
    row = next(r for r in report.result.rows if r.stage == "enhancement" and r.module == "area")
    assert row.units == pytest.approx(6.2016936452, rel=1e-9)
    assert report.result.modules["area"].on_site.post_intervention_units == pytest.approx(58.9330732684431, rel=1e-12)
    workbook = read_workbook(HEDGE_ENHANCE)
    workbook.book.close()
    (warning,) = [i for i in workbook.issues if i.code == "BROAD_HABITAT_MISMATCH"]
    assert (warning.sheet, warning.cell, warning.severity) == (A3, "Q12", "warning")
    assert "'Cropland'" in warning.message and "Grassland - Other neutral grassland" in warning.message
    errors = next(c for c in report.checks if c.code == "NO_ERROR_ROWS")
    assert not any("Q12" in d for d in errors.details)  # a warning, not an error
    advisory = next(c for c in report.checks if c.code == "INPUT_WARNINGS")
    assert not advisory.blocking and not advisory.passed and "Q12" in advisory.details[0]


def test_2_watercourse_enhancement_rows_pair_with_baseline_rows_that_have_a_type() -> None:
    """C-1 row 10 has a type and an enhanced length but no length: the workbook still lists it (C-1!AK)."""
    workbook = read_workbook(HEDGE_MISSING)
    workbook.book.close()
    lines = {s.row: s.baseline_line for s in workbook.sources if s.sheet == C3}
    assert lines == {12: "1", 13: "2"}
    assert check_workbook(HEDGE_MISSING).consistent


def test_3_a_percentage_discrepancy_is_compared_and_shown_in_the_workbook_scale(tmp_path: Path) -> None:
    edited = edit_workbook(BOTH, tmp_path / "j16.xlsx", sheets={HEADLINE: cached_value("J16")})
    report = check_workbook(edited)
    (d,) = [d for d in report.discrepancies if d.cell == "J16"]
    ours = report.result.modules["area"].on_site.net_change_percent
    assert ours is not None and float(d.ours) == pytest.approx(ours / 100, rel=1e-15)
    assert 0 < float(d.ours) < 1 and 0 < float(d.cached) < 2  # both fractions, as the cell holds them


def test_4_a_stray_off_site_row_is_named_with_what_it_lacks(tmp_path: Path) -> None:
    """The completed off-site workbook with its inputs cleared (the shipped template) and one E-2 row
    holding only a gain site and 0/0 years: DEFRA's register refuses the file ("does not have enough
    data"), so the check blocks, and it names the row."""
    e2 = "E-2 Off-Site Hedge Creation"
    edits = {e2: lambda xml: set_value("AD12", "GS-1")(set_value("P12", 0.0)(set_value("Q12", 0.0)(xml)))}
    edited = edit_workbook(template_path(), tmp_path / "stray.xlsm", sheets=edits)
    report = check_workbook(edited)
    check = next(c for c in report.checks if c.code == "DEFRA_OFFSITE_DATA")
    assert check.blocking and not check.passed and not report.compliant
    said = "\n".join(check.details)
    assert "E-2 Off-Site Hedge Creation row 12 has the off-site reference 'GS-1', advance/delay 0/0 years" in said
    assert "no habitat type, size, condition, strategic significance or spatial risk category" in said
    assert "Headline Results H20:H22" in said and "does not have enough data" in said


def test_5_refusals_say_what_the_file_is_and_what_it_lacks(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedReleaseError) as err:
        read_workbook(MINIMAL_V4)
    said = str(err.value)
    assert "not the statutory metric calculation tool" in said and "3 sheets in all" in said
    assert "'Headline Results'" in said and "pre-statutory" not in said
    with pytest.raises(UnsupportedReleaseError, match=r"Biodiversity Metric 4\.0 .*'Metric version: v4\.0'"):
        read_workbook(FORBIDDEN)

    def drop(xml: bytes) -> bytes:
        return re.sub(rb'<sheet name="Headline Results"[^>]*/>', b"", xml)

    no_headline = edit_workbook(TEST_METRIC, tmp_path / "no-headline.xlsm", parts={"xl/workbook.xml": drop})
    with pytest.raises(LayoutError) as err2:
        read_workbook(no_headline)
    assert "without the result sheet 'Headline Results'" in str(err2.value)
    assert "input sheet" not in str(err2.value).split("(deleted")[0]


def test_6_the_workbook_s_own_target_and_a_local_target_each_get_a_verdict(tmp_path: Path) -> None:
    """OnSiteBoth with Start!F22 set to 20 %: hedgerows gain 10.24 %, enough for the law, not for 20 %."""
    edited = edit_workbook(BOTH, tmp_path / "twenty.xlsx", sheets={"Start": set_value("F22", 0.2)})
    report = check_workbook(edited, target_percent=15.0)
    verdict = {c.code: c.passed for c in report.checks}
    assert verdict["TARGET_HEDGEROW"] is True  # the statutory 10 %
    assert verdict["WORKBOOK_TARGET_HEDGEROW"] is False  # the workbook's own 20 %
    assert verdict["LOCAL_TARGET_HEDGEROW"] is False  # the local 15 %
    assert verdict["TARGET_AREA"] and verdict["WORKBOOK_TARGET_AREA"] and verdict["LOCAL_TARGET_AREA"]
    assert [(t.kind, t.percent) for t in report.targets] == [("statutory", 10.0), ("workbook", 20.0), ("local", 15.0)]
    assert not report.compliant
    doc = report.to_dict()
    assert [t["met"]["hedgerow"] for t in doc["targets"]] == [True, False, False]


@pytest.mark.slow
def test_7_a_workbook_saved_without_its_values_is_not_compliant(tmp_path: Path) -> None:
    """openpyxl keeps the formulas and drops every cached value: DEFRA's upload cannot read the file."""
    openpyxl = pytest.importorskip("openpyxl")
    assert check_workbook(BOTH).compliant
    resaved = tmp_path / "resaved.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        openpyxl.load_workbook(BOTH).save(resaved)
    report = check_workbook(resaved)
    assert [d.code for d in report.discrepancies] == ["NOT_CALCULATED"]
    assert not report.compliant
    check = next(c for c in report.checks if c.code == "DEFRA_CALCULATED")
    assert check.blocking and not check.passed and "open and save it in Excel" in check.details[0]
    result = CliRunner().invoke(app, ["metric", "check", "--json", str(resaved)])
    assert result.exit_code == 2 and '"compliant": false' in result.output


def test_8_years_pasted_past_the_drop_down_are_computed_with_and_flagged(tmp_path: Path) -> None:
    """A-2!P11 advance 31 years: the list stops at 30, but the workbook computes a final time of 0."""
    edited = edit_workbook(
        BOTH, tmp_path / "pasted.xlsx", sheets={"A-2 On-Site Habitat Creation": set_value("P11", 31.0)}
    )
    workbook = read_workbook(edited)  # refused before: "expected whole years from 0 to 30"
    workbook.book.close()
    (issue,) = [i for i in workbook.issues if i.code == "YEARS_OUTSIDE_LIST"]
    assert (issue.cell, issue.field, issue.severity) == ("P11", "advance", "error")
    row = workbook.site.on_site.area.creation[0]
    assert row.advance_years == 31.0
    report = check_workbook(edited)
    errors = next(c for c in report.checks if c.code == "NO_ERROR_ROWS")
    assert any("cell P11 (advance)" in d for d in errors.details) and not report.compliant
    first = next(r for r in report.result.rows if r.stage == "creation" and r.module == "area")
    # final time 0 → temporal multiplier 1: the units are area × distinctiveness × condition × SS × difficulty
    assert first.units == pytest.approx(0.14 * 2.0 * 2.0 * 1.0 * 1.0, rel=1e-12)
