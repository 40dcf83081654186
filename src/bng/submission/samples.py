"""Application sets built from real sites, for tests, the benchmark and demonstrations.

From a real baseline/post-intervention map pair (``shared/spec/geopackages/bng-500``) it makes
what an applicant submits: the maps (re-exported in the standard's shape), the statutory metric
workbook written by ``bng metric export``'s writer from those maps, the two habitat plans drawn
by ``bng gis plan`` as PDFs, the Biodiversity Statement, the draft gain plan and the HMMP skeleton
as PDFs, and ``application.json``. The real post-intervention maps map only what is retained,
enhanced or created; a *complete* set adds the rest of the red line as created developed land
(sealed surface: distinctiveness score 0, so no units change) so that area lost equals area
created, as the metric requires.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from bng.metric import AreaCreation, Project

DEVELOPED = "Urban - Developed land; sealed surface"
NO_STRATEGY = "Area/compensation not in local strategy/ no local strategy"
GAP_REF = "DEV-GAP"


@dataclass(frozen=True)
class SetPaths:
    """The files of one sample submission built for tests and demonstrations."""

    folder: Path
    application: Path
    metric: Path | None
    baseline_map: Path
    post_map: Path
    pdfs: tuple[Path, ...]


def _fill_gaps(mapped: Any) -> Any:
    """The post-intervention map's unmapped part of the red line, as created developed land."""
    import shapely

    from bng.gis import RowGeometry

    if mapped.red_line is None:
        return mapped
    covered = []
    for (module, location, stage, _ref), g in mapped.geometry.items():
        if module != "area" or location != "on_site":
            continue
        if stage == "creation" and g.whole is not None:
            covered.append(g.whole)
        elif stage == "baseline":
            covered += [x for x in (g.retained, g.enhanced) if x is not None]
    polys = [c for c in covered if c.geom_type in ("Polygon", "MultiPolygon")]
    gap = shapely.difference(mapped.red_line, shapely.union_all(polys)) if polys else mapped.red_line
    gap = shapely.make_valid(gap)
    parts = [p for p in shapely.get_parts(gap) if p.geom_type == "Polygon" and p.area > 1.0]
    if not parts:
        return mapped
    gap = shapely.union_all(parts)
    site = mapped.site
    created = AreaCreation(GAP_REF, DEVELOPED, gap.area / 10_000.0, "N/A - Other", NO_STRATEGY)
    area = replace(site.on_site.area, creation=(*site.on_site.area.creation, created))
    site = replace(site, on_site=replace(site.on_site, area=area))
    geometry = dict(mapped.geometry)
    geometry[("area", "on_site", "creation", GAP_REF)] = RowGeometry(gap)
    return replace(mapped, site=site, geometry=geometry)


def build_set(
    baseline: Path,
    post: Path,
    out: Path,
    *,
    reference: str,
    lpa: str,
    development: str,
    application_date: date = date(2025, 3, 3),
    complete: bool = True,
    with_metric: bool = True,
    metric_site: Any = None,
    extra: dict[str, Any] | None = None,
    documents: bool = True,
    plans: bool = True,
) -> SetPaths:
    """Write an application set into ``out``; ``metric_site`` replaces the metric (a defect's way in)."""
    from bng.gis import draw_plan, export_site, load_maps
    from bng.planning import parse_application
    from bng.planning import planning_tables as tables
    from bng.workbook import export_site as write_workbook

    from .documents import build_case, metric_ref, svg_plan, write_documents

    out.mkdir(parents=True, exist_ok=True)
    project = Project(name=development, planning_reference=reference, lpa=lpa)
    loaded = load_maps([baseline, post], project)
    mapped = _fill_gaps(loaded.mapped) if complete else loaded.mapped
    base_out, post_out = out / "baseline.gpkg", out / "post-intervention.gpkg"
    export_site(mapped, base_out, post_out, "gpkg")
    site = metric_site or load_maps([base_out, post_out], project).mapped.site
    details = (
        ("applicant", "Oakwood Homes Ltd"),
        ("completed_by", "A. Ecologist CEcol"),
        ("completed_on", application_date.isoformat()),
    )
    site = replace(site, project=replace(site.project, **_project(project, details, metric_site)))
    metric_path = out / "metric.xlsm" if with_metric else None
    if metric_path is not None:
        write_workbook(site, metric_path)
    pdfs: list[Path] = []
    if plans:
        pdfs = [out / "baseline-plan.pdf", out / "post-intervention-plan.pdf"]
        draw_plan(base_out, pdfs[0], planning_reference=reference, when=application_date)
        draw_plan(post_out, pdfs[1], baseline=base_out, planning_reference=reference, when=application_date)
    on = site.on_site
    enhanced = bool(on.area.enhancement or on.hedgerow.enhancement or on.watercourse.enhancement)
    facts: dict[str, Any] = {
        "reference": reference,
        "lpa": lpa,
        "development": development,
        "site_address": f"{development}, {lpa.removesuffix(' LPA')}",
        "applicant": "Oakwood Homes Ltd",
        "agent": "A. Ecologist CEcol",
        "application_type": "full",
        "application_date": application_date.isoformat(),
        "residential": True,
        "dwellings": 40,
        "floorspace_m2": 3200,
        "site_area_ha": round((mapped.red_line.area if mapped.red_line is not None else 0.0) / 10_000.0, 4),
        "condition_applies": True,
        "pre_development_date": application_date.isoformat(),
        "degradation_after_2020": False,
        "irreplaceable_habitat": False,
        "metric_publication_date": tables().parameters["statutory_metric_publication_dates"].value.split("|")[-1],
        "hierarchy": {
            "avoid-mitigate": {
                "followed": "yes",
                "evidence": "Layout keeps the woodland and hedgerows; buffers of 10 m.",
            },
            "enhance-onsite": {"followed": "yes", "evidence": "Retained habitats enhanced as the metric shows."}
            if enhanced
            else {"followed": "not applicable", "evidence": "No habitat kept on site can be enhanced further."},
            "create-onsite": {"followed": "yes", "evidence": "New habitats across the open space."},
            "offsite": {"followed": "not applicable", "evidence": "The on-site gain meets the objective."},
            "credits": {"followed": "not applicable", "evidence": "Not needed."},
        },
    }
    facts.update(extra or {})
    docs = [
        {"file": "baseline.gpkg", "type": "baseline-map"},
        {"file": "post-intervention.gpkg", "type": "post-intervention-map"},
    ]
    if plans:
        docs += [
            {"file": "baseline-plan.pdf", "type": "baseline-plan"},
            {"file": "post-intervention-plan.pdf", "type": "post-intervention-plan"},
        ]
    if metric_path is not None:
        docs.insert(0, {"file": "metric.xlsm", "type": "metric"})
    if documents:
        app, _ = parse_application(facts)
        profile = tables().lpa(lpa.removesuffix(" LPA")) or tables().lpa_profiles["national"]
        drawn = {
            "baseline": svg_plan(base_out, None, reference, application_date),
            "post-intervention": svg_plan(post_out, base_out, reference, application_date),
        }
        case = build_case(app, site, metric_ref(metric_path, site), profile, plans=drawn, prepared_on=application_date)
        tmp = out / ".documents"
        write_documents(case, tmp, ("statement", "draft-gain-plan", "hmmp"))
        for kind, doc_type, name in (
            ("statement", "biodiversity-statement", "biodiversity-statement.pdf"),
            ("draft-gain-plan", "draft-gain-plan", "draft-gain-plan.pdf"),
            ("hmmp", "hmmp", "hmmp.pdf"),
        ):
            (tmp / f"{kind}.pdf").replace(out / name)
            pdfs.append(out / name)
            docs.append({"file": name, "type": doc_type})
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()
    facts["documents"] = docs
    app_path = out / "application.json"
    app_path.write_text(json.dumps(facts, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return SetPaths(out, app_path, metric_path, base_out, post_out, tuple(pdfs))


def _project(project: Project, details: tuple[tuple[str, str], ...], metric_site: Any) -> dict[str, Any]:
    if metric_site is not None:
        return {"details": tuple(dict(metric_site.project.details).items()) + details}
    return {
        "name": project.name,
        "planning_reference": project.planning_reference,
        "lpa": project.lpa,
        "details": details,
    }


REAL_SITES: dict[str, tuple[str, str, str]] = {
    # map pair stem -> (planning reference, LPA, development)
    "CAMBRIDGE_24_03964_FUL": ("24/03964/FUL", "Cambridge LPA", "Mill Road Depot, 40 homes"),
    "BROADLAND_2024_3282": ("2024/3282", "Broadland LPA", "Oakwood Regional Development"),
    "BarkingandDagenham2400625FULL": ("24/00625/FULL", "Barking and Dagenham LPA", "Riverside Yard"),
    "Sunderland_24_00723_FU4": ("24/00723/FU4", "Sunderland LPA", "Hylton Park"),
    "Wiltshire_PL_2024_08441": ("PL/2024/08441", "Wiltshire LPA", "Hilperton Gap"),
}


def real_set(geopackages: Path, stem: str, out: Path, **kwargs: Any) -> SetPaths:
    """A sample submission made from one of the real sites' GeoPackages, with its real reference, LPA and name."""
    reference, lpa, development = REAL_SITES[stem]
    return build_set(
        geopackages / f"{stem}-baseline.gpkg",
        geopackages / f"{stem}-post-intervention.gpkg",
        out,
        reference=reference,
        lpa=lpa,
        development=development,
        **kwargs,
    )


MISSING_ALLOCATION = "ALL-ZZZZ-ZZZZ"


def all_sets(geopackages: Path, root: Path) -> dict[str, SetPaths]:
    """The six application sets of the five real sites: one complete, one with each defect.

    * ``complete``: Cambridge, with the two plans and the statement, draft gain plan and HMMP as PDFs;
    * ``no-metric``: Broadland, everything but the workbook;
    * ``other-site``: Barking and Dagenham's maps with Sunderland's metric;
    * ``maps-differ``: Wiltshire, its metric edited after the maps (one parcel's habitat, another's area);
    * ``allocations``: Sunderland, with an allocation reference the register does not hold.
    (A proof of purchase for another development needs a register that issued one: the tests add it.)
    """
    from bng.gis import load_maps
    from bng.workbook import export_site as write_workbook

    def pair(stem: str) -> list[Path]:
        return [geopackages / f"{stem}-baseline.gpkg", geopackages / f"{stem}-post-intervention.gpkg"]

    sets: dict[str, SetPaths] = {}
    sets["complete"] = real_set(geopackages, "CAMBRIDGE_24_03964_FUL", root / "complete")
    sets["no-metric"] = real_set(
        geopackages, "BROADLAND_2024_3282", root / "no-metric", with_metric=False, documents=False, plans=False
    )
    ref, lpa, name = REAL_SITES["Sunderland_24_00723_FU4"]
    other = load_maps(pair("Sunderland_24_00723_FU4"), Project(name=name, planning_reference=ref, lpa=lpa)).mapped.site
    sets["other-site"] = real_set(
        geopackages,
        "BarkingandDagenham2400625FULL",
        root / "other-site",
        metric_site=other,
        documents=False,
        plans=False,
    )
    differ = real_set(geopackages, "Wiltshire_PL_2024_08441", root / "maps-differ", documents=False, plans=False)
    ref, lpa, name = REAL_SITES["Wiltshire_PL_2024_08441"]
    wilts = load_maps([differ.baseline_map, differ.post_map], Project(name=name, planning_reference=ref, lpa=lpa))
    site = wilts.mapped.site
    base = site.on_site.area.baseline
    edited = (
        replace(base[0], habitat="Grassland - Other neutral grassland", condition="Moderate"),
        replace(base[1], area_ha=(base[1].area_ha or 0) + 0.5),
        *base[2:],
    )
    site = replace(site, on_site=replace(site.on_site, area=replace(site.on_site.area, baseline=edited)))
    assert differ.metric is not None
    details = dict(site.project.details) | {"completed_by": "A. Ecologist CEcol", "completed_on": "2025-03-03"}
    write_workbook(replace(site, project=replace(site.project, details=tuple(details.items()))), differ.metric)
    sets["maps-differ"] = differ
    sets["allocations"] = real_set(
        geopackages,
        "Sunderland_24_00723_FU4",
        root / "allocations",
        documents=False,
        plans=False,
        extra={"allocations": [MISSING_ALLOCATION]},
    )
    return sets
