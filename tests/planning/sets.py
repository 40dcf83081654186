"""Application sets built from the five real sites of ``shared/spec/geopackages/bng-500``, once per session.

* ``complete``: Cambridge, maps + metric workbook (written by bng metric export's writer) + the two
  plans + Biodiversity Statement, draft gain plan and HMMP as PDFs;
* ``no-metric``: Broadland, everything but the workbook;
* ``other-site``: Barking and Dagenham's maps with Sunderland's metric;
* ``maps-differ``: Wiltshire, its metric edited after the maps were drawn (one parcel's habitat,
  another's area);
* ``allocations``: Sunderland, with an allocation reference that the register does not hold (and,
  in the register tests, one that it does);
* the register tests add to a copy of ``complete`` a proof of purchase issued for another
  development.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from bng.gis.workflow import load_maps
from bng.metric.model import Project
from bng.submission.samples import REAL_SITES, SetPaths, real_set
from bng.workbook.writer import export_site as write_workbook

from ..conftest import SHARED

BNG_500 = SHARED / "spec" / "geopackages" / "bng-500"
MISSING_ALLOCATION = "ALL-ZZZZ-ZZZZ"


def pair(stem: str) -> list[Path]:
    return [BNG_500 / f"{stem}-baseline.gpkg", BNG_500 / f"{stem}-post-intervention.gpkg"]


def build_all(root: Path) -> dict[str, SetPaths]:
    sets: dict[str, SetPaths] = {}
    sets["complete"] = real_set(BNG_500, "CAMBRIDGE_24_03964_FUL", root / "complete")
    sets["no-metric"] = real_set(
        BNG_500, "BROADLAND_2024_3282", root / "no-metric", with_metric=False, documents=False, plans=False
    )
    ref, lpa, name = REAL_SITES["Sunderland_24_00723_FU4"]
    other = load_maps(pair("Sunderland_24_00723_FU4"), Project(name=name, planning_reference=ref, lpa=lpa)).mapped.site
    sets["other-site"] = real_set(
        BNG_500, "BarkingandDagenham2400625FULL", root / "other-site", metric_site=other, documents=False, plans=False
    )
    differ = real_set(BNG_500, "Wiltshire_PL_2024_08441", root / "maps-differ", documents=False, plans=False)
    ref, lpa, name = REAL_SITES["Wiltshire_PL_2024_08441"]
    project = Project(name=name, planning_reference=ref, lpa=lpa)
    wilts = load_maps([differ.baseline_map, differ.post_map], project).mapped.site
    base = wilts.on_site.area.baseline
    edited = (
        replace(base[0], habitat="Grassland - Other neutral grassland", condition="Moderate"),
        replace(base[1], area_ha=(base[1].area_ha or 0) + 0.5),
        *base[2:],
    )
    wilts = replace(wilts, on_site=replace(wilts.on_site, area=replace(wilts.on_site.area, baseline=edited)))
    assert differ.metric is not None
    write_workbook(wilts, differ.metric)
    sets["maps-differ"] = differ
    sets["allocations"] = real_set(
        BNG_500,
        "Sunderland_24_00723_FU4",
        root / "allocations",
        documents=False,
        plans=False,
        extra={"allocations": [MISSING_ALLOCATION]},
    )
    return sets


def copy_set(paths: SetPaths, target: Path) -> Path:
    shutil.copytree(paths.folder, target)
    return target
