"""Recording an allocation: the allocation journey's confirmation, and the one path that stores a checked plan.

``RecordAllocation`` is the journey's confirmation; its ``record`` stores a checked plan, the journey's
and the combined case's.
"""

from __future__ import annotations

from collections.abc import Sequence

from bng.register.core import audit, notifications, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Invalid
from bng.register.core.fees import FeePurpose
from bng.register.core.filetypes import DocumentKind
from bng.register.core.model import Allocation, AllocationLine, Payment, StoredFile
from bng.register.core.ports import UnitOfWork
from bng.register.core.references import allocation_reference, payment_reference
from bng.register.core.roles import Permission
from bng.register.core.service import require
from bng.register.core.uploads import Upload

from .checking import AllocationChecks
from .plans import AllocationPlan, Development, Request


class RecordAllocation(AllocationChecks):
    """A developer or landowner confirms an allocation: a gain site's units recorded for a development, fee due."""

    def __call__(
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
            plan = self.plan_in(uow, actor, site, development, lines, metric_data, lock=True)
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
        """Store a checked plan in an open unit of work (its parcels locked), with its fee due and audit entry.

        The allocation's lines move the ledger (the database refuses more than remains). The combined case
        records the allocation on acceptance: ``made_by`` is then the applicant (whose allocation it is;
        ``actor``, the case worker, is who recorded it) and ``payment`` the allocation fee paid with the
        application, linked to the allocation instead of a new fee falling due.
        """
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
