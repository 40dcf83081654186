"""GOV.UK Notify's production path: the worker sending through ``GovukNotify`` (the real
``notifications-python-client``, its JWTs and its HTTP) to the stand-in the service serves itself at
``/v2/notifications``; the stand-in refusing what Notify refuses; and the outbox page. SQLite and PostgreSQL."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from flask import Flask
from notifications_python_client.notifications import NotificationsAPIClient

from bng.register.notify.govuk_notify import GovukNotify
from bng.register.notify.port import NotifyError, TemplateIds, stand_in_template_id
from bng.register.notify.stand_in import STAND_IN_KEY, STAND_IN_SECRET, STAND_IN_SERVICE_ID
from bng.register.notify.worker import NotifySender
from tests.db.fixtures import Register
from tests.register.world import EMAILS
from tests.web.fixtures import CheckedClient, LiveServer


def worker(register: Register, server: LiveServer, key: str = STAND_IN_KEY) -> NotifySender:
    notify = GovukNotify(key, server.url)
    return NotifySender(register.services.uow, register.clock, notify, TemplateIds.stand_in(), server.url, "live")


def outbox(register: Register) -> list[Any]:
    with register.services.uow() as uow:
        return list(reversed(uow.notifications.listing(1, 1000).items))


def test_the_worker_sends_through_notifys_client_to_the_stand_in(register: Register, live_server: LiveServer) -> None:
    """Every e-mail the test world queued goes through the real client over HTTP, is read back with
    GET /v2/notifications/{id}, and a failure at Notify (500) is tried again later and then sent."""
    stand_in = register.services.notify_stand_in
    assert stand_in is not None
    sender = worker(register, live_server)
    queued = len(outbox(register))
    stand_in.fail_next(1, 500)
    first = sender.send_due(limit=1)
    assert len(first.retrying) == 1 and "500" in first.retrying[0] and "Internal server error" in first.retrying[0]
    done = sender.send_all()
    assert len(done.sent) == queued - 1 and not done.failed  # the failed one waits for its backoff
    register.clock.now = register.clock.now.replace(hour=23)
    assert len(sender.send_all().sent) == 1
    messages = outbox(register)
    assert all(m.status == "sent" and m.notify_id for m in messages)
    assert len(stand_in.sent) == queued  # each once
    assert sender.refresh() == queued
    assert {m.notify_status for m in outbox(register)} == {"delivered"}
    accepted = next(m for m in messages if m.template == "application_accepted")
    client = NotificationsAPIClient(STAND_IN_KEY, base_url=live_server.url)
    found = client.get_notification_by_id(accepted.notify_id)
    assert found["email_address"] == EMAILS["landowner"] and found["status"] == "delivered"
    assert found["subject"] == accepted.subject and found["type"] == "email"
    assert f"{live_server.url}/apply/" in found["body"]  # the link made absolute


def test_the_stand_in_refuses_what_notify_refuses(register: Register, live_server: LiveServer) -> None:
    url = f"{live_server.url}/v2/notifications/email"
    body = {"email_address": "a@example.com", "template_id": stand_in_template_id("account_exists")}
    assert httpx.post(url, json=body).status_code == 401  # no token
    wrong = "bng_stand_in-" + STAND_IN_SERVICE_ID + "-" + "0" * 8 + STAND_IN_SECRET[8:]
    with pytest.raises(NotifyError) as refused:
        GovukNotify(wrong, live_server.url).send_email("a@example.com", body["template_id"], {"sign_in": "x"}, "r")
    assert refused.value.status == 403 and not refused.value.retry
    stale = jwt.encode({"iss": STAND_IN_SERVICE_ID, "iat": int(time.time()) - 120}, STAND_IN_SECRET, algorithm="HS256")
    answer = httpx.post(url, json=body, headers={"Authorization": f"Bearer {stale}"})
    assert answer.status_code == 403 and "30 seconds" in answer.json()["errors"][0]["message"]
    notify = GovukNotify(STAND_IN_KEY, live_server.url)
    with pytest.raises(NotifyError, match="Missing personalisation: sign_in") as missing:
        notify.send_email("a@example.com", body["template_id"], {}, "r")
    assert missing.value.status == 400 and not missing.value.retry
    with pytest.raises(NotifyError, match="Template not found"):
        notify.send_email("a@example.com", "f" * 8 + "-0000-4000-8000-" + "0" * 12, {}, "r")
    with pytest.raises(NotifyError) as nobody:
        GovukNotify(STAND_IN_KEY, "http://127.0.0.1:9").send_email("a@example.com", body["template_id"], {}, "r")
    assert nobody.value.status == 0 and nobody.value.retry  # nothing listening: try again later
    sent = notify.send_email("perm-fail@simulator.notify", body["template_id"], {"sign_in": "x"}, "r")
    assert notify.status(sent) == "permanent-failure"  # Notify's documented test address


def clients(app: Flask) -> Any:
    app.test_client_class = CheckedClient
    return app.test_client(), app.test_client()


def test_the_outbox_page(register: Register, app: Flask) -> None:
    """The register team sees every message, words and all (the stand-in); a landowner only their own."""
    staff, landowner = clients(app)
    staff.sign_in("case_worker")
    page = staff.get("/outbox").get_data(as_text=True)
    total = len(outbox(register))
    assert f"queued: {total}" in page and EMAILS["developer"] in page and "Proof of purchase" in page
    assert staff.get("/outbox?status=sent").get_data(as_text=True).count("outbox-message") == 0
    assert staff.get("/outbox?page=0").status_code == 400
    landowner.sign_in("landowner")
    mine = landowner.get("/outbox").get_data(as_text=True)
    assert EMAILS["landowner"] in mine and EMAILS["developer"] not in mine and "/apply/" in mine
    assert "outbox-counts" not in mine


def test_with_notify_configured_only_staff_see_the_outbox_and_no_words(register: Register, app: Flask) -> None:
    register.services.outbox.stand_in = False  # as wired with NOTIFY_API_KEY set
    staff, landowner = clients(app)
    landowner.sign_in("landowner")
    assert landowner.get("/outbox").status_code == 403
    staff.sign_in("case_worker")
    page = staff.get("/outbox").get_data(as_text=True)
    assert EMAILS["landowner"] in page and "/apply/" not in page and "not shown" in page
