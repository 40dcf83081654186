"""The allocation journey clicked through in real Chromium: from the gain site's page, by habitat parcel
and quantity, and again with the development's metric (a real statutory workbook) whose spatial risk
category the register flags. Every page is validated as it is served (``live_server``); screenshots go
to test-output/screenshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bng.metric import parse_site
from bng.register import samples
from tests.db.fixtures import Register
from tests.web.fixtures import LiveServer, screenshot
from tests.web.test_browser import sign_in

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def development(page: Any, lpa: str, planning_reference: str, name: str, grid: str) -> None:
    page.get_by_label("Local planning authority (LPA)").select_option(label=lpa)
    page.get_by_label("Planning application reference").fill(planning_reference)
    page.get_by_label("Name of the development").fill(name)
    page.get_by_label("Grid reference of the development").fill(grid)


def test_allocate_parcels_from_the_gain_site_page(
    page: Any, live_server: LiveServer, register: Register, tmp_path: Path
) -> None:
    world = register.world
    assert world is not None
    consent = tmp_path / "consent.pdf"
    consent.write_bytes(samples.pdf("Consent to allocate", ("Meadow Farm, BGS-221126001",)))
    sign_in(page, live_server, "developer")
    page.get_by_role("link", name="Search the register", exact=True).click()
    page.get_by_role("link", name=world.site).click()
    page.get_by_role("button", name="Allocate units to a development").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Allocate units to a development").is_visible()

    screenshot(page, "40-allocate-form")
    page.get_by_role("button", name="Continue").click()  # nothing filled in: every problem at once
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "Enter the grid reference of the development" in summary.inner_text()
    summary.get_by_role("link", name="Enter the grid reference of the development").click()
    assert page.evaluate("document.activeElement.id") == "grid_reference"

    development(page, "Cambridge LPA", "26/01234/FUL", "Mill Road homes", "TL 4600 5900")
    page.get_by_label("Choose habitat parcels and how much of each").check()
    grass = page.get_by_label("Hectares of Grassland - Other neutral grassland (parcel 1) to allocate")
    grass.fill("0.75")
    page.get_by_label("Kilometres of Native hedgerow (parcel H1) to allocate").fill("0.1")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "Check the allocation before you record it" in main
    assert "Within the development's LPA or National Character Area" in main and "£45" in main
    screenshot(page, "41-allocate-check")

    page.get_by_role("link", name="Change the development's name").click()  # back to the form as it was filled in
    page.wait_for_load_state()
    assert page.url.endswith("#development_name")
    assert page.get_by_label("Planning application reference").input_value() == "26/01234/FUL"
    assert page.get_by_label("Name of the development").input_value() == "Mill Road homes"
    assert page.get_by_label("Local planning authority (LPA)").locator("option:checked").inner_text() == "Cambridge LPA"
    assert page.get_by_label("Choose habitat parcels and how much of each").is_checked()
    assert grass.input_value() == "0.75"
    page.get_by_label("Name of the development").fill("Mill Road homes, phase 1")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "Mill Road homes, phase 1" in page.locator("main").inner_text()

    page.get_by_role("button", name="Record the allocation").click()  # the consent is missing
    page.wait_for_load_state()
    assert "Upload the written consent" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Written consent of the gain site's landowner").set_input_files(consent)
    page.get_by_role("button", name="Record the allocation").click()
    page.wait_for_load_state()
    assert "/allocations/ALL-" in page.url
    assert "recorded" in page.locator(".govuk-notification-banner").inner_text()
    assert "£45" in page.locator("main").inner_text()
    screenshot(page, "42-allocation-recorded")

    page.get_by_role("link", name=world.site).click()
    page.wait_for_load_state()
    table = page.locator("table", has_text="Planning reference")
    assert "26/01234/FUL" in table.inner_text() and "Within" in table.inner_text()
    assert "developer@example.com" not in page.content()  # no personal data on the public page
    screenshot(page, "43-gain-site-with-allocation")


def test_allocate_from_the_developments_metric(
    page: Any, live_server: LiveServer, register: Register, tmp_path: Path
) -> None:
    from bng.workbook.writer import export_site

    world = register.world
    assert world is not None
    site, _ = parse_site(json.loads(samples.development_metric(world.site, area_ha=0.5)))
    workbook = tmp_path / "development-metric.xlsm"
    export_site(site, workbook)
    consent = tmp_path / "consent.pdf"
    consent.write_bytes(samples.pdf("Consent to allocate"))

    sign_in(page, live_server, "developer")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Your allocations", exact=True).click()
    page.get_by_label("Gain site reference").fill(world.site.lower())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    development(page, "Westminster LPA", "26/05555/FUL", "Horseferry Road offices", "TQ 30000 80000")
    upload = page.get_by_label("The development's statutory biodiversity metric", exact=True)
    assert not upload.is_visible()  # GOV.UK Frontend reveals it with its radio
    page.get_by_label("Upload the development's statutory biodiversity metric").check()
    assert upload.is_visible()
    upload.set_input_files(workbook)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    warning = page.locator(".govuk-warning-text").first.inner_text()
    assert "states 'within' for gain site BGS-221126001" in warning and "multiplier of 0.5" in warning
    assert "Beyond the development's and the neighbouring LPAs" in page.locator("main").inner_text()
    screenshot(page, "44-allocate-metric-flagged")
    page.get_by_label("Written consent of the gain site's landowner").set_input_files(consent)
    page.get_by_role("button", name="Record the allocation").click()
    page.wait_for_load_state()
    assert "states a different spatial risk category" in page.locator("main").inner_text()
    screenshot(page, "45-allocation-from-metric")


def test_register_and_allocate_in_one_application(page: Any, live_server: LiveServer, register: Register) -> None:
    """The registration's optional allocation section: the development and a quantity of a parcel of the
    application's own habitats, then both fees at check your answers."""
    world = register.world
    assert world is not None
    sign_in(page, live_server, "landowner")
    page.goto(f"{live_server.url}/applications/{world.applications['ready']}")
    assert page.get_by_role("heading", name="Allocation (optional)").is_visible()
    page.get_by_role("link", name="Allocate units to a development").click()
    page.wait_for_load_state()
    parcel = page.get_by_label("Hectares of Grassland - Other neutral grassland (parcel 1) to allocate")
    assert not parcel.is_visible()  # revealed with its radio
    page.get_by_label("Yes, allocate units to a development with this application").check()
    development(page, "Cambridge LPA", "26/04321/OUT", "Coldham's Lane homes", "TL 4600 5900")
    parcel.fill("0.5")
    screenshot(page, "46-register-and-allocate-section")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Check your answers and submit").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "26/04321/OUT" in main and "£684 in all" in main
    screenshot(page, "47-register-and-allocate-check-answers")


def test_register_and_allocate_with_the_developments_metric(
    page: Any, live_server: LiveServer, register: Register, tmp_path: Path
) -> None:
    """The allocation section with the development's metric, its off-site rows naming the application."""
    world = register.world
    assert world is not None
    ref = world.applications["ready"]
    metric = tmp_path / "coldhams-lane-metric.json"
    metric.write_bytes(samples.development_metric(ref, area_ha=0.4, planning_reference="26/04321/OUT"))
    sign_in(page, live_server, "landowner")
    page.goto(f"{live_server.url}/applications/{ref}/allocation")
    page.get_by_label("Yes, allocate units to a development with this application").check()
    development(page, "Cambridge LPA", "26/04321/OUT", "Coldham's Lane homes", "TL 4600 5900")
    upload = page.get_by_label("The development's statutory biodiversity metric", exact=True)
    assert not upload.is_visible()  # revealed with its radio
    page.get_by_label("Upload the development's statutory biodiversity metric").check()
    upload.set_input_files(metric)
    screenshot(page, "48-register-and-allocate-with-a-metric")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Check your answers and submit").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "coldhams-lane-metric.json" in main and "Grassland - Other neutral grassland (parcel 1): 0.4000 ha" in main
