"""A schematic map of a Site: each row drawn as a rectangle (areas) or a straight line (hedgerows,
watercourses) of exactly its size, split into its retained, enhanced and lost parts.

Test scaffolding for "a map built from a test vector's parcels": the geometry carries exactly
the sizes the vector gives, so a map written from it and read back must calculate to the
vector's expected totals. The layout is not geography: parcels sit side by side in a strip.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from bng.gis.sitemap import MappedSite, RowGeometry, RowKey
from bng.metric import load
from bng.metric.model import Site

ORIGIN = (430_000.0, 430_000.0)  # in England (near Leeds), in British National Grid metres
STRIP_M = 100.0


class CannotDraw(ValueError):
    """A site that no map can hold (say, more retained and enhanced than a parcel's area)."""


def _slices(x: float, y: float, widths: list[float], height: float) -> list[BaseGeometry | None]:
    out: list[BaseGeometry | None] = []
    for w in widths:
        out.append(shapely.box(x, y, x + w, y + height) if w > 0 else None)
        x += w
    return out


def _segments(x: float, y: float, lengths: list[float]) -> list[BaseGeometry | None]:
    out: list[BaseGeometry | None] = []
    for length in lengths:
        out.append(shapely.LineString([(x, y), (x + length, y)]) if length > 0 else None)
        x += length
    return out


def lay_out(site: Site) -> MappedSite:
    """Geometry for every row of the site; raises CannotDraw when the rows cannot be a map."""
    x0, y0 = ORIGIN
    geometry: dict[RowKey, RowGeometry] = {}
    cursor = x0
    for location in ("on_site", "off_site"):
        loc = getattr(site, location)
        for row in (*loc.area.baseline, *loc.watercourse.baseline):
            if row.bespoke_compensation != "No":
                raise CannotDraw(f"row {row.ref}: the GeoPackage standard has no column for bespoke compensation")
        for row in loc.area.baseline:
            hab = load().area_habitat(row.habitat)
            if hab is not None and bool(row.irreplaceable) != (hab.irreplaceable == "Yes"):
                raise CannotDraw(
                    f"row {row.ref}: the GeoPackage standard has no column saying a habitat is irreplaceable"
                )
            if row.trees:
                raise CannotDraw("tree counts are drawn as points; this layout draws areas only")
            area, ret, enh = (row.area_ha or 0.0) * 1e4, (row.retained_ha or 0.0) * 1e4, (row.enhanced_ha or 0.0) * 1e4
            if ret + enh > area * (1 + 1e-12) or area <= 0:
                raise CannotDraw(f"baseline parcel {row.ref}: retained + enhanced exceeds its area")
            width = area / STRIP_M
            r, e, _ = _slices(cursor, y0, [ret / STRIP_M, enh / STRIP_M, width - (ret + enh) / STRIP_M], STRIP_M)
            geometry[("area", location, "baseline", row.ref)] = RowGeometry(
                shapely.box(cursor, y0, cursor + width, y0 + STRIP_M), r, e
            )
            cursor += width + 10
        for row in loc.area.creation:
            if row.trees or not row.area_ha:
                raise CannotDraw(f"creation row {row.ref} has no area to draw")
            width = row.area_ha * 1e4 / STRIP_M
            geometry[("area", location, "creation", row.ref)] = RowGeometry(
                shapely.box(cursor, y0, cursor + width, y0 + STRIP_M)
            )
            cursor += width + 10
        for k, module in enumerate(("hedgerow", "watercourse")):
            rows = getattr(loc, module)
            for i, row in enumerate(rows.baseline):
                length, ret, enh = (
                    (row.length_km or 0.0) * 1e3,
                    (row.retained_km or 0.0) * 1e3,
                    (row.enhanced_km or 0.0) * 1e3,
                )
                if ret + enh > length * (1 + 1e-12) or length <= 0:
                    raise CannotDraw(f"{module} {row.ref}: retained + enhanced exceeds its length")
                y = y0 - 50 - 20 * i - 1000 * k - (0 if location == "on_site" else 5000)
                r, e, _ = _segments(x0, y, [ret, enh, length - ret - enh])
                geometry[(module, location, "baseline", row.ref)] = RowGeometry(
                    shapely.LineString([(x0, y), (x0 + length, y)]), r, e
                )
            for i, row in enumerate(rows.creation):
                y = y0 - 500 - 20 * i - 1000 * k - (0 if location == "on_site" else 5000)
                line = shapely.LineString([(x0, y), (x0 + (row.length_km or 0.0) * 1e3, y)])
                geometry[(module, location, "creation", row.ref)] = RowGeometry(line)
    if not geometry:
        raise CannotDraw("the site has no rows to draw")
    everything = shapely.union_all([g.whole for g in geometry.values() if g.whole is not None])
    return MappedSite(site, shapely.box(*everything.bounds).buffer(5, join_style="mitre"), geometry)
