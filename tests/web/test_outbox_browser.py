"""The e-mails of a whole registration, followed in Chromium as a user of the offline service would: the
applicant reads their own on the outbox page (the service runs on Notify's stand-in), the case worker sees
every message and its state, and after the worker sends them each is shown as sent."""

from __future__ import annotations

from typing import Any

import pytest

from bng.register.notify.port import TemplateIds
from bng.register.notify.stand_in import LocalNotify, StandInNotify
from bng.register.notify.worker import NotifySender
from tests.db.fixtures import Register
from tests.register.world import EMAILS, TODAY, answer_all
from tests.web.fixtures import LiveServer, screenshot
from tests.web.test_browser import sign_in

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

REGISTRATION = [
    "application_submitted",
    "information_requested",
    "application_submitted",
    "payment_received",
    "application_accepted",
]


def test_the_emails_of_a_whole_registration_on_the_outbox_page(
    page: Any, live_server: LiveServer, register: Register
) -> None:
    assert register.world is not None
    s, owner, worker = register.services, register.world.actors["landowner"], register.world.actors["case_worker"]
    ref = s.applications.start(owner).reference
    answer_all(s, owner, ref, easting=561_000, lpa_id=register.world.lpa_ids["Cambridge LPA"], name="Outbox Farm")
    s.applications.submit(owner, ref)
    s.review.request_information(worker, ref, "Send the signed agreement, please")
    s.applications.submit(owner, ref)
    s.payments.record_payment(worker, ref, TODAY, "bank transfer")
    site = s.review.accept(worker, ref).reference

    sign_in(page, live_server, "landowner")
    page.goto(f"{live_server.url}/outbox")
    cards = page.locator(".outbox-message")
    mine = cards.all()[: len(REGISTRATION)]  # newest first: the registration's, the last the landowner was sent
    assert [c.get_attribute("data-template") for c in reversed(mine)] == REGISTRATION  # newest first on the page
    assert all(EMAILS["landowner"] in c.inner_text() for c in mine)
    [asked] = [c for c in mine if c.get_attribute("data-template") == "information_requested"]
    assert "Send the signed agreement, please" in asked.inner_text()  # the request's own words
    assert page.get_by_role(
        "heading", name=f"Application {ref} accepted: gain site {site} is on the register"
    ).is_visible()
    screenshot(page, "outbox-registration-applicant")

    stand_in = StandInNotify()
    NotifySender(
        s.uow, register.clock, LocalNotify(stand_in, live_server.url), TemplateIds.stand_in(), live_server.url
    ).send_all()
    page.context.clear_cookies()
    sign_in(page, live_server, "case_worker")
    page.goto(f"{live_server.url}/outbox?status=sent")
    assert "queued: 0" in page.locator("#outbox-counts").inner_text()
    sent = page.locator(".outbox-message").all()
    assert len(sent) >= len(REGISTRATION) and all(c.get_attribute("data-status") == "sent" for c in sent)
    assert sum(ref in c.inner_text() for c in sent) >= 3  # submitted twice, information requested
    assert {n["email_address"] for n in stand_in.sent} >= {EMAILS["landowner"]}
    screenshot(page, "outbox-registration-case-worker")
