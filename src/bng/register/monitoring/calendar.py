"""Calendars of monitoring: reports due, LPA inspections, remedial action deadlines and obligation ends.

As iCalendar (RFC 5545), for an LPA (all its obligations) and for a provider (theirs).

A calendar application cannot sign in, so each feed has a secret link: a random token, of which the
register keeps only the SHA-256 (a new link replaces the old one, which then stops working). Signed-in
people can also download their calendar directly. Each event has a stable UID, so a subscribed calendar
updates in place, and an alarm 14 days before (the application's own reminder; the service's reminders
are queued in the outbox).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from bng.register.core.audit import Actor
from bng.register.core.errors import NotFound
from bng.register.core.roles import Permission
from bng.register.core.service import Service, require
from bng.register.core.tokens import token_hash

from .records import ActionStatus, CalendarFeed, MonitoringUnitOfWork, Obligation, RemedialAction
from .service import obligation_dues

PRODID = "-//bng//Biodiversity net gain monitoring//EN"
DOMAIN = "bng.monitoring"


def _event(uid: str, on: date, summary: str, description: str, stamp: datetime, alarm_days: int = 14) -> Event:
    e = Event()
    e.add("uid", f"{uid}@{DOMAIN}")
    e.add("dtstamp", stamp)
    e.add("dtstart", on)
    e.add("dtend", on + timedelta(days=1))
    e.add("summary", summary)
    e.add("description", description)
    e.add("transp", "TRANSPARENT")
    if alarm_days:
        a = Alarm()
        a.add("action", "DISPLAY")
        a.add("description", summary)
        a.add("trigger", timedelta(days=-alarm_days))
        e.add_component(a)
    return e


def calendar(name: str, obligations: Iterable[tuple[Obligation, Iterable[RemedialAction]]], now: datetime) -> bytes:
    """The iCalendar of obligations: reports due and inspections (by year), open actions' deadlines, ends."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for ob, actions in obligations:
        where = f"{ob.development_name} ({ob.planning_reference}), monitoring obligation {ob.reference}"
        for d in obligation_dues(ob):
            cal.add_component(
                _event(
                    f"{ob.reference}-{d.kind}-{d.year}",
                    d.on,
                    f"{d.title}: {ob.development_name}",
                    f"{d.title} under {where}; schedule {ob.schedule}, band {ob.band}.",
                    now,
                )
            )
        for a in actions:
            if a.status == ActionStatus.OPEN:
                cal.add_component(
                    _event(
                        f"{ob.reference}-action-{a.reference}",
                        a.deadline,
                        f"Remedial action {a.reference} due: {ob.development_name}",
                        f"{a.description} ({where})",
                        now,
                        7,
                    )
                )
        cal.add_component(
            _event(f"{ob.reference}-end", ob.end_date, f"Monitoring ends: {ob.development_name}", where, now, 0)
        )
    return bytes(cal.to_ical())


class Calendars(Service):
    """Monitoring calendars and their secret feed links, for an LPA's officers and for providers."""

    def _muow(self, write: bool = False) -> MonitoringUnitOfWork:
        found: MonitoringUnitOfWork = self._uow(write=write)  # type: ignore[assignment]
        return found

    def _owner(self, actor: Actor) -> tuple[str, int | None, int | None]:
        if actor.role == "lpa_officer":
            require(actor, Permission.REVIEW_MONITORING)
            if actor.lpa_id is None:
                raise NotFound("No calendar")
            return "lpa", actor.lpa_id, None
        require(actor, Permission.REPORT_MONITORING)
        return "provider", None, actor.user_id

    def _ics(self, uow: MonitoringUnitOfWork, kind: str, lpa_id: int | None, user_id: int | None) -> bytes:
        if kind == "lpa":
            assert lpa_id is not None
            lpa = uow.lpas.get(lpa_id)
            obligations = uow.monitoring.obligations_of_lpa(lpa_id)
            name = f"BNG monitoring: {lpa.name if lpa else 'LPA'}"
        else:
            assert user_id is not None
            obligations = uow.monitoring.obligations_of_provider(user_id)
            name = "BNG monitoring: your obligations"
        pairs = [(ob, uow.monitoring.actions(ob.id)) for ob in obligations if ob.id is not None]
        return calendar(name, pairs, self.now())

    def download(self, actor: Actor | None) -> bytes:
        """The signed-in person's calendar: their LPA's (an officer) or their own obligations' (a provider)."""
        if actor is None:
            raise NotFound("No calendar")
        kind, lpa_id, user_id = self._owner(actor)
        with self._muow() as uow:
            return self._ics(uow, kind, lpa_id, user_id)

    def new_link(self, actor: Actor | None) -> str:
        """A new secret link token for the person's calendar feed (the old one stops working)."""
        if actor is None:
            raise NotFound("No calendar")
        kind, lpa_id, user_id = self._owner(actor)
        token = secrets.token_urlsafe(32)
        digest = token_hash(token)
        with self._muow(write=True) as uow:
            feed = uow.monitoring.feed_of(kind, lpa_id, user_id)
            if feed is None:
                uow.add(CalendarFeed(digest, kind, self.now(), actor.user_id, lpa_id, user_id))
            else:
                feed.token_hash, feed.created_at, feed.created_by = digest, self.now(), actor.user_id
            uow.commit()
        return token

    def has_link(self, actor: Actor | None) -> bool:
        """Whether the person's calendar (their LPA's or their own) has a secret feed link yet."""
        if actor is None:
            return False
        kind, lpa_id, user_id = self._owner(actor)
        with self._muow() as uow:
            return uow.monitoring.feed_of(kind, lpa_id, user_id) is not None

    def feed(self, token: str) -> bytes:
        """The calendar a secret link names (anyone holding the link: a calendar application)."""
        if not token or len(token) > 100:
            raise NotFound("No such calendar")
        digest = token_hash(token)
        with self._muow() as uow:
            found = uow.monitoring.feed(digest)
            if found is None:
                raise NotFound("No such calendar")
            return self._ics(uow, found.kind, found.lpa_id, found.user_id)
