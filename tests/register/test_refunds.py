"""Refunds, on SQLite and PostgreSQL + PostGIS: a fee received and no longer owed (the combined case's
allocation fee, the allocation dropped after payment) is recorded as refunded by the register team,
with its date, how it was paid back and a reference; in the audit log and the case history; for good.
Anything wrong changes nothing. The rules of what a payment record takes are shared by the case's and
the allocation's fee (``bng.register.core.fee_payments``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from bng.db import tables
from bng.register.allocations.service import Development, Request
from bng.register.core.errors import Conflict, Forbidden, Invalid, NotFound
from tests.db.fixtures import Register
from tests.register.test_allocations import CAMBRIDGE_POINT, counts
from tests.register.test_combined import allocation, payment_audit
from tests.register.world import record_fees

PAID = date(2026, 11, 20)
COUNTED = ("payment", "payment_refund", "audit_event", "application_event", "allocation")


def table_counts(register: Register) -> dict[str, Any]:
    with register.database.engine.connect() as conn:
        return {t: conn.execute(select(func.count()).select_from(getattr(tables, t))).scalar_one() for t in COUNTED}


def to_refund(register: Register) -> tuple[str, str]:
    """The ready application with an allocation, submitted, both fees received, further information asked
    for and the allocation dropped: its £45 is to be refunded. (application, the fee's payment reference)"""
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    s.applications.save_section(owner, ref, "allocation", allocation(register))
    s.applications.submit(owner, ref)
    record_fees(s, worker, ref, PAID, "bank transfer")
    s.review.request_information(worker, ref, "Check the development's grid reference")
    view = s.applications.save_section(owner, ref, "allocation", {"allocate": "no"})
    [fee] = [p for p in view.payments if p.purpose == "allocation"]
    assert view.fee_standing(fee) == "to_refund"
    return ref, fee.reference


def test_the_register_team_records_a_refund(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, worker = world.actors["landowner"], world.actors["case_worker"]
    ref, fee = to_refund(register)
    before = table_counts(register)
    refund = s.payments.record_refund(worker, fee, date(2026, 11, 21), " card ", "  RF 0042 ", application=ref)
    assert (refund.refunded_on, refund.method, refund.reference) == (date(2026, 11, 21), "card", "RF 0042")
    after = table_counts(register)
    assert {t: after[t] - before[t] for t in COUNTED} == {
        "payment": 0,
        "payment_refund": 1,
        "audit_event": 1,
        "application_event": 1,
        "allocation": 0,
    }
    view = s.applications.view(owner, ref)
    [paid] = [p for p in view.payments if p.reference == fee]
    assert view.fee_standing(paid) == "refunded" and paid.status == "received" and paid.received_on == PAID
    assert view.events[-1].kind == "fee_refunded"
    assert view.events[-1].message == (
        f"Allocation fee of £45 (payment reference {fee}) refunded on 21 November 2026 by card, "
        "refund reference RF 0042"
    )
    assert payment_audit(register, fee)[-1] == ("payment.refunded", "to_refund", "refunded")
    e = tables.audit_event
    with register.database.engine.connect() as conn:
        logged = conn.execute(
            select(e.c.after, e.c.actor_id).where(e.c.action == "payment.refunded", e.c.entity_id == fee)
        ).one()
    assert logged.after["refund_reference"] == "RF 0042" and logged.after["refund_method"] == "card"
    assert logged.actor_id == worker.user_id
    # once: a second refund of the same fee is refused, and changes nothing
    before = table_counts(register)
    with pytest.raises(Conflict, match="has already been refunded"):
        s.payments.record_refund(worker, fee, date(2026, 11, 22), "card", "RF 0043")
    assert table_counts(register) == before


def test_a_refund_with_problems_changes_nothing(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, worker = world.actors["landowner"], world.actors["case_worker"]
    ref, fee = to_refund(register)
    before, ledger = table_counts(register), counts(register)
    with pytest.raises(Forbidden, match="does not allow"):
        s.payments.record_refund(owner, fee, date(2026, 11, 21), "card", "RF 1")
    with pytest.raises(Invalid) as err:
        s.payments.record_refund(worker, fee, None, "cheque", " ")
    assert [(p.field, p.message) for p in err.value.problems] == [
        ("refunded_on", "Enter the date the fee was refunded"),
        ("refund_method", "Select how the fee was paid back"),
        ("refund_reference", "Enter the refund's reference"),
    ]
    with pytest.raises(Invalid) as err:
        s.payments.record_refund(worker, fee, date(2026, 11, 23), "card", "R" * 101)
    assert [(p.field, p.message) for p in err.value.problems] == [
        ("refunded_on", "The date the fee was refunded must be today or in the past"),
        ("refund_reference", "The refund's reference must be 100 characters or fewer"),
    ]
    with pytest.raises(Invalid, match="on or after the day it was received, 20 November 2026") as err:
        s.payments.record_refund(worker, fee, date(2026, 11, 19), "card", "RF 1")
    assert err.value.problems[0].field == "refunded_on"
    registration = next(p for p in s.applications.view(owner, ref).payments if p.purpose == "registration")
    with pytest.raises(Conflict, match="is still owed, so it cannot be refunded"):
        s.payments.record_refund(worker, registration.reference, date(2026, 11, 21), "card", "RF 1")
    with pytest.raises(NotFound):
        s.payments.record_refund(worker, "PAY-0000-0000", date(2026, 11, 21), "card", "RF 1")
    with pytest.raises(NotFound):  # the case page's form: the payment must be the case's
        s.payments.record_refund(
            worker, fee, date(2026, 11, 21), "card", "RF 1", application=world.applications["submitted"]
        )
    assert table_counts(register) == before and counts(register) == ledger


def test_a_fee_never_received_or_still_owed_cannot_be_refunded(register: Register) -> None:
    """Withdrawn (never received), and a standalone allocation's fee (always owed): not to be refunded."""
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    s.applications.save_section(owner, ref, "allocation", allocation(register))
    s.applications.submit(owner, ref)
    s.review.request_information(worker, ref, "More, please")
    view = s.applications.save_section(owner, ref, "allocation", {"allocate": "no"})
    [withdrawn] = [p for p in view.payments if p.purpose == "allocation"]
    with pytest.raises(Conflict, match="was never received"):
        s.payments.record_refund(worker, withdrawn.reference, date(2026, 11, 21), "card", "RF 1")
    grass = next(
        p for p in s.register.site(world.site).parcels if p.module == "area" and p.stage == "creation" and p.ref == "1"
    )
    assert grass.id is not None
    made = s.allocations.allocate(
        owner,
        world.site,
        Development(world.lpa_ids["Cambridge LPA"], "26/01234/FUL", "Mill Road homes", CAMBRIDGE_POINT),
        [Request(grass.id, Decimal("0.1"))],
    )
    with pytest.raises(Conflict, match="has not been received"):
        s.payments.record_refund(worker, s.allocations.view(worker, made.reference).payments[0].reference,
                               date(2026, 11, 21), "card", "RF 1")  # fmt: skip
    s.payments.record_payment(worker, made.reference, PAID, "card")
    paid = s.allocations.view(worker, made.reference).payments[0]
    with pytest.raises(Conflict, match="is still owed"):
        s.payments.record_refund(worker, paid.reference, date(2026, 11, 21), "card", "RF 1")


def test_a_refunded_fee_is_settled_and_a_new_one_falls_due_if_the_allocation_comes_back(register: Register) -> None:
    """Refunded, then "Yes" again: the refunded fee stays refunded; resubmitting makes a new £45 due,
    which must be received before acceptance and is the one linked to the allocation."""
    world, s = register.world, register.services
    assert world is not None
    owner, worker = world.actors["landowner"], world.actors["case_worker"]
    ref, fee = to_refund(register)
    s.payments.record_refund(worker, fee, date(2026, 11, 21), "bank transfer", "RF 7")
    view = s.applications.save_section(owner, ref, "allocation", allocation(register))
    assert {p.reference: str(view.fee_standing(p)) for p in view.payments if p.purpose == "allocation"} == {
        fee: "refunded"
    }
    assert [a for a, _, _ in payment_audit(register, fee)][-1] == "payment.refunded"  # no "owed again"
    view = s.applications.submit(owner, ref)
    standings = sorted((p.purpose, str(view.fee_standing(p))) for p in view.payments)
    assert standings == [("allocation", "due"), ("allocation", "refunded"), ("registration", "received")]
    with pytest.raises(Invalid, match="Record the registration and allocation fees as received"):
        s.review.accept(worker, ref)
    record_fees(s, worker, ref, date(2026, 11, 22), "card")
    site = s.review.accept(worker, ref)
    [(made, _)] = s.register.site(site.reference).allocations
    linked = s.allocations.view(worker, made.reference).payments
    assert [p.reference for p in linked] != [fee] and len(linked) == 1 and linked[0].status == "received"


def test_refunds_are_append_only(register: Register) -> None:
    world = register.world
    assert world is not None
    _, fee = to_refund(register)
    register.services.payments.record_refund(world.actors["case_worker"], fee, date(2026, 11, 21), "card", "RF 9")
    for sql in ("UPDATE payment_refund SET reference = 'changed'", "DELETE FROM payment_refund"):
        with pytest.raises(DBAPIError, match="append-only"), register.database.engine.begin() as conn:
            conn.execute(text(sql))
    with pytest.raises(DBAPIError), register.database.engine.begin() as conn:  # one refund per payment
        conn.execute(
            text(
                "INSERT INTO payment_refund (payment_id, refunded_on, method, reference, recorded_at) "
                "SELECT payment_id, refunded_on, method, 'again', recorded_at FROM payment_refund"
            )
        )
