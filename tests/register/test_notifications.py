"""E-mails through the outbox (``bng.register.core.notifications``): queued in the transaction of the change that
causes them, nothing queued by a request that fails, and sent by the worker (with retries, backoff and
claims two workers cannot share) to GOV.UK Notify's stand-in, in process. SQLite and PostgreSQL + PostGIS.
(The production adapter over real HTTP: tests/web/test_notify.py.)"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from bng.register.core import errors
from bng.register.notify.port import TemplateIds
from bng.register.notify.stand_in import LocalNotify, StandInNotify
from bng.register.notify.worker import MAX_ATTEMPTS, NotifySender, backoff
from tests.db.fixtures import Register
from tests.register.world import EMAILS, TODAY, answer_all
from tests.web.test_authorisation import allocation as allocation

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)


def outbox(register: Register, to: str | None = None) -> list[Any]:
    with register.services.uow() as uow:
        found = uow.notifications.listing(1, 1000, to).items
    return list(reversed(found))  # oldest first


def sender(register: Register, name: str = "worker-1") -> tuple[NotifySender, StandInNotify]:
    stand_in = StandInNotify()
    notify = LocalNotify(stand_in, "https://register.example")
    ids = TemplateIds.stand_in()
    return NotifySender(register.services.uow, register.clock, notify, ids, "https://register.example", name), stand_in


def test_the_emails_of_a_whole_registration(register: Register) -> None:
    """Apply, submit, information requested, resubmit, fee received, accepted: each e-mail to the applicant,
    in order, with its words; then the worker sends them all to Notify's stand-in with links made absolute."""
    assert register.world is not None
    s, owner, worker = register.services, register.world.actors["landowner"], register.world.actors["case_worker"]
    before = len(outbox(register, EMAILS["landowner"]))
    ref = s.applications.start(owner).reference
    answer_all(s, owner, ref, easting=561_000, lpa_id=register.world.lpa_ids["Cambridge LPA"], name="Notify Farm")
    assert len(outbox(register, EMAILS["landowner"])) == before  # a draft tells nobody anything
    s.applications.submit(owner, ref)
    s.review.request_information(worker, ref, "Send the signed agreement, please")
    s.applications.submit(owner, ref)
    view = s.applications.view(worker, ref)
    [fee] = [p for p in view.payments if view.fee_standing(p) == "due"]
    s.payments.record_payment(worker, ref, TODAY, "bank transfer")
    site = s.review.accept(worker, ref).reference
    mine = outbox(register, EMAILS["landowner"])[before:]
    assert [m.template for m in mine] == [
        "application_submitted",
        "information_requested",
        "application_submitted",
        "payment_received",
        "application_accepted",
    ]
    assert all(m.status == "queued" and m.user_id == owner.user_id for m in mine)
    assert mine[0].subject == f"Application {ref} submitted"
    assert "Send the signed agreement, please" in mine[1].body and f"/apply/{ref}" in mine[1].body
    assert mine[3].fields["payment_reference"] == fee.reference and mine[3].fields["amount"] == "£639"
    assert site in mine[4].subject

    tried, stand_in = sender(register)
    done = tried.send_all()
    assert len(done.sent) == len(outbox(register)) and not done.failed  # the world's e-mails too
    at_notify = {n["reference"]: n for n in stand_in.sent}
    for m in outbox(register, EMAILS["landowner"])[before:]:
        assert m.status == "sent" and m.sent_at == register.clock.now and m.attempts == 1
        n = at_notify[m.key]
        assert n["id"] == m.notify_id and n["email_address"] == EMAILS["landowner"] and n["subject"] == m.subject
    accepted = at_notify[mine[4].key]
    assert f"https://register.example/apply/{ref}" in accepted["body"]
    assert tried.send_all().handled == 0  # sent once


@pytest.mark.engines("sqlite", "postgresql")  # credit orders are in the world: the credits keep their own records
def test_every_event_of_the_world_has_its_email(register: Register) -> None:
    """The test world (built through the services) made each event once: each template is in the outbox,
    to the right person (the proof of purchase to the developer and to the LPA's officer)."""
    to = {(m.template, m.to_email) for m in outbox(register)}
    for template, who in (
        ("application_submitted", "landowner"),
        ("information_requested", "landowner"),
        ("application_rejected", "landowner"),
        ("application_accepted", "landowner"),
        ("payment_received", "landowner"),
        ("invoice_issued", "developer"),
        ("proof_of_purchase_developer", "developer"),
        ("proof_of_purchase_lpa", "lpa_officer"),
    ):
        assert (template, EMAILS[who]) in to, template


def test_an_allocation_tells_the_developer_and_the_landowner(register: Register, allocation: str) -> None:
    reference = allocation
    told = {m.template: m.to_email for m in outbox(register) if m.fields and m.fields.get("allocation") == reference}
    assert told == {
        "allocation_recorded_developer": EMAILS["developer"],
        "allocation_recorded_landowner": EMAILS["landowner"],
    }


def test_a_failed_request_queues_nothing(register: Register, monkeypatch: pytest.MonkeyPatch) -> None:
    """Acceptance fails after its e-mail was queued (the last audit entry cannot be written): the application
    stays submitted and the outbox is as it was. So does an Outbox.send made inside a unit of work that fails;
    one made after the change committed is kept."""
    from bng.register.core import audit

    assert register.world is not None
    s, worker = register.services, register.world.actors["case_worker"]
    ref = register.world.applications["submitted"]
    s.payments.record_payment(worker, ref, TODAY, "bank transfer")
    before = [m.id for m in outbox(register)]
    real = audit.record

    def failing(uow: Any, at: Any, actor: Any, action: str, *args: Any, **kwargs: Any) -> None:
        if action == "site.registered":
            raise errors.Conflict("the audit log is full")
        real(uow, at, actor, action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(errors.Conflict):
        s.review.accept(worker, ref)
    monkeypatch.setattr(audit, "record", real)
    assert [m.id for m in outbox(register)] == before
    assert s.applications.view(worker, ref).application.status == "submitted"

    port = s.accounts.outbox
    with pytest.raises(RuntimeError), s.uow(write=True):
        port.send("someone@example.com", "account_exists", {"sign_in": "/sign-in"})
        raise RuntimeError("the request fails after sending")
    assert [m.id for m in outbox(register)] == before
    with s.uow(write=True) as uow:
        uow.commit()
        port.send("someone@example.com", "account_exists", {"sign_in": "/sign-in"})  # after the commit: its own
    assert [m.to_email for m in outbox(register)][-1] == "someone@example.com"
    assert s.review.accept(worker, ref).reference  # and with the audit log back, it is accepted and tells


def test_the_worker_retries_with_backoff_and_gives_up(register: Register) -> None:
    s = register.services
    tried, stand_in = sender(register)
    tried.send_all()  # the world's e-mails
    s.accounts.outbox.send("retry@example.com", "account_exists", {"sign_in": "/sign-in"})
    [m] = [m for m in outbox(register) if m.to_email == "retry@example.com"]
    stand_in.fail_next(1, 500)
    done = tried.send_due()
    assert len(done.retrying) == 1 and not done.sent
    [m] = [x for x in outbox(register) if x.id == m.id]
    assert m.status == "queued" and m.attempts == 1 and "500" in (m.last_error or "")
    assert m.next_attempt_at == register.clock.now + backoff(1) == register.clock.now + timedelta(seconds=30)
    assert tried.send_due().handled == 0  # not due yet
    register.clock.now += timedelta(seconds=31)
    stand_in.fail_next(1, 429)  # Notify's rate limit: worth trying again too
    assert len(tried.send_due().retrying) == 1
    register.clock.now += backoff(2)
    done = tried.send_due()
    assert len(done.sent) == 1
    [m] = [x for x in outbox(register) if x.id == m.id]
    assert m.status == "sent" and m.attempts == 3 and m.last_error is None
    assert [n["email_address"] for n in stand_in.sent].count("retry@example.com") == 1

    s.accounts.outbox.send("down@example.com", "account_exists", {"sign_in": "/sign-in"})
    stand_in.fail_next(MAX_ATTEMPTS, 503)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        done = tried.send_due()
        assert len(done.failed if attempt == MAX_ATTEMPTS else done.retrying) == 1
        register.clock.now += backoff(attempt)
    [m] = [x for x in outbox(register) if x.to_email == "down@example.com"]
    assert m.status == "failed" and m.attempts == MAX_ATTEMPTS
    assert tried.send_due().handled == 0

    s.accounts.outbox.send("not an address", "account_exists", {"sign_in": "/sign-in"})
    done = tried.send_due()  # Notify's 400 will not mend itself: failed at once
    assert len(done.failed) == 1 and "Not a valid email address" in done.failed[0]


def test_two_workers_send_each_message_once(register: Register) -> None:
    """Two workers at once on the same outbox (and an abandoned claim taken over once it runs out)."""
    s = register.services
    for n in range(30):
        s.accounts.outbox.send(f"person{n}@example.com", "account_exists", {"sign_in": "/sign-in"})
    total = len(outbox(register))
    stand_in = StandInNotify()
    workers = [
        NotifySender(s.uow, register.clock, LocalNotify(stand_in), TemplateIds.stand_in(), "http://x", f"w{i}")
        for i in range(2)
    ]
    results: list[Any] = []

    def run(w: NotifySender) -> None:
        results.append(w.send_all(limit=5))

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    sent = [n["reference"] for n in stand_in.sent]
    assert len(sent) == len(set(sent)) == total
    assert sum(len(r.sent) for r in results) == total
    assert all(m.status == "sent" for m in outbox(register))

    # a worker that claimed a message and died: the message waits for its claim to run out
    s.accounts.outbox.send("late@example.com", "account_exists", {"sign_in": "/sign-in"})
    assert len(workers[0]._claim(10)) == 1
    assert workers[1].send_due().handled == 0
    register.clock.now += timedelta(minutes=6)
    assert len(workers[1].send_due().sent) == 1
    assert workers[0]._finish(outbox(register)[-1], {"status": "sent"}) is False  # its claim is gone
