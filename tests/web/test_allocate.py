"""The allocation journey through the pages, on SQLite and PostgreSQL + PostGIS: parcels and quantities,
the development's metric, the check page, consent, the fee; errors on their fields with nothing
changed; and 64 clients racing through the journey's own pages for the last units of a parcel."""

from __future__ import annotations

import io
import re
import secrets
import threading
from collections import Counter
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bng.db.database import Database
from bng.db.filestore import LocalFileStore
from bng.register import samples
from bng.register.core.model import HabitatParcel
from bng.register.core.places import places
from bng.register.services import build_services
from tests.db.fixtures import CHEAP_PASSWORDS, Register
from tests.register.test_allocations import COUNTED, counts
from tests.web.fixtures import CheckedClient, make_app

CAMBRIDGE = "546000, 259000"
WESTMINSTER = "TQ 30000 80000"


def parcels(register: Register) -> dict[str, HabitatParcel]:
    world = register.world
    assert world is not None
    return {f"{p.module}-{p.stage}-{p.ref}": p for p in register.services.register.site(world.site).parcels}


def answers(register: Register, lpa: str = "Cambridge LPA", where: str = CAMBRIDGE, **more: Any) -> dict[str, Any]:
    world = register.world
    assert world is not None
    return {
        "lpa_id": str(world.lpa_ids[lpa]),
        "planning_reference": "26/01234/FUL",
        "development_name": "Mill Road homes",
        "grid_reference": where,
        **more,
    }


def pdf(name: str = "consent.pdf") -> tuple[io.BytesIO, str]:
    return io.BytesIO(samples.pdf("Consent of the landowner")), name


def hidden(page: str) -> dict[str, str]:
    """The check page's hidden answers, to send back with the confirmation."""
    return {m.group(1): m.group(2) for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)}


def test_allocating_parcels_and_quantities(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    grass, hedge = parcels(register)["area-creation-1"], parcels(register)["hedgerow-creation-H1"]
    client.sign_in("developer")
    start = f"/register/{world.site}/allocate"
    form = client.get(start)
    assert form.status_code == 200 and "Allocate units to a development" in form.get_data(as_text=True)
    assert "written consent of the gain site" in form.get_data(as_text=True)
    quantities = {f"parcel-{grass.id}": "0.5", f"parcel-{hedge.id}": "0.1"}
    check = client.form(start, answers(register, method="parcels", **quantities), start)
    page = check.get_data(as_text=True)
    assert check.status_code == 200 and "Check the allocation before you record it" in page
    assert "Within the development&#39;s LPA or National Character Area" in page and "£45" in page
    assert "Cambridge LPA, Bedfordshire and Cambridgeshire Claylands National Character Area" in page
    before = counts(register)
    back = hidden(page)
    assert back[f"parcel-{grass.id}"] == "0.500000" and "csrf_token" in back
    refused = client.post(f"{start}/confirm", data=back)
    assert refused.status_code == 400 and "Upload the written consent" in refused.get_data(as_text=True)
    assert counts(register) == before
    done = client.post(f"{start}/confirm", data={**back, "consent_file": pdf()}, content_type="multipart/form-data")
    assert done.status_code == 302 and done.headers["Location"].startswith("/allocations/ALL-")
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Mill Road homes" in shown and re.search(r"PAY-[0-9A-Z]{4}-[0-9A-Z]{4}", shown) and "£45" in shown
    after = counts(register)
    assert {k: after[k] - before[k] for k in COUNTED} == {
        "allocation": 1,
        "allocation_line": 2,
        "payment": 1,
        "audit_event": 2,
        "stored_file": 1,
    }
    assert parcels(register)["area-creation-1"].allocated_size == Decimal("0.5")
    mine = client.get("/allocations").get_data(as_text=True)
    assert "26/01234/FUL" in mine and world.site in mine
    public = client.get(f"/register/{world.site}").get_data(as_text=True)
    assert "26/01234/FUL" in public and "Within" in public


def test_from_the_developments_metric_with_the_wrong_category(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("developer")
    start = f"/register/{world.site}/allocate"
    metric = samples.development_metric(world.site, area_ha=0.4)
    data = answers(
        register, "Westminster LPA", WESTMINSTER, method="metric", metric_file=(io.BytesIO(metric), "m.json")
    )
    check = client.form(start, data, start, content_type="multipart/form-data")
    page = check.get_data(as_text=True)
    assert check.status_code == 200, page
    assert "states &#39;within&#39; for gain site BGS-221126001" in page and "multiplier of 0.5" in page
    assert "off-site gain site summary" in page
    back = hidden(page)
    assert back["metric_file_id"].isdigit() and not any(k.startswith("parcel-") for k in back)
    done = client.post(f"{start}/confirm", data={**back, "consent_file": pdf()}, content_type="multipart/form-data")
    assert done.status_code == 302
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "states a different spatial risk category" in shown and "The development&#39;s metric" in shown
    assert parcels(register)["area-creation-1"].allocated_size == Decimal("0.4")


def change_links(page: str) -> set[str]:
    """The check page's "Change" links (the back link and each row's), without their fragments."""
    found = re.findall(r'href="([^"]*/allocate\?[^"#]*)(?:#[^"]*)?"', page)
    return {unescape(h) for h in found}


def test_change_returns_to_the_form_with_the_answers_given(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    grass, hedge = parcels(register)["area-creation-1"], parcels(register)["hedgerow-creation-H1"]
    client.sign_in("developer")
    start = f"/register/{world.site}/allocate"
    quantities = {f"parcel-{grass.id}": "0.5", f"parcel-{hedge.id}": "0.125"}
    page = client.form(start, answers(register, method="parcels", **quantities), start).get_data(as_text=True)
    before = counts(register)
    [change] = change_links(page)  # the back link and every row's "Change" go to the same answers
    assert page.count(">Change<") >= 4 and "Change the allocation" in page
    form = client.get(change)
    text = form.get_data(as_text=True)
    assert form.status_code == 200 and "There is a problem" not in text
    assert 'value="26/01234/FUL"' in text and 'value="Mill Road homes"' in text and 'value="546000, 259000"' in text
    assert f'<option value="{world.lpa_ids["Cambridge LPA"]}" selected>Cambridge LPA</option>' in text
    assert 'value="parcels" checked' in text
    assert re.search(rf'name="parcel-{grass.id}" type="text"[^>]* value="0.5"', text)
    assert re.search(rf'name="parcel-{hedge.id}" type="text"[^>]* value="0.125"', text)
    assert counts(register) == before  # going back to change records nothing

    metric = samples.development_metric(world.site, area_ha=0.4)
    data = answers(register, method="metric", metric_file=(io.BytesIO(metric), "m.json"))
    page = client.form(start, data, start, content_type="multipart/form-data").get_data(as_text=True)
    kept = hidden(page)["metric_file_id"]
    [change] = change_links(page)
    text = client.get(change).get_data(as_text=True)
    assert 'value="metric" checked' in text and f'name="metric_file_id" value="{kept}"' in text
    assert "The metric you uploaded is kept" in text
    # continuing without choosing the file again checks the allocation with the metric kept
    again = client.form(change, answers(register, method="metric", metric_file_id=kept), start)
    shown = again.get_data(as_text=True)
    assert again.status_code == 200 and "off-site gain site summary" in shown
    assert hidden(shown)["metric_file_id"] == kept


def test_errors_are_shown_on_their_fields_and_nothing_changes(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    grass = parcels(register)["area-creation-1"]
    client.sign_in("landowner")
    start = f"/register/{world.site}/allocate"
    before = counts(register)
    blank = client.form(start, {"method": "parcels"}, start)
    text = blank.get_data(as_text=True)
    assert blank.status_code == 400
    for message in (
        "Select the LPA the development",
        "Enter the planning application reference",
        "Enter the name of the development",
        "Enter the grid reference of the development",
    ):
        assert message in text
    bad = client.form(start, answers(register, method="parcels", **{f"parcel-{grass.id}": "lots"}), start)
    assert bad.status_code == 400 and "as a number, like 0.5" in bad.get_data(as_text=True)
    assert f'href="#parcel-{grass.id}"' in bad.get_data(as_text=True)
    over = client.form(start, answers(register, method="parcels", **{f"parcel-{grass.id}": "9"}), start)
    assert over.status_code == 400 and "Only 2.4000 ha of parcel 1" in over.get_data(as_text=True)
    elsewhere = client.form(
        start, answers(register, where=WESTMINSTER, method="parcels", **{f"parcel-{grass.id}": "1"}), start
    )
    assert elsewhere.status_code == 400 and "is in Westminster LPA, not in Cambridge LPA" in elsewhere.get_data(
        as_text=True
    )
    none = client.form(start, answers(register, method="metric"), start)
    assert none.status_code == 400 and "Select the development&#39;s metric" in none.get_data(as_text=True)
    assert counts(register) == before


def test_units_taken_meanwhile_are_explained(client: CheckedClient, register: Register) -> None:
    from bng.register.allocations.service import Development, Request

    world = register.world
    assert world is not None
    grass = parcels(register)["area-creation-1"]
    assert grass.id is not None
    client.sign_in("landowner")
    start = f"/register/{world.site}/allocate"
    page = client.form(start, answers(register, method="parcels", **{f"parcel-{grass.id}": "2"}), start)
    back = hidden(page.get_data(as_text=True))
    register.services.allocations.allocate(
        world.actors["landowner"],
        world.site,
        Development(world.lpa_ids["Cambridge LPA"], "26/9/FUL", "First come", CAMBRIDGE),
        [Request(grass.id, Decimal(1))],
    )
    late = client.post(f"{start}/confirm", data=back)
    assert late.status_code == 400 and "Only 1.4000 ha of parcel 1" in late.get_data(as_text=True)


def test_the_register_team_records_the_fee(client: CheckedClient, register: Register) -> None:
    from bng.register.allocations.service import Development, Request

    world = register.world
    assert world is not None
    grass = parcels(register)["area-creation-1"]
    assert grass.id is not None
    made = register.services.allocations.allocate(
        world.actors["landowner"],
        world.site,
        Development(world.lpa_ids["Cambridge LPA"], "26/9/FUL", "Homes", CAMBRIDGE),
        [Request(grass.id, Decimal(1))],
    )
    client.sign_in("case_worker")
    site_page = client.get(f"/review/sites/{world.site}").get_data(as_text=True)
    assert f"/review/allocations/{made.reference}" in site_page
    path = f"/review/allocations/{made.reference}/payment"
    missing = client.form(path, {}, f"/review/allocations/{made.reference}")
    assert missing.status_code == 400 and "Enter the date the payment was received" in missing.get_data(as_text=True)
    data = {"received_on": ["22", "11", "2026"], "method": "card"}
    recorded = client.form(path, data, f"/review/allocations/{made.reference}")
    assert recorded.status_code == 302
    assert "received on 22 November 2026 by card" in client.get(recorded.headers["Location"]).get_data(as_text=True)


def test_an_allocated_gain_site_cannot_be_removed(client: CheckedClient, register: Register) -> None:
    """The case worker's page offers no removal once units are allocated; a removal posted anyway is refused
    with the reason, and the gain site stays on the register."""
    from bng.register.allocations.service import Development, Request

    world = register.world
    assert world is not None
    grass = parcels(register)["area-creation-1"]
    assert grass.id is not None
    register.services.allocations.allocate(
        world.actors["landowner"],
        world.site,
        Development(world.lpa_ids["Cambridge LPA"], "26/9/FUL", "Homes", CAMBRIDGE),
        [Request(grass.id, Decimal(1))],
    )
    client.sign_in("case_worker")
    page = f"/review/sites/{world.site}"
    assert "it cannot be removed from the register" in client.get(page).get_data(as_text=True)
    before = counts(register)
    for data in ({"remove-on": ["1", "11", "2026"], "remove-description": "Sold"}, {}):
        # blank too: the reason, not a form's errors on a page that shows no removal form
        refused = client.post(f"{page}/remove", data={**client.tokens(page, "remove-"), **data})
        assert refused.status_code == 409
        assert f"Gain site {world.site} has allocations" in refused.get_data(as_text=True)
    assert counts(register) == before
    assert register.services.register.site(world.site).site.status == "registered"


class QuickClient(CheckedClient):
    """The race's clients: the pages are checked by the other tests, so not parsed again 64 times here."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return FlaskClient.open(self, *args, **kwargs)


@pytest.fixture
def racing_app(register: Register) -> Flask:
    """The app on a connection pool big enough for every client at once."""
    options: dict[str, object] = {"pool_size": 70, "max_overflow": 0} if register.engine_is_pg else {}
    database = Database(register.url, **options)
    register.wired.database.dispose()
    register.wired.database = database
    register.wired.services = build_services(
        database, LocalFileStore(register.files), register.clock, places, CHEAP_PASSWORDS
    )
    return make_app(register)


def test_64_clients_race_through_the_allocation_journey(racing_app: Flask, register: Register) -> None:
    """Each client has its own session and posts the journey's confirmation at the same instant, for
    0.1 ha of a parcel with 1 ha left: exactly 10 are recorded, the others are told why."""
    from bng.register.allocations.service import Development, Request

    world = register.world
    assert world is not None
    grass = parcels(register)["area-creation-1"]
    assert grass.id is not None
    register.services.allocations.allocate(
        world.actors["landowner"],
        world.site,
        Development(world.lpa_ids["Cambridge LPA"], "26/0/FUL", "First", CAMBRIDGE),
        [Request(grass.id, grass.size - 1)],
    )
    racing_app.test_client_class = QuickClient
    start = f"/register/{world.site}/allocate"
    first = racing_app.test_client()
    assert isinstance(first, CheckedClient)
    first.sign_in("developer")
    page = first.form(start, answers(register, method="parcels", **{f"parcel-{grass.id}": "0.1"}), start)
    assert page.status_code == 200
    checked = hidden(page.get_data(as_text=True))  # the same check page for everyone, but for the tokens
    clients: list[CheckedClient] = []
    checks: list[dict[str, str]] = []
    for _ in range(64):  # each its own session
        c = racing_app.test_client()
        assert isinstance(c, CheckedClient)
        c.sign_in("developer")
        clients.append(c)
        # its own CSRF token and its own confirmation (each client saw its own check page: its own one-time token)
        checks.append({**checked, "csrf_token": c.csrf("/account"), "submission_token": secrets.token_urlsafe(24)})
    barrier = threading.Barrier(64)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def race(i: int) -> None:
        barrier.wait()
        r = clients[i].post(
            f"{start}/confirm", data={**checks[i], "consent_file": pdf(f"c{i}.pdf")}, content_type="multipart/form-data"
        )
        text = r.get_data(as_text=True)
        result = (
            "recorded"
            if r.status_code == 302
            else "refused"
            if r.status_code == 400 and "remains to be allocated" in text
            else f"{r.status_code}"
        )
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=race, args=(i,)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert outcomes == Counter({"recorded": 10, "refused": 54}), outcomes
    after = parcels(register)["area-creation-1"]
    assert after.allocated_size == after.size  # all of it, not a millionth more
