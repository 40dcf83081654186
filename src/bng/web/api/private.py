"""The JSON API for an organisation's own software, called with its API token (``Authorization: Bearer bng_…``).

The token alone says who is calling: the session cookie is never read here, so these endpoints are
exempt from CSRF (a page elsewhere cannot make a browser send the token). A token acts for its
organisation: the "me" endpoints read what belongs to any of its members, the "lpa" ones its LPA's.
Each endpoint names the scope it needs (``bng.register.accounts.api_tokens``): no token, a revoked one or
a closed organisation's is 401; a scope the token lacks, or that no admin of the organisation still
holds, is 403; more than the token's calls a minute is 429 with Retry-After. Uploads
are the pages' uploads: the same types, size limits and checks (zip bombs, hostile GeoPackages), the
same readers and engine, and every result names the metric release it was calculated with.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from flask import Response, g, request
from flask.typing import ResponseReturnValue

from bng.register.accounts.api_tokens import Caller, RateLimited, Scope, Unauthorised
from bng.register.core.audit import Actor
from bng.register.core.errors import Forbidden, Invalid, NotFound, Problem
from bng.register.core.filetypes import EXTENSIONS, MB, DocumentKind, FileType, check_upload, sniff, zip_members

from ..security import services
from . import api

F = TypeVar("F", bound=Callable[..., ResponseReturnValue])
BEARER = re.compile(r"Bearer[ ]+(\S+)[ ]*", re.IGNORECASE)
MAX_MAP_BYTES = 50 * MB
"""Each map of a pair (the request's own limit holds both)."""


def problem(status: int, title: str, detail: str, problems: Sequence[Problem] = ()) -> Response:
    """An error as RFC 9457 problem JSON, never cached; a 401 says how to authenticate (a bearer token)."""
    body = {
        "status": status,
        "title": title,
        "detail": detail,
        "invalid_params": [{"name": p.field, "reason": p.message} for p in problems],
    }
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="bng"'
    return response


def _json(body: Any) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False, default=str), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    caller: Caller | None = g.get("api_caller")
    if caller is not None:
        response.headers["X-RateLimit-Remaining"] = str(caller.calls_left)
    return response


def token(scope: Scope) -> Callable[[F], F]:
    """The view needs a live token with ``scope``; the caller is ``g.api_caller``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            found = BEARER.fullmatch(request.headers.get("Authorization", ""))
            if found is None:
                return problem(401, "Unauthorised", "Send an API token: Authorization: Bearer bng_…")
            try:
                caller = services().api_tokens.authenticate(found.group(1))
                g.api_caller = caller
                caller.require(scope)
                return view(*args, **kwargs)
            except Unauthorised as err:
                return problem(401, "Unauthorised", err.message)
            except RateLimited as err:
                response = problem(429, "Too many requests", err.message)
                response.headers["Retry-After"] = str(err.retry_after)
                return response
            except Forbidden as err:
                return problem(403, "Forbidden", err.message)
            except NotFound as err:
                return problem(404, "Not found", err.message)
            except Invalid as err:
                return problem(400, "Bad request", "; ".join(p.message for p in err.problems), err.problems)

        return wrapped  # type: ignore[return-value]

    return decorate


def _caller() -> Caller:
    found: Caller = g.api_caller
    return found


def _upload(name: str, limit: int) -> tuple[str, bytes]:
    storage = request.files.get(name)
    if storage is None or not storage.filename:
        raise Invalid.one(name, f"Send the file as the multipart/form-data field {name!r}")
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise Invalid.one(name, f"The file is larger than the {limit // MB} MB allowed")
    if not data:
        raise Invalid.one(name, "The file is empty")
    return storage.filename, data


def _on() -> date | None:
    text = request.form.get("on", "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid.one("on", "on must be a date such as 2026-12-07") from None


# -- the metric: calculate, check, maps, credits ---------------------------------------------------------


@api.post("/v1/metric/calculate")
@token(Scope.METRIC)
def calculate_metric() -> ResponseReturnValue:
    """Calculate a metric workbook or site file: units, net change, trading rules, with the metric release used."""
    from bng.metric import calculate, load, result_to_dict
    from bng.register.credits.metric import read_metric

    filename, data = _upload("file", 50 * MB)
    site, problems = read_metric(filename, data, "file")
    result = calculate(site)
    body = result_to_dict(result)
    body["metric_release_label"] = load(result.metric_release).label
    body["file"] = filename
    body["problems"] = problems
    body["issues"] = [
        {"path": i.path, "ref": i.ref, "field": i.field, "code": i.code, "severity": i.severity, "message": i.message}
        for i in result.issues
    ]
    return _json(body)


@api.post("/v1/metric/check")
@token(Scope.METRIC)
def check_metric() -> ResponseReturnValue:
    """Check a completed statutory metric workbook against its own cached results and the net gain target."""
    from bng.workbook import WorkbookError, check_workbook

    filename, data = _upload("file", 50 * MB)
    checked = check_upload(DocumentKind.METRIC, filename, data, "file")
    if checked.file_type not in (FileType.XLSX, FileType.XLSM):
        raise Invalid.one("file", "Send a statutory metric workbook (.xlsx or .xlsm) to check")
    target = request.form.get("target", "").strip()
    try:
        local = float(target) if target else None
    except ValueError:
        raise Invalid.one("target", "target must be a number of per cent, such as 20") from None
    if local is not None and not 0 <= local <= 1000:
        raise Invalid.one("target", "target must be from 0 to 1,000 per cent")
    with tempfile.TemporaryDirectory(prefix="bng-api-") as tmp:
        path = Path(tmp) / f"metric{EXTENSIONS[checked.file_type]}"
        path.write_bytes(data)
        try:
            report = check_workbook(path, local)
        except WorkbookError as err:
            raise Invalid.one("file", f"The metric workbook cannot be checked: {err.message()}") from None
    body = report.to_dict()
    body["file"] = filename
    return _json(body)


def _map_path(folder: Path, field: str) -> tuple[str, Path]:
    filename, data = _upload(field, MAX_MAP_BYTES)
    found = sniff(data)
    folder.mkdir()
    if found == FileType.GEOPACKAGE:
        path = folder / "map.gpkg"
    elif data.startswith(b"PK\x03\x04"):
        zip_members(data)  # a zip bomb or a path out of the folder is refused before anything unpacks it
        path = folder / "map.zip"
    elif found == FileType.GEOJSON:
        stem = re.sub(r"[^A-Za-z0-9_ -]", "", Path(filename).stem)[:60] or "Habitats"
        path = folder / f"{stem}.geojson"  # a GeoJSON layer is named by its file
    else:
        raise Invalid.one(field, "Send a GeoPackage, a GeoJSON layer, or a .zip of Shapefile or GeoJSON layers")
    path.write_bytes(data)
    return filename, path


@api.post("/v1/maps/validate")
@token(Scope.METRIC)
def validate_maps() -> ResponseReturnValue:
    """Validate a pair of habitat maps (baseline and post-intervention) and calculate the metric they make."""
    from bng.gis import MapError, load_maps
    from bng.metric import calculate, result_to_dict

    with tempfile.TemporaryDirectory(prefix="bng-api-maps-") as tmp:
        names, paths = zip(
            *(_map_path(Path(tmp) / str(i), f) for i, f in enumerate(("baseline", "post_intervention"))), strict=True
        )
        try:
            loaded = load_maps(list(paths))
        except MapError as err:
            text, field = str(err), "baseline"
            if str(paths[1]) in text and str(paths[0]) not in text:
                field = "post_intervention"
            for path, name in zip(paths, names, strict=True):
                text = text.replace(str(path), name).replace(str(path.parent) + "/", "")
            raise Invalid.one(field, f"The habitat maps cannot be read: {text.replace(tmp, '')}") from None

        def named(finding: dict[str, Any]) -> dict[str, Any]:
            where = str(finding.get("file") or "")
            for i, name in enumerate(names):
                if where.startswith(f"{tmp}/{i}/"):
                    finding["file"] = name
            return finding

        findings = [named(f.to_dict()) for f in loaded.findings]
    result = calculate(loaded.mapped.site)
    body = {
        "baseline": names[0],
        "post_intervention": names[1],
        "valid": not any(f["severity"] == "error" for f in findings),
        "defra_would_accept": all(r.defra_ok for r in loaded.reports),
        "findings": findings,
        "metric_release": result.metric_release,
        "result": result_to_dict(result),
    }
    return _json(body)


@api.post("/v1/credits/estimate")
@token(Scope.METRIC)
def estimate_credits() -> ResponseReturnValue:
    """The statutory credits a metric's shortfall would need, and their price on the day given."""
    filename, data = _upload("file", 50 * MB)
    try:
        estimate = services().credits.estimates.from_metric(filename, data, _on())
    except Invalid as err:  # the estimate page's field is this endpoint's "file"
        named = [Problem("file" if p.field == "metric_file" else p.field, p.message) for p in err.problems]
        raise Invalid(err.message, named) from None
    q = estimate.quote
    metric = estimate.metric
    body = {
        "file": filename,
        "metric_release": metric.metric_release if metric else None,
        "on": estimate.on.isoformat(),
        "credits": {tier: n / 100 for tier, n in estimate.quantities.items()},
        "lines": [
            {
                "tier": x.tier,
                "credits": x.quantity_hundredths / 100,
                "unit_price_gbp": x.unit_price_pence / 100,
                "price_valid_from": x.price_valid_from.isoformat(),
                "amount_gbp": x.amount_pence / 100,
            }
            for x in q.lines
        ],
        "subtotal_gbp": q.subtotal_pence / 100,
        "vat_percent": q.vat_basis_points / 100,
        "vat_gbp": q.vat_pence / 100,
        "total_gbp": q.total_pence / 100,
        "problems": list(metric.problems) if metric else [],
    }
    return _json(body)


# -- the organisation's members' records -----------------------------------------------------------------


@api.get("/v1/me/applications")
@token(Scope.APPLICATIONS)
def my_applications() -> ResponseReturnValue:
    """The organisation's members' applications to register gain sites, with where each stands."""
    items = [
        {
            "reference": a.reference,
            "kind": a.kind,
            "status": a.status,
            "created_at": a.created_at.isoformat(),
            "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
            "decided_at": a.decided_at.isoformat() if a.decided_at else None,
        }
        for member in _caller().actors(Scope.APPLICATIONS)
        for a in services().applications.mine(member)
    ]
    return _json({"items": items})


def _allocation_units(member: Actor, reference: str) -> dict[str, float]:
    view = services().allocations.view(member, reference)
    return {module: round(units, 6) for module, units in view.units_by_module().items()}


@api.get("/v1/me/allocations")
@token(Scope.ALLOCATIONS)
def my_allocations() -> ResponseReturnValue:
    """The allocations of gain site units the organisation's members recorded, each once, with its units."""
    seen: set[str] = set()  # an allocation two members may both see is listed once
    items = []
    for member in _caller().actors(Scope.ALLOCATIONS):
        for a, site in services().allocations.mine(member):
            if a.reference in seen:
                continue
            seen.add(a.reference)
            items.append(
                {
                    "reference": a.reference,
                    "site_reference": site,
                    "planning_reference": a.planning_reference,
                    "development_name": a.development_name,
                    "recorded_at": a.created_at.isoformat(),
                    "units": _allocation_units(member, a.reference),
                }
            )
    return _json({"items": items})


@api.get("/v1/me/credit-orders")
@token(Scope.CREDIT_ORDERS)
def my_credit_orders() -> ResponseReturnValue:
    """The organisation's members' statutory credit orders, with where each stands."""
    items = [
        {
            "reference": o.reference,
            "status": o.status,
            "development_name": o.development_name,
            "planning_reference": o.planning_reference,
            "metric_release": o.metric_release or None,
            "created_at": o.created_at.isoformat(),
            "submitted_at": o.submitted_at.isoformat() if o.submitted_at else None,
            "sent_to_lpa_on": o.sent_to_lpa_on.isoformat() if o.sent_to_lpa_on else None,
        }
        for member in _caller().actors(Scope.CREDIT_ORDERS)
        for o in services().credits.orders.mine(member)
    ]
    return _json({"items": items})


# -- an LPA organisation's ----------------------------------------------------------------------------


@api.get("/v1/lpa/allocations")
@token(Scope.LPA)
def lpa_allocations() -> ResponseReturnValue:
    """Every allocation of gain site units to developments in the LPA's area, for its officers' records."""
    from bng.register.core.ports import AllocationQuery

    lpa, _ = services().register.for_lpa(_caller().lpa_officer())
    items: list[dict[str, Any]] = []
    page = 1
    while True:  # every allocation of the LPA's developments, a page of the open data at a time
        found = services().open_data.allocations(AllocationQuery(lpa=lpa.name, page=page, per_page=1000))
        for a, site_ref, _lpa, taken, _where in found.items:
            items.append(
                {
                    "reference": a.reference,
                    "site_reference": site_ref,
                    "planning_reference": a.planning_reference,
                    "development_name": a.development_name,
                    "recorded_on": a.created_at.date().isoformat(),
                    "units": {m: float(v[1]) for m, v in taken.items()},
                }
            )
        if page >= found.pages:
            break
        page += 1
    return _json({"lpa": lpa.name, "items": items})


@api.get("/v1/lpa/proofs")
@token(Scope.LPA)
def lpa_proofs() -> ResponseReturnValue:
    """The proofs of statutory credits bought for developments in the LPA's area, refunded ones marked."""
    lpa, proofs = services().credits.fulfilment.for_lpa(_caller().lpa_officer())
    items = [
        {
            "order_reference": p.order.reference,
            "development_name": p.order.development_name,
            "planning_reference": p.order.planning_reference,
            "sent_to_lpa_on": p.order.sent_to_lpa_on.isoformat() if p.order.sent_to_lpa_on else None,
            "credits": p.total_credits_hundredths / 100,
            "refunded": p.refunded,
        }
        for p in proofs
    ]
    return _json({"lpa": lpa.name, "items": items})


@api.get("/v1/lpa/monitoring")
@token(Scope.LPA)
def lpa_monitoring() -> ResponseReturnValue:
    """The LPA's monitoring dashboard, as its officers download it signed in (``dashboard.json``).

    For the software that reports on it (docs/monitoring.md).
    """
    return _json(services().lpa_monitoring.dashboard(_caller().lpa_officer()).to_dict())
