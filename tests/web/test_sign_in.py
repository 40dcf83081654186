"""Sign-in and sign-up through the pages: the same answer whether or not an address has an account,
weak passwords refused with the reason, the emailed links (the outbox stand-in holds what would be
sent), and a stranger's failures never keeping the owner's own browser out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from bng.register.accounts.service import ACCOUNT_LIMIT
from tests.db.fixtures import Register
from tests.register.world import EMAILS, PASSWORD
from tests.web.fixtures import CheckedClient

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)


def _client(app: Flask, address: str) -> CheckedClient:
    app.test_client_class = CheckedClient
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert isinstance(client, CheckedClient)
    return client


def _sign_up(client: CheckedClient, email: str, password: str = "meadow lark hedgerow") -> Any:
    data = {"name": "Sam Field", "email": email, "organisation": "", "role": "landowner", "password": password}
    return client.form("/create-account", data, "/create-account")


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_sign_up_says_the_same_for_a_new_and_an_existing_address(app: Flask, register: Register) -> None:
    outbox = register.services.accounts.outbox
    client = _client(app, "192.0.2.20")
    new = _sign_up(client, "sam.field@example.com")
    existing = _sign_up(client, EMAILS["landowner"])
    assert new.status_code == existing.status_code == 200
    strip = re.compile(r"<strong>[^<]*</strong>|<input[^>]*csrf_token[^>]*>|nonce=\"[^\"]*\"|nonce-[^']*")
    assert strip.sub("", new.get_data(as_text=True)) == strip.sub("", existing.get_data(as_text=True))
    assert "Check your email" in new.get_data(as_text=True) and "already" not in existing.get_data(as_text=True)
    confirm, exists = list(outbox.sent)[-2:]  # what would be emailed says which
    assert (confirm.to, confirm.template) == ("sam.field@example.com", "confirm_account")
    assert (exists.to, exists.template) == (EMAILS["landowner"], "account_exists")
    assert confirm.fields["link"].startswith("http://localhost/create-account/confirm/")
    with register.database() as uow:
        assert uow.users.by_email("sam.field@example.com") is None  # nothing until the link is followed

    link = _path(confirm.fields["link"])
    page = client.get(link)  # opening the link (a mail scanner might) uses nothing
    assert page.status_code == 200 and "Finish creating your account" in page.get_data(as_text=True)
    made = client.form(link, {}, link)
    assert made.status_code == 302 and made.headers["Location"] == "/account"
    assert "Your account has been created" in client.get("/account").get_data(as_text=True)
    again = client.form(link, {}, link)
    assert again.status_code == 400 and "expired or has been used" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "words"),
    [("aaaaaaaaaa", "Repeats"), (" " * 10, "Repeats"), ("1sam.field@example.com", "your email address")],
)
def test_a_weak_password_is_refused_on_its_field(app: Flask, register: Register, password: str, words: str) -> None:
    response = _sign_up(_client(app, "192.0.2.21"), "sam.field@example.com", password)
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#password"' in text and words.lower() in text.lower()


@pytest.mark.engines("sqlite", "postgresql")  # credit orders on the pages: the credits keep their own records
def test_a_stranger_makes_the_link_needed_but_the_owners_browser_signs_in(app: Flask, register: Register) -> None:
    owner = _client(app, "192.0.2.30")
    owner.sign_in("developer")  # the owner's browser: it now holds a device cookie for the address
    owner.post("/sign-out", data={"csrf_token": owner.csrf("/account")})
    stranger = _client(app, "203.0.113.30")
    wrong = {"email": EMAILS["developer"], "password": "wrong password"}
    answers = {stranger.form("/sign-in", wrong, "/sign-in").status_code for _ in range(ACCOUNT_LIMIT)}
    assert answers == {400}
    blocked = stranger.form("/sign-in", {"email": EMAILS["developer"], "password": PASSWORD}, "/sign-in")
    assert blocked.status_code == 400 and "we have sent a link" in blocked.get_data(as_text=True)
    unknown = _client(app, "203.0.113.31")
    for _ in range(ACCOUNT_LIMIT):
        unknown.form("/sign-in", {"email": "nobody@example.com", "password": "wrong"}, "/sign-in")
    nobody = unknown.form("/sign-in", {"email": "nobody@example.com", "password": PASSWORD}, "/sign-in")
    assert nobody.status_code == 400 and "we have sent a link" in nobody.get_data(as_text=True)  # the same words

    owner.sign_in("developer")  # the owner's own browser: not slowed, not locked
    assert owner.get("/allocations").status_code == 200

    link = register.services.accounts.outbox.sent[-1]
    assert link.template == "sign_in_link" and link.to == EMAILS["developer"]
    elsewhere = _client(app, "198.51.100.30")
    path = _path(link.fields["link"])
    assert "Finish signing in" in elsewhere.get(path).get_data(as_text=True)
    done = elsewhere.form(path, {}, path)
    assert done.status_code == 302 and elsewhere.get("/allocations").status_code == 200


def test_a_forged_device_cookie_is_nobodys(app: Flask, register: Register) -> None:
    stranger = _client(app, "203.0.113.40")
    for _ in range(ACCOUNT_LIMIT):
        stranger.form("/sign-in", {"email": EMAILS["developer"], "password": "wrong"}, "/sign-in")
    stranger.set_cookie("bng_device", '{"e": "developer@example.com", "n": "guess"}')
    right = stranger.form("/sign-in", {"email": EMAILS["developer"], "password": PASSWORD}, "/sign-in")
    assert right.status_code == 400 and "we have sent a link" in right.get_data(as_text=True)
