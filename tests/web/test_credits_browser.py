"""Statutory biodiversity credits clicked through in real Chromium: the public estimate (a DEFRA
workbook uploaded, then credits typed), and an order from a developer's first click to the proof
of purchase in the LPA officer's hands, the PDF downloaded and read.

Every page is validated as it is served; screenshots go to test-output/screenshots (30-…)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bng.metric import parse_site
from tests.credits.pdf import pdf_text
from tests.credits.world import METRIC
from tests.db.fixtures import Register
from tests.web.fixtures import LiveServer, screenshot
from tests.web.test_browser import date, sign_in

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def _save(page: Any) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_estimate_from_a_workbook_and_from_typed_credits(page: Any, live_server: LiveServer, tmp_path: Path) -> None:
    from bng.workbook.writer import export_site

    site, _ = parse_site(json.loads(METRIC.read_text()))
    workbook = tmp_path / "Mill Lane metric.xlsm"
    export_site(site, workbook)  # DEFRA's statutory workbook, filled in with the pub-39 development

    page.goto(live_server.url)
    page.get_by_role("link", name="Statutory credits").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Estimate the cost of statutory biodiversity credits").is_visible()
    screenshot(page, "30-credits-estimate")
    page.get_by_label("Upload the development's statutory biodiversity metric").check()
    page.locator("#metric_file").set_input_files(workbook)
    page.get_by_role("button", name="Estimate the cost").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-panel__body").inner_text().strip() == "£3,199,120"
    table = page.locator("table").first.inner_text()
    for row in ("Tier A1 (area habitats)\t12.14\t24.28\t£42,000\t£1,019,760", "Tier W (watercourses)\t0.88\t1.76"):
        assert row in table, table
    assert "Tier A5" not in table
    assert "VAT is not payable on statutory biodiversity credits" in page.locator("#vat").inner_text()
    screenshot(page, "31-credits-estimate-from-a-workbook")

    page.get_by_label("Type the number of credits in each tier").check()
    page.get_by_label("Tier A1 (area habitats)").fill("3.5")
    page.get_by_label("Tier H (hedgerows)").fill("1.255")
    date(page, "on", 1, 1, 2025)  # prices and VAT as they were then
    page.get_by_role("button", name="Estimate the cost").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    assert "Tier H (hedgerows) as a number with up to 2 decimal places" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "quantity_H"
    screenshot(page, "32-credits-estimate-error")
    page.get_by_label("Tier H (hedgerows)").fill("1.25")
    page.get_by_role("button", name="Estimate the cost").click()
    page.wait_for_load_state()
    # 3.5 × £42,000 + 1.25 × £44,000 = £202,000, and VAT at 20 % on 1 January 2025
    assert page.locator(".govuk-panel__body").inner_text().strip() == "£242,400"
    assert "VAT (20 %)\t£40,400" in page.locator("table").first.inner_text()


def test_order_from_the_developer_to_the_lpa(page: Any, live_server: LiveServer, register: Register) -> None:
    assert register.world is not None
    sign_in(page, live_server, "developer")
    page.get_by_role("link", name="Your credit orders").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Start a new order").click()
    page.wait_for_load_state()
    reference = re.search(r"BNGCRD-[0-9A-Z]{5}-[0-9A-Z]{5}", page.locator(".govuk-caption-l").inner_text())
    assert reference is not None
    ref = reference.group(0)
    screenshot(page, "33-credits-order-task-list")

    page.get_by_role("link", name="Development details").click()
    code = {lpa.name: lpa.ons_code for lpa in register.services.register.lpas()}["Cambridge LPA"]
    page.get_by_label("Local planning authority (LPA)").select_option(label=f"Cambridge LPA ({code})")
    page.get_by_label("Planning application reference").fill("24/05678/OUT")
    page.get_by_label("Name of the development").fill("Orchard Close, Histon")
    _save(page)

    page.get_by_role("link", name="Statutory biodiversity metric").click()
    page.locator("#metric_file").set_input_files(METRIC)
    _save(page)

    page.get_by_role("link", name="Credits to buy").click()
    assert page.get_by_label("Tier A1 (area habitats)").input_value() == "24.28"  # from the metric
    assert page.get_by_label("Tier A5 (area habitats)").input_value() == ""
    page.get_by_label("Tier A1 (area habitats)").fill("20")
    _save(page)
    assert (
        "the metric needs 24.28 credits; you may buy more, not fewer"
        in page.locator(".govuk-error-summary").inner_text()
    )
    page.get_by_label("Tier A1 (area habitats)").fill("25")
    _save(page)

    page.get_by_role("link", name="Gain hierarchy").click()
    page.wait_for_load_state()
    found = page.locator("table").nth(1).inner_text()
    assert register.world.site in found and "Meadow Farm" in found
    page.get_by_label("Why can on-site gains not deliver the remaining units?").fill(
        "The site is built over to its edges"
    )
    page.get_by_label("Why can registered off-site gains not deliver them?").fill(
        f"{register.world.site} sells neutral grassland only; we lose calcareous grassland, ponds and wet woodland"
    )
    screenshot(page, "34-credits-gain-hierarchy")
    _save(page)

    page.get_by_role("link", name="Purchase order number").click()
    page.get_by_label("Purchase order number (optional)").fill("PO-7781")
    _save(page)
    page.get_by_role("link", name="Customer due diligence").click()
    page.get_by_label("For an organisation").check()
    page.get_by_label("Organisation name").fill("Orchard Homes Ltd")
    page.get_by_label("Organisation registration number").fill("sc 123456")
    _save(page)
    page.get_by_role("link", name="Terms and conditions").click()
    # by their labels, which wait for the page: a bare list of checkboxes is taken at once, and is
    # empty while the terms page is still arriving
    page.get_by_label("I have read and accept the terms and conditions of sale").check()
    page.get_by_label("I am buying the credits for my own development").check()
    _save(page)

    page.get_by_role("link", name="Check your answers and submit").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "SC123456" in main and "Tier A1 (area habitats): 25.00" in main and "Orchard Close, Histon" in main
    screenshot(page, "35-credits-check-your-answers")
    page.get_by_role("button", name="Submit order").click()
    page.wait_for_load_state()
    assert ref in page.locator(".govuk-panel").inner_text()
    screenshot(page, "36-credits-order-submitted")
    _sign_out(page)

    # the register team: due diligence, invoice, payment, allocation and the proof, then the LPA
    sign_in(page, live_server, "case_worker")
    page.get_by_role("link", name="Credit orders").click()
    page.get_by_role("link", name=ref).click()
    page.wait_for_load_state()
    page.get_by_label("Passed").check()
    page.get_by_role("button", name="Record the checks").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Issue the invoice").click()
    page.wait_for_load_state()
    invoice = page.locator("#invoice + table").inner_text()
    total = re.search(r"Total\t£([\d,]+)", invoice)
    assert total is not None and total.group(1) == "3,229,360"  # 25 credits in A1, the rest as the metric asks
    date(page, "payment-received_on", 22, 11, 2026)
    page.get_by_label("Amount received, in pounds").fill("3,229,359")
    page.get_by_role("button", name="Record payment").click()
    page.wait_for_load_state()
    assert "it must be the invoice total, £3,229,360" in page.locator(".govuk-error-summary").inner_text()
    page.get_by_label("Amount received, in pounds").fill(total.group(1))
    page.get_by_role("button", name="Record payment").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Allocate the credits and issue the proof of purchase").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Send the proof of purchase to Cambridge LPA").click()
    page.wait_for_load_state()
    assert "Proof of purchase sent to the LPA" in page.locator("main .govuk-tag").first.inner_text()
    screenshot(page, "37-credits-case-sent-to-the-lpa")
    _sign_out(page)

    sign_in(page, live_server, "lpa_officer")
    page.get_by_role("link", name="Credits for your LPA").click()
    page.wait_for_load_state()
    row = page.get_by_role("row").filter(has_text=ref)
    assert "Orchard Close, Histon" in row.inner_text() and "52.20" in row.inner_text() and "Counts" in row.inner_text()
    screenshot(page, "38-credits-lpa-proofs")
    with page.expect_download() as download:
        row.get_by_role("link").click()
    pdf = Path(download.value.path()).read_bytes()
    words = pdf_text(pdf)
    for expected in (ref, "Orchard Close, Histon", "24/05678/OUT", "Orchard Homes Ltd (registration number SC123456)",
                     "Tier A1 (area habitats) 25.00 £42,000.00 £1,050,000.00", "Total paid £3,229,360.00"):  # fmt: skip
        assert expected in words, (expected, words)
