"""A forgotten password in Chromium: ask for a link from the sign-in page, open it from the email (read
from the outbox stand-in), choose a new password, sign in with it; the link then works no more."""

from __future__ import annotations

from typing import Any

from bng.register.core.notifications import QueuedOutbox
from tests.db.fixtures import Register
from tests.register.world import EMAILS, PASSWORD
from tests.web.fixtures import LiveServer, screenshot

NEW = "kestrel over the barley"


def test_reset_a_forgotten_password(page: Any, live_server: LiveServer, register: Register) -> None:
    outbox = register.services.accounts.outbox
    assert isinstance(outbox, QueuedOutbox)
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.wait_for_load_state()
    page.get_by_label("Email address").fill(EMAILS["developer"])
    page.get_by_role("button", name="Send a link").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Check your email").is_visible()
    message = outbox.sent[-1]
    assert (message.to, message.template) == (EMAILS["developer"], "password_reset")
    link = "/" + message.fields["link"].split("/", 3)[3]

    page.goto(f"{live_server.url}{link}")
    page.get_by_label("New password").fill("password1234")
    page.get_by_role("button", name="Set the new password").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="There is a problem").is_visible()  # too easy to guess
    page.get_by_label("New password").fill(NEW)
    page.get_by_role("button", name="Set the new password").click()
    page.wait_for_load_state()
    assert page.url.endswith("/sign-in")
    assert page.get_by_text("Your password has been changed").is_visible()
    assert outbox.sent[-1].template == "password_changed"

    page.get_by_label("Email address").fill(EMAILS["developer"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)  # the old one works no more
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_text("Enter a correct email address and password").first.is_visible()
    page.get_by_label("Email address").fill(EMAILS["developer"])
    page.get_by_label("Password", exact=True).fill(NEW)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url
    screenshot(page, "password-reset-signed-in")

    page.goto(f"{live_server.url}{link}")  # the link again
    assert page.get_by_text("This link has expired or has been used").first.is_visible()
    assert page.get_by_role("link", name="Ask for a new link", exact=True).is_visible()
