"""Reading a site file: the project, the on-site rows and each off-site gain site, into a :class:`Site`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ReferenceDataError
from ..model import AreaRows, GainSite, HedgerowRows, Location, Project, Site, WatercourseRows
from ..reference import DEFAULT_RELEASE, load, release_id
from ..result import InputIssue
from .area import area_rows
from .fields import RowReader
from .hedgerow import hedgerow_rows
from .watercourse import watercourse_rows

DEFAULT_SPATIAL_RISK = "Compensation inside LPA boundary or NCA of impact site"


def parse_site(data: Any, release: str | None = None) -> tuple[Site, list[InputIssue]]:
    """Build a Site from a decoded site file; never raises on bad content."""
    name = release
    if name is None and isinstance(data, Mapping):
        name = data.get("metric_release")
    issues: list[InputIssue] = []
    try:
        rid = release_id(str(name) if name else None)
    except ReferenceDataError as err:
        issues.append(InputIssue("metric_release", None, "metric_release", str(err), "UNKNOWN_RELEASE"))
        rid = DEFAULT_RELEASE
    reader = RowReader(load(rid))
    site = _site(reader, data)
    return site, issues + reader.issues


def _site(reader: RowReader, data: Any) -> Site:
    """The project, the on-site rows, and the off-site rows of every gain site, one list per sheet."""
    if not isinstance(data, Mapping):
        reader.issue("", None, None, "a site file is a JSON object", "NOT_AN_OBJECT")
        return Site()
    project = _project(reader, data.get("project"))
    on_site = _location(reader, data.get("on_site"), "on_site")
    gain_sites: list[GainSite] = []
    parts: list[Location] = []
    off = data.get("off_site") or []
    if not isinstance(off, list):
        reader.issue("off_site", None, None, "expected a list of gain sites", "NOT_A_LIST")
        off = []
    for i, entry in enumerate(off):
        found = _gain_site(reader, entry, f"off_site[{i}]")
        if found is not None:
            gain_sites.append(found[0])
            parts.append(found[1])
    return Site(project, on_site, _off_site(parts), tuple(gain_sites), reader.rel.id)


def _project(reader: RowReader, data: Any) -> Project:
    """The project: name, planning reference, LPA, the target (10 % unless given) and any other details."""
    if data is None:
        return Project()
    if not isinstance(data, Mapping):
        reader.issue("project", None, None, "expected an object", "NOT_AN_OBJECT")
        return Project()
    target = data.get("target_percent", 10)
    if target is None:
        target = 10
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not 0 <= target <= 1000:
        reader.issue(
            "project", None, "target_percent", f"expected a percentage such as 10, got {target!r}", "BAD_TARGET"
        )
        target = 10
    known = {"name", "planning_reference", "lpa", "target_percent"}
    details = tuple((str(k), str(v)) for k, v in data.items() if k not in known and v is not None)
    return Project(
        name=str(data.get("name") or ""),
        planning_reference=str(data.get("planning_reference") or ""),
        lpa=str(data.get("lpa") or ""),
        target_percent=float(target),
        details=details,
    )


def _gain_site(reader: RowReader, entry: Any, path: str) -> tuple[GainSite, Location] | None:
    """One off-site entry: the gain site's reference, its spatial risk categories and its rows."""
    if not isinstance(entry, Mapping):
        reader.issue(path, None, None, "expected an object describing a gain site", "NOT_AN_OBJECT")
        return None
    ref = entry.get("gain_site")
    if not ref:
        reader.issue(
            path,
            None,
            "gain_site",
            "missing; expected the gain site's register reference (e.g. BGS-010124001)",
            "MISSING_GAIN_SITE",
        )
        ref = ""
    srm = reader.spatial_risk(entry.get("spatial_risk"), path, None, False) or DEFAULT_SPATIAL_RISK
    srm_watercourse = reader.spatial_risk(entry.get("spatial_risk_watercourse"), path, None, True)
    water = entry.get("watercourse") or {}
    if srm_watercourse is None and isinstance(water, Mapping) and (water.get("baseline") or water.get("creation")):
        reader.issue(
            path,
            None,
            "spatial_risk_watercourse",
            "a gain site with watercourse rows needs its catchment category, e.g. 'Within waterbody catchment'",
            "MISSING_SPATIAL_RISK",
        )
    location = _location(reader, entry, path, str(ref), srm, srm_watercourse)
    return GainSite(str(ref), srm, srm_watercourse), location


def _location(
    reader: RowReader,
    data: Any,
    path: str,
    gain_site: str | None = None,
    srm: str | None = None,
    srm_watercourse: str | None = None,
) -> Location:
    """The area, hedgerow and watercourse rows of the site, or of one gain site."""
    if data is None:
        return Location()
    if not isinstance(data, Mapping):
        reader.issue(path, None, None, "expected an object with area, hedgerow and watercourse", "NOT_AN_OBJECT")
        return Location()
    area = area_rows(reader, _section(reader, data, "area", path), path + ".area", gain_site, srm)
    hedgerow = hedgerow_rows(reader, _section(reader, data, "hedgerow", path), path + ".hedgerow", gain_site, srm)
    watercourse = watercourse_rows(
        reader, _section(reader, data, "watercourse", path), path + ".watercourse", gain_site, srm_watercourse
    )
    return Location(area, hedgerow, watercourse)


def _section(reader: RowReader, data: Mapping[str, Any], module: str, path: str) -> Mapping[str, Any]:
    """A module's part of a location: an object holding its baseline, creation and enhancement rows."""
    value = data.get(module) or {}
    if isinstance(value, Mapping):
        return value
    reader.issue(
        f"{path}.{module}",
        None,
        None,
        f"expected an object with baseline, creation and enhancement rows, got {type(value).__name__}",
        "NOT_AN_OBJECT",
    )
    return {}


def _off_site(parts: list[Location]) -> Location:
    """The rows of every gain site in one list per sheet, in file order, as the workbook holds them."""
    stages = ("baseline", "creation", "enhancement")
    return Location(
        AreaRows(*(tuple(r for p in parts for r in getattr(p.area, s)) for s in stages)),
        HedgerowRows(*(tuple(r for p in parts for r in getattr(p.hedgerow, s)) for s in stages)),
        WatercourseRows(*(tuple(r for p in parts for r in getattr(p.watercourse, s)) for s in stages)),
    )
