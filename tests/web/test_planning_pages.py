"""The planning workspace's pages: applicability for anyone; the applicant submits a gain plan; the LPA's
officer validates, records findings and decides; the decision on the public register; PDFs read back."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from bng.register.accounts.service import NewAccount, actor_of
from tests.db.fixtures import Register
from tests.register.world import PASSWORD
from tests.web.fixtures import CheckedClient
from tests.web.planning import REFERENCE, refused, submission_zip, submit


def pdf_text(data: bytes) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_applicability_for_anyone(client: CheckedClient) -> None:
    page = client.get("/planning/applicability")
    assert page.status_code == 200 and "Does the biodiversity gain condition apply?" in page.get_data(as_text=True)
    answer = client.form(
        "/planning/applicability",
        {
            "application_type": "householder",
            "application_date-day": "3",
            "application_date-month": "3",
            "application_date-year": "2025",
        },
        page="/planning/applicability",
    )
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "The condition does not apply" in text and "Householder application" in text
    assert "bng-exempt" in text  # the MHCLG module
    minor = client.form(
        "/planning/applicability",
        {
            "application_type": "full",
            "application_date-day": "1",
            "application_date-month": "4",
            "application_date-year": "2024",
            "residential": "yes",
            "dwellings": "9",
            "site_area_ha": "0.4",
            "floorspace_m2": "900",
        },
        page="/planning/applicability",
    )
    assert "Temporary exemption for small developments" in minor.get_data(as_text=True)
    bad = client.form(
        "/planning/applicability", {"application_type": "full", "dwellings": "nine"}, page="/planning/applicability"
    )
    assert bad.status_code == 400 and "Enter the number of dwellings as a whole number" in bad.get_data(as_text=True)


def test_applicant_submits_once_however_often_they_post(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("developer")
    data = {
        "lpa_id": str(world.lpa_ids["Cambridge LPA"]),
        "planning_reference": REFERENCE,
        "development_name": "Riverside Farm, 12 homes",
        "phase": "",
    }
    first = None
    same = submission_zip()  # the same file posted again and again
    for _ in range(3):
        zipped = (io.BytesIO(same), "gain-plan.zip")
        response = client.form(
            "/planning/gain-plans/new",
            {**data, "submission_file": zipped},
            page="/planning/gain-plans/new",
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
        first = first or response.headers["Location"]
        assert response.headers["Location"] == first
    assert len(register.services.planning.mine(world.actors["developer"])) == 1
    page = client.get(first).get_data(as_text=True)
    assert REFERENCE in page and "The check on receipt" in page and "Items checked" in page


def test_submission_problems_are_named(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("developer")
    response = client.form(
        "/planning/gain-plans/new",
        {
            "lpa_id": str(world.lpa_ids["Cambridge LPA"]),
            "planning_reference": "26/09999/FUL",
            "development_name": "Elsewhere",
            "phase": "",
            "submission_file": (io.BytesIO(submission_zip()), "gain-plan.zip"),
        },
        page="/planning/gain-plans/new",
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "are for planning application &#39;26/04444/FUL&#39;" in text
    empty = client.form("/planning/gain-plans/new", {"phase": ""}, page="/planning/gain-plans/new")
    text = empty.get_data(as_text=True)
    assert empty.status_code == 400 and "Upload the documents as a .zip file" in text
    assert "Enter the planning application reference" in text


def test_officer_validates_records_findings_and_decides(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    case = submit(register)
    client.sign_in("lpa_officer")
    queue = client.get("/lpa/planning").get_data(as_text=True)
    assert REFERENCE in queue and "Received" in queue and "days left" in queue
    page = f"/lpa/planning/{case.reference}"
    validated = client.tokens(page, "validated-")
    assert client.post(f"{page}/validated", data=validated).status_code == 302
    assert client.post(f"{page}/validated", data=validated).status_code == 302  # the same form again: nothing more
    findings = {
        "finding_avoid-mitigate": "accepted",
        "note_avoid-mitigate": "Meadow kept",
        "finding_credits": "not accepted",
        "note_credits": "No proof none were available",
    }
    assert client.form(f"{page}/findings", findings, page=page).status_code == 302
    refusal = client.post(
        f"{page}/decision",
        data={**client.tokens(page, "decision-"), **{"decision-outcome": "refused", "decision-reasons": ""}},
    )
    assert refusal.status_code == 400 and "Give the reasons for refusing the plan" in refusal.get_data(as_text=True)
    stale = client.tokens(page, "decision-")  # the same page open in another tab
    done = client.post(
        f"{page}/decision",
        data={**client.tokens(page, "decision-"), **{"decision-outcome": "refused", "decision-reasons": "No HMMP"}},
    )
    assert done.status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert "Refused" in shown and "No HMMP" in shown and "Meadow kept" in shown
    again = client.post(f"{page}/decision", data={**stale, "decision-outcome": "approved", "decision-reasons": ""})
    assert again.status_code == 302  # from a page opened before the decision: refused to change, said on the page
    assert register.services.planning.view(world.actors["lpa_officer"], case.reference).case.status == "refused"
    entries = register.services.audit.recent(world.actors["case_worker"], 1, "planning_case", case.reference).items
    assert {e.action for e in entries} >= {
        "planning_case.received",
        "planning_case.validated",
        "planning_case.findings",
        "planning_case.refused",
    }


def test_approval_needs_the_objective_met(register: Register) -> None:
    world = register.world
    assert world is not None
    case = submit(register)
    officer = world.actors["lpa_officer"]
    register.services.planning.validated(officer, case.reference)
    plan = register.services.planning.view(officer, case.reference).case.gain_plan
    assert plan is not None and plan["schema"] == "bng/gain-plan/1"
    met = plan["objective"]["met"]
    if met:
        assert register.services.planning.decide(officer, case.reference, "approved", "").status == "approved"
    else:
        import pytest

        from bng.register.core.errors import Invalid

        with pytest.raises(Invalid, match="cannot be approved"):
            register.services.planning.decide(officer, case.reference, "approved", "")


def test_no_deemed_discharge(client: CheckedClient, register: Register) -> None:
    case = submit(register)
    register.clock.now = register.clock.now + timedelta(weeks=9)
    client.sign_in("lpa_officer")
    page = client.get(f"/lpa/planning/{case.reference}").get_data(as_text=True)
    assert "not approved by default" in page and "Received" in page


def test_decisions_are_public_without_personal_data(client: CheckedClient, register: Register) -> None:
    case = refused(register)
    listing = client.get("/planning/decisions").get_data(as_text=True)
    assert REFERENCE in listing and "Refused" in listing
    page = client.get(f"/planning/decisions/{case.reference}").get_data(as_text=True)
    assert "No HMMP for the meadow" in page and "Cambridge LPA" in page
    for private in ("Riverside Homes Ltd", "developer@example.com", "Developer"):
        assert private not in page and private not in listing
    undecided = submit(register, development="Another")
    assert client.get(f"/planning/decisions/{undecided.reference}").status_code == 404


def test_other_lpas_officers_and_other_applicants_see_nothing(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    case = submit(register)
    user = register.services.accounts.create_trusted(
        NewAccount(
            "officer@tendring.example.gov.uk",
            "Other Officer",
            PASSWORD,
            "lpa_officer",
            "",
            world.lpa_ids["Tendring LPA"],
        )
    )
    other = actor_of(user)
    import pytest

    from bng.register.core.errors import NotFound

    with pytest.raises(NotFound):
        register.services.planning.view(other, case.reference)
    client.sign_in("officer@tendring.example.gov.uk")
    assert client.get(f"/lpa/planning/{case.reference}").status_code == 404
    assert client.get(f"/planning/cases/{case.reference}/report.pdf").status_code == 404
    assert REFERENCE not in client.get("/lpa/planning").get_data(as_text=True)


def test_report_and_documents_as_pdf(client: CheckedClient, register: Register) -> None:
    case = submit(register)
    client.sign_in("lpa_officer")
    report = client.get(f"/planning/cases/{case.reference}/report.pdf")
    assert report.status_code == 200 and report.mimetype == "application/pdf"
    text = pdf_text(report.data)
    assert "validation report" in text and REFERENCE in text and "Letter to the applicant" in text
    plan = client.get(f"/planning/cases/{case.reference}/gain-plan.pdf")
    assert plan.status_code == 200
    text = pdf_text(plan.data)
    assert "Biodiversity gain plan" in text and REFERENCE in text and "Pre-development biodiversity value" in text
    assert client.get(f"/planning/cases/{case.reference}/nonsense.pdf").status_code == 404


def test_officer_checks_documents_without_keeping_them(client: CheckedClient, register: Register) -> None:
    client.sign_in("lpa_officer")
    before = len(register.services.planning.queue(register.world.actors["lpa_officer"])[1])  # type: ignore[union-attr]
    response = client.form(
        "/lpa/planning/check",
        {"submission_file": (io.BytesIO(submission_zip()), "app.zip")},
        page="/lpa/planning/check",
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Items checked" in text and REFERENCE in text
    after = len(register.services.planning.queue(register.world.actors["lpa_officer"])[1])  # type: ignore[union-attr]
    assert after == before
    bad = client.form(
        "/lpa/planning/check",
        {"submission_file": (io.BytesIO(b"PK not a zip"), "app.zip")},
        page="/lpa/planning/check",
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "not a readable .zip" in bad.get_data(as_text=True)


def test_a_phase_is_decided_against_its_approved_overall_plan(register: Register) -> None:
    import pytest

    from bng.register.core.errors import Invalid
    from bng.register.core.uploads import Upload

    world = register.world
    assert world is not None
    developer, officer = world.actors["developer"], world.actors["lpa_officer"]
    planning = register.services.planning
    cambridge = world.lpa_ids["Cambridge LPA"]

    def send(phase: str, overall: str = "", **facts: object) -> str:
        case = planning.submit(
            developer,
            planning_reference=REFERENCE,
            lpa_id=cambridge,
            development_name="Riverside Farm",
            upload=Upload("submission_file", f"{phase}.zip", submission_zip(**facts)),
            phase=phase,
            overall_reference=overall,
        )
        planning.validated(officer, case.reference)
        return case.reference

    # the example metric's on-site post-development area value is 10.85 habitat units
    overall = send("overall", phases=[{"phase": "1", "post_development": {"area": 12.0}}])
    assert planning.decide(officer, overall, "approved", "").status == "approved"
    phase_1 = send("1", overall)
    with pytest.raises(Invalid, match="cannot be approved") as refused_:
        planning.decide(officer, phase_1, "approved", "")
    assert "phase 1: area value below the overall plan's 12.0000" in str(refused_.value.problems)
    lower = send("overall", development="Lower", phases=[{"phase": "1", "post_development": {"area": 10.0}}])
    planning.decide(officer, lower, "approved", "")
    ok = send("1", lower, development="Phase 1 again")
    assert planning.decide(officer, ok, "approved", "").status == "approved"
    with pytest.raises(Invalid) as no_overall:
        planning.submit(
            developer,
            planning_reference=REFERENCE,
            lpa_id=cambridge,
            development_name="x",
            upload=Upload("submission_file", "p.zip", submission_zip(development="y")),
            phase="2",
        )
    assert "A phase plan names the overall plan it belongs to" in str(no_overall.value.problems)
