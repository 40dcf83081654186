"""Monitoring's repository (``bng.register.monitoring.records.MonitoringRecords``) on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bng.register.core import errors
from bng.register.core.model import OutboxMessage
from bng.register.monitoring.records import (
    CalendarFeed,
    ExcessAccount,
    ExcessSale,
    MonitoringEvent,
    MonitoringReport,
    Obligation,
    RemedialAction,
)

from . import monitoring_tables as t
from .results import changed
from .types import Millionths


class MonitoringRecords:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _first(self, q: Any, for_update: bool = False) -> Any:
        q = q.execution_options(populate_existing=True)
        if for_update:
            q = q.with_for_update()
        return self.s.scalars(q).first()

    # -- obligations -----------------------------------------------------------------------------------
    def obligation(self, reference: str, *, for_update: bool = False) -> Obligation | None:
        found: Obligation | None = self._first(
            select(Obligation).where(t.monitoring_obligation.c.reference == reference), for_update
        )
        return found

    def obligation_of_case(self, case_id: int) -> Obligation | None:
        return self.s.scalars(select(Obligation).where(t.monitoring_obligation.c.planning_case_id == case_id)).first()

    def obligation_of_site(self, site_id: int) -> Obligation | None:
        return self.s.scalars(select(Obligation).where(t.monitoring_obligation.c.gain_site_id == site_id)).first()

    def obligations_of_lpa(self, lpa_id: int) -> Sequence[Obligation]:
        o = t.monitoring_obligation
        return self.s.scalars(select(Obligation).where(o.c.lpa_id == lpa_id).order_by(o.c.start_date, o.c.id)).all()

    def obligations_of_provider(self, user_id: int) -> Sequence[Obligation]:
        o = t.monitoring_obligation
        q = select(Obligation).where(o.c.provider_id == user_id).order_by(o.c.start_date, o.c.id)
        return self.s.scalars(q).all()

    def active(self) -> Sequence[Obligation]:
        o = t.monitoring_obligation
        return self.s.scalars(select(Obligation).where(o.c.status == "active").order_by(o.c.id)).all()

    # -- reports and actions ---------------------------------------------------------------------------
    def reports(self, obligation_id: int) -> Sequence[MonitoringReport]:
        r = t.monitoring_report
        q = select(MonitoringReport).where(r.c.obligation_id == obligation_id).order_by(r.c.year, r.c.submitted_at)
        return self.s.scalars(q.order_by(r.c.id)).all()

    def report(self, reference: str, *, for_update: bool = False) -> MonitoringReport | None:
        found: MonitoringReport | None = self._first(
            select(MonitoringReport).where(t.monitoring_report.c.reference == reference), for_update
        )
        return found

    def report_by_token(self, token: str) -> MonitoringReport | None:
        return self.s.scalars(select(MonitoringReport).where(t.monitoring_report.c.token == token)).first()

    def report_by_content(self, obligation_id: int, year: int, sha256: str) -> MonitoringReport | None:
        r = t.monitoring_report
        q = select(MonitoringReport).where(
            r.c.obligation_id == obligation_id, r.c.year == year, r.c.content_sha256 == sha256
        )
        return self.s.scalars(q.order_by(r.c.id)).first()

    def actions(self, obligation_id: int) -> Sequence[RemedialAction]:
        a = t.monitoring_action
        q = select(RemedialAction).where(a.c.obligation_id == obligation_id).order_by(a.c.created_at, a.c.id)
        return self.s.scalars(q).all()

    def action(self, reference: str, *, for_update: bool = False) -> RemedialAction | None:
        found: RemedialAction | None = self._first(
            select(RemedialAction).where(t.monitoring_action.c.reference == reference), for_update
        )
        return found

    def action_by_token(self, token: str) -> RemedialAction | None:
        return self.s.scalars(select(RemedialAction).where(t.monitoring_action.c.token == token)).first()

    def events(self, obligation_id: int) -> Sequence[MonitoringEvent]:
        e = t.monitoring_event
        q = select(MonitoringEvent).where(e.c.obligation_id == obligation_id).order_by(e.c.at, e.c.id)
        return self.s.scalars(q).all()

    # -- outbox and feeds ------------------------------------------------------------------------------
    def outbox_has(self, key: str) -> bool:
        return bool(self.s.scalar(select(exists().where(t.notification_outbox.c.key == key))))

    def outbox(self, unsent_only: bool = False) -> Sequence[OutboxMessage]:
        o = t.notification_outbox
        q = select(OutboxMessage).where(o.c.obligation_id.is_not(None))  # monitoring's own messages
        if unsent_only:
            q = q.where(o.c.sent_at.is_(None))
        return self.s.scalars(q.order_by(o.c.send_on, o.c.id)).all()

    def feed(self, token_hash: str) -> CalendarFeed | None:
        return self.s.scalars(select(CalendarFeed).where(t.calendar_feed.c.token_hash == token_hash)).first()

    def feed_of(self, kind: str, lpa_id: int | None, user_id: int | None) -> CalendarFeed | None:
        f = t.calendar_feed
        q = select(CalendarFeed).where(f.c.kind == kind)
        q = q.where(f.c.lpa_id == lpa_id) if lpa_id is not None else q.where(f.c.lpa_id.is_(None))
        q = q.where(f.c.user_id == user_id) if user_id is not None else q.where(f.c.user_id.is_(None))
        return self.s.scalars(q).first()

    # -- the excess-sale ledger ------------------------------------------------------------------------
    def excess_accounts(self, case_id: int) -> Sequence[ExcessAccount]:
        a = t.excess_account
        q = select(ExcessAccount).where(a.c.planning_case_id == case_id).order_by(a.c.id)
        return self.s.scalars(q.execution_options(populate_existing=True)).all()

    def sell(self, case_id: int, module: str, units: Decimal) -> None:
        a = t.excess_account
        stmt = (
            update(a)
            .where(a.c.planning_case_id == case_id, a.c.module == module)
            .values(sold_micro=a.c.sold_micro + literal(units, Millionths()))
            .execution_options(synchronize_session=False)
        )
        try:
            done = self.s.execute(stmt)  # the row lock queues a concurrent sale behind this one (PostgreSQL)
        except IntegrityError as err:  # the unit of work is left to roll back: the sale fails whole
            if "excess_within_sellable" in str(err.orig):
                raise errors.OverAllocation(
                    f"Less {module} excess remains than this sale asks for: the same units cannot be sold twice"
                ) from None
            raise
        if changed(done) != 1:
            raise errors.Conflict(f"The development has no {module} excess to sell")

    def sales(self, case_id: int) -> Sequence[ExcessSale]:
        s = t.excess_sale
        q = select(ExcessSale).where(s.c.planning_case_id == case_id).order_by(s.c.created_at, s.c.id)
        return self.s.scalars(q).all()

    def sale_by_token(self, token: str) -> ExcessSale | None:
        return self.s.scalars(select(ExcessSale).where(t.excess_sale.c.token == token)).first()

    def sales_to_lpa(self, lpa_id: int) -> Sequence[ExcessSale]:
        s = t.excess_sale
        q = select(ExcessSale).where(s.c.buyer_lpa_id == lpa_id).order_by(s.c.created_at, s.c.id)
        return self.s.scalars(q).all()
