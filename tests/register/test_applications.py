"""Registration applications through the services, on SQLite and PostgreSQL + PostGIS."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bng.db import tables
from bng.register import samples
from bng.register.applications.sections import status
from bng.register.core.errors import Conflict, Invalid, NotFound, NotSignedIn
from bng.register.core.rules import add_months, add_years
from bng.register.core.submissions import Once
from bng.register.core.uploads import Upload
from tests.db.fixtures import Register
from tests.register.world import answer_all, uploads


def _counts(register: Register) -> dict[str, int]:
    with register.database.engine.connect() as conn:
        out = {
            t: int(conn.execute(select(func.count()).select_from(getattr(tables, t))).scalar_one())
            for t in ("stored_file", "audit_event", "application", "payment", "gain_site")
        }
    out["files_on_disk"] = sum(1 for p in Path(register.files).rglob("*") if p.is_file())
    return out


def _answers(register: Register, reference: str) -> dict:
    world = register.world
    assert world is not None
    return register.services.applications.view(world.actors["landowner"], reference).application.answers


def test_a_complete_application_is_submitted_with_the_fee_due(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["ready"]
    view = s.applications.submit(owner, ref)
    assert view.application.status == "submitted"
    [payment] = view.payments
    assert payment.amount_pence == 63_900 and payment.status == "due" and payment.reference.startswith("PAY-")
    assert [e.kind for e in view.events] == ["submitted"]
    with pytest.raises(Conflict, match="submitted and cannot be changed"):
        s.applications.save_section(owner, ref, "hmmp", {"hmmp_in_agreement": "yes"})


def test_a_signed_out_submission_with_a_token_is_told_to_sign_in(register: Register) -> None:
    # the token was claimed for the actor before the actor was checked: None had no user_id (a crash, not a 401)
    world, s = register.world, register.services
    assert world is not None
    with pytest.raises(NotSignedIn):
        s.applications.submit(None, world.applications["ready"], once=Once("signed-out-token-abcdefghij", "submit"))
    assert s.applications.view(world.actors["landowner"], world.applications["ready"]).application.status != "submitted"


def test_others_cannot_see_or_change_an_application(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    other, ref = world.actors["other_landowner"], world.applications["draft"]
    with pytest.raises(NotFound):
        s.applications.view(other, ref)
    with pytest.raises(NotFound):
        s.applications.save_section(other, ref, "hmmp", {"hmmp_in_agreement": "yes"})
    with pytest.raises(NotFound):
        s.applications.file(other, world.files["owner"])
    assert s.applications.file(world.actors["case_worker"], world.files["owner"])[1].startswith(b"%PDF")


def test_a_failed_save_keeps_the_uploaded_file_and_nothing_else(register: Register) -> None:
    """Issue 10, item 15: a wrong date no longer costs the applicant the file they chose. The file, sound
    in itself, is kept in the section as uploaded (and used by the next save); nothing else changes."""
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["draft"]
    before, answers = _counts(register), _answers(register, ref)
    agreement = {
        "agreement_type": "s106", "lpa_ids": [world.lpa_ids["Cambridge LPA"]], "agreement_date": date(2026, 10, 1),
        "works_completion_date": date(2027, 3, 31), "secured_until": date(2050, 1, 1),
    }  # fmt: skip
    with pytest.raises(Invalid) as err:
        s.applications.save_section(
            owner, ref, "legal-agreement", agreement, uploads(agreement_file=samples.pdf("agreement"))
        )
    assert [p.field for p in err.value.problems] == ["secured_until"]
    after = _counts(register)
    assert {k: after[k] - before[k] for k in after} == {
        "stored_file": 1, "files_on_disk": 1, "audit_event": 2, "application": 0, "payment": 0, "gain_site": 0,
    }  # fmt: skip
    now = _answers(register, ref)
    kept = now["legal-agreement"]["uploaded"]["agreement_file"]
    assert now["legal-agreement"] == {"uploaded": {"agreement_file": kept}}  # in progress, nothing else saved
    assert {k: v for k, v in now.items() if k != "legal-agreement"} == answers
    view = s.applications.save_section(owner, ref, "legal-agreement", agreement | {"secured_until": date(2057, 4, 1)})
    saved = view.application.answers["legal-agreement"]
    assert saved["completed"] and saved["agreement_file"] == kept and "uploaded" not in saved
    assert _counts(register)["stored_file"] == after["stored_file"]  # the kept file, not a second copy


def test_a_file_with_a_problem_of_its_own_is_not_kept(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["draft"]
    before, answers = _counts(register), _answers(register, ref)
    with pytest.raises(Invalid) as err:
        s.applications.save_section(
            owner, ref, "land-charge", {"certificate_date": date(2020, 1, 1)},
            {"land_charge_file": Upload("land_charge_file", "search.pdf", b"<html>not a PDF</html>")},
        )  # fmt: skip
    assert {p.field for p in err.value.problems} == {"certificate_date", "land_charge_file"}
    assert _counts(register) == before
    assert _answers(register, ref) == answers


def test_every_missing_answer_is_named(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["draft"]
    with pytest.raises(Invalid) as err:
        s.applications.save_section(owner, ref, "legal-agreement", {})
    fields = {p.field for p in err.value.problems}
    assert fields == {"agreement_type", "agreement_date", "works_completion_date", "secured_until", "agreement_file"}
    with pytest.raises(Invalid) as err:
        s.applications.save_section(owner, ref, "applicant", {"acting_as": "agent", "email": "not-an-email"})
    fields = {p.field for p in err.value.problems}
    assert fields == {"name", "phone", "email", "client_name", "authorisation_file"}


def test_save_for_later_keeps_partial_answers_in_progress(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["draft"]
    s.applications.save_for_later(owner, ref, "boundary", {"site_name": "Half done"})
    answers = _answers(register, ref)
    assert status(answers, "boundary") == "in_progress" and answers["boundary"]["site_name"] == "Half done"
    assert status(answers, "applicant") == "completed" and status(answers, "hmmp") == "not_started"


def test_submission_lists_every_incomplete_section(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    with pytest.raises(Invalid) as err:
        s.applications.submit(world.actors["landowner"], world.applications["draft"])
    assert [p.section for p in err.value.problems] == [
        "boundary", "habitats", "legal-agreement", "land-charge", "hmmp", "declarations",
    ]  # fmt: skip


def test_a_land_charge_certificate_that_aged_past_two_months_stops_submission(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    register.clock.now += timedelta(days=62)
    with pytest.raises(Invalid) as err:
        s.applications.submit(world.actors["landowner"], world.applications["ready"])
    [problem] = err.value.problems
    assert problem.field == "certificate_date" and "within 2 months" in problem.message


def _fresh(register: Register, **kwargs: object) -> str:
    world, s = register.world, register.services
    assert world is not None
    ref = s.applications.start(world.actors["landowner"]).reference
    answer_all(s, world.actors["landowner"], ref, lpa_id=world.lpa_ids["Cambridge LPA"], **kwargs)  # type: ignore[arg-type]
    return ref


def test_double_registration_under_the_same_agreement_is_refused(register: Register) -> None:
    """The registered site's land again (shifted 50 m), under an agreement of the same date and LPA."""
    world, s = register.world, register.services
    assert world is not None
    ref = _fresh(register, easting=545_050)
    with pytest.raises(Invalid) as err:
        s.applications.submit(world.actors["landowner"], ref)
    [problem] = err.value.problems
    assert problem.field == "boundary_file"
    assert f"overlaps registered gain site {world.site}" in problem.message and "double registration" in problem.message
    assert "by 3.0000 hectares" in problem.message


def test_overlap_under_another_agreement_is_a_warning_for_the_case_worker(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner = world.actors["landowner"]
    ref = _fresh(register, easting=545_050)
    today = register.clock().date()
    values = {
        "agreement_type": "conservation_covenant",
        "responsible_body_id": "1",
        "agreement_date": today - timedelta(days=3),
        "works_completion_date": add_months(today, 1),
        "secured_until": add_years(add_months(today, 1), 31),
    }
    s.applications.save_section(owner, ref, "legal-agreement", values, uploads(agreement_file=samples.pdf("covenant")))
    s.applications.submit(owner, ref)
    case = s.review.case(world.actors["case_worker"], ref)
    assert case.checks is not None and case.checks.ok
    [warning] = case.checks.warnings
    assert "under a different legal agreement" in warning.message


def test_metric_areas_must_agree_with_the_boundary(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner = world.actors["landowner"]
    ref = _fresh(register, easting=600_000, northing=300_000)
    s.applications.save_section(
        owner, ref, "habitats", {}, {"metric_file": Upload("metric_file", "m.json", samples.gain_site_metric("X", 5.0))}
    )
    with pytest.raises(Invalid) as err:
        s.applications.submit(owner, ref)
    [problem] = err.value.problems
    assert problem.section == "habitats" and "5.0000 hectares, more than the boundary's 4.0000" in problem.message


def test_a_boundary_outside_england_cannot_be_saved(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    data = samples.boundary_geojson(samples.square(300_000, 270_000, 4))
    with pytest.raises(Invalid) as err:
        s.applications.save_section(
            world.actors["landowner"], world.applications["draft"], "boundary", {"method": "map", "site_name": "Powys"},
            {"boundary_file": Upload("boundary_file", "b.geojson", data)},
        )  # fmt: skip
    assert "not in England" in err.value.problems[0].message


def test_the_document_route_takes_a_grid_reference_and_an_area(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["draft"]
    values = {"method": "document", "site_name": "Plan", "grid_reference": "TL 6000 5000", "area_ha": "2.5"}
    s.applications.save_section(owner, ref, "boundary", values, uploads(boundary_file=samples.pdf("plan")))
    b = _answers(register, ref)["boundary"]
    assert b["grid_reference"] == "TL 60005 50005" and b["area_ha"] == 2.5 and b["geometry_sha256"] == ""
    with pytest.raises(Invalid) as err:
        s.applications.save_section(owner, ref, "boundary", {**values, "grid_reference": "ZZ 1 2", "area_ha": "lots"})
    assert {p.field for p in err.value.problems} == {"area_ha", "grid_reference"}


def test_a_conservation_covenant_needs_a_designated_body(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["draft"]
    values = {
        "agreement_type": "conservation_covenant",
        "responsible_body_id": "9999",
        "agreement_date": date(2026, 10, 1),
        "works_completion_date": date(2027, 1, 1),
        "secured_until": date(2057, 1, 1),
    }
    with pytest.raises(Invalid) as err:
        s.applications.save_section(owner, ref, "legal-agreement", values, uploads(agreement_file=samples.pdf("c")))
    assert [p.field for p in err.value.problems] == ["responsible_body_id"]
    # a body designated after the agreement was signed
    late = next(b for b in s.register.responsible_bodies() if b.name == "West Yorkshire Combined Authority")
    with pytest.raises(Invalid) as err:
        late_values = {**values, "responsible_body_id": str(late.id), "agreement_date": date(2025, 1, 1)}
        s.applications.save_section(
            owner, ref, "legal-agreement", late_values, uploads(agreement_file=samples.pdf("c"))
        )
    [problem] = err.value.problems
    assert problem.field == "responsible_body_id" and "not a designated responsible body on the date" in problem.message


def test_resubmission_after_further_information(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["information_requested"]
    view = s.applications.view(owner, ref)
    assert view.application.information_request == "Please send the signed agreement"
    s.applications.save_section(owner, ref, "hmmp", {"hmmp_in_agreement": "no"}, uploads(hmmp_file=samples.pdf("HMMP")))
    view = s.applications.submit(owner, ref)
    assert [e.kind for e in view.events] == ["submitted", "information_requested", "resubmitted"]
    assert len(view.payments) == 1  # the fee is not charged twice
    assert ref in [a.reference for a in s.review.queue(world.actors["case_worker"])]
