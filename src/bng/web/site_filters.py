"""The register's site filters, read from a query string.

The same names and the same checks serve the search page, its download links and the API (``/api/v1/sites``
and its CSV and GeoJSON).

Each bad value gives a :class:`FilterError` naming its field, so the page can put the message on the
field and the API can say which parameter is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from bng.metric import MODULE_NAMES
from bng.register.applications.boundary import parse_grid_reference
from bng.register.core.ports import SiteQuery

from .paging import MAX_ID, whole

FILTERS = (
    "reference",
    "name",
    "lpa",
    "nca",
    "lnrs",
    "habitat",
    "responsible_body",
    "min_units",
    "module",
    "near",
    "distance_km",
    "bbox",
)
"""The query string's filter names, in the order the search page shows them."""

DEFAULT_DISTANCE_KM = 5.0
MAX_DISTANCE_KM = 100.0
MAX_NAME = 200
"""As long as a gain site's name can be."""
MAX_REFERENCE = 20
"""As long as a gain site's reference can be (``after``, the keyset pagination's cursor, is one)."""
MAX_UNITS = 1_000_000.0
"""More units than any gain site could hold (10,000 ha of the highest distinctiveness is under 300,000)."""
# the extent of the British National Grid, metres
MAX_EASTING, MAX_NORTHING = 700_000.0, 1_300_000.0


@dataclass(frozen=True)
class FilterError:
    """A filter's bad value: the field (the API's parameter) and what it must be, in the page's words."""

    field: str
    message: str


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _site_name(given: str, errors: list[FilterError]) -> str:
    """The site name searched for, its spaces made single; too long a name is a problem, not a search."""
    if len(given) > MAX_NAME:
        errors.append(FilterError("name", f"Site name must be {MAX_NAME} characters or fewer"))
        return ""
    return " ".join(given.split())


def _after(given: str, errors: list[FilterError]) -> str:
    """The keyset cursor: a gain site's reference (whether there is one is the search's to say)."""
    if len(given) > MAX_REFERENCE:
        errors.append(FilterError("after", f"after must be a gain site reference, at most {MAX_REFERENCE} characters"))
        return ""
    return given.upper()


def site_query(args: Mapping[str, str], page: int = 1, per_page: int = 20) -> tuple[SiteQuery, list[FilterError]]:
    """The query the filters ask for, and what is wrong with them (the query leaves out the bad ones)."""
    errors: list[FilterError] = []

    def get(name: str) -> str:
        return (args.get(name) or "").strip()

    name = _site_name(args.get("name") or "", errors)

    body = get("responsible_body")
    body_id = whole(body, 1, MAX_ID) if body else None
    if body and body_id is None:
        errors.append(FilterError("responsible_body", "Responsible body must be the number of a responsible body"))

    module = get("module") or "area"
    if module not in MODULE_NAMES:
        errors.append(FilterError("module", "Units of must be habitat (area), hedgerow or watercourse"))
        module = "area"
    min_units: float | None = None
    if get("min_units"):
        min_units = _number(get("min_units").replace(",", ""))
        if min_units is None or not 0 <= min_units <= MAX_UNITS:
            errors.append(
                FilterError(
                    "min_units",
                    f"Units still available must be a number, 0 or more and at most {MAX_UNITS:,.0f}, like 2.5",
                )
            )
            min_units = None

    near: tuple[float, float, float] | None = None
    distance_km = DEFAULT_DISTANCE_KM
    if get("distance_km"):
        found = _number(get("distance_km"))
        if found is None or not 0 < found <= MAX_DISTANCE_KM:
            errors.append(
                FilterError(
                    "distance_km",
                    f"Distance must be a number of kilometres, more than 0 and at most {MAX_DISTANCE_KM:g}",
                )
            )
        else:
            distance_km = found
        if not get("near"):
            errors.append(FilterError("near", "Enter a grid reference to search within a distance of it"))
    if get("near"):
        try:
            e, n = parse_grid_reference(get("near"))
        except ValueError as err:
            errors.append(FilterError("near", f"Grid reference: {err}"))
        else:
            near = (e, n, distance_km * 1000.0)

    bbox: tuple[float, float, float, float] | None = None
    if get("bbox"):
        parts = [_number(p.strip()) for p in get("bbox").split(",")]
        if len(parts) != 4 or any(p is None for p in parts):
            errors.append(
                FilterError(
                    "bbox", "Bounding box must be four numbers: min easting, min northing, max easting, max northing"
                )
            )
        else:
            x0, y0, x1, y1 = (float(p) for p in parts if p is not None)
            if not (0 <= x0 < x1 <= MAX_EASTING and 0 <= y0 < y1 <= MAX_NORTHING):
                errors.append(
                    FilterError(
                        "bbox",
                        "Bounding box must be on the British National Grid (EPSG:27700, metres), each minimum below "
                        "its maximum, like 540000,250000,560000,270000",
                    )
                )
            else:
                bbox = (x0, y0, x1, y1)

    query = SiteQuery(
        after=_after(get("after"), errors),
        reference=get("reference"),
        name=name,
        lpa=get("lpa"),
        nca=get("nca"),
        lnrs=get("lnrs"),
        habitat=get("habitat"),
        responsible_body_id=body_id,
        bbox=bbox,
        min_units=min_units,
        units_module=module,
        near=near,
        page=page,
        per_page=per_page,
    )
    return query, errors


def filter_args(args: Mapping[str, str]) -> dict[str, str]:
    """The filters given (not empty), to carry into pagination and download links."""
    return {k: v for k in FILTERS if (v := (args.get(k) or "").strip())}
