"""The JSON API: a valid OpenAPI document, responses that match it, caching headers, no personal data."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from tests.db.fixtures import Register
from tests.register.world import EMAILS


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    doc: dict[str, Any] = client.get("/api/v1/openapi.json").get_json()
    return doc


def _schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}


def _valid(spec: dict[str, Any], name: str, instance: Any) -> None:
    schema = {**_schema(spec, name)}
    jsonschema.validate(instance, schema, cls=jsonschema.Draft202012Validator)


def test_the_openapi_document_is_valid(spec: dict[str, Any]) -> None:
    validate(spec)
    assert set(spec["paths"]) == {
        "/api/v1/sites",
        "/api/v1/sites.csv",
        "/api/v1/sites.geojson",
        "/api/v1/parcels",
        "/api/v1/parcels.csv",
        "/api/v1/parcels.geojson",
        "/api/v1/allocations",
        "/api/v1/allocations.csv",
        "/api/v1/allocations.geojson",
        "/api/v1/sites/{reference}",
        "/api/v1/lpas",
        "/api/v1/responsible-bodies",
        # with an API token (test_api_tokens)
        "/api/v1/metric/calculate",
        "/api/v1/metric/check",
        "/api/v1/maps/validate",
        "/api/v1/credits/estimate",
        "/api/v1/me/applications",
        "/api/v1/me/allocations",
        "/api/v1/me/credit-orders",
        "/api/v1/lpa/allocations",
        "/api/v1/lpa/proofs",
        "/api/v1/lpa/monitoring",
    }


def test_site_list_and_detail_match_the_document(client: FlaskClient, spec: dict[str, Any], register: Register) -> None:
    world = register.world
    assert world is not None
    listing = client.get("/api/v1/sites").get_json()
    _valid(spec, "SitePage", listing)
    assert listing["total"] == 1 and listing["items"][0]["reference"] == world.site
    assert listing["items"][0]["lpa"] == "Cambridge LPA"
    detail = client.get(f"/api/v1/sites/{world.site}").get_json()
    _valid(spec, "SiteDetail", detail)
    assert detail["agreement_lpas"] == ["Cambridge LPA"]
    assert {p["stage"] for p in detail["parcels"]} == {"baseline", "creation", "enhancement"}
    creation = next(p for p in detail["parcels"] if p["stage"] == "creation")
    assert creation["remaining_size"] == creation["size"] and creation["allocated_units"] == 0
    assert detail["boundary"]["type"] == "MultiPolygon"
    lon, lat = detail["boundary"]["coordinates"][0][0][0]
    assert -1 < lon < 1 and 51 < lat < 53  # WGS84, near Cambridge
    assert detail["history"][0]["kind"] == "registered"


def test_no_personal_data_in_the_api(client: FlaskClient, register: Register) -> None:
    world = register.world
    assert world is not None
    bodies = [client.get(p).get_data(as_text=True) for p in ("/api/v1/sites", f"/api/v1/sites/{world.site}")]
    for text in bodies:
        for email in EMAILS.values():
            assert email not in text
        assert "Alex Owner" not in text and "01632" not in text


def test_etag_and_last_modified_make_conditional_requests_cheap(client: FlaskClient) -> None:
    first = client.get("/api/v1/sites")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    again = client.get("/api/v1/sites", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/api/v1/sites", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other = client.get("/api/v1/sites?per_page=5")
    assert other.headers["ETag"] != first.headers["ETag"]  # the links differ


def test_filters_pagination_and_bad_input(client: FlaskClient, register: Register) -> None:
    assert client.get("/api/v1/sites?lpa=Cambridge+LPA").get_json()["total"] == 1
    assert client.get("/api/v1/sites?lpa=Exeter+LPA").get_json()["total"] == 0
    assert client.get("/api/v1/sites?habitat=neutral+grassland").get_json()["total"] == 1
    assert client.get("/api/v1/sites?habitat=saltmarsh").get_json()["total"] == 0
    assert client.get("/api/v1/sites?bbox=544000,257000,546000,259000").get_json()["total"] == 1
    assert client.get("/api/v1/sites?bbox=0,0,1000,1000").get_json()["total"] == 0
    page = client.get("/api/v1/sites?per_page=1000").get_json()
    assert page["per_page"] == 100 and page["links"]["next"] is None
    bad = client.get("/api/v1/sites?bbox=north")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert bad.get_json()["detail"].startswith("bbox: Bounding box must be four numbers")
    assert bad.get_json()["invalid_params"][0]["name"] == "bbox"
    missing = client.get("/api/v1/sites/BGS-000000999")
    assert missing.status_code == 404 and missing.get_json()["status"] == 404


def test_reference_lists(client: FlaskClient, spec: dict[str, Any]) -> None:
    lpas = client.get("/api/v1/lpas").get_json()["items"]
    assert (
        len(lpas) == 310  # the councils abolished in 2019-2023 are no LPAs now
        and {"name": "Cambridge LPA", "ons_code": lpas[[x["name"] for x in lpas].index("Cambridge LPA")]["ons_code"]}
        in lpas
    )
    bodies = client.get("/api/v1/responsible-bodies").get_json()["items"]
    for body in bodies:
        _valid(spec, "ResponsibleBody", body)
