"""Reading allocations: one's own, one as its page shows it, and whether the landowner must consent.

An allocation from a gain site needs its landowner's written consent unless the landowner makes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bng.register.core.audit import Actor
from bng.register.core.errors import NotFound
from bng.register.core.model import (
    Allocation,
    AllocationLine,
    GainSite,
    HabitatParcel,
    Lpa,
    Payment,
    Refund,
    StoredFile,
)
from bng.register.core.references import normalise
from bng.register.core.roles import Permission, can
from bng.register.core.service import require

from .checking import AllocationChecks


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
        """The refund recorded of one of the allocation's payments, if any."""
        return self.refunds.get(payment.id) if payment.id is not None else None

    def units_by_module(self) -> dict[str, float]:
        """The units the allocation took, by module (area, hedgerow, watercourse)."""
        out: dict[str, float] = {}
        for line, parcel in self.lines:
            out[parcel.module] = out.get(parcel.module, 0.0) + float(line.units)
        return out


class AllocationReads(AllocationChecks):
    """What those who record allocations (developers, landowners) and the register team read of them."""

    def needs_consent(self, actor: Actor | None, site_reference: str) -> bool:
        """Whether allocating from the gain site needs its landowner's written consent (anyone but its landowner)."""
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
