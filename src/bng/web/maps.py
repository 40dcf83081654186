"""The gain site's boundary map as inline SVG: drawn from the register's own geometry, so the page
needs no map tiles from elsewhere (nothing is fetched at run time), with a scale bar and north arrow."""

from __future__ import annotations

import math
from typing import Any

from markupsafe import Markup, escape

from bng.register.ledger import shown
from bng.register.public import SiteView

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


def site_map(view: SiteView) -> Markup:
    site = view.site
    title = f"Map of the boundary of gain site {site.reference}"
    if site.boundary is None:
        return Markup(
            f'<p class="govuk-body">The boundary was given as a plan; the gain site is centred on grid reference '
            f"{escape(site.grid_reference)} and covers {shown(site.area_ha)} hectares.</p>"
        )
    x0, y0, x1, y1 = site.boundary.bounds
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
    for parcel in view.parcels:
        g = parcel.geometry
        if g is None or g.geom_type not in ("Polygon", "MultiPolygon") or parcel.stage == "baseline":
            continue
        d = " ".join("M " + " L ".join(pt(x, y) for x, y in ring) + " Z" for ring in _rings(g))
        parts.append(f'<path d="{d}" class="bng-map__parcel"><title>{escape(parcel.habitat)}</title></path>')
    d = " ".join("M " + " L ".join(pt(x, y) for x, y in ring) + " Z" for ring in _rings(site.boundary))
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
