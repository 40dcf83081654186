"""An in-memory register: the unit of work of ``bng.register.core.ports`` without a database.

The fast tier (``pytest -m "not slow"``, docs/architecture.md) runs the services on it where the database
is not the point: a test of the accounts' rules does not need SQLite to check a password. It keeps what
the services rely on from the database's unit of work (``bng.db.uow``):

- one unit of work is one transaction: what it changes is kept by ``commit()`` and nothing else is, the
  ``on_commit`` and ``on_rollback`` actions run as there; a write unit of work holds the register's one
  write lock until it ends (as SQLite's ``BEGIN IMMEDIATE`` does);
- records read in a unit of work are its own copies (an identity map: the same id, the same object), and
  leave with it, usable but detached; a record added gets its id at the next flush or query;
- applications and gain sites carry a version: a change made from a stale copy raises ``Conflict``;
- an allocation line moves its parcel's allocated totals and the site's units left, and one beyond the
  parcel's capacity raises ``OverAllocation``, as the database's triggers do.

It holds the repositories of the register's core port (``UnitOfWork``) and the outbox's
(``notifications``), not the areas' own records (credits, planning, monitoring, money, access, API
tokens): a service that needs those runs on SQLite (``register`` and ``empty_register``). ``open_data``
is not kept either. ``tests/register/test_memory.py`` runs the same scenarios on this and on SQLite, so
that the two cannot drift apart.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from importlib import resources
from types import TracebackType
from typing import Any, TypeVar

from shapely.geometry.base import BaseGeometry

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
    OutboxMessage,
    Payment,
    Refund,
    ResponsibleBody,
    SiteEvent,
    StoredFile,
    User,
)
from bng.register.core.ports import Claimed, EmailLink, Page, SiteQuery

R = TypeVar("R")

JSON_FIELDS: dict[type, tuple[str, ...]] = {
    Application: ("answers",),
    AuditEvent: ("before", "after"),
    OutboxMessage: ("fields",),
}
"""Columns stored as plain JSON (``JSONDoc``): kept as JSON gives them back, and a change made inside the
value (``answers["x"] = …``) is not seen, as SQLAlchemy does not see it; only a new value is stored."""

VERSIONED = (Application, GainSite)

TRIGGERED = frozenset(f"remaining_{m}_units" for m in ("area", "hedgerow", "watercourse"))
"""A gain site's columns the database's triggers keep: changing them is no change of the site's version."""
"""Records with a version column (``version_id_col`` in ``bng.db.mapping``): a stale change is a conflict."""

MODULES = ("area", "hedgerow", "watercourse")


def _row(record: Any) -> dict[str, Any]:
    return {f.name: copy.deepcopy(getattr(record, f.name)) for f in fields(record)}


def _record(cls: type[R], row: Mapping[str, Any]) -> R:
    return cls(**copy.deepcopy(dict(row)))


@dataclass
class MemoryStore:
    """What is committed: each record's row by class and id, and the register's few plain tables."""

    rows: dict[type, dict[int, dict[str, Any]]] = field(default_factory=dict)
    last_id: dict[type, int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    submissions: dict[str, Claimed] = field(default_factory=dict)
    throttle: dict[str, tuple[int, datetime]] = field(default_factory=dict)  # key hash -> failures, window start
    email_links: dict[str, tuple[EmailLink, datetime | None]] = field(default_factory=dict)  # -> link, used at
    geometries: dict[str, BaseGeometry] = field(default_factory=dict)
    write_lock: threading.RLock = field(default_factory=threading.RLock)

    def table(self, cls: type) -> dict[int, dict[str, Any]]:
        return self.rows.setdefault(cls, {})

    def new_id(self, cls: type) -> int:
        self.last_id[cls] = self.last_id.get(cls, 0) + 1
        return self.last_id[cls]

    def copy(self) -> MemoryStore:
        """A copy to start a test from (the world built once, as the database fixtures' templates are)."""
        with self.write_lock:
            return MemoryStore(
                {cls: {i: copy.deepcopy(r) for i, r in t.items()} for cls, t in self.rows.items()},
                dict(self.last_id),
                dict(self.counters),
                dict(self.submissions),
                dict(self.throttle),
                dict(self.email_links),
                dict(self.geometries),
            )


def _reference_rows(name: str) -> list[dict[str, str]]:
    text = resources.files("bng.register").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def seeded() -> MemoryStore:
    """A store holding the reference lists the migrations load (0002, with 0007's LPA dates)."""
    store = MemoryStore()
    for r in _reference_rows("lpas.csv"):
        lpa = Lpa(
            name=r["lpa_name"],
            ons_code=r["lpa_ons_code"] or None,
            valid_from=date.fromisoformat(r["valid_from"]) if r.get("valid_from") else None,
            valid_to=date.fromisoformat(r["valid_to"]) if r.get("valid_to") else None,
            successor=r.get("successor") or "",
            source=r["source"] + (f"; {r['dates_source']}" if r.get("dates_source") else ""),
        )
        lpa.id = store.new_id(Lpa)
        store.table(Lpa)[lpa.id] = _row(lpa)
    for r in _reference_rows("responsible_bodies.csv"):
        body = ResponsibleBody(r["name"], r["type"], date.fromisoformat(r["designated_on"]), r["source"])
        body.id = store.new_id(ResponsibleBody)
        store.table(ResponsibleBody)[body.id] = _row(body)
    return store


class _Repo:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.u = uow

    def _all(self, cls: type[R]) -> list[R]:
        return self.u.all_of(cls)

    def _get(self, cls: type[R], record_id: int | None) -> R | None:
        return None if record_id is None else self.u.get(cls, record_id)

    def _first(self, cls: type[R], test: Callable[[R], bool]) -> R | None:
        """The first record by id that passes ``test``, as a query ordered by id gives it."""
        return next((r for r in _by_id(self._all(cls)) if test(r)), None)


def _by_id(records: Sequence[R]) -> list[R]:
    return sorted(records, key=lambda r: getattr(r, "id", 0) or 0)


class Users(_Repo):
    def get(self, user_id: int) -> User | None:
        return self._get(User, user_id)

    def by_email(self, email: str) -> User | None:
        return self._first(User, lambda u: u.email == email)

    def all(self) -> Sequence[User]:
        return sorted(self._all(User), key=lambda u: (u.role, u.email))

    def advance_code_step(self, user_id: int, step: int) -> bool:
        user = self.get(user_id)
        if user is None or (user.totp_last_step is not None and user.totp_last_step >= step):
            return False
        user.totp_last_step = step
        return True


class Sessions(_Repo):
    def by_token_hash(self, token_hash: str) -> LoginSession | None:
        return self._first(LoginSession, lambda s: s.token_hash == token_hash)

    def revoke_all(self, user_id: int, at: datetime, keep: str | None = None) -> int:
        ended = [
            s for s in self._all(LoginSession) if s.user_id == user_id and s.revoked_at is None and s.token_hash != keep
        ]
        for s in ended:
            s.revoked_at = at
        return len(ended)


class Lpas(_Repo):
    def get(self, lpa_id: int) -> Lpa | None:
        return self._get(Lpa, lpa_id)

    def by_name(self, name: str) -> Lpa | None:
        return self._first(Lpa, lambda x: x.name == name)

    def all(self) -> Sequence[Lpa]:
        return sorted(self._all(Lpa), key=lambda x: x.name)


class Bodies(_Repo):
    def get(self, body_id: int) -> ResponsibleBody | None:
        return self._get(ResponsibleBody, body_id)

    def by_name(self, name: str) -> ResponsibleBody | None:
        return self._first(ResponsibleBody, lambda b: b.name.lower() == name.lower())

    def all(self) -> Sequence[ResponsibleBody]:
        return sorted(self._all(ResponsibleBody), key=lambda b: b.name)


class Files(_Repo):
    def get(self, file_id: int) -> StoredFile | None:
        return self._get(StoredFile, file_id)

    def for_application(self, application_id: int) -> Sequence[StoredFile]:
        return _by_id([f for f in self._all(StoredFile) if f.application_id == application_id])

    def in_use(self, file_id: int) -> bool:
        return any(file_id in (a.metric_file_id, a.consent_file_id) for a in self._all(Allocation))


class Applications(_Repo):
    def get(self, application_id: int) -> Application | None:
        return self._get(Application, application_id)

    def by_reference(self, reference: str) -> Application | None:
        return self._first(Application, lambda a: a.reference == reference)

    def for_owner(self, user_id: int) -> Sequence[Application]:
        mine = [a for a in self._all(Application) if a.owner_id == user_id]
        return sorted(mine, key=lambda a: a.created_at, reverse=True)

    def with_status(self, statuses: Sequence[str]) -> Sequence[Application]:
        return _by_id([a for a in self._all(Application) if a.status in statuses])

    def events(self, application_id: int) -> Sequence[ApplicationEvent]:
        found = [e for e in self._all(ApplicationEvent) if e.application_id == application_id]
        return sorted(found, key=lambda e: (e.at, e.id or 0))


class Payments(_Repo):
    def get(self, payment_id: int) -> Payment | None:
        return self._get(Payment, payment_id)

    def by_reference(self, reference: str) -> Payment | None:
        return self._first(Payment, lambda p: p.reference == reference)

    def for_application(self, application_id: int) -> Sequence[Payment]:
        return _by_id([p for p in self._all(Payment) if p.application_id == application_id])

    def for_allocation(self, allocation_id: int) -> Sequence[Payment]:
        return _by_id([p for p in self._all(Payment) if p.allocation_id == allocation_id])

    def refunds(self, payment_ids: Sequence[int]) -> dict[int, Refund]:
        return {r.payment_id: r for r in self._all(Refund) if r.payment_id in payment_ids}


class CardPayments(_Repo):
    def by_key(self, return_key: str, *, for_update: bool = False) -> CardPayment | None:
        return self._first(CardPayment, lambda c: c.return_key == return_key)

    def for_payment(self, payment_id: int) -> Sequence[CardPayment]:
        return _by_id([c for c in self._all(CardPayment) if c.payment_id == payment_id])

    def all(self) -> Sequence[CardPayment]:
        return _by_id(self._all(CardPayment))


def _box_distance(site: GainSite, x: float, y: float) -> float:
    dx = site.min_e - x if site.min_e > x else (x - site.max_e if site.max_e < x else 0.0)
    dy = site.min_n - y if site.min_n > y else (y - site.max_n if site.max_n < y else 0.0)
    return dx * dx + dy * dy


def _meets(site: GainSite, box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = box
    return site.min_e <= x1 and site.max_e >= x0 and site.min_n <= y1 and site.max_n >= y0


class Sites(_Repo):
    def get(self, site_id: int) -> GainSite | None:
        return self._get(GainSite, site_id)

    def by_reference(self, reference: str, *, for_update: bool = False) -> GainSite | None:
        return self._first(GainSite, lambda s: s.reference == reference)

    def _matches(self, s: GainSite, q: SiteQuery) -> bool:
        if not q.include_removed and s.status != "registered":
            return False
        if q.reference and not s.reference.startswith(q.reference.strip().upper()):
            return False
        if any(word not in s.name.lower() for word in q.name.lower().split()):
            return False
        areas = [a for a in self._all(GainSiteArea) if a.gain_site_id == s.id]
        for kind, name in (("lpa", q.lpa), ("nca", q.nca), ("lnrs", q.lnrs)):
            if name and not any(a.kind == kind and a.name == name for a in areas):
                return False
        if q.habitat:
            wanted = q.habitat.strip().lower()
            parcels = [p for p in self._all(HabitatParcel) if p.gain_site_id == s.id and p.stage != "baseline"]
            if not any(wanted in p.habitat.lower() for p in parcels):
                return False
        if q.responsible_body_id is not None and s.responsible_body_id != q.responsible_body_id:
            return False
        if q.bbox is not None and not _meets(s, q.bbox):
            return False
        if q.min_units is not None:
            left = getattr(s, f"remaining_{q.units_module}_units")
            least = quantity(q.min_units)
            if not (left >= least if least > 0 else left > 0):
                return False
        if q.near is not None:
            x, y, r = q.near
            if not _meets(s, (x - r, y - r, x + r, y + r)) or _box_distance(s, x, y) > r * r:
                return False
        return True

    def search(self, query: SiteQuery) -> Page:
        found = [s for s in self._all(GainSite) if self._matches(s, query)]
        if query.near is not None:
            x, y, _ = query.near
            found.sort(
                key=lambda s: (_box_distance(s, x, y), (s.easting - x) ** 2 + (s.northing - y) ** 2, s.reference)
            )
        else:
            found.sort(key=lambda s: (s.registered_on, s.reference), reverse=True)
        page = max(1, query.page)
        start = (page - 1) * query.per_page
        return Page(found[start : start + query.per_page], len(found), page, query.per_page)

    def registered_near(self, bbox: tuple[float, float, float, float]) -> Sequence[GainSite]:
        x0, y0, x1, y1 = bbox
        padded = (x0 - 1.0, y0 - 1.0, x1 + 1.0, y1 + 1.0)
        return _by_id([s for s in self._all(GainSite) if s.status == "registered" and _meets(s, padded)])

    def for_lpa(self, lpa_id: int, lpa_name: str) -> Sequence[GainSite]:
        agreed = {a.gain_site_id for a in self._all(AgreementLpa) if a.lpa_id == lpa_id}
        within = {a.gain_site_id for a in self._all(GainSiteArea) if a.kind == "lpa" and a.name == lpa_name}
        found = [s for s in self._all(GainSite) if s.id in agreed | within]
        found.sort(key=lambda s: s.reference)
        found.sort(key=lambda s: s.registered_on, reverse=True)
        return found

    def parcels(self, site_id: int) -> Sequence[HabitatParcel]:
        return _by_id([p for p in self._all(HabitatParcel) if p.gain_site_id == site_id])

    def areas(self, site_id: int) -> Sequence[GainSiteArea]:
        found = [a for a in self._all(GainSiteArea) if a.gain_site_id == site_id]
        found.sort(key=lambda a: a.share, reverse=True)
        found.sort(key=lambda a: a.kind)
        return found

    def agreement_lpas(self, site_id: int) -> Sequence[Lpa]:
        ids = {a.lpa_id for a in self._all(AgreementLpa) if a.gain_site_id == site_id}
        return sorted((x for x in self._all(Lpa) if x.id in ids), key=lambda x: x.name)

    def events(self, site_id: int) -> Sequence[SiteEvent]:
        found = [e for e in self._all(SiteEvent) if e.gain_site_id == site_id]
        return sorted(found, key=lambda e: (e.at, e.id or 0))

    def last_change(self) -> datetime | None:
        known = [s.updated_at for s in self._all(GainSite)] + [a.created_at for a in self._all(Allocation)]
        return max(known) if known else None


class Ledger(_Repo):
    def parcel(self, parcel_id: int, *, for_update: bool = False) -> HabitatParcel | None:
        return self._get(HabitatParcel, parcel_id)

    def add_line(self, line: AllocationLine) -> None:
        """Move the parcel's allocated totals and its site's units left, as the database's triggers do."""
        parcel = self._get(HabitatParcel, line.parcel_id)
        if parcel is None:
            raise errors.Conflict("That already exists (someone may have done the same thing at the same time)")
        site = self._get(GainSite, parcel.gain_site_id)
        if site is None or site.status != "registered":
            raise errors.Conflict("The gain site is not on the register")
        size = parcel.allocated_size + line.size
        units = parcel.allocated_units + line.units
        if size > parcel.size or units > parcel.units:
            raise errors.OverAllocation(
                "Another allocation took these units first: less remains than was asked for; reload and try again"
            )
        parcel.allocated_size, parcel.allocated_units = size, units
        name = f"remaining_{parcel.module}_units"
        setattr(site, name, getattr(site, name) - line.units)
        self.u.add(line)
        self.u.flush()

    def allocations(self, site_id: int) -> Sequence[Allocation]:
        return sorted((a for a in self._all(Allocation) if a.gain_site_id == site_id), key=lambda a: a.created_at)

    def lines(self, allocation_id: int) -> Sequence[AllocationLine]:
        return _by_id([x for x in self._all(AllocationLine) if x.allocation_id == allocation_id])

    def allocated_count(self, site_id: int) -> int:
        return sum(1 for a in self._all(Allocation) if a.gain_site_id == site_id)

    def allocation(self, reference: str) -> Allocation | None:
        return self._first(Allocation, lambda a: a.reference == reference)

    def made_by(self, user_id: int) -> Sequence[Allocation]:
        mine = [a for a in self._all(Allocation) if a.created_by == user_id]
        return sorted(mine, key=lambda a: (a.created_at, a.id or 0), reverse=True)


class Audit(_Repo):
    def recent(self, page: int, per_page: int, entity: str = "", entity_id: str = "") -> Page:
        found = [
            e
            for e in self._all(AuditEvent)
            if (not entity or e.entity == entity) and (not entity_id or e.entity_id == entity_id)
        ]
        found.sort(key=lambda e: e.id or 0, reverse=True)
        page = max(1, page)
        return Page(found[(page - 1) * per_page : page * per_page], len(found), page, per_page)


class Notifications(_Repo):
    """The outbox (``bng.db.notification_repos``): what the accounts' e-mails and the worker need."""

    def _due(self, m: OutboxMessage, now: datetime) -> bool:
        waiting = (
            m.status == "queued" and m.send_on <= now.date() and (m.next_attempt_at is None or m.next_attempt_at <= now)
        )
        abandoned = m.status == "sending" and m.claimed_until is not None and m.claimed_until < now
        return waiting or abandoned

    def claim(self, worker: str, now: datetime, until: datetime, limit: int) -> Sequence[OutboxMessage]:
        due = [m for m in self._all(OutboxMessage) if self._due(m, now)]
        taken = sorted(due, key=lambda m: (m.send_on, m.id or 0))[:limit]
        for m in taken:
            m.status, m.claimed_by, m.claimed_until, m.attempts = "sending", worker, until, m.attempts + 1
        return taken

    def finish(self, message_id: int, worker: str, values: Mapping[str, Any]) -> bool:
        m = self.get(message_id)
        if m is None or m.status != "sending" or m.claimed_by != worker:
            return False
        for name, v in values.items():
            setattr(m, name, v)
        return True

    def get(self, message_id: int) -> OutboxMessage | None:
        return self._get(OutboxMessage, message_id)

    def listing(self, page: int, per_page: int, to_email: str | None = None, status: str = "") -> Page:
        found = [
            m
            for m in self._all(OutboxMessage)
            if (to_email is None or m.to_email.lower() == to_email.lower()) and (not status or m.status == status)
        ]
        found.sort(key=lambda m: m.id or 0, reverse=True)
        page = max(1, page)
        return Page(found[(page - 1) * per_page : page * per_page], len(found), page, per_page)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self._all(OutboxMessage):
            out[m.status] = out.get(m.status, 0) + 1
        return out


class Submissions(_Repo):
    def claim(self, token_hash: str, user_id: int, action: str, at: datetime) -> Claimed | None:
        first = self.u.submission_rows.get(token_hash)
        if first is not None:
            return first
        self.u.submission_rows[token_hash] = Claimed(user_id, action, "")
        return None

    def settle(self, token_hash: str, target: str) -> None:
        found = self.u.submission_rows.get(token_hash)
        if found is not None:
            self.u.submission_rows[token_hash] = Claimed(found.user_id, found.action, target)

    def find(self, token_hash: str) -> Claimed | None:
        return self.u.submission_rows.get(token_hash)


class Throttle(_Repo):
    def failures(self, keys: Sequence[str], since: datetime) -> dict[str, int]:
        t = self.u.throttle_rows
        return {k: t[k][0] for k in keys if k in t and t[k][1] >= since}

    def fail(self, keys: Sequence[str], at: datetime, window_start_after: datetime) -> None:
        t = self.u.throttle_rows
        for key in sorted(set(keys)):
            failures, start = t.get(key, (0, at))
            t[key] = (1, at) if key not in t or start < window_start_after else (failures + 1, start)
        for key in [k for k, (_, start) in t.items() if start < window_start_after]:
            del t[key]

    def clear(self, keys: Sequence[str]) -> None:
        for key in keys:
            self.u.throttle_rows.pop(key, None)


class EmailLinks(_Repo):
    def add(self, link: EmailLink) -> None:
        if link.token_hash in self.u.link_rows:
            raise errors.Conflict("That already exists (someone may have done the same thing at the same time)")
        self.u.link_rows[link.token_hash] = (link, None)

    def _usable(self, token_hash: str, purpose: str, now: datetime) -> EmailLink | None:
        link, used = self.u.link_rows.get(token_hash, (None, None))
        if link is None or used is not None or link.purpose != purpose or link.expires_at <= now:
            return None
        return link

    def take(self, token_hash: str, purpose: str, now: datetime) -> EmailLink | None:
        link = self._usable(token_hash, purpose, now)
        if link is not None:
            self.u.link_rows[token_hash] = (link, now)
        return link

    def find(self, token_hash: str, purpose: str, now: datetime) -> EmailLink | None:
        return self._usable(token_hash, purpose, now)

    def spend(self, user_id: int, purposes: Sequence[str], now: datetime) -> None:
        for key, (link, used) in list(self.u.link_rows.items()):
            if link.user_id == user_id and link.purpose in purposes and used is None:
                self.u.link_rows[key] = (link, now)


class Geometries(_Repo):
    def get(self, sha256: str) -> BaseGeometry | None:
        return self.u.geometry_rows.get(sha256)

    def keep(self, geom: BaseGeometry) -> GeometryRef:
        ref = ref_of(geom)
        self.u.geometry_rows.setdefault(ref.sha256, canonical(geom))
        return ref


class NotKept:
    """A repository the in-memory register does not keep: using it says so."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attr: str) -> Any:
        raise NotImplementedError(f"the in-memory register keeps no {self.name}: run this test on SQLite")


class MemoryUnitOfWork:
    """One transaction over a :class:`MemoryStore` (see the module's docstring)."""

    def __init__(self, store: MemoryStore, write: bool) -> None:
        self.store = store
        self._write = write
        self._loaded: dict[tuple[type, int], tuple[Any, dict[str, Any]]] = {}  # the identity map, with each as read
        self._json: dict[tuple[type, int], dict[str, Any]] = {}  # each record's JSON values as read (by identity)
        self._complete: set[type] = set()
        self._pending: list[Any] = []
        self._rollback_actions: list[Callable[[], None]] = []
        self._commit_actions: list[Callable[[], None]] = []
        self._committed = False
        self._joined: Any = None
        self._locked = False
        self.counter_rows: dict[str, int] = {}  # the plain tables, copied on entering (_copy_plain)
        self.submission_rows: dict[str, Claimed] = {}
        self.throttle_rows: dict[str, tuple[int, datetime]] = {}
        self.link_rows: dict[str, tuple[EmailLink, datetime | None]] = {}
        self.geometry_rows: dict[str, BaseGeometry] = {}
        s = self
        self.users, self.sessions, self.lpas, self.bodies = Users(s), Sessions(s), Lpas(s), Bodies(s)
        self.files, self.applications, self.payments = Files(s), Applications(s), Payments(s)
        self.card_payments, self.sites, self.ledger, self.audit = CardPayments(s), Sites(s), Ledger(s), Audit(s)
        self.submissions, self.throttle, self.email_links = Submissions(s), Throttle(s), EmailLinks(s)
        self.geometries = Geometries(s)
        self.notifications = Notifications(s)
        self.open_data: Any = NotKept("open data")
        for name in ("credits", "planning", "monitoring", "api_tokens", "access", "money"):
            setattr(self, name, NotKept(name))

    @property
    def committed(self) -> bool:
        return self._committed

    def __enter__(self) -> MemoryUnitOfWork:
        if self._write:
            self.store.write_lock.acquire()
            self._locked = True
        self._copy_plain()
        if self._write:
            self._joined = notifications.joined(self)
            self._joined.__enter__()
        return self

    def _copy_plain(self) -> None:
        """The plain tables: this transaction's copies, kept by commit()."""
        s = self.store
        self.counter_rows, self.submission_rows, self.throttle_rows = (
            dict(s.counters),
            dict(s.submissions),
            dict(s.throttle),
        )
        self.link_rows, self.geometry_rows = dict(s.email_links), dict(s.geometries)

    # -- records --------------------------------------------------------------------------------------
    def get(self, cls: type[R], record_id: int) -> R | None:
        self.flush()
        key = (cls, record_id)
        if key not in self._loaded:
            row = self.store.table(cls).get(record_id)
            if row is None:
                return None
            record = _record(cls, row)
            self._loaded[key] = (record, dict(row))
            self._json[key] = {name: getattr(record, name) for name in JSON_FIELDS.get(cls, ())}
        found: R = self._loaded[key][0]
        return found

    def all_of(self, cls: type[R]) -> list[R]:
        self.flush()
        if cls not in self._complete:
            for record_id in list(self.store.table(cls)):
                self.get(cls, record_id)
            self._complete.add(cls)
        return [r for (c, _), (r, _) in self._loaded.items() if c is cls]

    def add(self, record: object) -> None:
        found: Any = record  # a record class of the model: each has an id
        if found.id is None:
            if found not in self._pending:
                self._pending.append(found)
        else:  # a record read in another unit of work, brought back: its changes are kept at commit
            key = (type(found), found.id)
            if key not in self._loaded:
                read = dict(self.store.table(type(record)).get(key[1], {}))
                if isinstance(record, VERSIONED) and read:
                    read["version"] = found.version  # the version it was read at
                self._loaded[key] = (found, read)

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        for record in pending:
            cls = type(record)
            record.id = self.store.new_id(cls)  # ids are never given back, as a sequence's
            if isinstance(record, OutboxMessage) and any(
                m.key == record.key for m in self.all_of(OutboxMessage) if m is not record
            ):
                raise errors.Conflict("That already exists (someone may have done the same thing at the same time)")
            self._loaded[(cls, record.id)] = (record, {})
            if isinstance(record, HabitatParcel) and record.stage != "baseline":  # the parcel's insert trigger
                site = self.get(GainSite, record.gain_site_id)
                if site is not None:
                    name = f"remaining_{record.module}_units"
                    setattr(site, name, getattr(site, name) + record.units - record.allocated_units)

    def next_number(self, scope: str) -> int:
        self.counter_rows[scope] = self.counter_rows.get(scope, 0) + 1
        return self.counter_rows[scope]

    def commit(self) -> None:
        self.flush()
        table_of = self.store.table
        changed: list[tuple[type, int, dict[str, Any], dict[str, Any], object]] = []
        for (cls, record_id), (record, loaded) in list(self._loaded.items()):
            row = self._as_stored((cls, record_id), record, loaded)
            if row == loaded:
                continue
            if isinstance(record, GainSite) and record.status == "removed" and loaded.get("status") != "removed":
                self._removable(record_id)
            if isinstance(record, VERSIONED) and loaded and not self._by_triggers(row, loaded):
                stored = table_of(cls).get(record_id)
                if stored is None or stored["version"] != loaded["version"]:
                    raise errors.Conflict("Someone else changed this at the same time; reload the page and try again")
            changed.append((cls, record_id, row, loaded, record))
        for cls, record_id, row, loaded, record in changed:
            if isinstance(record, VERSIONED) and loaded and not self._by_triggers(row, loaded):
                record.version = loaded["version"] + 1
                row["version"] = record.version
            table_of(cls)[record_id] = row
            self._loaded[(cls, record_id)] = (record, dict(row))
            self._json[(cls, record_id)] = {name: getattr(record, name) for name in JSON_FIELDS.get(cls, ())}
        s = self.store
        s.counters, s.submissions, s.throttle = self.counter_rows, self.submission_rows, self.throttle_rows
        s.email_links, s.geometries = self.link_rows, self.geometry_rows
        self._copy_plain()  # what this unit of work changes next is its own again
        self._committed = True
        self._rollback_actions.clear()
        actions, self._commit_actions = self._commit_actions, []
        for action in actions:
            action()

    def _as_stored(self, key: tuple[type, int], record: Any, loaded: dict[str, Any]) -> dict[str, Any]:
        """The record's row as it would be written (its JSON columns as JSON gives them back)."""
        row = _row(record)
        read = self._json.get(key, {})
        for name in JSON_FIELDS.get(key[0], ()):
            if name in read and getattr(record, name) is read[name]:
                row[name] = copy.deepcopy(loaded[name])  # the same value, perhaps changed inside: not seen
            elif row[name] is not None:
                row[name] = json.loads(json.dumps(row[name]))
        return row

    @staticmethod
    def _by_triggers(row: dict[str, Any], loaded: dict[str, Any]) -> bool:
        """Whether only the columns the triggers keep have changed (the database does not count a version)."""
        return all(k in TRIGGERED for k in row if row[k] != loaded.get(k))

    def _removable(self, site_id: int) -> None:
        """The gain site's removal trigger: a site with allocations stays on the register."""
        if any(p.allocated_size > 0 for p in self.sites.parcels(site_id)):
            raise errors.Conflict("The gain site has allocations, so it cannot be removed from the register")

    def on_rollback(self, action: Callable[[], None]) -> None:
        self._rollback_actions.append(action)

    def on_commit(self, action: Callable[[], None]) -> None:
        self._commit_actions.append(action)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._joined is not None:
            self._joined.__exit__(None, None, None)
            self._joined = None
        try:
            for action in reversed(self._rollback_actions):  # cleared by commit()
                action()
        finally:
            if self._locked:
                self._locked = False
                self.store.write_lock.release()


class MemoryFileStore:
    """The file store (``FileStore`` port) in a dict: staged until published, as ``LocalFileStore``."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.published: set[str] = set()

    def put(self, data: bytes) -> str:
        key = f"{uuid.uuid4().hex}-{hashlib.sha256(data).hexdigest()[:12]}"
        self.files[key] = bytes(data)
        return key

    def publish(self, key: str) -> None:
        if key not in self.files:
            raise FileNotFoundError(key)
        self.published.add(key)

    def get(self, key: str) -> bytes:
        if key not in self.files:
            raise FileNotFoundError(key)
        return self.files[key]

    def delete(self, key: str) -> None:
        self.files.pop(key, None)
        self.published.discard(key)

    def exists(self, key: str) -> bool:
        return key in self.files

    def copy(self) -> MemoryFileStore:
        other = MemoryFileStore()
        other.files, other.published = dict(self.files), set(self.published)
        return other


def factory(store: MemoryStore) -> Callable[..., MemoryUnitOfWork]:
    """``factory()`` for reading, ``factory(write=True)`` for a change: the ``UnitOfWorkFactory`` of the services."""

    def open_unit(write: bool = False) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(store, write)

    return open_unit
