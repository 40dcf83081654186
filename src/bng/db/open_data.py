"""The register as open data, each page in a fixed number of queries whatever its size.

Pages of habitat parcels and allocations, and what a page of sites needs besides the sites themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bng.register.core.model import Allocation, HabitatParcel
from bng.register.core.ports import AllocationQuery, Page, ParcelQuery

from . import tables


class OpenData:
    """The ``OpenData`` port on SQLAlchemy: each page in a fixed number of queries."""

    def __init__(self, session: Session) -> None:
        """Queries in ``session`` (the unit of work's)."""
        self.s = session

    def parcels(self, query: ParcelQuery) -> Page:
        """A page of the registered sites' habitat parcels, with each parcel's gain site reference."""
        p, g, a = tables.habitat_parcel, tables.gain_site, tables.gain_site_area
        conditions: list[Any] = [g.c.status == "registered"]
        if query.site_reference:
            conditions.append(g.c.reference == query.site_reference.strip().upper())
        if query.module:
            conditions.append(p.c.module == query.module)
        if query.stage:
            conditions.append(p.c.stage == query.stage)
        if query.habitat:
            conditions.append(func.lower(p.c.habitat).like(f"%{query.habitat.strip().lower()}%"))
        if query.lpa:
            in_lpa = select(a.c.gain_site_id).where(a.c.kind == "lpa", a.c.name == query.lpa)
            conditions.append(g.c.id.in_(in_lpa))
        joined = p.join(g, p.c.gain_site_id == g.c.id)
        where = and_(*conditions)
        total = int(self.s.scalar(select(func.count()).select_from(joined).where(where)) or 0)
        page = max(1, query.page)
        q = (
            select(HabitatParcel, g.c.reference)
            .select_from(joined)
            .where(where)
            .order_by(p.c.gain_site_id, p.c.id)
            .limit(query.per_page)
            .offset((page - 1) * query.per_page)
        )
        return Page([(row[0], row[1]) for row in self.s.execute(q).all()], total, page, query.per_page)

    def allocations(self, query: AllocationQuery) -> Page:
        """A page of allocations with the site, the LPA and the sizes and units allocated by module."""
        al, g, lpa = tables.allocation, tables.gain_site, tables.lpa
        conditions: list[Any] = []
        if query.site_reference:
            conditions.append(g.c.reference == query.site_reference.strip().upper())
        if query.lpa:
            conditions.append(lpa.c.name == query.lpa)
        if query.planning_reference:
            conditions.append(func.lower(al.c.planning_reference) == query.planning_reference.strip().lower())
        joined = al.join(g, al.c.gain_site_id == g.c.id).join(lpa, al.c.lpa_id == lpa.c.id)
        where = and_(True, *conditions)
        total = int(self.s.scalar(select(func.count()).select_from(joined).where(where)) or 0)
        page = max(1, query.page)
        q = (
            select(Allocation, g.c.reference, lpa.c.name, g.c.easting, g.c.northing)
            .select_from(joined)
            .where(where)
            .order_by(al.c.id)
            .limit(query.per_page)
            .offset((page - 1) * query.per_page)
        )
        rows = self.s.execute(q).all()
        totals = self._line_totals([r[0].id for r in rows])
        items = [(r[0], r[1], r[2], totals.get(r[0].id, {}), (r[3], r[4])) for r in rows]
        return Page(items, total, page, query.per_page)

    def _line_totals(self, allocation_ids: Sequence[int]) -> dict[int, dict[str, tuple[Decimal, Decimal]]]:
        if not allocation_ids:
            return {}
        line, p = tables.allocation_line, tables.habitat_parcel
        q = (
            select(line.c.allocation_id, p.c.module, func.sum(line.c.size_micro), func.sum(line.c.units_micro))
            .select_from(line.join(p, line.c.parcel_id == p.c.id))
            .where(line.c.allocation_id.in_(list(allocation_ids)))
            .group_by(line.c.allocation_id, p.c.module)
        )
        out: dict[int, dict[str, tuple[Decimal, Decimal]]] = {}
        for allocation_id, module, size, units in self.s.execute(q).all():
            out.setdefault(allocation_id, {})[module] = (size, units)
        return out

    def site_extras(self, site_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Each site's responsible body and the LPAs, NCAs and LNRS areas it lies in."""
        if not site_ids:
            return {}
        g, b, a = tables.gain_site, tables.responsible_body, tables.gain_site_area
        ids = list(site_ids)
        out: dict[int, dict[str, Any]] = {i: {"responsible_body": None, "lpa": [], "nca": [], "lnrs": []} for i in ids}
        q = select(g.c.id, b.c.name).select_from(g.join(b, g.c.responsible_body_id == b.c.id)).where(g.c.id.in_(ids))
        for site_id, name in self.s.execute(q).all():
            out[site_id]["responsible_body"] = name
        q2 = select(a.c.gain_site_id, a.c.kind, a.c.name).where(a.c.gain_site_id.in_(ids)).order_by(a.c.share.desc())
        for site_id, kind, name in self.s.execute(q2).all():
            out[site_id][kind].append(name)
        return out
