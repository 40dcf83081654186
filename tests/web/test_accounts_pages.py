"""The account pages (issue 13): forgotten password, the authenticator's code at sign-in, changing the
password, signing out everywhere, withdrawing a draft, and the account page listing what one has. The
emails are read from the outbox stand-in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask

from bng.register.accounts import second_factor
from bng.register.core.notifications import QueuedOutbox
from tests.db.fixtures import Register
from tests.register.world import EMAILS, PASSWORD
from tests.web.fixtures import CheckedClient

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)

NEW = "kestrel over the barley"
STRIP = re.compile(r"<strong>[^<]*</strong>|<input[^>]*(csrf|submission)_token[^>]*>|nonce=\"[^\"]*\"|nonce-[^']*")


def _client(app: Flask) -> CheckedClient:
    app.test_client_class = CheckedClient
    client = app.test_client()
    assert isinstance(client, CheckedClient)
    return client


def _outbox(register: Register) -> QueuedOutbox:
    outbox = register.services.accounts.outbox
    assert isinstance(outbox, QueuedOutbox)
    return outbox


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_a_forgotten_password_through_the_pages(app: Flask, register: Register) -> None:
    client = _client(app)
    known = client.form("/forgot-password", {"email": EMAILS["developer"]}, "/forgot-password")
    unknown = client.form("/forgot-password", {"email": "nobody@example.com"}, "/forgot-password")
    assert known.status_code == unknown.status_code == 200
    assert STRIP.sub("", known.get_data(as_text=True)) == STRIP.sub("", unknown.get_data(as_text=True))
    reset, nothing = list(_outbox(register).sent)[-2:]
    assert (reset.template, nothing.template) == ("password_reset", "password_reset_no_account")
    link = _path(reset.fields["link"])
    assert link.startswith("/reset-password/")

    owner = _client(app)
    owner.sign_in("developer")  # a session elsewhere, to be ended
    page = client.get(link)  # opening the link (a mail scanner might) uses nothing
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    weak = client.form(link, {"password": "password1234"}, link)
    assert weak.status_code == 400 and 'href="#password"' in weak.get_data(as_text=True)
    done = client.form(link, {"password": NEW}, link)
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert owner.get("/account").status_code == 302  # signed out everywhere
    again = client.get(link)
    assert again.status_code == 400 and "expired or has been used" in again.get_data(as_text=True)
    signed = client.post("/sign-in", data={"csrf_token": client.csrf(), "email": EMAILS["developer"], "password": NEW})
    assert signed.status_code == 302


def test_a_staff_sign_in_asks_for_the_authenticators_code(app: Flask, register: Register) -> None:
    client = _client(app)
    client.sign_in("case_worker")
    page = client.get("/account/authenticator").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page)
    assert secret and "otpauth://totp/" in page
    key = secret.group(1).replace(" ", "")
    step = second_factor.step_of(register.clock.now)
    on = client.form("/account/authenticator", {"code": second_factor.code_at(key, step)}, "/account/authenticator")
    assert on.status_code == 302
    assert "signing in asks for a code" in client.get("/account").get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": client.csrf("/account")})

    data = {"csrf_token": client.csrf(), "email": EMAILS["case_worker"], "password": PASSWORD}
    asked = client.post("/sign-in", data=data)
    assert asked.status_code == 302 and asked.headers["Location"] == "/sign-in/code"
    assert client.get("/account").status_code == 302  # not signed in yet
    wrong = client.form("/sign-in/code", {"code": second_factor.code_at(key, step)}, "/sign-in/code")  # replayed
    assert wrong.status_code == 400 and "6-digit code" in wrong.get_data(as_text=True)
    register.clock.now += timedelta(seconds=30)
    right = client.form("/sign-in/code", {"code": second_factor.code_at(key, step + 1)}, "/sign-in/code")
    assert right.status_code == 302 and client.get("/account").status_code == 200
    assert _client(app).get("/account/authenticator").status_code == 302  # the public are sent to sign in
    landowner = _client(app)
    landowner.sign_in("landowner")
    assert landowner.get("/account/authenticator").status_code == 403  # staff only


def test_changing_the_password_and_signing_out_everywhere(app: Flask, register: Register) -> None:
    here, there = _client(app), _client(app)
    here.sign_in("landowner")
    there.sign_in("landowner")
    wrong = here.form("/account/password", {"current_password": "guess", "password": NEW}, "/account/password")
    assert wrong.status_code == 400 and "current password is not right" in wrong.get_data(as_text=True)
    changed = here.form("/account/password", {"current_password": PASSWORD, "password": NEW}, "/account/password")
    assert changed.status_code == 302
    assert here.get("/account").status_code == 200 and there.get("/account").status_code == 302
    ended = here.form("/account/sign-out-everywhere", {}, "/account/sign-out-everywhere")
    assert ended.status_code == 302 and here.get("/account").status_code == 302


@pytest.mark.engines("sqlite", "postgresql")  # credit orders on the account page: the credits keep their own records
def test_the_account_page_lists_what_one_has_and_a_draft_is_withdrawn(app: Flask, register: Register) -> None:
    world = register.world
    assert world is not None
    client = _client(app)
    client.sign_in("landowner")
    page = client.get("/account").get_data(as_text=True)
    for reference in (world.applications["draft"], world.applications["submitted"], world.site):
        assert reference in page
    assert "Your allocations" in page and "Confirm your email address" not in page
    draft = world.applications["draft"]
    assert "Withdraw this draft" in client.get(f"/applications/{draft}").get_data(as_text=True)
    done = client.form(f"/applications/{draft}/withdraw", {}, f"/applications/{draft}/withdraw")
    assert done.status_code == 302
    listed = client.get("/applications").get_data(as_text=True)
    assert f"The draft {draft} has been withdrawn" in listed and f'href="/applications/{draft}"' not in listed
    assert f"Withdrawn drafts: {draft}" in client.get("/account").get_data(as_text=True)
    developer = _client(app)
    developer.sign_in("developer")
    assert "Your statutory credit orders" in developer.get("/account").get_data(as_text=True)
    assert world.credit_orders["draft"] in developer.get("/account").get_data(as_text=True)
