"""The planning cases' repository (``bng.register.planning.cases.PlanningRecords``) on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bng.register.planning.cases import PlanningCase, PlanningCaseEvent

from . import planning_tables as t


class PlanningRecords:
    def __init__(self, session: Session) -> None:
        self.s = session

    def case(self, reference: str, *, for_update: bool = False) -> PlanningCase | None:
        q = select(PlanningCase).where(t.planning_case.c.reference == reference)
        q = q.execution_options(populate_existing=True)
        if for_update:
            q = q.with_for_update()
        return self.s.scalars(q).first()

    def of_owner(self, user_id: int) -> Sequence[PlanningCase]:
        c = t.planning_case
        return self.s.scalars(
            select(PlanningCase).where(c.c.submitted_by == user_id).order_by(c.c.received_at.desc(), c.c.id.desc())
        ).all()

    def of_lpa(self, lpa_id: int) -> Sequence[PlanningCase]:
        c = t.planning_case
        return self.s.scalars(select(PlanningCase).where(c.c.lpa_id == lpa_id).order_by(c.c.received_at, c.c.id)).all()

    def decided(self) -> Sequence[PlanningCase]:
        c = t.planning_case
        q = (
            select(PlanningCase)
            .where(c.c.status.in_(("approved", "refused")))
            .order_by(c.c.decided_on.desc(), c.c.id.desc())
        )
        return self.s.scalars(q).all()

    def by_submission(self, user_id: int, sha256: str, planning_reference: str) -> PlanningCase | None:
        c = t.planning_case
        q = select(PlanningCase).where(
            c.c.submitted_by == user_id, c.c.submission_sha256 == sha256, c.c.planning_reference == planning_reference
        )
        return self.s.scalars(q.order_by(c.c.id)).first()

    def events(self, case_id: int) -> Sequence[PlanningCaseEvent]:
        e = t.planning_case_event
        return self.s.scalars(select(PlanningCaseEvent).where(e.c.case_id == case_id).order_by(e.c.at, e.c.id)).all()
