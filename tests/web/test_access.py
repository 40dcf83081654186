"""Who sees what (issue 13): a landowner sees the allocations made against their own gain sites and no one
else's; an LPA officer sees the allocations and credit purchases for developments in their own LPA only, and
downloads them as CSV; a developer or officer messages a gain site's provider without anyone's personal data
being published; the public register is searched by site name. SQLite and PostgreSQL + PostGIS."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from bng.db.access_tables import provider_message
from bng.register.access.service import ALLOCATION_CSV, PURCHASE_CSV
from bng.register.accounts.service import NewAccount, actor_of
from bng.register.allocations.service import Development, Request
from bng.register.core.audit import Actor
from bng.register.core.errors import Forbidden
from bng.register.core.places import places
from bng.register.core.ports import SiteQuery
from tests.db.fixtures import Register
from tests.register.world import PASSWORD
from tests.web.fixtures import CheckedClient

CAMBRIDGE_DEVELOPMENT = ("26/01234/FUL", "Mill Road homes", "546000, 259000")
OTHER_PLACE = (540000.0, 250000.0)  # outside Cambridge: its LPA is read from the boundaries


def _hedge(register: Register) -> int:
    world = register.world
    assert world is not None
    site = register.services.register.site(world.site)
    found = next(p for p in site.parcels if p.module == "hedgerow" and p.stage == "creation")
    assert found.id is not None
    return found.id


def _allocate(
    register: Register, lpa_name: str, planning: str, name: str, grid: str, size: Decimal = Decimal("0.1")
) -> str:
    world = register.world
    assert world is not None
    from bng.register import samples
    from bng.register.core.uploads import Upload

    development = Development(world.lpa_ids[lpa_name], planning, name, grid)
    consent = Upload("consent_file", "consent.pdf", samples.pdf("Consent"))
    made = register.services.allocations.allocate(
        world.actors["developer"], world.site, development, [Request(_hedge(register), size)], consent=consent
    )
    return str(made.reference)


def _other_lpa() -> str:
    from shapely import Point

    found = places().locate(Point(*OTHER_PLACE))["lpa"]
    assert found and found[0][0] != "Cambridge LPA"
    return str(found[0][0])


def _officer_of(register: Register, lpa_name: str) -> Actor:
    world = register.world
    assert world is not None
    user = register.services.accounts.create_trusted(
        NewAccount(
            "officer@other.example.gov.uk", "Other Officer", PASSWORD, "lpa_officer", "", world.lpa_ids[lpa_name]
        )
    )
    return actor_of(user)


def _csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def test_a_landowner_sees_the_allocations_from_their_own_sites_and_no_one_elses(
    register: Register, client: CheckedClient
) -> None:
    world = register.world
    assert world is not None
    reference = _allocate(register, "Cambridge LPA", *CAMBRIDGE_DEVELOPMENT)
    rows, _ = register.services.access.site_allocations(world.actors["landowner"])
    assert [r.reference for r in rows] == [reference]
    assert rows[0].site_reference == world.site and rows[0].units == {"hedgerow": rows[0].units["hedgerow"]}
    view = register.services.allocations.view(world.actors["developer"], reference)
    assert rows[0].units["hedgerow"] == sum(line.units for line, _ in view.lines)
    assert register.services.access.site_allocations(world.actors["other_landowner"]) == ([], [])
    with pytest.raises(Forbidden):
        register.services.access.site_allocations(world.actors["developer"])

    client.sign_in("landowner")
    page = client.get("/account/gain-site-allocations").get_data(as_text=True)
    assert reference in page and "Mill Road homes" in page and "26/01234/FUL" in page
    assert "0.10 hedgerow units" in page or "hedgerow units" in page
    client.post("/sign-out", data={"csrf_token": client.csrf("/account")})
    client.sign_in("other_landowner")
    page = client.get("/account/gain-site-allocations").get_data(as_text=True)
    assert reference not in page and "No allocations have been made against your gain sites yet" in page


def test_an_officer_sees_only_their_own_lpas_allocations_and_purchases(
    register: Register, client: CheckedClient
) -> None:
    world = register.world
    assert world is not None
    other_lpa = _other_lpa()
    ours = _allocate(register, "Cambridge LPA", *CAMBRIDGE_DEVELOPMENT)
    theirs = _allocate(register, other_lpa, "S/0001/26", "Village green homes", "540000, 250000")
    cambridge = register.services.access.lpa_activity(world.actors["lpa_officer"])
    assert [r.reference for r in cambridge.allocations] == [ours]
    assert [p.reference for p in cambridge.purchases] == [world.credit_orders["sent"]]
    other = register.services.access.lpa_activity(_officer_of(register, other_lpa))
    assert [r.reference for r in other.allocations] == [theirs] and other.purchases == []
    for who in ("landowner", "developer", "case_worker"):
        with pytest.raises(Forbidden):
            register.services.access.lpa_activity(world.actors[who])

    client.sign_in("lpa_officer")
    page = client.get("/lpa/allocations").get_data(as_text=True)
    assert ours in page and theirs not in page and world.credit_orders["sent"] in page
    assert world.credit_orders["submitted"] not in page  # an order not paid for is no purchase
    client.post("/sign-out", data={"csrf_token": client.csrf("/account")})
    client.sign_in("officer@other.example.gov.uk")
    page = client.get("/lpa/allocations").get_data(as_text=True)
    assert theirs in page and ours not in page and world.credit_orders["sent"] not in page
    rows = _csv(client.get("/lpa/allocations.csv").data)
    assert [r["reference"] for r in rows] == [theirs]
    assert _csv(client.get("/lpa/credit-purchases.csv").data) == []


def test_the_csv_downloads_say_what_the_register_holds(register: Register, client: CheckedClient) -> None:
    world = register.world
    assert world is not None
    reference = _allocate(
        register, "Cambridge LPA", "=HYPERLINK(1)", "+Mill Road homes", "546000, 259000", Decimal("0.123456")
    )
    client.sign_in("lpa_officer")
    response = client.get("/lpa/allocations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="lpa-allocations.csv"'
    assert response.headers["Cache-Control"] == "no-store"  # an officer's page: never cached
    header = next(csv.reader(io.StringIO(response.data.decode())))
    assert tuple(header) == ALLOCATION_CSV
    [row] = _csv(response.data)
    view = register.services.allocations.view(world.actors["developer"], reference)
    taken = sum(line.units for line, _ in view.lines)
    assert row["reference"] == reference and row["gain_site_reference"] == world.site
    assert row["gain_site_name"] == "Meadow Farm" and row["development_lpa"] == "Cambridge LPA"
    assert row["planning_reference"] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it
    assert row["development_name"] == "'+Mill Road homes"
    assert row["recorded_on"] == view.allocation.created_at.date().isoformat()
    assert row["spatial_risk"] == view.allocation.spatial_risk
    assert row["hedgerow_units"] == f"{taken:.6f}"
    assert row["habitat_units"] == row["watercourse_units"] == "0.000000"

    response = client.get("/lpa/credit-purchases.csv")
    header = next(csv.reader(io.StringIO(response.data.decode())))
    assert tuple(header) == PURCHASE_CSV
    [bought] = _csv(response.data)
    order = register.services.credits.orders.view(world.actors["developer"], world.credit_orders["sent"])
    assert order.invoice is not None
    credits = sum(line.quantity_hundredths for line in order.invoice_lines)
    assert bought == {
        "order_reference": world.credit_orders["sent"],
        "development_name": "Mill Lane (sent)",
        "planning_reference": order.order.planning_reference,
        "status": "sent_to_lpa",
        "paid_on": order.order.paid_on.isoformat() if order.order.paid_on else "",
        "sent_to_lpa_on": order.order.sent_to_lpa_on.isoformat() if order.order.sent_to_lpa_on else "",
        "credits": f"{credits // 100}.{credits % 100:02d}",
        "total_paid_gbp": f"{order.invoice.total_pence // 100}.{order.invoice.total_pence % 100:02d}",
    }


def _messages(register: Register) -> int:
    with register.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(provider_message)).scalar_one())


def test_a_message_reaches_the_provider_and_nothing_personal_is_published(
    register: Register, client: CheckedClient
) -> None:
    world = register.world
    assert world is not None
    outbox: Any = register.services.accounts.outbox
    before = len(outbox.sent)
    client.sign_in("developer")
    site_page = client.get(f"/register/{world.site}").get_data(as_text=True)
    assert f"/register/{world.site}/message" in site_page
    form = f"/register/{world.site}/message"
    page = client.get(form).get_data(as_text=True)
    assert "owner@example.com" not in page and "Alex Owner" not in page  # the provider is not named to the sender
    empty = client.form(form, {"message": "   "}, form)
    assert empty.status_code == 400 and "Enter your message" in empty.get_data(as_text=True)
    text = "Could Mill Road homes take 0.2 hedgerow units more? Secret-marker-4711"
    tokens = client.tokens(form)
    sent = [client.post(form, data={**tokens, "message": text}) for _ in range(2)]  # the same form twice
    assert [r.status_code for r in sent] == [302, 302]
    assert _messages(register) == 1
    [message] = list(outbox.sent)[before:]
    assert message.to == "owner@example.com" and message.template == "provider_message"
    assert text in message.text and "developer@example.com" in message.text and world.site in message.text
    assert "owner@example.com" not in client.get(sent[0].headers["Location"]).get_data(as_text=True)

    # the provider reads it on their page; the other landowner does not
    client.post("/sign-out", data={"csrf_token": client.csrf("/account")})
    client.sign_in("landowner")
    assert text in client.get("/account/gain-site-allocations").get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": client.csrf("/account")})
    client.sign_in("other_landowner")
    assert text not in client.get("/account/gain-site-allocations").get_data(as_text=True)
    client.post("/sign-out", data={"csrf_token": client.csrf("/account")})

    # nothing of it on any public page or in the open data
    public = [
        f"/register/{world.site}",
        "/register?name=Meadow",
        f"/api/v1/sites/{world.site}",
        "/api/v1/sites",
        "/api/v1/sites.csv",
        "/api/v1/sites.geojson",
        "/api/v1/allocations",
        "/api/v1/allocations.csv",
        "/api/v1/parcels.csv",
    ]
    for path in public:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        for secret in ("Secret-marker-4711", "owner@example.com", "developer@example.com", "Alex Owner"):
            assert secret not in body, (path, secret)


def test_who_may_send_a_message(register: Register) -> None:
    world = register.world
    assert world is not None
    officer = world.actors["lpa_officer"]
    assert register.services.access.send_message(officer, world.site, "About the s106 monitoring").startswith("MSG-")
    for who in ("landowner", "case_worker"):
        with pytest.raises(Forbidden):
            register.services.access.send_message(world.actors[who], world.site, "Hello")
    assert _messages(register) == 1


def test_the_register_is_searched_by_site_name(register: Register, client: CheckedClient) -> None:
    world = register.world
    assert world is not None
    search = register.services.register.search
    assert [s.reference for s in search(SiteQuery(name="meadow")).items] == [world.site]
    assert [s.reference for s in search(SiteQuery(name="FARM meadow")).items] == [world.site]  # words, any order
    assert search(SiteQuery(name="meadow barn")).total == 0  # every word must be found
    for wildcard in ("%", "_", "Meadow%Farm", "\\"):  # LIKE's wildcards are plain characters here
        assert search(SiteQuery(name=wildcard)).total == 0, wildcard

    page = client.get("/register?name=meadow+farm").get_data(as_text=True)
    assert world.site in page and "1 gain site found" in page and "Name: meadow farm" in page
    assert "0 gain sites found" in client.get("/register?name=Orchard").get_data(as_text=True)
    found = client.get("/api/v1/sites?name=Meadow").get_json()
    assert [s["reference"] for s in found["items"]] == [world.site]
    assert client.get("/api/v1/sites?name=Orchard").get_json()["items"] == []
    rows = _csv(client.get("/api/v1/sites.csv?name=meadow").data)
    assert [r["reference"] for r in rows] == [world.site]
    too_long = client.get("/api/v1/sites", query_string={"name": "x" * 201})
    assert too_long.status_code == 400 and "name" in too_long.get_data(as_text=True)
    spec = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"] for p in spec["paths"]["/api/v1/sites"]["get"]["parameters"]}
    assert "name" in params
