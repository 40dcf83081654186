"""A gain site's boundary: read from a map file, or given as a grid reference and an area.

A map file (GeoPackage, GeoJSON, or a zipped Shapefile) is read with GDAL (pyogrio), in its own
coordinate reference system, and turned into one (Multi)Polygon in EPSG:27700. Nothing is
repaired silently: an invalid polygon is reported with GEOS's reason and where it is, because a
boundary that crosses itself has no trustworthy area.

Reading is bounded before any geometry is built: a GeoPackage holding anything but tables (an SQL
view, a generated column, a trigger of its own) is refused unread, a GeoJSON text by the positions
it holds, and every file by the vertices of its features (``bng.gis.vertices``: 100,000 in the
whole boundary, ten times what a real red line rarely needs).
"""

from __future__ import annotations

import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from bng.gis import (
    MAX_VERTICES_PER_BOUNDARY,
    MAX_VERTICES_PER_FEATURE,
    CRSError,
    NotAGeoPackage,
    TooManyVertices,
    check_geojson,
    check_safe,
    check_wkb,
    is_bng,
    parse_crs,
    to_bng,
)
from bng.register.core.errors import Invalid, Problem
from bng.register.core.filetypes import FileType, zip_members
from bng.register.core.places import Places

if TYPE_CHECKING:
    import pyproj

SECTION = "boundary"
MAX_FEATURES = 10_000
MAX_AREA_HA = 10_000.0
"""A gain site larger than 100 km² is surely a mistake in units or projection."""
MIN_AREA_HA = 0.0001
"""One square metre: smaller is a slip of the pen, not a site."""
PREFERRED_LAYERS = ("red line boundary", "red_line_boundary", "boundary", "site boundary")
_LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # the grid's letters: no I


@dataclass(frozen=True, slots=True)
class Boundary:
    """A boundary in EPSG:27700; ``geometry`` is None when only a grid reference and area are known."""

    geometry: BaseGeometry | None
    area_ha: float
    easting: float
    northing: float
    grid_reference: str

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(min easting, min northing, max easting, max northing): the point's own for a grid reference."""
        if self.geometry is None:
            return (self.easting, self.northing, self.easting, self.northing)
        x0, y0, x1, y1 = self.geometry.bounds
        return (float(x0), float(y0), float(x1), float(y1))

    def shape(self) -> BaseGeometry:
        """The polygon, or the grid reference's point when there is none."""
        return self.geometry if self.geometry is not None else shapely.Point(self.easting, self.northing)


def read_boundary_file(data: bytes, file_type: FileType, field: str = "boundary_file") -> BaseGeometry:
    """The polygons of a boundary map file, unioned, in EPSG:27700 (raises Invalid naming the problem)."""
    with tempfile.TemporaryDirectory(prefix="bng-boundary-") as tmp:
        folder = Path(tmp)
        if file_type == FileType.SHAPEFILE_ZIP:
            path = _unzip_shapefile(data, folder, field)
        else:
            path = folder / ("boundary.gpkg" if file_type == FileType.GEOPACKAGE else "boundary.geojson")
            path.write_bytes(data)
        return _read_polygons(path, file_type, field)


def _unzip_shapefile(data: bytes, folder: Path, field: str) -> Path:
    names = zip_members(data)
    shp = [n for n in names if n.lower().endswith(".shp") and not n.startswith("__MACOSX")]
    if len(shp) != 1:
        raise Invalid.one(
            field, f"The zip file holds {len(shp)} Shapefiles; it must hold exactly one (the boundary)", SECTION
        )
    stem = shp[0][:-4]
    wanted = {f"{stem}{ext}".lower(): f"boundary{ext}" for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")}
    with zipfile.ZipFile(BytesIO(data)) as zf:
        for name in names:
            target = wanted.get(name.lower())
            if target:
                (folder / target).write_bytes(zf.read(name))
    if not (folder / "boundary.prj").exists():
        raise Invalid.one(
            field,
            "The Shapefile has no .prj file, so its coordinate reference system is unknown; include the .prj "
            "(British National Grid, EPSG:27700, is expected)",
            SECTION,
        )
    return folder / "boundary.shp"


def _refuse_unsafe(path: Path, file_type: FileType, field: str) -> dict[str, str]:
    """Refuse what must not reach GDAL; the options GDAL opens the file with."""
    try:
        if file_type == FileType.GEOPACKAGE:
            check_safe(path)
            return {"IMMUTABLE": "YES"}
        if file_type == FileType.GEOJSON:
            check_geojson(path.read_bytes(), budget=MAX_VERTICES_PER_BOUNDARY, what="it")
    except NotAGeoPackage as err:
        raise Invalid.one(field, f"The boundary file cannot be used: {err.finding.message}", SECTION) from None
    except TooManyVertices as err:
        raise Invalid.one(field, f"The boundary file cannot be used: {err}", SECTION) from None
    return {}


def _read_polygons(path: Path, file_type: FileType, field: str) -> BaseGeometry:
    options: dict[str, Any] = _refuse_unsafe(path, file_type, field)  # GDAL open options, as keywords
    try:
        layers = pyogrio.list_layers(path)
    except Exception as err:  # GDAL says why in its own words
        raise Invalid.one(field, f"The boundary file cannot be read: {_short(err)}", SECTION) from None
    polygonal = [str(n) for n, g in layers if g and "polygon" in str(g).lower()]
    if not polygonal:
        raise Invalid.one(
            field, "The boundary file has no polygon layer; the boundary must be drawn as a polygon", SECTION
        )
    layer = next((n for n in polygonal if n.lower() in PREFERRED_LAYERS), None)
    if layer is None:
        if len(polygonal) > 1:
            raise Invalid.one(
                field,
                f"The boundary file has {len(polygonal)} polygon layers ({', '.join(polygonal)}); name the boundary's "
                "layer 'Red Line Boundary' or upload a file with the boundary alone",
                SECTION,
            )
        layer = polygonal[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            info = pyogrio.read_info(path, layer=layer, **options)
            if info["features"] > MAX_FEATURES:
                raise Invalid.one(
                    field, f"The boundary layer has {info['features']:,} features; at most {MAX_FEATURES:,}", SECTION
                )
            _meta, _fids, wkb, _fields = pyogrio.raw.read(path, layer=layer, read_geometry=True, columns=[], **options)
    except Invalid:
        raise
    except Exception as err:
        raise Invalid.one(field, f"The boundary layer {layer!r} cannot be read: {_short(err)}", SECTION) from None
    try:
        check_wkb(
            wkb if wkb is not None else (),
            per_feature=MAX_VERTICES_PER_FEATURE,
            budget=MAX_VERTICES_PER_BOUNDARY,
            what="it",
        )
    except TooManyVertices as err:
        raise Invalid.one(field, f"The boundary file cannot be used: {err}", SECTION) from None
    geoms = [g for g in shapely.from_wkb(np.asarray(wkb, dtype=object)) if g is not None and not g.is_empty]
    if not geoms:
        raise Invalid.one(field, f"The boundary layer {layer!r} has no polygons in it", SECTION)
    if any(g.geom_type not in ("Polygon", "MultiPolygon") for g in geoms):
        raise Invalid.one(field, "The boundary layer holds shapes that are not polygons", SECTION)
    crs_text = info.get("crs")
    if not crs_text:
        if file_type != FileType.GEOJSON:
            raise Invalid.one(
                field,
                "The boundary file does not say its coordinate reference system; save it in British National "
                "Grid (EPSG:27700)",
                SECTION,
            )
        crs_text = "EPSG:4326"  # RFC 7946: GeoJSON without a crs member is WGS84
    try:
        crs = parse_crs(crs_text)
    except CRSError:
        raise Invalid.one(
            field, f"The boundary file's coordinate reference system {crs_text!r} is unknown", SECTION
        ) from None
    geom = shapely.union_all(np.array(geoms, dtype=object), grid_size=None) if len(geoms) > 1 else geoms[0]
    if not geom.is_valid:
        raise Invalid(invalid_reason(geom), [Problem(field, invalid_reason(geom), SECTION)])
    return _to_bng(geom, crs, field)


def _to_bng(geom: BaseGeometry, crs: pyproj.CRS, field: str) -> BaseGeometry:
    """The boundary in EPSG:27700, reprojected as every map is (``bng.gis.crs``: PROJ offline)."""
    if is_bng(crs):
        return geom
    if crs.is_geographic:
        x0, y0, x1, y1 = geom.bounds
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            raise Invalid.one(
                field,
                "The boundary's coordinates are not longitude and latitude, though the file says they are; "
                "check its coordinate reference system (British National Grid, EPSG:27700, is expected)",
                SECTION,
            )
    try:
        out, _how = to_bng(np.array([geom], dtype=object), crs)
    except CRSError as err:
        raise Invalid.one(
            field, f"The boundary file cannot be reprojected to British National Grid: {err}", SECTION
        ) from None
    moved: BaseGeometry = out[0]
    return moved


def invalid_reason(geom: BaseGeometry) -> str:
    """Why a polygon is invalid, in words, with where (GEOS's reason and its easting and northing)."""
    reason = shapely.is_valid_reason(geom)
    m = re.match(r"(.*)\[([-\d.e]+) ([-\d.e]+)\]", reason)
    if m:
        return (
            f"The boundary is not a valid polygon: {m.group(1).strip().lower()} near E {float(m.group(2)):.0f} "
            f"N {float(m.group(3)):.0f}; redraw it so that its edges do not cross"
        )
    return f"The boundary is not a valid polygon ({reason}); redraw it so that its edges do not cross"


def _short(err: Exception) -> str:
    return str(err).splitlines()[0][:200] if str(err) else type(err).__name__


def check_boundary(geom: BaseGeometry, places: Places, field: str = "boundary_file") -> list[Problem]:
    """The boundary must be a valid polygon of sensible size lying in England."""
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return [Problem(field, "The boundary must be a polygon", SECTION)]
    if not geom.is_valid:
        return [Problem(field, invalid_reason(geom), SECTION)]
    area_ha = geom.area / 10_000
    problems = []
    if area_ha < MIN_AREA_HA:
        problems.append(Problem(field, f"The boundary encloses {geom.area:.2f} m²; draw the whole gain site", SECTION))
    if area_ha > MAX_AREA_HA:
        problems.append(
            Problem(
                field,
                f"The boundary encloses {area_ha:,.0f} hectares, more than the {MAX_AREA_HA:,.0f} a gain site can "
                "plausibly be; check the file's units and coordinate reference system",
                SECTION,
            )
        )
    if not places.in_england(geom):
        x, y = geom.representative_point().coords[0]
        problems.append(
            Problem(
                field,
                f"The boundary (near E {x:.0f} N {y:.0f}) is not in England; the register takes gain sites in "
                "England only",
                SECTION,
            )
        )
    return problems


def parse_grid_reference(text: str) -> tuple[float, float]:
    """An Ordnance Survey grid reference ("TL 4500 5800", "TL4500058000") or "easting, northing" in metres.

    Returns the centre of the square the reference names. Raises ValueError saying what was expected.
    """
    t = text.strip().upper()
    numeric = re.fullmatch(r"(\d{3,7}(?:\.\d+)?)\s*[, ]\s*(\d{3,7}(?:\.\d+)?)", t)
    if numeric:
        e, n = float(numeric.group(1)), float(numeric.group(2))
        if not (0 <= e <= 700_000 and 0 <= n <= 1_300_000):
            raise ValueError("an easting and northing must lie on the British National Grid (up to 700000, 1300000)")
        return e, n
    m = re.fullmatch(r"([A-HJ-Z]{2})\s*(\d+)\s*(\d*)", t)
    if not m:
        raise ValueError(
            "enter a grid reference like TL 4500 5800 (two letters and an even number of digits), "
            "or an easting and northing like 545000, 258000"
        )
    digits = m.group(2) + m.group(3)
    if len(digits) % 2 or not 2 <= len(digits) <= 10:
        raise ValueError("a grid reference has two letters and an even number of digits, 2 to 10")
    l1, l2 = _LETTERS.index(m.group(1)[0]), _LETTERS.index(m.group(1)[1])
    e100 = ((l1 - 2) % 5) * 5 + (l2 % 5)
    n100 = (19 - (l1 // 5) * 5) - (l2 // 5)
    if not (0 <= e100 <= 6 and 0 <= n100 <= 12):
        raise ValueError(f"{m.group(1)} is not a square of the British National Grid")
    half = len(digits) // 2
    res = 10 ** (5 - half)
    e = e100 * 100_000 + int(digits[:half]) * res + res / 2
    n = n100 * 100_000 + int(digits[half:]) * res + res / 2
    return e, n


def grid_reference(easting: float, northing: float, digits: int = 10) -> str:
    """The OS grid reference of a point, e.g. TL 45000 58000 (10 digits: to the metre)."""
    e100, n100 = int(easting // 100_000), int(northing // 100_000)
    if not (0 <= e100 <= 6 and 0 <= n100 <= 12):
        return f"{easting:.0f}, {northing:.0f}"
    l1 = (19 - n100) - (19 - n100) % 5 + (e100 + 10) // 5
    l2 = ((19 - n100) * 5) % 25 + e100 % 5
    half = digits // 2
    scale = 10 ** (5 - half)
    e = int(easting % 100_000) // scale
    n = int(northing % 100_000) // scale
    return f"{_LETTERS[l1]}{_LETTERS[l2]} {e:0{half}d} {n:0{half}d}"


def from_geometry(geom: BaseGeometry) -> Boundary:
    """A boundary from a map's polygon: its area, and a point inside it as its centre and grid reference."""
    p = geom.representative_point()
    return Boundary(geom, geom.area / 10_000, float(p.x), float(p.y), grid_reference(p.x, p.y))


def from_grid_reference(text: str, area_ha: float) -> Boundary:
    """A boundary given by a plan: its centre's grid reference and its area, no polygon."""
    e, n = parse_grid_reference(text)
    return Boundary(None, area_ha, e, n, grid_reference(e, n))
