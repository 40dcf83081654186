"""Write a :class:`~bng.metric.model.Site` as the JSON site file (``shared/spec/site-file.md``).

The metric package reads site files but does not write them; this is the writer ``bng gis
to-site`` needs. (It belongs beside the reader in ``bng.metric.sitefile``; it lives here until
the engine's owners take it.) ``parse_site(site_to_dict(site))`` calculates exactly as
``site`` does: off-site rows are grouped into one gain-site entry per spatial-risk category,
because the site file gives the category per gain site while the map gives it per row.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from bng.metric.model import Location, Site

_NOT_IN_ROWS = ("gain_site", "spatial_risk", "trees")  # given per gain site, or as "trees" below


def _row(row: Any) -> dict[str, Any]:
    """The row's fields carry the site file's names; trees are given by size in place of area_ha."""
    out: dict[str, Any] = {}
    for f in fields(row):
        if f.name in _NOT_IN_ROWS:
            continue
        value = getattr(row, f.name)
        if f.name in ("advance_years", "delay_years") and value is None:
            value = 0.0
        out[f.name] = value
    trees = getattr(row, "trees", None)
    if trees:
        del out["area_ha"]
        out["trees"] = {size: count for size, count in trees}
    return out


def _module(rows: Any) -> dict[str, list[dict[str, Any]]]:
    return {stage: [_row(r) for r in getattr(rows, stage)] for stage in ("baseline", "creation", "enhancement")}


def _location(loc: Location) -> dict[str, Any]:
    return {"area": _module(loc.area), "hedgerow": _module(loc.hedgerow), "watercourse": _module(loc.watercourse)}


def _off_site(site: Site) -> list[dict[str, Any]]:
    """One entry per gain site, module, spatial-risk category and stage, in order of first appearance.

    So a module's first baseline row and first creation row (whose category the gain-site
    summary shows) stay first; enhancement rows go with their baseline row.
    """
    entries: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def entry(gs: str | None, srm: str | None, module: str, kind: str = "baseline") -> dict[str, Any]:
        key = (gs or "", module, srm or "", kind)
        if key not in entries:
            e: dict[str, Any] = {"gain_site": gs or ""}
            e["spatial_risk_watercourse" if module == "watercourse" else "spatial_risk"] = srm
            e[module] = {"baseline": [], "creation": [], "enhancement": []}
            entries[key] = e
        return entries[key]

    off = site.off_site
    for module in ("area", "hedgerow", "watercourse"):
        rows = getattr(off, module)
        home: dict[tuple[str, str], dict[str, Any]] = {}
        for r in rows.baseline:
            e = entry(r.gain_site, r.spatial_risk, module)
            e[module]["baseline"].append(_row(r))
            home[(r.gain_site or "", r.ref)] = e
        for r in rows.creation:
            entry(r.gain_site, r.spatial_risk, module, "creation")[module]["creation"].append(_row(r))
        for r in rows.enhancement:
            e = home.get((r.gain_site or "", r.baseline_ref)) or entry(r.gain_site, None, module)
            e[module]["enhancement"].append(_row(r))
    return list(entries.values())


def site_to_dict(site: Site) -> dict[str, Any]:
    """The site file of a Site (``bng metric calculate`` reads it back)."""
    project: dict[str, Any] = {
        "name": site.project.name,
        "planning_reference": site.project.planning_reference,
        "lpa": site.project.lpa,
        "target_percent": site.project.target_percent,
    }
    project.update(dict(site.project.details))
    return {
        "metric_release": site.metric_release,
        "project": project,
        "on_site": _location(site.on_site),
        "off_site": _off_site(site),
    }
