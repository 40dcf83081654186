"""The maps' routes and markup: the offline base's boundaries as GeoJSON (valid RFC 7946, bounded in size,
the right areas for a box on the real boundaries), OS Maps tiles passed on with the key kept on the server
(against a stand-in speaking OS's ZXY API), and the map frames on the site, search, case and allocation
pages with the static drawing inside them."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
import shapely
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from bng.gis import wgs84_to_bng
from bng.register.core.places import places
from bng.web.app import Settings, create_app
from bng.web.map_data import MAX_VERTICES
from bng.web.os_maps import OsMaps
from tests.db.fixtures import Register
from tests.web.fixtures import CheckedClient
from tests.web.os_maps_stand_in import KEY, running

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

MAX_BYTES = 400_000
BOXES = {
    "all of the grid": (0, 0, 700_000, 1_300_000),
    "England": (80_000, 0, 660_000, 660_000),
    "East Anglia": (500_000, 200_000, 650_000, 350_000),
    "Cambridge": (540_000, 253_000, 550_000, 263_000),
    "a field": (545_000, 258_000, 545_200, 258_200),
    "the North Sea": (690_000, 500_000, 699_000, 509_000),
}


def _areas(client: FlaskClient, kind: str, box: tuple[float, ...]) -> dict[str, Any]:
    r = client.get(f"/maps/areas/{kind}.geojson?bbox={','.join(str(v) for v in box)}")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "application/geo+json"
    assert len(r.data) < MAX_BYTES, f"{kind} for {box}: {len(r.data):,} bytes"
    doc: dict[str, Any] = json.loads(r.data)
    return doc


def _valid(doc: dict[str, Any], kind: str) -> None:
    assert doc["type"] == "FeatureCollection"
    points = 0
    for f in doc["features"]:
        assert f["type"] == "Feature" and f["properties"]["kind"] == kind and f["properties"]["name"]
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        g = shape(f["geometry"])
        assert not g.is_empty and g.area > 0
        x0, y0, x1, y1 = g.bounds
        assert -7 < x0 <= x1 < 2.5 and 49.5 < y0 <= y1 < 56, "longitude, latitude (RFC 7946), in and near England"
        points += shapely.get_num_coordinates(g)
    assert points <= MAX_VERTICES


@pytest.mark.parametrize("kind", ["england", "lpa", "nca", "lnrs"])
def test_every_kind_of_area_is_valid_geojson_of_bounded_size(client: FlaskClient, kind: str) -> None:
    for name, box in BOXES.items():
        doc = _areas(client, kind, box)
        _valid(doc, kind)
        if name == "the North Sea":
            assert doc["features"] == []
        else:
            assert doc["features"], f"no {kind} in {name}"


def test_a_box_gives_the_areas_it_touches_on_the_real_boundaries(client: FlaskClient) -> None:
    cambridge = _areas(client, "lpa", (545_000, 258_000, 545_200, 258_200))
    assert [f["properties"]["name"] for f in cambridge["features"]] == ["Cambridge LPA"]
    around = {f["properties"]["name"] for f in _areas(client, "lpa", BOXES["Cambridge"])["features"]}
    assert {"Cambridge LPA", "South Cambridgeshire LPA"} <= around
    assert len(around) == 2
    nca = {f["properties"]["name"] for f in _areas(client, "nca", BOXES["a field"])["features"]}
    assert nca == {places().locate(shapely.box(*BOXES["a field"]))["nca"][0][0]}
    whole = _areas(client, "lpa", BOXES["England"])
    assert len({f["properties"]["name"] for f in whole["features"]}) == len(places().names("lpa"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    x=st.floats(150_000, 640_000),
    y=st.floats(20_000, 640_000),
    w=st.floats(50, 60_000),
    kind=st.sampled_from(["lpa", "nca", "lnrs"]),
)
def test_a_box_gives_exactly_the_areas_it_touches_give_or_take_the_simplification(
    client: FlaskClient, x: float, y: float, w: float, kind: str
) -> None:
    box = (x, y, x + w, y + w)
    doc = _areas(client, kind, box)
    got = {f["properties"]["name"] for f in doc["features"]}
    slack = doc["simplified_m"] * 2 + 1
    areas = places().areas[kind]
    near = {areas.names[i] for i in areas.tree.query(shapely.box(*box).buffer(slack), predicate="intersects")}
    inner = shapely.box(x + slack, y + slack, x + w - slack, y + w - slack) if w > 2 * slack else None
    sure = {areas.names[i] for i in areas.tree.query(inner, predicate="intersects")} if inner else set()
    assert sure <= got <= near
    for f in doc["features"]:  # cut to the box (to a metre, after the round trip through WGS84)
        assert shapely.box(*box).buffer(1).contains(wgs84_to_bng(shape(f["geometry"])))


@pytest.mark.parametrize(
    "query",
    ["", "bbox=1,2,3", "bbox=a,b,c,d", "bbox=10,10,5,20", "bbox=nan,0,1,1", "bbox=0,0,1e12,1e12", "bbox=" + "9" * 5000],
)
def test_a_bad_box_is_refused_with_its_reason(client: FlaskClient, query: str) -> None:
    r = client.get(f"/maps/areas/lpa.geojson?{query}")
    assert r.status_code == 400
    body = r.get_json(force=True)
    assert body["field"] == "bbox" and "bbox must be" in body["error"]


def test_no_other_layer_is_served(client: FlaskClient) -> None:
    assert client.get("/maps/areas/parcels.geojson?bbox=0,0,1,1").status_code == 404
    assert client.get("/maps/tiles/0/0/0.png").status_code == 404  # no OS_MAPS_API_KEY: no tiles


def _config(page: str) -> dict[str, Any]:
    m = re.search(r'<div class="bng-map-frame[^"]*" data-module="bng-map" data-map="([^"]+)">', page)
    assert m, "no map frame"
    config: dict[str, Any] = json.loads(html.unescape(m.group(1)))
    return config


def test_the_site_page_has_the_map_frame_around_the_static_drawing(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    page = client.get(f"/register/{world.site}").get_data(as_text=True)
    cfg = _config(page)
    assert cfg["tiles"] is None and cfg["areas"] == "/maps/areas/KIND.geojson"
    kinds = [f["properties"]["kind"] for f in cfg["features"]["features"]]
    assert kinds == ["boundary"], "the test world's habitats come from a metric, so no parcel has a shape"
    boundary = shape(cfg["features"]["features"][0]["geometry"])
    lon, lat = boundary.centroid.x, boundary.centroid.y
    assert abs(lon - 0.136) < 0.02 and abs(lat - 52.2) < 0.03, "545000, 258000 is in Cambridge"
    assert re.search(r'data-map="[^"]+"><svg[^>]*class="bng-map"', page), "the static drawing inside the frame"


def test_the_case_search_and_allocation_pages_have_maps(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("case_worker")
    case = _config(client.get(f"/review/applications/{world.applications['submitted']}").get_data(as_text=True))
    assert [f["properties"]["kind"] for f in case["features"]["features"]] == ["boundary"]
    found = _config(client.get("/register?lpa=Cambridge+LPA&bbox=540000,250000,560000,270000").get_data(as_text=True))
    assert found["search"]["bbox"] == [540000, 250000, 560000, 270000]
    assert found["search"]["results"].startswith("/api/v1/sites.geojson?")
    assert "bbox=540000" in found["search"]["results"] and "lpa=Cambridge" in found["search"]["results"]
    client.sign_in("developer")
    allocate = _config(client.get(f"/register/{world.site}/allocate").get_data(as_text=True))
    assert allocate["features"]["features"][0]["properties"]["kind"] == "boundary"


def test_os_maps_tiles_are_passed_on_and_the_key_stays_on_the_server(register: Register) -> None:
    world = register.world
    assert world is not None
    with running() as (base_url, seen):
        os_maps = OsMaps(KEY, "Road_27700", base_url)
        app = create_app(register.services, Settings(secret_key="t", testing=True, os_maps=os_maps))
        app.test_client_class = CheckedClient
        client = app.test_client()
        page = client.get(f"/register/{world.site}").get_data(as_text=True)
        assert KEY not in page
        cfg = _config(page)
        assert cfg["tiles"] == "/maps/tiles/{z}/{x}/{y}.png" and cfg["maxNativeZoom"] == 13
        r = client.get("/maps/tiles/5/20/30.png")
        assert r.status_code == 200 and r.mimetype == "image/png" and r.data.startswith(b"\x89PNG")
        assert KEY not in r.headers.get("Location", "")
        assert seen == [f"/maps/raster/v1/zxy/Road_27700/5/20/30.png?key={KEY}"]
        assert client.get("/maps/tiles/5/20/30.png").status_code == 200
        assert len(seen) == 1, "a tile asked twice is served from memory"
        for outside in ("14/0/0", "0/5/0", "0/0/9", "3/-1/0"):
            assert client.get(f"/maps/tiles/{outside}.png").status_code == 404
        assert len(seen) == 1, "a tile outside the 27700 matrix is never asked of OS"
        wrong = create_app(
            register.services, Settings(secret_key="t", testing=True, os_maps=OsMaps("wrong", base_url=base_url))
        )
        assert wrong.test_client().get("/maps/tiles/1/1/1.png").status_code == 502
    with pytest.raises(ValueError, match="OS_MAPS_LAYER"):
        OsMaps(KEY, "Nonsense_3857")


def test_the_allocation_check_page_maps_the_development_beside_the_gain_site(
    client: CheckedClient, register: Register
) -> None:
    from tests.web.test_allocate import answers, parcels

    world = register.world
    assert world is not None
    grass = parcels(register)["area-creation-1"]
    client.sign_in("developer")
    start = f"/register/{world.site}/allocate"
    check = client.form(start, answers(register, method="parcels", **{f"parcel-{grass.id}": "0.5"}), start)
    page = check.get_data(as_text=True)
    assert check.status_code == 200
    said = re.findall(r"The development \(([^)]+)\) is ([^<]+)</p>", page)
    assert said == [("546000, 259000", "1.3 km from the gain site.")]
    cfg = _config(page)
    kinds = [f["properties"]["kind"] for f in cfg["features"]["features"]]
    assert kinds == ["boundary", "development"]
    point = shape(cfg["features"]["features"][1]["geometry"])
    assert wgs84_to_bng(point).distance(shapely.Point(546_000, 259_000)) < 1


def test_a_maps_background_answer_leaves_the_session_cookie_alone(client: CheckedClient) -> None:
    """The map's GeoJSON is fetched while the person goes on with the page: an answer that set the session
    cookie again would overwrite a newer one (a form's flash message, set meanwhile) with the older."""
    client.sign_in("case_worker")
    answer = client.get("/maps/areas/lpa.geojson?bbox=547352,256921,550649,259079")
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers
