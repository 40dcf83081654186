"""The open data's files: CSV (RFC 4180, a header row) and GeoJSON, in British National Grid or WGS84.

A CSV is opened in spreadsheets, which run a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or
a carriage return before one) as a formula: a site name ``=HYPERLINK(…)`` would become a link to anywhere.
Every text cell that begins so gets a leading apostrophe (OWASP's advice for CSV injection), which
spreadsheets show as text; numbers are written as numbers.

GeoJSON in WGS84 follows RFC 7946 (longitude, latitude; 7 decimals, about 1 cm). GeoJSON in
EPSG:27700 carries the 2008 specification's named ``crs`` member, which GDAL/QGIS read; its
coordinates are eastings and northings in metres to the centimetre.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from bng.register.core.places import bng_to_wgs84

CRS = {"4326": "WGS84 (EPSG:4326)", "27700": "British National Grid (EPSG:27700)"}
CRS_NAMES = {"27700": "urn:ogc:def:crs:EPSG::27700"}
DECIMALS = {"4326": 7, "27700": 2}


def parse_crs(text: str) -> str | None:
    """The CRS a client asked for: "4326" or "27700" from those or "EPSG:…"; None for anything else."""
    code = text.strip().upper().removeprefix("EPSG:")
    return code if code in CRS else None


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value: Any) -> Any:
    """A value as a CSV cell: None is empty, text a spreadsheet would run as a formula is made inert."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """Rows as RFC 4180 CSV with a header row, each cell made safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: cell(v) for k, v in row.items()})
    return out.getvalue()


def geometry(geom: BaseGeometry | None, crs: str) -> dict[str, Any] | None:
    """A GeoJSON geometry from an EPSG:27700 shapely geometry, in ``crs``, rounded."""
    if geom is None or geom.is_empty:
        return None
    moved = bng_to_wgs84(geom) if crs == "4326" else geom
    digits = DECIMALS[crs]
    rounded = shapely.transform(moved, lambda xy: np.round(xy, digits))
    return dict(mapping(rounded))


def feature_collection(
    features: list[dict[str, Any]], crs: str, paging: dict[str, Any], links: dict[str, str | None]
) -> str:
    """A page of features as GeoJSON, with its paging and links; a British National Grid one names its CRS."""
    doc: dict[str, Any] = {"type": "FeatureCollection"}
    if crs in CRS_NAMES:
        doc["crs"] = {"type": "name", "properties": {"name": CRS_NAMES[crs]}}
    doc.update(paging)
    doc["links"] = [{"rel": rel, "href": href} for rel, href in links.items() if href]
    doc["features"] = features
    return json.dumps(doc, separators=(",", ":"), default=str)


def link_header(links: dict[str, str | None]) -> str:
    """An RFC 8288 Link header: ``<url>; rel="next", ...``."""
    return ", ".join(f'<{href}>; rel="{rel}"' for rel, href in links.items() if href)
