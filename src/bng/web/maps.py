"""The pages' maps.

First a drawing in inline SVG, from the register's own geometry, with a scale bar and
north arrow: it needs no JavaScript and nothing from elsewhere. Around it, a frame whose ``data-map``
(the shapes as GeoJSON, the base map's sources) lets ``static/map.js`` put an interactive map in its
place (Leaflet in British National Grid, docs/maps.md); without JavaScript, the drawing stays.
"""

from __future__ import annotations

import json
import math
from typing import Any

import shapely
from flask import current_app, url_for
from markupsafe import Markup, escape
from shapely.geometry.base import BaseGeometry

from bng.register.allocations.service import AllocationPlan
from bng.register.core.ledger import shown
from bng.register.public.sites import SiteView

from .map_data import shape_geojson

WIDTH, HEIGHT, PAD = 640, 420, 28


def _rings(geom: Any) -> list[list[tuple[float, float]]]:
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    out = []
    for p in polys:
        out.append(list(p.exterior.coords))
        out += [list(i.coords) for i in p.interiors]
    return out


def _nice(length: float) -> float:
    """A round length (1, 2 or 5 × 10ⁿ metres) near a fifth of the map's width."""
    exp: float = 10 ** math.floor(math.log10(length))  # int ** int is typed Any (a negative power is a float)
    for m in (5, 2, 1):
        if m * exp <= length:
            return m * exp
    return exp


def map_sources() -> dict[str, Any]:
    """Where the interactive map gets its base: OS Maps tiles (through this service) or the offline base."""
    os_maps = current_app.config.get("BNG_OS_MAPS")
    areas = url_for("maps.areas", kind="KIND")
    if os_maps is None:
        return {"areas": areas, "tiles": None}
    tiles = url_for("maps.tile", z=0, x=0, y=0).removesuffix("/0/0/0.png") + "/{z}/{x}/{y}.png"
    return {"areas": areas, "tiles": tiles, "maxNativeZoom": os_maps.max_zoom, "tileLayer": os_maps.layer}


def frame(inner: Markup, label: str, features: list[dict[str, Any] | None], **extra: Any) -> Markup:
    """The static drawing (or other no-JavaScript content) in a frame the interactive map takes over."""
    config = {
        **map_sources(),
        "label": label,
        "features": {"type": "FeatureCollection", "features": [f for f in features if f is not None]},
        **extra,
    }
    data = escape(json.dumps(config, separators=(",", ":")))
    classes = "bng-map-frame bng-map-frame--search" if "search" in extra else "bng-map-frame"
    return Markup(f'<div class="{classes}" data-module="bng-map" data-map="{data}">{inner}</div>')


def site_map(view: SiteView) -> Markup:
    """The gain site's boundary and its created and enhanced habitat parcels."""
    site = view.site
    title = f"Map of the boundary of gain site {site.reference}"
    if site.boundary is None:
        return Markup(
            f'<p class="govuk-body">The boundary was given as a plan; the gain site is centred on grid reference '
            f"{escape(site.grid_reference)} and covers {shown(site.area_ha)} hectares.</p>"
        )
    parcels = [
        (p.geometry, p.habitat)
        for p in view.parcels
        if p.geometry is not None and p.stage != "baseline" and not p.geometry.is_empty
    ]
    features = [shape_geojson(site.boundary, kind="boundary", name=f"{site.reference} {site.name}")]
    features += [shape_geojson(g, kind="parcel", name=habitat) for g, habitat in parcels]
    return frame(drawing(site.boundary, parcels, title), title, features)


def boundary_map(boundary: BaseGeometry | None, title: str) -> Markup:
    """A boundary on its own (an application's, before it is a gain site)."""
    if boundary is None or boundary.is_empty:
        return Markup("")
    return frame(drawing(boundary, [], title), title, [shape_geojson(boundary, kind="boundary", name=title)])


def allocation_map(plan: AllocationPlan) -> Markup:
    """Where the development is (its grid reference) beside the gain site it is allocated from."""
    site, place = plan.site, plan.place
    point = shapely.Point(place.easting, place.northing)
    shape = site.boundary if site.boundary is not None else shapely.Point(site.easting, site.northing)
    km = shapely.distance(point, shape) / 1000
    title = f"Map of development {plan.development.name} and gain site {site.reference}"
    said = Markup(
        f'<p class="govuk-body">The development ({escape(place.grid_reference)}) is '
        f"{'inside the gain site' if km == 0 else f'{km:,.1f} km from the gain site'}.</p>"
    )
    features = [
        shape_geojson(site.boundary, kind="boundary", name=f"{site.reference} {site.name}"),
        shape_geojson(point, kind="development", name=plan.development.name),
    ]
    if site.boundary is None:
        return frame(said, title, features)
    drawn = drawing(site.boundary, [], f"Map of the boundary of gain site {site.reference}")
    return said + frame(drawn, title, features)


def search_map(results_url: str, bbox: tuple[float, float, float, float] | None) -> Markup:
    """The register search's map: the results (fetched as GeoJSON), the box searched, and a box to draw."""
    label = "Map of the gain sites found"
    inner = Markup("")
    return frame(inner, label, [], search={"results": results_url, "bbox": list(bbox) if bbox else None})


def drawing(boundary: BaseGeometry, parcels: list[tuple[BaseGeometry, str]], title: str) -> Markup:
    """The SVG drawing of a boundary (EPSG:27700) and the polygons of its parcels."""
    x0, y0, x1, y1 = boundary.bounds
    span = max(x1 - x0, y1 - y0, 50.0)
    scale = min(
        (WIDTH - 2 * PAD) / max(x1 - x0, 1.0), (HEIGHT - 2 * PAD) / max(y1 - y0, 1.0), (WIDTH - 2 * PAD) / span * 4
    )
    ox = (WIDTH - (x1 - x0) * scale) / 2
    oy = (HEIGHT - (y1 - y0) * scale) / 2

    def pt(x: float, y: float) -> str:
        return f"{ox + (x - x0) * scale:.1f},{HEIGHT - (oy + (y - y0) * scale):.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bng-map" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="map-title">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" class="bng-map__background"/>',
    ]
    for g, habitat in parcels:
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        d = " ".join("M " + " L ".join(pt(x, y) for x, y in ring) + " Z" for ring in _rings(g))
        parts.append(f'<path d="{d}" class="bng-map__parcel"><title>{escape(habitat)}</title></path>')
    d = " ".join("M " + " L ".join(pt(x, y) for x, y in ring) + " Z" for ring in _rings(boundary))
    parts.append(f'<path d="{d}" class="bng-map__boundary" fill-rule="evenodd"/>')
    bar_m = _nice((WIDTH - 2 * PAD) / scale / 5)
    bar_px = bar_m * scale
    label = f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m:g} m"
    y = HEIGHT - 12
    parts.append(f'<path d="M {PAD},{y} L {PAD + bar_px:.1f},{y}" class="bng-map__scale"/>')
    parts.append(f'<text x="{PAD}" y="{y - 6}" class="bng-map__text">{label}</text>')
    parts.append(
        f'<path d="M {WIDTH - 24},{34} L {WIDTH - 16},{14} L {WIDTH - 8},{34} Z" class="bng-map__north"/>'
        f'<text x="{WIDTH - 20}" y="{48}" class="bng-map__text">N</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
