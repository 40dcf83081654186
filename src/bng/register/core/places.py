"""Where a gain site is: in England or not, and in which LPA, National Character Area and LNRS area.

The boundaries are public simplified outlines shipped with the package (ONS England BUC, ONS
Local Planning Authorities 2023, Natural England NCAs, Local Nature Recovery Strategy areas),
fine for deciding which area a site lies in or borders, not for survey-grade edges. Because they
are generalised, "in England" allows the boundary to reach ``ENGLAND_TOLERANCE_M`` beyond the
outline (the ONS BUC outline is generalised to about 500 m; coastal and intertidal sites would
otherwise fail).

Spatial risk follows the metric's categories: a gain site in the development's LPA or National
Character Area is "within"; one in a neighbouring LPA or NCA is "neighbouring"; any other is
"outside".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from bng.gis import WGS84, england_geojson, from_bng, points_from_bng, wgs84_to_bng

ENGLAND_TOLERANCE_M = 1_000.0
NEIGHBOUR_GAP_M = 100.0
"""Two areas closer than this are neighbours (simplified outlines leave slivers between them)."""
AREA_KINDS = ("lpa", "nca", "lnrs")
AREA_FILES = {"lpa": ("lpa.geojson", "LPA23NM"), "nca": ("nca.geojson", "NCA_Name"), "lnrs": ("lnrs.geojson", "Name")}
AREA_LABELS = {"lpa": "Local planning authority", "nca": "National Character Area", "lnrs": "LNRS area"}


class SpatialRisk(StrEnum):
    """The metric's spatial risk categories: where the gain site is from the development's LPA and NCA."""

    WITHIN = "within"
    NEIGHBOURING = "neighbouring"
    OUTSIDE = "outside"


SPATIAL_RISK_WORDING = {
    SpatialRisk.WITHIN: "Compensation inside LPA boundary or NCA of impact site",
    SpatialRisk.NEIGHBOURING: "Compensation outside LPA or NCA of impact site, but in neighbouring LPA or NCA",
    SpatialRisk.OUTSIDE: "Compensation outside LPA or NCA of impact site and neighbouring LPA or NCA",
}


def bng_to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    """The EPSG:27700 geometry in longitude and latitude (WGS 84), as web maps and GeoJSON want it."""
    return from_bng(geom, WGS84)


def bng_points_to_wgs84(eastings: Any, northings: Any) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes of EPSG:27700 points, all in one call to PROJ."""
    return points_from_bng(eastings, northings, WGS84)


def _read(name: str) -> Any:
    return json.loads(resources.files("bng.register").joinpath("data", name).read_text("utf-8"))


@dataclass(eq=False)
class AreaSet:
    """The areas of one kind: names, EPSG:27700 outlines and a spatial index."""

    kind: str
    names: tuple[str, ...]
    shapes: np.ndarray
    tree: shapely.STRtree = field(repr=False)
    _neighbours: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def shares(self, geom: BaseGeometry) -> list[tuple[str, float]]:
        """The areas a polygon (or point) lies in, with the share of it in each, largest first."""
        hits = self.tree.query(geom, predicate="intersects")
        if geom.geom_type in ("Point", "MultiPoint") or geom.area == 0:
            return [(self.names[i], 1.0) for i in sorted(hits)][:1]
        total = geom.area
        out = [(self.names[i], float(shapely.intersection(self.shapes[i], geom).area / total)) for i in hits]
        return sorted((x for x in out if x[1] > 0), key=lambda x: -x[1])

    def has(self, name: str) -> bool:
        """Whether an area of this kind has exactly this name."""
        return name in self.names

    def within(self, name: str, geom: BaseGeometry, distance: float) -> bool:
        """Whether a geometry lies within ``distance`` metres of the named area."""
        return any(
            self.names[i] == name and float(shapely.distance(self.shapes[i], geom)) <= distance
            for i in self.tree.query(geom, predicate="dwithin", distance=distance)
        )

    def neighbours(self, name: str) -> frozenset[str]:
        """The areas within ``NEIGHBOUR_GAP_M`` of the named one (computed once per name)."""
        if name not in self._neighbours:
            found: set[str] = set()
            for i, own in enumerate(self.shapes):
                if self.names[i] == name:
                    hits = self.tree.query(own, predicate="dwithin", distance=NEIGHBOUR_GAP_M)
                    found |= {self.names[j] for j in hits}
            found.discard(name)
            self._neighbours[name] = frozenset(found)
        return self._neighbours[name]


class Places:
    """England's outline and the named areas within it, loaded once per process."""

    def __init__(self) -> None:
        outline = england_geojson()["geometry"]
        england = shapely.make_valid(wgs84_to_bng(shapely.from_geojson(json.dumps(outline))))
        self.england = england
        self.england_tolerant = england.buffer(ENGLAND_TOLERANCE_M, quad_segs=2)
        shapely.prepare(self.england_tolerant)
        self.areas = {kind: self._areas(kind) for kind in AREA_KINDS}

    @staticmethod
    def _areas(kind: str) -> AreaSet:
        filename, key = AREA_FILES[kind]
        doc = _read(f"boundaries/{filename}")
        names, shapes = [], []
        for feature in doc["features"]:
            names.append(str(feature["properties"][key]).strip())
            shapes.append(shapely.make_valid(wgs84_to_bng(shapely.from_geojson(json.dumps(feature["geometry"])))))
        arr = np.array(shapes, dtype=object)
        return AreaSet(kind, tuple(names), arr, shapely.STRtree(arr))

    def in_england(self, geom: BaseGeometry) -> bool:
        """Whether the geometry lies in England (within a kilometre of its outline, which is simplified)."""
        return bool(self.england_tolerant.contains(geom))

    def locate(self, geom: BaseGeometry) -> dict[str, list[tuple[str, float]]]:
        """The LPAs, NCAs and LNRS areas the geometry lies in, by kind, each with its share, largest first."""
        return {kind: self.areas[kind].shares(geom) for kind in AREA_KINDS}

    def names(self, kind: str) -> tuple[str, ...]:
        """The names of the areas of one kind, each once, in alphabetical order (a form's choices)."""
        return tuple(sorted(set(self.areas[kind].names)))

    def spatial_risk(
        self, development: Mapping[str, Iterable[str]], gain_site: Mapping[str, Iterable[str]]
    ) -> SpatialRisk:
        """The metric's spatial risk category of a gain site for a development, by LPA and NCA."""
        for kind in ("lpa", "nca"):
            if set(development.get(kind, ())) & set(gain_site.get(kind, ())):
                return SpatialRisk.WITHIN
        for kind in ("lpa", "nca"):
            near: set[str] = set()
            for name in development.get(kind, ()):
                near |= self.areas[kind].neighbours(name)
            if near & set(gain_site.get(kind, ())):
                return SpatialRisk.NEIGHBOURING
        return SpatialRisk.OUTSIDE


@cache
def places() -> Places:
    """The places, loaded at the first call (the outlines take a moment to read) and shared after."""
    return Places()
