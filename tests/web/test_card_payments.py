"""Card payments through GOV.UK Pay, on SQLite and PostgreSQL + PostGIS: the production adapter
(``GovukPay``, httpx) speaking Pay's documented API over real HTTP to the stand-in served by a live
server; a fee recorded once when Pay says it was paid (never on the browser's word), however often the
payer comes back; a card declined or cancelled leaves the fee due; a refund through Pay's refund
endpoint; and the reconciliation that lists where Pay and the register differ."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bng.db import tables
from bng.register.core.errors import Conflict, NotFound
from bng.register.core.fees import FeePurpose, fee, pounds
from bng.register.core.ports import PayError
from bng.register.payments.govuk_pay import GovukPay
from bng.register.payments.stand_in import PREFIX, STAND_IN_KEY
from tests.db.fixtures import Register
from tests.register.test_combined import allocation as combined_allocation
from tests.register.world import TODAY
from tests.web.fixtures import LiveServer, make_app
from tests.web.test_authorisation import allocation as allocation


@pytest.fixture
def pay_server(register: Register) -> Iterator[LiveServer]:
    """A live server whose service talks to GOV.UK Pay through the production adapter, at the stand-in
    it serves itself: every card payment below crosses real HTTP in Pay's JSON."""
    with LiveServer(make_app(register)) as server:
        register.services.card_payments.use(GovukPay(STAND_IN_KEY, server.url + PREFIX))
        yield server


def card_page(next_url: str, button: str) -> str:
    """Press a button of the stand-in's card page, as a payer's browser would; where it sends them."""
    with httpx.Client() as browser:
        page = browser.get(next_url)
        assert page.status_code == 200 and "Enter card details" in page.text
        forged = browser.post(next_url, data={"outcome": button, "csrf_token": "not-the-page's"})
        assert forged.status_code == 404  # only the card page's own form ends a payment
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        sent = browser.post(next_url, data={"outcome": button, "csrf_token": token.group(1)})
        assert sent.status_code == 302, sent.text
        return sent.headers["location"]


def key_of(return_url: str) -> str:
    return return_url.rstrip("/").rsplit("/", 1)[-1]


def counts(register: Register, action: str) -> int:
    e = tables.audit_event
    with register.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(e).where(e.c.action == action)).scalar_one())


def registration_fee(register: Register) -> Any:
    world = register.world
    assert world is not None
    view = register.services.applications.view(world.actors["landowner"], world.applications["submitted"])
    [due] = [p for p in view.payments if p.purpose == "registration"]
    return due


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_production_adapter_speaks_pays_api_to_the_stand_in(pay_server: LiveServer) -> None:
    pay = GovukPay(STAND_IN_KEY, pay_server.url + PREFIX)
    amount = fee(FeePurpose.REGISTRATION, TODAY)
    made = pay.create(amount, "PAY-TEST-1", "Registration fee", f"{pay_server.url}/payments/card/k")
    assert (made.status, made.finished, made.amount, made.reference) == ("created", False, amount, "PAY-TEST-1")
    assert re.fullmatch(r"[a-z0-9]{26}", made.payment_id)
    assert made.next_url == f"{pay_server.url}{PREFIX}/pay/{made.payment_id}"
    assert pay.get(made.payment_id) == made
    # the raw JSON, as Pay documents it
    raw = httpx.get(f"{pay_server.url}{PREFIX}/v1/payments/{made.payment_id}",
                    headers={"Authorization": f"Bearer {STAND_IN_KEY}"}).json()  # fmt: skip
    assert raw["state"] == {"status": "created", "finished": False} and raw["amount"] == amount
    assert raw["_links"]["next_url"]["href"] == made.next_url and raw["refund_summary"]["amount_available"] == 0

    with pytest.raises(PayError) as refused:
        GovukPay("wrong-key", pay_server.url + PREFIX).get(made.payment_id)
    assert refused.value.status == 401
    with pytest.raises(PayError) as refused:
        pay.create(0, "PAY-TEST-2", "Nothing", f"{pay_server.url}/back")
    assert refused.value.status == 422
    with pytest.raises(PayError) as refused:
        pay.get("no-such-payment")
    assert refused.value.status == 404
    with pytest.raises(PayError) as refused:
        pay.refund(made.payment_id, amount, 0)  # not paid yet
    assert refused.value.status == 400
    with pytest.raises(PayError):
        GovukPay(STAND_IN_KEY, "http://127.0.0.1:9").get(made.payment_id)  # nobody there

    back = card_page(made.next_url, "success")
    assert back == f"{pay_server.url}/payments/card/k"
    paid = pay.get(made.payment_id)
    assert (paid.status, paid.finished, paid.next_url, paid.refund_available) == ("success", True, "", amount)
    with pytest.raises(PayError) as refused:
        pay.refund(made.payment_id, amount, amount - 1)  # not the amount available: Pay refuses
    assert refused.value.status == 412
    refund = pay.refund(made.payment_id, amount, amount)
    assert (refund.amount, refund.status) == (amount, "success") and refund.refund_id
    with pytest.raises(PayError) as refused:
        pay.refund(made.payment_id, amount, amount)  # the same refund again
    assert refused.value.status == 412
    assert pay.get(made.payment_id).refund_available == 0


def test_a_fee_paid_by_card_is_recorded_once(pay_server: LiveServer, register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner = world.actors["landowner"]
    due = registration_fee(register)
    returns: list[str] = []
    next_url = s.card_payments.start(owner, due.reference, lambda k: returns.append(k) or f"{pay_server.url}/x/{k}")
    [key] = returns
    assert next_url.startswith(f"{pay_server.url}{PREFIX}/pay/")
    # the same fee again before it is finished: the payment already started, not a second one
    assert s.card_payments.start(owner, due.reference, lambda k: f"{pay_server.url}/x/{k}") == next_url
    # back without paying (the address typed in): Pay says it is not finished, nothing is recorded
    received = counts(register, "payment.received")
    early = s.card_payments.returned(owner, key)
    assert (early.state.status, early.fee.status, early.card.outcome) == ("created", "due", "")
    card_page(next_url, "success")
    results: list[Any] = []

    def come_back() -> None:
        results.append(s.card_payments.returned(owner, key))

    threads = [threading.Thread(target=come_back) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results += [s.card_payments.returned(owner, key) for _ in range(40)]  # the page reloaded: fifty in all
    assert len(results) == 50 and {(r.state.status, r.fee.status) for r in results} == {("success", "received")}
    assert counts(register, "payment.received") == received + 1
    view = s.applications.view(owner, world.applications["submitted"])
    [paid] = [p for p in view.payments if p.reference == due.reference]
    assert (paid.status, paid.method, paid.received_on) == ("received", "card", TODAY)
    assert [e.message for e in view.events if e.kind == "payment_received"] == [
        f"Registration fee of £639 (payment reference {due.reference}) paid by card through GOV.UK Pay on "
        f"22 November 2026 (Pay's payment id {results[0].card.pay_id})"
    ]
    with pytest.raises(Conflict):  # paid: nothing more to pay
        s.card_payments.start(owner, due.reference, lambda k: f"{pay_server.url}/x/{k}")
    with pytest.raises(NotFound):  # someone else's return address is no page of theirs
        s.card_payments.returned(world.actors["other_landowner"], key)
    with pytest.raises(NotFound):  # nor their fee
        s.card_payments.start(world.actors["other_landowner"], due.reference, lambda k: k)
    assert s.card_payments.reconcile() == []


def test_a_card_declined_or_cancelled_leaves_the_fee_due(pay_server: LiveServer, register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, due = world.actors["landowner"], registration_fee(register)
    received = counts(register, "payment.received")
    for button, message in (("failed", "Payment method rejected"), ("cancelled", "Payment was cancelled by the user")):
        keys: list[str] = []
        next_url = s.card_payments.start(owner, due.reference, lambda k: keys.append(k) or f"{pay_server.url}/x/{k}")
        card_page(next_url, button)
        back = s.card_payments.returned(owner, keys[0])
        assert (back.state.status, back.state.finished, back.state.message) == (button, True, message)
        assert back.fee.status == "due" and back.card.outcome == ""
    assert counts(register, "payment.received") == received
    assert counts(register, "payment.card_started") == 2  # a new payment at Pay for each try


def test_a_success_nobody_came_back_from_is_listed_then_recorded(pay_server: LiveServer, register: Register) -> None:
    """The payer paid and closed the window: reconciliation lists it; a fee settled by hand meanwhile makes
    the card payment one to pay back (listed until refunded); ``bng pay reconcile`` says so and exits 1."""
    world, s = register.world, register.services
    assert world is not None
    owner, worker, due = world.actors["landowner"], world.actors["case_worker"], registration_fee(register)
    received = counts(register, "payment.received")
    keys: list[str] = []
    next_url = s.card_payments.start(owner, due.reference, lambda k: keys.append(k) or f"{pay_server.url}/x/{k}")
    card_page(next_url, "success")
    [listed] = s.card_payments.reconcile()
    assert (listed.fee, listed.ours, listed.pays) == (due.reference, "created", "success (finished)")
    assert listed.why == "paid at GOV.UK Pay, not recorded as received"
    s.payments.record_payment(worker, world.applications["submitted"], TODAY, "bank transfer", due.reference)
    late = s.card_payments.returned(owner, keys[0])
    assert late.card.outcome == "not_needed" and late.fee.method == "bank transfer"
    assert counts(register, "payment.received") == received + 1  # the bank transfer, not the card too
    [listed] = s.card_payments.reconcile()
    assert listed.why == "paid twice: the card payment is to be refunded"

    env = {
        "DATABASE_URL": register.url,
        "BNG_FILE_STORE": str(register.files),
        "BNG_SECRET_KEY": "test-secret",
        "BNG_BASE_URL": pay_server.url,  # the running service's stand-in
        "GOVUK_PAY_API_KEY": "",
    }
    from bng.cli import app

    result = CliRunner().invoke(app, ["pay", "reconcile"], env=env)
    assert result.exit_code == 1, result.output
    assert f"{due.reference}  Pay {late.card.pay_id}: ours success (finished)" in result.output
    assert "paid twice: the card payment is to be refunded" in result.output
    assert "1 card payment differs" in result.output


def card_paid_allocation_fee_to_refund(register: Register, server_url: str) -> tuple[str, str]:
    """The combined case: both fees due, the £45 allocation fee paid by card through Pay, the £639 by bank
    transfer, further information asked for and the allocation dropped: the £45 is to be refunded.
    (application, the allocation fee's payment reference)"""
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    s.applications.save_section(owner, ref, "allocation", combined_allocation(register))
    view = s.applications.submit(owner, ref)
    by_purpose = {p.purpose: p for p in view.payments}
    keys: list[str] = []
    next_url = s.card_payments.start(
        owner, by_purpose["allocation"].reference, lambda k: keys.append(k) or f"{server_url}/x/{k}"
    )
    card_page(next_url, "success")
    assert s.card_payments.returned(owner, keys[0]).card.outcome == "recorded"
    s.payments.record_payment(worker, ref, TODAY, "bank transfer", by_purpose["registration"].reference)
    s.review.request_information(worker, ref, "Check the development's grid reference")
    view = s.applications.save_section(owner, ref, "allocation", {"allocate": "no"})
    [fee_due] = [p for p in view.payments if p.purpose == "allocation"]
    assert view.fee_standing(fee_due) == "to_refund"
    return ref, fee_due.reference


def test_a_fee_paid_by_card_is_refunded_through_pay(pay_server: LiveServer, register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    worker = world.actors["case_worker"]
    ref, fee_ref = card_paid_allocation_fee_to_refund(register, pay_server.url)
    with pytest.raises(Conflict):  # a fee paid by bank transfer is refunded by hand
        s.card_payments.refund(worker, registration_fee_of(register, ref), ref)
    refunded = counts(register, "payment.refunded")
    made = s.card_payments.refund(worker, fee_ref, ref)
    assert made.method == "card" and made.refunded_on == TODAY
    assert re.fullmatch(r"GOV\.UK Pay refund [a-z0-9]{26}", made.reference)
    [card] = s.card_payments.paid_by_card([made.payment_id]).values()
    assert (card.refund_id, card.refund_status) == (made.reference.rsplit(" ", 1)[1], "success")
    assert GovukPay(STAND_IN_KEY, pay_server.url + PREFIX).get(card.pay_id).refund_available == 0
    with pytest.raises(Conflict):  # refunded: not again
        s.card_payments.refund(worker, fee_ref, ref)
    assert counts(register, "payment.refunded") == refunded + 1
    assert s.card_payments.reconcile() == []


def registration_fee_of(register: Register, ref: str) -> str:
    world = register.world
    assert world is not None
    view = register.services.applications.view(world.actors["landowner"], ref)
    return next(p.reference for p in view.payments if p.purpose == "registration")


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_pay_by_card_twice_from_one_page_starts_one_payment(client: Any, register: Register) -> None:
    """The "Pay by card" form sent twice (a double click) starts one payment at Pay and sends both to it;
    sent without its one-time token, it starts nothing (the app's own stand-in, in process)."""
    world = register.world
    assert world is not None
    due = registration_fee(register)
    client.sign_in("landowner")
    page = f"/applications/{world.applications['submitted']}"
    with register.database.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(tables.card_payment)).scalar_one()
    refused = client.post(f"/payments/{due.reference}/card", data={"csrf_token": client.csrf(page)})
    assert refused.status_code == 400
    sent = {**client.tokens(page)}
    first, second = (client.post(f"/payments/{due.reference}/card", data=sent) for _ in range(2))
    assert first.status_code == second.status_code == 302 and first.location == second.location
    assert "/pay-stand-in/pay/" in first.location
    with register.database.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tables.card_payment)).scalar_one() == before + 1
    assert client.get(first.location.replace("http://127.0.0.1:8000", "")).status_code == 200  # its card page


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_allocation_fee_paid_by_card_on_the_stand_in_that_starts_by_itself(
    client: Any, register: Register, allocation: str
) -> None:
    """No GOV.UK Pay key configured: the app's own stand-in, in process. The developer pays the £45 fee of
    their allocation by card from its page, on the stand-in's card page, and comes back to it paid."""
    amount = pounds(fee(FeePurpose.ALLOCATION, TODAY))
    client.sign_in("developer")
    page = f"/allocations/{allocation}"
    assert f"Pay {amount} by card" in client.get(page).get_data(as_text=True)
    action = re.search(r'action="(/payments/PAY-[^"]+/card)"', client.get(page).get_data(as_text=True))
    assert action
    started = client.post(action.group(1), data=client.tokens(page))
    assert started.status_code == 302
    card = started.location.removeprefix("http://127.0.0.1:8000")
    assert card.startswith(f"{PREFIX}/pay/")
    form = client.get(card).get_data(as_text=True)
    assert amount in form and "Allocation fee for an allocation of biodiversity units" in form
    *_, token = re.findall(r'name="csrf_token" value="([^"]+)"', form)  # the card form's, after sign-out's
    back = client.post(card, data={"outcome": "success", "csrf_token": token})
    assert back.status_code == 302 and back.location.startswith("http://localhost/payments/card/")
    paid = client.get(back.location.removeprefix("http://localhost"))
    text = paid.get_data(as_text=True)
    assert paid.status_code == 200 and "Payment received" in text and f'href="/allocations/{allocation}"' in text
    shown = client.get(page).get_data(as_text=True)
    assert f"{amount} received on 22 November 2026 by card" in shown and f"Pay {amount} by card" not in shown
