"""Orders of statutory biodiversity credits through the services, on SQLite and PostgreSQL + PostGIS:
the journey, every refusal, the database's own refusals, the audit log, and prices that change."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Forbidden, Invalid, NotFound
from bng.register.credits.records import ENDED, TRANSITIONS, CreditInvoice, OrderStatus
from tests.credits.pdf import pdf_text
from tests.credits.world import METRIC, answer_all, metric_upload
from tests.db.fixtures import Register
from tests.register.world import TODAY

S = OrderStatus


def _actors(register: Register) -> dict[str, Actor]:
    assert register.world is not None
    return register.world.actors


def _credits(register: Register) -> Any:
    return register.services.credits


def _snapshot(register: Register) -> dict[str, Any]:
    """Every credit table's rows, the audit log's length and the stored files: what must not move."""
    tables = (
        "credit_order", "credit_order_line", "credit_customer", "credit_invoice", "credit_invoice_line",
        "credit_proof", "credit_order_event", "credit_price", "credit_vat_rate", "stored_file",
    )  # fmt: skip
    with register.database.engine.connect() as conn:
        out: dict[str, Any] = {t: conn.execute(text(f"SELECT * FROM {t} ORDER BY id")).all() for t in tables}
        out["audit"] = conn.execute(text("SELECT count(*) FROM audit_event")).scalar()
    out["files"] = sorted(p.name for p in register.files.rglob("*") if p.is_file())
    return out


def _new_order(register: Register, **overrides: Any) -> str:
    actors = _actors(register)
    reference: str = _credits(register).orders.start(actors["developer"]).reference
    assert register.world is not None
    answer_all(register.services, actors["developer"], reference, register.world.lpa_ids["Cambridge LPA"], **overrides)
    return reference


def _invoiced(register: Register) -> tuple[str, CreditInvoice]:
    """A new order taken as far as its invoice: submitted, checks passed, invoice issued."""
    actors = _actors(register)
    fulfilment = _credits(register).fulfilment
    reference = _new_order(register)
    _credits(register).orders.submit(actors["developer"], reference)
    fulfilment.decide_due_diligence(actors["case_worker"], reference, "passed", "")
    return reference, fulfilment.issue_invoice(actors["case_worker"], reference)


def test_the_world_holds_orders_in_their_states(register: Register) -> None:
    assert register.world is not None
    orders = register.world.credit_orders
    cw = _actors(register)["case_worker"]
    view = _credits(register).fulfilment.case(cw, orders["sent"])
    assert view.status == S.SENT_TO_LPA and view.proof is not None and view.invoice is not None
    assert [e.kind for e in view.events] == [
        "started", "submitted", "due_diligence_passed", "invoice_issued", "paid", "allocated", "sent_to_lpa",
    ]  # fmt: skip
    assert {line.tier: line.quantity_hundredths for line in view.lines} == {
        "A1": 2428, "A2": 720, "A3": 1080, "A4": 480, "H": 264, "W": 176,
    }  # fmt: skip
    # prices of the seeded table on 22 November 2026, VAT not payable since 2 September 2025
    assert view.invoice.subtotal_pence == 319_912_000 and view.invoice.vat_pence == 0
    assert view.invoice.valid_until == TODAY + timedelta(days=90)
    assert view.order.register_search["lpa"] == "Cambridge LPA"
    assert {f["reference"] for f in view.order.register_search["found"]} == {register.world.site}


def test_every_transition_is_audited_with_before_and_after(register: Register) -> None:
    assert register.world is not None
    cw = _actors(register)["case_worker"]
    page = register.services.audit.recent(cw, 1, "credit_order", register.world.credit_orders["sent"])
    actions = [e.action for e in reversed(page.items)]
    moves = [a for a in actions if a.split(".")[1] in set(S)]
    assert moves == [
        "credit_order.submitted", "credit_order.due_diligence_passed", "credit_order.invoice_issued",
        "credit_order.paid", "credit_order.allocated", "credit_order.sent_to_lpa",
    ]  # fmt: skip
    for e in page.items:
        if e.action in moves:
            assert e.before is not None and e.after is not None
            assert e.after["status"] == e.action.split(".")[1] and e.before["status"] != e.after["status"]
    assert actions.count("credit_order.section_saved") == 7 and actions[0] == "credit_order.started"


def test_an_agent_or_landowner_may_not_buy_credits(register: Register) -> None:
    with pytest.raises(Forbidden):
        _credits(register).orders.start(_actors(register)["landowner"])
    with pytest.raises(NotFound):  # nor see the developer's order
        _credits(register).orders.view(_actors(register)["landowner"], register.world.credit_orders["draft"])  # type: ignore[union-attr]


def test_refusals_name_the_field_and_change_nothing(register: Register) -> None:
    developer = _actors(register)["developer"]
    orders = _credits(register).orders
    reference = orders.start(developer).reference
    before = _snapshot(register)
    cases: list[tuple[str, dict[str, Any], dict[str, Any], str, str]] = [
        ("development", {"lpa_id": "999999", "planning_reference": "x", "development_name": "y"}, {}, "lpa_id", "LPA"),
        ("development", {"lpa_id": "1", "planning_reference": "", "development_name": "y"}, {}, "planning_reference",
         "planning application reference"),
        ("metric", {}, {}, "metric_file", "Upload"),
        ("metric", {}, metric_upload(METRIC.with_name("pub-35-vhigh-loss.site.json")), "metric_file",
         "very high distinctiveness"),
        ("metric", {}, metric_upload(METRIC.with_name("pub-06-small.site.json")), "metric_file", "problem"),
        ("metric", {}, metric_upload(METRIC.with_name("pub-08-small.site.json")), "metric_file", "no unit shortfall"),
        ("quantities", {"quantity_A1": "3"}, {}, "quantity_A1", "metric first"),
        ("due-diligence", {"customer_type": "individual", "full_name": "A Person", "nationality": "British",
                           "date_of_birth": TODAY - timedelta(days=365 * 17)}, {}, "date_of_birth", "18 or older"),
        ("due-diligence", {"customer_type": "organisation", "organisation_name": "X Ltd",
                           "organisation_number": "12 34 5678 9!"}, {}, "organisation_number", "registration number"),
        ("terms", {"confirm": ["terms"]}, {}, "confirm", "own development"),
    ]  # fmt: skip
    for key, data, files, field, words in cases:
        with pytest.raises(Invalid) as err:
            orders.save_section(developer, reference, key, data, files)
        fields = {p.field for p in err.value.problems}
        assert field in fields, (key, err.value.problems)
        assert any(words in p.message for p in err.value.problems), (key, err.value.problems)
    with pytest.raises(Invalid) as err:
        orders.submit(developer, reference)
    assert {p.field for p in err.value.problems} >= {"development", "metric", "terms"}
    assert _snapshot(register) == before


def test_quantities_may_be_raised_never_lowered(register: Register) -> None:
    developer = _actors(register)["developer"]
    reference = _new_order(register, quantities={"quantity_A5": "0.5", "quantity_A1": "25"})
    view = _credits(register).orders.own(developer, reference)
    assert _credits(register).orders.quantities(view)["A5"] == 50
    with pytest.raises(Invalid) as err:
        _credits(register).orders.save_section(developer, reference, "quantities", {"quantity_A1": "24.27"})
    assert err.value.problems[0].field == "quantity_A1" and "needs 24.28 credits" in err.value.problems[0].message
    # a new metric clears quantities typed for the old one
    _credits(register).orders.save_section(
        developer, reference, "metric", {}, metric_upload(METRIC.with_name("pub-40-trees.site.json"))
    )
    view = _credits(register).orders.own(developer, reference)
    assert "quantities" not in view.order.answers
    with pytest.raises(Invalid, match="not complete"):
        _credits(register).orders.submit(developer, reference)


def test_illegal_moves_are_refused_by_the_service(register: Register) -> None:
    assert register.world is not None
    actors, orders = _actors(register), register.world.credit_orders
    cw, developer = actors["case_worker"], actors["developer"]
    f, o = _credits(register).fulfilment, _credits(register).orders
    before = _snapshot(register)
    refused: list[tuple[Any, tuple[Any, ...]]] = [
        (f.issue_invoice, (cw, orders["submitted"])),
        (f.allocate, (cw, orders["submitted"])),
        (f.send_to_lpa, (cw, orders["submitted"])),
        (f.record_payment, (cw, orders["submitted"], TODAY, 1)),
        (f.refund, (cw, orders["submitted"], "no")),
        (f.decide_due_diligence, (cw, orders["sent"], "passed", "")),
        (f.cancel, (cw, orders["sent"], "no")),
        (o.withdraw, (developer, orders["sent"])),
        (o.submit, (developer, orders["submitted"])),
        (o.save_section, (developer, orders["submitted"], "purchase-order", {"purchase_order": "X"})),
    ]
    for action, args in refused:
        with pytest.raises(Conflict):
            action(*args)
    with pytest.raises(NotFound):  # the register team do not see drafts
        f.case(cw, orders["draft"])
    assert _snapshot(register) == before


def _status_sql(register: Register, reference: str, status: str) -> None:
    with register.database.engine.begin() as conn:
        conn.execute(text("UPDATE credit_order SET status = :s WHERE reference = :r"), {"s": status, "r": reference})


def test_the_database_refuses_illegal_moves_and_changes_to_what_was_written(register: Register) -> None:
    assert register.world is not None
    orders = register.world.credit_orders
    before = _snapshot(register)
    for reference, current in ((orders["sent"], S.SENT_TO_LPA), (orders["submitted"], S.SUBMITTED)):
        for status in S:
            if status == current or status in TRANSITIONS[current]:
                continue
            with pytest.raises(Exception, match="statutory credit order: "):
                _status_sql(register, reference, status.value)
    statements = [
        "UPDATE credit_invoice_line SET unit_price_pence = unit_price_pence + 1",
        "UPDATE credit_invoice SET total_pence = 1",
        "DELETE FROM credit_order_event",
        "DELETE FROM credit_proof",
        "UPDATE credit_order_line SET quantity_hundredths = quantity_hundredths + 1",
        f"UPDATE credit_order SET planning_reference = 'other' WHERE reference = '{orders['submitted']}'",
        f"UPDATE credit_order SET status = 'invoice_issued', due_diligence_on = '2026-11-22' "
        f"WHERE reference = '{orders['submitted']}'",  # no invoice
    ]
    for sql in statements:
        with pytest.raises(Exception, match="statutory credit order"), register.database.engine.begin() as conn:
            conn.execute(text(sql))
    assert _snapshot(register) == before


def test_a_price_change_with_a_later_date_does_not_alter_an_invoiced_order(register: Register) -> None:
    cw = _actors(register)["case_worker"]
    c = _credits(register)
    reference, invoice = _invoiced(register)
    lines = [
        (x.tier, x.quantity_hundredths, x.unit_price_pence, x.amount_pence)
        for x in c.fulfilment.case(cw, reference).invoice_lines
    ]
    assert ("A1", 2428, 4_200_000, 101_976_000) in lines

    # the operator raises A1 from 1 December 2026, and brings VAT back at 20 % from the same day
    c.prices.add_price(cw, "A1", "50,000", date(2026, 12, 1), "test: a price review")
    c.prices.add_vat_rate(cw, "20", date(2026, 12, 1), "test: a change of VAT")
    register.clock.now = datetime(2026, 12, 15, 9, 0)
    estimate = c.estimates.from_quantities({"quantity_A1": "24.28"})
    assert estimate.quote.lines[0].unit_price_pence == 5_000_000 and estimate.quote.vat_basis_points == 2000

    view = c.fulfilment.case(cw, reference)
    assert [(x.tier, x.quantity_hundredths, x.unit_price_pence, x.amount_pence) for x in view.invoice_lines] == lines
    assert (view.invoice.subtotal_pence, view.invoice.vat_pence, view.invoice.total_pence) == (
        invoice.subtotal_pence, invoice.vat_pence, invoice.total_pence,
    )  # fmt: skip
    c.fulfilment.record_payment(cw, reference, date(2026, 12, 14), invoice.total_pence)
    c.fulfilment.allocate(cw, reference)
    _stored, pdf = c.fulfilment.proof(cw, reference)
    words = pdf_text(pdf)
    assert "£42,000.00" in words and "£50,000.00" not in words
    assert f"£{invoice.total_pence // 100:,}.{invoice.total_pence % 100:02d}" in words and "VAT (0 %)" in words


def test_prices_in_force_cannot_be_changed_only_followed(register: Register) -> None:
    cw = _actors(register)["case_worker"]
    prices = _credits(register).prices
    table = prices.table()
    a1 = table.current["A1"]
    with pytest.raises(Conflict, match="add a new price instead"):
        prices.remove_price(cw, a1.id)
    with pytest.raises(Invalid) as err:
        prices.add_price(cw, "A1", "45000", TODAY - timedelta(days=1), "backdated")
    assert err.value.problems[0].field == "valid_from"
    with pytest.raises(Forbidden):
        prices.add_price(_actors(register)["developer"], "A1", "1", TODAY, "x")
    future = prices.add_price(cw, "A1", "45000", TODAY + timedelta(days=10), "a review")
    assert prices.table(TODAY + timedelta(days=10)).current["A1"].id == future.id
    prices.remove_price(cw, future.id)
    assert prices.table(TODAY + timedelta(days=10)).current["A1"].id == a1.id
    page = register.services.audit.recent(cw, 1, "credit_price")
    assert [e.action for e in page.items[:2]] == ["credit_price.removed", "credit_price.added"]


def test_an_invoice_lapses_after_90_days(register: Register) -> None:
    actors = _actors(register)
    cw, developer = actors["case_worker"], actors["developer"]
    c = _credits(register)
    reference, invoice = _invoiced(register)
    register.clock.now = datetime.combine(invoice.valid_until + timedelta(days=2), datetime.min.time())
    assert c.fulfilment.case(cw, reference).invoice_expired
    with pytest.raises(Invalid, match="expired on 20 February 2027") as err:
        c.fulfilment.record_payment(cw, reference, invoice.valid_until + timedelta(days=1), invoice.total_pence)
    assert err.value.problems[0].field == "received_on"
    with pytest.raises(Invalid, match="invoice total"):
        c.fulfilment.record_payment(cw, reference, invoice.valid_until, invoice.total_pence - 1)
    c.fulfilment.cancel(cw, reference, "The invoice expired unpaid")
    assert c.orders.own(developer, reference).status == S.CANCELLED


def test_a_refund_when_the_development_does_not_go_ahead(register: Register) -> None:
    assert register.world is not None
    actors = _actors(register)
    cw, officer = actors["case_worker"], actors["lpa_officer"]
    c = _credits(register)
    reference = register.world.credit_orders["sent"]
    lpa, proofs = c.fulfilment.for_lpa(officer)
    assert lpa.name == "Cambridge LPA" and [(p.order.reference, p.refunded) for p in proofs] == [(reference, False)]
    c.fulfilment.refund(cw, reference, "Planning permission was quashed")
    _lpa, proofs = c.fulfilment.for_lpa(officer)
    assert [(p.order.reference, p.refunded, p.total_credits_hundredths) for p in proofs] == [(reference, True, 5148)]
    view = c.orders.own(actors["developer"], reference)
    assert view.status == S.REFUNDED and view.status in ENDED and view.order.ended_on == TODAY
    with pytest.raises(Conflict):
        c.fulfilment.refund(cw, reference, "again")


def test_a_withdrawal_and_a_failed_due_diligence_end_an_order(register: Register) -> None:
    assert register.world is not None
    actors = _actors(register)
    cw, developer = actors["case_worker"], actors["developer"]
    c = _credits(register)
    orders = register.world.credit_orders
    with pytest.raises(Invalid) as err:
        c.fulfilment.decide_due_diligence(cw, orders["submitted"], "failed", " ")
    assert err.value.problems[0].field == "note"
    c.fulfilment.decide_due_diligence(cw, orders["submitted"], "failed", "Identity not verified")
    view = c.orders.own(developer, orders["submitted"])
    assert view.status == S.DUE_DILIGENCE_FAILED and view.events[-1].message.endswith("Identity not verified")
    c.orders.withdraw(developer, orders["draft"], "We found units on the register")
    assert c.orders.own(developer, orders["draft"]).status == S.WITHDRAWN


def test_an_lpa_sees_only_the_proofs_sent_to_it(register: Register) -> None:
    assert register.world is not None
    from bng.register.accounts.service import NewAccount, actor_of

    exeter = register.world.lpa_ids["Exeter LPA"]
    other = actor_of(
        register.services.accounts.create_trusted(
            NewAccount(
                "officer@exeter.example.gov.uk", "Exeter Officer", "correct horse battery", "lpa_officer", "", exeter
            )
        )
    )
    c = _credits(register)
    assert c.fulfilment.for_lpa(other)[1] == []
    with pytest.raises(NotFound):
        c.fulfilment.proof(other, register.world.credit_orders["sent"])
    with pytest.raises(NotFound):  # Cambridge's officer: nothing was sent for the submitted order
        c.fulfilment.proof(_actors(register)["lpa_officer"], register.world.credit_orders["submitted"])
    stored, data = c.fulfilment.proof(_actors(register)["lpa_officer"], register.world.credit_orders["sent"])
    assert data.startswith(b"%PDF-") and stored.media_type == "application/pdf"


def test_individuals_give_name_date_of_birth_and_nationality(register: Register) -> None:
    developer = _actors(register)["developer"]
    customer = {"customer_type": "individual", "full_name": "Sam Builder", "nationality": "British",
                "date_of_birth": date(1980, 3, 27)}  # fmt: skip
    reference = _new_order(register, customer=customer)
    _credits(register).orders.submit(developer, reference)
    c = _credits(register).orders.own(developer, reference).customer
    assert (c.customer_type, c.full_name, c.date_of_birth, c.nationality) == (
        "individual", "Sam Builder", date(1980, 3, 27), "British",
    )  # fmt: skip
    assert c.organisation_name == "" and c.organisation_number == ""


def test_the_audit_log_does_not_keep_a_date_of_birth(register: Register) -> None:
    developer, cw = _actors(register)["developer"], _actors(register)["case_worker"]
    customer = {"customer_type": "individual", "full_name": "Sam Builder", "nationality": "British",
                "date_of_birth": date(1980, 3, 27)}  # fmt: skip
    reference = _new_order(register, customer=customer)
    _credits(register).orders.save_section(developer, reference, "due-diligence", customer | {"full_name": "Sam B"})
    _credits(register).orders.submit(developer, reference)
    logged = [e for e in register.services.audit.recent(cw, 1, "credit_order", reference).items]
    assert logged and all("1980" not in str(e.before) + str(e.after) for e in logged)
    assert any("Sam B" in str(e.after) for e in logged)
