"""The rest of payments (issue 13): overpayments and part refunds recorded by the register team, with their
arithmetic; the register's bank details, dated, printed on invoice PDFs (read back with pypdf) for a credit
order's invoice and an application's fees. SQLite and PostgreSQL + PostGIS."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import func, select

from bng.db.money_tables import money_adjustment
from bng.register.core.adjustments import Adjustment, Kind, balance, parse_pence, short_of_whole_refund
from bng.register.core.errors import Conflict, Forbidden, Invalid
from bng.register.core.fees import pounds
from bng.register.credits.amounts import TIERS
from tests.db.fixtures import Register
from tests.register.world import TODAY
from tests.web.fixtures import CheckedClient

BANK = {
    "valid_from": date(2026, 1, 1),
    "account_name": "Natural England BNG Register",
    "bank_name": "Government Banking Service",
    "sort_code": "60-70-80",
    "account_number": "1000 2345",
    "iban": "GB33 BUKB 2020 1555 5555 55",
    "bic": "",
    "source": "Natural England finance team, letter of 1 December 2026",
}
LATER_BANK = {**BANK, "valid_from": date(2026, 12, 1), "account_number": "99998888", "source": "New account"}


def _adjustment(kind: Kind, pence: int) -> Adjustment:
    return Adjustment(kind, pence, TODAY, "bank transfer", "REF", datetime(2026, 11, 22), None, payment_id=1)


# -- the arithmetic ------------------------------------------------------------------------------------------


def test_an_overpayment_then_its_part_refund() -> None:
    paid = balance(63_900, 63_900, 0, [])
    assert (paid.held, paid.outstanding, paid.owed_back) == (63_900, 0, 0)
    over = balance(63_900, 63_900, 0, [_adjustment(Kind.OVERPAYMENT, 6_100)])
    assert (over.received, over.held, over.owed_back) == (70_000, 70_000, 6_100)
    back = balance(63_900, 63_900, 0, [_adjustment(Kind.OVERPAYMENT, 6_100), _adjustment(Kind.PART_REFUND, 6_100)])
    assert (back.refunded, back.held, back.outstanding, back.owed_back) == (6_100, 63_900, 0, 0)


def test_a_fee_no_longer_owed_part_refunded_then_the_rest() -> None:
    """The £45 no longer owed: £20 paid back, £25 still to pay back; a whole refund of £45 would be £20 too many."""
    part = balance(0, 4_500, 0, [_adjustment(Kind.PART_REFUND, 2_000)])
    assert (part.held, part.owed_back, part.outstanding) == (2_500, 2_500, 0)
    rest = balance(0, 4_500, 0, [_adjustment(Kind.PART_REFUND, 2_000), _adjustment(Kind.PART_REFUND, 2_500)])
    assert (rest.held, rest.owed_back) == (0, 0)
    whole = balance(0, 4_500, 4_500, [])
    assert (whole.held, whole.owed_back) == (0, 0)


def test_an_underpayment_is_still_to_be_paid() -> None:
    short = balance(63_900, 63_900, 0, [_adjustment(Kind.PART_REFUND, 900)])
    assert (short.held, short.outstanding, short.owed_back) == (63_000, 900, 0)


@given(
    charged=st.integers(0, 10**9),
    paid=st.integers(0, 10**9),
    whole=st.integers(0, 10**9),
    moves=st.lists(st.tuples(st.sampled_from(list(Kind)), st.integers(1, 10**8)), max_size=8),
)
def test_the_balance_always_adds_up(charged: int, paid: int, whole: int, moves: list[tuple[Kind, int]]) -> None:
    b = balance(charged, paid, whole, [_adjustment(k, p) for k, p in moves])
    over = sum(p for k, p in moves if k == Kind.OVERPAYMENT)
    part = sum(p for k, p in moves if k == Kind.PART_REFUND)
    assert b.received == paid + over and b.refunded == whole + part
    assert b.held == paid + over - whole - part
    assert b.owed_back - b.outstanding == b.held - charged  # one of them is the difference, the other nothing
    assert min(b.owed_back, b.outstanding) == 0


@pytest.mark.parametrize(
    ("text", "pence"), [("45", 4_500), ("£12.50", 1_250), ("1,234.5", 123_450), (" £ 0.01 ", 1), ("639.00", 63_900)]
)
def test_amounts_in_pounds(text: str, pence: int) -> None:
    assert parse_pence(text) == pence


@pytest.mark.parametrize("text", ["", "0", "-5", "12.345", "1e3", "12,34", "£", "abc", "1000000001"])
def test_amounts_that_are_not(text: str) -> None:
    with pytest.raises(Invalid) as err:
        parse_pence(text)
    assert err.value.problems[0].field == "amount"


# -- recorded by the register team ---------------------------------------------------------------------------


def _registration_fee(register: Register) -> str:
    world = register.world
    assert world is not None
    view = register.services.applications.view(world.actors["landowner"], world.applications["accepted"])
    [fee] = view.payments
    assert fee.status == "received"
    return fee.reference


def _adjustments(register: Register) -> int:
    with register.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(money_adjustment)).scalar_one())


def test_an_overpayment_and_its_part_refund_recorded(register: Register) -> None:
    world = register.world
    assert world is not None
    money, worker = register.services.money, world.actors["case_worker"]
    fee = _registration_fee(register)
    over = money.record(worker, fee, "overpayment", "61", TODAY, "bank transfer", "BACS 123")
    assert (over.balance.received, over.balance.owed_back) == (70_000, 6_100)
    with pytest.raises(Invalid) as err:  # more than the register holds
        money.record(worker, fee, "part_refund", "700.01", TODAY, "bank transfer", "BACS 124")
    assert err.value.problems[0].field == "amount" and "£700" in err.value.message
    back = money.record(worker, fee, "part_refund", "£61.00", TODAY, "bank transfer", "BACS 124")
    assert (back.balance.held, back.balance.owed_back, back.balance.outstanding) == (63_900, 0, 0)
    assert [a.kind for a in money.account(worker, fee).adjustments] == ["overpayment", "part_refund"]
    with pytest.raises(Invalid) as err:  # before the fee was received
        money.record(worker, fee, "overpayment", "1", date(2020, 1, 1), "card", "X")
    assert err.value.problems[0].field == "on"
    with pytest.raises(Invalid) as err:  # every problem at once
        money.record(worker, fee, "", "", None, "", "")
    assert {p.field for p in err.value.problems} == {"kind", "amount", "on", "method", "reference"}
    with pytest.raises(Forbidden):
        money.record(world.actors["landowner"], fee, "overpayment", "1", TODAY, "card", "X")
    assert _adjustments(register) == 2


def test_nothing_is_paid_back_before_it_is_received(register: Register) -> None:
    world = register.world
    assert world is not None
    view = register.services.applications.view(world.actors["landowner"], world.applications["submitted"])
    with pytest.raises(Conflict):
        register.services.money.record(
            world.actors["case_worker"], view.payments[0].reference, "part_refund", "1", TODAY, "card", "X"
        )
    assert _adjustments(register) == 0


def test_a_whole_refund_after_a_part_refund_is_refused(register: Register) -> None:
    world = register.world
    assert world is not None
    worker = world.actors["case_worker"]
    fee = _registration_fee(register)
    register.services.money.record(worker, fee, "part_refund", "100", TODAY, "bank transfer", "BACS 9")
    payment = register.services.applications.view(world.actors["landowner"], world.applications["accepted"])
    p = payment.payments[0]
    assert p.id is not None
    with register.services.uow() as uow:
        assert short_of_whole_refund(uow, p.id, p.amount_pence, True) == 10_000


def test_a_credit_orders_overpayment(register: Register) -> None:
    world = register.world
    assert world is not None
    sent = world.credit_orders["sent"]
    worker = world.actors["case_worker"]
    account = register.services.money.record(worker, sent, "overpayment", "10", TODAY, "bank transfer", "BACS 5")
    order = register.services.credits.orders.view(worker, sent)
    assert order.invoice is not None
    total = order.invoice.total_pence
    assert (account.balance.charged, account.balance.received, account.balance.owed_back) == (
        total,
        total + 1_000,
        1_000,
    )


def test_the_money_page_records_once(register: Register, client: CheckedClient) -> None:
    fee = _registration_fee(register)
    client.sign_in("case_worker")
    page = f"/review/money/{fee}"
    assert "Overpayments and part refunds" in client.get(
        f"/review/applications/{register.world.applications['accepted'] if register.world else ''}"
    ).get_data(as_text=True)
    tokens = client.tokens(page)
    answers = {"kind": "overpayment", "amount": "61", "on": ["22", "11", "2026"],
               "method": "bank transfer", "reference": "BACS 77"}  # fmt: skip
    posted = [client.post(page, data={**tokens, **answers}) for _ in range(2)]
    assert [r.status_code for r in posted] == [302, 302]
    assert _adjustments(register) == 1
    shown = client.get(page).get_data(as_text=True)
    assert "BACS 77" in shown and "£61" in shown
    bad = client.post(page, data={**client.tokens(page), **answers, "amount": "lots"})
    assert bad.status_code == 400 and "Enter the amount in pounds" in bad.get_data(as_text=True)
    assert _adjustments(register) == 1


# -- bank details and invoices --------------------------------------------------------------------------------


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_credit_invoice_prints_the_bank_details_in_force_when_it_was_issued(
    register: Register, client: CheckedClient
) -> None:
    world = register.world
    assert world is not None
    client.sign_in("case_worker")
    saved = client.form("/review/remittance", {**BANK, "valid_from": ["1", "1", "2026"]}, "/review/remittance")
    assert saved.status_code == 302
    register.services.remittances.add(world.actors["case_worker"], LATER_BANK)  # from after the invoice was issued
    assert "60-70-80" in client.get("/review/remittance").get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": client.csrf("/account")})

    client.sign_in("developer")
    sent = world.credit_orders["sent"]
    order = register.services.credits.orders.view(world.actors["developer"], sent)
    assert order.invoice is not None
    response = client.get(f"/credits/orders/{sent}/invoice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    total = order.invoice.total_pence
    assert f"£{total // 100:,}.{total % 100:02d}" in text
    assert order.invoice.number in text and sent in text and "Mill Lane (sent)" in text
    assert "Natural England BNG Register" in text and "60-70-80" in text and "10002345" in text
    assert "GB33BUKB20201555555555" in text
    assert "99998888" not in text  # the account from a later date is not this invoice's
    assert f"quoting {sent}" in text and "Pay by card" in text
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.metadata is not None and reader.metadata.title == f"Invoice {order.invoice.number}"


def test_an_application_invoice_without_bank_details_says_so(register: Register, client: CheckedClient) -> None:
    world = register.world
    assert world is not None
    submitted = world.applications["submitted"]
    view = register.services.applications.view(world.actors["landowner"], submitted)
    client.sign_in("landowner")
    assert "invoice.pdf" in client.get(f"/applications/{submitted}").get_data(as_text=True)
    text = _text(client.get(f"/applications/{submitted}/invoice.pdf").data)
    assert "Registration fee" in text and view.payments[0].reference in text and "£639.00" in text
    assert "bank details for a transfer have not been set" in text
    with pytest.raises(Conflict):  # nothing due on the accepted application
        register.services.invoices.application_invoice(
            world.actors["landowner"], world.applications["accepted"], "http://localhost/"
        )


def test_bank_details_are_checked(register: Register) -> None:
    world = register.world
    assert world is not None
    with pytest.raises(Invalid) as err:
        register.services.remittances.add(
            world.actors["case_worker"],
            {
                **BANK,
                "valid_from": None,
                "sort_code": "12345",
                "account_number": "x",
                "iban": "NOTANIBAN",
                "source": "",
            },
        )
    assert {p.field for p in err.value.problems} == {"valid_from", "sort_code", "account_number", "iban", "source"}
    with pytest.raises(Forbidden):
        register.services.remittances.add(world.actors["developer"], BANK)


# -- a credit invoice paid by card ----------------------------------------------------------------------------


def _invoiced(register: Register, cheap: bool = True) -> tuple[str, int]:
    """The submitted order, its due diligence passed and its invoice issued: its reference and total. ``cheap``:
    at a price of £10 a credit from today (the real prices make an invoice beyond GOV.UK Pay's £100,000)."""
    world = register.world
    assert world is not None
    reference = world.credit_orders["submitted"]
    if cheap:
        for tier in TIERS:
            register.services.credits.prices.add_price(world.actors["case_worker"], tier, "10", TODAY, "A test")
    f = register.services.credits.fulfilment
    f.decide_due_diligence(world.actors["case_worker"], reference, "passed", "")
    return reference, f.issue_invoice(world.actors["case_worker"], reference).total_pence


def _pay_on_the_stand_in(client: CheckedClient, page: str, action: str, outcome: str = "success") -> str:
    started = client.post(action, data=client.tokens(page))
    assert started.status_code == 302, started.get_data(as_text=True)[:500]
    card = started.location.removeprefix("http://127.0.0.1:8000")
    assert card.startswith("/pay-stand-in/pay/")
    form = client.get(card).get_data(as_text=True)
    *_, token = re.findall(r'name="csrf_token" value="([^"]+)"', form)
    back = client.post(card, data={"outcome": outcome, "csrf_token": token})
    assert back.status_code == 302 and back.location.startswith("http://localhost/payments/card/")
    return str(back.location.removeprefix("http://localhost"))


def test_a_credit_invoice_paid_by_card_moves_the_order_to_paid_once(register: Register, client: CheckedClient) -> None:
    world = register.world
    assert world is not None
    reference, total = _invoiced(register)
    client.sign_in("developer")
    page = f"/credits/orders/{reference}"
    amount = f"Pay {pounds(total)} by card"
    assert amount in client.get(page).get_data(as_text=True)
    action = f"/credits/orders/{reference}/pay-by-card"
    declined = _pay_on_the_stand_in(client, page, action, "failed")
    client.get(declined)
    order = register.services.credits.orders.view(world.actors["developer"], reference)
    assert order.order.status == "invoice_issued"  # a declined card changes nothing
    returned = _pay_on_the_stand_in(client, page, action)
    for _ in range(3):  # the return page reloaded: recorded once
        assert client.get(returned).status_code == 200
    assert f'href="/credits/orders/{reference}"' in client.get(returned).get_data(as_text=True)
    order = register.services.credits.orders.view(world.actors["developer"], reference)
    assert (order.order.status, order.order.payment_method, order.order.paid_on) == ("paid", "card", TODAY)
    assert [e.kind for e in order.events].count("paid") == 1
    assert amount not in client.get(page).get_data(as_text=True)
    assert register.services.card_payments.reconcile() == []
    account = register.services.money.account(world.actors["case_worker"], reference)
    assert (account.balance.charged, account.balance.held, account.balance.owed_back) == (total, total, 0)


def test_a_card_payment_after_a_transfer_is_paid_twice_and_listed(register: Register, client: CheckedClient) -> None:
    world = register.world
    assert world is not None
    reference, total = _invoiced(register)
    client.sign_in("developer")
    page = f"/credits/orders/{reference}"
    started = client.post(f"/credits/orders/{reference}/pay-by-card", data=client.tokens(page))
    assert started.status_code == 302
    register.services.credits.fulfilment.record_payment(world.actors["case_worker"], reference, TODAY, total)
    card = started.location.removeprefix("http://127.0.0.1:8000")
    *_, token = re.findall(r'name="csrf_token" value="([^"]+)"', client.get(card).get_data(as_text=True))
    back = client.post(card, data={"outcome": "success", "csrf_token": token})
    client.get(back.location.removeprefix("http://localhost"))
    order = register.services.credits.orders.view(world.actors["developer"], reference)
    assert (order.order.status, order.order.payment_method) == ("paid", "bank transfer")  # not paid twice
    [twice] = register.services.card_payments.reconcile()
    assert "paid twice" in twice.why


def test_only_an_open_invoice_of_ones_own_is_paid_by_card(register: Register) -> None:
    world = register.world
    assert world is not None
    card = register.services.credit_card
    with pytest.raises(Conflict):  # paid already
        card.fee_for(world.actors["developer"], world.credit_orders["sent"])
    with pytest.raises(Conflict):  # no invoice yet
        card.fee_for(world.actors["developer"], world.credit_orders["submitted"])
    big, total = _invoiced(register, cheap=False)
    assert total > 10_000_000
    with pytest.raises(Conflict) as err:  # more than GOV.UK Pay takes in one payment
        card.fee_for(world.actors["developer"], big)
    assert "up to £100,000" in err.value.message and "bank transfer" in err.value.message


def test_an_invoice_of_ones_own_gets_one_fee(register: Register) -> None:
    world = register.world
    assert world is not None
    card = register.services.credit_card
    reference, _ = _invoiced(register)
    first = card.fee_for(world.actors["developer"], reference)
    assert card.fee_for(world.actors["developer"], reference) == first  # one fee per order
    with pytest.raises(Forbidden):
        card.fee_for(world.actors["landowner"], reference)


def test_a_whole_refund_after_part_of_the_fee_was_paid_back_is_refused(register: Register) -> None:
    """The combined case's £45 no longer owed (the allocation dropped): £20 paid back by hand, then the whole
    refund is refused (it would pay back £20 twice); the rest goes back as a part refund, and nothing is owed."""
    from tests.register.test_refunds import to_refund

    world = register.world
    assert world is not None
    worker = world.actors["case_worker"]
    application, fee = to_refund(register)
    register.services.money.record(worker, fee, "part_refund", "20", TODAY, "bank transfer", "BACS 20")
    with pytest.raises(Conflict) as err:
        register.services.payments.record_refund(worker, fee, TODAY, "bank transfer", "BACS 45")
    assert "£20" in err.value.message and "part refund" in err.value.message
    rest = register.services.money.record(worker, fee, "part_refund", "25", TODAY, "bank transfer", "BACS 25")
    assert (rest.balance.charged, rest.balance.held, rest.balance.owed_back) == (0, 0, 0)
    with pytest.raises(Invalid):  # nothing more is held
        register.services.money.record(worker, fee, "part_refund", "0.01", TODAY, "bank transfer", "BACS 1")
    assert application


def test_the_combined_cases_invoice_bills_both_fees(register: Register, client: CheckedClient) -> None:
    """Register and allocate in one application: the registration fee and the allocation fee, each with its
    payment reference, on one invoice, and each payable by card on the application's page."""
    from tests.register.test_refunds import allocation

    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["ready"]
    s.applications.save_section(owner, ref, "allocation", allocation(register))
    s.applications.submit(owner, ref)
    fees = {p.purpose: p for p in s.applications.view(owner, ref).payments}
    assert set(fees) == {"registration", "allocation"}
    client.sign_in("landowner")
    page = client.get(f"/applications/{ref}").get_data(as_text=True)
    assert page.count("by card") >= 2
    text = _text(client.get(f"/applications/{ref}/invoice.pdf").data)
    assert "Invoice: register and allocate" in text
    assert "Registration fee" in text and fees["registration"].reference in text and "£639.00" in text
    assert "Allocation fee" in text and fees["allocation"].reference in text and "£45.00" in text
    assert "£684.00" in text and "bank details for a transfer have not been set" in text  # none added here
