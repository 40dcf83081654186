"""The register as open data: sites, parcels and allocations as JSON, CSV and GeoJSON, paginated, in
British National Grid or WGS84, cached with ETag and Last-Modified; and the public search by units
still available and by location, with its download links. On SQLite and PostgreSQL + PostGIS."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import shapely
from flask.testing import FlaskClient
from shapely.geometry import shape

from tests.db.fixtures import Register
from tests.register.world import EMAILS
from tests.web.fixtures import LiveServer, screenshot

# England in British National Grid metres, and in WGS84 degrees
BNG_E, BNG_N = (80_000, 660_000), (0, 660_000)
LON, LAT = (-6.5, 2.0), (49.8, 55.9)


def _rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _links(response: Any) -> dict[str, str]:
    """The Link header's targets by rel, as paths with their query (the test client's URLs)."""
    found = {}
    for href, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers.get("Link", "")):
        parts = urlsplit(href)
        found[rel] = f"{parts.path}?{parts.query}"
    return found


def _valid(client: FlaskClient, name: str, instance: Any) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    jsonschema.validate(instance, schema, cls=jsonschema.Draft202012Validator)


@pytest.fixture
def allocation(register: Register) -> dict[str, Any]:
    """The developer takes 0.1 km of a hedgerow parcel of the world's gain site."""
    from bng.register import samples
    from bng.register.allocations.service import Development, Request
    from bng.register.core.ledger import QUANTUM
    from bng.register.core.uploads import Upload

    world, s = register.world, register.services
    assert world is not None
    hedge = next(p for p in s.register.site(world.site).parcels if p.module == "hedgerow" and p.stage == "creation")
    assert hedge.id is not None
    development = Development(world.lpa_ids["Cambridge LPA"], "26/01234/FUL", "Mill Road homes", "546000, 259000")
    consent = Upload("consent_file", "consent.pdf", samples.pdf("Consent"))
    made = s.allocations.allocate(
        world.actors["developer"], world.site, development, [Request(hedge.id, Decimal("0.1"))], consent=consent
    )
    units = float((Decimal("0.1") * hedge.units / hedge.size).quantize(QUANTUM, ROUND_DOWN))  # in proportion
    return {"reference": made.reference, "hedge": hedge, "units": units}


def test_sites_as_csv_with_both_crs(client: FlaskClient, register: Register) -> None:
    world = register.world
    assert world is not None
    detail = client.get(f"/api/v1/sites/{world.site}").get_json()
    response = client.get("/api/v1/sites.csv")
    rows = _rows(response)
    assert [r["reference"] for r in rows] == [world.site]
    row = rows[0]
    assert row["lpa"] == "Cambridge LPA" and row["name"] == detail["name"]
    e, n, lon, lat = (float(row[k]) for k in ("easting", "northing", "longitude", "latitude"))
    assert BNG_E[0] < e < BNG_E[1] and BNG_N[0] < n < BNG_N[1]
    assert (e, n) == (detail["easting"], detail["northing"])
    assert LON[0] < lon < LON[1] and LAT[0] < lat < LAT[1] and abs(lon - 0.1) < 0.5 and abs(lat - 52.2) < 0.3
    area = next(t for t in detail["totals"] if t["module"] == "area")
    assert float(row["remaining_habitat_units"]) == pytest.approx(area["remaining_units"])
    assert float(row["remaining_habitat_units"]) > 0
    assert _links(response).keys() == {"self", "first", "last"}  # one page: no next, no prev
    assert response.headers["ETag"] and response.headers["Last-Modified"]


def test_sites_as_geojson_in_wgs84_and_british_national_grid(client: FlaskClient, register: Register) -> None:
    world = register.world
    assert world is not None
    wgs = client.get("/api/v1/sites.geojson")
    assert wgs.status_code == 200 and wgs.mimetype == "application/geo+json"
    doc = json.loads(wgs.get_data(as_text=True))
    assert doc["type"] == "FeatureCollection" and "crs" not in doc and doc["total"] == 1
    feature = doc["features"][0]
    assert feature["id"] == world.site and feature["properties"]["reference"] == world.site
    x0, y0, x1, y1 = shape(feature["geometry"]).bounds
    assert LON[0] < x0 < x1 < LON[1] and LAT[0] < y0 < y1 < LAT[1]

    bng = json.loads(client.get("/api/v1/sites.geojson?crs=27700").get_data(as_text=True))
    assert bng["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::27700"
    outline = shape(bng["features"][0]["geometry"])
    x0, y0, x1, y1 = outline.bounds
    assert BNG_E[0] < x0 < x1 < BNG_E[1] and BNG_N[0] < y0 < y1 < BNG_N[1]
    props = bng["features"][0]["properties"]
    assert outline.area / 10_000 == pytest.approx(props["area_ha"], rel=1e-3)  # hectares, in metres
    assert (
        outline.contains(shapely.Point(props["easting"], props["northing"]))
        or outline.distance(shapely.Point(props["easting"], props["northing"])) < 1
    )
    # the same boundary both ways: WGS84 back to the grid is within a few metres
    from bng.gis import wgs84_to_bng

    back = wgs84_to_bng(shape(feature["geometry"]))
    assert back.symmetric_difference(outline).area < 0.001 * outline.area
    assert client.get("/api/v1/sites.geojson?crs=EPSG:27700").get_json()["crs"] == bng["crs"]


def test_parcels_in_every_format_and_their_pages(client: FlaskClient, register: Register) -> None:
    world = register.world
    assert world is not None
    everything = client.get("/api/v1/parcels?per_page=100").get_json()
    _valid(client, "ParcelPage", everything)
    detail = client.get(f"/api/v1/sites/{world.site}").get_json()
    assert everything["total"] == len(detail["parcels"]) >= 3
    assert {p["site_reference"] for p in everything["items"]} == {world.site}

    # one a page: follow next to the end, each parcel once, in the same order
    seen, path = [], "/api/v1/parcels?per_page=1"
    while path:
        page = client.get(path).get_json()
        seen += [(p["module"], p["stage"], p["ref"]) for p in page["items"]]
        assert (page["links"]["prev"] is None) == (page["page"] == 1)
        nxt = page["links"]["next"]
        path = f"{urlsplit(nxt).path}?{urlsplit(nxt).query}" if nxt else ""
    assert seen == [(p["module"], p["stage"], p["ref"]) for p in everything["items"]]

    # CSV: the Link header walks the same pages
    first = client.get("/api/v1/parcels.csv?per_page=2")
    links = _links(first)
    assert "per_page=2" in links["next"] and "page=2" in links["next"] and "prev" not in links
    second = client.get(links["next"])
    assert _links(second)["prev"] == links["self"].replace("page=1", "page=1")
    csv_refs = [(r["module"], r["stage"], r["ref"]) for r in _rows(first) + _rows(second)]
    assert csv_refs == seen[:4]
    assert list(_rows(first)[0])[:2] == ["site_reference", "module"]

    hedgerows = _rows(client.get("/api/v1/parcels.csv?module=hedgerow"))
    assert hedgerows and {r["module"] for r in hedgerows} == {"hedgerow"}
    assert {r["size_unit"] for r in hedgerows} == {"km"}
    geo = client.get("/api/v1/parcels.geojson?stage=creation").get_json()
    assert geo["features"] and {f["properties"]["stage"] for f in geo["features"]} == {"creation"}
    for f in geo["features"]:  # an outline when the site gave one, in WGS84
        if f["geometry"] is not None:
            x0, y0, x1, y1 = shape(f["geometry"]).bounds
            assert LON[0] < x0 <= x1 < LON[1] and LAT[0] < y0 <= y1 < LAT[1]


def test_allocations_in_every_format_without_personal_data(
    client: FlaskClient, register: Register, allocation: dict[str, Any]
) -> None:
    world = register.world
    assert world is not None
    page = client.get("/api/v1/allocations").get_json()
    _valid(client, "AllocationPage", page)
    assert page["total"] == 1
    item = page["items"][0]
    assert item["reference"] == allocation["reference"] and item["site_reference"] == world.site
    assert (item["planning_reference"], item["development_name"], item["lpa"]) == (
        "26/01234/FUL",
        "Mill Road homes",
        "Cambridge LPA",
    )
    assert item["hedgerow_km"] == pytest.approx(0.1) and item["habitat_units"] == 0
    assert item["hedgerow_units"] == pytest.approx(allocation["units"], abs=1e-6)

    rows = _rows(client.get("/api/v1/allocations.csv"))
    assert [r["reference"] for r in rows] == [allocation["reference"]]
    assert float(rows[0]["hedgerow_km"]) == pytest.approx(0.1)
    bng = client.get("/api/v1/allocations.geojson?crs=27700").get_json()
    point = shape(bng["features"][0]["geometry"])
    site = client.get(f"/api/v1/sites/{world.site}").get_json()
    assert (point.x, point.y) == (site["easting"], site["northing"])  # where the units are
    assert client.get("/api/v1/allocations?planning_reference=26/99999/FUL").get_json()["total"] == 0
    assert client.get(f"/api/v1/allocations.csv?site={world.site}").get_data(as_text=True).count("\r\n") == 2

    for path in ("/api/v1/allocations", "/api/v1/allocations.csv", "/api/v1/allocations.geojson"):
        text = client.get(path).get_data(as_text=True)
        for email in EMAILS.values():
            assert email not in text
        assert "Alex Owner" not in text and "01632" not in text and "created_by" not in text

    # the site's units left to sell moved with the allocation, in the open data too
    hedgerow = next(t for t in site["totals"] if t["module"] == "hedgerow")
    row = _rows(client.get("/api/v1/sites.csv"))[0]
    assert float(row["remaining_hedgerow_units"]) == pytest.approx(hedgerow["remaining_units"], abs=1e-6)


@pytest.mark.parametrize(
    "path", ["/api/v1/sites.csv", "/api/v1/sites.geojson", "/api/v1/parcels", "/api/v1/allocations.csv"]
)
def test_conditional_requests_get_304(client: FlaskClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert client.get(path, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200


def test_a_new_allocation_changes_etag_and_last_modified(
    client: FlaskClient, register: Register, request: pytest.FixtureRequest
) -> None:
    before = client.get("/api/v1/allocations.csv")
    register.clock.now = register.clock.now + timedelta(hours=1)
    request.getfixturevalue("allocation")
    after = client.get("/api/v1/allocations.csv", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.headers["Last-Modified"] != before.headers["Last-Modified"]
    assert len(_rows(after)) == 1


def test_units_and_location_filters(client: FlaskClient, register: Register) -> None:
    world = register.world
    assert world is not None
    site = client.get(f"/api/v1/sites/{world.site}").get_json()
    left = {t["module"]: t["remaining_units"] for t in site["totals"]}

    def total(query: str) -> int:
        response = client.get(f"/api/v1/sites?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return int(response.get_json()["total"])

    assert total(f"min_units={left['area'] - 0.01:.2f}") == 1
    assert total(f"min_units={left['area'] + 0.01:.2f}") == 0
    assert total(f"min_units={left['hedgerow'] - 0.01:.2f}&module=hedgerow") == 1
    assert total(f"min_units={left['hedgerow'] + 0.01:.2f}&module=hedgerow") == 0
    assert total("min_units=0&module=watercourse") == (1 if left.get("watercourse", 0) > 0 else 0)
    e, n = site["easting"], site["northing"]
    assert total(f"near={e:.0f},{n:.0f}&distance_km=0.1") == 1
    assert total("near=TL 4500 5800") == 1  # within the 5 km default
    assert total(f"near={e + 20_000:.0f},{n:.0f}&distance_km=10") == 0
    assert total(f"near={e + 20_000:.0f},{n:.0f}&distance_km=25") == 1
    assert total("near=SX 9200 9200&distance_km=50") == 0  # Exeter
    assert total(f"bbox={e - 10:.0f},{n - 10:.0f},{e + 10:.0f},{n + 10:.0f}") == 1
    assert total("bbox=300000,100000,310000,110000") == 0
    csv_rows = _rows(client.get(f"/api/v1/sites.csv?near={e:.0f},{n:.0f}&min_units=0.01"))
    assert [r["reference"] for r in csv_rows] == [world.site]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("/api/v1/sites?bbox=north", "bbox", "four numbers"),
        ("/api/v1/sites.csv?bbox=10,10,5,5", "bbox", "each minimum below its maximum"),
        ("/api/v1/sites?near=ZZ 123", "near", "Grid reference"),
        ("/api/v1/sites.geojson?distance_km=3", "near", "Enter a grid reference"),
        ("/api/v1/sites?near=TL45&distance_km=500", "distance_km", "at most 100"),
        ("/api/v1/sites?min_units=-1", "min_units", "0 or more"),
        ("/api/v1/sites?min_units=lots", "min_units", "a number"),
        ("/api/v1/sites?module=bats&min_units=1", "module", "hedgerow"),
        ("/api/v1/sites.geojson?crs=3857", "crs", "4326"),
        ("/api/v1/parcels?stage=planned", "stage", "creation"),
        ("/api/v1/allocations.csv?page=0", "page", "1 or more"),
        ("/api/v1/parcels?per_page=x", "per_page", "whole number"),
    ],
)
def test_bad_parameters_are_named(client: FlaskClient, query: str, field: str, words: str) -> None:
    response = client.get(query)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert field in [p["name"] for p in body["invalid_params"]]
    assert words in body["detail"] and body["detail"].startswith(f"{field}: ")


def test_the_openapi_document_lists_the_downloads(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for kind in ("sites", "parcels", "allocations"):
        for suffix in ("", ".csv", ".geojson"):
            assert f"/api/v1/{kind}{suffix}" in paths
    geojson = paths["/api/v1/sites.geojson"]["get"]
    assert "crs" in [p["name"] for p in geojson["parameters"]]
    assert "Link" in geojson["responses"]["200"]["headers"]
    names = [p["name"] for p in paths["/api/v1/sites"]["get"]["parameters"]]
    assert {"min_units", "module", "near", "distance_km", "bbox"} <= set(names)


def test_search_page_by_units_and_location_links_its_downloads(client: FlaskClient, register: Register) -> None:
    world = register.world
    assert world is not None
    html = client.get("/register?near=TL+4500+5800&distance_km=2&min_units=0.5&module=area").get_data(as_text=True)
    assert "1 gain site found" in html and world.site in html
    assert 'href="/api/v1/sites.csv?' in html
    download = re.search(r'href="(/api/v1/sites\.csv\?[^"]+)"', html)
    assert download is not None
    link = download.group(1).replace("&amp;", "&")
    assert "near=TL+4500+5800" in link and "min_units=0.5" in link and "distance_km=2" in link
    assert [r["reference"] for r in _rows(client.get(link))] == [world.site]
    far = client.get("/register?near=SX+9200+9200&distance_km=10").get_data(as_text=True)
    assert "0 gain sites found" in far


def test_a_bounding_box_or_distance_that_just_touches_a_site_finds_it(client: FlaskClient, register: Register) -> None:
    """The edges count: on PostgreSQL the extent is also tested with ``&&`` on boxes (for its index),
    which must agree with the comparisons SQLite makes."""
    world = register.world
    assert world is not None
    site = register.services.register.site(world.site).site

    def total(query: str) -> int:
        response = client.get(f"/api/v1/sites?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return int(response.get_json()["total"])

    x1, y1 = site.max_e, site.max_n
    assert total(f"bbox={x1!r},{y1!r},{x1 + 1000!r},{y1 + 1000!r}") == 1  # the corner only
    assert total(f"bbox={x1 + 0.01!r},{y1!r},{x1 + 1000!r},{y1 + 1000!r}") == 0
    assert total(f"bbox={site.min_e - 1000!r},{site.min_n - 1000!r},{site.min_e!r},{site.min_n!r}") == 1
    assert total(f"near={x1 + 1000!r},{site.northing!r}&distance_km=1") == 1  # 1 km from the east edge
    assert total(f"near={x1 + 1000.01!r},{site.northing!r}&distance_km=1") == 0


def test_the_search_page_selects_show_each_request_its_own_choice(client: FlaskClient) -> None:
    """The selects' HTML is kept and reused: a kept select must never show another search's choice."""
    lpa, other = "Cambridge LPA", "South Cambridgeshire LPA"
    first = client.get(f"/register?lpa={lpa}").get_data(as_text=True)
    second = client.get(f"/register?lpa={other}&module=hedgerow").get_data(as_text=True)
    again = client.get(f"/register?lpa={lpa}").get_data(as_text=True)
    wrong = client.get("/register?module=nothing").get_data(as_text=True)
    plain = client.get("/register").get_data(as_text=True)
    assert f'<option value="{lpa}" selected>' in first and f'<option value="{other}" selected>' not in first
    assert f'<option value="{other}" selected>' in second and f'<option value="{lpa}" selected>' not in second
    assert '<option value="hedgerow" selected>' in second and '<option value="hedgerow" selected>' not in again
    assert re.sub(r'nonce="[^"]*"', "", again) == re.sub(r'nonce="[^"]*"', "", first)  # the same page
    assert 'id="module-error"' in wrong and 'id="module-error"' not in plain
    assert " selected>" not in plain


def test_search_page_names_the_wrong_field(client: FlaskClient) -> None:
    html = client.get("/register?near=QQ+12&min_units=many&bbox=1,2,3").get_data(as_text=True)
    assert "<title>Error: Search the register" in html
    summary = html[html.index("govuk-error-summary") : html.index("<h1")]
    assert 'href="#near"' in summary and 'href="#min_units"' in summary and 'href="#bbox"' in summary
    assert "Units still available must be a number" in summary and "Bounding box must be four numbers" in summary
    assert "gain sites found" not in html and 'id="download"' not in html
    assert 'id="near-error"' in html  # the message is on the field too


def test_search_by_location_in_the_browser(page: Any, live_server: LiveServer, register: Register) -> None:
    world = register.world
    assert world is not None
    page.goto(f"{live_server.url}/register")
    page.get_by_label("Near a grid reference").fill("TL 4600 5900")
    page.get_by_label("Within (kilometres)").fill("nowhere")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Distance must be a number of kilometres" in summary
    page.get_by_label("Within (kilometres)").fill("3")
    page.get_by_label("At least this many units still available").fill("1")
    page.get_by_label("Units of").select_option(label="Hedgerow")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "1 gain site found" in main and world.site in main and "Hedgerow units left" in main
    screenshot(page, "22-search-by-location")
    href = page.get_by_role("link", name="GeoJSON in British National Grid").get_attribute("href")
    assert href is not None and "crs=27700" in href and "module=hedgerow" in href
    doc = page.request.get(f"{live_server.url}{href}").json()
    x, y = shape(doc["features"][0]["geometry"]).centroid.coords[0]
    assert BNG_E[0] < x < BNG_E[1] and BNG_N[0] < y < BNG_N[1]
