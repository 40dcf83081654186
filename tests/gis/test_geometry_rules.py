"""The geometry rules as general properties: overlaps found exactly as a brute-force comparison of every
pair finds them, gaps and area sums as measured, whatever the parcels."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from bng.gis.geometry_checks import check_geometry
from bng.gis.reading import Layer, MapSource
from bng.gis.standard import HABITATS, OVERLAP_M2, RED_LINE

X0, Y0 = 430_000.0, 430_000.0
SITE = shapely.box(X0, Y0, X0 + 100, Y0 + 100)


def _source(parcels: list[shapely.Geometry], red_line: shapely.Geometry = SITE) -> MapSource:
    n = len(parcels)
    refs = np.array([f"P{i}" for i in range(n)], dtype=object)
    return MapSource(
        Path("test.gpkg"),
        "GeoPackage",
        {
            RED_LINE.name: Layer(RED_LINE, "Red Line Boundary", np.array([1]), np.array([red_line], dtype=object), {}),
            HABITATS.name: Layer(
                HABITATS, "Habitats", np.arange(1, n + 1), np.array(parcels, dtype=object), {"Parcel Ref": refs}
            ),
        },
    )


boxes = st.builds(
    lambda x, y, w, h: shapely.box(X0 + x, Y0 + y, X0 + min(100, x + w), Y0 + min(100, y + h)),
    st.integers(0, 90),
    st.integers(0, 90),
    st.integers(1, 60),
    st.integers(1, 60),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(boxes, min_size=2, max_size=8), st.data())
def test_overlaps_are_exactly_the_pairs_sharing_more_than_the_tolerance(parcels: list, data: st.DataObject) -> None:
    if data.draw(st.booleans()):  # sometimes an exact duplicate, or a parcel inside another
        inner = parcels[0].buffer(-0.5)
        parcels.append(parcels[0] if data.draw(st.booleans()) or inner.is_empty else shapely.box(*inner.bounds))
    findings = check_geometry(_source(parcels))
    found = {f.fid for f in findings if f.code == "PARCEL_OVERLAPS"}
    brute = {
        i + 1 for i, j in combinations(range(len(parcels)), 2) if parcels[i].intersection(parcels[j]).area > OVERLAP_M2
    }
    assert found == brute


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 8), st.integers(2, 8), st.data())
def test_a_missing_parcel_is_a_gap_of_its_own_area(cols: int, rows: int, data: st.DataObject) -> None:
    w, h = 100 / cols, 100 / rows
    grid = [
        shapely.box(X0 + c * w, Y0 + r * h, X0 + (c + 1) * w, Y0 + (r + 1) * h)
        for r in range(rows)
        for c in range(cols)
    ]
    assert not {f.code for f in check_geometry(_source(grid))}  # a clean tiling breaks no rule
    gone = data.draw(st.integers(0, len(grid) - 1))
    missing = grid.pop(gone)
    findings = check_geometry(_source(grid))
    gaps = [f for f in findings if f.code == "PARCEL_GAPS"]
    assert len(gaps) == 1 and f"{missing.area:,.2f} m²" in gaps[0].message
    assert {f.code for f in findings} == {"PARCEL_GAPS", "AREA_SUM_MISMATCH"}
