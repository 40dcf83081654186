"""Public searches answered once per distinct query (``bng.web.cache``): a kept page still carries the
request's own CSP nonce, a change to the register shows at once, signed-in users' pages are never
kept. On SQLite and PostgreSQL + PostGIS."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.db.fixtures import Register
from tests.web.fixtures import CheckedClient
from tests.web.test_open_data import allocation  # noqa: F401  (a fixture)

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)

NONCE = re.compile(r"'nonce-([^']+)'")


def _nonces(response: Any) -> tuple[str, set[str]]:
    header = NONCE.search(response.headers["Content-Security-Policy"])
    assert header
    return header.group(1), set(re.findall(r'nonce="([^"]+)"', response.get_data(as_text=True)))


def test_a_kept_page_has_the_requests_own_nonce(client: FlaskClient) -> None:
    first, again = client.get("/register?lpa=Cambridge+LPA"), client.get("/register?lpa=Cambridge+LPA")
    assert first.status_code == again.status_code == 200
    (one, in_one), (two, in_two) = _nonces(first), _nonces(again)
    assert one != two and in_one == {one} and in_two == {two}
    # the same page otherwise, byte for byte
    assert first.get_data(as_text=True).replace(one, "") == again.get_data(as_text=True).replace(two, "")


def test_a_new_allocation_shows_at_once(client: FlaskClient, register: Register, request: Any) -> None:
    world = register.world
    assert world is not None
    path = f"/api/v1/sites?reference={world.site}"
    before = client.get(path)
    assert client.get(path).get_data() == before.get_data()  # kept
    register.clock.now = register.clock.now + timedelta(minutes=1)
    request.getfixturevalue("allocation")
    after = client.get(path)
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    left = before.get_json()["items"][0], after.get_json()["items"][0]
    assert left[0] != left[1]  # the units left are less
    page = client.get(f"/register?reference={world.site}")
    assert page.status_code == 200


def test_signed_in_pages_are_never_kept(client: CheckedClient) -> None:
    anonymous = client.get("/register").get_data(as_text=True)
    client.sign_in("developer")
    signed_in = client.get("/register")
    assert "Sign out" in signed_in.get_data(as_text=True) and "Sign out" not in anonymous
    assert signed_in.headers["Cache-Control"] == "no-store"
