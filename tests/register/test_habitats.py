"""A gain site's habitats from the off-site rows of a metric, with the engine's units."""

from __future__ import annotations

import json

import pytest
import shapely

from bng.register import samples
from bng.register.applications.habitats import area_problems, from_site_json, parcels_outside
from bng.register.core.errors import Invalid


def test_parcels_with_units_and_distinctiveness() -> None:
    h = from_site_json(samples.gain_site_metric("Meadow Farm", 4.0))
    assert h.metric_release == "statutory-2024" and h.gain_site_label == "Meadow Farm"
    stages = [(p.module, p.stage, p.ref) for p in h.parcels]
    assert stages == [
        ("area", "baseline", "1"), ("area", "baseline", "2"), ("area", "creation", "1"), ("area", "creation", "2"),
        ("area", "enhancement", "E1"), ("hedgerow", "creation", "H1"),
    ]  # fmt: skip
    cereal = h.parcels[0]
    assert cereal.size == 3.0 and cereal.units == pytest.approx(6.0) and cereal.distinctiveness == "Low"
    enhanced = h.parcels[4]
    assert enhanced.size == 1.0 and enhanced.baseline_ref == "2" and enhanced.units > 0
    assert h.totals["area"]["baseline_units"] == pytest.approx(8.0)
    assert h.baseline_area_ha() == pytest.approx(4.0)


def test_a_metric_without_off_site_rows_is_refused() -> None:
    doc = json.loads(samples.gain_site_metric("A", 4.0))
    doc["on_site"] = doc.pop("off_site")[0]
    doc["on_site"].pop("gain_site"), doc["on_site"].pop("spatial_risk")
    with pytest.raises(Invalid, match="no off-site habitats"):
        from_site_json(json.dumps(doc).encode())


def test_a_metric_for_two_gain_sites_is_refused() -> None:
    doc = json.loads(samples.gain_site_metric("A", 4.0))
    second = json.loads(samples.gain_site_metric("B", 2.0))["off_site"][0]
    doc["off_site"].append(second)
    with pytest.raises(Invalid, match=r"name 2 gain sites \(A, B\)"):
        from_site_json(json.dumps(doc).encode())


def test_bad_rows_are_named() -> None:
    doc = json.loads(samples.gain_site_metric("A", 4.0))
    doc["off_site"][0]["area"]["creation"][0]["habitat"] = "Grassland - Imaginary grassland"
    with pytest.raises(Invalid) as err:
        from_site_json(json.dumps(doc).encode())
    assert any("Imaginary" in p.message or "habitat" in p.message for p in err.value.problems)
    with pytest.raises(Invalid, match="not valid JSON"):
        from_site_json(b"{not json")


def test_areas_must_agree_with_the_boundary() -> None:
    h = from_site_json(samples.gain_site_metric("A", 4.0))
    assert area_problems(h, 4.0) == []
    assert area_problems(h, 4.039) == []  # within 1 %
    [more] = area_problems(h, 3.5)
    assert "cover 4.0000 hectares, more than the boundary's 3.5000" in more.message
    [less] = area_problems(h, 5.0)
    assert "less than the boundary's 5.0000" in less.message


def test_mapped_parcels_must_lie_inside_the_boundary() -> None:
    from dataclasses import replace

    from bng.register.core.geometries import GeometryRef, ref_of

    class Kept(dict[str, shapely.Geometry]):
        """Geometries in memory, by digest (the port ``stored_geometry`` implements in the database)."""

        def keep(self, geom: shapely.Geometry) -> GeometryRef:
            ref = ref_of(geom)
            self[ref.sha256] = geom
            return ref

    kept = Kept()
    h = from_site_json(samples.gain_site_metric("A", 4.0))
    boundary = shapely.box(0, 0, 200, 200)
    inside = replace(h.parcels[2], geometry_sha256=kept.keep(shapely.box(10, 10, 100, 100)).sha256)
    outside = replace(h.parcels[3], geometry_sha256=kept.keep(shapely.box(150, 150, 260, 260)).sha256)
    h2 = replace(h, parcels=(inside, outside))
    [problem] = parcels_outside(h2, boundary, kept)
    assert "creation area parcel '2'" in problem.message and "outside the gain site's boundary" in problem.message
