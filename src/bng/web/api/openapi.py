"""The OpenAPI 3.1 document of the JSON API, built from the pydantic models' JSON Schemas."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ..paging import MAX_ID, MAX_PAGE
from ..site_filters import MAX_DISTANCE_KM, MAX_NAME, MAX_UNITS
from . import models, private_openapi

REF = "#/components/schemas/{model}"


def _schemas() -> dict[str, Any]:
    pairs: list[tuple[type[BaseModel], Literal["serialization"]]] = [
        (m, "serialization")
        for m in (
            models.SitePage,
            models.SiteDetail,
            models.ParcelPage,
            models.AllocationPage,
            models.Lpa,
            models.ResponsibleBody,
            models.Problem,
        )
    ]
    _, top = models_json_schema(pairs, ref_template=REF)
    return dict(top.get("$defs", {}))


HEADERS = {
    "ETag": {"schema": {"type": "string"}, "description": "Send it back as If-None-Match"},
    "Last-Modified": {
        "schema": {"type": "string"},
        "description": "The last change to any gain site or allocation; send it back as If-Modified-Since",
    },
}
LINK = {
    "Link": {
        "schema": {"type": "string"},
        "description": 'RFC 8288 links to the other pages: <url>; rel="next", rel="prev", rel="first", rel="last"',
    }
}
BAD = {
    "description": "A parameter is wrong; invalid_params names it",
    "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
}


def _ok(
    schema: dict[str, Any], description: str, media: str = "application/json", paged: bool = False
) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "headers": {**HEADERS, **(LINK if paged else {})},
            "content": {media: {"schema": schema}},
        },
        "304": {"description": "Not modified since the ETag or date you sent"},
    }


NO_NUL = "^[^\\u0000]*$"
TEXT = {"type": "string", "pattern": NO_NUL}
_COORD = r"\s*-?[0-9]+(\.[0-9]+)?\s*"
BBOX = f"^{_COORD}(,{_COORD}){{3}}$"
PATTERNS_SAY = {
    NO_NUL: "{name} must not hold a NUL character",
    BBOX: "Bounding box must be four numbers: min easting, min northing, max easting, max northing",
}
"""What a value that does not match a pattern is told."""
"""Free text: anything but NUL, which neither database can hold."""


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or TEXT,
    }


PAGING = [
    _query("page", f"Page number, from 1 to {MAX_PAGE:,}", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
    _query("per_page", "Items per page, up to 100 (JSON) or 1,000 (CSV, GeoJSON); more is cut to the most",
           {"type": "integer", "minimum": 1}),
]  # fmt: skip
SITE_FILTERS = [
    _query("reference", "A gain site reference, or its beginning"),
    _query("name", "Words of the gain site's name, each found in it (any case, any order), up to 200 characters",
           {"type": "string", "maxLength": MAX_NAME}),
    _query("lpa", "A local planning authority's name, e.g. Cambridge LPA"),
    _query("nca", "A National Character Area's name"),
    _query("lnrs", "A Local Nature Recovery Strategy area's name"),
    _query("habitat", "Part of the name of a habitat created or enhanced"),
    _query("responsible_body", "A responsible body's id", {"type": "integer", "minimum": 1, "maximum": MAX_ID}),
    _query("min_units", "At least this many units still to allocate, of module",
           {"type": "number", "minimum": 0, "maximum": MAX_UNITS}),
    _query("module", "The units min_units counts", {"type": "string", "enum": ["area", "hedgerow", "watercourse"]}),
    _query(
        "near", "An OS grid reference (TL 4600 5900) or easting,northing: sites within distance_km of it, nearest first"
    ),
    _query("distance_km", f"Kilometres from near, up to {MAX_DISTANCE_KM:g} (default 5)",
           {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_DISTANCE_KM}),
    _query("bbox", "min easting,min northing,max easting,max northing (EPSG:27700): sites whose extent meets it; "
           "each minimum below its maximum, on the British National Grid", {"type": "string", "pattern": BBOX}),
    _query("after", "Keyset pagination: the reference of the last gain site of the page before (the next link "
           "carries it): the page is read from there, not counted past from the first; page then only names it",
           {"type": "string", "maxLength": 20, "pattern": NO_NUL}),
]  # fmt: skip
PARCEL_FILTERS = [
    _query("site", "A gain site reference"),
    _query("module", "area, hedgerow or watercourse", {"type": "string", "enum": ["area", "hedgerow", "watercourse"]}),
    _query("stage", "baseline, creation or enhancement",
           {"type": "string", "enum": ["baseline", "creation", "enhancement"]}),
    _query("habitat", "Part of the habitat's name"),
    _query("lpa", "The LPA the gain site lies in"),
]  # fmt: skip
ALLOCATION_FILTERS = [
    _query("site", "The gain site's reference"),
    _query("lpa", "The development's LPA"),
    _query("planning_reference", "The planning application's reference"),
]
CRS_PARAM = _query(
    "crs",
    "4326 (WGS84, RFC 7946, the default) or 27700 (British National Grid, with a named crs member)",
    {"type": "string", "enum": ["4326", "27700", "EPSG:4326", "EPSG:27700"]},
)
GEOJSON = {
    "type": "object",
    "description": "A GeoJSON FeatureCollection; each feature's properties are the JSON item's fields",
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": {"type": "object"}},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "pages": {"type": "integer"},
        "links": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "features"],
}
CSV = {"type": "string", "description": "RFC 4180 CSV with a header row; the columns are the JSON item's fields"}
KINDS = {
    "sites": ("Sites", "gain sites on the register", SITE_FILTERS, "SitePage",
              "the boundary (or the site's point when it was given as a plan)"),
    "parcels": ("Parcels", "habitat parcels of registered gain sites, with what is allocated and what remains",
                PARCEL_FILTERS, "ParcelPage", "the parcel's outline when the site gave one, else null"),
    "allocations": ("Allocations", "allocations of units to developments (no personal data)", ALLOCATION_FILTERS,
                    "AllocationPage", "the gain site's point, where the units are"),
}  # fmt: skip


def _downloads() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for kind, (title, what, filters, page_model, geometry) in KINDS.items():
        if kind != "sites":
            paths[f"/api/v1/{kind}"] = {
                "get": {
                    "operationId": f"list{title}",
                    "summary": f"A page of {what}",
                    "parameters": [*filters, *PAGING],
                    "responses": {**_ok({"$ref": REF.format(model=page_model)}, f"A page of {kind}", paged=True),
                                  "400": BAD},
                }
            }  # fmt: skip
        paths[f"/api/v1/{kind}.csv"] = {
            "get": {
                "operationId": f"download{title}Csv",
                "summary": f"A page of {what}, as CSV (1,000 rows a page unless per_page says fewer)",
                "parameters": [*filters, *PAGING],
                "responses": {**_ok(CSV, f"A page of {kind} as CSV", "text/csv", paged=True), "400": BAD},
            }
        }
        paths[f"/api/v1/{kind}.geojson"] = {
            "get": {
                "operationId": f"download{title}GeoJson",
                "summary": f"A page of {what}, as GeoJSON; the geometry is {geometry}",
                "parameters": [*filters, CRS_PARAM, *PAGING],
                "responses": {
                    **_ok(GEOJSON, f"A page of {kind} as GeoJSON", "application/geo+json", paged=True),
                    "400": BAD,
                },
            }
        }
    return paths


def document(server: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the public API and the token API's, with ``server`` as its base URL."""
    list_of = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": REF.format(model="Lpa")}}},
        "required": ["items"],
    }
    bodies = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": REF.format(model="ResponsibleBody")}}},
        "required": ["items"],
    }
    not_found = {
        "description": "No such gain site",
        "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Biodiversity gain sites register",
            "version": "1.0.0",
            "description": "The register of off-site biodiversity gain sites in England: gain sites, their habitat "
            "parcels, what is allocated and what remains. Read-only, no personal data. Coordinates are British "
            "National Grid (EPSG:27700) unless a field says WGS84.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/v1/sites": {
                "get": {
                    "operationId": "listSites",
                    "summary": "Search the register",
                    "parameters": [*SITE_FILTERS, *PAGING],
                    "responses": {
                        **_ok({"$ref": REF.format(model="SitePage")}, "A page of gain sites", paged=True),
                        "400": BAD,
                    },
                }
            },
            **_downloads(),
            "/api/v1/sites/{reference}": {
                "get": {
                    "operationId": "getSite",
                    "summary": "A gain site with its habitats, allocations, history and documents",
                    "parameters": [{"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {**_ok({"$ref": REF.format(model="SiteDetail")}, "The gain site"), "404": not_found},
                }
            },
            "/api/v1/lpas": {
                "get": {
                    "operationId": "listLpas",
                    "summary": "Local planning authorities",
                    "responses": _ok(list_of, "LPAs"),
                }
            },
            "/api/v1/responsible-bodies": {
                "get": {
                    "operationId": "listResponsibleBodies",
                    "summary": "Responsible bodies designated for conservation covenants",
                    "responses": _ok(bodies, "Responsible bodies"),
                }
            },
            **private_openapi.paths(),
        },
        "components": {"schemas": _schemas(), "securitySchemes": private_openapi.SECURITY_SCHEMES},
    }
