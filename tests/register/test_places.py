"""Which LPA, National Character Area and LNRS area a site lies in, and the spatial risk between two."""

from __future__ import annotations

import shapely

from bng.register.core.places import SpatialRisk, places
from tests.register import files


def test_a_site_in_cambridge() -> None:
    found = places().locate(files.square(545_000, 258_000))
    assert found["lpa"] == [("Cambridge LPA", 1.0)]
    assert found["nca"][0][0] == "Bedfordshire and Cambridgeshire Claylands"
    assert found["lnrs"][0][0] == "Cambridgeshire and Peterborough"


def test_a_site_across_a_boundary_has_shares_that_add_up() -> None:
    # a 1 km square astride the Cambridge / South Cambridgeshire boundary
    lpa = places().areas["lpa"]
    cambridge = lpa.shapes[lpa.names.index("Cambridge LPA")]
    edge = cambridge.exterior.interpolate(0.3, normalized=True) if cambridge.geom_type == "Polygon" else None
    assert edge is not None
    square = shapely.Point(edge.x, edge.y).buffer(500, cap_style="square")
    shares = dict(places().locate(square)["lpa"])
    assert {"Cambridge LPA", "South Cambridgeshire LPA"} <= set(shares)
    assert abs(sum(shares.values()) - 1) < 0.01


def test_in_england() -> None:
    p = places()
    assert p.in_england(shapely.Point(545_000, 258_000))
    assert not p.in_england(shapely.Point(300_000, 270_000))  # Powys
    assert not p.in_england(shapely.Point(270_000, 700_000))  # the Highlands


def test_spatial_risk_categories() -> None:
    p = places()
    cambridge = {"lpa": ["Cambridge LPA"], "nca": ["Bedfordshire and Cambridgeshire Claylands"]}
    assert p.spatial_risk(cambridge, {"lpa": ["Cambridge LPA"], "nca": []}) == SpatialRisk.WITHIN
    assert (
        p.spatial_risk(
            cambridge, {"lpa": ["Huntingdonshire LPA"], "nca": ["Bedfordshire and Cambridgeshire Claylands"]}
        )
        == SpatialRisk.WITHIN
    )
    assert (
        p.spatial_risk(cambridge, {"lpa": ["South Cambridgeshire LPA"], "nca": ["East Anglian Chalk"]})
        == SpatialRisk.NEIGHBOURING
    )
    assert p.spatial_risk(cambridge, {"lpa": ["Cornwall LPA"], "nca": ["Bodmin Moor"]}) == SpatialRisk.OUTSIDE
