"""The JSON API under ``/api/v1``: the public register, read-only, with an OpenAPI document.

Responses carry an ETag (a digest of the body) and, for the register, Last-Modified (the last
change to any gain site or allocation); conditional requests get 304 Not Modified.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry

from bng.register.applications.habitats import SIZE_UNITS
from bng.register.core.errors import Invalid
from bng.register.core.model import GainSite, HabitatParcel
from bng.register.core.places import bng_points_to_wgs84, bng_to_wgs84
from bng.register.core.ports import AllocationQuery, Page, ParcelQuery
from bng.register.public.sites import SiteView

from ..cache import counted_once, keep, known, once_per_query, version
from ..links import absolute, base_url
from ..paging import page_number
from ..security import services
from ..site_filters import FilterError, site_query
from . import formats, models, params
from .openapi import CRS_PARAM, KINDS, PAGING, document

api = Blueprint("api", __name__, url_prefix="/api")
MAX_PER_PAGE = 100  # JSON
MAX_PER_FILE = 1000  # CSV and GeoJSON: bulk downloads, 1,000 rows a file


def _send(
    body: str, mimetype: str, last_modified: Any = None, links: dict[str, str | None] | None = None
) -> ResponseReturnValue:
    response = Response(body, mimetype=mimetype)
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    if last_modified is not None:
        response.last_modified = last_modified.replace(tzinfo=UTC)
    if links:
        response.headers["Link"] = formats.link_header(links)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


def _json(model: BaseModel | dict[str, Any], last_modified: Any = None) -> ResponseReturnValue:
    body = model.model_dump_json() if isinstance(model, BaseModel) else json.dumps(model, separators=(",", ":"))
    return _send(body, "application/json", last_modified)


def _remaining(site: GainSite, module: str) -> float:
    return float(getattr(site, f"remaining_{module}_units"))


def _summary(site: GainSite, body: str | None, lonlat: tuple[float, float] | None = None) -> dict[str, Any]:
    if lonlat is None:
        lon, lat = bng_points_to_wgs84([site.easting], [site.northing])
        lonlat = (float(lon[0]), float(lat[0]))
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
        "longitude": round(lonlat[0], 7),
        "latitude": round(lonlat[1], 7),
        "lpa": site.lpa_name,
        "national_character_area": site.nca_name,
        "lnrs_area": site.lnrs_name,
        "agreement_type": site.agreement_type,
        "responsible_body": body,
        "remaining_habitat_units": _remaining(site, "area"),
        "remaining_hedgerow_units": _remaining(site, "hedgerow"),
        "remaining_watercourse_units": _remaining(site, "watercourse"),
        "url": absolute("api.site", reference=site.reference),
    }


@api.get("/v1/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI document, from which clients and the fuzz tests are generated."""
    return _json(document(base_url()))


@api.get("")
def docs() -> ResponseReturnValue:
    """The API's page for people: what it offers, the tokens, and the rate limit."""
    from bng.register.accounts.api_tokens import RATE_LIMIT

    return render_template("api.html", rate_limit=RATE_LIMIT)


class BadRequest(Exception):
    """Query parameters the API refuses, answered as one 400 problem naming each."""

    def __init__(self, errors: list[FilterError]) -> None:
        self.errors = errors


@dataclass
class Listing:
    """One page of open data, as flat rows (the CSV's and GeoJSON's properties) and EPSG:27700 shapes."""

    found: Page
    rows: list[dict[str, Any]]
    shapes: list[BaseGeometry | None]


def _paging(fmt: str, default: int) -> tuple[int, int]:
    """The page and the items a page: a page past MAX_PAGE is refused, more items than the most are cut."""
    most = MAX_PER_PAGE if fmt == "json" else MAX_PER_FILE
    try:
        page = page_number(request.args)
    except Invalid as err:
        raise BadRequest([FilterError("page", err.message)]) from None
    text = request.args.get("per_page", "").strip()
    if not text:
        return page, default if fmt == "json" else MAX_PER_FILE
    if not text.isascii() or not text.isdigit() or text.strip("0") == "":
        raise BadRequest([FilterError("per_page", "per_page must be a whole number, 1 or more")])
    return page, most if len(text) > len(str(most)) else min(most, int(text))


def _site_listing(fmt: str) -> Listing:
    page, per_page = _paging(fmt, 20)
    query, errors = site_query(request.args, page, per_page)
    if errors:
        raise BadRequest(errors)
    try:
        found = counted_once(query, services().open_data.sites_at)
    except Invalid as err:  # an ``after`` that is no gain site's reference
        raise BadRequest([FilterError(p.field, p.message) for p in err.problems]) from None
    bodies = known("bodies")
    if bodies is None:
        bodies = services().open_data.responsible_body_names()
        keep("bodies", bodies)
    sites: list[GainSite] = list(found.items)
    lon, lat = bng_points_to_wgs84([s.easting for s in sites], [s.northing for s in sites])
    rows = [
        _summary(s, bodies.get(s.responsible_body_id or 0), (float(x), float(y)))
        for s, x, y in zip(sites, lon, lat, strict=True)
    ]
    shapes = [s.boundary if s.boundary is not None else Point(s.easting, s.northing) for s in sites]
    return Listing(found, rows, shapes)


def _parcel_listing(fmt: str) -> Listing:
    page, per_page = _paging(fmt, 100)
    module, stage = request.args.get("module", ""), request.args.get("stage", "")
    problems = []
    if module and module not in SIZE_UNITS:
        problems.append(FilterError("module", "module must be area, hedgerow or watercourse"))
    if stage and stage not in ("baseline", "creation", "enhancement"):
        problems.append(FilterError("stage", "stage must be baseline, creation or enhancement"))
    if problems:
        raise BadRequest(problems)
    query = ParcelQuery(
        site_reference=request.args.get("site", ""),
        module=module,
        stage=stage,
        habitat=request.args.get("habitat", ""),
        lpa=request.args.get("lpa", ""),
        page=page,
        per_page=per_page,
    )
    found = services().open_data.parcels(query)
    rows = [{"site_reference": ref, **_parcel(p).model_dump()} for p, ref in found.items]
    return Listing(found, rows, [p.geometry for p, _ in found.items])


def _allocation_listing(fmt: str) -> Listing:
    page, per_page = _paging(fmt, 100)
    query = AllocationQuery(
        site_reference=request.args.get("site", ""),
        lpa=request.args.get("lpa", ""),
        planning_reference=request.args.get("planning_reference", ""),
        page=page,
        per_page=per_page,
    )
    found = services().open_data.allocations(query)
    rows: list[dict[str, Any]] = []
    shapes: list[BaseGeometry | None] = []
    for a, site_ref, lpa, taken, (e, n) in found.items:

        def amount(module: str, which: int, taken: dict[str, tuple[Decimal, Decimal]] = taken) -> float:
            return float(taken[module][which]) if module in taken else 0.0

        row = models.OpenAllocation(
            reference=a.reference,
            site_reference=site_ref,
            planning_reference=a.planning_reference,
            development_name=a.development_name,
            lpa=lpa,
            recorded_on=a.created_at.date(),
            habitat_units=amount("area", 1),
            hedgerow_units=amount("hedgerow", 1),
            watercourse_units=amount("watercourse", 1),
            habitat_hectares=amount("area", 0),
            hedgerow_km=amount("hedgerow", 0),
            watercourse_km=amount("watercourse", 0),
        )
        rows.append(row.model_dump(mode="json"))
        shapes.append(Point(e, n))  # where the units are: the gain site
    return Listing(found, rows, shapes)


LISTINGS = {"sites": _site_listing, "parcels": _parcel_listing, "allocations": _allocation_listing}
PAGES: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "sites": (models.SitePage, models.SiteSummary),
    "parcels": (models.ParcelPage, models.OpenParcel),
    "allocations": (models.AllocationPage, models.OpenAllocation),
}
COLUMNS = {
    kind: sorted(item.model_fields, key=lambda name: name != "site_reference") for kind, (_, item) in PAGES.items()
}
"""The CSV's columns: the JSON item's fields (a parcel's gain site first)."""


def _links(kind: str, fmt: str, found: Page) -> dict[str, str | None]:
    endpoint = f"api.{kind}" if fmt == "json" else f"api.{kind}_{fmt}"
    args = {k: v for k, v in request.args.items() if k not in ("page", "after")}

    def link(p: int, after: str = "") -> str:
        return absolute(endpoint, page=p, **({"after": after} if after else {}), **args)

    # the gain sites' next page is read from where this one ends (keyset), not counted past from the first
    after = found.items[-1].reference if kind == "sites" and found.items else ""
    return {
        "self": link(found.page, request.args.get("after", "")),
        "next": link(found.page + 1, after) if found.page < found.pages else None,
        "prev": link(found.page - 1) if found.page > 1 else None,
        "first": link(1),
        "last": link(found.pages),
    }


def _declared(kind: str, fmt: str) -> None:
    """Each query parameter as the OpenAPI document declares it (an empty ``module=`` is not "any module")."""
    found = params.check([*KINDS[kind][2], *PAGING, *([CRS_PARAM] if fmt == "geojson" else [])], request.args)
    if found:
        raise BadRequest(found)


def _serve(kind: str, fmt: str) -> ResponseReturnValue:
    crs = "4326"
    try:
        _declared(kind, fmt)
        if fmt == "geojson":
            crs = formats.parse_crs(request.args.get("crs", "4326")) or ""
            if not crs:
                raise BadRequest(
                    [FilterError("crs", "crs must be 4326 (WGS84, the default) or 27700 (British National Grid)")]
                )
        listing = LISTINGS[kind](fmt)
    except BadRequest as bad:
        return _problem(400, "; ".join(f"{e.field}: {e.message}" for e in bad.errors), bad.errors)
    found = listing.found
    links = _links(kind, fmt, found)
    changed = version()[0]  # the open data's last change: a gain site's or an allocation's
    paging = {"page": found.page, "per_page": found.per_page, "total": found.total, "pages": found.pages}
    if fmt == "json":
        page_model, item_model = PAGES[kind]
        result = page_model(
            items=[item_model(**row) for row in listing.rows], **paging, links=models.Links.model_validate(links)
        )
        return _send(result.model_dump_json(), "application/json", changed, links)
    if fmt == "csv":
        body = formats.csv_text(COLUMNS[kind], listing.rows)
        response = _send(body, "text/csv", changed, links)
    else:
        features = []
        for row, shape in zip(listing.rows, listing.shapes, strict=True):
            feature: dict[str, Any] = {"type": "Feature", "geometry": formats.geometry(shape, crs), "properties": row}
            if kind != "parcels":  # a parcel's ref is unique only within its gain site
                feature["id"] = row["reference"]
            features.append(feature)
        body = formats.feature_collection(features, crs, paging, links)
        response = _send(body, "application/geo+json", changed, links)
    assert isinstance(response, Response)
    suffix = f"-{crs}" if fmt == "geojson" else ""
    response.headers["Content-Disposition"] = f'inline; filename="{kind}-page-{found.page}{suffix}.{fmt}"'
    return response


@api.get("/v1/sites")
@once_per_query
def sites() -> ResponseReturnValue:
    """Search the register's gain sites: a page of JSON, answered once per distinct query."""
    return _serve("sites", "json")


@api.get("/v1/sites.csv")
def sites_csv() -> ResponseReturnValue:
    """Search the register's gain sites: a CSV file of up to 1,000 rows."""
    return _serve("sites", "csv")


@api.get("/v1/sites.geojson")
def sites_geojson() -> ResponseReturnValue:
    """Search the register's gain sites: GeoJSON of their boundaries, in WGS84 or British National Grid."""
    return _serve("sites", "geojson")


@api.get("/v1/parcels")
def parcels() -> ResponseReturnValue:
    """The habitat parcels of registered gain sites, with their capacity ledger: a page of JSON."""
    return _serve("parcels", "json")


@api.get("/v1/parcels.csv")
def parcels_csv() -> ResponseReturnValue:
    """The habitat parcels of registered gain sites: a CSV file of up to 1,000 rows."""
    return _serve("parcels", "csv")


@api.get("/v1/parcels.geojson")
def parcels_geojson() -> ResponseReturnValue:
    """The habitat parcels of registered gain sites as GeoJSON, their shapes mapped."""
    return _serve("parcels", "geojson")


@api.get("/v1/allocations")
def allocations() -> ResponseReturnValue:
    """Allocations of gain site units to developments: a page of JSON, no personal data."""
    return _serve("allocations", "json")


@api.get("/v1/allocations.csv")
def allocations_csv() -> ResponseReturnValue:
    """Allocations of gain site units to developments: a CSV file of up to 1,000 rows."""
    return _serve("allocations", "csv")


@api.get("/v1/allocations.geojson")
def allocations_geojson() -> ResponseReturnValue:
    """Allocations of gain site units as GeoJSON points at their gain sites."""
    return _serve("allocations", "geojson")


def _parcel(p: HabitatParcel) -> models.Parcel:
    return models.Parcel(
        module=p.module,  # type: ignore[arg-type]
        stage=p.stage,  # type: ignore[arg-type]
        ref=p.ref,
        habitat=p.habitat,
        distinctiveness=p.distinctiveness,
        condition=p.condition,
        strategic_significance=p.strategic_significance,
        baseline_ref=p.baseline_ref,
        size=float(p.size),
        size_unit=SIZE_UNITS[p.module],  # type: ignore[arg-type]
        units=float(p.units),
        allocated_size=float(p.allocated_size),
        allocated_units=float(p.allocated_units),
        remaining_size=float(p.size - p.allocated_size) if p.stage != "baseline" else 0.0,
        remaining_units=float(p.units - p.allocated_units) if p.stage != "baseline" else 0.0,
    )


def detail(view: SiteView) -> models.SiteDetail:
    """A gain site's public page as the API's document: the same facts, units as numbers, the boundary in WGS84."""
    site = view.site
    parcels = [_parcel(p) for p in view.parcels]
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
                baseline_units=float(t.baseline_units),
                post_intervention_units=float(t.post_intervention_units),
                allocated_units=float(t.allocated_units),
                remaining_units=float(t.remaining_units),
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
            models.Document(kind=f.kind, name=f.name, url=absolute("files.download", file_id=f.id))
            for f in view.documents
        ],
        boundary=mapping(bng_to_wgs84(site.boundary)) if site.boundary is not None else None,
    )


@api.get("/v1/sites/<reference>")
def site(reference: str) -> ResponseReturnValue:
    """A gain site with its habitats, units, allocations, history and published documents."""
    view = services().register.site(reference)
    return _json(detail(view), view.site.updated_at)


@api.get("/v1/lpas")
def lpas() -> ResponseReturnValue:
    """The local planning authorities of today, for the ``lpa`` filter."""
    return _json(
        {"items": [models.Lpa(name=x.name, ons_code=x.ons_code).model_dump() for x in services().register.lpas()]}
    )


@api.get("/v1/responsible-bodies")
def responsible_bodies() -> ResponseReturnValue:
    """Every responsible body for conservation covenants, withdrawn ones with their date."""
    items = [
        models.ResponsibleBody(
            name=b.name, type=b.body_type, designated_on=b.designated_on, withdrawn_on=b.withdrawn_on
        ).model_dump(mode="json")
        for b in services().register.responsible_bodies(include_withdrawn=True)
    ]
    return _json({"items": items})


def _problem(status: int, detail: str, errors: list[FilterError] | None = None) -> ResponseReturnValue:
    body = models.Problem(
        status=status,
        title="Bad request" if status == 400 else "Error",
        detail=detail,
        invalid_params=[models.InvalidParam(name=e.field, reason=e.message) for e in errors or []],
    )
    return Response(body.model_dump_json(), status=status, mimetype="application/problem+json")


from . import private  # noqa: E402,F401  # the token-authenticated endpoints, on this blueprint
