"""The planning workspace clicked through in real Chromium: anyone asks whether the condition applies; the
applicant submits a gain plan; the LPA's officer validates it, records findings on the hierarchy and
approves it; the decision appears on the public register; the report and the gain plan's PDF downloaded
and read. Every page is validated as it is served; screenshots go to test-output/screenshots (60-…)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.credits.pdf import pdf_text
from tests.db.fixtures import Register
from tests.web.fixtures import LiveServer, screenshot
from tests.web.planning import REFERENCE, submission_zip
from tests.web.test_browser import date, sign_in

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_does_the_condition_apply(page: Any, live_server: LiveServer) -> None:
    page.goto(live_server.url)
    page.get_by_role("link", name="Planning").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Does the biodiversity gain condition apply?").is_visible()
    page.get_by_label("Type of application").select_option("full")
    date(page, "application_date", 1, 4, 2024)
    page.locator("#residential").check()  # yes
    page.get_by_label("Number of dwellings").fill("9")
    page.get_by_label("Floorspace created, in square metres").fill("999")
    page.get_by_label("Site area within the red line, in hectares").fill("0.99")
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-panel__title").inner_text().strip() == "The condition does not apply"
    assert page.get_by_role("heading", name="Temporary exemption for small developments").is_visible()
    assert "SI 2024/47" in page.locator("main").inner_text()
    screenshot(page, "60-planning-applicability")
    date(page, "application_date", 2, 4, 2024)  # the day small sites came in
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-panel__title").inner_text().strip() == "Not decided yet"  # de minimis?
    assert "impacted_area_m2" in page.locator(".govuk-warning-text").inner_text()
    page.get_by_label("Onsite habitat impacted (lost or degraded), in square metres").fill("400")
    page.get_by_label("Onsite hedgerow or watercourse impacted, in metres").fill("0")
    page.locator("input[name='priority_habitat_impacted'][value='no']").check()
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-panel__title").inner_text().strip() == "The condition applies"
    page.get_by_label("Number of dwellings").fill("nine")
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "whole number" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "dwellings"


def test_applicant_submits_officer_decides_public_sees(
    page: Any, live_server: LiveServer, register: Register, tmp_path: Path
) -> None:
    zipped = tmp_path / "riverside-farm-gain-plan.zip"
    zipped.write_bytes(submission_zip())

    sign_in(page, live_server, "developer")
    page.get_by_role("link", name="Your gain plans").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Submit a biodiversity gain plan").click()
    page.wait_for_load_state()
    page.get_by_label("Local planning authority (LPA)").select_option(label="Cambridge LPA (E60000149)")
    page.get_by_label("Planning application reference").fill(REFERENCE)
    page.get_by_label("Name of the development").fill("Riverside Farm, 12 homes")
    page.get_by_label("No: one plan for the whole development").check()
    page.locator("#submission_file").set_input_files(zipped)
    screenshot(page, "61-planning-submit")
    page.get_by_role("button", name="Submit the biodiversity gain plan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=f"{REFERENCE}: Riverside Farm, 12 homes").is_visible()
    main = page.locator("main").inner_text()
    assert "Received" in main and "days left" in main and "Items checked" in main
    screenshot(page, "62-planning-received")
    _sign_out(page)

    sign_in(page, live_server, "lpa_officer")
    page.get_by_role("link", name="Gain plans to decide").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=REFERENCE).click()
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.get_by_role("link", name="Validation report (PDF)").click()
    report = pdf_text(Path(download.value.path()).read_bytes())
    assert "validation report" in report and REFERENCE in report and "Letter to the applicant" in report
    page.get_by_role("button", name="Mark as validated").click()
    page.wait_for_load_state()
    assert "Marked as validated" in page.locator(".govuk-notification-banner").inner_text()
    page.locator("input[name='finding_avoid-mitigate'][value='accepted']").check()
    page.locator("#note_avoid-mitigate").fill("The meadow is kept; the layout avoids the scrub")
    page.get_by_role("button", name="Save the findings").click()
    page.wait_for_load_state()
    page.get_by_label("Approve the biodiversity gain plan").check()
    screenshot(page, "63-planning-decide")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Decision recorded: approved" in page.locator(".govuk-notification-banner").inner_text()
    assert "Approved" in main and "on time" in main
    with page.expect_download() as download:
        page.get_by_role("link", name="Biodiversity gain plan (PDF)").click()
    plan = pdf_text(Path(download.value.path()).read_bytes())
    assert "Biodiversity gain plan" in plan and REFERENCE in plan and "Sch 7A para 14(2)(b)" in plan
    _sign_out(page)

    page.get_by_role("link", name="Planning").first.click()
    page.goto(f"{live_server.url}/planning/decisions")
    page.get_by_role("link", name=REFERENCE).click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Approved" in main and "Cambridge LPA" in main and "Riverside Homes Ltd" not in main
    screenshot(page, "64-planning-public-decision")
