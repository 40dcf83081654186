"""Monitoring clicked through in real Chromium: the developer of an approved gain plan submits the year 3
monitoring report with one parcel gone to bramble; bng judges it failed and flags it; Worcestershire's
officer reviews the report and asks for remedial action by a deadline; the developer records it done.
Every page is validated as it is served; screenshots go to test-output/screenshots (70-…)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.db.fixtures import Register
from tests.register.monitoring_world import OFFICER, approved_case, worcestershire
from tests.register.world import EMAILS, PASSWORD
from tests.web.fixtures import LiveServer, screenshot
from tests.web.test_browser import date as fill_date

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
BRAMBLE = "Heathland and shrub - Bramble scrub"


def _sign_in(page: Any, server: LiveServer, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url


def _click(page: Any, role: str, name: str) -> None:
    page.get_by_role(role, name=name).first.click()
    page.wait_for_load_state()


def test_provider_reports_officer_asks_for_remedial_action(
    page: Any, live_server: LiveServer, register: Register
) -> None:
    lpa_id, officer = worcestershire(register)
    case = approved_case(register, officer, lpa_id)
    ob = register.services.monitoring.create_for_case(
        officer, case.reference, start_date=date(2024, 3, 1), mechanism="section 106 agreement"
    )

    _sign_in(page, live_server, EMAILS["developer"])
    _click(page, "link", "Your monitoring")
    assert page.get_by_role("heading", name="Your monitoring").is_visible()
    _click(page, "link", ob.development_name)
    _click(page, "button", "Submit a monitoring report")
    page.get_by_label("Year of monitoring").select_option("3")
    page.locator("#habitat-area-created-C1").fill(BRAMBLE)
    page.locator("#condition-area-created-C1").select_option("Condition Assessment N/A")
    for key in ("area-created-C2", "area-enhanced-E1"):  # as the metric expects by year 3
        expected = page.locator(f"#{key}-hint").inner_text()
        condition = expected.split("Expected in this year: ", 1)[1].split(", ", 1)[1].rstrip(".")
        page.locator(f"#condition-{key}").select_option(condition)
    page.get_by_label("What the monitoring found").fill("Surveyed on 12 May 2027: C1 overrun by bramble")
    screenshot(page, "70-monitoring-report")
    _click(page, "button", "Submit the monitoring report")
    main = page.locator("main").inner_text()
    assert "submitted" in main and "failed" in main and "area:created:C1" in main
    screenshot(page, "71-monitoring-report-judged")

    _sign_in(page, live_server, OFFICER)
    _click(page, "link", "Monitoring")
    board = page.locator("main").inner_text()
    assert case.planning_reference in board and "failed" in board  # the obligation's latest judgement
    screenshot(page, "72-monitoring-dashboard")
    _click(page, "link", ob.development_name)
    page.locator("main a", has_text="MR-").first.click()
    page.wait_for_load_state()
    assert "failed" in page.locator("main").inner_text()
    page.get_by_label("What must be done").fill("Clear the bramble from C1 and re-seed with a neutral grassland mix")
    fill_date(page, "action-deadline", 1, 9, 2027)
    screenshot(page, "73-monitoring-review")
    _click(page, "button", "Ask for remedial action")
    main = page.locator("main").inner_text()
    assert "Remedial action" in main and "1 September 2027" in main

    _sign_in(page, live_server, EMAILS["developer"])
    page.goto(f"{live_server.url}/monitoring/{ob.reference}")
    page.get_by_label("What was done").fill("Bramble cleared and re-seeded in March")
    _click(page, "button", "Record as done")
    main = page.locator("main").inner_text()
    assert "recorded as done" in main and "Bramble cleared and re-seeded in March" in main
    screenshot(page, "74-monitoring-action-done")
    view = register.services.monitoring.view(register.world.actors["developer"], ob.reference)  # type: ignore[union-attr]
    assert [a.status for a in view.actions] == ["done"]
