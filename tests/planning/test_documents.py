"""The applicant's documents from the application's data: Biodiversity Statement, draft and final gain plan,
HMMP skeleton, each as HTML, PDF (its text read back) and JSON; the gain plan's JSON is what monitoring
(issue 12) reads."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from bng.cli import app as cli
from bng.planning.tables import tables
from bng.submission.documents import case_from_submission, gain_plan, render
from bng.submission.samples import SetPaths

ON = date(2025, 6, 2)
runner = CliRunner()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_statement_answers_every_item(sets: dict[str, SetPaths]) -> None:
    case, notes = case_from_submission(sets["complete"].folder, today=ON)
    assert notes == []
    _ctx, html, pdf, data = render(case, "statement")
    text = pdf_text(pdf)
    for item in tables().statement_items:
        assert item.title.split(" (")[0][:60] in " ".join(text.split()), item.code
    assert "0.7457 habitat units" in text and "24/03964/FUL" in text
    assert "None: the metric records no irreplaceable habitat on site." in text
    assert [i["order"] for i in data["items"]] == list(range(1, 11))
    assert "<h1>Biodiversity Statement</h1>" in html


def test_gain_plan_follows_the_template_order_and_carries_the_plans(sets: dict[str, SetPaths]) -> None:
    case, _ = case_from_submission(sets["complete"].folder, today=ON)
    _ctx, _html, pdf, data = render(case, "gain-plan")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(pdf_text(pdf).split())
    body = text[text.rindex("1. Submission details") :]  # the sections, after the list of contents
    at = 0
    for h, words in zip(
        tables().gain_plan_contents,
        (
            "Submission details",
            "Pre-development biodiversity value",
            "Steps to minimise",
            "Irreplaceable habitat",
            "Post-development biodiversity value",
            "Registered off-site biodiversity gain",
            "Biodiversity credits purchased",
            "Significant on-site enhancements",
            "Habitat plans",
            "The statutory biodiversity metric",
        ),
        strict=True,
    ):
        at = body.index(f"{h.order}. {words}", at)  # each section after the one before: the template's order
    assert "Baseline habitat plan" in text and "Post-intervention habitat plan" in text
    landscape = [p for p in reader.pages if float(p.mediabox.width) > float(p.mediabox.height)]
    assert len(landscape) == 2  # one page per plan, at its own scale
    assert "Sch 7A para 13" in text and "DRAFT" not in text
    assert data["schema"] == "bng/gain-plan/1" and data["status"] == "final"
    assert data["objective"]["met"] is True
    assert data["metric"]["sha256"] and data["metric"]["file"] == "metric.xlsm"


def test_gain_plan_json_gives_monitoring_what_it_needs(sets: dict[str, SetPaths]) -> None:
    case, _ = case_from_submission(sets["complete"].folder, today=ON)
    data = gain_plan(case, "final").to_dict()
    keys = {p["key"] for p in data["significant_parcels"]}
    assert keys and all(k.count(":") == 2 for k in keys)
    for p in data["significant_parcels"]:
        assert p["significant"] is True and p["tier"].startswith("significant")
        assert {"habitat", "condition", "size", "unit", "units", "years_to_target", "delay_years"} <= set(p)
        assert p["distinctiveness"] != "V.Low"  # sealed surface is never a significant enhancement
    json.dumps(data)  # plain JSON


def test_draft_plan_and_hmmp(sets: dict[str, SetPaths]) -> None:
    case, _ = case_from_submission(sets["complete"].folder, today=ON)
    _c, _h, draft, _d = render(case, "draft-gain-plan")
    assert "DRAFT for validation" in pdf_text(draft)
    _c, _h, hmmp, data = render(case, "hmmp")
    text = " ".join(pdf_text(hmmp).split())
    for section in tables().hmmp_sections:
        assert section.title in text
    for p in data["significant_parcels"]:
        assert p["ref"] in text


def test_cli_writes_html_pdf_and_json(sets: dict[str, SetPaths], tmp_path: Path) -> None:
    result = runner.invoke(
        cli,
        [
            "planning",
            "documents",
            str(sets["complete"].folder),
            "-o",
            str(tmp_path),
            "--kind",
            "hmmp",
            "--on",
            ON.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hmmp.html", "hmmp.json", "hmmp.pdf"]
    assert (tmp_path / "hmmp.pdf").read_bytes().startswith(b"%PDF")


def test_cli_names_what_is_missing(sets: dict[str, SetPaths], tmp_path: Path) -> None:
    result = runner.invoke(cli, ["planning", "documents", str(sets["no-metric"].folder), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "no metric workbook" in result.output
