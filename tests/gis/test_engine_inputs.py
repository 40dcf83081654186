"""What the map readers found about the engine's inputs (the engine is not ours to change)."""

from __future__ import annotations

import numpy as np

from bng.metric import calculate
from bng.metric.model import AreaBaseline, AreaRows, Location, Site

LOW = "Area/compensation not in local strategy/ no local strategy"


def _site(retained: float) -> Site:
    row = AreaBaseline("A", "Grassland - Modified grassland", 1.0, "Poor", LOW, False, retained, 0.0)
    return Site(on_site=Location(area=AreaRows(baseline=(row,))))


def test_a_float_subclass_scores_like_a_float() -> None:
    plain = calculate(_site(0.5)).rows[0]
    numpy = calculate(_site(np.float64(0.5))).rows[0]
    assert plain.retained_units == 1.0
    assert numpy.retained_units == plain.retained_units


def test_maps_give_the_engine_plain_floats() -> None:
    from bng.gis.workflow import load_maps

    from ..conftest import SHARED

    pair = SHARED / "spec" / "geopackages" / "permutations" / "intervention"
    site = load_maps([pair / "area-retained-baseline.gpkg", pair / "area-retained-post-intervention.gpkg"]).mapped.site
    for row in site.on_site.area.baseline:
        assert type(row.area_ha) is float and type(row.retained_ha) is float and type(row.enhanced_ha) is float
