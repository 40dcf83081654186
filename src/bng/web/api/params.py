"""The query parameters as the OpenAPI document declares them, so that the document and the answers cannot disagree.

Each is checked against its schema (type, bounds, listed values, pattern) before anything reads it.
Rules a schema cannot say (a grid reference's square, ``distance_km`` needing ``near``) are the
filters' own, after this.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from werkzeug.datastructures import MultiDict

from ..site_filters import FilterError
from .openapi import PATTERNS_SAY

INTEGER = re.compile(r"-?[0-9]{1,40}")
NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,400})(?:\.[0-9]{1,400})?(?:[eE][+-]?[0-9]{1,6})?")
"""A JSON number (RFC 8259), as a query string carries one."""


def _bounds(schema: dict[str, Any]) -> str:
    said = []
    if "minimum" in schema:
        said.append(f"{schema['minimum']:g} or more")
    if "exclusiveMinimum" in schema:
        said.append(f"more than {schema['exclusiveMinimum']:g}")
    if "maximum" in schema:
        said.append(f"at most {schema['maximum']:,}")
    return ", " + " and ".join(said) if said else ""


def _within(value: float, schema: dict[str, Any]) -> bool:
    return (
        value >= schema.get("minimum", value)
        and value <= schema.get("maximum", value)
        and ("exclusiveMinimum" not in schema or value > schema["exclusiveMinimum"])
    )


def problem(name: str, value: str, schema: dict[str, Any]) -> str | None:
    """What is wrong with one parameter's value for its schema, or None."""
    kind = schema.get("type", "string")
    if kind in ("integer", "number"):
        pattern = INTEGER if kind == "integer" else NUMBER
        number = float(value) if pattern.fullmatch(value) else None
        if number is None or not _within(number, schema):
            what = "a whole number" if kind == "integer" else "a number"
            return f"{name} must be {what}{_bounds(schema)}"
        return None
    if "enum" in schema and value not in schema["enum"]:
        return f"{name} must be one of: {', '.join(schema['enum'])}"
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return PATTERNS_SAY.get(schema["pattern"], "{name} must match the pattern {pattern}").format(
            name=name, pattern=schema["pattern"]
        )
    return None


def check(declared: Sequence[dict[str, Any]], args: MultiDict[str, str]) -> list[FilterError]:
    """The declared query parameters that break their schemas (each may be given once)."""
    found = []
    for param in declared:
        name, values = param["name"], args.getlist(param["name"])
        if len(values) > 1:
            found.append(FilterError(name, f"{name} must be given once"))
        elif values and (said := problem(name, values[0], param["schema"])):
            found.append(FilterError(name, said))
    return found
