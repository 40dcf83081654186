"""Reconciling a map with a metric: the workbook and the site file say the same as the map, or the
differences are named parcel by parcel and in total."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bng.cli import app
from bng.gis.errors import MetricError
from bng.gis.reconcile import read_metric, reconcile
from bng.gis.workflow import load_maps
from bng.metric import parse_site
from bng.metric.sitefile import site_to_dict
from bng.workbook.writer import export_site as write_workbook

from ..conftest import SHARED

PAIR = SHARED / "spec" / "geopackages" / "permutations" / "net-gain"
MAPS = [PAIR / "met-baseline.gpkg", PAIR / "met-post-intervention.gpkg"]


@pytest.fixture(scope="module")
def mapped_site() -> Any:
    return load_maps(MAPS).mapped.site


@pytest.fixture
def site_doc(mapped_site: Any) -> dict[str, Any]:
    return json.loads(json.dumps(site_to_dict(mapped_site)))


def test_map_and_its_own_site_file_agree(mapped_site: Any, site_doc: dict[str, Any]) -> None:
    result = reconcile(mapped_site, parse_site(site_doc)[0])
    assert result.agrees and result.compared > 20


def test_map_and_a_workbook_written_from_it_agree(mapped_site: Any, tmp_path: Path) -> None:
    """Through the workbook door: the statutory workbook keeps the map's refs as its habitat references."""
    out = tmp_path / "metric.xlsm"
    write_workbook(mapped_site, out)
    metric = read_metric(out)
    assert metric.labels  # paired by the workbook's "Habitat reference" column, not its line numbers
    result = reconcile(mapped_site, metric)
    assert result.agrees, result.text()


def test_differences_are_named_parcel_by_parcel_and_in_total(mapped_site: Any, site_doc: dict[str, Any]) -> None:
    base = site_doc["on_site"]["area"]["baseline"]
    base[0]["area_ha"] += 0.05  # beyond the 0.01 ha tolerance
    base[1]["area_ha"] += 0.005  # within it
    base[2]["habitat"] = "Grassland - Other neutral grassland"
    gone = site_doc["on_site"]["hedgerow"]["baseline"].pop()
    result = reconcile(mapped_site, parse_site(site_doc)[0])
    assert not result.agrees
    found = {(d.stage, d.ref, d.field) for d in result.differences}
    assert found == {("baseline", base[0]["ref"], "size"), ("baseline", base[2]["ref"], "habitat")}
    assert ("hedgerow", "on_site", "baseline", gone["ref"]) in result.only_in_map
    totals = {(d.module, d.stage, d.ref) for d in result.totals}
    assert ("area", "baseline", "Grassland - Other neutral grassland") in totals
    assert ("area", "baseline", "Grassland - Modified grassland") in totals


def test_reconcile_command(tmp_path: Path, site_doc: dict[str, Any]) -> None:
    good = tmp_path / "site.json"
    good.write_text(json.dumps(site_doc))
    ok = CliRunner().invoke(app, ["gis", "reconcile", *map(str, MAPS), str(good)])
    assert ok.exit_code == 0, ok.output
    assert "agree" in ok.output
    site_doc["on_site"]["area"]["baseline"][0]["area_ha"] += 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(site_doc))
    differ = CliRunner().invoke(app, ["gis", "reconcile", *map(str, MAPS), str(bad), "--json"])
    assert differ.exit_code == 1
    doc = json.loads(differ.output)
    assert doc["agrees"] is False and doc["differences"][0]["field"] == "size"
    nothing = CliRunner().invoke(app, ["gis", "reconcile", *map(str, MAPS), str(tmp_path / "missing.xlsm")])
    assert nothing.exit_code == 2 and "does not exist" in nothing.output


def test_a_metric_that_is_not_one_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "metric.xlsm"
    p.write_bytes(b"not a workbook")
    with pytest.raises(MetricError):
        read_metric(p)
    with pytest.raises(MetricError, match="workbook"):
        read_metric(MAPS[0])
