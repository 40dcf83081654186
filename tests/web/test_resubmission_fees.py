"""Check your answers on a resubmission (after further information was asked for), on SQLite and
PostgreSQL + PostGIS: the fees read as they stand (already paid, still due, no longer due, to be refunded,
refunded, or due anew), never as if submitting again made the same fee due a second time."""

from __future__ import annotations

from datetime import date

import pytest

from tests.db.fixtures import Register
from tests.register.test_combined import allocation
from tests.register.test_refunds import PAID, to_refund
from tests.register.world import record_fees
from tests.web.fixtures import CheckedClient

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)

FIRST_TIME = "When you submit, you will get a payment reference"


def _check(client: CheckedClient, ref: str) -> str:
    client.sign_in("landowner")
    page = client.get(f"/applications/{ref}/check")
    assert page.status_code == 200
    return str(page.get_data(as_text=True))


def test_a_first_submission_says_what_falls_due(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    page = _check(client, world.applications["ready"])
    assert "The fee to register a gain site is £639. When you submit, you will get a payment reference" in page


def test_a_fee_not_yet_received_is_still_due_not_new(client: CheckedClient, register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    [fee] = s.applications.submit(owner, ref).payments
    s.review.request_information(worker, ref, "Send the habitat map again")
    page = _check(client, ref)
    assert FIRST_TIME not in page and "The fee to register a gain site is" not in page
    assert (
        f"£639 to register the gain site (payment reference {fee.reference}): still due, not yet received: "
        "pay it quoting its payment reference. Resubmitting does not add a new fee." in page
    )
    client.form(f"/applications/{ref}/submit", {}, f"/applications/{ref}/check")
    assert len(s.applications.view(owner, ref).payments) == 1  # and so it is


def test_a_fee_received_is_already_paid(client: CheckedClient, register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    [fee] = s.applications.submit(owner, ref).payments
    record_fees(s, worker, ref, PAID, "card")
    s.review.request_information(worker, ref, "Send the habitat map again")
    page = _check(client, ref)
    assert FIRST_TIME not in page
    assert (
        f"£639 to register the gain site (payment reference {fee.reference}): already paid (received on "
        "20 November 2026). You do not need to pay it again." in page
    )
    assert "Nothing more is due when you resubmit." in page


def test_the_allocation_added_at_a_resubmission_falls_due_then(client: CheckedClient, register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    s.applications.submit(owner, ref)
    record_fees(s, worker, ref, PAID, "card")
    s.review.request_information(worker, ref, "Which development will use the units?")
    s.applications.save_section(owner, ref, "allocation", allocation(register))
    page = _check(client, ref)
    assert "already paid (received on 20 November 2026)" in page
    assert "£45 to record the allocation: due when you submit; you will get a payment reference" in page
    assert "Nothing more is due" not in page


@pytest.mark.engines("sqlite", "postgresql")  # money: overpayments keep their own records
def test_fees_no_longer_owed_say_so(client: CheckedClient, register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    ref, fee = to_refund(register)
    page = _check(client, ref)
    assert (
        f"£45 to record the allocation (payment reference {fee}): received, and to be refunded, as the "
        "application no longer allocates units." in page
    )
    assert "£684" not in page and "Nothing more is due when you resubmit." in page
    s.payments.record_refund(world.actors["case_worker"], fee, date(2026, 11, 21), "card", "RF 1")
    s.applications.save_section(world.actors["landowner"], ref, "allocation", allocation(register))
    page = _check(client, ref)  # allocating again after the refund: a new £45 falls due
    assert f"(payment reference {fee}): refunded on 21 November 2026." in page
    assert "£45 to record the allocation: due when you submit" in page
