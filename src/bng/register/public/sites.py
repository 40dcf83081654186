"""The public register: search and the gain site page. No personal data ever leaves here: sites,
parcels, the areas a site lies in, LPAs, responsible bodies, allocations by planning reference,
the site's history, and the documents the register published."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from bng.register.core.audit import Actor
from bng.register.core.errors import NotFound
from bng.register.core.ledger import SELLABLE_STAGES, shown
from bng.register.core.lpas import current
from bng.register.core.model import (
    Allocation,
    GainSite,
    GainSiteArea,
    HabitatParcel,
    Lpa,
    ResponsibleBody,
    SiteEvent,
    SiteStatus,
    StoredFile,
)
from bng.register.core.ports import Page, SiteQuery
from bng.register.core.roles import Permission
from bng.register.core.service import Service, require


@dataclass
class ModuleTotals:
    """A module's units on a gain site, summed exactly from its parcels."""

    module: str
    baseline_units: Decimal = Decimal(0)
    post_intervention_units: Decimal = Decimal(0)
    allocated_units: Decimal = Decimal(0)

    @property
    def remaining_units(self) -> Decimal:
        return self.post_intervention_units - self.allocated_units


@dataclass
class SiteView:
    site: GainSite
    parcels: list[HabitatParcel] = field(default_factory=list)
    areas: list[GainSiteArea] = field(default_factory=list)
    agreement_lpas: list[Lpa] = field(default_factory=list)
    responsible_body: ResponsibleBody | None = None
    events: list[SiteEvent] = field(default_factory=list)
    allocations: list[tuple[Allocation, Lpa | None]] = field(default_factory=list)
    documents: list[StoredFile] = field(default_factory=list)
    allocated_units: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    """Per allocation: the units it took, by module."""

    def allocation_units(self, allocation: Allocation) -> str:
        """What an allocation took, in words: "1.23 habitat units, 0.10 hedgerow units"."""
        taken = self.allocated_units.get(allocation.id or 0, {})
        words = {"area": "habitat units", "hedgerow": "hedgerow units", "watercourse": "watercourse units"}
        return ", ".join(f"{shown(taken[m])} {words[m]}" for m in words if m in taken)

    def totals(self) -> list[ModuleTotals]:
        out = {m: ModuleTotals(m) for m in ("area", "hedgerow", "watercourse")}
        for p in self.parcels:
            t = out[p.module]
            if p.stage == "baseline":
                t.baseline_units += p.units
            elif p.stage in SELLABLE_STAGES:
                t.post_intervention_units += p.units
                t.allocated_units += p.allocated_units
        return [t for t in out.values() if t.baseline_units or t.post_intervention_units]


class PublicRegister(Service):
    def search(self, query: SiteQuery) -> Page:
        with self._uow() as uow:
            return uow.sites.search(query)

    def site(self, reference: str, include_removed: bool = True) -> SiteView:
        with self._uow() as uow:
            site = uow.sites.by_reference(reference.strip().upper())
            if site is None or (site.status == SiteStatus.REMOVED and not include_removed):
                raise NotFound(f"There is no gain site {reference.strip()[:20]} on the register")
            assert site.id is not None
            view = SiteView(site)
            view.parcels = list(uow.sites.parcels(site.id))
            view.areas = list(uow.sites.areas(site.id))
            view.agreement_lpas = list(uow.sites.agreement_lpas(site.id))
            view.responsible_body = uow.bodies.get(site.responsible_body_id) if site.responsible_body_id else None
            view.events = list(uow.sites.events(site.id))
            view.allocations = [(a, uow.lpas.get(a.lpa_id)) for a in uow.ledger.allocations(site.id)]
            modules = {p.id: p.module for p in view.parcels}
            for a, _ in view.allocations:
                assert a.id is not None
                taken = view.allocated_units.setdefault(a.id, {})
                for line in uow.ledger.lines(a.id):
                    m = modules[line.parcel_id]
                    taken[m] = taken.get(m, Decimal(0)) + line.units
            view.documents = [f for f in uow.files.for_application(site.application_id) if f.published]
            return view

    def last_change(self) -> datetime | None:
        with self._uow() as uow:
            return uow.sites.last_change()

    def lpas(self, include_past: bool = False) -> Sequence[Lpa]:
        """The LPAs to offer: those that are LPAs today (``include_past``: abolished ones too, for records)."""
        with self._uow() as uow:
            found = list(uow.lpas.all())
        return found if include_past else current(found, self.today())

    def responsible_bodies(self, include_withdrawn: bool = False) -> list[ResponsibleBody]:
        with self._uow() as uow:
            bodies = list(uow.bodies.all())
        return [b for b in bodies if include_withdrawn or b.withdrawn_on is None]

    def for_lpa(self, actor: Actor | None) -> tuple[Lpa, list[GainSite]]:
        """An LPA officer's view: the gain sites in their LPA or under agreements their LPA is party to."""
        actor = require(actor, Permission.VIEW_LPA_CASES)
        with self._uow() as uow:
            lpa = uow.lpas.get(actor.lpa_id) if actor.lpa_id is not None else None
            if lpa is None or lpa.id is None:
                raise NotFound("Your account is not linked to an LPA; ask the register team")
            return lpa, list(uow.sites.for_lpa(lpa.id, lpa.name))
