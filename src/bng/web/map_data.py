"""The offline base map, as GeoJSON for the page's map, one box at a time.

England's outline and the LPA, National Character Area and LNRS boundaries are those the register already
ships (:mod:`bng.register.core.places`).

A box of the British National Grid (EPSG:27700 metres, as the register's search takes it) gives the
areas that touch it, cut to the box and simplified to about a pixel of a 1,500-pixel map of it, so a
view of all England and a view of one field cost about the same. The output is RFC 7946 GeoJSON
(WGS84 longitude and latitude, six decimals, about 0.1 m) and is never larger than ``MAX_VERTICES``:
when a box would need more, a coarser simplification is used.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from bng.register.core.places import AREA_LABELS, bng_to_wgs84, places

KINDS = ("england", "lpa", "nca", "lnrs")
LABELS = {"england": "England", **AREA_LABELS}
LEVELS = (2.0, 10.0, 50.0, 250.0, 1000.0)
"""The simplifications kept, metres (Douglas–Peucker tolerance, topology preserved)."""
PIXELS = 1500.0
MAX_VERTICES = 12_000
"""At most this many points in one response (about 300 kB of GeoJSON)."""
MAX_SIDE = 1_300_000.0
"""The box may be as big as the whole grid (EPSG:27700's extent), not bigger."""


class BoxError(ValueError):
    """A box that is not four numbers of the British National Grid, each minimum below its maximum."""


def parse_box(text: str) -> tuple[float, float, float, float]:
    """A ``bbox`` query (min easting, min northing, max easting, max northing) as four finite numbers in order."""
    parts = text.split(",")
    try:
        x0, y0, x1, y1 = (float(p) for p in parts)
    except ValueError:
        raise BoxError("bbox must be four numbers: min easting, min northing, max easting, max northing") from None
    if not all(np.isfinite([x0, y0, x1, y1])):
        raise BoxError("bbox must be four finite numbers")
    if not (-MAX_SIDE <= x0 < x1 <= 2 * MAX_SIDE and -MAX_SIDE <= y0 < y1 <= 2 * MAX_SIDE):
        raise BoxError(
            "bbox must be on the British National Grid (EPSG:27700, metres), each minimum below its maximum, "
            "like 540000,250000,560000,270000"
        )
    return x0, y0, x1, y1


@cache
def _layer(kind: str, tolerance: float) -> tuple[tuple[str, ...], np.ndarray, shapely.STRtree]:
    """The areas of a kind simplified to one level: names, shapes and their index."""
    p = places()
    if kind == "england":
        names: tuple[str, ...] = ("England",)
        shapes = np.array([p.england], dtype=object)
    else:
        names, shapes = p.areas[kind].names, p.areas[kind].shapes
    simple = shapely.make_valid(shapely.simplify(shapes, tolerance, preserve_topology=True))
    return names, simple, shapely.STRtree(simple)


def _level(side: float) -> int:
    want = side / PIXELS
    for i, tol in enumerate(LEVELS):
        if tol >= want:
            return i
    return len(LEVELS) - 1


def _clip(kind: str, box: tuple[float, float, float, float]) -> tuple[float, list[tuple[str, BaseGeometry]]]:
    side = max(box[2] - box[0], box[3] - box[1])
    level = _level(side)
    rect = shapely.box(*box)
    while True:
        tol = LEVELS[level]
        names, shapes, tree = _layer(kind, tol)
        hits = np.sort(tree.query(rect, predicate="intersects"))
        cut = shapely.clip_by_rect(shapes[hits], *box) if len(hits) else np.array([], dtype=object)
        keep = [(names[i], g) for i, g in zip(hits, cut, strict=True) if not g.is_empty and g.area > 0]
        total = int(sum(shapely.get_num_coordinates(g) for _, g in keep))
        if total <= MAX_VERTICES or level == len(LEVELS) - 1:
            return tol, keep
        level += 1


def _polygons(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygons of a clipped shape (a clip can leave lines and points along the box's edge)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def areas_geojson(kind: str, box: tuple[float, float, float, float]) -> dict[str, Any]:
    """The areas of ``kind`` touching ``box`` (EPSG:27700), cut to it, as a GeoJSON FeatureCollection."""
    if kind not in KINDS:
        raise KeyError(kind)
    _names, shapes, _tree = _layer(kind, LEVELS[-1])
    x0, y0, x1, y1 = shapely.total_bounds(shapes)
    if (
        box[0] <= x0
        and box[1] <= y0
        and box[2] >= x1
        and box[3] >= y1
        and _level(max(x1 - x0, y1 - y0)) == len(LEVELS) - 1
    ):
        tol, features = _whole(kind)  # the whole layer at its coarsest: the same for every box around it
    else:
        tol, features = _features(kind, box)
    return {
        "type": "FeatureCollection",
        "name": LABELS[kind],
        "bbox_27700": list(box),
        "simplified_m": tol,
        "features": features,
    }


@cache
def _whole(kind: str) -> tuple[float, list[dict[str, Any]]]:
    _names, shapes, _tree = _layer(kind, LEVELS[-1])
    return _features(kind, tuple(float(v) for v in shapely.total_bounds(shapes)))  # type: ignore[arg-type]


def _features(kind: str, box: tuple[float, float, float, float]) -> tuple[float, list[dict[str, Any]]]:
    tol, keep = _clip(kind, box)
    features = []
    for name, geom in keep:
        g = _polygons(geom)
        if g.is_empty:
            continue
        wgs = shapely.transform(bng_to_wgs84(g), lambda xy: np.round(xy, 6))
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": kind, "name": name},
                "geometry": json.loads(shapely.to_geojson(wgs)),
            }
        )
    return tol, features


def shape_geojson(geom: BaseGeometry | None, **properties: Any) -> dict[str, Any] | None:
    """A Feature (WGS84, six decimals) of an EPSG:27700 geometry, for a page's map."""
    if geom is None or geom.is_empty:
        return None
    wgs = shapely.transform(bng_to_wgs84(geom), lambda xy: np.round(xy, 6))
    return {"type": "Feature", "properties": properties, "geometry": json.loads(shapely.to_geojson(wgs))}
