"""``bng metric check`` and ``bng metric export`` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from bng.cli import app
from tests.workbook.helpers import COMBINED, D2_NAME, PRERELEASE, TEST_METRIC, VECTORS, cached_value, edit_workbook

runner = CliRunner()


def test_check_prints_the_table_and_exits_1_when_only_compliance_fails() -> None:
    result = runner.invoke(app, ["metric", "check", str(TEST_METRIC)])
    assert result.exit_code == 1, result.output
    assert "Consistent: yes: all" in result.output and "Compliant:  NO" in result.output
    assert "Recalculated with statutory 1.0.0/1.0.1 (metric release statutory-2024)" in result.output
    assert "E-2 Off-Site Hedge Creation row 12: Off-site reference required ▲" in result.output


def test_check_json_carries_both_verdicts_as_booleans() -> None:
    result = runner.invoke(app, ["metric", "check", "--json", str(COMBINED)])
    doc = json.loads(result.output)
    assert (doc["consistent"], doc["compliant"], doc["exit_code"]) == (True, False, 1)
    assert doc["metric_release"] == "statutory-2024" and doc["workbook_release"]["id"] == "statutory-2024"
    assert doc["discrepancies"] == [] and doc["cached_values_compared"] > 200
    failed = [c["code"] for c in doc["checks"] if c["blocking"] and not c["passed"]]
    assert failed == ["NO_ERROR_ROWS", "TARGET_WATERCOURSE"]


def test_check_exits_2_for_an_inconsistent_workbook_and_names_the_cell(tmp_path: Path) -> None:
    edited = edit_workbook(TEST_METRIC, tmp_path / "e.xlsm", sheets={D2_NAME: cached_value("AB13")})
    result = runner.invoke(app, ["metric", "check", "--json", str(edited)])
    assert result.exit_code == 2
    doc = json.loads(result.output)
    assert doc["consistent"] is False
    assert [(d["sheet"], d["cell"], d["row"], d["column"]) for d in doc["discrepancies"]] == [
        (D2_NAME, "AB13", 13, "AB")
    ]


def test_check_exits_3_and_names_a_refused_workbook_even_with_json() -> None:
    result = runner.invoke(app, ["metric", "check", "--json", str(PRERELEASE)])
    assert result.exit_code == 3
    doc = json.loads(result.output.split("\nerror:")[0])
    assert doc["consistent"] is None and doc["error"]["code"] == "UNSUPPORTED_RELEASE"
    assert "November 2023 pre-release" in doc["error"]["message"]


def test_check_writes_html_and_pdf_reports(tmp_path: Path) -> None:
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    assert runner.invoke(app, ["metric", "check", "--report", str(html), str(COMBINED)]).exit_code == 1
    text = html.read_text()
    assert "statutory-2024" in text and "Split retained and enhanced into separate entries ▲" in text
    assert runner.invoke(app, ["metric", "check", "--report", str(pdf), str(COMBINED)]).exit_code == 1
    assert pdf.read_bytes().startswith(b"%PDF")


def test_export_writes_a_workbook_that_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "site.xlsm"
    result = runner.invoke(app, ["metric", "export", str(VECTORS / "pub-38-target-20.site.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "metric release statutory-2024" in result.output
    check = runner.invoke(app, ["metric", "check", "--json", str(out)])
    doc = json.loads(check.output)
    assert doc["discrepancies"][0]["code"] == "NOT_CALCULATED"  # nobody has opened it in Excel yet
    assert doc["result"]["modules"]["area"]["target_percent"] == 20.0


def test_export_exits_1_listing_input_problems_it_still_writes(tmp_path: Path) -> None:
    out = tmp_path / "site.xlsm"
    result = runner.invoke(app, ["metric", "export", str(VECTORS / "pub-01-small.site.json"), "-o", str(out)])
    assert result.exit_code == 1 and out.exists()
    assert "retained plus enhanced is longer than the watercourse" in result.output


def test_export_refuses_rows_it_cannot_place(tmp_path: Path) -> None:
    site = json.loads((VECTORS / "pub-02-small.site.json").read_text())
    site["on_site"]["area"]["baseline"][0]["habitat"] = "Grassland - Lawn of the future"
    path = tmp_path / "bad.site.json"
    path.write_text(json.dumps(site))
    out = tmp_path / "site.xlsm"
    result = runner.invoke(app, ["metric", "export", str(path), "-o", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert "1 of" in result.output and "unknown area habitat" in result.output


def test_export_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "site.json"
    shutil.copy(TEST_METRIC, path)
    result = runner.invoke(app, ["metric", "export", str(path), "-o", str(tmp_path / "o.xlsm")])
    assert result.exit_code == 2 and "not a UTF-8 text file" in result.output
