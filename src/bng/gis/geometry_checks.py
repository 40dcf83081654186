"""The geometry rules of the standard, on EPSG:27700 geometry, with the standard's tolerances.

Everything is vectorised with shapely 2; pairwise rules use an STRtree so that a map of n
parcels costs O(n log n), not O(n²). Each rule reports at most ``LISTED_PER_RULE`` features
and then one line saying how many more there are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .crs import parse_crs, to_bng
from .findings import Finding
from .outline import england_geojson
from .reading import Layer, MapSource
from .standard import (
    AREA_SUM_M2,
    GAP_M2,
    HABITATS,
    HEDGEROWS,
    LINE_OUTSIDE_M,
    LISTED_PER_RULE,
    MAX_RED_LINE_M2,
    MIN_PARCEL_M2,
    OUTSIDE_ENGLAND_M2,
    OUTSIDE_RED_LINE_M2,
    OVERLAP_GRID_M,
    OVERLAP_M2,
    RED_LINE,
    RIVERS,
    TREE_OUTSIDE_M,
    TREES,
)
from .vocabulary import text

_SHAPELY_NAME = {
    "Polygon": "POLYGON",
    "MultiPolygon": "MULTIPOLYGON",
    "LineString": "LINESTRING",
    "MultiLineString": "MULTILINESTRING",
    "LinearRing": "LINEARRING",
    "Point": "POINT",
    "MultiPoint": "MULTIPOINT",
}
_POLYGONAL = ("Polygon", "MultiPolygon")
_LINEAL = ("LineString", "MultiLineString", "LinearRing")
_PUNTAL = ("Point", "MultiPoint")
_PREFIX = {
    RED_LINE.name: "RLB",
    HABITATS.name: "HABITATS",
    HEDGEROWS.name: "HEDGEROWS",
    RIVERS.name: "RIVERS",
    TREES.name: "TREES",
}


@cache
def england() -> BaseGeometry:
    """England's outline (ONS Countries Dec 2024, BUC) in EPSG:27700, prepared for repeated tests."""
    geom = shapely.from_geojson(json.dumps(england_geojson()["geometry"]))
    out, _ = to_bng(np.array([geom], dtype=object), parse_crs("EPSG:4326"))
    shape: BaseGeometry = shapely.make_valid(out[0])
    shapely.prepare(shape)
    return shape


def near(geom: BaseGeometry | None) -> str:
    """Where a geometry is, for a message: " near E … N …" (empty when unknown)."""
    if geom is None or geom.is_empty:
        return ""
    p = geom if isinstance(geom, shapely.Point) else geom.representative_point()
    return f" near E {p.x:.0f} N {p.y:.0f}"


class _Out:
    """Findings with the per-rule cap."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self.counts: dict[str, int] = {}
        self.layers: dict[str, str | None] = {}

    def add(self, f: Finding) -> None:
        n = self.counts.get(f.code, 0)
        self.counts[f.code] = n + 1
        self.layers.setdefault(f.code, f.layer)
        if n < LISTED_PER_RULE:
            self.items.append(f)

    def done(self) -> list[Finding]:
        for code, n in self.counts.items():
            if n > LISTED_PER_RULE:
                self.items.append(
                    Finding(code, f"and {n - LISTED_PER_RULE:,} more features break this rule", self.layers[code])
                )
        return self.items


class _Refs:
    """A layer's refs, read only for the features a finding names."""

    def __init__(self, layer: Layer) -> None:
        self.values = layer.column(layer.spec.ref_column) if layer.spec.ref_column else None

    def __getitem__(self, i: int | np.integer[Any]) -> str | None:
        return None if self.values is None else text(self.values[int(i)])


def _typed(out: _Out, layer: Layer, allowed: tuple[str, ...], what: str) -> np.ndarray:
    """Indices of the layer's geometries that are readable and of the right kind; report the rest."""
    prefix = _PREFIX[layer.spec.name]
    refs = _Refs(layer)
    geoms = layer.geometry
    missing = np.array([g is None for g in geoms], dtype=bool)
    types = shapely.get_type_id(geoms)
    unreadable = missing | (types < 0) | shapely.is_empty(geoms)
    wanted = np.isin(types, [int(shapely.GeometryType[_SHAPELY_NAME[a]]) for a in allowed])
    for i in np.flatnonzero(unreadable):
        out.add(
            Finding(
                f"GPKG_{prefix}_UNREADABLE_GEOMETRY",
                "the feature's geometry is empty or cannot be read",
                layer.spec.name,
                int(layer.fids[i]),
                refs[i],
            )
        )
    for i in np.flatnonzero(~unreadable & ~wanted):
        g = geoms[i]
        out.add(
            Finding(
                f"GPKG_{prefix}_WRONG_GEOMETRY_TYPE",
                f"the geometry is a {g.geom_type}; {what}",
                layer.spec.name,
                int(layer.fids[i]),
                refs[i],
            )
        )
    return np.flatnonzero(~unreadable & wanted)


def check_geometry(source: MapSource) -> list[Finding]:
    """Apply every geometry rule to a map's layers (a geometry GEOS cannot work with is a finding)."""
    out = _Out()
    try:
        _check_all(out, source)
    except shapely.errors.GEOSException as err:
        out.add(
            Finding(
                "GEOMETRY_UNCHECKABLE",
                f"the geometry rules could not be completed: GEOS reports {err}; repair the geometries (for "
                "instance with QGIS's Fix geometries) and check the map again",
            )
        )
    return out.done()


def _check_all(out: _Out, source: MapSource) -> None:
    red_line = _red_line(out, source.layers.get(RED_LINE.name))
    parcels = source.layers.get(HABITATS.name)
    if parcels is not None:
        _parcels(out, parcels, red_line, source.layers.get(RED_LINE.name))
    for spec in (HEDGEROWS, RIVERS):
        layer = source.layers.get(spec.name)
        if layer is not None and len(layer):
            _lines(out, layer, red_line)
    trees = source.layers.get(TREES.name)
    if trees is not None and len(trees):
        _trees(out, trees, red_line)


def _red_line(out: _Out, layer: Layer | None) -> BaseGeometry | None:
    """The red line boundary as one valid (multi)polygon, or None when there is none to test against."""
    if layer is None:
        return None
    if len(layer) == 0:
        out.add(
            Finding(
                "GPKG_RLB_NO_POLYGON",
                "the red line boundary layer has no polygon; draw the red line boundary",
                RED_LINE.name,
            )
        )
        return None
    keep = _typed(out, layer, _POLYGONAL, "the red line boundary must be a polygon")
    # DEFRA's validator (validateRedLineBoundary) counts the rows whose geometry is a polygon or
    # multipolygon, once every geometry is readable: none is GPKG_RLB_NO_POLYGON, more than one is
    # GPKG_RLB_TOO_MANY_POLYGONS. Rows of another kind do not count; a site in several parts drawn
    # as one multipolygon row passes (docs/gis.md).
    readable = all(g is not None and not shapely.is_empty(g) for g in layer.geometry)
    if readable and not len(keep):
        out.add(
            Finding(
                "GPKG_RLB_NO_POLYGON",
                f"the red line boundary layer has {len(layer)} feature(s) but no polygon among them; "
                "draw the red line boundary as a polygon",
                RED_LINE.name,
            )
        )
    if readable and len(keep) > 1:
        fids = ", ".join(str(int(layer.fids[i])) for i in keep)
        out.add(
            Finding(
                "GPKG_RLB_TOO_MANY_POLYGONS",
                f"the layer has {len(keep)} red line boundary polygons, one per feature (features {fids}); DEFRA's "
                "service takes one: draw the red line boundary as a single feature, a multipolygon if the site "
                "is in several parts",
                RED_LINE.name,
            )
        )
    if not len(keep):
        return None
    parts = []
    valid = True
    for i in keep:
        g = layer.geometry[i]
        if not shapely.is_valid(g):
            valid = False
            out.add(
                Finding(
                    "REDLINE_INVALID_GEOMETRY",
                    f"the red line boundary is not a valid polygon: {shapely.is_valid_reason(g)}; it overlaps itself "
                    "(a bow-tie) or its rings are wrong: draw it again",
                    RED_LINE.name,
                    int(layer.fids[i]),
                )
            )
            g = shapely.make_valid(g)
        parts.append(g)
    rl = shapely.union_all(parts) if len(parts) > 1 else parts[0]
    rl = shapely.make_valid(rl)
    polys = shapely.get_parts(rl)
    rl = shapely.multipolygons([p for p in polys if p.geom_type == "Polygon"]) if rl.geom_type not in _POLYGONAL else rl
    area = rl.area
    if area > MAX_RED_LINE_M2:
        out.add(
            Finding(
                "REDLINE_AREA_TOO_LARGE",
                f"the red line boundary covers {area / 1e6:,.2f} km²; the limit is {MAX_RED_LINE_M2 / 1e6:,.0f} km²",
                RED_LINE.name,
            )
        )
    outside = rl.difference(england())
    if outside.area > OUTSIDE_ENGLAND_M2:
        out.add(
            Finding(
                "REDLINE_OUTSIDE_ENGLAND",
                f"{outside.area:,.1f} m² of the red line boundary lies outside England{near(outside)}; "
                "biodiversity net gain applies in England only",
                RED_LINE.name,
            )
        )
    if not valid:
        return None  # whatever lies "outside" an invalid red line is an artefact: draw it again first
    shapely.prepare(rl)
    return rl


def _parcels(out: _Out, layer: Layer, red_line: BaseGeometry | None, rl_layer: Layer | None) -> None:
    name = HABITATS.name
    if len(layer) == 0:
        out.add(
            Finding(
                "NO_HABITAT_AREAS",
                "the Habitats layer has no parcels; draw the parcels within the red line boundary",
                name,
            )
        )
        return
    refs = _Refs(layer)
    keep = _typed(out, layer, _POLYGONAL, "a habitat parcel must be a polygon")
    if not len(keep):
        out.add(Finding("NO_HABITAT_AREAS", "the Habitats layer has no polygon among its features", name))
        return
    geoms = layer.geometry[keep]
    fids = layer.fids[keep]
    kref = _Subset(refs, keep)
    valid = shapely.is_valid(geoms)
    for j in np.flatnonzero(~valid):
        out.add(
            Finding(
                "AREA_PARCELS_INVALID_GEOMETRY",
                f"the parcel is not a valid polygon ({shapely.is_valid_reason(geoms[j])}): it overlaps itself; "
                "draw the parcel again",
                name,
                int(fids[j]),
                kref[j],
            )
        )
    fixed = geoms.copy()
    if not valid.all():
        fixed[~valid] = shapely.make_valid(geoms[~valid])
    areas = shapely.area(geoms)
    for j in np.flatnonzero(shapely.area(fixed) < MIN_PARCEL_M2):
        out.add(
            Finding(
                "AREA_PARCELS_TOO_SMALL",
                f"the parcel is {shapely.area(fixed[j]):.2f} m², smaller than {MIN_PARCEL_M2:g} m²; "
                "draw the parcel again",
                name,
                int(fids[j]),
                kref[j],
            )
        )
    suspects = _suspects(fixed)
    clean = bool(valid.all()) and not len(suspects)
    shared = _overlaps(out, fixed, fids, kref, suspects)
    if red_line is not None:
        spilt = _outside(out, fixed, fids, kref, red_line)
        rl_area = (
            float(shapely.area(rl_layer.geometry[[g is not None for g in rl_layer.geometry]]).sum())
            if rl_layer
            else 0.0
        )
        total = float(areas.sum())
        if abs(rl_area - total) > AREA_SUM_M2:
            out.add(
                Finding(
                    "AREA_SUM_MISMATCH",
                    f"the parcels add up to {total:,.2f} m² but the red line boundary is {rl_area:,.2f} m² "
                    f"(difference {total - rl_area:+,.2f} m²; tolerance {AREA_SUM_M2:g} m²)",
                    name,
                )
            )
        # Bonferroni: the uncovered area is at most the red line less what the parcels cover of it, counting
        # each pairwise overlap once too many; when that bound is within the tolerance there is no gap to find
        bound = float(red_line.area) - (float(shapely.area(fixed).sum()) - spilt) + shared
        if bound > GAP_M2:
            _gaps(out, fixed, red_line, clean)


def _pairs(geoms: np.ndarray, suspects: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Candidate pairs (i < j) with at least one suspect, whose envelopes meet (STRtree), in chunks."""
    found, other = shapely.STRtree(geoms).query(geoms[suspects])
    left, right = suspects[found], other
    left, right = np.minimum(left, right), np.maximum(left, right)
    keep = left < right
    pairs = np.unique(np.column_stack([left[keep], right[keep]]), axis=0)
    chunk = 200_000
    for k in range(0, len(pairs), chunk):
        yield pairs[k : k + chunk, 0], pairs[k : k + chunk, 1]


def _overlaps(out: _Out, geoms: np.ndarray, fids: np.ndarray, refs: _Subset, suspects: np.ndarray) -> float:
    """PARCEL_OVERLAPS: pairs whose shared area is more than 0.5 m² (edges that only touch pass).

    GEOS's coverage validation marks every parcel with an edge that crosses, overlaps or lies
    inside another parcel (both of two overlapping parcels, the inner one of a parcel inside
    another, both of two equal ones), so only pairs with a marked parcel can overlap: a clean
    coverage, the common case, is settled in one pass. Each candidate pair is tested: interiors
    meeting (DE-9IM), then the shared area. Returns the area shared by all pairs (for the gap rule).
    """
    total = 0.0
    if not len(suspects):
        return total
    for left, right in _pairs(geoms, suspects):
        inner = shapely.relate_pattern(geoms[left], geoms[right], "2********")
        left, right = left[inner], right[inner]
        if not len(left):
            continue
        shared = shapely.area(shapely.intersection(geoms[left], geoms[right], grid_size=OVERLAP_GRID_M))
        total += float(shared.sum())
        big = shared > OVERLAP_M2
        for a, b, s in zip(left[big], right[big], shared[big], strict=True):
            ra, rb = refs[a] or f"fid {fids[a]}", refs[b] or f"fid {fids[b]}"
            out.add(
                Finding(
                    "PARCEL_OVERLAPS",
                    f"parcels {ra} and {rb} overlap by {s:,.2f} m² (features {fids[a]} and {fids[b]}; tolerance "
                    f"{OVERLAP_M2:g} m²); draw the parcels again so that they only touch",
                    HABITATS.name,
                    int(fids[a]),
                    refs[a],
                )
            )
    return total


class _Subset:
    """Refs of the kept features, by position among them."""

    def __init__(self, refs: _Refs, keep: np.ndarray) -> None:
        self.refs, self.keep = refs, keep

    def __getitem__(self, j: int | np.integer[Any]) -> str | None:
        return self.refs[int(self.keep[int(j)])]


def _suspects(geoms: np.ndarray) -> np.ndarray:
    """Indices of parcels GEOS's coverage validation marks (all of them if it cannot run)."""
    try:
        edges = shapely.coverage_invalid_edges(geoms)
    except shapely.errors.GEOSException:
        return np.arange(len(geoms))
    return np.flatnonzero(~shapely.is_empty(edges))


def _outside(out: _Out, geoms: np.ndarray, fids: np.ndarray, refs: _Subset, red_line: BaseGeometry) -> float:
    """Parcels (and slivers of parcels) outside the red line; returns the area outside."""
    inside = shapely.covers(red_line, geoms)
    idx = np.flatnonzero(~inside)
    if not len(idx):
        return 0.0
    pieces = shapely.difference(geoms[idx], red_line, grid_size=OVERLAP_GRID_M)
    spill = shapely.area(pieces)
    small = []
    for j, piece, a in zip(idx, pieces, spill, strict=True):
        if a > OUTSIDE_RED_LINE_M2:
            out.add(
                Finding(
                    "AREA_PARCELS_OUTSIDE_REDLINE",
                    f"{a:,.2f} m² of the parcel lies outside the red line boundary{near(piece)}; draw the parcel "
                    "within the red line boundary",
                    HABITATS.name,
                    int(fids[j]),
                    refs[j],
                )
            )
        elif a > 0:
            small.append(piece)
    if small:
        for sliver in shapely.get_parts(shapely.union_all(small, grid_size=OVERLAP_GRID_M)):
            if sliver.area > OUTSIDE_RED_LINE_M2:
                out.add(
                    Finding(
                        "SLIVERS_OUTSIDE_REDLINE",
                        f"parcels together spill {sliver.area:,.2f} m² outside the red line boundary{near(sliver)} "
                        "(a sliver: a thin strip of land); draw the parcels within the red line boundary",
                        HABITATS.name,
                    )
                )
    return float(spill.sum())


def _gaps(out: _Out, geoms: np.ndarray, red_line: BaseGeometry, clean: bool) -> None:
    """PARCEL_GAPS: pieces of the red line boundary that no parcel covers.

    A clean coverage is united by GEOS's coverage union (fast, exact); any other map by a full
    union, snapped to the 1 mm grid the overlap rule uses if GEOS cannot do it otherwise.
    """
    if clean:
        covered = shapely.coverage_union_all(geoms)
        gaps = shapely.difference(red_line, covered)
    else:
        try:
            gaps = shapely.difference(red_line, shapely.union_all(geoms))
        except shapely.errors.GEOSException:  # snap-rounded overlay: slower, robust
            gaps = shapely.difference(
                red_line, shapely.union_all(geoms, grid_size=OVERLAP_GRID_M), grid_size=OVERLAP_GRID_M
            )
    if shapely.is_empty(gaps):
        return
    for piece in sorted(shapely.get_parts(gaps), key=lambda g: -g.area):
        if piece.area > GAP_M2:
            out.add(
                Finding(
                    "PARCEL_GAPS",
                    f"{piece.area:,.2f} m² of the red line boundary{near(piece)} is in no parcel (tolerance "
                    f"{GAP_M2:g} m²); every part of the site needs a habitat parcel",
                    HABITATS.name,
                )
            )


def _lines(out: _Out, layer: Layer, red_line: BaseGeometry | None) -> None:
    name = layer.spec.name
    prefix = _PREFIX[name]
    keep = _typed(out, layer, _LINEAL, f"{name.lower()} are drawn as lines")
    if not len(keep):
        out.add(Finding(f"GPKG_{prefix}_NO_LINESTRING_GEOMETRY", "the layer has rows but no line among them", name))
        return
    if red_line is None:
        return
    refs = _Refs(layer)
    geoms = layer.geometry[keep]
    inside = shapely.covers(red_line, geoms)
    idx = np.flatnonzero(~inside)
    if not len(idx):
        return
    beyond = shapely.length(shapely.difference(geoms[idx], red_line))
    code = "HEDGEROWS_OUTSIDE_REDLINE" if layer.spec is HEDGEROWS else "WATERCOURSES_OUTSIDE_REDLINE"
    what = "hedgerow" if layer.spec is HEDGEROWS else "watercourse"
    for j, length in zip(idx, beyond, strict=True):
        if length > LINE_OUTSIDE_M:
            i = keep[j]
            out.add(
                Finding(
                    code,
                    f"{length:,.2f} m of the {what} runs outside the red line boundary{near(layer.geometry[i])} "
                    f"(tolerance {LINE_OUTSIDE_M:g} m); draw it within the red line boundary",
                    name,
                    int(layer.fids[i]),
                    refs[i],
                )
            )


def _trees(out: _Out, layer: Layer, red_line: BaseGeometry | None) -> None:
    keep = _typed(out, layer, _PUNTAL, "an individual tree is drawn as a point")
    if red_line is None or not len(keep):
        return
    refs = _Refs(layer)
    dist = shapely.distance(layer.geometry[keep], red_line)
    for j in np.flatnonzero(dist > TREE_OUTSIDE_M):
        i = keep[j]
        out.add(
            Finding(
                "TREES_OUTSIDE_REDLINE",
                f"the tree stands {dist[j]:,.2f} m outside the red line boundary{near(layer.geometry[i])} "
                f"(tolerance {TREE_OUTSIDE_M:g} m)",
                TREES.name,
                int(layer.fids[i]),
                refs[i],
            )
        )
