"""Checking an allocation: the rules every allocation passes, and the check shown before anything is recorded.

``AllocationChecks`` holds the rules, the journey's and the combined case's; ``PlanAllocation`` is the
check the allocation journey shows before anything is recorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from bng.register.applications.habitats import SIZE_UNITS
from bng.register.core import audit
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem
from bng.register.core.fees import FeePurpose, fee
from bng.register.core.filetypes import DocumentKind, FileType, check_upload, sniff
from bng.register.core.ledger import Capacity, check_allocation
from bng.register.core.lpas import not_current
from bng.register.core.model import GainSite, HabitatParcel, SiteStatus, StoredFile
from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore, UnitOfWork, UnitOfWorkFactory
from bng.register.core.roles import Permission, Role
from bng.register.core.service import Service, require
from bng.register.core.uploads import Upload, store_bytes

from .metric import development_metric, match, read_site, unit_flags
from .plans import AllocationPlan, Development, PlannedLine, Request, check_development, metric_flags
from .risk import locate_development, spatial_risk


class AllocationChecks(Service):
    """The rules of an allocation, in an open unit of work, shared by the journey and the combined case.

    They check the gain site, the development, each line against what remains, the development's metric,
    the landowner's consent and the files.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, store: FileStore, places: Callable[[], Places]) -> None:
        super().__init__(uow, clock)
        self._store = store
        self._places = places

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
        """Check an allocation in an open unit of work: for checking, recording and the combined case's acceptance.

        Its development's metric names the application's reference, ``named``, as the site had none.
        """
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


class PlanAllocation(AllocationChecks):
    """The allocation journey's check page: what an allocation would be, before it is confirmed."""

    def __call__(
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
        can be recorded from it without uploading it again: the plan names it. Refuses (NotFound, Conflict,
        Invalid) a gain site not on the register or removed, and an allocation that breaks its rules.
        """
        actor = require(actor, Permission.ALLOCATE)
        with self._uow(write=metric is not None) as uow:
            site = self._site(uow, site_reference)
            stored = None
            if metric is not None:
                stored = self._store_metric(uow, actor, metric)
                data = metric.data
            elif metric_file_id is not None:
                stored, data = self._metric_file(uow, actor, metric_file_id)
            plan = self.plan_in(uow, actor, site, development, lines, data if stored else None, lock=False)
            plan.metric_file = stored
            if metric is not None:
                uow.commit()
            return plan


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
