"""Who sees what (``bng.register.access.service``) on SQLAlchemy Core: allocations by gain site owner and by the
development's LPA, an LPA's credit purchases, and messages to gain site providers."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bng.register.access.service import AllocationRow, ProviderMessage, PurchaseRow, ReceivedMessage

from . import credit_tables as ct
from . import tables as t
from .access_tables import provider_message


class AccessRecords:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _allocations(self, *where: Any) -> list[AllocationRow]:
        al, g, lpa = t.allocation, t.gain_site, t.lpa
        q = (
            select(
                al.c.id,
                al.c.reference,
                g.c.reference,
                g.c.name,
                lpa.c.name,
                al.c.planning_reference,
                al.c.development_name,
                al.c.created_at,
                al.c.spatial_risk,
            )
            .select_from(al.join(g, al.c.gain_site_id == g.c.id).join(lpa, al.c.lpa_id == lpa.c.id))
            .where(*where)
            .order_by(al.c.created_at.desc(), al.c.id.desc())
        )
        rows = self.s.execute(q).all()
        totals = self._units([r[0] for r in rows])
        return [AllocationRow(*r[1:], units=totals.get(r[0], {})) for r in rows]

    def _units(self, allocation_ids: Sequence[int]) -> dict[int, dict[str, Decimal]]:
        if not allocation_ids:
            return {}
        line, p = t.allocation_line, t.habitat_parcel
        q = (
            select(line.c.allocation_id, p.c.module, func.sum(line.c.units_micro))
            .select_from(line.join(p, line.c.parcel_id == p.c.id))
            .where(line.c.allocation_id.in_(list(allocation_ids)))
            .group_by(line.c.allocation_id, p.c.module)
        )
        out: dict[int, dict[str, Decimal]] = {}
        for allocation_id, module, units in self.s.execute(q).all():
            out.setdefault(allocation_id, {})[module] = units
        return out

    def allocations_on_sites_of(self, owner_id: int) -> list[AllocationRow]:
        app = t.application
        owned = select(app.c.id).where(app.c.owner_id == owner_id)
        return self._allocations(t.gain_site.c.application_id.in_(owned))

    def allocations_in_lpa(self, lpa_id: int) -> list[AllocationRow]:
        return self._allocations(t.allocation.c.lpa_id == lpa_id)

    def purchases_in_lpa(self, lpa_id: int, statuses: Sequence[str]) -> list[PurchaseRow]:
        o, inv, line = ct.credit_order, ct.credit_invoice, ct.credit_order_line
        credits = (
            select(func.coalesce(func.sum(line.c.quantity_hundredths), 0))
            .where(line.c.order_id == o.c.id)
            .scalar_subquery()
        )
        q = (
            select(
                o.c.reference,
                o.c.development_name,
                o.c.planning_reference,
                o.c.status,
                o.c.paid_on,
                o.c.sent_to_lpa_on,
                credits,
                func.coalesce(inv.c.total_pence, 0),
            )
            .select_from(o.outerjoin(inv, inv.c.order_id == o.c.id))
            .where(o.c.lpa_id == lpa_id, o.c.status.in_(list(statuses)))
            .order_by(o.c.paid_on.desc(), o.c.reference)
        )
        return [PurchaseRow(r[0], r[1], r[2], r[3], r[4], r[5], int(r[6]), int(r[7])) for r in self.s.execute(q).all()]

    def site_owner(self, site_id: int) -> int | None:
        g, app = t.gain_site, t.application
        q = select(app.c.owner_id).select_from(g.join(app, g.c.application_id == app.c.id)).where(g.c.id == site_id)
        found = self.s.execute(q).scalar()
        return int(found) if found is not None else None

    def add_message(self, message: ProviderMessage) -> None:
        values = {
            "reference": message.reference,
            "gain_site_id": message.gain_site_id,
            "sender_id": message.sender_id,
            "recipient_id": message.recipient_id,
            "body": message.body,
            "created_at": message.created_at,
        }
        self.s.execute(insert(provider_message).values(**values))

    def messages_to(self, user_id: int) -> list[ReceivedMessage]:
        m, g, a = provider_message, t.gain_site, t.account
        q = (
            select(m.c.reference, g.c.reference, a.c.name, a.c.organisation, a.c.email, m.c.body, m.c.created_at)
            .select_from(m.join(g, m.c.gain_site_id == g.c.id).join(a, m.c.sender_id == a.c.id))
            .where(m.c.recipient_id == user_id)
            .order_by(m.c.created_at.desc(), m.c.id.desc())
        )
        return [ReceivedMessage(*r) for r in self.s.execute(q).all()]
