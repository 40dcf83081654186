"""Colours of habitat plans, by UKHab broad habitat.

No colour scheme is published with UKHab or the statutory metric, so bng keeps the conventions
of habitat mapping: one hue per UKHab broad habitat (grassland light green, woodland dark green,
heathland and scrub mauve, cropland straw, urban grey, water blue, …), and within a broad
habitat a lighter or darker tint per habitat type, so that every habitat on a plan has its own
colour and its family is still seen at a glance. Hedgerows are lines in distinct dark hues,
watercourses blue lines (both with a white halo, so they stand out on any fill), trees green
points.
"""

from __future__ import annotations

import colorsys
from functools import cache

from matplotlib.colors import to_hex, to_rgb

from bng.metric import load

BROAD: dict[str, str] = {
    "Grassland": "#9ccc65",
    "Woodland and forest": "#2e7d32",
    "Heathland and shrub": "#a1887f",
    "Cropland": "#f0dc82",
    "Urban": "#b0b0b0",
    "Sparsely vegetated land": "#d7b98e",
    "Wetland": "#4db6ac",
    "Lakes": "#64b5f6",
    "Watercourse footprint": "#1e88e5",
    "Coastal saltmarsh": "#80cbc4",
    "Coastal lagoons": "#4fc3f7",
    "Intertidal sediment": "#d4c09a",
    "Intertidal hard structures": "#8d8d8d",
    "Rocky shore": "#78909c",
    "Individual trees": "#1b5e20",
}
UNKNOWN = "#ffffff"
HEDGEROW = "#5d4037"
WATERCOURSE = "#0d47a1"
RED_LINE = "#d50000"


def _variant(hex_colour: str, k: int, n: int) -> str:
    """The k-th of n colours of one family: hue turned and lightness stepped, neighbours far apart.

    Golden-ratio steps put the habitats that sort next to each other (often the ones found
    together on a site, such as two grasslands) at opposite ends of the family's range.
    """
    if n == 1:
        return hex_colour
    h, lightness, sat = colorsys.rgb_to_hls(*to_rgb(hex_colour))
    t = (k * 0.6180339887) % 1.0  # 0..1, well spread
    hue = (h + (t - 0.5) * 0.16) % 1.0  # ±29 degrees
    light = min(0.88, max(0.22, lightness + (((k * 0.381966) % 1.0) - 0.5) * 0.45))
    return to_hex(colorsys.hls_to_rgb(hue, light, min(1.0, sat * 1.05)))


@cache
def _shades(release: str | None = None) -> dict[str, str]:
    rel = load(release)
    by_broad: dict[str, list[str]] = {}
    for h in sorted(rel.area_habitats.values(), key=lambda h: (h.broad, h.ukhab_code, h.type)):
        by_broad.setdefault(h.broad, []).append(h.label)
    out: dict[str, str] = {}
    for broad, labels in by_broad.items():
        base = BROAD.get(broad, UNKNOWN)
        for i, label in enumerate(labels):
            out[label] = _variant(base, i, len(labels))
    return out


def area_colour(label: str | None, release: str | None = None) -> str:
    """The plan's colour of an area habitat (its broad type's shade); grey when unknown."""
    if not label:
        return UNKNOWN
    return _shades(release).get(label, UNKNOWN)


# hedgerow types in thirteen distinct dark hues (never red: that is the red line); watercourses in blues, culvert grey
_HEDGES = (
    "#1b5e20",
    "#6a1b9a",
    "#e65100",
    "#4e342e",
    "#ad1457",
    "#33691e",
    "#283593",
    "#827717",
    "#00695c",
    "#8d6e63",
    "#9e9d24",
    "#37474f",
    "#ff8f00",
)
_RIVERS = {
    "Priority habitat": "#0d47a1",
    "Other rivers and streams": "#1976d2",
    "Ditches": "#4fc3f7",
    "Canals": "#00838f",
    "Culvert": "#757575",
}


def hedgerow_colour(hedge_type: str | None) -> str:
    """The plan's colour of a hedgerow type: one of thirteen dark hues, never the red line's red."""
    names = list(load().hedgerow_types)
    if not hedge_type or hedge_type not in names:
        return HEDGEROW
    return _HEDGES[names.index(hedge_type) % len(_HEDGES)]


def watercourse_colour(river_type: str | None) -> str:
    """The plan's colour of a watercourse type: blues, a culvert grey."""
    return _RIVERS.get(river_type or "", WATERCOURSE)
