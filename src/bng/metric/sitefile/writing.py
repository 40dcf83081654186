"""Writing a site file and a result: the reverse of reading, in the site file's own format.

``parse_site(site_to_dict(site))`` calculates exactly as ``site`` does: off-site rows are grouped
into one gain-site entry per gain site, module, spatial-risk category and stage (the site file gives
the category per gain site, the workbook and the maps per row), and enhancement rows go into the
entry of the baseline row they enhance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from ..model import Location, Site
from ..result import BandVerdict, GainSiteResult, InputIssue, ModuleResult, Result, RowResult

_NOT_IN_ROWS = ("gain_site", "spatial_risk", "trees")  # given per gain site, or as "trees" below


def _row_dict(row: Any) -> dict[str, Any]:
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


def _module_rows(rows: Any) -> dict[str, list[dict[str, Any]]]:
    return {stage: [_row_dict(r) for r in getattr(rows, stage)] for stage in ("baseline", "creation", "enhancement")}


def _location_dict(loc: Location) -> dict[str, Any]:
    return {
        "area": _module_rows(loc.area),
        "hedgerow": _module_rows(loc.hedgerow),
        "watercourse": _module_rows(loc.watercourse),
    }


def _off_site_list(site: Site) -> list[dict[str, Any]]:
    """One entry per gain site, module, spatial-risk category and stage, in order of first appearance.

    So a module's first baseline row and first creation row (whose category the gain-site
    summary shows) stay first; enhancement rows go with their baseline row.
    """
    entries: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def entry(gain_site: str | None, spatial_risk: str | None, module: str, kind: str = "baseline") -> dict[str, Any]:
        key = (gain_site or "", module, spatial_risk or "", kind)
        if key not in entries:
            e: dict[str, Any] = {"gain_site": gain_site or ""}
            e["spatial_risk_watercourse" if module == "watercourse" else "spatial_risk"] = spatial_risk
            e[module] = {"baseline": [], "creation": [], "enhancement": []}
            entries[key] = e
        return entries[key]

    off = site.off_site
    for module in ("area", "hedgerow", "watercourse"):
        rows = getattr(off, module)
        home: dict[tuple[str, str], dict[str, Any]] = {}
        for r in rows.baseline:
            e = entry(r.gain_site, r.spatial_risk, module)
            e[module]["baseline"].append(_row_dict(r))
            home[(r.gain_site or "", r.ref)] = e
        for r in rows.creation:
            entry(r.gain_site, r.spatial_risk, module, "creation")[module]["creation"].append(_row_dict(r))
        for r in rows.enhancement:
            e = home.get((r.gain_site or "", r.baseline_ref)) or entry(r.gain_site, None, module)
            e[module]["enhancement"].append(_row_dict(r))
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
        "on_site": _location_dict(site.on_site),
        "off_site": _off_site_list(site),
    }


def _module_dict(module: ModuleResult) -> dict[str, Any]:
    on, off = module.on_site, module.off_site
    return {
        "on_site": {
            "baseline_units": on.baseline_units,
            "retained_units": on.retained_units,
            "enhanced_baseline_units": on.enhanced_baseline_units,
            "creation_units": on.creation_units,
            "enhancement_units": on.enhancement_units,
            "post_intervention_units": on.post_intervention_units,
            "net_change_units": on.net_change_units,
            "net_change_percent": on.net_change_percent,
            **({"vhdh_bespoke_units": on.vhdh_bespoke_units} if module.module != "hedgerow" else {}),
        },
        "off_site": {
            "baseline_units": off.baseline_units,
            "post_intervention_units": off.post_intervention_units,
            "net_change_units": off.net_change_units,
            "srm_deduction_units": off.srm_deduction_units,
            "baseline_units_srm": off.baseline_units_srm,
            "post_intervention_units_srm": off.post_intervention_units_srm,
            "net_change_percent": off.net_change_percent,
            "change_with_srm_units": off.change_with_srm_units,
        },
        "combined_net_change_units": module.combined_net_change_units,
        "total_net_change_units": module.total_net_change_units,
        "total_net_change_percent": module.total_net_change_percent,
        "target_percent": module.target_percent,
        "units_required": module.units_required,
        "target_met": module.target_met,
        "unit_deficit": module.unit_deficit,
        "trading_rules_satisfied": module.trading_rules_satisfied,
        "messages": list(module.messages),
    }


def result_to_dict(result: Result, read: Sequence[InputIssue] = ()) -> dict[str, Any]:
    """The result in the site file's result format (site-file.md), with the release named.

    Its issues are those met reading the site (``read``, as ``parse_site`` gives them) and then the calculation's.
    """
    return {
        "metric_release": result.metric_release,
        "metric_release_title": result.release_title,
        "modules": {name: _module_dict(m) for name, m in result.modules.items()},
        "rows": [_row_result_dict(r) for r in result.rows],
        "gain_sites": [_gain_site_dict(g) for g in result.gain_sites],
        "trading": _trading_dict(result),
        "trading_summary": {module: [_band_dict(b) for b in t.bands] for module, t in result.trading.items()},
        "credits": dict(result.credits.by_tier),
        "credits_messages": list(result.credits.messages),
        "issues": [
            {
                "path": i.path,
                "ref": i.ref,
                "field": i.field,
                "code": i.code,
                "severity": i.severity,
                "message": i.message,
            }
            for i in (*read, *result.issues)
        ],
    }


def _row_result_dict(r: RowResult) -> dict[str, Any]:
    """One row's result: what it is, its units (retained and enhanced for a baseline row, SRM off-site)."""
    row: dict[str, Any] = {"module": r.module, "location": r.location, "stage": r.stage}
    if r.gain_site is not None:
        row["gain_site"] = r.gain_site
    row["ref"] = r.ref
    if r.baseline_ref is not None:
        row["baseline_ref"] = r.baseline_ref
    row["units"] = r.units
    if r.stage == "baseline":
        row["retained_units"] = r.retained_units
        row["enhanced_units"] = r.enhanced_units
    if r.location == "off_site":
        row["units_srm"] = r.units_srm
    row["codes"] = list(r.codes)
    row["messages"] = list(r.messages)
    return row


def _gain_site_dict(g: GainSiteResult) -> dict[str, Any]:
    """A row of the "Off-site gain site summary"."""
    return {
        "gain_site": g.gain_site,
        "module": g.module,
        "baseline_units": g.baseline_units,
        "baseline_units_srm": g.baseline_units_srm,
        "retained_units": g.retained_units,
        "retained_units_srm": g.retained_units_srm,
        "enhanced_units": g.enhanced_units,
        "enhanced_units_srm": g.enhanced_units_srm,
        "created_units": g.created_units,
        "created_units_srm": g.created_units_srm,
        "change_units": g.change_units,
        "spatial_risk_multiplier": g.spatial_risk_multiplier,
        "change_post_srm_units": g.change_post_srm_units,
        "codes": list(g.codes),
        "messages": list(g.messages),
    }


def _trading_dict(result: Result) -> dict[str, Any]:
    """Each module's bands, satisfied or not, and whether all are."""
    trading: dict[str, Any] = {}
    for module, t in result.trading.items():
        trading[module] = {b.band: b.satisfied for b in t.bands}
    trading["all_satisfied"] = result.trading_all_satisfied
    return trading


def _band_dict(b: BandVerdict) -> dict[str, Any]:
    """One band of a trading summary, with the habitats that fail it."""
    return {
        "band": b.band,
        "rule": b.rule,
        "satisfied": b.satisfied,
        "verdict": b.verdict,
        "shortfall_units": b.shortfall_units,
        "failing": [{"habitat": f.habitat, "change_units": f.change_units} for f in b.failing],
    }
