"""Every workbook of ``../shared/spec/external-workbooks``, judged as its README says (issue 16).

The digital-ecology/metric_pulling files are real-site statutory metrics last saved by LibreOffice
7.3/7.5: every cached value is the workbook's own except the Off-site gain site summary, which
LibreOffice before 24.8 (no UNIQUE/FILTER) cached as listing no gain site. They must check
consistent, with that summary reported as not compared where the site has off-site rows. DEFRA's
files are uploads a service must refuse: exit status 3 with a message that says what the file is.
Nothing may end in a traceback.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bng.cli import app
from bng.workbook.check import EXIT_UNREADABLE
from tests.conftest import SHARED

EXTERNAL = SHARED / "spec" / "external-workbooks"
REAL = "digital-ecology__metric_pulling__inst__extdata__"
SVC = "DEFRA__biodiversity-net-gain-service__packages__"

# real-site metrics: (release, exit status, whether the gain-site summary cannot be compared)
METRICS: dict[str, tuple[str, int, bool]] = {
    f"{REAL}OnSiteBoth.xlsx": ("statutory 1.0.2", 0, False),
    f"{REAL}OnSiteCreation.xlsx": ("statutory 1.0.3", 1, False),
    f"{REAL}OnSiteHedgeEnhance.xlsx": ("statutory 1.0.3", 1, False),
    f"{REAL}OnSiteHedgeEnhance2.xlsx": ("statutory 1.0.3", 0, False),
    f"{REAL}OnSiteHedgeEnhance3.xlsx": ("statutory 1.0.3", 1, True),
    f"{REAL}OnSiteHedgeEnhanceMissing.xlsx": ("statutory 1.0.3", 1, False),
    f"{REAL}OnSiteTradingSummary.xlsx": ("statutory 1.0.2", 1, True),
}
# DEFRA's not-a-metric uploads: what the refusal must say the file is
REFUSED: dict[str, tuple[str, ...]] = {
    "DEFRA__biodiversity-net-gain-service-acceptance-tests__src__TestFiles__test_metric_3.0.xlsm": (
        "Biodiversity Metric 3.0/3.1 workbook",
        "pre-statutory",
    ),
    "DEFRA__biodiversity-net-gain-service-acceptance-tests__src__TestFiles__test_12kb.xlsm": (
        "a Word document (.docx)",
        "not an Excel workbook",
    ),
    "DEFRA__biodiversity-net-gain-service-acceptance-tests__src__TestFiles__test_empty_non_metric.xlsx": (
        "not a biodiversity metric workbook",
        "no 'Start' sheet (sheets: 'Sheet1')",
    ),
    f"{SVC}bng-metric-service__mock-data__metric-file__forbidden.xlsx": (
        "a Biodiversity Metric 4.0 workbook",
        "'Metric version: v4.0' (Start!D20)",
    ),
    f"{SVC}bng-metric-service__mock-data__metric-file__metric-file-empty.xlsx": (
        "a fragment of a metric workbook",
        "'D-1 Off-Site Habitat Baseline' but no 'Start' sheet",
    ),
    f"{SVC}bng-metric-service__src__mock-data__metric-file__macro-enabled-test.xlsm": (
        "not a biodiversity metric workbook",
        "no 'Start' sheet",
    ),
    f"{SVC}webapp__src__mock-data__uploads__metric-file__empty-metric-file.xlsx": (
        "not a zip package but a file of zero bytes only",
    ),
    f"{SVC}webapp__src__mock-data__uploads__metric-file__not-metric-file.xlsx": (
        "not a biodiversity metric workbook",
        "no 'Start' sheet",
    ),
    "DEFRA__bng-metric-journey-tests__test__example-files__bmd-818-minimal-metric-v4.xlsx": (
        "not the statutory metric calculation tool",
        "a 'Start' sheet and 3 sheets in all",
        "Start!D8 (above 'Project details'), is blank",
    ),
}
runner = CliRunner()


def _short(name: str) -> str:
    return name.removeprefix(REAL).removeprefix("DEFRA__").rsplit("__", 1)[-1]


def test_every_external_workbook_is_judged() -> None:
    files = {p.name for p in EXTERNAL.iterdir() if p.name != "README.md"}
    assert files == set(METRICS) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(METRICS), ids=_short)
def test_a_real_site_metric_is_consistent_with_its_own_cached_values(name: str) -> None:
    release, status, summary_skipped = METRICS[name]
    result = runner.invoke(app, ["metric", "check", "--json", str(EXTERNAL / name)])
    assert (result.exception is None or isinstance(result.exception, SystemExit)) and "Traceback" not in result.output
    doc = json.loads(result.output)
    assert doc["discrepancies"] == [], doc["discrepancies"]
    assert doc["consistent"] is True and doc["exit_code"] == status == result.exit_code
    assert doc["compliant"] is (status == 0)
    assert doc["workbook_release"]["label"] == doc["metric_release_label"] == release
    assert doc["cached_values_compared"] > 100
    skipped = [n for n in doc["not_compared"] if n.startswith("Off-site gain site summary")]
    assert bool(skipped) is summary_skipped
    if skipped:
        assert "LibreOffice/7." in skipped[0] and "UNIQUE" in skipped[0]
    others = [n for n in doc["not_compared"] if not n.startswith("Off-site gain site summary")]
    assert others == []


@pytest.mark.parametrize("name", sorted(REFUSED), ids=_short)
def test_a_defra_non_metric_is_refused_saying_what_it_is(name: str) -> None:
    for args in (["metric", "check", str(EXTERNAL / name)], ["metric", "check", "--json", str(EXTERNAL / name)]):
        result = runner.invoke(app, args)
        assert result.exit_code == EXIT_UNREADABLE, result.output
        assert (
            result.exception is None or isinstance(result.exception, SystemExit)
        ) and "Traceback" not in result.output
        for phrase in REFUSED[name]:
            assert phrase in result.output, result.output
