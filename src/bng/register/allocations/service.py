"""Allocations: a development uses units from a registered gain site.

A developer, or a landowner, records that a development (its LPA, planning reference, name and where
it is) takes part of some of a gain site's habitat parcels: chosen parcel by parcel, or read from the
development's statutory metric, whose off-site rows name the gain site. ``plan`` checks everything and
says what the allocation would be (the units, the spatial risk category the register derives, what it
flags in the metric) without recording it; ``allocate`` records it, with the £45 fee due.

One path for every allocation, the journeys' and the combined case's: the gain site's row is locked,
then its parcels in id order, each line is checked against what remains (a clear message), then
stored; the database moves the parcel's and the site's totals in the same statement and refuses, with
CHECK constraints, anything beyond capacity, so two requests racing for the last units cannot both
win (``tests/db/test_concurrency.py``). Someone other than the landowner who registered the gain site
must upload the landowner's written consent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from bng.metric import DEFAULT_RELEASE, load
from bng.register.applications.habitats import SIZE_UNITS
from bng.register.core import audit, notifications, submissions
from bng.register.core import fee_payments as payments
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem
from bng.register.core.fees import FeePurpose, fee
from bng.register.core.filetypes import DocumentKind, FileType, check_upload, sniff
from bng.register.core.ledger import Capacity, check_allocation
from bng.register.core.lpas import not_current
from bng.register.core.model import (
    Allocation,
    AllocationLine,
    GainSite,
    HabitatParcel,
    Lpa,
    Payment,
    PaymentStatus,
    Refund,
    SiteStatus,
    StoredFile,
)
from bng.register.core.places import SPATIAL_RISK_WORDING, Places, SpatialRisk
from bng.register.core.ports import Clock, FileStore, UnitOfWork, UnitOfWorkFactory
from bng.register.core.references import allocation_reference, normalise, payment_reference
from bng.register.core.roles import Permission, Role, can
from bng.register.core.service import Service, require
from bng.register.core.uploads import Upload, store_bytes

from .metric import DevelopmentMetric, development_metric, match, read_site, unit_flags
from .risk import OTHER, RISK_LABELS, DevelopmentPlace, locate_development, spatial_risk

MAX_PLANNING_REFERENCE = 100
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class Request:
    """A parcel and how much of it (hectares or kilometres, at the ledger's precision)."""

    parcel_id: int
    size: Decimal


@dataclass(frozen=True, slots=True)
class Development:
    """The development an allocation is for: its LPA, planning reference, name and grid reference."""

    lpa_id: int | None
    planning_reference: str
    name: str
    grid_reference: str = ""


@dataclass(frozen=True, slots=True)
class PlannedLine:
    parcel: HabitatParcel
    size: Decimal
    units: Decimal


@dataclass
class AllocationPlan:
    """What an allocation would be, for the person to check before it is recorded."""

    site: GainSite
    development: Development
    lpa: Lpa
    place: DevelopmentPlace
    site_lpas: list[str]
    site_ncas: list[str]
    spatial_risk: SpatialRisk
    lines: list[PlannedLine]
    fee_pence: int
    needs_consent: bool
    metric: DevelopmentMetric | None = None
    metric_file: StoredFile | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def risk_label(self) -> str:
        return RISK_LABELS[self.spatial_risk]

    @property
    def multiplier(self) -> float:
        """The metric's spatial risk multiplier for the category (area and hedgerow units)."""
        return risk_multiplier(self.spatial_risk)

    def units_by_module(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for line in self.lines:
            out[line.parcel.module] = out.get(line.parcel.module, 0.0) + float(line.units)
        return out


def risk_multiplier(risk: SpatialRisk) -> float:
    """The metric's spatial risk multiplier for a category (area and hedgerow units)."""
    value = load(DEFAULT_RELEASE).spatial_risk.get(SPATIAL_RISK_WORDING[risk])
    return float(value) if isinstance(value, int | float) else 1.0


@dataclass
class AllocationView:
    """An allocation with what its page shows."""

    allocation: Allocation
    site: GainSite
    lpa: Lpa | None
    lines: list[tuple[AllocationLine, HabitatParcel]]
    payments: list[Payment]
    files: list[StoredFile]
    refunds: dict[int, Refund] = field(default_factory=dict)
    """The refunds recorded of its payments, by payment id."""

    def refund(self, payment: Payment) -> Refund | None:
        return self.refunds.get(payment.id) if payment.id is not None else None

    def units_by_module(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for line, parcel in self.lines:
            out[parcel.module] = out.get(parcel.module, 0.0) + float(line.units)
        return out


def check_development(development: Development) -> list[Problem]:
    """The development's own answers: each problem names its field."""
    problems = []
    if development.lpa_id is None:
        problems.append(Problem("lpa_id", "Select the LPA the development's planning application is made to"))
    ref = development.planning_reference.strip()
    if not ref:
        problems.append(Problem("planning_reference", "Enter the planning application reference"))
    elif len(ref) > MAX_PLANNING_REFERENCE:
        problems.append(
            Problem(
                "planning_reference", f"The planning reference must be {MAX_PLANNING_REFERENCE} characters or fewer"
            )
        )
    name = development.name.strip()
    if not name:
        problems.append(Problem("development_name", "Enter the name of the development"))
    elif len(name) > MAX_NAME:
        problems.append(Problem("development_name", f"The development's name must be {MAX_NAME} characters or fewer"))
    return problems


class Allocations(Service):
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, store: FileStore, places: Callable[[], Places]) -> None:
        super().__init__(uow, clock)
        self._store = store
        self._places = places

    # -- reading -------------------------------------------------------------------------------------

    def needs_consent(self, actor: Actor | None, site_reference: str) -> bool:
        actor = require(actor, Permission.ALLOCATE)
        with self._uow() as uow:
            return self._needs_consent(uow, actor, self._site(uow, site_reference))

    def mine(self, actor: Actor | None) -> list[tuple[Allocation, str]]:
        """The actor's allocations, newest first, with their gain sites' references."""
        actor = require(actor, Permission.ALLOCATE)
        with self._uow() as uow:
            out = []
            for a in uow.ledger.made_by(actor.user_id):
                site = uow.sites.get(a.gain_site_id)
                out.append((a, site.reference if site else ""))
            return out

    def view(self, actor: Actor | None, reference: str) -> AllocationView:
        """An allocation for the person who recorded it and the register team; NotFound for others."""
        if actor is None:
            raise NotFound("No such allocation")
        with self._uow() as uow:
            allocation = uow.ledger.allocation(normalise(reference))
            if allocation is None or allocation.id is None:
                raise NotFound("No such allocation")
            if allocation.created_by != actor.user_id and not can(actor.role, Permission.RECORD_PAYMENTS):
                raise NotFound("No such allocation")
            site = uow.sites.get(allocation.gain_site_id)
            assert site is not None
            lines = []
            for line in uow.ledger.lines(allocation.id):
                parcel = uow.ledger.parcel(line.parcel_id)
                assert parcel is not None
                lines.append((line, parcel))
            files = [
                f
                for f in (uow.files.get(i) for i in (allocation.metric_file_id, allocation.consent_file_id) if i)
                if f is not None
            ]
            payments = list(uow.payments.for_allocation(allocation.id))
            return AllocationView(
                allocation,
                site,
                uow.lpas.get(allocation.lpa_id),
                lines,
                payments,
                files,
                uow.payments.refunds([p.id for p in payments if p.id is not None]),
            )

    # -- checking ------------------------------------------------------------------------------------

    def plan(
        self,
        actor: Actor | None,
        site_reference: str,
        development: Development,
        lines: Sequence[Request] = (),
        *,
        metric: Upload | None = None,
        metric_file_id: int | None = None,
    ) -> AllocationPlan:
        """Check an allocation and say what it would be; nothing is allocated.

        An uploaded metric that passes is kept (the one change this makes), so that the allocation
        can be recorded from it without uploading it again: the plan names it."""
        actor = require(actor, Permission.ALLOCATE)
        with self._uow(write=metric is not None) as uow:
            site = self._site(uow, site_reference)
            stored = None
            if metric is not None:
                stored = self._store_metric(uow, actor, metric)
                data = metric.data
            elif metric_file_id is not None:
                stored, data = self._metric_file(uow, actor, metric_file_id)
            plan = self._plan(uow, actor, site, development, lines, data if stored else None, lock=False)
            plan.metric_file = stored
            if metric is not None:
                uow.commit()
            return plan

    # -- recording -----------------------------------------------------------------------------------

    def allocate(
        self,
        actor: Actor | None,
        site_reference: str,
        development: Development,
        lines: Sequence[Request] = (),
        *,
        metric_file_id: int | None = None,
        consent: Upload | None = None,
        once: submissions.Once | None = None,
    ) -> Allocation:
        """Record the allocation and the fee due; raises (and records nothing) if anything is wrong."""
        actor = require(actor, Permission.ALLOCATE)
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            site = self._site(uow, site_reference, lock=True)
            metric_data = None
            metric_file = None
            if metric_file_id is not None:
                metric_file, metric_data = self._metric_file(uow, actor, metric_file_id)
            plan = self._plan(uow, actor, site, development, lines, metric_data, lock=True)
            plan.metric_file = metric_file
            consent_file = None
            if plan.needs_consent:
                if consent is None or not consent.data:
                    raise Invalid.one(
                        "consent_file",
                        f"Upload the written consent of gain site {site.reference}'s landowner to this allocation",
                    )
                consent_file = self._store_file(uow, actor, DocumentKind.CONSENT, consent)
            allocation = self.record(uow, actor, plan, consent_file)
            submissions.settle(uow, once, allocation.reference)
            uow.commit()
            return allocation

    def record(
        self,
        uow: UnitOfWork,
        actor: Actor,
        plan: AllocationPlan,
        consent: StoredFile | None = None,
        application_id: int | None = None,
        *,
        made_by: int | None = None,
        payment: Payment | None = None,
    ) -> Allocation:
        """Store a checked plan in an open unit of work (its parcels locked): the allocation, its lines
        (the database moves the ledger and refuses more than remains), the fee due and the audit entry.

        The combined case records the allocation on acceptance: ``made_by`` is then the applicant (whose
        allocation it is; ``actor``, the case worker, is who recorded it) and ``payment`` the allocation
        fee paid with the application, linked to the allocation instead of a new fee falling due."""
        now = self.now()
        assert plan.site.id is not None and plan.lpa.id is not None
        allocation = Allocation(
            reference=allocation_reference(),
            gain_site_id=plan.site.id,
            lpa_id=plan.lpa.id,
            planning_reference=plan.development.planning_reference.strip(),
            development_name=plan.development.name.strip(),
            created_at=now,
            created_by=made_by if made_by is not None else actor.user_id,
            spatial_risk=plan.spatial_risk.value,
            development_grid_reference=plan.place.grid_reference,
            development_easting=plan.place.easting,
            development_northing=plan.place.northing,
            development_nca=plan.place.nca,
            development_lnrs=plan.place.lnrs,
            stated_spatial_risk=plan.metric.stated_category if plan.metric else "",
            consent_file_id=consent.id if consent else None,
            metric_file_id=plan.metric_file.id if plan.metric_file else None,
            application_id=application_id,
        )
        uow.add(allocation)
        uow.flush()
        assert allocation.id is not None
        for line in plan.lines:
            assert line.parcel.id is not None
            uow.ledger.add_line(AllocationLine(allocation.id, line.parcel.id, line.size, line.units))
        if payment is None:
            payment = Payment(
                reference=payment_reference(),
                purpose=FeePurpose.ALLOCATION,
                amount_pence=plan.fee_pence,
                created_at=now,
                payer_id=actor.user_id,
                allocation_id=allocation.id,
                application_id=application_id,
            )
            uow.add(payment)
        else:
            payment.allocation_id = allocation.id
        audit.record(
            uow,
            now,
            actor,
            "allocation.recorded",
            "allocation",
            allocation.reference,
            None,
            {
                **audit.snapshot(allocation),
                "gain_site": plan.site.reference,
                "lines": [(ln.parcel.id, ln.size, ln.units) for ln in plan.lines],
                "flags": plan.flags,
                "payment": payment.reference,
            },
        )
        notifications.allocation_recorded(uow, now, allocation, plan.site)
        return allocation

    def record_payment(
        self,
        actor: Actor | None,
        reference: str,
        received_on: date | None,
        method: str,
        *,
        once: submissions.Once | None = None,
    ) -> None:
        """The register team records an allocation's fee as received."""
        actor = require(actor, Permission.RECORD_PAYMENTS)
        method = payments.received(received_on, method, self.today())
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            allocation = uow.ledger.allocation(normalise(reference))
            if allocation is None or allocation.id is None:
                raise NotFound("No such allocation")
            due = [p for p in uow.payments.for_allocation(allocation.id) if p.status == PaymentStatus.DUE]
            if not due:
                raise Conflict("No fee is due on this allocation")
            for payment in due:
                before = audit.snapshot(payment, ("status", "received_on", "method"))
                payment.status = PaymentStatus.RECEIVED
                payment.received_on = received_on
                payment.method = method
                payment.recorded_by = actor.user_id
                after = audit.snapshot(payment, ("status", "received_on", "method"))
                audit.record(uow, self.now(), actor, "payment.received", "payment", payment.reference, before, after)
                notifications.payment_received(uow, self.now(), payment, "allocation fee")
            uow.commit()

    # -- the rules -----------------------------------------------------------------------------------

    def _site(self, uow: UnitOfWork, reference: str, lock: bool = False) -> GainSite:
        site = uow.sites.by_reference(reference.strip().upper(), for_update=lock)
        if site is None or site.id is None:
            raise NotFound(f"There is no gain site {reference.strip()[:20]} on the register")
        if site.status != SiteStatus.REGISTERED:
            raise Conflict(
                f"Gain site {site.reference} has been removed from the register; its units cannot be allocated"
            )
        return site

    def _needs_consent(self, uow: UnitOfWork, actor: Actor, site: GainSite) -> bool:
        if actor.role != Role.LANDOWNER:
            return True
        app = uow.applications.get(site.application_id)
        return app is None or app.owner_id != actor.user_id

    def plan_in(
        self,
        uow: UnitOfWork,
        actor: Actor,
        site: GainSite,
        development: Development,
        lines: Sequence[Request],
        metric_data: bytes | None,
        lock: bool,
        *,
        named: str | None = None,
    ) -> AllocationPlan:
        """Check an allocation in an open unit of work (the combined case's acceptance uses this: its
        development's metric names the application's reference, ``named``, as the site had none)."""
        return self._plan(uow, actor, site, development, lines, metric_data, lock, named)

    def _plan(
        self,
        uow: UnitOfWork,
        actor: Actor,
        site: GainSite,
        development: Development,
        lines: Sequence[Request],
        metric_data: bytes | None,
        lock: bool,
        named: str | None = None,
    ) -> AllocationPlan:
        problems = check_development(development)
        lpa = uow.lpas.get(development.lpa_id) if development.lpa_id is not None else None
        if development.lpa_id is not None and lpa is None:
            problems.append(Problem("lpa_id", "Select the development's LPA from the list"))
        elif lpa is not None and (why := not_current(lpa, self.today())):
            problems.append(Problem("lpa_id", why))
            lpa = None
        place = None
        try:
            place = locate_development(self._places(), development.grid_reference, lpa.name if lpa else "")
        except Invalid as err:
            problems += err.problems
        if metric_data is None and not lines:
            problems.append(Problem("parcels", "Enter how much of at least one habitat parcel to allocate"))
        if problems:
            raise _invalid("The allocation has problems", problems)
        assert lpa is not None and place is not None and site.id is not None
        metric = None
        flags: list[str] = []
        parcels = _by_id(uow.sites.parcels(site.id))
        if metric_data is not None:
            metric_site = read_site(metric_data, _metric_type(metric_data))
            metric = development_metric(metric_site, named or site.reference)
            # the parcels' ledgers as they stand (locked, when recording): a row takes what remains
            if lock:
                for pid in sorted(parcels):
                    uow.ledger.parcel(pid, for_update=True)
                parcels = _by_id(uow.sites.parcels(site.id))
            matched = match(metric, list(parcels.values()))
            lines = [Request(pid, size) for pid, size in matched.requests()]
            flags = unit_flags(matched, {pid: (p.size, p.units) for pid, p in parcels.items()})
        planned = self._lines(uow, site, lines, parcels, lock)
        areas = list(uow.sites.areas(site.id))
        risk = spatial_risk(self._places(), place, lpa.name, areas)
        plan = AllocationPlan(
            site=site,
            development=development,
            lpa=lpa,
            place=place,
            site_lpas=[a.name for a in areas if a.kind == "lpa"],
            site_ncas=[a.name for a in areas if a.kind == "nca"],
            spatial_risk=risk,
            lines=planned,
            fee_pence=fee(FeePurpose.ALLOCATION, self.today()),
            needs_consent=self._needs_consent(uow, actor, site),
            metric=metric,
        )
        if metric is not None:
            plan.flags = metric_flags(
                f"gain site {site.reference}", risk, development.planning_reference, metric, flags
            )
        return plan

    def _lines(
        self,
        uow: UnitOfWork,
        site: GainSite,
        lines: Sequence[Request],
        parcels: dict[int, HabitatParcel],
        lock: bool,
    ) -> list[PlannedLine]:
        """Each request checked against what remains (its parcel locked, in id order, when recording)."""
        merged: dict[int, Decimal] = {}
        for req in lines:
            merged[req.parcel_id] = merged.get(req.parcel_id, Decimal(0)) + req.size
        planned = []
        problems: list[Problem] = []
        for parcel_id in sorted(merged):
            parcel = uow.ledger.parcel(parcel_id, for_update=True) if lock else parcels.get(parcel_id)
            if parcel is None or parcel.gain_site_id != site.id:
                problems.append(
                    Problem("parcels", f"Parcel {parcel_id} is not a habitat parcel of gain site {site.reference}")
                )
                continue
            cap = Capacity(parcel.size, parcel.units, parcel.allocated_size, parcel.allocated_units)
            what = f"parcel {parcel.ref} ({parcel.habitat})"
            try:
                units = check_allocation(parcel.stage, cap, merged[parcel_id], what, SIZE_UNITS[parcel.module])
            except Invalid as err:
                problems += [Problem(f"parcel-{parcel_id}", p.message) for p in err.problems]
                continue
            planned.append(PlannedLine(parcel, merged[parcel_id], units))
        if problems:
            raise _invalid("The quantities cannot be allocated", problems)
        return planned

    def _store_file(self, uow: UnitOfWork, actor: Actor, kind: DocumentKind, upload: Upload) -> StoredFile:
        checked = check_upload(kind, upload.filename, upload.data, upload.field)
        key = store_bytes(uow, self._store, upload.data)
        stored = StoredFile(
            key=key,
            kind=kind,
            name=checked.name,
            media_type=checked.media_type,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
            uploaded_at=self.now(),
            uploaded_by=actor.user_id,
        )
        uow.add(stored)
        uow.flush()
        audit.record(uow, self.now(), actor, "file.uploaded", "file", stored.id, None, audit.snapshot(stored))
        return stored

    def _store_metric(self, uow: UnitOfWork, actor: Actor, upload: Upload) -> StoredFile:
        return self._store_file(uow, actor, DocumentKind.METRIC, upload)

    def _metric_file(self, uow: UnitOfWork, actor: Actor, file_id: int) -> tuple[StoredFile, bytes]:
        """A development's metric the actor uploaded for an allocation and has not used yet."""
        stored = uow.files.get(file_id)
        if (
            stored is None
            or stored.kind != DocumentKind.METRIC
            or stored.uploaded_by != actor.user_id
            or stored.application_id is not None
        ):
            raise Invalid.one("metric_file", "Upload the development's metric again: the one given cannot be used")
        if uow.files.in_use(file_id):
            raise Invalid.one("metric_file", "That metric has already been used for an allocation; upload it again")
        return stored, self._store.get(stored.key)


def _by_id(parcels: Iterable[HabitatParcel]) -> dict[int, HabitatParcel]:
    """Stored parcels by id (every stored parcel has one; the model's ``None`` is for one not yet added)."""
    return {p.id: p for p in parcels if p.id is not None}


def _invalid(summary: str, problems: list[Problem]) -> Invalid:
    """One problem is its own summary; several are summed up."""
    return Invalid(problems[0].message if len(problems) == 1 else summary, problems)


def _metric_type(data: bytes) -> FileType:
    found = sniff(data)
    if found not in (FileType.XLSM, FileType.XLSX, FileType.SITE_JSON):
        raise Invalid.one(
            "metric_file", "The development's metric must be the statutory metric workbook or a site file"
        )
    return found


def metric_flags(
    gain_site: str, risk: SpatialRisk, planning_reference: str, metric: DevelopmentMetric, units: list[str]
) -> list[str]:
    """What the register flags in a development's metric for one gain site (``gain_site``: "gain site
    BGS-…", or the combined case's words for a site not yet on the register): a stated spatial risk
    category other than the one derived (``risk``), the rows' ``units`` flags, a Start sheet naming
    another planning reference than the allocation's, off-site rows naming other gain sites."""
    flags = []
    stated = metric.stated_category
    if stated and stated != risk.value:
        said = ", ".join(f"{where} says {text!r}" for where, text in metric.stated[:6])
        multiplier = metric.multiplier(risk)
        what = "an off-site provider's category" if stated == OTHER else f"'{stated}'"
        label = RISK_LABELS[risk]  # "Beyond the development's ... LPAs": only its first letter lowered
        flags.append(
            f"The development's metric states {what} for {gain_site} ({said}); the register "
            f"finds it {risk.value} ({label[0].lower()}{label[1:]}), a spatial risk multiplier of "
            f"{multiplier:g}. Correct the metric's spatial risk category before it goes to the LPA"
        )
    flags += units
    start = " ".join(metric.project.planning_reference.lower().split())
    given = " ".join(planning_reference.lower().split())
    if start and given and start != given:
        flags.append(
            f"The metric's Start sheet gives planning reference {metric.project.planning_reference!r}; "
            f"this allocation is for {planning_reference!r}"
        )
    if metric.others:
        flags.append(
            f"The metric also names gain site{'s' if len(metric.others) > 1 else ''} {', '.join(metric.others)}; "
            "record an allocation from each of them too"
        )
    flags += [
        f"The metric's {row}, so it is not part of this allocation: if the development uses it from "
        f"{gain_site}, enter the gain site's reference in that row's off-site reference column"
        for row in metric.left_out
    ]
    return flags
