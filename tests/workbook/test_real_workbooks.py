"""Every workbook of ../shared/spec/metric-files: the statutory ones read and check, the others are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bng.workbook.check import check_workbook
from bng.workbook.errors import UnsupportedReleaseError
from bng.workbook.reader import read_workbook
from tests.workbook.helpers import (
    COMBINED,
    COMPLETED,
    METRIC_3,
    METRIC_FILES,
    PRERELEASE,
    TEST_METRIC,
    TEST_METRIC_XLSX,
    normalised,
)


def test_every_metric_file_is_covered() -> None:
    known = {*COMPLETED, *METRIC_3, PRERELEASE}
    assert set(METRIC_FILES.iterdir()) == known


@pytest.mark.parametrize("path", COMPLETED, ids=lambda p: p.name)
def test_completed_statutory_workbook_is_consistent_with_its_cached_values(path: Path) -> None:
    report = check_workbook(path)
    assert report.release.id == "statutory-2024" and report.release.label == "statutory 1.0.0/1.0.1"
    assert report.result.metric_release == "statutory-2024"
    assert report.not_compared == ()
    assert report.compared > 200  # every row, headline, trading, credit and gain-site figure
    assert report.discrepancies == (), "\n".join(str(d) for d in report.discrepancies)
    assert report.consistent


@pytest.mark.parametrize("path", COMPLETED, ids=lambda p: p.name)
def test_every_input_row_is_read_with_where_it_came_from(path: Path) -> None:
    workbook = read_workbook(path)
    workbook.book.close()
    site = workbook.site
    n = site.on_site.row_count() + site.off_site.row_count()
    assert n == len(workbook.sources) == 31
    assert [len(getattr(site.off_site.area, s)) for s in ("baseline", "creation", "enhancement")] == [12, 6, 7]
    assert {s.key for s in workbook.sources} == {"D-1", "D-2", "D-3", "E-1", "E-2", "E-3", "F-1", "F-2", "F-3"}
    d3 = [s for s in workbook.sources if s.key == "D-3"]
    assert [s.row for s in d3] == list(range(12, 19))
    assert workbook.issues == ()


def test_macro_free_copy_reads_the_same_site() -> None:
    a, b = read_workbook(TEST_METRIC), read_workbook(TEST_METRIC_XLSX)
    a.book.close()
    b.book.close()
    assert normalised(a.site) == normalised(b.site)


def test_hedgerow_creation_row_without_off_site_reference_still_counts_with_srm() -> None:
    """test_metric's E-2 row 12 has a spatial risk category but no off-site reference.

    The workbook shows "Off-site reference required ▲" as its units (E-2!Z12) but its units
    with SRM (E-2!Y12) still count in the off-site post-intervention units with SRM
    (Headline L25), so the "SRM deduction" (H42) is negative. We reproduce all three.
    """
    report = check_workbook(TEST_METRIC)
    workbook = read_workbook(TEST_METRIC)
    workbook.book.close()
    (row,) = workbook.site.off_site.hedgerow.creation
    assert row.gain_site == "" and row.spatial_risk == "This metric is being used by an off-site provider"
    (source,) = [s for s in workbook.sources if s.key == "E-2"]
    assert source.cached["units"] == "Off-site reference required ▲"
    result_row = next(r for r in report.result.rows if r.module == "hedgerow" and r.stage == "creation")
    assert result_row.units is None and result_row.messages[0] == "Off-site reference required ▲"
    assert result_row.units_srm == source.cached["units_srm"]
    hedge = report.result.modules["hedgerow"].off_site
    assert hedge.post_intervention_units_srm == pytest.approx(
        hedge.post_intervention_units + source.cached["units_srm"], rel=1e-12
    )
    assert hedge.srm_deduction_units is not None and hedge.srm_deduction_units < 0
    assert report.consistent  # the cached H42/L25 equal these


def test_combined_case_workbook_reproduces_its_error_texts() -> None:
    report = check_workbook(COMBINED)
    water = report.result.modules["watercourse"]
    assert water.off_site.post_intervention_units is None  # "Check Data ⚠" (H26)
    assert water.unit_deficit is None  # "Error ▲" (H63)
    assert report.consistent
    assert not report.compliant
    failed = {c.code for c in report.checks if not c.passed and c.blocking}
    assert failed == {"NO_ERROR_ROWS", "TARGET_WATERCOURSE"}


@pytest.mark.parametrize("path", METRIC_3, ids=lambda p: p.name)
def test_metric_3_workbooks_are_refused_by_name(path: Path) -> None:
    with pytest.raises(UnsupportedReleaseError, match=r"Biodiversity Metric 3\.0/3\.1") as err:
        read_workbook(path)
    assert "pre-statutory" in str(err.value)
    assert str(path) in str(err.value)


def test_november_2023_prerelease_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedReleaseError, match="November 2023 pre-release") as err:
        read_workbook(PRERELEASE)
    assert "no 'Headline Results' sheet" in str(err.value)
