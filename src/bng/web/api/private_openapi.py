"""The OpenAPI paths of the token-authenticated API (``private.py``): what each takes and answers."""

from __future__ import annotations

from typing import Any

from bng.register.accounts.api_tokens import RATE_LIMIT, SCOPES, Scope

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
SECURITY_SCHEMES = {
    "apiToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "An organisation's API token, made by one of its admins on the organisation's API tokens "
        "page (bng_ and 43 characters); it reads what belongs to any of the organisation's members. Scopes: "
        + "; ".join(f"{s.value}: {label}" for s, (label, _) in SCOPES.items()),
    }
}
REFUSALS = {
    "401": {
        "description": "No API token, or one that is unknown or revoked, or whose organisation is closed",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        "content": PROBLEM,
    },
    "403": {
        "description": "The token lacks the scope, or no admin of its organisation still holds the scope's permission",
        "content": PROBLEM,
    },
    "429": {
        "description": f"More than {RATE_LIMIT} calls in a minute with this token",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds until the next window"}},
        "content": PROBLEM,
    },
}
BAD = {"description": "The upload or a field is wrong; invalid_params names it", "content": PROBLEM}
ITEMS: dict[str, Any] = {
    "type": "object",
    "properties": {"items": {"type": "array", "items": {"type": "object"}}},
    "required": ["items"],
}
RESULT = {
    "type": "object",
    "description": "The engine's full result in the site file's result format (docs/site-file.md), naming the "
    "metric release it was calculated with",
    "properties": {"metric_release": {"type": "string"}, "modules": {"type": "object"}},
    "required": ["metric_release"],
}


def _upload(fields: dict[str, str], required: list[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {name: {"type": "string", "format": "binary", "description": text}
                                  for name, text in fields.items()}  # fmt: skip
    properties.update(extra or {})
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": False,
                },
            }
        },
    }


def _operation(op_id: str, summary: str, scope: Scope, ok: dict[str, Any], body: Any = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "operationId": op_id,
        "summary": summary,
        "description": f"Needs an API token with the {scope.value} scope.",
        "security": [{"apiToken": []}],
        "responses": {
            "200": {"description": "Done", "content": {"application/json": {"schema": ok}}},
            **({"400": BAD} if body is not None else {}),
            **REFUSALS,
        },
    }
    if body is not None:
        found["requestBody"] = body
    return found


METRIC_FILE = {"file": "A statutory metric workbook (.xlsx or .xlsm) or a JSON site file, up to 50 MB"}


def paths() -> dict[str, Any]:
    """The token API's operations for the OpenAPI document, each with the scope it needs."""
    lpa_items = {**ITEMS, "properties": {**ITEMS["properties"], "lpa": {"type": "string"}}}
    return {
        "/api/v1/metric/calculate": {
            "post": _operation(
                "calculateMetric",
                "Calculate a metric: units, net change, trading rules and credits, from a workbook or site file",
                Scope.METRIC,
                RESULT,
                _upload(METRIC_FILE, ["file"]),
            )
        },
        "/api/v1/metric/check": {
            "post": _operation(
                "checkWorkbook",
                "Check a workbook: recalculate it, compare with its cached values and judge it against the rules",
                Scope.METRIC,
                {"type": "object", "required": ["consistent", "compliant", "metric_release", "result"]},
                _upload(
                    {"file": "A statutory metric workbook (.xlsx or .xlsm), up to 50 MB"},
                    ["file"],
                    {
                        "target": {
                            "type": "string",
                            "pattern": "^[0-9]{1,3}([.][0-9]{1,6})?$",
                            "description": "A local target net gain in per cent, from 0 to 999",
                        }
                    },
                ),
            )
        },
        "/api/v1/maps/validate": {
            "post": _operation(
                "validateMaps",
                "Validate a baseline and post-intervention habitat map pair against the GeoPackage standard",
                Scope.METRIC,
                {"type": "object", "required": ["valid", "findings", "metric_release", "result"]},
                _upload(
                    {
                        "baseline": "The baseline map: a GeoPackage, a GeoJSON layer, or a .zip of layers, up to 50 MB",
                        "post_intervention": "The post-intervention map, likewise",
                    },
                    ["baseline", "post_intervention"],
                ),
            )
        },
        "/api/v1/credits/estimate": {
            "post": _operation(
                "estimateCredits",
                "Estimate the statutory biodiversity credits a metric needs and their cost",
                Scope.METRIC,
                {"type": "object", "required": ["credits", "total_gbp"]},
                _upload(
                    METRIC_FILE,
                    ["file"],
                    {"on": {"type": "string", "format": "date", "description": "Price on this date (default today)"}},
                ),
            )
        },
        "/api/v1/me/applications": {
            "get": _operation("myApplications", "The members' registration applications", Scope.APPLICATIONS, ITEMS)
        },
        "/api/v1/me/allocations": {
            "get": _operation("myAllocations", "The allocations the members recorded", Scope.ALLOCATIONS, ITEMS)
        },
        "/api/v1/me/credit-orders": {
            "get": _operation("myCreditOrders", "The members' statutory credit orders", Scope.CREDIT_ORDERS, ITEMS)
        },
        "/api/v1/lpa/allocations": {
            "get": _operation(
                "lpaAllocations", "Allocations for developments in the organisation's LPA", Scope.LPA, lpa_items
            )
        },
        "/api/v1/lpa/proofs": {
            "get": _operation("lpaProofs", "Proofs of purchase of credits sent to the LPA", Scope.LPA, lpa_items)
        },
        "/api/v1/lpa/monitoring": {
            "get": _operation(
                "lpaMonitoring",
                "The LPA's monitoring: gain plans, units secured, obligations by judgement, flags and fees",
                Scope.LPA,
                {"type": "object"},
            )
        },
    }
