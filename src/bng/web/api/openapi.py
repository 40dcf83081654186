"""The OpenAPI 3.1 document of the JSON API, built from the pydantic models' JSON Schemas."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from . import models

REF = "#/components/schemas/{model}"


def _schemas() -> dict[str, Any]:
    pairs = [
        (m, "serialization")
        for m in (models.SitePage, models.SiteDetail, models.Lpa, models.ResponsibleBody, models.Problem)
    ]
    _, top = models_json_schema(pairs, ref_template=REF)
    return dict(top.get("$defs", {}))


def _ok(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "200": {
            "description": description,
            "headers": {
                "ETag": {"schema": {"type": "string"}, "description": "Send it back as If-None-Match"},
                "Last-Modified": {"schema": {"type": "string"}},
            },
            "content": {"application/json": {"schema": schema}},
        },
        "304": {"description": "Not modified since the ETag or date you sent"},
    }


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def document(server: str) -> dict[str, Any]:
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
        "content": {"application/json": {"schema": {"$ref": REF.format(model="Problem")}}},
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
                    "parameters": [
                        _query("reference", "A gain site reference, or its beginning"),
                        _query("lpa", "A local planning authority's name, e.g. Cambridge LPA"),
                        _query("nca", "A National Character Area's name"),
                        _query("lnrs", "A Local Nature Recovery Strategy area's name"),
                        _query("habitat", "Part of the name of a habitat created or enhanced"),
                        _query("responsible_body", "A responsible body's id", {"type": "integer"}),
                        _query("bbox", "min easting,min northing,max easting,max northing (EPSG:27700)"),
                        _query("page", "Page number, from 1", {"type": "integer", "minimum": 1}),
                        _query(
                            "per_page", "Items per page, up to 100", {"type": "integer", "minimum": 1, "maximum": 100}
                        ),
                    ],
                    "responses": _ok({"$ref": REF.format(model="SitePage")}, "A page of gain sites"),
                }
            },
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
        },
        "components": {"schemas": _schemas()},
    }
