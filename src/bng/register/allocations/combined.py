"""Register and allocate in one application: the combined case.

A landowner who already knows which development will use the gain site's units can say so in the
registration application itself, in its optional "allocation" section: the development (its LPA,
planning reference, name and grid reference) and how much of each created or enhanced habitat
parcel it takes. At submission the allocation fee (£45) is due with the registration fee (£639).
On acceptance, in the one transaction that puts the gain site on the register, the allocation is
recorded against it through the allocation service's own path (``Allocations.plan_in`` and
``record``): the same checks, the same ledger, the spatial risk derived from the new site's areas.
If the allocation cannot be recorded, nothing is registered either.

The parcels have no ids before the site exists, so the section keys them by module, stage and the
metric's reference ("area-creation-1").

The section takes either a quantity for each parcel or, as the allocation journey does, the
development's metric: its off-site rows name the gain site, which has no register reference yet, so
they name the application's reference (``APP-…``). They are matched to the application's parcels
by the allocation journey's own code (``allocation_metric.development_metric`` and ``match``) and
the quantities kept; at acceptance the metric goes through ``Allocations.plan_in`` and is matched
again, to the registered parcels, and linked to the allocation.

What the section's answers say (``allocation_section``) is the application's own; the application
reaches this module only through that module's port, :class:`~bng.register.applications.allocation_section.CombinedCase`
(:class:`Combined` here), so that it imports nothing from the allocations above it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import shapely

from bng.register.applications.allocation_section import (
    FIELD,
    METRIC_FIELD,
    SECTION,
    allocation,
    line_problems,
    parcel_key,
    sellable,
    uses_metric,
    wanted,
    what,
)
from bng.register.applications.answers import METHODS, AllocationAnswers
from bng.register.applications.fields import SectionContext
from bng.register.applications.habitats import SIZE_UNITS, ParcelDraft
from bng.register.applications.sections import boundary_of
from bng.register.core.audit import Actor
from bng.register.core.errors import Invalid, Problem
from bng.register.core.fees import FeePurpose
from bng.register.core.filetypes import DocumentKind, sniff
from bng.register.core.lpas import not_current
from bng.register.core.model import Allocation, Application, GainSite, GainSiteArea, HabitatParcel
from bng.register.core.places import Places, SpatialRisk
from bng.register.core.ports import FileStore, UnitOfWork
from bng.register.core.uploads import Upload

from .metric import DevelopmentMetric, Matched, development_metric, match, read_site, unit_flags
from .risk import RISK_LABELS, DevelopmentPlace, locate_development, spatial_risk
from .service import Allocations, Development, Request, check_development, metric_flags, risk_multiplier

MAX_DECIMALS = 6


IN_THE_APPLICATION = "in this application's habitats"
"""Where the combined case's parcels are: not on the register yet."""


def _matched(
    answers: Mapping[str, Any], data: bytes, reference: str
) -> tuple[DevelopmentMetric, Matched, list[ParcelDraft], list[HabitatParcel]]:
    """The development's metric read and matched to the application's created and enhanced parcels.

    The parcels have no ids yet, so they are numbered 1, 2, … in the metric's order.
    """
    drafts = sellable(answers)
    parcels = [
        HabitatParcel(0, p.module, p.stage, p.ref, p.habitat, p.distinctiveness, p.condition,
                      p.strategic_significance, p.ledger_size, p.ledger_units, id=i)
        for i, p in enumerate(drafts, start=1)
    ]  # fmt: skip
    file_type = sniff(data)
    if file_type is None:
        raise Invalid.one(METRIC_FIELD, "The development's metric must be the statutory metric workbook or a site file")
    site = read_site(data, file_type, METRIC_FIELD)
    hint = f"Enter this application's reference, {reference}, there: the gain site has no register reference yet"
    metric = development_metric(site, reference, METRIC_FIELD, hint)
    return metric, match(metric, parcels, METRIC_FIELD, IN_THE_APPLICATION), drafts, parcels


def metric_quantities(answers: Mapping[str, Any], data: bytes, reference: str) -> dict[str, Decimal]:
    """Each parcel's quantity by its key, from the development's metric matched to the application's parcels.

    The combined case matches the metric to the application's created and enhanced parcels as the
    allocation journey matches it to a registered gain site's.
    """
    _, matched, drafts, _ = _matched(answers, data, reference)
    return {
        parcel_key(drafts[i - 1].module, drafts[i - 1].stage, drafts[i - 1].ref): size for i, size in matched.requests()
    }


def quantity(text: str, p: ParcelDraft) -> Decimal:
    """Hectares or kilometres as typed (to six decimal places at most); Invalid naming the parcel's input."""
    name = FIELD.format(parcel_key(p.module, p.stage, p.ref))
    unit = "hectares" if SIZE_UNITS[p.module] == "ha" else "kilometres"
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise Invalid.one(name, f"Enter the {unit} of {what(p)} as a number, like 0.5") from None
    if not value.is_finite() or value <= 0:
        raise Invalid.one(name, f"Enter the {unit} of {what(p)} as a number greater than 0")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        raise Invalid.one(name, f"Enter the {unit} of {what(p)} to {MAX_DECIMALS} decimal places at most")
    return value  # exact: no more decimal places than the ledger keeps


def section(
    current: AllocationAnswers, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
) -> AllocationAnswers:
    """The optional section's form read and checked: "no", or the development and the quantities."""
    problems: list[Problem] = []
    choice = str(values.get("allocate") or "").strip()
    if choice not in ("yes", "no"):
        problems.append(
            Problem("allocate", "Select whether this application also allocates units to a development", SECTION)
        )
    answers = AllocationAnswers(allocate=choice == "yes")
    if choice == "yes":
        raw = str(values.get("lpa_id") or "").strip()
        development = Development(
            int(raw) if raw.isdigit() else None,
            str(values.get("planning_reference") or "").strip(),
            str(values.get("development_name") or "").strip(),
            str(values.get("grid_reference") or "").strip(),
        )
        problems += _development_problems(development, ctx)
        quantities: dict[str, Decimal] = {}
        method = str(values.get("method") or "parcels").strip()  # answers from before the choice: parcels
        metric_file = current.development_metric_file
        if method not in METHODS:
            problems.append(Problem("method", "Select how you want to say what the development uses", SECTION))
        if not sellable(ctx.answers):
            problems.append(Problem("parcels", "Complete the habitats section before the allocation", SECTION))
        elif method == "metric":
            metric_file = _from_metric(uploads, metric_file, ctx, quantities, problems)
        elif method == "parcels":
            metric_file = None
            _from_parcels(values, ctx, quantities, problems)
        answers = replace(
            answers,
            lpa_id=development.lpa_id,
            planning_reference=development.planning_reference,
            development_name=development.name,
            grid_reference=development.grid_reference,
            method=method,
            development_metric_file=metric_file,
            quantities=tuple(quantities.items()),
        )
    if problems:
        raise Invalid("There is a problem with your answers", problems)
    return replace(answers, completed=True)


def _development_problems(development: Development, ctx: SectionContext) -> list[Problem]:
    """The development's answers, its LPA (current) and where it is, each problem in the section."""
    problems = [Problem(p.field, p.message, SECTION) for p in check_development(development)]
    lpa = ctx.lpa(development.lpa_id) if development.lpa_id is not None else None
    if development.lpa_id is not None and lpa is None:
        problems.append(Problem("lpa_id", "Select the development's LPA from the list", SECTION))
    elif lpa is not None and (why := not_current(lpa, ctx.today)):
        problems.append(Problem("lpa_id", why, SECTION))
        lpa = None
    try:
        locate_development(ctx.places, development.grid_reference, lpa.name if lpa else "")
    except Invalid as err:
        problems += [Problem(p.field, p.message, SECTION) for p in err.problems]
    return problems


def _from_metric(
    uploads: Mapping[str, Upload],
    metric_file: int | None,
    ctx: SectionContext,
    quantities: dict[str, Decimal],
    problems: list[Problem],
) -> int | None:
    """Read the quantities from the development's metric into ``quantities``; return the metric's file id.

    The metric is uploaded now or kept from before; its problems go into ``problems``.
    """
    upload = uploads.get(METRIC_FIELD)
    data = None
    if upload is not None and upload.data:
        stored, _ = ctx.store(DocumentKind.METRIC, upload)
        metric_file, data = stored.id, upload.data
    elif metric_file is not None:  # uploaded before: kept until another replaces it
        data = ctx.file_bytes(metric_file)
    if data is None:
        problems.append(Problem(METRIC_FIELD, "Select the development's metric", SECTION))
    else:
        try:
            quantities.update(ctx.parsed(metric_quantities, ctx.answers, data, ctx.reference))
        except Invalid as err:
            problems += [Problem(q.field, q.message, SECTION) for q in err.problems]
        else:
            problems += [Problem(METRIC_FIELD, q.message, SECTION) for q in line_problems(ctx.answers, quantities)]
    return metric_file


def _from_parcels(
    values: Mapping[str, Any], ctx: SectionContext, quantities: dict[str, Decimal], problems: list[Problem]
) -> None:
    """The quantity typed for each parcel into ``quantities``, its problems into ``problems``."""
    for p in sellable(ctx.answers):
        key = parcel_key(p.module, p.stage, p.ref)
        text = str(values.get(FIELD.format(key)) or "").strip()
        if not text:
            continue
        try:
            quantities[key] = quantity(text, p)
        except Invalid as err:
            problems += [Problem(q.field, q.message, SECTION) for q in err.problems]
    if not any(q.field.startswith("parcel-") for q in problems):
        problems += line_problems(ctx.answers, quantities)


def development(answers: Mapping[str, Any]) -> Development:
    """The development the application's allocation is for, as the allocation journey asks for it."""
    a = allocation(answers)
    return Development(a.lpa_id, a.planning_reference, a.development_name, a.grid_reference)


def record(
    uow: UnitOfWork, allocations: Allocations, actor: Actor, app: Application, site: GainSite, files: FileStore
) -> Allocation | None:
    """On acceptance, record the application's allocation against the new gain site; None if it allocates nothing.

    Runs in the acceptance's unit of work (the site and its parcels flushed); the allocation fee paid
    with the application is linked to the allocation.
    """
    if not wanted(app.answers):
        return None
    assert site.id is not None and app.id is not None
    ids = {parcel_key(p.module, p.stage, p.ref): p.id for p in uow.sites.parcels(site.id) if p.id is not None}
    a = allocation(app.answers)
    quantities = dict(a.quantities)
    missing = [k for k in quantities if k not in ids]
    if missing:
        raise Invalid.one("parcels", f"The allocation takes parcels the gain site does not have: {', '.join(missing)}")
    lines = [Request(ids[k], size) for k, size in quantities.items()]
    metric_file = uow.files.get(a.development_metric_file) if a.uses_metric and a.development_metric_file else None
    if metric_file is not None:  # the development's metric, matched again to the registered parcels
        data = files.get(metric_file.key)
        plan = allocations.plan_in(uow, actor, site, development(app.answers), (), data, True, named=app.reference)
        plan.metric_file = metric_file
    else:
        plan = allocations.plan_in(uow, actor, site, development(app.answers), lines, None, lock=True)
    made_due = uow.payments.for_application(app.id)
    refunded = uow.payments.refunds([p.id for p in made_due if p.id is not None])  # settled: never linked
    fee = next((p for p in made_due if p.purpose == FeePurpose.ALLOCATION and p.id not in refunded), None)
    return allocations.record(uow, actor, plan, None, application_id=app.id, made_by=app.owner_id, payment=fee)


@dataclass
class Preview:
    """What the case worker sees of the application's allocation before accepting it.

    It is what the allocation journey's check page shows of a development, derived the same way from the
    gain site's boundary (the site is not on the register yet) and the development's answers.
    ``problems`` say why the spatial risk or the metric could not be worked out now (the acceptance
    would fail the same way).
    """

    development: Development
    lpa_name: str
    place: DevelopmentPlace | None = None
    site_lpas: list[str] = field(default_factory=list)
    site_ncas: list[str] = field(default_factory=list)
    spatial_risk: SpatialRisk | None = None
    flags: list[str] = field(default_factory=list)
    stated: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def risk_label(self) -> str:
        """The spatial risk category in the metric's words ("" until it can be worked out)."""
        return RISK_LABELS[self.spatial_risk] if self.spatial_risk is not None else ""

    @property
    def multiplier(self) -> float | None:
        """The metric's spatial risk multiplier for the category (None until it can be worked out)."""
        return risk_multiplier(self.spatial_risk) if self.spatial_risk is not None else None


def preview(uow: UnitOfWork, places: Places, app: Application, files: FileStore) -> Preview | None:
    """The spatial risk category and metric flags of the application's allocation; None if it allocates nothing.

    The category comes from the LPAs and National Character Areas of the gain site's boundary against the
    development's; the flags are those the allocation journey raises on the development's metric. Read
    only: acceptance works both out again, from the registered site, as it records the allocation.
    """
    if not wanted(app.answers):
        return None
    dev = development(app.answers)
    lpa = uow.lpas.get(dev.lpa_id) if dev.lpa_id is not None else None
    shown = Preview(dev, lpa.name if lpa else "")
    try:
        shown.place = locate_development(places, dev.grid_reference, shown.lpa_name)
    except Invalid as err:
        shown.problems += [p.message for p in err.problems]
    b = boundary_of(app.answers, uow.geometries)
    if b is not None:
        shape = b.geometry if b.geometry is not None else shapely.Point(b.easting, b.northing)
        found = places.locate(shape)
        shown.site_lpas = [name for name, _ in found["lpa"]]
        shown.site_ncas = [name for name, _ in found["nca"]]
        if shown.place is not None:
            areas = [GainSiteArea(0, kind, name, share) for kind in ("lpa", "nca") for name, share in found[kind]]
            shown.spatial_risk = spatial_risk(places, shown.place, shown.lpa_name, areas)
    if shown.spatial_risk is None or not uses_metric(app.answers):
        return shown
    metric_id = allocation(app.answers).development_metric_file
    stored = uow.files.get(metric_id) if metric_id is not None else None
    if stored is None:
        return shown
    try:
        metric, matched, _, parcels = _matched(app.answers, files.get(stored.key), app.reference)
    except Invalid as err:
        shown.problems += [p.message for p in err.problems]
        return shown
    units = unit_flags(matched, {p.id: (p.size, p.units) for p in parcels if p.id is not None})
    words = f"the gain site of application {app.reference}"
    shown.stated = metric.stated_category
    shown.flags = metric_flags(words, shown.spatial_risk, dev.planning_reference, metric, units)
    return shown


class Combined:
    """The combined case, as the application and its review ask for it (``allocation_section.CombinedCase``)."""

    def __init__(self, allocations: Allocations) -> None:
        self._allocations = allocations

    def section(
        self, current: AllocationAnswers, values: Mapping[str, Any], uploads: Mapping[str, Upload], ctx: SectionContext
    ) -> AllocationAnswers:
        """The applicant's answers to the application's allocation section, checked."""
        return section(current, values, uploads, ctx)

    def preview(self, uow: UnitOfWork, places: Places, app: Application, files: FileStore) -> Preview | None:
        """What the case worker sees of the allocation before accepting the application."""
        return preview(uow, places, app, files)

    def record(
        self, uow: UnitOfWork, actor: Actor, app: Application, site: GainSite, files: FileStore
    ) -> Allocation | None:
        """Record the application's allocation as the case worker accepts it."""
        return record(uow, self._allocations, actor, app, site, files)
