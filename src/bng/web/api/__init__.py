"""The JSON API under ``/api/v1``: the public register, read-only, with an OpenAPI document.

Responses carry an ETag (a digest of the body) and, for the register, Last-Modified (the last
change to any gain site or allocation); conditional requests get 304 Not Modified.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from pydantic import BaseModel
from shapely.geometry import mapping

from bng.register.habitats import SIZE_UNITS
from bng.register.ledger import MICRO
from bng.register.model import GainSite
from bng.register.places import bng_to_wgs84
from bng.register.ports import SiteQuery
from bng.register.public import SiteView

from ..security import services
from . import models
from .openapi import document

api = Blueprint("api", __name__, url_prefix="/api")
MAX_PER_PAGE = 100


def _json(model: BaseModel | dict[str, Any], last_modified: Any = None) -> ResponseReturnValue:
    body = model.model_dump_json() if isinstance(model, BaseModel) else json.dumps(model, separators=(",", ":"))
    response = Response(body, mimetype="application/json")
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    if last_modified is not None:
        response.last_modified = last_modified.replace(tzinfo=UTC)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


def _summary(site: GainSite, body: str | None) -> dict[str, Any]:
    return {
        "reference": site.reference,
        "name": site.name,
        "status": site.status,
        "registered_on": site.registered_on,
        "removed_on": site.removed_on,
        "area_ha": site.area_ha,
        "grid_reference": site.grid_reference,
        "easting": site.easting,
        "northing": site.northing,
        "lpa": site.lpa_name,
        "national_character_area": site.nca_name,
        "lnrs_area": site.lnrs_name,
        "agreement_type": site.agreement_type,
        "responsible_body": body,
        "url": url_for("api.site", reference=site.reference, _external=True),
    }


@api.get("/v1/openapi.json")
def openapi() -> ResponseReturnValue:
    return _json(document(request.host_url.rstrip("/")))


@api.get("")
def docs() -> ResponseReturnValue:
    return render_template("api.html")


@api.get("/v1/sites")
def sites() -> ResponseReturnValue:
    page = max(1, request.args.get("page", 1, type=int) or 1)
    per_page = min(MAX_PER_PAGE, max(1, request.args.get("per_page", 20, type=int) or 20))
    bbox = None
    if request.args.get("bbox"):
        try:
            x0, y0, x1, y1 = (float(v) for v in request.args["bbox"].split(","))
        except ValueError:
            return _problem(400, "bbox must be four numbers: min easting, min northing, max easting, max northing")
        bbox = (x0, y0, x1, y1)
    body = request.args.get("responsible_body", "")
    query = SiteQuery(
        reference=request.args.get("reference", ""),
        lpa=request.args.get("lpa", ""),
        nca=request.args.get("nca", ""),
        lnrs=request.args.get("lnrs", ""),
        habitat=request.args.get("habitat", ""),
        responsible_body_id=int(body) if body.isdigit() else None,
        bbox=bbox,
        page=page,
        per_page=per_page,
    )
    found = services().register.search(query)
    bodies = {b.id: b.name for b in services().register.responsible_bodies(include_withdrawn=True)}
    args = {k: v for k, v in request.args.items() if k != "page"}

    def link(p: int) -> str:
        return url_for("api.sites", page=p, **args, _external=True)

    result = models.SitePage(
        items=[models.SiteSummary(**_summary(s, bodies.get(s.responsible_body_id))) for s in found.items],
        page=found.page,
        per_page=found.per_page,
        total=found.total,
        pages=found.pages,
        links=models.Links(
            self=link(found.page),
            next=link(found.page + 1) if found.page < found.pages else None,
            prev=link(found.page - 1) if found.page > 1 else None,
        ),
    )
    return _json(result, services().register.last_change())


def detail(view: SiteView) -> models.SiteDetail:
    site = view.site
    parcels = [
        models.Parcel(
            module=p.module,  # type: ignore[arg-type]
            stage=p.stage,  # type: ignore[arg-type]
            ref=p.ref,
            habitat=p.habitat,
            distinctiveness=p.distinctiveness,
            condition=p.condition,
            strategic_significance=p.strategic_significance,
            baseline_ref=p.baseline_ref,
            size=p.size_micro / MICRO,
            size_unit=SIZE_UNITS[p.module],  # type: ignore[arg-type]
            units=p.units_micro / MICRO,
            allocated_size=p.allocated_size_micro / MICRO,
            allocated_units=p.allocated_units_micro / MICRO,
            remaining_size=(p.size_micro - p.allocated_size_micro) / MICRO if p.stage != "baseline" else 0.0,
            remaining_units=(p.units_micro - p.allocated_units_micro) / MICRO if p.stage != "baseline" else 0.0,
        )
        for p in view.parcels
    ]
    body = view.responsible_body.name if view.responsible_body else None
    return models.SiteDetail(
        **_summary(site, body),
        agreement_date=site.agreement_date,
        works_completion_date=site.works_completion_date,
        secured_until=site.secured_until,
        agreement_lpas=[lpa.name for lpa in view.agreement_lpas],
        hmmp_in_agreement=site.hmmp_in_agreement,
        metric_release=site.metric_release,
        totals=[
            models.ModuleTotals(
                module=t.module,  # type: ignore[arg-type]
                baseline_units=t.baseline_units,
                post_intervention_units=t.post_intervention_units,
                allocated_units=t.allocated_units,
                remaining_units=t.remaining_units,
            )
            for t in view.totals()
        ],
        parcels=parcels,
        areas=[models.NamedArea(kind=a.kind, name=a.name, share=a.share) for a in view.areas],  # type: ignore[arg-type]
        allocations=[
            models.Allocation(
                reference=a.reference,
                planning_reference=a.planning_reference,
                development_name=a.development_name,
                lpa=lpa.name if lpa else None,
                recorded_on=a.created_at.date(),
            )
            for a, lpa in view.allocations
        ],
        history=[models.HistoryEntry(kind=e.kind, date=e.on, description=e.description) for e in view.events],  # type: ignore[arg-type]
        documents=[
            models.Document(kind=f.kind, name=f.name, url=url_for("files.download", file_id=f.id, _external=True))
            for f in view.documents
        ],
        boundary=mapping(bng_to_wgs84(site.boundary)) if site.boundary is not None else None,
    )


@api.get("/v1/sites/<reference>")
def site(reference: str) -> ResponseReturnValue:
    view = services().register.site(reference)
    return _json(detail(view), view.site.updated_at)


@api.get("/v1/lpas")
def lpas() -> ResponseReturnValue:
    return _json(
        {"items": [models.Lpa(name=x.name, ons_code=x.ons_code).model_dump() for x in services().register.lpas()]}
    )


@api.get("/v1/responsible-bodies")
def responsible_bodies() -> ResponseReturnValue:
    items = [
        models.ResponsibleBody(
            name=b.name, type=b.body_type, designated_on=b.designated_on, withdrawn_on=b.withdrawn_on
        ).model_dump(mode="json")
        for b in services().register.responsible_bodies(include_withdrawn=True)
    ]
    return _json({"items": items})


def _problem(status: int, detail: str) -> ResponseReturnValue:
    body = models.Problem(status=status, title="Bad request" if status == 400 else "Error", detail=detail)
    return Response(body.model_dump_json(), status=status, mimetype="application/problem+json")
