"""Organisations and their members (``bng.register.accounts.organisations``) on SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from bng.register.accounts.organisations import Member, Organisation

from .organisation_tables import organisation, organisation_member
from .tables import account

COLUMNS = ("name", "kind", "created_at", "lpa_id", "closed_at", "id")


def _organisation(row: Any) -> Organisation:
    return Organisation(**{c: getattr(row, c) for c in COLUMNS})


class OrganisationRecords:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, made: Organisation) -> int:
        values = {c: getattr(made, c) for c in COLUMNS if c != "id"}
        return int(self.s.execute(insert(organisation).values(**values).returning(organisation.c.id)).scalar_one())

    def get(self, organisation_id: int) -> Organisation | None:
        q = select(*(organisation.c[c] for c in COLUMNS)).where(organisation.c.id == organisation_id)
        row = self.s.execute(q).first()
        return _organisation(row) if row is not None else None

    def close(self, organisation_id: int, at: datetime) -> None:
        o = organisation
        self.s.execute(update(o).where(o.c.id == organisation_id, o.c.closed_at.is_(None)).values(closed_at=at))

    def of_user(self, user_id: int) -> list[tuple[Organisation, str]]:
        o, m = organisation, organisation_member
        q = (
            select(*(o.c[c] for c in COLUMNS), m.c.role.label("member_role"))
            .join(m, m.c.organisation_id == o.c.id)
            .where(m.c.user_id == user_id, o.c.closed_at.is_(None))
            .order_by(o.c.name, o.c.id)
        )
        return [(_organisation(row), str(row.member_role)) for row in self.s.execute(q)]

    def members(self, organisation_id: int) -> list[Member]:
        m, a = organisation_member, account
        q = (
            select(
                m.c.organisation_id,
                m.c.user_id,
                m.c.role,
                m.c.joined_at,
                m.c.invited_by,
                m.c.id,
                a.c.email,
                a.c.name,
                a.c.role.label("account_role"),
                a.c.lpa_id,
                a.c.active,
            )
            .join(a, a.c.id == m.c.user_id)
            .where(m.c.organisation_id == organisation_id)
            .order_by(m.c.joined_at, m.c.id)
        )
        return [
            Member(
                r.organisation_id,
                r.user_id,
                r.role,
                r.joined_at,
                r.invited_by,
                r.email,
                r.name,
                r.account_role,
                r.lpa_id,
                bool(r.active),
                r.id,
            )
            for r in self.s.execute(q)
        ]

    def add_member(self, member: Member) -> None:
        values = {c: getattr(member, c) for c in ("organisation_id", "user_id", "role", "joined_at", "invited_by")}
        self.s.execute(insert(organisation_member).values(**values))

    def remove_member(self, organisation_id: int, user_id: int) -> None:
        m = organisation_member
        self.s.execute(delete(m).where(m.c.organisation_id == organisation_id, m.c.user_id == user_id))

    def set_role(self, organisation_id: int, user_id: int, role: str) -> None:
        m = organisation_member
        which = (m.c.organisation_id == organisation_id) & (m.c.user_id == user_id)
        self.s.execute(update(m).where(which).values(role=role))
