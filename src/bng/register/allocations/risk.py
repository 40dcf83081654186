"""Where a development is, and the spatial risk category of a gain site for it.

The register knows where every gain site lies (the LPAs and National Character Areas it touches,
``gain_site_area``); a development is placed by its grid reference. The category follows the
metric: a gain site in the development's LPA or NCA is "within", one in a neighbouring LPA or NCA
"neighbouring", any other "outside". The register derives it rather than taking the metric's word,
and flags a metric that states another category.

Watercourse units use the metric's catchment categories (waterbody and operational catchment); the
register holds no catchment boundaries, so it neither derives nor checks those.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import shapely

from bng.register.applications.boundary import parse_grid_reference
from bng.register.core.errors import Invalid
from bng.register.core.lpas import SECRETARY_OF_STATE
from bng.register.core.model import GainSiteArea
from bng.register.core.places import SPATIAL_RISK_WORDING, Places, SpatialRisk

LPA_TOLERANCE_M = 1_000.0
"""A development may lie this far outside its LPA's (simplified) outline and still be in it."""
OTHER = "other"
"""A stated category that is none of the three a development's metric may use (an off-site provider's,
an intertidal one, or text the metric does not know)."""
RISK_LABELS = {
    SpatialRisk.WITHIN: "Within the development's LPA or National Character Area",
    SpatialRisk.NEIGHBOURING: "In a neighbouring LPA or National Character Area",
    SpatialRisk.OUTSIDE: "Beyond the development's and the neighbouring LPAs and National Character Areas",
}


@dataclass(frozen=True, slots=True)
class DevelopmentPlace:
    """Where a development is: its point and the LPA, NCA and LNRS area it lies in ('' if none)."""

    easting: float
    northing: float
    grid_reference: str
    lpa: str
    nca: str
    lnrs: str


def locate_development(places: Places, text: str, lpa_name: str, field: str = "grid_reference") -> DevelopmentPlace:
    """Place a development by its grid reference; it must be in England and in (or by) its LPA."""
    if not text.strip():
        raise Invalid.one(field, "Enter the grid reference of the development, like TL 4500 5800")
    try:
        e, n = parse_grid_reference(text)
    except ValueError as err:
        raise Invalid.one(field, f"The development's grid reference: {err}") from None
    point = shapely.Point(e, n)
    shown = as_typed(text)
    if not places.in_england(point):
        raise Invalid.one(field, f"The development's grid reference {shown} is not in England")
    found = places.locate(point)
    lpa = found["lpa"][0][0] if found["lpa"] else ""
    lpas = places.areas["lpa"]
    if lpa_name and lpa_name != SECRETARY_OF_STATE and not lpas.has(lpa_name):
        # every current LPA has an outline (a test holds the list to it): one without is no LPA now
        raise Invalid.one(
            field, f"{lpa_name} is not a current LPA, so the register cannot check that the development lies in it"
        )
    if lpa_name and lpas.has(lpa_name) and lpa != lpa_name and not lpas.within(lpa_name, point, LPA_TOLERANCE_M):
        raise Invalid.one(
            field,
            f"The development's grid reference {shown} is in {lpa or 'no LPA'}, not in {lpa_name}: "
            "check the grid reference and the LPA",
        )
    return DevelopmentPlace(
        e,
        n,
        shown,
        lpa,
        found["nca"][0][0] if found["nca"] else "",
        found["lnrs"][0][0] if found["lnrs"] else "",
    )


def as_typed(text: str) -> str:
    """A grid reference as the person gave it, tidied: "tl46005900" is "TL 4600 5900".

    "546000,259000" is "546000, 259000": the precision they gave is kept, not the centre of the square it
    names.
    """
    t = " ".join(text.strip().upper().split())
    m = re.fullmatch(r"([A-Z]{2})\s*(\d+)\s*(\d*)", t)
    if m:
        digits = m.group(2) + m.group(3)
        half = len(digits) // 2
        return f"{m.group(1)} {digits[:half]} {digits[half:]}"
    e, n = parse_grid_reference(text)
    return f"{e:.0f}, {n:.0f}"


def spatial_risk(
    places: Places, development: DevelopmentPlace, lpa_name: str, site_areas: Iterable[GainSiteArea]
) -> SpatialRisk:
    """The category of a gain site for a development: the LPA it applied to and the one it lies in both count."""
    site: dict[str, list[str]] = {"lpa": [], "nca": []}
    for area in site_areas:
        if area.kind in site:
            site[area.kind].append(area.name)
    lpas = {x for x in (development.lpa, lpa_name) if x and places.areas["lpa"].has(x)}
    return places.spatial_risk({"lpa": sorted(lpas), "nca": [development.nca] if development.nca else []}, site)


_BY_WORDING = {" ".join(text.lower().split()): risk for risk, text in SPATIAL_RISK_WORDING.items()}


def stated_category(text: str | None) -> str:
    """A metric's spatial risk text as the register's category: within, neighbouring, outside, other or ''."""
    if not text or not text.strip():
        return ""
    found = _BY_WORDING.get(" ".join(text.lower().split()))
    return found.value if found is not None else OTHER
