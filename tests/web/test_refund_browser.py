"""Refunds and the resubmission's fees clicked through in real Chromium (Debian's, driven by Playwright):
the landowner's check your answers after the allocation is dropped, then the case worker records the
refund on the case page (a problem first, in the error summary, then the refund)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.db.fixtures import Register
from tests.register.test_refunds import to_refund
from tests.web.fixtures import LiveServer, screenshot
from tests.web.test_browser import date, sign_in

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def test_record_a_refund(page: Any, live_server: LiveServer, register: Register) -> None:
    ref, fee = to_refund(register)
    sign_in(page, live_server, "landowner")
    page.goto(f"{live_server.url}/applications/{ref}/check")
    fees = page.locator("#fees").inner_text()
    assert "already paid (received on 20 November 2026). You do not need to pay it again" in fees
    assert f"£45 to record the allocation (payment reference {fee}): received, and to be refunded" in fees
    screenshot(page, "13-resubmission-fees")

    page.goto(f"{live_server.url}/sign-out")
    sign_in(page, live_server, "case_worker")
    page.goto(f"{live_server.url}/review/applications/{ref}")
    page.get_by_role("button", name="Record refund").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter the date the fee was refunded" in summary and "Enter the refund's reference" in summary
    page.get_by_role("link", name="Enter the refund's reference").click()
    assert page.evaluate("document.activeElement.id") == "refund-refund_reference"
    date(page, "refund-refunded_on", 21, 11, 2026)
    page.get_by_role("group", name="How was the fee paid back?").get_by_label("Bank transfer").check()
    page.get_by_label("Refund reference").fill("RF-2026-0042")
    page.get_by_role("button", name="Record refund").click()
    page.wait_for_load_state()
    assert "Refund recorded" in page.locator(".govuk-notification-banner").inner_text()
    main = page.locator("main").inner_text()
    assert f"{fee}: received on 20 November 2026 by bank transfer, refunded on 21 November 2026" in main
    assert page.get_by_role("button", name="Record refund").count() == 0
    screenshot(page, "14-refund-recorded")
