"""The journeys clicked through in real Chromium (Debian's, driven by Playwright).

Every HTML page the server sends is validated on the way out (``live_server``); the browser's
own errors (JavaScript, CSP violations) fail the test; screenshots of the main pages are saved
under test-output/screenshots for people to look at.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bng.register import samples
from tests.db.fixtures import Register
from tests.register.world import EMAILS, PASSWORD
from tests.web.fixtures import LiveServer, screenshot

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def sign_in(page: Any, server: LiveServer, who: str) -> None:
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email address").fill(EMAILS[who])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, "signing in failed: is the session cookie accepted over http://127.0.0.1?"


def save(page: Any) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()


def date(page: Any, name: str, day: int, month: int, year: int) -> None:
    page.locator(f"#{name}-day").fill(str(day))
    page.locator(f"#{name}-month").fill(str(month))
    page.locator(f"#{name}-year").fill(str(year))


def task(page: Any, title: str) -> None:
    page.get_by_role("link", name=title).click()
    page.wait_for_load_state()


def test_register_a_gain_site(page: Any, live_server: LiveServer, register: Register, tmp_path: Path) -> None:
    files = {
        "title.pdf": samples.pdf("Register of title", ("Title number CB123456",)),
        "boundary.geojson": samples.boundary_geojson(samples.square(565_000, 262_000, 6.0), "Brook Farm"),
        "metric.json": samples.gain_site_metric("Brook Farm", 6.0),
        "s106.pdf": samples.pdf("Section 106 agreement", ("Brook Farm gain site",)),
        "search.pdf": samples.pdf("Local land charge search"),
        "hmmp.pdf": samples.pdf("Habitat management and monitoring plan"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    page.goto(live_server.url)
    screenshot(page, "01-start-page")
    page.get_by_role("button", name="Start now").click()
    page.wait_for_load_state()
    assert "/sign-in" in page.url
    screenshot(page, "02-sign-in")
    page.get_by_label("Email address").fill(EMAILS["landowner"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.url.endswith("/applications")
    page.get_by_role("button", name="Start a new application").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Register a biodiversity gain site").is_visible()

    task(page, "Applicant details")
    page.get_by_label("I am an agent acting for the landowner").check()
    assert page.get_by_label("Name of the landowner you act for").is_visible()  # GOV.UK Frontend's JS revealed it
    page.get_by_label("I am the landowner").check()
    assert not page.get_by_label("Name of the landowner you act for").is_visible()
    page.get_by_label("Your full name").fill("Alex Owner")
    page.get_by_label("Email address").fill(EMAILS["landowner"])
    page.get_by_label("Telephone number").fill("01632 960 000")
    save(page)

    task(page, "Proof of land ownership")
    page.get_by_label("Who owns the land?").fill("Alex Owner")
    page.locator("input[type=file]").set_input_files(tmp_path / "title.pdf")
    save(page)

    task(page, "Gain site boundary")
    page.get_by_label("Name of the gain site").fill("Brook Farm")
    page.get_by_label("Upload a map file").check()
    page.locator("input[type=file]").set_input_files(tmp_path / "boundary.geojson")
    save(page)

    task(page, "Habitats (the statutory biodiversity metric)")
    page.locator("#metric_file").set_input_files(tmp_path / "metric.json")
    save(page)
    task(page, "Habitats (the statutory biodiversity metric)")
    assert page.get_by_role("table").get_by_text("Grassland - Other neutral grassland").count() >= 1
    screenshot(page, "04-habitats-read-from-the-metric")
    page.get_by_role("link", name="Back to the task list").click()

    task(page, "Legal agreement")
    assert page.get_by_role("group", name="What type of legal agreement secures the habitat?").is_visible()
    page.get_by_label("Planning obligation (section 106 agreement) with the LPA").check()
    page.get_by_label("LPA party to the agreement").select_option(label="South Cambridgeshire LPA")
    date(page, "agreement_date", 1, 10, 2026)
    date(page, "works_completion_date", 31, 3, 2027)
    date(page, "secured_until", 31, 3, 2050)  # too short: the 30-year rule
    page.locator("input[type=file]").set_input_files(tmp_path / "s106.pdf")
    save(page)
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible() and "at least 30 years after the habitat works complete" in summary.inner_text()
    screenshot(page, "05-legal-agreement-30-year-rule")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "secured_until-day"
    date(page, "secured_until", 31, 3, 2057)
    page.locator("input[type=file]").set_input_files(tmp_path / "s106.pdf")
    save(page)

    task(page, "Local land charge search certificate")
    date(page, "certificate_date", 10, 11, 2026)
    page.locator("input[type=file]").set_input_files(tmp_path / "search.pdf")
    save(page)

    task(page, "Habitat management and monitoring plan (HMMP)")
    page.get_by_label("No, I will upload it separately").check()
    page.locator("input[type=file]").set_input_files(tmp_path / "hmmp.pdf")
    save(page)

    task(page, "Declarations")
    for box in page.get_by_role("checkbox").all():
        box.check()
    save(page)
    screenshot(page, "03-task-list-complete")

    task(page, "Check your answers and submit")
    assert page.get_by_text("South Cambridgeshire LPA").is_visible()
    screenshot(page, "06-check-your-answers")
    page.get_by_role("button", name="Accept and send").click()
    page.wait_for_load_state()
    panel = page.locator(".govuk-panel")
    assert "Application submitted" in panel.inner_text()
    assert re.search(r"PAY-[0-9A-Z]{4}-[0-9A-Z]{4}", page.locator("main").inner_text())
    assert "£639" in page.locator("main").inner_text()
    screenshot(page, "07-application-submitted")


def test_review_and_register(page: Any, live_server: LiveServer, register: Register) -> None:
    world = register.world
    assert world is not None
    sign_in(page, live_server, "case_worker")
    assert page.url.endswith("/review")
    screenshot(page, "10-review-queue")
    page.get_by_role("link", name=world.applications["submitted"]).click()
    page.wait_for_load_state()
    screenshot(page, "11-review-case")

    page.get_by_role("button", name="Accept and register the gain site").click()
    page.wait_for_load_state()
    assert "Record the registration fee as received" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_role("group", name="Publish these documents on the register").is_visible()
    date(page, "payment-received_on", 21, 11, 2026)
    page.get_by_label("Bank transfer").check()
    page.get_by_role("button", name="Record payment").click()
    page.wait_for_load_state()
    assert "Payment recorded" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("button", name="Accept and register the gain site").click()
    page.wait_for_load_state()
    assert "Gain site BGS-221126002 is on the register" in page.locator(".govuk-notification-banner").inner_text()

    page.get_by_role("link", name="BGS-221126002").click()
    page.wait_for_load_state()
    page.get_by_label("What changed").fill("Map of the eastern field corrected")
    date(page, "amend-on", 22, 11, 2026)
    page.get_by_role("button", name="Record amendment").click()
    page.wait_for_load_state()
    assert page.get_by_role("cell", name="Map of the eastern field corrected").is_visible()
    screenshot(page, "12-registered-site-for-case-worker")

    # the applicant waiting for further information and the rejected one appear as decided
    page.goto(f"{live_server.url}/review")
    page.get_by_role("link", name=world.applications["information_requested"]).click()
    page.wait_for_load_state()
    assert "Further information requested" in page.locator("main").inner_text() or "information requested" in (
        page.locator("main").inner_text().lower()
    )


def test_further_information_round_trip(page: Any, live_server: LiveServer, register: Register) -> None:
    world = register.world
    assert world is not None
    sign_in(page, live_server, "landowner")
    page.goto(f"{live_server.url}/applications/{world.applications['information_requested']}")
    banner = page.locator(".govuk-notification-banner")
    assert "Please send the signed agreement" in banner.inner_text()
    screenshot(page, "08-further-information-needed")
    task(page, "Check your answers and submit")
    page.get_by_role("button", name="Accept and send").click()
    page.wait_for_load_state()
    assert "Application submitted" in page.locator(".govuk-panel").inner_text()


def test_search_the_register(page: Any, live_server: LiveServer, register: Register) -> None:
    world = register.world
    assert world is not None
    page.goto(f"{live_server.url}/register")
    assert "1 gain site found" in page.locator("main").inner_text()
    page.get_by_label("Local planning authority").select_option(label="Exeter LPA")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "0 gain sites found" in page.locator("main").inner_text()
    page.get_by_label("Local planning authority").select_option(label="Cambridge LPA")
    page.get_by_label("Habitat created or enhanced").fill("woodland")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    screenshot(page, "20-search-results")
    page.get_by_role("link", name=world.site).click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Meadow Farm" in main and "Cambridge LPA" in main and "Bedfordshire and Cambridgeshire Claylands" in main
    page.locator('[data-module="bng-map"][data-ready="true"]').wait_for()  # the map in the drawing's place
    box = page.locator(".bng-live-map").bounding_box()
    assert box is not None and box["width"] > 300
    assert "owner@example.com" not in page.content()  # no personal data on the public page
    screenshot(page, "21-gain-site-page")
