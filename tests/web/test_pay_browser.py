"""Paying the registration fee by card, clicked through in real Chromium (Debian's, driven by Playwright)
on the GOV.UK Pay stand-in, with the service talking to it through the production adapter over HTTP: the
card declined, then the payment cancelled, then paid; the return page reloaded records one payment; then
the register team refunds a fee paid by card through Pay (the combined case's allocation fee, the
allocation dropped: the only fee the register pays back)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bng.register.core.fees import FeePurpose, fee, pounds
from bng.register.payments.govuk_pay import GovukPay
from bng.register.payments.stand_in import PREFIX, STAND_IN_KEY
from tests.db.fixtures import Register
from tests.register.world import TODAY
from tests.web.fixtures import LiveServer, make_app, screenshot
from tests.web.test_browser import sign_in
from tests.web.test_card_payments import card_paid_allocation_fee_to_refund, counts, registration_fee

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


@pytest.fixture
def pay_live_server(register: Register) -> Iterator[LiveServer]:
    app = make_app(register)
    with LiveServer(app) as server:
        app.config["BNG_BASE_URL"] = server.url  # where Pay sends the payer back (BNG_BASE_URL)
        register.services.card_payments.use(GovukPay(STAND_IN_KEY, server.url + PREFIX))
        yield server
    assert not server.middleware.failures, "invalid HTML served:\n" + "\n".join(server.middleware.failures)


def test_pay_the_registration_fee_by_card(page: Any, pay_live_server: LiveServer, register: Register) -> None:
    world = register.world
    assert world is not None
    server, ref, due = pay_live_server, world.applications["submitted"], registration_fee(register)
    amount = pounds(fee(FeePurpose.REGISTRATION, TODAY))
    received = counts(register, "payment.received")
    sign_in(page, server, "landowner")
    page.goto(f"{server.url}/applications/{ref}")
    assert f"Fee {amount}, payment reference {due.reference}: not yet received" in page.locator("main").inner_text()

    page.get_by_role("button", name=f"Pay {amount} by card").click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{server.url}{PREFIX}/pay/")
    assert "Enter card details" in page.locator("h1").inner_text()
    card = page.locator("main").inner_text()
    assert amount in card and due.reference in card and f"Registration fee for application {ref}" in card
    screenshot(page, "pay-01-stand-in-card-page")
    page.get_by_role("button", name="Decline the card").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your payment was declined"
    assert "No money has been taken (Payment method rejected)" in page.locator("main").inner_text()
    screenshot(page, "pay-02-declined")

    page.get_by_role("button", name="Pay by card").click()  # try again: a new payment at Pay
    page.wait_for_load_state()
    page.get_by_role("button", name="Cancel payment").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your payment was cancelled"
    assert "is still due" in page.locator("main").inner_text()

    page.get_by_role("button", name="Pay by card").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Confirm payment").click()
    page.wait_for_load_state()
    assert "Payment received" in page.locator(".govuk-panel").inner_text()
    assert f"You paid {amount} by card. The fee is recorded as received." in page.locator("main").inner_text()
    screenshot(page, "pay-03-paid")
    for _ in range(5):  # the return page reloaded: still one payment
        page.reload()
        assert "Payment received" in page.locator(".govuk-panel").inner_text()
    assert counts(register, "payment.received") == received + 1
    assert counts(register, "payment.card_started") == 3

    page.get_by_role("link", name="Continue").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert f"Fee {amount}, payment reference {due.reference}: received." in main
    assert "paid by card through GOV.UK Pay on 22 November 2026" in main
    assert page.get_by_role("button", name=f"Pay {amount} by card").count() == 0

    page.goto(f"{server.url}/sign-out")
    sign_in(page, server, "case_worker")
    page.goto(f"{server.url}/review/applications/{ref}")
    assert f"{due.reference}: received on 22 November 2026 by card" in page.locator("main").inner_text()


def test_refund_a_fee_paid_by_card(page: Any, pay_live_server: LiveServer, register: Register) -> None:
    server = pay_live_server
    ref, fee_ref = card_paid_allocation_fee_to_refund(register, server.url)
    sign_in(page, server, "case_worker")
    page.goto(f"{server.url}/review/applications/{ref}")
    assert page.get_by_role("button", name="Record refund").count() == 0  # refunded through Pay, not by hand
    page.get_by_role("button", name="Refund through GOV.UK Pay").click()
    page.wait_for_load_state()
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Refund made through GOV.UK Pay (GOV.UK Pay refund " in banner
    main = page.locator("main").inner_text()
    assert f"{fee_ref}: received on 22 November 2026 by card, refunded on 22 November 2026 by card" in main
    assert page.get_by_role("button", name="Refund through GOV.UK Pay").count() == 0
    screenshot(page, "pay-04-refunded")
