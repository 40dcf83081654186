"""The public register: search and the gain site page.

No personal data ever leaves here: sites, parcels, the areas a site lies in, LPAs, responsible bodies,
allocations by planning reference, the site's history, and the documents the register published.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from bng.metric import UNIT_NAMES
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
from bng.register.core.ports import Page, SiteQuery, UnitOfWork
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
        """The post-intervention units not yet allocated: what the gain site can still sell."""
        return self.post_intervention_units - self.allocated_units


@dataclass
class SiteView:
    """Everything the gain site's public page shows, gathered in one unit of work."""

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
        return ", ".join(f"{shown(taken[m])} {UNIT_NAMES[m]}" for m in UNIT_NAMES if m in taken)

    def totals(self) -> list[ModuleTotals]:
        """Baseline, post-intervention and allocated units by module; a module with no units is left out."""
        out = {m: ModuleTotals(m) for m in ("area", "hedgerow", "watercourse")}
        for p in self.parcels:
            t = out[p.module]
            if p.stage == "baseline":
                t.baseline_units += p.units
            elif p.stage in SELLABLE_STAGES:
                t.post_intervention_units += p.units
                t.allocated_units += p.allocated_units
        return [t for t in out.values() if t.baseline_units or t.post_intervention_units]


def searched(
    uow: UnitOfWork, query: SiteQuery, total_at: Callable[[datetime | None], int | None]
) -> tuple[datetime | None, Page]:
    """The register's last change, then a page of the search, counted only if ``total_at`` has no count for it.

    A search asked for the first time reads the version its answer is kept under (the last change of a
    gain site or an allocation) in the same unit of work as its page: one checkout and transaction of the
    database a request, not two. ``total_at(changed)`` gives the count kept for that version, if any.
    """
    changed = uow.sites.last_change()
    total = total_at(changed)
    return changed, uow.sites.search(query if total is None else replace(query, total=total))


class PublicRegister(Service):
    """The register as anyone may read it: the search and a gain site's page, never personal data."""

    def search(self, query: SiteQuery) -> Page:
        """A page of gain sites found by the public search's filters (items are GainSite)."""
        with self._uow() as uow:
            return uow.sites.search(query)

    def search_at(
        self, query: SiteQuery, total_at: Callable[[datetime | None], int | None]
    ) -> tuple[datetime | None, Page]:
        """The register's last change and a page of the search, in one unit of work (see :func:`searched`)."""
        with self._uow() as uow:
            return searched(uow, query, total_at)

    def site(self, reference: str, include_removed: bool = True) -> SiteView:
        """A gain site's page by its reference (any case); a removed site is still shown, its history public."""
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
        """When a gain site or an allocation last changed: the version kept searches are keyed by."""
        with self._uow() as uow:
            return uow.sites.last_change()

    def lpas(self, include_past: bool = False) -> Sequence[Lpa]:
        """The LPAs to offer: those that are LPAs today (``include_past``: abolished ones too, for records)."""
        with self._uow() as uow:
            found = list(uow.lpas.all())
        return found if include_past else current(found, self.today())

    def responsible_bodies(self, include_withdrawn: bool = False) -> list[ResponsibleBody]:
        """The responsible bodies for conservation covenants (``include_withdrawn``: those no longer designated too)."""
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
