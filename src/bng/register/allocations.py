"""Allocations against the capacity ledger (the foundation; the allocation journey builds on it).

``allocate`` records that a development uses part of one or more parcels of a registered gain
site. Each line is checked against what remains (a clear message), then stored; the database
moves the parcel's allocated totals in the same statement and refuses, with a CHECK constraint,
anything beyond capacity, so two requests racing for the last units cannot both win.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import audit
from .audit import Actor
from .errors import Conflict, Invalid, NotFound
from .fees import FeePurpose, fee
from .habitats import SIZE_UNITS
from .ledger import Capacity, check_allocation
from .model import Allocation, AllocationLine, Payment, SiteStatus
from .references import allocation_reference, payment_reference
from .roles import Permission
from .service import Service, require


@dataclass(frozen=True, slots=True)
class Request:
    """A parcel and how much of it (millionths of a hectare or kilometre)."""

    parcel_id: int
    size_micro: int


@dataclass(frozen=True, slots=True)
class Development:
    lpa_id: int
    planning_reference: str
    name: str


class Allocations(Service):
    def allocate(
        self, actor: Actor | None, site_reference: str, development: Development, lines: Sequence[Request]
    ) -> Allocation:
        actor = require(actor, Permission.ALLOCATE)
        if not lines:
            raise Invalid.one("parcels", "Select at least one habitat parcel and the quantity to allocate")
        if not development.planning_reference.strip():
            raise Invalid.one("planning_reference", "Enter the planning application reference")
        now = self.now()
        with self._uow(write=True) as uow:
            site = uow.sites.by_reference(site_reference.strip().upper())
            if site is None or site.id is None:
                raise NotFound("No such gain site")
            if site.status != SiteStatus.REGISTERED:
                raise Conflict(f"Gain site {site.reference} has been removed from the register")
            if uow.lpas.get(development.lpa_id) is None:
                raise Invalid.one("lpa_id", "Select the development's LPA from the list")
            allocation = Allocation(
                reference=allocation_reference(),
                gain_site_id=site.id,
                lpa_id=development.lpa_id,
                planning_reference=development.planning_reference.strip()[:100],
                development_name=development.name.strip()[:200],
                created_at=now,
                created_by=actor.user_id,
            )
            uow.add(allocation)
            uow.flush()
            assert allocation.id is not None
            for req in lines:
                parcel = uow.ledger.parcel(req.parcel_id, for_update=True)
                if parcel is None or parcel.gain_site_id != site.id:
                    raise Invalid.one(
                        "parcels", f"Parcel {req.parcel_id} is not a parcel of gain site {site.reference}"
                    )
                cap = Capacity(
                    parcel.size_micro, parcel.units_micro, parcel.allocated_size_micro, parcel.allocated_units_micro
                )
                what = f"parcel {parcel.ref} ({parcel.habitat})"
                units = check_allocation(parcel.stage, cap, req.size_micro, what, SIZE_UNITS[parcel.module])
                uow.ledger.add_line(AllocationLine(allocation.id, req.parcel_id, req.size_micro, units))
            payment = Payment(
                reference=payment_reference(),
                purpose=FeePurpose.ALLOCATION,
                amount_pence=fee(FeePurpose.ALLOCATION, now.date()),
                created_at=now,
                payer_id=actor.user_id,
                allocation_id=allocation.id,
            )
            uow.add(payment)
            audit.record(
                uow,
                now,
                actor,
                "allocation.recorded",
                "allocation",
                allocation.reference,
                None,
                {**audit.snapshot(allocation), "lines": [(r.parcel_id, r.size_micro) for r in lines]},
            )
            uow.commit()
            return allocation
