"""How many red line boundaries a GeoPackage may hold: DEFRA's rule, followed (issue 16, item 9).

DEFRA's validator (bng-metric-backend, ``validateRedLineBoundary``) counts the rows of the Red Line
Boundary layer whose geometry is a polygon or multipolygon: none is GPKG_RLB_NO_POLYGON, more than
one is GPKG_RLB_TOO_MANY_POLYGONS. A row of another kind does not count, and a site in several
parts drawn as one multipolygon row passes. ``valid/Baseline - three rlb polygons.gpkg`` holds three
polygon rows: DEFRA's own code refuses it (its harness lists the file's classification as an open
question), and so does ``bng gis validate --defra``.
"""

from __future__ import annotations

import shutil
import sqlite3
import struct
from pathlib import Path

import shapely

from bng.gis.validate import validate

from ..conftest import SHARED

VALID = SHARED / "spec" / "geopackages" / "valid"
COMPLETE = VALID / "Baseline - complete with area refs.gpkg"
RLB = "Red Line Boundary"


def _blob(geom: shapely.Geometry, srid: int = 27700) -> bytes:
    """A GeoPackage geometry: the GP header (version 0, little-endian, no envelope) and the WKB."""
    return b"GP" + bytes([0, 0x01]) + struct.pack("<i", srid) + shapely.to_wkb(geom, byte_order=1)


def _geometry(blob: bytes) -> shapely.Geometry:
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(blob[3] >> 1) & 0b111]
    return shapely.from_wkb(blob[8 + envelope :])


def _spatial_functions(con: sqlite3.Connection) -> None:
    """The functions the GeoPackage's R-tree triggers call (SpatiaLite's names), for this copy only."""
    con.create_function("ST_IsEmpty", 1, lambda b: int(b is None or _geometry(b).is_empty))
    for i, name in enumerate(("ST_MinX", "ST_MinY", "ST_MaxX", "ST_MaxY")):
        con.create_function(name, 1, lambda b, i=i: float(_geometry(b).bounds[i]))


def _red_line_rows(src: Path, dst: Path, geoms: list[shapely.Geometry]) -> Path:
    """A copy of ``src`` whose red line layer holds exactly ``geoms``, one row each."""
    shutil.copy(src, dst)
    con = sqlite3.connect(dst)
    _spatial_functions(con)
    try:
        (column,) = con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = 'red line boundary'"
        ).fetchone()
        con.execute(f'DELETE FROM "{RLB}"')
        for g in geoms:
            con.execute(f'INSERT INTO "{RLB}" ("{column}") VALUES (?)', (_blob(g),))
        con.commit()
    finally:
        con.close()
    return dst


def _red_line(src: Path) -> shapely.Geometry:
    con = sqlite3.connect(f"{src.resolve().as_uri()}?mode=ro", uri=True)
    try:
        (column,) = con.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE lower(table_name) = 'red line boundary'"
        ).fetchone()
        (blob,) = con.execute(f'SELECT "{column}" FROM "{RLB}"').fetchone()
    finally:
        con.close()
    return _geometry(blob)


def test_the_three_rlb_fixture_is_refused_as_defra_refuses_it() -> None:
    report = validate(VALID / "Baseline - three rlb polygons.gpkg")
    found = [f for f in report.findings if f.code == "GPKG_RLB_TOO_MANY_POLYGONS"]
    assert len(found) == 1 and "3 red line boundary polygons" in found[0].message
    assert "multipolygon" in found[0].message
    assert not report.defra_ok


def test_a_line_beside_the_red_line_polygon_is_not_a_second_red_line(tmp_path: Path) -> None:
    """DEFRA counts polygon rows only: a line in the layer is bng's own finding, not DEFRA's refusal."""
    polygon = _red_line(COMPLETE)
    path = _red_line_rows(COMPLETE, tmp_path / "line.gpkg", [polygon, polygon.exterior])
    report = validate(path)
    codes = {f.code for f in report.findings}
    assert "GPKG_RLB_TOO_MANY_POLYGONS" not in codes
    assert "GPKG_RLB_WRONG_GEOMETRY_TYPE" in codes  # bng's rule, which DEFRA does not have
    assert report.defra_ok


def test_a_site_in_parts_drawn_as_one_multipolygon_passes(tmp_path: Path) -> None:
    polygon = _red_line(COMPLETE)
    _, miny, maxx, _ = polygon.bounds
    far = shapely.box(maxx + 50, miny, maxx + 60, miny + 10)
    one_row = _red_line_rows(COMPLETE, tmp_path / "parts.gpkg", [shapely.MultiPolygon([polygon, far])])
    codes = {f.code for f in validate(one_row).findings}
    assert "GPKG_RLB_TOO_MANY_POLYGONS" not in codes
    two_rows = _red_line_rows(COMPLETE, tmp_path / "rows.gpkg", [polygon, far])
    codes = {f.code for f in validate(two_rows).findings}
    assert "GPKG_RLB_TOO_MANY_POLYGONS" in codes


def test_a_layer_of_lines_only_has_no_red_line_polygon(tmp_path: Path) -> None:
    polygon = _red_line(COMPLETE)
    path = _red_line_rows(COMPLETE, tmp_path / "lines.gpkg", [polygon.exterior])
    codes = {f.code for f in validate(path).findings}
    assert "GPKG_RLB_NO_POLYGON" in codes
