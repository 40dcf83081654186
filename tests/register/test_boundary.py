"""Boundaries: read from every map format in any CRS, checked, never repaired silently."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from bng.register import samples
from bng.register.applications.boundary import (
    check_boundary,
    from_grid_reference,
    grid_reference,
    parse_grid_reference,
    read_boundary_file,
)
from bng.register.core.errors import Invalid
from bng.register.core.filetypes import sniff
from bng.register.core.places import places
from tests.gis import hostile
from tests.register import files


def _read(data: bytes) -> shapely.Geometry:
    found = sniff(data)
    assert found is not None
    return read_boundary_file(data, found)


def test_geojson_in_british_national_grid() -> None:
    geom = _read(samples.boundary_geojson(samples.square(545_000, 258_000, 4)))
    assert geom.area == pytest.approx(40_000)
    assert geom.bounds == (544_900, 257_900, 545_100, 258_100)


def test_geojson_in_wgs84_is_reprojected() -> None:
    geom = _read(files.geojson_wgs84(samples.square(545_000, 258_000, 4)))
    assert geom.area == pytest.approx(40_000, rel=1e-6)
    assert geom.centroid.distance(shapely.Point(545_000, 258_000)) < 0.01


def test_geopackage_and_zipped_shapefile() -> None:
    assert _read(files.geopackage(files.square())).area == pytest.approx(40_000)
    assert _read(files.shapefile_zip(files.square(), crs="EPSG:27700")).area == pytest.approx(40_000)


def test_the_red_line_layer_of_a_habitat_geopackage_is_the_boundary(shared: Path) -> None:
    path = shared / "spec/geopackages/valid/Baseline - complete with area refs.gpkg"
    geom = _read(path.read_bytes())
    assert geom.area > 0 and check_boundary(geom, places()) == []


def test_a_shapefile_without_its_prj_is_refused() -> None:
    with pytest.raises(Invalid, match=r"no \.prj file"):
        _read(files.shapefile_zip(files.square(), crs=None))


def test_a_self_crossing_boundary_is_refused_with_where() -> None:
    bowtie = shapely.Polygon([(545_000, 258_000), (545_200, 258_200), (545_200, 258_000), (545_000, 258_200)])
    with pytest.raises(Invalid) as err:
        _read(samples.boundary_geojson([list(c) for c in bowtie.exterior.coords]))
    assert "not a valid polygon" in err.value.problems[0].message
    assert "near E 545100 N 258100" in err.value.problems[0].message


def test_a_file_without_polygons_is_refused() -> None:
    data = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, ' \
        b'"geometry": {"type": "Point", "coordinates": [0.1, 52.2]}}]}'  # fmt: skip
    with pytest.raises(Invalid, match="no polygon layer"):
        _read(data)


def test_wgs84_coordinates_that_are_really_metres_are_caught() -> None:
    data = samples.boundary_geojson(samples.square(545_000, 258_000, 4)).replace(b'"crs"', b'"was_crs"')
    with pytest.raises(Invalid, match="not longitude and latitude"):
        _read(data)


def test_checks_say_what_is_wrong() -> None:
    p = places()
    assert check_boundary(files.square(), p) == []
    [wales] = check_boundary(files.square(300_000, 270_000), p)
    assert "not in England" in wales.message and "near E 300000 N 270000" in wales.message
    [huge] = check_boundary(files.square(450_000, 300_000, 20_000), p)
    assert "20,000 hectares" in huge.message
    [line] = check_boundary(shapely.LineString([(0, 0), (1, 1)]), p)
    assert "must be a polygon" in line.message


@pytest.mark.parametrize(
    ("text", "easting", "northing"),
    [
        ("TL 45000 58000", 545_000.5, 258_000.5),
        ("tl4500058000", 545_000.5, 258_000.5),
        ("TL 450 580", 545_050, 258_050),
        ("NN 166 712", 216_650, 771_250),
        ("SV 00 00", 500, 500),
        ("545000, 258000", 545_000, 258_000),
    ],
)
def test_grid_references(text: str, easting: float, northing: float) -> None:
    assert parse_grid_reference(text) == (easting, northing)


@pytest.mark.parametrize("text", ["TL 4500 580", "XX 1234 5678", "north of the river", "TL", "9999999, 1"])
def test_bad_grid_references_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match=r"grid reference|two letters|British National Grid|square"):
        parse_grid_reference(text)


def test_grid_reference_of_a_point_round_trips() -> None:
    assert grid_reference(545_000, 258_000) == "TL 45000 58000"
    assert grid_reference(216_650, 771_250, digits=6) == "NN 166 712"
    b = from_grid_reference("TL 4500 5800", 12.5)
    assert b.geometry is None and b.area_ha == 12.5 and b.bbox == (545_005.0, 258_005.0, 545_005.0, 258_005.0)


# -- hostile files: refused before GDAL or GEOS can be kept busy ---------------------------------------


@pytest.mark.parametrize("make", ["recursive_view", "own_trigger", "generated_column", "virtual_table"])
def test_a_geopackage_that_runs_code_is_refused_unread(make: str, tmp_path: Path) -> None:
    """The Red Line Boundary layer as a self-recursive view used to hang the boundary reader."""
    path = getattr(hostile, make)(
        tmp_path / "boundary.gpkg", **({"layer": "Red Line Boundary"} if make == "recursive_view" else {})
    )
    with hostile.Timed() as took, pytest.raises(Invalid) as err:
        _read(path.read_bytes())
    [problem] = err.value.problems
    assert problem.field == "boundary_file" and "bng reads tables only" in problem.message
    assert took.cpu < 2.0 and took.wall < 10.0, f"refused in {took}"


def _ring(vertices: int) -> list[list[float]]:
    t = np.linspace(0, 2 * np.pi, vertices)
    ring = np.column_stack([545_000 + 50 * np.cos(t), 258_000 + 50 * np.sin(t)])
    ring[-1] = ring[0]
    return ring.tolist()


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shapefile"])
def test_a_boundary_of_a_million_vertices_is_refused_before_its_geometry_is_built(fmt: str) -> None:
    """One 1,000,001-vertex polygon used to take 85 s and 1.9 GB in the server."""
    ring = _ring(1_000_001)
    data = {
        "geojson": lambda: samples.boundary_geojson(ring),
        "gpkg": lambda: files.geopackage(shapely.Polygon(ring)),
        "shapefile": lambda: files.shapefile_zip(shapely.Polygon(ring)),
    }[fmt]()
    with hostile.Timed() as took, pytest.raises(Invalid) as err:
        _read(data)
    [problem] = err.value.problems
    assert "1,000,001" in problem.message and "at most" in problem.message and "100,000" in problem.message
    assert took.cpu < 2.0 and took.wall < 10.0, f"refused in {took}"


def test_the_limit_of_the_whole_boundary_file_counts_every_polygon() -> None:
    """Ten polygons of 20,000 vertices: each is allowed, together they are more than a boundary holds."""
    many = [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [_shifted(i)]}}
        for i in range(10)
    ]
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": many,
    }
    with pytest.raises(Invalid, match=r"at most 100,000 in one file"):
        _read(json.dumps(doc).encode())


def _shifted(i: int) -> list[list[float]]:
    return [[x + 200 * i, y] for x, y in _ring(20_000)]


def test_a_real_boundary_well_under_the_limits_is_read() -> None:
    assert _read(samples.boundary_geojson(_ring(10_000))).area == pytest.approx(np.pi * 50**2, rel=1e-3)
