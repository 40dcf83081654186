"""Hostile maps are refused before they can hold the reader: GeoPackages that run code when read
(views, generated columns, foreign triggers and virtual tables), too many vertices, zips that
reach outside themselves. Each one is refused unread, with a finding that says why."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bng.cli import app
from bng.gis.errors import MapFileError, NotAGeoPackage
from bng.gis.gpkgschema import read_schema
from bng.gis.reading import read_map
from bng.gis.validate import validate
from bng.gis.vertices import MAX_VERTICES_PER_FEATURE, geojson_positions, wkb_vertices

from . import hostile
from .copies import copy_as

BNG = [sys.executable, "-m", "bng.cli"]


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (hostile.recursive_view, "the SQL view 'Habitats'"),
        (hostile.own_trigger, "the trigger 'evil'"),
        (hostile.generated_column, "the generated column 'Notes' of 'Habitats'"),
        (hostile.virtual_table, "the virtual table 'search' (module fts5)"),
    ],
)
def test_a_geopackage_that_runs_code_is_refused_unread(
    make: Callable[[Path], Path], named: str, tmp_path: Path
) -> None:
    path = make(tmp_path / "map.gpkg")
    with hostile.Timed() as took:
        report = validate(path)
    assert report.codes() == {"GPKG_UNSAFE_SCHEMA"} and report.format is None
    [finding] = report.findings
    assert named in finding.message and "bng reads tables only" in finding.message
    assert took.cpu < 2.0 and took.wall < 10.0, f"refused in {took}"


def test_the_recursive_view_is_refused_by_the_command_in_its_own_process(tmp_path: Path) -> None:
    """`bng gis validate` used to run the view for ever; it now exits 2 naming the view (the time
    limit of the subprocess is the proof that it ends, the CliRunner the proof that it is quick)."""
    path = hostile.recursive_view(tmp_path / "Baseline - hostile.gpkg")
    with hostile.Timed() as took:
        result = CliRunner().invoke(app, ["gis", "validate", str(path)])
    assert result.exit_code == 2 and "the SQL view 'Habitats'" in result.output
    assert took.cpu < 2.0 and took.wall < 10.0, f"refused in {took}"
    done = subprocess.run(
        [*BNG, "gis", "validate", str(path)], capture_output=True, text=True, timeout=120, env={**os.environ}
    )
    assert done.returncode == 2 and "GPKG_UNSAFE_SCHEMA" in done.stdout


def test_views_are_refused_in_every_command_that_reads_maps(tmp_path: Path) -> None:
    path = hostile.recursive_view(tmp_path / "Baseline - hostile.gpkg")
    for command in (["to-site", str(path), "-o", str(tmp_path / "site.json")], ["calculate", str(path)]):
        result = CliRunner().invoke(app, ["gis", *command])
        assert result.exit_code == 2 and "the SQL view 'Habitats'" in result.output, command


def test_the_standards_own_triggers_and_rtree_indexes_are_read() -> None:
    """Real GeoPackages carry R-tree indexes and GDAL's triggers: they are not refused."""
    report = validate(hostile.VALID)
    assert report.ok and "GPKG_UNSAFE_SCHEMA" not in report.codes()


def test_the_structural_checks_run_under_a_time_limit(tmp_path: Path) -> None:
    """Every query of the structural checks stops at the time limit (here: a scan of 200,000 rows
    given no time at all), and says so."""
    path = hostile.many_rows(tmp_path / "map.gpkg", 200_000)
    with pytest.raises(NotAGeoPackage) as caught:
        read_schema(path, seconds=0.0)
    assert caught.value.finding.code == "GPKG_READ_TIMEOUT" and "took longer than 0 s" in caught.value.finding.message
    assert read_schema(path).tables  # the same file, given the usual time


# -- vertices ---------------------------------------------------------------------------------------


def test_a_feature_with_too_many_vertices_is_refused_before_its_geometry_is_built(tmp_path: Path) -> None:
    path = hostile.many_vertices(tmp_path / "map.gpkg", 1_000_001)
    with hostile.Timed() as took:
        report = validate(path)
    [finding] = [f for f in report.findings if f.code == "TOO_MANY_VERTICES"]
    assert finding.layer == "Habitats" and finding.fid == 1
    assert "1,000,001 vertices" in finding.message and f"{MAX_VERTICES_PER_FEATURE:,}" in finding.message
    assert took.cpu < 2.0 and took.wall < 10.0, f"refused in {took}"


def test_just_under_the_feature_limit_is_read(tmp_path: Path) -> None:
    path = hostile.many_vertices(tmp_path / "map.gpkg", MAX_VERTICES_PER_FEATURE)
    assert "TOO_MANY_VERTICES" not in {f.code for f in read_map(path).findings}
    path = hostile.many_vertices(tmp_path / "over.gpkg", MAX_VERTICES_PER_FEATURE + 1)
    assert "TOO_MANY_VERTICES" in {f.code for f in read_map(path).findings}


@pytest.mark.parametrize("fmt", ["gpkg", "shapefile", "geojson"])
def test_the_limit_of_the_whole_map_holds_in_every_format(fmt: str, tmp_path: Path) -> None:
    """The valid map holds a few dozen vertices: with a budget of 20 it is refused, whatever its format."""
    source = copy_as(hostile.VALID, fmt, tmp_path)
    counted = read_map(source)
    assert "TOO_MANY_VERTICES" not in {f.code for f in counted.findings}
    refused = read_map(source, max_vertices=20)
    [finding] = [f for f in refused.findings if f.code == "TOO_MANY_VERTICES"]
    assert refused.blocking and "at most 20 in one file" in finding.message


def test_a_huge_geojson_layer_is_refused_from_its_text(tmp_path: Path) -> None:
    """GDAL would hold the whole document in memory: the positions are counted in its bytes first."""
    folder = copy_as(hostile.VALID, "geojson", tmp_path)
    habitats = next(p for p in folder.iterdir() if p.stem.lower() == "habitats")
    polygon = shapely.from_wkb(hostile.circle(1_000_001, 0.5, 52.0, 0.001))
    text = habitats.read_text()
    big = text.replace('"coordinates": [', '"coordinates": [' + _ring_json(polygon) + ", ", 1)
    habitats.write_text(big)
    with hostile.Timed() as took:
        source = read_map(folder)
    [finding] = [f for f in source.findings if f.code == "TOO_MANY_VERTICES"]
    assert "coordinate pairs" in finding.message and finding.layer == "Habitats"
    assert took.cpu < 2.0 and took.wall < 10.0, f"refused in {took}"


def _ring_json(polygon: shapely.Polygon) -> str:
    return "[" + ",".join(f"[{x:.7f},{y:.7f}]" for x, y in polygon.exterior.coords) + "]"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=3, max_size=30),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["polygons", "lines", "points", "collection"]),
    st.booleans(),
)
def test_vertices_are_counted_from_the_wkb_headers_exactly(
    parts: list[list[tuple[float, float]]], kind: str, three_d: bool
) -> None:
    if kind == "polygons":
        geom = shapely.MultiPolygon([shapely.Polygon([*p, p[0]]) for p in parts])
    elif kind == "lines":
        geom = shapely.MultiLineString([shapely.LineString(p) for p in parts])
    elif kind == "points":
        geom = shapely.MultiPoint([pt for p in parts for pt in p])
    else:
        geom = shapely.GeometryCollection([shapely.LineString(p) for p in parts] + [shapely.Point(parts[0][0])])
    if three_d:
        geom = shapely.force_3d(geom, 1.0)
    expected = int(shapely.get_num_coordinates(geom))
    for flavor in ("iso", "extended"):
        assert wkb_vertices(bytes(shapely.to_wkb(geom, flavor=flavor))) == expected
    assert wkb_vertices(bytes(shapely.to_wkb(geom, flavor="extended", include_srid=True, byte_order=0))) == expected


def test_malformed_wkb_counts_as_every_sixteen_bytes() -> None:
    assert wkb_vertices(b"\x01\x63\x00\x00\x00" + b"\x00" * 160) == 10  # an unknown geometry type
    assert wkb_vertices(b"\x01\x02\x00\x00\x00\xff\xff\xff\x7f") == 0  # a line claiming 2^31 vertices, truncated


def test_geojson_positions_are_counted_in_the_text() -> None:
    doc = b'{"type":"Feature","bbox":[0,0,1,1],"properties":{"n":"[x]"},"geometry":{"type":"Polygon",'
    doc += b'"coordinates":[[[0,0],[ 1 ,0],[1,1],[-0.5,1.5],[0,0]]]}}'
    assert geojson_positions(doc) == 6  # five positions and the bbox


# -- zips -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["/tmp/abs/Habitats.shp", "C:/maps/Habitats.shp", "C:\\maps\\Habitats.shp", "\\\\server\\Habitats.shp"]
)
def test_a_zip_with_an_absolute_path_is_refused(name: str, tmp_path: Path) -> None:
    archive = copy_as(hostile.VALID, "shapefile", tmp_path)  # a .zip of Shapefiles
    assert not read_map(archive).blocking
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(name, b"")
    with pytest.raises(MapFileError) as caught:
        read_map(archive)
    assert "absolute or climbing path" in caught.value.finding.message and repr(name) in caught.value.finding.message
