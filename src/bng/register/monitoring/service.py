"""Monitoring over 30 years, as a service: obligations, reports, the officer's review, fees, flags and reminders.

Obligations are made from approved gain plans and registered gain sites; the provider's reports are judged against the
metric's trajectory; the officer accepts a report or asks for remedial action with a deadline.

The rules are :mod:`bng.planning`'s (schedules, fees, trajectories, the judgement of each parcel); this
module keeps the records, decides who may do what, and writes every change to the audit log in the same
transaction. Reminders and flags are queued in the outbox (``notification_outbox``): the service sends no
e-mail yet (GOV.UK Notify is a later issue), and a sender reads the outbox.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from bng.planning import (
    INSPECTION,
    LADDER,
    REPORT,
    Assessment,
    Due,
    FeeError,
    FeeQuote,
    MonitoringProfile,
    Observation,
    Trajectory,
    assess,
    due_dates,
    end_date,
    from_parcel,
    quote,
    schedule_band,
)
from bng.planning import (
    monitoring_rule_tables as monitoring_tables,
)
from bng.planning import (
    parcel_trajectory as trajectory,
)
from bng.planning import (
    planning_tables as tables,
)
from bng.register.core import audit, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem, refuse
from bng.register.core.filetypes import DocumentKind, FileType, check_upload, safe_name, sniff
from bng.register.core.model import Lpa, OutboxMessage, StoredFile, User
from bng.register.core.ports import Clock, FileStore, UnitOfWorkFactory
from bng.register.core.roles import Permission
from bng.register.core.service import Service, require
from bng.register.core.uploads import Upload

from .records import (
    ActionStatus,
    Mechanism,
    Monitor,
    MonitoringEvent,
    MonitoringReport,
    MonitoringUnitOfWork,
    Obligation,
    RemedialAction,
    ReportStatus,
    Source,
    new_reference,
)

T = TypeVar("T")
CONDITIONS = (*LADDER, "Condition Assessment N/A", "N/A - Other")
MAX_PHOTOS = 20
PHOTO_BYTES = 20 * 1024 * 1024
TEXT_LIMIT = 10_000
NO_REPORT = "no report yet"


def token_key(once: submissions.Once | None) -> str | None:
    """What a record keeps of the form's one-time token: its SHA-256, None where none was sent (the CLI).

    Unique per table, besides the claim in ``submission``.
    """
    return once.key if once is not None else None


def lpa_profile_keys(lpa: Lpa | None) -> tuple[str, ...]:
    """The keys an LPA's monitoring profile is found by: its planning profile's code, then its ONS code."""
    if lpa is None:
        return ()
    found = tables().lpa(lpa.ons_code or "") or tables().lpa(lpa.name.removesuffix(" LPA"))
    return tuple(k for k in ((found.code if found else ""), lpa.ons_code or "") if k)


def monitoring_profile(lpa: Lpa | None) -> MonitoringProfile:
    """The monitoring profile (schedule and fees) of the LPA, or the national one where it has none."""
    return monitoring_tables().profile(*lpa_profile_keys(lpa))


@dataclass(frozen=True)
class FeeAnswer:
    """The fee an LPA's profile gives an obligation, or why there is none."""

    profile: MonitoringProfile
    quote: FeeQuote | None
    note: str = ""

    @property
    def text(self) -> str:
        """The fee in the LPA's words, or why there is none."""
        return self.quote.text if self.quote else self.note


def quote_fee(
    lpa: Lpa | None, size_ha: float, units: float, on: date, visits: int = 1, band: str | None = None
) -> FeeAnswer:
    """The monitoring fee of an LPA's profile for land of ``size_ha`` securing ``units``, quoted on ``on``."""
    profile = monitoring_profile(lpa)
    if not profile.fee_model:
        return FeeAnswer(profile, None, f"No monitoring fee schedule is known for this LPA ({profile.source})")
    try:
        return FeeAnswer(
            profile, quote(profile.fee_model, on=on, size_ha=size_ha, units=units, visits=visits, band=band)
        )
    except FeeError as err:
        return FeeAnswer(profile, None, str(err))


def monitored_size(trajectories: Iterable[Trajectory]) -> float:
    """The hectares an obligation monitors: its area parcels (hedgerows and rivers are lengths)."""
    return sum(t.size for t in trajectories if t.module == "area")


def plan_trajectories(gain_plan: Mapping[str, Any]) -> list[Trajectory]:
    """The parcels of an approved gain plan that must be monitored: its significant on-site enhancements."""
    release = str((gain_plan.get("metric") or {}).get("release") or "statutory-2024")
    return [from_parcel(p, release) for p in gain_plan.get("significant_parcels") or []]


@dataclass(frozen=True, slots=True)
class Flag:
    """An enforcement flag: something the provider owed is overdue."""

    kind: str  # "report overdue" or "remedial action overdue"
    what: str
    due_on: date
    key: str


@dataclass(frozen=True)
class ObligationView:
    """An obligation with what its pages show: its LPA, provider, reports, remedial actions and history."""

    obligation: Obligation
    lpa: Lpa | None
    body: str
    provider: str
    reports: tuple[MonitoringReport, ...]
    actions: tuple[RemedialAction, ...]
    events: tuple[MonitoringEvent, ...]
    today: date

    @property
    def trajectories(self) -> list[Trajectory]:
        """Each monitored parcel's trajectory from the metric (the target year by year)."""
        return [Trajectory.from_dict(p) for p in self.obligation.parcels]

    @property
    def dues(self) -> tuple[Due, ...]:
        """The obligation's monitoring reports and inspections due, by its schedule's years."""
        return obligation_dues(self.obligation)

    @property
    def latest(self) -> MonitoringReport | None:
        """The latest monitoring report, if any."""
        return self.reports[-1] if self.reports else None

    @property
    def status(self) -> str:
        """The latest report's assessment (on track, behind, failed…), or that none was received."""
        latest = self.latest
        return str(latest.assessment.get("status")) if latest else NO_REPORT

    @property
    def flags(self) -> list[Flag]:
        """The enforcement flags as of today."""
        return flags_of(self.obligation, self.reports, self.actions, self.today)

    @property
    def next_due(self) -> Due | None:
        """The first monitoring report due that has not been received."""
        have = {r.year for r in self.reports}
        for d in self.dues:
            if d.kind == REPORT and d.year not in have:
                return d
        return None

    @property
    def open_actions(self) -> list[RemedialAction]:
        """The remedial actions still open."""
        return [a for a in self.actions if a.status == ActionStatus.OPEN]

    def report(self, reference: str) -> MonitoringReport | None:
        """One of the obligation's reports, by reference."""
        return next((r for r in self.reports if r.reference == reference), None)


def obligation_dues(ob: Obligation) -> tuple[Due, ...]:
    """The reports and inspections due over the obligation's 30 years, by its schedule's band and years."""
    band = schedule_band(ob.schedule, ob.size_ha)
    return tuple(d for d in due_dates(ob.start_date, band) if d.year in ob.years)


def flags_of(
    ob: Obligation, reports: Sequence[MonitoringReport], actions: Sequence[RemedialAction], today: date
) -> list[Flag]:
    """Enforcement flags: a report not received within the grace period after its due date.

    Also a remedial action still open after its deadline.
    """
    grace = timedelta(days=int(monitoring_tables().number("report_grace_days")))
    have = {r.year for r in reports}
    out = []
    for d in obligation_dues(ob):
        if d.kind == REPORT and d.year not in have and d.on + grace < today:
            out.append(Flag("report overdue", f"the year {d.year} report", d.on, f"report:{d.year}"))
    for a in actions:
        if a.status == ActionStatus.OPEN and a.deadline < today:
            out.append(
                Flag("remedial action overdue", f"remedial action {a.reference}", a.deadline, f"action:{a.reference}")
            )
    return out


def view_of(uow: MonitoringUnitOfWork, ob: Obligation, today: date) -> ObligationView:
    """An obligation with its LPA, responsible body, provider, reports, actions and history, as of ``today``."""
    assert ob.id is not None
    body = uow.bodies.get(ob.responsible_body_id) if ob.responsible_body_id else None
    provider = uow.users.get(ob.provider_id)
    return ObligationView(
        ob,
        uow.lpas.get(ob.lpa_id),
        body.name if body else "",
        provider.name if provider else "",
        tuple(uow.monitoring.reports(ob.id)),
        tuple(uow.monitoring.actions(ob.id)),
        tuple(uow.monitoring.events(ob.id)),
        today,
    )


class Monitoring(Service):
    """Monitoring obligations, their reports and the officer's review, for providers and LPA officers."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, store: FileStore) -> None:
        super().__init__(uow, clock)
        self._store = store

    def _muow(self, write: bool = False) -> MonitoringUnitOfWork:
        found: MonitoringUnitOfWork = self._uow(write=write)  # type: ignore[assignment]
        return found

    def _once(self, act: Callable[[], T], repeat: Callable[[], T | None]) -> T:
        """Make a confirmation once: a post that lost the race to an identical one gets what the first made.

        The race is decided by the token's unique row.
        """
        try:
            return act()
        except Conflict:
            found = repeat()
            if found is None:
                raise
            return found

    # -- obligations -----------------------------------------------------------------------------------
    def _officer_lpa(self, actor: Actor) -> int:
        if actor.lpa_id is None:
            raise NotFound("No such obligation")
        return actor.lpa_id

    def _start_checks(self, mechanism: str, monitor: str, start_date: date | None) -> list[Problem]:
        problems = []
        if mechanism not in {m.value for m in Mechanism}:
            problems.append(Problem("mechanism", "Select how the gains are secured"))
        if monitor not in {m.value for m in Monitor}:
            problems.append(Problem("monitor", "Select who monitors"))
        if start_date is None:
            problems.append(Problem("start_date", "Enter the date monitoring starts (the habitat works completed)"))
        return problems

    def create_for_case(
        self,
        actor: Actor | None,
        case_reference: str,
        *,
        start_date: date | None,
        mechanism: str,
        monitor: str = Monitor.LPA,
        responsible_body_id: int | None = None,
        once: submissions.Once | None = None,
    ) -> Obligation:
        """The monitoring obligation of an approved gain plan: its significant on-site parcels for 30 years.

        From the start (commencement, or the habitat works' completion). Made once per plan.
        """
        actor = require(actor, Permission.REVIEW_MONITORING)
        lpa_id = self._officer_lpa(actor)
        refuse(self._start_checks(mechanism, monitor, start_date))
        assert start_date is not None
        now = self.now()
        with self._muow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            case = uow.planning.case(case_reference.strip().upper(), for_update=True)
            if case is None or case.lpa_id != lpa_id:
                raise NotFound("No such gain plan")
            existing = uow.monitoring.obligation_of_case(case.id)
            if existing is not None:
                return existing
            if case.status != "approved":
                raise Conflict("Only an approved gain plan is monitored")
            plan = case.gain_plan or {}
            parcels = plan_trajectories(plan)
            if not parcels:
                raise Invalid.one(
                    "start_date",
                    "The plan has no significant on-site enhancements: non-significant ones need no 30-year "
                    "monitoring (GOV.UK, source 002)",
                )
            if monitor == Monitor.BODY and responsible_body_id is None:
                raise Invalid.one("responsible_body_id", "Select the responsible body of the conservation covenant")
            lpa = uow.lpas.get(case.lpa_id)
            ob = self._obligation(
                uow,
                actor,
                lpa,
                parcels,
                Source.GAIN_PLAN,
                planning_reference=case.planning_reference,
                development_name=case.development_name,
                provider_id=case.submitted_by,
                mechanism=mechanism,
                monitor=monitor,
                start_date=start_date,
                release=str((plan.get("metric") or {}).get("release") or "statutory-2024"),
                quoted_on=case.received_on,
                responsible_body_id=responsible_body_id if monitor == Monitor.BODY else None,
                planning_case_id=case.id,
                now=now,
            )
            submissions.settle(uow, once, ob.reference)
            uow.commit()
            return ob

    def create_for_site(
        self,
        actor: Actor | None,
        site_reference: str,
        start_date: date | None = None,
        *,
        once: submissions.Once | None = None,
    ) -> Obligation:
        """The monitoring obligation of a registered gain site under an agreement with the officer's LPA.

        Its created and enhanced parcels, from the habitat works' completion, by its agreement (section 106 with the
        LPA, or a conservation covenant with its responsible body).
        """
        actor = require(actor, Permission.REVIEW_MONITORING)
        lpa_id = self._officer_lpa(actor)
        now = self.now()
        with self._muow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            site = uow.sites.by_reference(site_reference.strip().upper(), for_update=True)
            if site is None or site.id is None:
                raise NotFound("No such gain site")
            lpas = {x.id for x in uow.sites.agreement_lpas(site.id)}
            lpa = uow.lpas.get(lpa_id)
            if lpa_id not in lpas and (lpa is None or site.lpa_name != lpa.name):
                raise NotFound("No such gain site")
            existing = uow.monitoring.obligation_of_site(site.id)
            if existing is not None:
                return existing
            if site.status != "registered":
                raise Conflict("Only a gain site on the register is monitored")
            parcels = site_trajectories(uow.sites.parcels(site.id), site.metric_release)
            if not parcels:
                raise Conflict("The gain site has no created or enhanced habitat to monitor")
            application = uow.applications.get(site.application_id)
            if application is None:
                raise Conflict("The gain site's application is missing")
            covenant = site.agreement_type == "conservation_covenant"
            ob = self._obligation(
                uow,
                actor,
                lpa,
                parcels,
                Source.GAIN_SITE,
                planning_reference=site.reference,
                development_name=site.name,
                provider_id=application.owner_id,
                mechanism=Mechanism.COVENANT if covenant else Mechanism.S106,
                monitor=Monitor.BODY if covenant else Monitor.LPA,
                start_date=start_date or site.works_completion_date,
                release=site.metric_release,
                quoted_on=site.registered_on,
                responsible_body_id=site.responsible_body_id if covenant else None,
                gain_site_id=site.id,
                now=now,
            )
            submissions.settle(uow, once, ob.reference)
            uow.commit()
            return ob

    def _obligation(
        self,
        uow: MonitoringUnitOfWork,
        actor: Actor,
        lpa: Lpa | None,
        parcels: list[Trajectory],
        source: Source,
        *,
        planning_reference: str,
        development_name: str,
        provider_id: int,
        mechanism: str,
        monitor: str,
        start_date: date,
        release: str,
        quoted_on: date,
        now: datetime,
        responsible_body_id: int | None = None,
        planning_case_id: int | None = None,
        gain_site_id: int | None = None,
    ) -> Obligation:
        assert lpa is not None and lpa.id is not None
        size = monitored_size(parcels)
        profile = monitoring_profile(lpa)
        band = schedule_band(profile.schedule, size)
        visits = len([d for d in due_dates(start_date, band) if d.kind == INSPECTION]) or 1
        units = sum(t.plan_units or 0.0 for t in parcels)
        fee = quote_fee(lpa, size, units, quoted_on, visits)
        due_at_discharge = "discharge" in profile.fee_due and source == Source.GAIN_PLAN
        ob = Obligation(
            reference=new_reference("MON"),
            lpa_id=lpa.id,
            source=source.value,
            planning_reference=planning_reference,
            development_name=development_name[:200],
            provider_id=provider_id,
            mechanism=str(mechanism),
            monitor=str(monitor),
            start_date=start_date,
            end_date=end_date(start_date),
            schedule=band.schedule,
            band=band.band,
            years=list(band.years),
            size_ha=size,
            metric_release=release,
            parcels=[t.to_dict() for t in parcels],
            created_at=now,
            created_by=actor.user_id,
            updated_at=now,
            planning_case_id=planning_case_id,
            gain_site_id=gain_site_id,
            responsible_body_id=responsible_body_id,
            fee=fee.quote.to_dict() if fee.quote else {"note": fee.note},
            fee_due=profile.fee_due,
            fee_due_on=quoted_on if due_at_discharge else None,
        )
        uow.add(ob)
        uow.flush()
        years = ", ".join(str(y) for y in ob.years)
        self._event(
            uow,
            ob,
            "created",
            f"Monitoring from {ob.start_date:%d %B %Y} to {ob.end_date:%d %B %Y}: {len(parcels)} parcels, "
            f"{size:.4f} ha; reports in years {years} ({profile.name}'s schedule, band {band.band}); fee {fee.text}",
            actor,
        )
        audit.record(
            uow,
            now,
            actor,
            "monitoring.obligation_created",
            "monitoring_obligation",
            ob.reference,
            None,
            audit.snapshot(
                ob,
                (
                    "reference",
                    "source",
                    "planning_reference",
                    "mechanism",
                    "monitor",
                    "start_date",
                    "end_date",
                    "schedule",
                    "band",
                    "years",
                    "size_ha",
                    "fee",
                ),
            ),
        )
        return ob

    def _event(self, uow: MonitoringUnitOfWork, ob: Obligation, kind: str, message: str, actor: Actor | None) -> None:
        assert ob.id is not None
        uow.add(MonitoringEvent(ob.id, self.now(), kind, message[:4000], actor.user_id if actor else None))

    def _visible(self, actor: Actor | None, ob: Obligation | None) -> Obligation:
        if actor is None or ob is None:
            raise NotFound("No such obligation")
        if actor.role == "lpa_officer" and actor.lpa_id == ob.lpa_id:
            return ob
        if ob.provider_id == actor.user_id:
            return ob
        raise NotFound("No such obligation")

    def _view(self, uow: MonitoringUnitOfWork, ob: Obligation) -> ObligationView:
        return view_of(uow, ob, self.today())

    def view(self, actor: Actor | None, reference: str) -> ObligationView:
        """An obligation as its provider or its LPA's officer sees it (NotFound for anyone else)."""
        with self._muow() as uow:
            return self._view(uow, self._visible(actor, uow.monitoring.obligation(reference.strip().upper())))

    def of_case(self, actor: Actor | None, case_reference: str) -> Obligation | None:
        """The obligation of a planning case, if one was made (for the case's pages)."""
        if actor is None:
            return None
        with self._muow() as uow:
            case = uow.planning.case(case_reference.strip().upper())
            if case is None or case.id is None:
                return None
            ob = uow.monitoring.obligation_of_case(case.id)
            try:
                return self._visible(actor, ob) if ob else None
            except NotFound:
                return None

    def mine(self, actor: Actor | None) -> list[ObligationView]:
        """The provider's own obligations."""
        actor = require(actor, Permission.REPORT_MONITORING)
        with self._muow() as uow:
            return [self._view(uow, ob) for ob in uow.monitoring.obligations_of_provider(actor.user_id)]

    def of_lpa(self, actor: Actor | None) -> tuple[Lpa | None, list[ObligationView]]:
        """The officer's LPA and its obligations."""
        actor = require(actor, Permission.REVIEW_MONITORING)
        lpa_id = self._officer_lpa(actor)
        with self._muow() as uow:
            return uow.lpas.get(lpa_id), [self._view(uow, ob) for ob in uow.monitoring.obligations_of_lpa(lpa_id)]

    def record_fee(
        self,
        actor: Actor | None,
        reference: str,
        received_on: date | None,
        amount_pence: int | None,
        *,
        once: submissions.Once | None = None,
    ) -> Obligation:
        """The officer records the monitoring fee received (once: the same again is nothing new)."""
        actor = require(actor, Permission.REVIEW_MONITORING)
        problems = []
        if received_on is None:
            problems.append(Problem("received_on", "Enter the date the fee was received"))
        elif received_on > self.today():
            problems.append(Problem("received_on", "The date the fee was received must be today or in the past"))
        if amount_pence is None or amount_pence <= 0 or amount_pence > 10**11:
            problems.append(Problem("amount", "Enter the amount received in pounds, like 2052.83"))
        refuse(problems)
        now = self.now()
        with self._muow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            ob = uow.monitoring.obligation(reference.strip().upper(), for_update=True)
            if ob is None or ob.lpa_id != actor.lpa_id:
                raise NotFound("No such obligation")
            if (ob.fee_received_on, ob.fee_received_pence) == (received_on, amount_pence):
                return ob
            if ob.fee_received_on is not None:
                raise Conflict("The fee was recorded already")
            before = audit.snapshot(ob, ("fee_received_on", "fee_received_pence"))
            ob.fee_received_on, ob.fee_received_pence, ob.updated_at = received_on, amount_pence, now
            assert amount_pence is not None
            self._event(uow, ob, "fee", f"Monitoring fee of £{amount_pence / 100:,.2f} received", actor)
            audit.record(
                uow,
                now,
                actor,
                "monitoring.fee_received",
                "monitoring_obligation",
                ob.reference,
                before,
                audit.snapshot(ob, ("fee_received_on", "fee_received_pence")),
            )
            submissions.settle(uow, once, ob.reference)
            uow.commit()
            return ob

    # -- reports ---------------------------------------------------------------------------------------
    def _observations(self, ob: Obligation, given: Mapping[str, Mapping[str, Any]]) -> list[Observation]:
        keys = {p["key"] for p in ob.parcels}
        problems: list[Problem] = []
        out: list[Observation] = []
        for key, values in given.items():
            if key not in keys:
                problems.append(Problem("parcels", f"Parcel {key} is not one this obligation monitors"))
                continue
            field = key.replace(":", "-")
            condition = str(values.get("condition") or "").strip()
            lost = bool(values.get("lost"))
            if condition and condition not in CONDITIONS:
                problems.append(Problem(f"condition-{field}", f"Parcel {key}: select a condition"))
            size_text = str(values.get("size") if values.get("size") is not None else "").strip()
            size: float | None = None
            if size_text:
                try:
                    size = float(size_text)
                    if not 0 <= size < 1e6:
                        raise ValueError
                except ValueError:
                    problems.append(
                        Problem(f"size-{field}", f"Parcel {key}: enter the size found as a number, like 2.5")
                    )
            habitat = str(values.get("habitat") or "").strip()[:200]
            if not (condition or lost or habitat or size_text):
                continue  # nothing said of this parcel
            out.append(Observation(key, habitat, condition, size, lost, str(values.get("note") or "")[:2000]))
        refuse(problems)
        return out

    def _files(self, files: Sequence[Upload]) -> list[tuple[str, Upload, str, str]]:
        """Check the report's files: photos (PNG, JPEG), an updated metric, updated maps (GeoPackage)."""
        problems: list[Problem] = []
        out: list[tuple[str, Upload, str, str]] = []
        photos = [f for f in files if f.field == "photos"]
        if len(photos) > MAX_PHOTOS:
            problems.append(Problem("photos", f"Upload at most {MAX_PHOTOS} photos"))
        for f in files:
            if not f.data:
                continue
            try:
                if f.field == "photos":
                    kind = sniff(f.data)
                    if kind not in (FileType.PNG, FileType.JPEG) or len(f.data) > PHOTO_BYTES:
                        raise Invalid.one(
                            "photos",
                            f"{safe_name(f.filename, FileType.JPEG)}: a photo must be a PNG or JPEG under 20 MB",
                        )
                    media = "image/png" if kind == FileType.PNG else "image/jpeg"
                    out.append(("monitoring_photo", f, media, safe_name(f.filename, kind)))
                elif f.field == "metric_file":
                    checked = check_upload(DocumentKind.METRIC, f.filename, f.data, "metric_file")
                    out.append(("monitoring_metric", f, checked.media_type, checked.name))
                elif f.field == "map_file":
                    checked = check_upload(DocumentKind.HABITAT_MAP, f.filename, f.data, "map_file")
                    out.append(("monitoring_map", f, checked.media_type, checked.name))
            except Invalid as err:
                problems.extend(err.problems)
        refuse(problems)
        return out

    def submit_report(
        self,
        actor: Actor | None,
        reference: str,
        *,
        year: int | None,
        observations: Mapping[str, Mapping[str, Any]],
        narrative: str = "",
        changes: str = "",
        recommendations: str = "",
        files: Sequence[Upload] = (),
        once: submissions.Once | None = None,
    ) -> MonitoringReport:
        """The provider's report for year N, judged parcel by parcel against the metric's trajectory.

        Made once (the form's token; the same report again is the same report).
        """
        actor = require(actor, Permission.REPORT_MONITORING)
        key = token_key(once)
        with self._muow() as uow:
            ob = uow.monitoring.obligation(reference.strip().upper())
            if ob is None or ob.provider_id != actor.user_id:
                raise NotFound("No such obligation")
        problems = []
        if year is None or not 1 <= year <= int(monitoring_tables().number("period_years")):
            problems.append(Problem("year", "Select the year of monitoring the report is for"))
        for name, text in (("narrative", narrative), ("changes", changes), ("recommendations", recommendations)):
            if len(text) > TEXT_LIMIT:
                problems.append(Problem(name, f"Write at most {TEXT_LIMIT:,} characters"))
        refuse(problems)
        assert year is not None
        seen = self._observations(ob, observations)
        if not seen and not any(f.data for f in files if f.field == "metric_file"):
            raise Invalid.one("parcels", "Give the condition found on each parcel, or upload the updated metric")
        checked = self._files(files)
        digest = hashlib.sha256(
            json.dumps(
                [year, [o.to_dict() for o in seen], narrative, changes, recommendations]
                + [hashlib.sha256(f.data).hexdigest() for _, f, _, _ in checked],
                sort_keys=True,
            ).encode()
        ).hexdigest()
        trajectories = [Trajectory.from_dict(p) for p in ob.parcels]
        assessment = assess(trajectories, year, seen, due=True)

        def act() -> MonitoringReport:
            return self._store_report(
                actor, ob.reference, year, seen, assessment, narrative, changes, recommendations, checked, digest, once
            )

        def repeat() -> MonitoringReport | None:
            with self._muow() as uow:
                return uow.monitoring.report_by_token(key) if key else None

        return self._once(act, repeat)

    def _store_report(
        self,
        actor: Actor,
        reference: str,
        year: int,
        seen: list[Observation],
        assessment: Assessment,
        narrative: str,
        changes: str,
        recommendations: str,
        checked: list[tuple[str, Upload, str, str]],
        digest: str,
        once: submissions.Once | None,
    ) -> MonitoringReport:
        now = self.now()
        with self._muow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            ob = uow.monitoring.obligation(reference, for_update=True)
            assert ob is not None and ob.id is not None
            same = uow.monitoring.report_by_content(ob.id, year, digest)
            if same is not None:
                return same
            stored = []
            for kind, f, media, name in checked:
                s = self._put(uow, actor, kind, name, media, f.data)
                stored.append({"id": s.id, "kind": kind, "name": s.name, "media_type": media})
            report = MonitoringReport(
                reference=new_reference("MR"),
                obligation_id=ob.id,
                year=year,
                submitted_at=now,
                submitted_by=actor.user_id,
                observations=[o.to_dict() for o in seen],
                assessment=assessment.to_dict(),
                narrative=narrative.strip(),
                changes=changes.strip(),
                recommendations=recommendations.strip(),
                files=stored,
                content_sha256=digest,
                token=token_key(once),
            )
            uow.add(report)
            uow.flush()
            counts = assessment.counts()
            summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
            self._event(uow, ob, "report", f"Year {year} report {report.reference} received: {summary}", actor)
            audit.record(
                uow,
                now,
                actor,
                "monitoring.report_submitted",
                "monitoring_report",
                report.reference,
                None,
                {"obligation": ob.reference, "year": year, "status": assessment.status.value, "counts": counts},
            )
            off = assessment.off_track
            if off:
                lines = [f"- {v.key}: {v.status.value}: {'; '.join(v.reasons)}" for v in off]
                self._event(uow, ob, "flagged", f"Off track in year {year}: " + "; ".join(v.key for v in off), None)
                self._notify_officers(
                    uow,
                    ob,
                    f"flagged:{report.reference}",
                    "off_track",
                    f"{ob.planning_reference}: parcels off track in the year {year} monitoring report",
                    f"The year {year} monitoring report {report.reference} of {ob.development_name} "
                    f"({ob.reference}) shows parcels off track:\n"
                    + "\n".join(lines)
                    + f"\n\nReview it at /lpa/monitoring/{ob.reference}",
                    self.today(),
                )
            ob.updated_at = now
            submissions.settle(uow, once, report.reference)
            uow.commit()
            return report

    def _put(
        self, uow: MonitoringUnitOfWork, actor: Actor, kind: str, name: str, media: str, data: bytes
    ) -> StoredFile:
        key = self._store.put(data)
        uow.on_rollback(lambda: self._store.delete(key))
        stored = StoredFile(
            key=key,
            kind=kind,
            name=name[:200],
            media_type=media,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_at=self.now(),
            uploaded_by=actor.user_id,
        )
        uow.add(stored)
        uow.flush()
        return stored

    def report_file(
        self, actor: Actor | None, reference: str, report_reference: str, file_id: int
    ) -> tuple[StoredFile, bytes]:
        """A file of a report, for its provider and the LPA's officer."""
        with self._muow() as uow:
            ob = self._visible(actor, uow.monitoring.obligation(reference.strip().upper()))
            report = uow.monitoring.report(report_reference.strip().upper())
            if report is None or report.obligation_id != ob.id or file_id not in {f["id"] for f in report.files}:
                raise NotFound("No such file")
            stored = uow.files.get(file_id)
            if stored is None:
                raise NotFound("No such file")
        return stored, self._store.get(stored.key)

    # -- the officer's review --------------------------------------------------------------------------
    def _officers_report(
        self, uow: MonitoringUnitOfWork, actor: Actor, reference: str, report_reference: str
    ) -> tuple[Obligation, MonitoringReport]:
        ob = uow.monitoring.obligation(reference.strip().upper(), for_update=True)
        if ob is None or actor.lpa_id is None or ob.lpa_id != actor.lpa_id:
            raise NotFound("No such report")
        report = uow.monitoring.report(report_reference.strip().upper(), for_update=True)
        if report is None or report.obligation_id != ob.id:
            raise NotFound("No such report")
        return ob, report

    def accept(
        self,
        actor: Actor | None,
        reference: str,
        report_reference: str,
        note: str = "",
        *,
        once: submissions.Once | None = None,
    ) -> MonitoringReport:
        """The officer accepts a report (once: accepting it again changes nothing)."""
        actor = require(actor, Permission.REVIEW_MONITORING)
        now = self.now()
        with self._muow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            ob, report = self._officers_report(uow, actor, reference, report_reference)
            if report.status == ReportStatus.ACCEPTED:
                return report
            if report.status != ReportStatus.SUBMITTED:
                raise Conflict("Remedial action was asked for on this report: the next report is judged instead")
            before = audit.snapshot(report, ("status", "reviewed_at", "review_note"))
            report.status, report.reviewed_at, report.reviewed_by = ReportStatus.ACCEPTED, now, actor.user_id
            report.review_note = note.strip()[:TEXT_LIMIT]
            self._event(uow, ob, "accepted", f"Year {report.year} report {report.reference} accepted", actor)
            audit.record(
                uow,
                now,
                actor,
                "monitoring.report_accepted",
                "monitoring_report",
                report.reference,
                before,
                audit.snapshot(report, ("status", "reviewed_at", "review_note")),
            )
            submissions.settle(uow, once, report.reference)
            uow.commit()
            return report

    def request_action(
        self,
        actor: Actor | None,
        reference: str,
        report_reference: str,
        *,
        description: str,
        deadline: date | None,
        parcel_keys: Sequence[str],
        once: submissions.Once | None = None,
    ) -> RemedialAction:
        """The officer asks for remedial action on a report's parcels, by a deadline (once per form)."""
        actor = require(actor, Permission.REVIEW_MONITORING)
        key = token_key(once)
        problems = []
        if not description.strip():
            problems.append(Problem("description", "Say what must be done"))
        elif len(description) > TEXT_LIMIT:
            problems.append(Problem("description", f"Write at most {TEXT_LIMIT:,} characters"))
        if deadline is None:
            problems.append(Problem("deadline", "Enter the date the action must be done by"))
        elif deadline <= self.today():
            problems.append(Problem("deadline", "The deadline must be in the future"))
        refuse(problems)
        assert deadline is not None

        def act() -> RemedialAction:
            now = self.now()
            with self._muow(write=True) as uow:
                submissions.claim(uow, actor, once, now)
                ob, report = self._officers_report(uow, actor, reference, report_reference)
                assert ob.id is not None and report.id is not None
                keys = {p["key"] for p in ob.parcels}
                chosen = [k for k in parcel_keys if k in keys]
                if len(chosen) != len(set(parcel_keys)):
                    raise Invalid.one("parcel_keys", "Select parcels of this obligation")
                if not chosen:
                    chosen = [
                        v["key"] for v in report.assessment.get("verdicts", []) if v["status"] in ("behind", "failed")
                    ]
                action = RemedialAction(
                    reference=new_reference("RA"),
                    obligation_id=ob.id,
                    report_id=report.id,
                    parcel_keys=sorted(set(chosen)),
                    description=description.strip(),
                    deadline=deadline,
                    created_at=now,
                    created_by=actor.user_id,
                    token=key,
                )
                uow.add(action)
                if report.status == ReportStatus.SUBMITTED:
                    report.status, report.reviewed_at, report.reviewed_by = ReportStatus.ACTION, now, actor.user_id
                uow.flush()
                self._event(
                    uow,
                    ob,
                    "remedial action",
                    f"Remedial action {action.reference} asked for by {deadline:%d %B %Y} on "
                    f"{', '.join(action.parcel_keys) or 'the site'}: {action.description}",
                    actor,
                )
                audit.record(
                    uow,
                    now,
                    actor,
                    "monitoring.action_requested",
                    "monitoring_action",
                    action.reference,
                    None,
                    audit.snapshot(action, ("reference", "parcel_keys", "description", "deadline", "status")),
                )
                self._notify_provider(
                    uow,
                    ob,
                    f"action:{action.reference}",
                    "remedial_action",
                    f"{ob.planning_reference}: remedial action by {deadline:%d %B %Y}",
                    f"The LPA asks for remedial action {action.reference} on {ob.development_name} "
                    f"({ob.reference}) by {deadline:%d %B %Y}:\n{action.description}\n\nSee /monitoring/{ob.reference}",
                    self.today(),
                )
                submissions.settle(uow, once, action.reference)
                uow.commit()
                return action

        def repeat() -> RemedialAction | None:
            with self._muow() as uow:
                return uow.monitoring.action_by_token(key) if key else None

        return self._once(act, repeat)

    def action_done(
        self,
        actor: Actor | None,
        reference: str,
        action_reference: str,
        note: str,
        *,
        once: submissions.Once | None = None,
    ) -> RemedialAction:
        """The provider says a remedial action is done, and how (once: saying it again changes nothing)."""
        actor = require(actor, Permission.REPORT_MONITORING)
        if not note.strip():
            raise Invalid.one("note", "Say what was done")
        now = self.now()
        with self._muow(write=True) as uow:
            submissions.claim(uow, actor, once, now)
            ob = uow.monitoring.obligation(reference.strip().upper(), for_update=True)
            if ob is None or ob.provider_id != actor.user_id:
                raise NotFound("No such action")
            action = uow.monitoring.action(action_reference.strip().upper(), for_update=True)
            if action is None or action.obligation_id != ob.id:
                raise NotFound("No such action")
            if action.status == ActionStatus.DONE:
                return action
            before = audit.snapshot(action, ("status", "done_at", "done_note"))
            action.status, action.done_at, action.done_by = ActionStatus.DONE, now, actor.user_id
            action.done_note = note.strip()[:TEXT_LIMIT]
            self._event(uow, ob, "action done", f"Remedial action {action.reference} done: {action.done_note}", actor)
            audit.record(
                uow,
                now,
                actor,
                "monitoring.action_done",
                "monitoring_action",
                action.reference,
                before,
                audit.snapshot(action, ("status", "done_at", "done_note")),
            )
            self._notify_officers(
                uow,
                ob,
                f"done:{action.reference}",
                "action_done",
                f"{ob.planning_reference}: remedial action {action.reference} done",
                f"{ob.development_name} ({ob.reference}): the provider reports remedial action {action.reference} "
                f"done: {action.done_note}",
                self.today(),
            )
            submissions.settle(uow, once, action.reference)
            uow.commit()
            return action

    # -- notifications, flags and reminders ------------------------------------------------------------
    def _queue(self, uow: MonitoringUnitOfWork, message: OutboxMessage) -> bool:
        if uow.monitoring.outbox_has(message.key):
            return False
        uow.add(message)
        return True

    def _notify_provider(
        self, uow: MonitoringUnitOfWork, ob: Obligation, key: str, kind: str, subject: str, body: str, send_on: date
    ) -> bool:
        user = uow.users.get(ob.provider_id)
        if user is None:
            return False
        return self._queue(
            uow,
            OutboxMessage(
                f"{key}:{user.id}", kind, self.now(), send_on, user.email, subject[:300], body, user.id, ob.id
            ),
        )

    def _officers(self, uow: MonitoringUnitOfWork, lpa_id: int) -> list[User]:
        return [u for u in uow.users.all() if u.role == "lpa_officer" and u.lpa_id == lpa_id and u.active]

    def _notify_officers(
        self, uow: MonitoringUnitOfWork, ob: Obligation, key: str, kind: str, subject: str, body: str, send_on: date
    ) -> int:
        sent = 0
        for user in self._officers(uow, ob.lpa_id):
            message = OutboxMessage(
                f"{key}:{user.id}", kind, self.now(), send_on, user.email, subject[:300], body, user.id, ob.id
            )
            sent += self._queue(uow, message)
        return sent

    def sweep(self, today: date | None = None) -> list[str]:
        """Run daily (``bng planning monitoring-sweep``): reminders, enforcement flags, and obligations ended.

        Queues reminders before reports and remedial actions are due, raises enforcement flags for what is overdue (once
        each: in the history, the audit log and the outbox to the LPA's officers), and ends obligations whose 30 years
        are over. Returns what it did.
        """
        today = today or self.today()
        reminders = [int(d) for d in monitoring_tables().rules["reminder_days_before"].numbers()]
        said: list[str] = []
        with self._muow(write=True) as uow:
            for ob in uow.monitoring.active():
                assert ob.id is not None
                reports = uow.monitoring.reports(ob.id)
                actions = uow.monitoring.actions(ob.id)
                have = {r.year for r in reports}
                for d in obligation_dues(ob):
                    if d.kind != REPORT or d.year in have:
                        continue
                    for days in reminders:
                        due_soon = d.on - timedelta(days=days) <= today <= d.on
                        if due_soon and self._notify_provider(
                            uow,
                            ob,
                            f"reminder:{ob.reference}:report:{d.year}:{days}",
                            "report_reminder",
                            f"{ob.planning_reference}: monitoring report due {d.on:%d %B %Y}",
                            f"The year {d.year} monitoring report of {ob.development_name} ({ob.reference}) is "
                            f"due on {d.on:%d %B %Y}. Submit it at /monitoring/{ob.reference}",
                            today,
                        ):
                            said.append(f"{ob.reference}: reminder of the year {d.year} report ({days} days)")
                for a in actions:
                    if a.status != ActionStatus.OPEN:
                        continue
                    for days in reminders:
                        if a.deadline - timedelta(days=days) <= today <= a.deadline and self._notify_provider(
                            uow,
                            ob,
                            f"reminder:{ob.reference}:action:{a.reference}:{days}",
                            "action_reminder",
                            f"{ob.planning_reference}: remedial action due {a.deadline:%d %B %Y}",
                            f"Remedial action {a.reference} on {ob.development_name} ({ob.reference}) is due by "
                            f"{a.deadline:%d %B %Y}: {a.description}",
                            today,
                        ):
                            said.append(f"{ob.reference}: reminder of {a.reference} ({days} days)")
                for flag in flags_of(ob, reports, actions, today):
                    if self._notify_officers(
                        uow,
                        ob,
                        f"flag:{ob.reference}:{flag.key}",
                        "enforcement_flag",
                        f"Enforcement flag: {ob.planning_reference}: {flag.kind}",
                        f"{ob.development_name} ({ob.reference}): {flag.what} was due on {flag.due_on:%d %B %Y} "
                        f"and is {flag.kind.split()[-1]}. See /lpa/monitoring/{ob.reference}",
                        today,
                    ):
                        self._event(uow, ob, "enforcement flag", f"Enforcement flag: {flag.what} ({flag.kind})", None)
                        audit.record(
                            uow,
                            self.now(),
                            None,
                            "monitoring.enforcement_flag",
                            "monitoring_obligation",
                            ob.reference,
                            None,
                            {"flag": flag.kind, "what": flag.what, "due_on": flag.due_on},
                        )
                        said.append(f"{ob.reference}: enforcement flag, {flag.what}")
                if today >= ob.end_date:
                    ob.status = "ended"
                    ob.updated_at = self.now()
                    self._event(uow, ob, "ended", f"The {ob.end_date.year - ob.start_date.year} years ended", None)
                    audit.record(
                        uow, self.now(), None, "monitoring.obligation_ended", "monitoring_obligation", ob.reference
                    )
                    said.append(f"{ob.reference}: ended")
            uow.commit()
        return said

    def outbox(self, unsent_only: bool = True) -> list[OutboxMessage]:
        """The notifications waiting for a sender (the command line shows them; Notify will send them)."""
        with self._muow() as uow:
            return list(uow.monitoring.outbox(unsent_only))


def site_trajectories(parcels: Sequence[Any], release: str) -> list[Trajectory]:
    """A registered gain site's created and enhanced parcels, each with its trajectory.

    The register keeps no advance or delay years, nor a watercourse's encroachment: they are taken as none.
    """
    from bng.metric import load

    rel = load(release)
    baseline = {(p.module, p.ref): p for p in parcels if p.stage == "baseline"}
    out = []
    for p in parcels:
        if p.stage not in ("creation", "enhancement"):
            continue
        base = baseline.get((p.module, p.baseline_ref)) if p.stage == "enhancement" else None
        out.append(
            trajectory(
                rel,
                key=f"{p.module}:{'created' if p.stage == 'creation' else 'enhanced'}:{p.ref}",
                module=p.module,
                intervention="created" if p.stage == "creation" else "enhanced",
                habitat=p.habitat,
                condition=p.condition,
                size=float(p.size),
                plan_units=float(p.units),
                strategic_significance=p.strategic_significance,
                baseline_habitat=base.habitat if base else None,
                baseline_condition=base.condition if base else None,
                on_site=False,
            )
        )
    return out
