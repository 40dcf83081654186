"""Issue 10 in real Chromium: the journeys that let wrong data in or lost the user, clicked through as a
new user would (items 11-19), and the pages measured at a phone's width and a desktop's (item 18).
Every page is validated as it is served; screenshots go to test-output/screenshots (issue10-…)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bng.register import samples
from tests.conftest import VECTORS
from tests.db.fixtures import Register
from tests.register.files import enhanced_maps, retained_maps
from tests.register.test_combined import allocation
from tests.web.fixtures import LiveServer, screenshot
from tests.web.test_browser import date, save, sign_in, task

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

PHONE, DESKTOP = 375, 1280
OVERFLOW = """() => {
  const grid = document.querySelector('.govuk-width-container').getBoundingClientRect();
  const shown = 'main table, main dl, main svg, main form, main p, main .leaflet-container';
  const wide = [...document.querySelectorAll(shown)]
    .filter(e => !e.closest('.leaflet-container'))  // a live map's panes are clipped by the map's own box
    .filter(e => e.getBoundingClientRect().right > grid.right + 0.5)
    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
  return {page: document.documentElement.scrollWidth, grid: grid.right, wide: wide};
}"""


def _fits(page: Any, width: int, what: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(100)
    found = page.evaluate(OVERFLOW)
    assert found["page"] <= width, f"{what} at {width} px is {found['page']} px wide: {found['wide']}"
    assert not found["wide"], f"{what} at {width} px: wider than the {found['grid']} px grid: {found['wide']}"
    screenshot(page, f"issue10-{what}-{width}")


def test_search_site_and_check_pages_fit_a_phone_and_a_desktop(
    page: Any, live_server: LiveServer, register: Register
) -> None:
    """Item 18: at 375 px /register was 720 px wide and a site page 893 px; the results table overflowed the
    1,120 px grid on a desktop; on a phone the results came after 11 filter fields."""
    world = register.world
    assert world is not None
    page.set_viewport_size({"width": PHONE, "height": 900})
    page.goto(f"{live_server.url}/register")
    found = page.get_by_role("status")
    panel = page.locator("#filters")
    assert found.is_visible() and not panel.is_visible()  # the results first; the filters behind a button
    toggle = page.get_by_role("button", name="Show filters")
    assert toggle.get_attribute("aria-expanded") == "false"
    _fits(page, PHONE, "search")
    toggle.click()
    assert panel.is_visible() and page.evaluate("document.activeElement.id") == "filters-title"
    assert panel.bounding_box()["y"] < found.bounding_box()["y"]  # opened, the panel comes first
    page.get_by_label("Local planning authority").select_option(label="Cambridge LPA")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "1 gain site found with 1 filter" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Show filters").click()
    page.get_by_role("link", name="Remove this filter: LPA: Cambridge LPA").click()  # the MOJ pattern's tags
    page.wait_for_load_state()
    assert "lpa=" not in page.url and "2 gain sites found" not in page.url

    page.set_viewport_size({"width": DESKTOP, "height": 900})
    page.goto(f"{live_server.url}/register?lpa=Cambridge+LPA")
    assert page.locator("#filters").is_visible()  # beside the results on a desktop
    assert page.locator("#filters").bounding_box()["x"] < page.get_by_role("status").bounding_box()["x"]
    _fits(page, DESKTOP, "search")
    page.goto(f"{live_server.url}/register")
    _fits(page, PHONE, "search-all")

    page.goto(f"{live_server.url}/register/{world.site}")
    _fits(page, PHONE, "site")
    _fits(page, DESKTOP, "site")

    sign_in(page, live_server, "landowner")
    page.goto(f"{live_server.url}/applications/{world.applications['ready']}/check")
    _fits(page, PHONE, "check-answers")
    _fits(page, DESKTOP, "check-answers")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    sign_in(page, live_server, "developer")
    page.goto(f"{live_server.url}/credits/orders/{world.credit_orders['draft']}/check")
    _fits(page, PHONE, "credit-check")
    _fits(page, DESKTOP, "credit-check")
    page.goto(f"{live_server.url}/register/{world.site}/allocate")
    page.get_by_label("Local planning authority (LPA)").select_option(label="Cambridge LPA")
    page.get_by_label("Planning application reference").fill("26/01234/FUL")
    page.get_by_label("Name of the development").fill("Mill Road homes")
    page.get_by_label("Grid reference of the development").fill("TL 4600 5900")
    page.get_by_label("Choose habitat parcels and how much of each").check()
    page.get_by_label("Hectares of Grassland - Other neutral grassland (parcel 1) to allocate").fill("0.5")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "Check the allocation before you record it" in page.locator("main").inner_text()
    _fits(page, PHONE, "allocation-check")
    _fits(page, DESKTOP, "allocation-check")


def test_a_registration_keeps_files_lines_and_the_users_place(
    page: Any, live_server: LiveServer, register: Register, tmp_path: Path
) -> None:
    """Items 14, 15 and 19: details from the account; a character count and line breaks kept; a file kept
    when the date beside it is wrong; the metric's area against the boundary's said when it is uploaded;
    "Change" returns to check your answers."""
    files = {
        "title.pdf": samples.pdf("Register of title"),
        "boundary.geojson": samples.boundary_geojson(samples.square(565_000, 262_000, 6.0), "Brook Farm"),
        "metric.json": samples.gain_site_metric("Brook Farm", 4.0),  # 4 ha of habitats on a 6 ha boundary
        "s106.pdf": samples.pdf("Section 106 agreement"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    sign_in(page, live_server, "landowner")
    page.get_by_role("button", name="Start a new application").click()
    page.wait_for_load_state()

    task(page, "Applicant details")  # what the account knows is filled in already
    assert page.get_by_label("Your full name").input_value() == "Landowner"
    assert page.get_by_label("Email address").input_value() == "owner@example.com"
    page.get_by_label("I am the landowner").check()
    page.get_by_label("Telephone number").fill("01632 960 000")
    save(page)

    task(page, "Proof of land ownership")
    owners = page.get_by_label("Who owns the land?")
    owners.fill("Alex Owner\nSam Owner, as trustee")
    page.locator(".govuk-character-count__status").get_by_text("You have 1,968 characters remaining").wait_for()
    page.locator("input[type=file]").set_input_files(tmp_path / "title.pdf")
    save(page)

    task(page, "Legal agreement")
    page.get_by_label("Planning obligation (section 106 agreement) with the LPA").check()
    options = page.get_by_label("LPA party to the agreement").locator("option").all_inner_texts()
    assert "North Yorkshire LPA" in options and "Harrogate LPA" not in options and len(options) == 310  # + "Select"
    page.get_by_label("LPA party to the agreement").select_option(label="South Cambridgeshire LPA")
    date(page, "agreement_date", 1, 10, 2026)
    date(page, "works_completion_date", 31, 3, 2027)
    date(page, "secured_until", 31, 3, 2050)  # too short: the 30-year rule
    page.locator("input[type=file]").set_input_files(tmp_path / "s106.pdf")
    save(page)
    assert "at least 30 years" in page.locator(".govuk-error-summary").inner_text()
    kept = page.locator("#agreement_file-uploaded")
    assert re.search(r"Uploaded: s106\.pdf — Change", kept.inner_text()), kept.inner_text()
    screenshot(page, "issue10-file-kept")
    date(page, "secured_until", 31, 3, 2057)  # the file is not chosen again
    save(page)
    assert page.url.endswith(page.url.split("/")[-1]) and "Legal agreement" in page.locator("main").inner_text()
    assert page.locator(".govuk-error-summary").count() == 0

    task(page, "Gain site boundary")
    page.get_by_label("Name of the gain site").fill("Brook Farm")
    page.get_by_label("Upload a map file").check()
    page.locator("input[type=file]").set_input_files(tmp_path / "boundary.geojson")
    save(page)
    task(page, "Habitats (the statutory biodiversity metric)")
    page.locator("#metric_file").set_input_files(tmp_path / "metric.json")
    save(page)
    banner = page.locator("#cross-checks")  # said as soon as the metric is uploaded, not first at the end
    assert "Your answers do not agree yet" in banner.inner_text()
    assert "differ by" in banner.inner_text() and "6.0000 hectares" in banner.inner_text()
    screenshot(page, "issue10-area-mismatch-at-upload")

    reference = page.url.rstrip("/").split("/")[-1]
    page.goto(f"{live_server.url}/applications/{reference}/check")
    owners_row = page.locator("#ownership + dl .govuk-summary-list__value").first
    assert owners_row.inner_text() == "Alex Owner\nSam Owner, as trustee"  # the line break kept
    page.get_by_role("link", name="Change telephone number").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Back to check your answers").is_visible()
    page.get_by_label("Telephone number").fill("01632 960 001")
    save(page)
    assert page.url.endswith(f"/applications/{reference}/check")  # back where the user was
    assert "01632 960 001" in page.locator("main").inner_text()


def test_the_habitats_page_refuses_maps_of_no_gain_and_shows_every_map_error(
    page: Any, live_server: LiveServer, register: Register, shared: Path, tmp_path: Path
) -> None:
    """Items 11 and 16: a pair that only retains habitat "passed every check"; a schema error was cut off
    after "nothing can be read from it:", named the file baseline.gpkg, and only the first error showed."""
    world = register.world
    assert world is not None
    broken = shared / "spec/geopackages/invalid-schema/Baseline - missing columns in Habitats.gpkg"
    good_base, good_post = enhanced_maps(shared)
    retained_base, retained_post = retained_maps(shared)
    for name, data in {
        "Our baseline.gpkg": retained_base,
        "Our post-intervention.gpkg": retained_post,
        "Enhanced post.gpkg": good_post,
        "Enhanced base.gpkg": good_base,
    }.items():
        (tmp_path / name).write_bytes(data)
    sign_in(page, live_server, "landowner")
    page.goto(f"{live_server.url}/applications/{world.applications['draft']}/habitats")

    def upload(base: Path, post: Path) -> str:
        if not page.locator("#habitat_baseline_map").is_visible():
            page.get_by_text("Upload habitat maps instead (GeoPackage pair)").click()
        page.locator("#habitat_baseline_map").set_input_files(base)
        page.locator("#habitat_post_map").set_input_files(post)
        save(page)
        return str(page.locator(".govuk-error-summary").inner_text())

    summary = upload(broken, tmp_path / "Our post-intervention.gpkg")
    listed = page.locator(".govuk-error-summary__list li").all_inner_texts()
    assert len(listed) >= 2, summary  # every error, not the first
    for item in listed:
        assert item.startswith("Baseline - missing columns in Habitats.gpkg: the map does not follow the standard")
        assert "is missing" in item
    assert "baseline.gpkg" not in summary
    field_error = page.locator("#habitat_baseline_map-error").inner_text()
    assert "'Baseline Condition'" in field_error and "'Baseline Distinctiveness'" in field_error
    screenshot(page, "issue10-map-errors")

    summary = upload(tmp_path / "Our baseline.gpkg", tmp_path / "Our post-intervention.gpkg")
    assert "no created or enhanced habitat" in summary and "must deliver an uplift" in summary

    summary = upload(tmp_path / "Enhanced post.gpkg", tmp_path / "Enhanced base.gpkg")
    assert "The baseline map you uploaded, Enhanced post.gpkg, is a post-intervention map" in summary


def test_the_combined_case_records_each_fee_on_its_own_date(
    page: Any, live_server: LiveServer, register: Register
) -> None:
    """Item 17: one form recorded the £639 and the £45 with one date; and the history said "639.00 pounds"."""
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["ready"]
    s.applications.save_section(owner, ref, "allocation", allocation(register))
    s.applications.submit(owner, ref)
    sign_in(page, live_server, "case_worker")
    page.goto(f"{live_server.url}/review/applications/{ref}")
    for fee, day, method in (("registration fee of £639", 20, "Bank transfer"), ("allocation fee of £45", 21, "Card")):
        heading = page.get_by_role("heading", name=re.compile(f"Record the {fee}"))
        assert heading.is_visible()
        date(page, "payment-received_on", day, 11, 2026)
        page.get_by_label(method).check()
        page.get_by_role("button", name="Record payment").click()
        page.wait_for_load_state()
        assert "Payment recorded" in page.locator(".govuk-notification-banner").inner_text()
    main = page.locator("main").inner_text()
    assert re.search(r"£639, payment reference PAY-\S+: received on 20 November 2026 by bank transfer", main)
    assert re.search(r"£45, payment reference PAY-\S+: received on 21 November 2026 by card", main)
    assert re.search(r"Registration fee of £639 \(payment reference PAY-\S+\) received on 20 November 2026", main)
    assert "pounds" not in main  # one money format
    screenshot(page, "issue10-fees-recorded-separately")


def test_the_credit_metric_step_lists_its_problems(
    page: Any, live_server: LiveServer, register: Register, tmp_path: Path
) -> None:
    """Item 13: "The metric has 2 problems" without listing them; "1 problem" for a metric with no shortfall."""
    doc = json.loads((VECTORS / "pub-08-small.site.json").read_text("utf-8"))
    doc["on_site"]["hedgerow"] = json.loads((VECTORS / "pub-06-small.site.json").read_text("utf-8"))["on_site"][
        "hedgerow"
    ]
    metric = tmp_path / "no shortfall.json"
    metric.write_text(json.dumps(doc))
    sign_in(page, live_server, "developer")
    page.goto(f"{live_server.url}/credits/orders")
    page.get_by_role("button", name="Start a new order").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Statutory biodiversity metric").click()
    page.wait_for_load_state()
    page.locator("#metric_file").set_input_files(metric)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    listed = page.locator(".govuk-error-summary__list li").all_inner_texts()
    assert listed[0].startswith("The metric shows no unit shortfall in any tier")
    assert listed[1] == "The metric has 1 problem: correct it and upload the metric again"
    assert "condition 'Good' is not possible for 'Non-native and ornamental hedgerow'" in listed[2]
    assert "condition 'Good' is not possible" in page.locator("#metric_file-error").inner_text()
    screenshot(page, "issue10-credit-metric-problems")
