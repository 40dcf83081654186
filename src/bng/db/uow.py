"""The unit of work and repositories of :mod:`bng.register.core.ports`, on SQLAlchemy.

One unit of work is one transaction. Leaving it without ``commit()`` rolls everything back and
runs the ``on_rollback`` actions (removing files the action stored); ``commit()`` runs the
``on_commit`` ones (moving staged files into place). A COMMIT whose answer is lost with the connection
runs neither: the outcome is unknown, and the file store's sweep settles the staged files later.
Database errors that mean "someone else got there first" become the register's own errors: a
broken CHECK of the capacity ledger is :class:`~bng.register.core.errors.OverAllocation`, a lost
update or unique clash is :class:`~bng.register.core.errors.Conflict`; a number or text the database
cannot hold is :class:`~bng.register.core.errors.Invalid`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import (
    Engine,
    Float,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import UnaryExpression

from bng.register.core import errors, notifications
from bng.register.core.geometries import GeometryRef, canonical, ref_of
from bng.register.core.ledger import quantity
from bng.register.core.model import (
    AgreementLpa,
    Allocation,
    AllocationLine,
    Application,
    ApplicationEvent,
    AuditEvent,
    CardPayment,
    GainSite,
    GainSiteArea,
    HabitatParcel,
    LoginSession,
    Lpa,
    Payment,
    Refund,
    ResponsibleBody,
    SiteEvent,
    StoredFile,
    User,
)
from bng.register.core.ports import Claimed, EmailLink, Page, SiteQuery

from . import tables
from .access_repos import AccessRecords
from .api_token_repos import ApiTokenRecords
from .credit_repos import CreditRecords
from .engine import WRITE
from .mapping import map_models
from .money_repos import MoneyRecords
from .monitoring_repos import MonitoringRecords
from .notification_repos import NotificationRecords
from .open_data import OpenData
from .organisation_repos import OrganisationRecords
from .planning_repos import PlanningRecords
from .results import changed


class _Repo:
    def __init__(self, session: Session) -> None:
        self.s = session


class Users(_Repo):
    def get(self, user_id: int) -> User | None:
        return self.s.get(User, user_id)

    def by_email(self, email: str) -> User | None:
        return self.s.scalars(select(User).where(tables.account.c.email == email)).first()

    def all(self) -> Sequence[User]:
        return self.s.scalars(select(User).order_by(tables.account.c.role, tables.account.c.email)).all()

    def advance_code_step(self, user_id: int, step: int) -> bool:
        t = tables.account
        later = or_(t.c.totp_last_step.is_(None), t.c.totp_last_step < step)
        done = self.s.execute(update(t).where(t.c.id == user_id, later).values(totp_last_step=step))
        user = self.s.get(User, user_id)
        if user is not None and changed(done) == 1:
            user.totp_last_step = step  # the same value: the loaded object agrees with its row
        return changed(done) == 1


class Sessions(_Repo):
    def by_token_hash(self, token_hash: str) -> LoginSession | None:
        return self.s.scalars(select(LoginSession).where(tables.login_session.c.token_hash == token_hash)).first()

    def revoke_all(self, user_id: int, at: datetime, keep: str | None = None) -> int:
        t = tables.login_session
        live = self.s.scalars(select(LoginSession).where(t.c.user_id == user_id, t.c.revoked_at.is_(None))).all()
        ended = [s for s in live if s.token_hash != keep]
        for session in ended:
            session.revoked_at = at
        return len(ended)


class Lpas(_Repo):
    def get(self, lpa_id: int) -> Lpa | None:
        return self.s.get(Lpa, lpa_id)

    def by_name(self, name: str) -> Lpa | None:
        return self.s.scalars(select(Lpa).where(tables.lpa.c.name == name)).first()

    def all(self) -> Sequence[Lpa]:
        return self.s.scalars(select(Lpa).order_by(tables.lpa.c.name)).all()


class Bodies(_Repo):
    def get(self, body_id: int) -> ResponsibleBody | None:
        return self.s.get(ResponsibleBody, body_id)

    def by_name(self, name: str) -> ResponsibleBody | None:
        t = tables.responsible_body
        return self.s.scalars(select(ResponsibleBody).where(func.lower(t.c.name) == name.lower())).first()

    def all(self) -> Sequence[ResponsibleBody]:
        return self.s.scalars(select(ResponsibleBody).order_by(tables.responsible_body.c.name)).all()


class Files(_Repo):
    def get(self, file_id: int) -> StoredFile | None:
        return self.s.get(StoredFile, file_id)

    def for_application(self, application_id: int) -> Sequence[StoredFile]:
        t = tables.stored_file
        return self.s.scalars(select(StoredFile).where(t.c.application_id == application_id).order_by(t.c.id)).all()

    def in_use(self, file_id: int) -> bool:
        a = tables.allocation
        held = or_(a.c.metric_file_id == file_id, a.c.consent_file_id == file_id)
        return bool(self.s.scalar(select(exists().where(held))))


class Applications(_Repo):
    def get(self, application_id: int) -> Application | None:
        return self.s.get(Application, application_id)

    def by_reference(self, reference: str) -> Application | None:
        return self.s.scalars(select(Application).where(tables.application.c.reference == reference)).first()

    def for_owner(self, user_id: int) -> Sequence[Application]:
        t = tables.application
        return self.s.scalars(select(Application).where(t.c.owner_id == user_id).order_by(t.c.created_at.desc())).all()

    def with_status(self, statuses: Sequence[str]) -> Sequence[Application]:
        t = tables.application
        return self.s.scalars(select(Application).where(t.c.status.in_(list(statuses))).order_by(t.c.id)).all()

    def events(self, application_id: int) -> Sequence[ApplicationEvent]:
        t = tables.application_event
        q = select(ApplicationEvent).where(t.c.application_id == application_id).order_by(t.c.at, t.c.id)
        return self.s.scalars(q).all()


class Payments(_Repo):
    def get(self, payment_id: int) -> Payment | None:
        return self.s.get(Payment, payment_id)

    def by_reference(self, reference: str) -> Payment | None:
        return self.s.scalars(select(Payment).where(tables.payment.c.reference == reference)).first()

    def for_application(self, application_id: int) -> Sequence[Payment]:
        t = tables.payment
        return self.s.scalars(select(Payment).where(t.c.application_id == application_id).order_by(t.c.id)).all()

    def for_allocation(self, allocation_id: int) -> Sequence[Payment]:
        t = tables.payment
        return self.s.scalars(select(Payment).where(t.c.allocation_id == allocation_id).order_by(t.c.id)).all()

    def refunds(self, payment_ids: Sequence[int]) -> dict[int, Refund]:
        t = tables.payment_refund
        if not payment_ids:
            return {}
        return {r.payment_id: r for r in self.s.scalars(select(Refund).where(t.c.payment_id.in_(list(payment_ids))))}


class CardPayments(_Repo):
    def by_key(self, return_key: str, *, for_update: bool = False) -> CardPayment | None:
        q = select(CardPayment).where(tables.card_payment.c.return_key == return_key)
        if for_update:  # two returns at once settle one after the other (SQLite's write lock is already held)
            q = q.with_for_update().execution_options(populate_existing=True)
        return self.s.scalars(q).first()

    def for_payment(self, payment_id: int) -> Sequence[CardPayment]:
        t = tables.card_payment
        return self.s.scalars(select(CardPayment).where(t.c.payment_id == payment_id).order_by(t.c.id)).all()

    def all(self) -> Sequence[CardPayment]:
        return self.s.scalars(select(CardPayment).order_by(tables.card_payment.c.id)).all()


HABITAT_NAMES = text(
    """WITH RECURSIVE names(h) AS (
        SELECT (SELECT min(habitat) FROM habitat_parcel WHERE stage <> 'baseline')
        UNION ALL
        SELECT (SELECT min(habitat) FROM habitat_parcel WHERE stage <> 'baseline' AND habitat > h)
        FROM names WHERE h IS NOT NULL
    )
    SELECT h FROM names WHERE h IS NOT NULL AND lower(h) LIKE :pattern"""
)
"""The habitats of created and enhanced parcels that match a pattern: each distinct name found by one step
along ``ix_habitat_parcel_sold_habitat`` (a few hundred at most), not by reading every parcel."""


def _literally(value: str) -> str:
    """Text for a LIKE pattern (escape ``\\``) that matches itself only: its ``%``, ``_`` and ``\\`` escaped."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Sites(_Repo):
    def get(self, site_id: int) -> GainSite | None:
        return self.s.get(GainSite, site_id)

    def by_reference(self, reference: str, *, for_update: bool = False) -> GainSite | None:
        q = select(GainSite).where(tables.gain_site.c.reference == reference)
        if for_update:  # FOR NO KEY UPDATE on PostgreSQL (SQLite's write lock is already held)
            q = q.with_for_update(key_share=True).execution_options(populate_existing=True)
        return self.s.scalars(q).first()

    def search(self, query: SiteQuery) -> Page:
        g = tables.gain_site
        conditions: list[Any] = []
        if not query.include_removed:
            conditions.append(g.c.status == "registered")
        if query.reference:  # the start of the reference, its characters as they are (ix_gain_site_reference_prefix)
            conditions.append(g.c.reference.like(_literally(query.reference.strip().upper()) + "%", escape="\\"))
        for word in query.name.lower().split():  # each word of the name, anywhere in it, any case
            conditions.append(func.lower(g.c.name).like("%" + _literally(word) + "%", escape="\\"))
        for kind, name in (("lpa", query.lpa), ("nca", query.nca), ("lnrs", query.lnrs)):
            if name:
                a = tables.gain_site_area
                conditions.append(exists().where(and_(a.c.gain_site_id == g.c.id, a.c.kind == kind, a.c.name == name)))
        habitat_condition = None
        if query.habitat:
            p = tables.habitat_parcel
            habitat_condition = exists().where(
                and_(
                    p.c.gain_site_id == g.c.id,
                    p.c.stage != "baseline",
                    func.lower(p.c.habitat).like(f"%{query.habitat.strip().lower()}%"),
                )
            )
            conditions.append(habitat_condition)
        if query.responsible_body_id is not None:
            conditions.append(g.c.responsible_body_id == query.responsible_body_id)
        if query.bbox is not None:
            x0, y0, x1, y1 = query.bbox
            conditions += [g.c.min_e <= x1, g.c.max_e >= x0, g.c.min_n <= y1, g.c.max_n >= y0]
            conditions += self._extent_overlaps(x0, y0, x1, y1)
        if query.min_units is not None:
            column = g.c[f"remaining_{query.units_module}_units_micro"]
            least = quantity(query.min_units)
            conditions.append(column >= least if least > 0 else column > 0)
        order: list[Any] = [g.c.registered_on.desc(), g.c.reference.desc()]
        if query.near is not None:
            x, y, r = query.near
            # the distance from the point to the site's extent: the box first (an index can use it), then exactly
            conditions += [g.c.min_e <= x + r, g.c.max_e >= x - r, g.c.min_n <= y + r, g.c.max_n >= y - r]
            conditions += self._extent_overlaps(x - r, y - r, x + r, y + r)
            dx = case((g.c.min_e > x, g.c.min_e - x), (g.c.max_e < x, x - g.c.max_e), else_=0.0)
            dy = case((g.c.min_n > y, g.c.min_n - y), (g.c.max_n < y, y - g.c.max_n), else_=0.0)
            conditions.append(dx * dx + dy * dy <= r * r)
            centre = (g.c.easting - x) * (g.c.easting - x) + (g.c.northing - y) * (g.c.northing - y)
            order = [dx * dx + dy * dy, centre, g.c.reference]
        where = and_(*conditions) if conditions else and_(True)
        total = query.total
        if total is None:
            total = self._count(where, conditions, habitat_condition, query.habitat)
        page = max(1, query.page)
        rows = select(GainSite).where(where).order_by(*order).limit(query.per_page)
        if query.after:  # keyset: the rows after the given site's place in the order, not counted past
            key = [o.element if isinstance(o, UnaryExpression) else o for o in order]
            place = self.s.execute(select(*key).where(g.c.reference == query.after)).first()
            if place is None:
                raise errors.Invalid.one("after", f"after must be the reference of a gain site: {query.after[:20]}")
            if query.near is None:  # (registered_on, reference) before the place's, newest first: a range of the index
                day, reference = place
                rows = rows.where(g.c.registered_on <= day, or_(g.c.registered_on < day, g.c.reference < reference))
            else:  # nearest first: the distances are the database's own, compared as it computes them
                rows = rows.where(tuple_(*key) > tuple_(*place))
        else:
            rows = rows.offset((page - 1) * query.per_page)
        return Page(self.s.scalars(rows).all(), int(total), page, query.per_page)

    def _count(self, where: Any, conditions: list[Any], habitat_condition: Any, habitat: str) -> int:
        """The search's count. By habitat, from indexes (migration 0019) rather than the parcels: the habitat
        names that match (few: a skip over the index of created and enhanced parcels), then the registered
        sites with a parcel of one of them, the same sites the search's own condition finds."""
        g = tables.gain_site
        if habitat_condition is None:
            return int(self.s.scalar(select(func.count()).select_from(g).where(where)) or 0)
        names = list(self.s.scalars(HABITAT_NAMES, {"pattern": f"%{habitat.strip().lower()}%"}))
        if not names:
            return 0
        p = tables.habitat_parcel
        sites = select(p.c.gain_site_id).where(p.c.stage != "baseline", p.c.habitat.in_(names))
        rest = [c for c in conditions if c is not habitat_condition]
        return int(self.s.scalar(select(func.count()).select_from(g).where(*rest, g.c.id.in_(sites))) or 0)

    def _extent_overlaps(self, x0: float, y0: float, x1: float, y1: float) -> list[Any]:
        """On PostgreSQL, the same test as the four comparisons of the extent with a box, written so
        that the GiST index ``ix_gain_site_extent`` (migration 0005) can answer it: ``&&`` of two
        boxes is true when they share a point, as ``<=`` and ``>=`` are. Nothing elsewhere."""
        if self.s.get_bind().dialect.name != "postgresql":
            return []
        g = tables.gain_site
        extent = func.box(func.point(g.c.min_e, g.c.min_n), func.point(g.c.max_e, g.c.max_n))
        box = func.box(
            func.point(literal(x0, Float), literal(y0, Float)), func.point(literal(x1, Float), literal(y1, Float))
        )
        return [extent.op("&&")(box)]

    def registered_near(self, bbox: tuple[float, float, float, float]) -> Sequence[GainSite]:
        g = tables.gain_site
        x0, y0, x1, y1 = bbox
        pad = 1.0
        q = select(GainSite).where(
            g.c.status == "registered",
            g.c.min_e <= x1 + pad,
            g.c.max_e >= x0 - pad,
            g.c.min_n <= y1 + pad,
            g.c.max_n >= y0 - pad,
        )
        return self.s.scalars(q.order_by(g.c.id)).all()

    def for_lpa(self, lpa_id: int, lpa_name: str) -> Sequence[GainSite]:
        g, a, al = tables.gain_site, tables.gain_site_area, tables.agreement_lpa
        q = select(GainSite).where(
            or_(
                exists().where(and_(al.c.gain_site_id == g.c.id, al.c.lpa_id == lpa_id)),
                exists().where(and_(a.c.gain_site_id == g.c.id, a.c.kind == "lpa", a.c.name == lpa_name)),
            )
        )
        return self.s.scalars(q.order_by(g.c.registered_on.desc(), g.c.reference)).all()

    def parcels(self, site_id: int) -> Sequence[HabitatParcel]:
        p = tables.habitat_parcel
        return self.s.scalars(select(HabitatParcel).where(p.c.gain_site_id == site_id).order_by(p.c.id)).all()

    def areas(self, site_id: int) -> Sequence[GainSiteArea]:
        a = tables.gain_site_area
        q = select(GainSiteArea).where(a.c.gain_site_id == site_id).order_by(a.c.kind, a.c.share.desc())
        return self.s.scalars(q).all()

    def agreement_lpas(self, site_id: int) -> Sequence[Lpa]:
        al = tables.agreement_lpa
        q = select(Lpa).join(AgreementLpa, tables.lpa.c.id == al.c.lpa_id).where(al.c.gain_site_id == site_id)
        return self.s.scalars(q.order_by(tables.lpa.c.name)).all()

    def events(self, site_id: int) -> Sequence[SiteEvent]:
        e = tables.site_event
        return self.s.scalars(select(SiteEvent).where(e.c.gain_site_id == site_id).order_by(e.c.at, e.c.id)).all()

    def last_change(self) -> datetime | None:
        sites, allocations = self.s.execute(  # one round trip: every public search asks it
            select(
                select(func.max(tables.gain_site.c.updated_at)).scalar_subquery(),
                select(func.max(tables.allocation.c.created_at)).scalar_subquery(),
            )
        ).one()
        known = [t for t in (sites, allocations) if t is not None]
        return max(known) if known else None


class Ledger(_Repo):
    def parcel(self, parcel_id: int, *, for_update: bool = False) -> HabitatParcel | None:
        q = (
            select(HabitatParcel)
            .where(tables.habitat_parcel.c.id == parcel_id)
            .execution_options(populate_existing=True)
        )
        if for_update:
            q = q.with_for_update()
        return self.s.scalars(q).first()

    def add_line(self, line: AllocationLine) -> None:
        self.s.add(line)
        self.s.flush()

    def allocations(self, site_id: int) -> Sequence[Allocation]:
        a = tables.allocation
        return self.s.scalars(select(Allocation).where(a.c.gain_site_id == site_id).order_by(a.c.created_at)).all()

    def lines(self, allocation_id: int) -> Sequence[AllocationLine]:
        t = tables.allocation_line
        return self.s.scalars(select(AllocationLine).where(t.c.allocation_id == allocation_id).order_by(t.c.id)).all()

    def allocated_count(self, site_id: int) -> int:
        a = tables.allocation
        return int(self.s.scalar(select(func.count()).select_from(a).where(a.c.gain_site_id == site_id)) or 0)

    def allocation(self, reference: str) -> Allocation | None:
        return self.s.scalars(select(Allocation).where(tables.allocation.c.reference == reference)).first()

    def made_by(self, user_id: int) -> Sequence[Allocation]:
        a = tables.allocation
        q = select(Allocation).where(a.c.created_by == user_id).order_by(a.c.created_at.desc(), a.c.id.desc())
        return self.s.scalars(q).all()


class Geometries(_Repo):
    """``stored_geometry``: each geometry once, by the digest of its WKB."""

    def __init__(self, session: Session, now: Callable[[], datetime]) -> None:
        super().__init__(session)
        self._now = now

    def get(self, sha256: str) -> BaseGeometry | None:
        t = tables.stored_geometry
        found: BaseGeometry | None = self.s.execute(select(t.c.geometry).where(t.c.sha256 == sha256)).scalar()
        return found

    def keep(self, geom: BaseGeometry) -> GeometryRef:
        ref = ref_of(geom)
        t = tables.stored_geometry
        dialect = self.s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        row = {"sha256": ref.sha256, "wkb_bytes": ref.bytes, "geometry": canonical(geom), "created_at": self._now()}
        self.s.execute(insert(t).values(**row).on_conflict_do_nothing(index_elements=[t.c.sha256]))
        return ref


class Audit(_Repo):
    def recent(self, page: int, per_page: int, entity: str = "", entity_id: str = "") -> Page:
        t = tables.audit_event
        conditions = []
        if entity:
            conditions.append(t.c.entity == entity)
        if entity_id:
            conditions.append(t.c.entity_id == entity_id)
        where = and_(True, *conditions)
        total = self.s.scalar(select(func.count()).select_from(t).where(where)) or 0
        q = (
            select(AuditEvent)
            .where(where)
            .order_by(t.c.id.desc())
            .limit(per_page)
            .offset((max(1, page) - 1) * per_page)
        )
        return Page(self.s.scalars(q).all(), int(total), max(1, page), per_page)


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


class Submissions(_Repo):
    def claim(self, token_hash: str, user_id: int, action: str, at: datetime) -> Claimed | None:
        t = tables.submission
        row = {"token_hash": token_hash, "user_id": user_id, "action": action, "target": "", "created_at": at}
        # ON CONFLICT DO NOTHING waits for a concurrent insert of the same key to commit or roll back
        made = self.s.execute(_insert(self.s)(t).values(**row).on_conflict_do_nothing().returning(t.c.token_hash))
        if made.first() is not None:
            return None
        first = self.find(token_hash)
        assert first is not None
        return first

    def find(self, token_hash: str) -> Claimed | None:
        t = tables.submission
        row = self.s.execute(select(t.c.user_id, t.c.action, t.c.target).where(t.c.token_hash == token_hash)).first()
        return Claimed(int(row.user_id), str(row.action), str(row.target)) if row is not None else None

    def settle(self, token_hash: str, target: str) -> None:
        t = tables.submission
        self.s.execute(update(t).where(t.c.token_hash == token_hash).values(target=target))


class Throttle(_Repo):
    def failures(self, keys: Sequence[str], since: datetime) -> dict[str, int]:
        t = tables.sign_in_throttle
        q = select(t.c.key_hash, t.c.failures).where(t.c.key_hash.in_(list(keys)), t.c.window_start >= since)
        return {str(k): int(n) for k, n in self.s.execute(q)}

    def fail(self, keys: Sequence[str], at: datetime, window_start_after: datetime) -> None:
        t = tables.sign_in_throttle
        for key in sorted(set(keys)):  # always in the same order: two sign-ins never wait on each other's rows
            stmt = _insert(self.s)(t).values(key_hash=key, failures=1, window_start=at)
            stale = t.c.window_start < window_start_after
            self.s.execute(
                stmt.on_conflict_do_update(
                    index_elements=[t.c.key_hash],
                    set_={
                        "failures": case((stale, 1), else_=t.c.failures + 1),
                        "window_start": case((stale, at), else_=t.c.window_start),
                    },
                )
            )
        # windows that ended are dropped, so the table holds one window's keys, not every address ever seen; rows
        # another transaction holds are skipped (it may be restarting that window), so two failures never
        # wait on each other's rows (SQLite has one writer and no row locks: there it deletes them all)
        ended = select(t.c.key_hash).where(t.c.window_start < window_start_after).with_for_update(skip_locked=True)
        self.s.execute(delete(t).where(t.c.key_hash.in_(ended)))

    def clear(self, keys: Sequence[str]) -> None:
        t = tables.sign_in_throttle
        self.s.execute(delete(t).where(t.c.key_hash.in_(list(keys))))


class EmailLinks(_Repo):
    def add(self, link: EmailLink) -> None:
        values = {f.name: getattr(link, f.name) for f in fields(EmailLink)}
        self.s.execute(insert(tables.email_link).values(**values))

    def take(self, token_hash: str, purpose: str, now: datetime) -> EmailLink | None:
        t = tables.email_link
        usable = and_(t.c.token_hash == token_hash, t.c.purpose == purpose, t.c.used_at.is_(None), t.c.expires_at > now)
        columns = [t.c[f.name] for f in fields(EmailLink)]
        row = self.s.execute(update(t).where(usable).values(used_at=now).returning(*columns)).first()
        return EmailLink(*row) if row is not None else None

    def find(self, token_hash: str, purpose: str, now: datetime) -> EmailLink | None:
        t = tables.email_link
        usable = and_(t.c.token_hash == token_hash, t.c.purpose == purpose, t.c.used_at.is_(None), t.c.expires_at > now)
        row = self.s.execute(select(*[t.c[f.name] for f in fields(EmailLink)]).where(usable)).first()
        return EmailLink(*row) if row is not None else None

    def spend(self, user_id: int, purposes: Sequence[str], now: datetime) -> None:
        t = tables.email_link
        unused = and_(t.c.user_id == user_id, t.c.purpose.in_(list(purposes)), t.c.used_at.is_(None))
        self.s.execute(update(t).where(unused).values(used_at=now))


def translate(err: BaseException) -> errors.RegisterError | None:
    """The register's error for a database error that means a rule or a race, else None."""
    if isinstance(err, StaleDataError):
        return errors.Conflict("Someone else changed this at the same time; reload the page and try again")
    if isinstance(err, OverflowError):  # SQLite: a Python int beyond 64 bits, e.g. an id typed into a form
        return errors.Invalid("A number in the request is larger than the register can hold")
    if isinstance(err, IntegrityError | DBAPIError):
        text = str(getattr(err, "orig", err))
        if "within_capacity" in text:
            return errors.OverAllocation(
                "Another allocation took these units first: less remains than was asked for; reload and try again"
            )
        if "not on the register" in text:
            return errors.Conflict("The gain site is not on the register")
        if "statutory credit order" in text:  # the credit tables' triggers (migration 0004)
            return errors.Conflict(text.split("statutory credit order", 1)[1].split("\n")[0].strip(" :."))
        if "uq_credit_order_live_metric" in text or "credit_order.metric_sha256" in text:
            return errors.Conflict("This metric has already been used to order statutory biodiversity credits")
        if "cannot be removed from the register" in text:
            return errors.Conflict("The gain site has allocations, so it cannot be removed from the register")
        if "out of range" in text:  # PostgreSQL: integer or bigint out of range
            return errors.Invalid("A number in the request is larger than the register can hold")
        if "NUL (0x00)" in text:  # PostgreSQL's text cannot hold one
            return errors.Invalid("The text has a NUL character, which the register cannot store")
        if isinstance(err, OperationalError) and "locked" in text:
            return errors.Conflict("The register is busy; try again in a moment")
        if "deadlock" in text or "could not serialize" in text:
            return errors.Conflict("The register is busy; try again in a moment")
        if isinstance(err, IntegrityError) and ("unique" in text.lower() or "duplicate key" in text):
            return errors.Conflict("That already exists (someone may have done the same thing at the same time)")
    return None


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class SqlUnitOfWork:
    def __init__(self, engine: Engine, write: bool) -> None:
        self._engine = engine
        self._write = write
        self._rollback_actions: list[Callable[[], None]] = []
        self._commit_actions: list[Callable[[], None]] = []
        self._committed = False
        self._joined: Any = None

    @property
    def committed(self) -> bool:
        return self._committed

    def __enter__(self) -> SqlUnitOfWork:
        bind = self._engine.execution_options(**{WRITE: True}) if self._write else self._engine
        self.session = Session(bind=bind, expire_on_commit=False, autoflush=True)
        s = self.session
        self.users, self.sessions, self.lpas, self.bodies = Users(s), Sessions(s), Lpas(s), Bodies(s)
        self.files, self.applications, self.payments = Files(s), Applications(s), Payments(s)
        self.card_payments = CardPayments(s)
        self.sites, self.ledger, self.audit = Sites(s), Ledger(s), Audit(s)
        self.geometries = Geometries(s, _utc_now)
        self.open_data = OpenData(s)
        self.submissions, self.throttle, self.email_links = Submissions(s), Throttle(s), EmailLinks(s)
        self.credits = CreditRecords(s)
        self.planning = PlanningRecords(s)
        self.monitoring = MonitoringRecords(s)
        self.api_tokens = ApiTokenRecords(s)
        self.organisations = OrganisationRecords(s)  # organisations, their members (who a token acts for)
        self.access = AccessRecords(s)  # who sees what: allocations by owner and LPA, messages to providers
        self.money = MoneyRecords(s)  # overpayments, part refunds, remittance details
        self.notifications = NotificationRecords(s)
        if self._write:  # e-mails sent through the Outbox port while this is open are queued in it
            self._joined = notifications.joined(self)
            self._joined.__enter__()
        return self

    def add(self, record: object) -> None:
        self.session.add(record)

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        self.session.flush()  # a statement refused here certainly changed nothing: rolled back as usual
        try:
            self.session.commit()
        except DBAPIError as err:
            if err.connection_invalidated:
                # The connection was lost during COMMIT: the database may have committed (its answer was
                # what was lost), so the staged files are neither removed nor published here; the file
                # store's sweep settles them from the rows the database holds (bng.db.filestore.sweep).
                self._rollback_actions.clear()
            raise
        self._committed = True
        self._rollback_actions.clear()
        actions, self._commit_actions = self._commit_actions, []
        for action in actions:  # what is committed stays committed, whatever an action does
            action()

    def on_rollback(self, action: Callable[[], None]) -> None:
        self._rollback_actions.append(action)

    def on_commit(self, action: Callable[[], None]) -> None:
        self._commit_actions.append(action)

    def next_number(self, scope: str) -> int:
        c = tables.counter
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(c)
            .values(scope=scope, value=1)
            .on_conflict_do_update(index_elements=[c.c.scope], set_={"value": c.c.value + 1})
            .returning(c.c.value)
        )
        return int(self.session.execute(stmt).scalar_one())

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._joined is not None:
            self._joined.__exit__(None, None, None)
            self._joined = None
        try:
            # close() rolls back what was not committed and detaches the records without expiring
            # them, so the services can hand them on to the pages
            self.session.close()
        finally:
            for action in reversed(self._rollback_actions):  # cleared by commit()
                action()
        if exc is not None:
            translated = translate(exc)
            if translated is not None:
                raise translated from exc


def unit_of_work_factory(engine: Engine) -> Callable[..., SqlUnitOfWork]:
    """``factory()`` opens a reading unit of work, ``factory(write=True)`` one that may change records."""
    map_models()

    def factory(write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, write)

    return factory
