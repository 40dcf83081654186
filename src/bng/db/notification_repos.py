"""The outbox as a queue (``notification_outbox``, migration 0014): claiming due messages for one worker,
finishing them, and listing them for the staff page.

A claim is a compare-and-set: ``UPDATE … SET status = 'sending', claimed_by = me … WHERE id = :id AND (still
due)``, one row at a time, counted by its rowcount. On PostgreSQL the candidates are read ``FOR UPDATE SKIP
LOCKED`` (a second worker passes over rows the first is claiming instead of waiting) and a row another
worker claimed between the read and the update fails the condition after waiting for its lock (READ
COMMITTED re-reads it); on SQLite the write transaction holds the database's write lock from BEGIN. Either
way two workers never hold the same message. A ``sending`` message whose claim has run out (its worker
died) is due again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from bng.register.core.model import OutboxMessage
from bng.register.core.ports import Page

from . import monitoring_tables as t
from .results import changed


class NotificationRecords:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _due(self, now: datetime) -> Any:
        o = t.notification_outbox
        waiting = and_(
            o.c.status == "queued",
            o.c.send_on <= now.date(),
            or_(o.c.next_attempt_at.is_(None), o.c.next_attempt_at <= now),
        )
        abandoned = and_(o.c.status == "sending", o.c.claimed_until < now)
        return or_(waiting, abandoned)

    def claim(self, worker: str, now: datetime, until: datetime, limit: int) -> Sequence[OutboxMessage]:
        o = t.notification_outbox
        q = select(o.c.id).where(self._due(now)).order_by(o.c.send_on, o.c.id).limit(limit)
        if self.s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        taken: list[int] = []
        for message_id in self.s.scalars(q).all():
            done = self.s.execute(
                update(o)
                .where(o.c.id == message_id, self._due(now))
                .values(status="sending", claimed_by=worker, claimed_until=until, attempts=o.c.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if changed(done) == 1:
                taken.append(message_id)
        if not taken:
            return []
        q2 = select(OutboxMessage).where(o.c.id.in_(taken)).order_by(o.c.send_on, o.c.id)
        return self.s.scalars(q2.execution_options(populate_existing=True)).all()

    def finish(self, message_id: int, worker: str, values: Mapping[str, Any]) -> bool:
        o = t.notification_outbox
        mine = and_(o.c.id == message_id, o.c.status == "sending", o.c.claimed_by == worker)
        done = self.s.execute(update(o).where(mine).values(**values).execution_options(synchronize_session=False))
        return changed(done) == 1

    def get(self, message_id: int) -> OutboxMessage | None:
        return self.s.get(OutboxMessage, message_id)

    def listing(self, page: int, per_page: int, to_email: str | None = None, status: str = "") -> Page:
        o = t.notification_outbox
        conditions: list[Any] = []
        if to_email is not None:
            conditions.append(func.lower(o.c.to_email) == to_email.lower())
        if status:
            conditions.append(o.c.status == status)
        where = and_(True, *conditions)
        total = self.s.scalar(select(func.count()).select_from(o).where(where)) or 0
        page = max(1, page)
        q = select(OutboxMessage).where(where).order_by(o.c.id.desc()).limit(per_page).offset((page - 1) * per_page)
        return Page(self.s.scalars(q).all(), int(total), page, per_page)

    def counts(self) -> dict[str, int]:
        o = t.notification_outbox
        return {str(s): int(n) for s, n in self.s.execute(select(o.c.status, func.count()).group_by(o.c.status))}
