"""Hostile map files over the web: refused in well under 2 s with a page that says why, while other
people keep signing in. A GeoPackage whose layer was a self-recursive view used to hold the habitats
section's save for ever, and with it SQLite's write lock: every sign-in answered 409 after 30 s."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.db.fixtures import Register
from tests.gis import hostile
from tests.register.world import EMAILS, PASSWORD
from tests.web.fixtures import CheckedClient
from tests.web.html import problems

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)

MAX_SECONDS = 2.0
"""Of the request's own CPU time (its wall-clock time on a busy shared machine is reported, and bounded
at five times this: a request waiting for the write lock, or a hang, breaks it)."""


def _client(app: Flask, checked: bool = True) -> CheckedClient:
    """A client; ``checked=False`` for one that does not validate each page's HTML (html5lib, pure
    Python: on a thread beside the one timed it would take the interpreter's lock for most of the time)."""
    app.test_client_class = CheckedClient if checked else PlainClient
    client: CheckedClient = app.test_client()  # type: ignore[assignment]
    return client


class PlainClient(FlaskClient):
    csrf = CheckedClient.csrf
    sign_in = CheckedClient.sign_in


class SigningIn:
    """Someone signing in again and again, on another thread, each sign-in timed."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.done: list[tuple[float, float, int]] = []  # (started, finished, status of the POST)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            client = _client(self.app, checked=False)
            token = client.csrf("/sign-in")
            started = time.monotonic()
            response = client.post(
                "/sign-in",
                data={"csrf_token": token, "email": EMAILS["developer"], "password": PASSWORD},
            )
            self.done.append((started, time.monotonic(), response.status_code))

    def __enter__(self) -> SigningIn:
        self._thread.start()
        while not self.done:  # signing in works before the upload starts
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.2)
        self._stop.set()
        self._thread.join(60)

    def during(self, start: float, end: float) -> list[tuple[float, float, int]]:
        return [d for d in self.done if d[0] < end and d[1] > start]


def _maps(tmp_path: Path, case: str) -> tuple[str, dict[str, Any], str]:
    """The section, the form's fields and what the error page must say."""
    valid_post = hostile.VALID.parent / "Post-intervention - complete.gpkg"
    if case == "boundary view":
        path = hostile.recursive_view(tmp_path / "boundary.gpkg", layer="Red Line Boundary")
        fields = {"method": "map", "site_name": "Hostile", "boundary_file": (io.BytesIO(path.read_bytes()), "b.gpkg")}
        return "boundary", fields, "bng reads tables only"
    if case == "boundary vertices":
        path = hostile.many_vertices(tmp_path / "boundary.gpkg", 200_001, layer="Red Line Boundary")
        fields = {"method": "map", "site_name": "Hostile", "boundary_file": (io.BytesIO(path.read_bytes()), "b.gpkg")}
        return "boundary", fields, "200,001 vertices"
    if case == "habitats view":
        path = hostile.recursive_view(tmp_path / "baseline.gpkg")
    else:
        path = hostile.many_vertices(tmp_path / "baseline.gpkg", 1_000_001)
    fields = {
        "habitat_baseline_map": (io.BytesIO(path.read_bytes()), "baseline.gpkg"),
        "habitat_post_map": (io.BytesIO(valid_post.read_bytes()), "post.gpkg"),
    }
    return "habitats", fields, "bng reads tables only" if case == "habitats view" else "1,000,001 vertices"


@pytest.mark.parametrize("case", ["boundary view", "boundary vertices", "habitats view", "habitats vertices"])
def test_a_hostile_map_is_refused_quickly_and_sign_in_answers_meanwhile(
    case: str, app: Flask, register: Register, tmp_path: Path
) -> None:
    world = register.world
    assert world is not None
    section, fields, says = _maps(tmp_path, case)
    owner = _client(app, checked=False)
    owner.sign_in("landowner")
    path = f"/applications/{world.applications['draft']}/{section}"
    token = owner.csrf(path)
    with SigningIn(app) as others, hostile.Timed() as took:
        started = time.monotonic()
        response = owner.post(path, data={"csrf_token": token, **fields}, content_type="multipart/form-data")
        finished = time.monotonic()
    page = response.get_data(as_text=True)
    assert not problems(page), problems(page)  # the error page is valid HTML
    # (a page shows a field's first problem only, as yet: issue 10 item 16; the habitat maps' first is a heading)
    shown = says in page or (section == "habitats" and "nothing can be read from it" in page)
    assert response.status_code == 400 and shown, page[-2000:]
    assert took.cpu < MAX_SECONDS and took.wall < 5 * MAX_SECONDS, f"refused in {took}"
    assert others.done and all(status == 302 for _, _, status in others.done)
    slowest = max(end - start for start, end, _ in others.done)
    meanwhile = others.during(started, finished)
    print(f"{case}: refused in {took}; {len(meanwhile)} sign-ins meanwhile, the slowest sign-in {slowest:.2f} s")
    assert slowest < 5 * MAX_SECONDS, f"a sign-in took {slowest:.2f} s"
    assert others.during(started, finished), "no sign-in ran while the upload was being refused"
