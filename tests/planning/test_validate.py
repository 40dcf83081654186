"""`bng planning validate` on application sets built from the five real sites: one complete, one with
each kind of defect, each defect a named problem (file, sheet, row or parcel, and what is expected),
never a traceback; the register's own records decide allocations and proofs of purchase.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from bng.cli import app as cli
from bng.register import samples
from bng.register.allocations.service import Development, Request
from bng.register.core.uploads import Upload
from bng.register.planning.records import RegisterRecords
from bng.submission.check import ValidationReport, validate_submission
from bng.submission.errors import BundleError
from bng.submission.samples import SetPaths
from tests.db.fixtures import Register

from .sets import MISSING_ALLOCATION, copy_set

ON = date(2025, 3, 10)
runner = CliRunner()


def check(path: Path, **kwargs: Any) -> ValidationReport:
    return validate_submission(path, today=ON, **kwargs)


def blocking(report: ValidationReport) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for p in report.problems:
        if p.severity == "blocking":
            out.setdefault(p.code, []).append(p)
    return out


def test_the_complete_application_is_valid(sets: dict[str, SetPaths]) -> None:
    report = check(sets["complete"].folder)
    assert report.valid, report.verdict.text() + "\n" + "\n".join(map(str, report.problems))
    assert {r.status for r in report.items} <= {"met", "not applicable"}
    assert report.reconciliation is not None and report.reconciliation.agrees
    assert report.metric is not None and report.metric.result.metric_release == "statutory-2024"
    assert [d.type for d in report.documents].count("metric") == 1
    assert len([d for d in report.documents if d.name.endswith(".pdf")]) == 5
    assert report.lpa.code == "cambridge"  # from the application's LPA
    assert report.letter[0].startswith("Dear") and "It is complete" in report.letter[2]


def test_a_zip_of_the_set_validates_as_the_folder_does(sets: dict[str, SetPaths], tmp_path: Path) -> None:
    archive = shutil.make_archive(str(tmp_path / "submission"), "zip", sets["complete"].folder.parent, "complete")
    report = check(Path(archive))
    assert report.valid and report.reconciliation is not None and report.reconciliation.agrees


def test_no_metric_is_named(sets: dict[str, SetPaths]) -> None:
    report = check(sets["no-metric"].folder)
    assert not report.valid
    (p,) = blocking(report)["NO_METRIC"]
    assert p.item == "PRE_DEVELOPMENT_VALUE" and "no statutory biodiversity metric workbook" in p.message
    assert "completed statutory biodiversity metric" in p.expected
    assert any(r.item.code == "PRE_DEVELOPMENT_VALUE" and r.status == "not met" for r in report.items)


def test_a_metric_for_another_site_is_named(sets: dict[str, SetPaths]) -> None:
    report = check(sets["other-site"].folder)
    assert not report.valid
    (p,) = blocking(report)["METRIC_OTHER_SITE"]
    assert p.where == "metric.xlsm sheet 'Start'"
    assert "'24/00723/FU4', not '24/00625/FULL'" in p.message
    assert blocking(report).keys() & {"MAP_METRIC_DIFFER", "ONLY_ON_MAP", "ONLY_IN_METRIC"}


def test_maps_that_do_not_match_the_metric_are_named_parcel_by_parcel(sets: dict[str, SetPaths]) -> None:
    report = check(sets["maps-differ"].folder)
    assert not report.valid
    differ = blocking(report)["MAP_METRIC_DIFFER"]
    fields = {p.message.split(" is ")[0] for p in differ}
    assert {"habitat", "size"} <= fields
    habitat = next(p for p in differ if p.message.startswith("habitat"))
    assert "parcel" in habitat.where and "Grassland - Other neutral grassland" in habitat.message
    assert all(p.item == "HABITAT_PLAN" for p in differ)


def test_without_a_register_nothing_is_taken_on_trust(sets: dict[str, SetPaths]) -> None:
    report = check(sets["allocations"].folder)
    (c,) = report.register
    assert c.reference == MISSING_ALLOCATION and c.found is None and "not verified" in c.detail
    assert any(p.code == "REGISTER_UNAVAILABLE" for p in report.problems)


def test_missing_facts_and_documents_are_named(sets: dict[str, SetPaths], tmp_path: Path) -> None:
    folder = copy_set(sets["complete"], tmp_path / "set")
    facts = json.loads((folder / "application.json").read_text())
    facts.pop("degradation_after_2020")
    facts["pre_development_date"] = "2024-11-01"  # earlier than the application, no reason
    facts["documents"].append({"file": "survey.pdf", "type": "other"})
    facts["exemptions_claimed"] = ["de-minimis"]
    (folder / "application.json").write_text(json.dumps(facts))
    found = blocking(check(folder))
    assert found["DEGRADATION_NOT_STATED"][0].item == "DEGRADATION"
    assert found["EARLIER_DATE_NO_REASON"][0].where == "application.json earlier_date_reason"
    assert "'survey.pdf' is listed but not in the submission" in found["DOCUMENT_MISSING"][0].message
    assert "'de-minimis' exemption" in found["CLAIM_NOT_SUPPORTED"][0].message


def test_a_local_list_adds_its_items(sets: dict[str, SetPaths]) -> None:
    report = check(sets["complete"].folder, lpa="worcestershire")
    local = {r.item.code: r for r in report.items if r.item.list == "worcestershire"}
    assert local["DRAFT_HMMP"].status == "met" and local["CONDITION_SHEETS"].status == "not met"
    assert not report.valid
    assert "condition assessment" in local["CONDITION_SHEETS"].problems[0].message


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("traversal", "outside the submission"),
        ("bomb", "zip bomb"),
        ("not-zip", "not a readable .zip"),
    ],
)
def test_bad_archives_are_refused_with_a_reason(tmp_path: Path, bad: str, message: str) -> None:
    path = tmp_path / f"{bad}.zip"
    if bad == "traversal":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("../../etc/evil.txt", "x")
    elif bad == "bomb":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("zeros.bin", b"\0" * (64 * 1024 * 1024))
    else:
        path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(BundleError, match=message):
        check(path)
    result = runner.invoke(cli, ["planning", "validate", str(path)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_unreadable_files_inside_a_submission_are_problems_not_tracebacks(tmp_path: Path) -> None:
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / "metric.xlsx").write_bytes(b"this is not a workbook")
    (folder / "baseline.gpkg").write_bytes(b"nor a map")
    (folder / "application.json").write_text("{not json")
    report = check(folder)
    codes = {p.code for p in report.problems}
    assert {"APPLICATION_NOT_JSON", "MAP_INVALID"} <= codes
    assert codes & {"UNSAFE_FILE", "WORKBOOK_ERROR", "METRIC_UNREADABLE"}  # the workbook reader's own codes
    assert not report.valid


def test_cli_validates_and_writes_the_pdf(sets: dict[str, SetPaths], tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    result = runner.invoke(cli, ["planning", "validate", str(sets["complete"].folder), "--report", str(pdf)])
    assert result.exit_code == 0, result.output
    assert "VALID: every item" in result.output and "Letter to the applicant" in result.output
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    for words in ("validation report", "24/03964/FUL", "VALID", "Letter to the applicant", "Mill Road Depot"):
        assert words in text, words


@pytest.mark.parametrize(
    ("name", "code"),
    [("no-metric", "NO_METRIC"), ("other-site", "METRIC_OTHER_SITE"), ("maps-differ", "MAP_METRIC_DIFFER")],
)
def test_cli_json_names_each_defect(sets: dict[str, SetPaths], name: str, code: str) -> None:
    result = runner.invoke(cli, ["planning", "validate", str(sets[name].folder), "--json", "--on", ON.isoformat()])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["valid"] is False and code in {p["code"] for p in doc["problems"]}
    assert any(code in line or "metric" in line.lower() for line in doc["letter"])


def test_cli_refuses_an_unknown_lpa(sets: dict[str, SetPaths]) -> None:
    result = runner.invoke(cli, ["planning", "validate", str(sets["complete"].folder), "--lpa", "Atlantis"])
    assert result.exit_code == 2 and "no such LPA profile" in result.output


# -- against the register's own records ------------------------------------------------------------------


def _allocate(register: Register, reference: str, lpa: str) -> str:
    assert register.world is not None
    services = register.services
    view = services.register.site(register.world.site)
    parcel = next(p for p in view.parcels if p.stage == "creation" and p.module == "area")
    lpas = {x.name: x.id for x in services.register.lpas()}
    allocation = services.allocations.allocate(
        register.world.actors["developer"],
        register.world.site,
        Development(lpas[lpa], reference, "Hylton Park", "NZ 36000 57000"),
        [Request(parcel.id, Decimal("0.5"))],
        consent=Upload("consent_file", "consent.pdf", samples.pdf("Consent of the landowner")),
    )
    return allocation.reference


def test_allocations_against_the_register(register: Register, sets: dict[str, SetPaths], tmp_path: Path) -> None:
    mine = _allocate(register, "24/00723/FU4", "Sunderland LPA")
    theirs = _allocate(register, "24/09999/FUL", "Sunderland LPA")
    folder = copy_set(sets["allocations"], tmp_path / "set")
    facts = json.loads((folder / "application.json").read_text())
    facts["allocations"] = [MISSING_ALLOCATION, mine, theirs, mine]
    (folder / "application.json").write_text(json.dumps(facts))
    report = check(folder, records=RegisterRecords(register.database))
    found = blocking(report)
    (missing,) = found["ALLOCATION_NOT_ON_REGISTER"]
    assert missing.where == f"application.json allocations {MISSING_ALLOCATION!r}"
    (other,) = found["ALLOCATION_OTHER_DEVELOPMENT"]
    assert theirs in other.where and "'24/09999/FUL'" in other.message
    assert found["ALLOCATION_TWICE"][0].where.endswith(repr(mine))
    confirmed = [c for c in report.register if c.found]
    assert [c.reference for c in confirmed] == [mine] and confirmed[0].units.get("area", 0) > 0
    assert not report.valid


def test_a_proof_of_purchase_for_another_development(
    register: Register, sets: dict[str, SetPaths], tmp_path: Path
) -> None:
    assert register.world is not None
    worker = register.world.actors["case_worker"]
    _stored, proof = register.services.credits.fulfilment.proof(worker, register.world.credit_orders["sent"])
    folder = copy_set(sets["complete"], tmp_path / "set")
    (folder / "proof-of-purchase.pdf").write_bytes(proof)
    (folder / "edited-proof-of-purchase.pdf").write_bytes(proof + b"\n%edited after issue\n")
    report = check(folder, records=RegisterRecords(register.database))
    found = blocking(report)
    (p,) = found["PROOF_OTHER_DEVELOPMENT"]
    assert p.where == "proof-of-purchase.pdf" and "'24/01234/FUL'" in p.message and "not '24/03964/FUL'" in p.message
    (edited,) = found["PROOF_NOT_ISSUED"]
    assert edited.where == "edited-proof-of-purchase.pdf"
    assert not report.valid


def test_cli_asks_the_configured_register(
    register: Register, sets: dict[str, SetPaths], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", register.url)
    result = runner.invoke(cli, ["planning", "validate", str(sets["allocations"].folder), "--json"])
    doc = json.loads(result.output)
    assert doc["register_available"] is True
    assert "ALLOCATION_NOT_ON_REGISTER" in {p["code"] for p in doc["problems"]}
    assert result.exit_code == 1


def test_applicability_measures_the_habitat_impacted_from_the_metric_or_the_maps(sets: dict[str, SetPaths]) -> None:
    with_metric = runner.invoke(cli, ["planning", "applicability", str(sets["complete"].application), "--json"])
    doc = json.loads(with_metric.output)
    assert doc["measured_from"] == "metric.xlsm" and doc["impact"]["source"] == "metric"
    assert round(doc["impact"]["area_m2"], 2) == 1544.78 and doc["condition_applies"] is True
    assert doc["mhclg"]["bng"]["bng-details"]["pre-development-biodiversity-value"] > 0
    from_maps = runner.invoke(cli, ["planning", "applicability", str(sets["no-metric"].application)])
    assert "measured from the maps baseline.gpkg and post-intervention.gpkg" in from_maps.output
    assert from_maps.exit_code == 0
