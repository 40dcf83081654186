"""The ``bng gis`` commands, and files that must be refused quickly and clearly (never a traceback)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pyogrio
import pyproj
import pytest
from typer.testing import CliRunner

from bng.cli import app
from bng.gis.validate import validate

from ..conftest import SHARED
from .copies import copy_as

GPKGS = SHARED / "spec" / "geopackages"
VALID_BASE = GPKGS / "valid" / "Baseline - retained areas hedgerows and watercourses.gpkg"
VALID_POST = GPKGS / "valid" / "Post-intervention - retained areas hedgerows and watercourses.gpkg"
OVERLAPS = GPKGS / "spatial-problems" / "Baseline - overlapping parcels.gpkg"
runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["gis", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_validate_exit_status_and_json() -> None:
    code, out = _run("validate", str(VALID_BASE))
    assert code == 0 and "valid;" in out
    code, out = _run("validate", str(OVERLAPS), "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["valid"] is False and doc["stage"] == "baseline" and doc["format"] == "GeoPackage"
    overlap = next(f for f in doc["findings"] if f["code"] == "PARCEL_OVERLAPS")
    assert overlap["layer"] == "Habitats" and overlap["fid"] == 2 and overlap["ref"] == "H002"
    assert "H002 and H003 overlap by 4,000.00 m²" in overlap["message"]
    assert overlap["source"] == "standard" and overlap["defra_rejects"] is True


def test_validate_defra_mode_fails_only_on_the_services_rules() -> None:
    culvert = GPKGS / "valid" / "Baseline - IGGI habitat.gpkg"  # a culvert in Good condition: bng's rule only
    assert _run("validate", str(culvert))[0] == 1
    assert _run("validate", str(culvert), "--defra")[0] == 0


def test_not_a_geopackage_is_refused_clearly(tmp_path: Path) -> None:
    code, out = _run("validate", str(GPKGS / "malformed" / "Not a valid geopackage.gpkg"))
    assert code == 2 and "not an SQLite database" in out
    empty = tmp_path / "empty.gpkg"
    empty.write_bytes(b"")
    assert validate(empty).codes() == {"GPKG_INVALID_FILE"}
    plain = tmp_path / "plain.gpkg"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.commit()
    assert validate(plain).codes() == {"GPKG_NOT_A_GEOPACKAGE"}
    bare = tmp_path / "bare.gpkg"
    con = sqlite3.connect(bare)
    con.execute("PRAGMA application_id = 1196444487")  # GPKG
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    assert validate(bare).codes() == {"GPKG_MISSING_SYSTEM_TABLE"}
    code, out = _run("validate", str(tmp_path / "nowhere.gpkg"))
    assert code == 2 and "does not exist" in out


def test_a_one_gigabyte_file_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "huge.gpkg"
    with big.open("wb") as fh:  # sparse: takes no disk, and would take seconds to read
        fh.truncate(1 << 30)
    report = validate(big)
    assert report.codes() == {"FILE_TOO_LARGE"}
    assert "1,073,741,824 bytes" in report.findings[0].message


def test_a_zip_that_unpacks_too_large_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "maps.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Habitats.shp", b"\0" * 2_000_000)
    assert bomb.stat().st_size < 100_000
    report = validate(bomb, max_bytes=1_000_000)
    assert report.codes() == {"FILE_TOO_LARGE"} and "unpacked" in report.findings[0].message


def test_too_many_features_are_refused_before_reading() -> None:
    report = validate(VALID_BASE, max_features=2)
    assert "GPKG_TOO_MANY_FEATURES" in report.codes()


def test_a_layer_without_a_crs_is_refused(tmp_path: Path) -> None:
    folder = copy_as(VALID_BASE, "shapefile", tmp_path)
    with zipfile.ZipFile(folder) as zf:
        names = zf.namelist()
        target = tmp_path / "noprj"
        zf.extractall(target)
    (prj,) = [n for n in names if n.endswith("Habitats.prj")]
    (target / prj).unlink()
    report = validate(target / Path(prj).parent, "baseline")
    assert report.codes() == {"GPKG_BASELINE_SRS_ID"}
    assert "no coordinate reference system" in report.findings[0].message


def test_wgs84_input_is_reprojected_offline_and_says_how_accurately(tmp_path: Path) -> None:
    folder = copy_as(VALID_BASE, "geojson", tmp_path)
    report = validate(folder, "baseline")
    assert report.ok
    notes = [f for f in report.findings if f.code == "GPKG_BASELINE_SRS_ID"]
    assert notes and all(f.level == "warning" for f in notes)
    assert "EPSG:4326" in notes[0].message and "about 2 m" in notes[0].message and "OSTN15" in notes[0].message
    assert not pyproj.network.is_network_enabled()


def test_to_site_writes_a_site_file_the_engine_reads(tmp_path: Path) -> None:
    out = tmp_path / "site.json"
    code, text = _run("to-site", str(VALID_BASE), str(VALID_POST), "-o", str(out), "--planning-reference", "24/1/FUL")
    assert code == 0, text
    doc = json.loads(out.read_text())
    assert doc["project"]["planning_reference"] == "24/1/FUL"
    metric = runner.invoke(app, ["metric", "calculate", str(out), "--json"])
    gis = runner.invoke(app, ["gis", "calculate", str(VALID_BASE), str(VALID_POST), "--json"])
    assert metric.exit_code == gis.exit_code == 0, metric.output + gis.output
    assert json.loads(metric.output)["modules"] == json.loads(gis.output)["modules"]


def test_to_site_refuses_a_structurally_broken_map(tmp_path: Path) -> None:
    broken = GPKGS / "invalid-schema" / "Baseline - no habitats table.gpkg"
    code, out = _run("to-site", str(broken), "-o", str(tmp_path / "x.json"))
    assert code == 2 and "GPKG_MISSING_LAYER" in out and not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("fmt", ["gpkg", "shapefile", "geojson"])
def test_export_writes_the_standards_files(tmp_path: Path, fmt: str) -> None:
    code, out = _run("export", str(VALID_BASE), str(VALID_POST), "-o", str(tmp_path), "--format", fmt)
    assert code == 0, out
    suffix = {"gpkg": ".gpkg", "shapefile": ".zip", "geojson": ""}[fmt]
    for stage, path in (
        ("baseline", tmp_path / f"baseline{suffix}"),
        ("post-intervention", tmp_path / f"post-intervention{suffix}"),
    ):
        assert validate(path, stage).ok, stage  # type: ignore[arg-type]
    if fmt == "gpkg":
        layers = {name for name, _ in pyogrio.list_layers(tmp_path / "baseline.gpkg")}
        assert layers == {"Red Line Boundary", "Habitats", "Hedgerows", "Rivers", "Urban Trees"}
        con = sqlite3.connect(tmp_path / "baseline.gpkg")
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
        cols = {r[1]: r[2] for r in con.execute('PRAGMA table_info("Habitats")')}
        assert cols["Area"] == "MEDIUMINT" and cols["Survey Date"] == "DATE" and cols["geom"] == "MULTIPOLYGON"
        con.close()


def test_every_rule_is_documented() -> None:
    from bng.gis.findings import RULES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "gis.md").read_text()
    missing = [code for code in RULES if f"`{code}`" not in doc]
    assert not missing, missing
