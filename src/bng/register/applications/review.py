"""The register team's side: the queue, further information, accept or reject, payments,
amendments and removals of registered gain sites.

Accepting runs every submission check again (the register may have changed since), then puts
the site on the register in one transaction: the gain site with its ``BGS-`` reference, the
areas it lies in, its agreement's LPAs, its habitat parcels (the capacity ledger) and the first
entry of its history. An application that also allocates units (the combined case, ``combined``,
reached through the port ``allocation_section.CombinedCase``) has its allocation recorded against
the new site in that same transaction: if the allocation cannot be recorded, the site is not
registered either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

import shapely

from bng.register.core import adjustments, audit, notifications, submissions
from bng.register.core import fee_payments as payments
from bng.register.core.audit import Actor
from bng.register.core.errors import Conflict, Invalid, NotFound, Problem, gather, refuse
from bng.register.core.fees import FeePurpose, pounds
from bng.register.core.filetypes import DocumentKind
from bng.register.core.model import (
    AgreementLpa,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    GainSite,
    GainSiteArea,
    HabitatParcel,
    PaymentStatus,
    Refund,
    SiteEvent,
    SiteStatus,
)
from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore, UnitOfWork, UnitOfWorkFactory
from bng.register.core.references import gain_site_reference, normalise
from bng.register.core.roles import Permission
from bng.register.core.rules import long_date
from bng.register.core.service import Service, require

from . import allocation_section
from .allocation_section import CombinedCase
from .answers import ApplicationAnswers
from .sections import boundary_of, file_ids, habitats_of
from .service import FEE_NAMES, NEVER_PUBLISHED, Applications, ApplicationView, FeeStanding, fee_standing

QUEUE = (ApplicationStatus.SUBMITTED,)
PUBLISHABLE = (
    DocumentKind.LEGAL_AGREEMENT,
    DocumentKind.HMMP,
    DocumentKind.METRIC,
    DocumentKind.HABITAT_MAP,
    DocumentKind.BOUNDARY_MAP,
    DocumentKind.BOUNDARY_DOCUMENT,
)
MAX_REASON = 5_000


def _reason(text: str, field: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid.one(field, f"Enter {what}")
    if len(text) > MAX_REASON:
        raise Invalid.one(field, f"{what[0].upper()}{what[1:]} must be {MAX_REASON:,} characters or fewer")
    return text


class Review(Service):
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        store: FileStore,
        places: Callable[[], Places],
        applications: Applications,
        combined: CombinedCase,
    ) -> None:
        super().__init__(uow, clock)
        self._store = store
        self._places = places
        self._applications = applications
        self._combined = combined

    def queue(self, actor: Actor | None) -> list[Application]:
        require(actor, Permission.REVIEW_APPLICATIONS)
        with self._uow() as uow:
            return sorted(uow.applications.with_status(QUEUE), key=lambda a: a.submitted_at or a.created_at)

    def decided(self, actor: Actor | None) -> list[Application]:
        require(actor, Permission.REVIEW_APPLICATIONS)
        with self._uow() as uow:
            done = uow.applications.with_status(
                (ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED, ApplicationStatus.INFORMATION_REQUESTED)
            )
            return sorted(done, key=lambda a: a.updated_at, reverse=True)

    def case(self, actor: Actor | None, reference: str) -> ApplicationView:
        require(actor, Permission.REVIEW_APPLICATIONS)
        return self._applications.view(actor, reference, with_checks=True)

    def _submitted(self, uow: UnitOfWork, reference: str) -> Application:
        app = uow.applications.by_reference(normalise(reference))
        if app is None or app.status == ApplicationStatus.DRAFT:
            raise NotFound("No such application")
        if app.status != ApplicationStatus.SUBMITTED:
            raise Conflict(f"The application is {app.status.replace('_', ' ')}, so it cannot be decided now")
        return app

    def _event(self, uow: UnitOfWork, app: Application, actor: Actor, kind: str, message: str) -> None:
        assert app.id is not None
        uow.add(ApplicationEvent(app.id, self.now(), kind, message, actor.user_id))

    def record_payment(
        self,
        actor: Actor | None,
        reference: str,
        received_on: date | None,
        method: str,
        payment: str = "",
        *,
        once: submissions.Once | None = None,
    ) -> None:
        """Record one fee as received, on its own date: ``payment`` is its payment reference (it may be left
        out when only one fee is due). The combined case's two fees are paid separately, and each keeps
        the day it was received."""
        actor = require(actor, Permission.RECORD_PAYMENTS)
        method = payments.received(received_on, method, self.today())
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            app = uow.applications.by_reference(normalise(reference))
            if app is None or app.id is None:
                raise NotFound("No such application")
            made_due = uow.payments.for_application(app.id)
            refunded = uow.payments.refunds([p.id for p in made_due if p.id is not None])
            due = [
                p for p in made_due if fee_standing(p, app.answers, refunded.get(p.id or 0)) == FeeStanding.DUE
            ]  # not one withdrawn or refunded
            if not due:
                raise Conflict("No fee is due on this application")
            wanted = normalise(payment) if payment.strip() else ""
            chosen = [p for p in due if p.reference == wanted] if wanted else due
            if not chosen:
                raise Conflict(f"The fee {payment.strip()[:20]} is not due on this application")
            if len(chosen) > 1:
                listed = ", ".join(f"{FEE_NAMES[FeePurpose(p.purpose)].lower()} ({p.reference})" for p in chosen)
                raise Invalid.one("payment", f"Say which fee was received: {listed}; each is recorded on its own")
            [fee] = chosen
            before = audit.snapshot(fee, ("status", "received_on", "method"))
            fee.status = PaymentStatus.RECEIVED
            fee.received_on = received_on
            fee.method = method
            fee.recorded_by = actor.user_id
            audit.record(
                uow,
                self.now(),
                actor,
                "payment.received",
                "payment",
                fee.reference,
                before,
                audit.snapshot(fee, ("status", "received_on", "method")),
            )
            assert received_on is not None
            self._event(
                uow,
                app,
                actor,
                "payment_received",
                f"{FEE_NAMES[FeePurpose(fee.purpose)]} of {pounds(fee.amount_pence)} (payment reference "
                f"{fee.reference}) received on {long_date(received_on)} by {method}",
            )
            notifications.payment_received(uow, self.now(), fee, FEE_NAMES[FeePurpose(fee.purpose)].lower())
            uow.commit()

    def record_refund(
        self,
        actor: Actor | None,
        payment_reference: str,
        refunded_on: date | None,
        method: str,
        refund_reference: str,
        *,
        application: str | None = None,
        once: submissions.Once | None = None,
    ) -> Refund:
        """The register team records that a fee received and no longer owed (standing "to be refunded")
        has been paid back: when, how and the refund's reference. Its standing is then "refunded", for
        good; the audit log and the case history say so. Nothing changes if anything is wrong.
        ``application``, when given, is the case the payment must belong to (the case page's form)."""
        actor = require(actor, Permission.RECORD_PAYMENTS)
        now = self.now()
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            payment = uow.payments.by_reference(normalise(payment_reference))
            if payment is None or payment.id is None:
                raise NotFound("No such payment")
            app = uow.applications.get(payment.application_id) if payment.application_id is not None else None
            if application is not None and (app is None or app.reference != normalise(application)):
                raise NotFound("No such payment on this application")
            earlier = uow.payments.refunds([payment.id]).get(payment.id)
            standing = fee_standing(payment, app.answers if app is not None else {}, earlier)
            if standing != FeeStanding.TO_REFUND:
                said = {
                    FeeStanding.REFUNDED: "has already been refunded",
                    FeeStanding.DUE: "has not been received",
                    FeeStanding.WITHDRAWN: "was never received",
                    FeeStanding.RECEIVED: "is still owed",
                }[standing]
                raise Conflict(f"The fee with payment reference {payment.reference} {said}, so it cannot be refunded")
            short = adjustments.short_of_whole_refund(
                uow, payment.id, payment.amount_pence, payment.status == "received"
            )
            if short:
                raise Conflict(
                    f"Part of the fee {payment.reference} was paid back already ({pounds(short)}): record the rest "
                    "as a part refund on its money page"
                )
            # the answers are checked once the fee is known to be refundable (its form is on the page)
            method, refund_reference = payments.refund(refunded_on, method, refund_reference, self.today())
            assert refunded_on is not None
            received = payment.received_on
            if received is not None and refunded_on < received:
                raise Invalid.one(
                    "refunded_on",
                    f"The date the fee was refunded must be on or after the day it was received, {long_date(received)}",
                )
            refund = Refund(payment.id, refunded_on, method, refund_reference, now, actor.user_id)
            uow.add(refund)
            uow.flush()
            shown = audit.snapshot(payment, ("purpose", "amount_pence", "status", "received_on"))
            audit.record(
                uow,
                now,
                actor,
                "payment.refunded",
                "payment",
                payment.reference,
                shown | {"standing": str(standing)},
                shown
                | {
                    "standing": str(FeeStanding.REFUNDED),
                    "refunded_on": refunded_on,
                    "refund_method": method,
                    "refund_reference": refund_reference,
                },
            )
            if app is not None and app.id is not None:
                name = FEE_NAMES.get(FeePurpose(payment.purpose), "Fee")
                message = (
                    f"{name} of {pounds(payment.amount_pence)} (payment reference {payment.reference}) refunded "
                    f"on {long_date(refunded_on)} by {method}, refund reference {refund_reference}"
                )
                self._event(uow, app, actor, "fee_refunded", message)
                app.updated_at = now  # the answers cannot change under the refund unseen (optimistic version)
            submissions.settle(uow, once, refund_reference)
            uow.commit()
            return refund

    def request_information(
        self, actor: Actor | None, reference: str, message: str, *, once: submissions.Once | None = None
    ) -> None:
        actor = require(actor, Permission.REVIEW_APPLICATIONS)
        message = _reason(message, "message", "what further information you need")
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            app = self._submitted(uow, reference)
            before = audit.snapshot(app, ("status", "information_request"))
            app.status = ApplicationStatus.INFORMATION_REQUESTED
            app.information_request = message
            app.updated_at = self.now()
            self._event(uow, app, actor, "information_requested", message)
            notifications.application_event(uow, self.now(), app, "information_requested", request=message)
            audit.record(
                uow,
                self.now(),
                actor,
                "application.information_requested",
                "application",
                app.reference,
                before,
                audit.snapshot(app, ("status", "information_request")),
            )
            uow.commit()

    def reject(
        self, actor: Actor | None, reference: str, reasons: str, *, once: submissions.Once | None = None
    ) -> None:
        actor = require(actor, Permission.REVIEW_APPLICATIONS)
        reasons = _reason(reasons, "reasons", "the reasons for rejecting the application")
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            app = self._submitted(uow, reference)
            before = audit.snapshot(app, ("status", "decision_reason", "decided_at"))
            app.status = ApplicationStatus.REJECTED
            app.decision_reason = reasons
            app.decided_at = self.now()
            app.updated_at = self.now()
            self._event(uow, app, actor, "rejected", reasons)
            notifications.application_event(uow, self.now(), app, "application_rejected", reasons=reasons)
            audit.record(
                uow,
                self.now(),
                actor,
                "application.rejected",
                "application",
                app.reference,
                before,
                audit.snapshot(app, ("status", "decision_reason", "decided_at")),
            )
            uow.commit()

    def accept(
        self,
        actor: Actor | None,
        reference: str,
        publish: Iterable[str] = PUBLISHABLE,
        *,
        once: submissions.Once | None = None,
    ) -> GainSite:
        """Put the gain site on the register; raises Invalid if a check fails or the fee is unpaid."""
        actor = require(actor, Permission.REVIEW_APPLICATIONS)
        now, today = self.now(), self.today()
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            app = self._submitted(uow, reference)
            assert app.id is not None
            result = self._applications._checks(uow, app)
            if not result.ok:
                raise Invalid("The application fails the register's checks", result.errors)
            if any(s == FeeStanding.DUE for s in _standings(uow, app).values()):
                fees = (
                    "registration and allocation fees" if allocation_section.wanted(app.answers) else "registration fee"
                )
                raise Invalid.one("payment", f"Record the {fees} as received before accepting the application")
            site = self._new_site(uow, app, today, now)
            uow.add(site)
            uow.flush()
            assert site.id is not None
            self._place(uow, site)
            self._parcels(uow, app, site.id)
            uow.flush()
            allocation = self._combined.record(uow, actor, app, site, self._store)
            published = {DocumentKind(k) for k in publish} & set(PUBLISHABLE)
            for stored in uow.files.for_application(app.id):
                if stored.kind in published and stored.kind not in NEVER_PUBLISHED and stored.id in _current_files(app):
                    stored.published = True
                    audit.record(
                        uow, now, actor, "file.published", "file", stored.id, {"published": False}, {"published": True}
                    )
            uow.add(SiteEvent(site.id, "registered", today, "Gain site added to the register", now, actor.user_id))
            before = audit.snapshot(app, ("status", "decided_at", "gain_site_id"))
            app.status = ApplicationStatus.ACCEPTED
            app.decided_at = now
            app.updated_at = now
            app.gain_site_id = site.id
            registered = f"Registered as gain site {site.reference}"
            if allocation is not None:
                registered += f", with allocation {allocation.reference} to {allocation.planning_reference}"
            self._event(uow, app, actor, "accepted", registered)
            notifications.application_event(uow, now, app, "application_accepted", site=site.reference)
            audit.record(
                uow,
                now,
                actor,
                "application.accepted",
                "application",
                app.reference,
                before,
                audit.snapshot(app, ("status", "decided_at", "gain_site_id")),
            )
            audit.record(uow, now, actor, "site.registered", "gain_site", site.reference, None, audit.snapshot(site))
            submissions.settle(uow, once, site.reference)
            uow.commit()
            return site

    def _new_site(self, uow: UnitOfWork, app: Application, today: date, now: object) -> GainSite:
        b = boundary_of(app.answers, uow.geometries)
        h = habitats_of(app.answers)
        given = ApplicationAnswers.from_json(app.answers)
        la, named, hm = given.legal_agreement, given.boundary, given.hmmp
        assert b is not None and h is not None and la is not None and named is not None and hm is not None
        assert la.agreement_date and la.works_completion_date and la.secured_until  # completed
        number = uow.next_number(f"BGS-{today:%d%m%y}")
        geom = b.geometry
        if isinstance(geom, shapely.Polygon):
            geom = shapely.MultiPolygon([geom])
        x0, y0, x1, y1 = b.bbox
        sha = ""
        stored = uow.files.get(la.agreement_file) if la.agreement_file is not None else None
        if stored is not None:
            sha = stored.sha256
        return GainSite(
            reference=gain_site_reference(today, number),
            application_id=app.id or 0,
            name=named.site_name,
            registered_on=today,
            area_ha=round(b.area_ha, 6),
            grid_reference=b.grid_reference,
            easting=b.easting,
            northing=b.northing,
            min_e=x0,
            min_n=y0,
            max_e=x1,
            max_n=y1,
            agreement_type=la.agreement_type,
            agreement_date=la.agreement_date,
            works_completion_date=la.works_completion_date,
            secured_until=la.secured_until,
            hmmp_in_agreement=bool(hm.hmmp_in_agreement),
            metric_release=h.metric_release,
            updated_at=now,  # type: ignore[arg-type]
            boundary=geom,
            responsible_body_id=la.responsible_body_id,
            agreement_sha256=sha,
        )

    def _place(self, uow: UnitOfWork, site: GainSite) -> None:
        assert site.id is not None
        shape = site.boundary if site.boundary is not None else shapely.Point(site.easting, site.northing)
        found = self._places().locate(shape)
        for kind, shares in found.items():
            for name, share in shares:
                uow.add(GainSiteArea(site.id, kind, name, round(share, 6)))
        site.lpa_name = found["lpa"][0][0] if found["lpa"] else ""
        site.nca_name = found["nca"][0][0] if found["nca"] else ""
        site.lnrs_name = found["lnrs"][0][0] if found["lnrs"] else ""
        app = uow.applications.get(site.application_id)
        la = ApplicationAnswers.from_json(app.answers).legal_agreement if app else None
        for lpa_id in la.lpa_ids if la is not None else ():
            uow.add(AgreementLpa(site.id, lpa_id))

    def _parcels(self, uow: UnitOfWork, app: Application, site_id: int) -> None:
        h = habitats_of(app.answers)
        assert h is not None
        for p in h.parcels:
            uow.add(
                HabitatParcel(
                    gain_site_id=site_id,
                    module=p.module,
                    stage=p.stage,
                    ref=p.ref,
                    habitat=p.habitat,
                    distinctiveness=p.distinctiveness,
                    condition=p.condition,
                    strategic_significance=p.strategic_significance,
                    size_micro=p.size_micro,
                    units_micro=p.units_micro,
                    baseline_ref=p.baseline_ref,
                    geometry=uow.geometries.get(p.geometry_sha256) if p.geometry_sha256 else None,
                )
            )

    # -- the register ------------------------------------------------------------------------------

    def _site(self, uow: UnitOfWork, reference: str) -> GainSite:
        site = uow.sites.by_reference(reference.strip().upper())
        if site is None:
            raise NotFound("No such gain site")
        return site

    def amend(
        self,
        actor: Actor | None,
        reference: str,
        on: date | None,
        description: str,
        *,
        once: submissions.Once | None = None,
    ) -> None:
        """Record an amendment to a registered gain site, with its date and what changed."""
        actor = require(actor, Permission.AMEND_REGISTER)
        problems: list[Problem] = []
        described = gather(problems, lambda: _reason(description, "description", "a description of the amendment"))
        if on is None:
            problems.append(Problem("on", "Enter the date of the amendment"))
        elif on > self.today():
            problems.append(Problem("on", "The date of the amendment must be today or in the past"))
        refuse(problems)
        assert described is not None and on is not None
        description = described
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            site = self._site(uow, reference)
            if site.status != SiteStatus.REGISTERED:
                raise Conflict("This gain site has been removed from the register")
            assert site.id is not None
            event = SiteEvent(site.id, "amended", on, description, self.now(), actor.user_id)
            uow.add(event)
            site.updated_at = self.now()
            audit.record(
                uow,
                self.now(),
                actor,
                "site.amended",
                "gain_site",
                site.reference,
                None,
                {"on": on, "description": description},
            )
            uow.commit()

    def remove(
        self,
        actor: Actor | None,
        reference: str,
        on: date | None,
        description: str,
        *,
        once: submissions.Once | None = None,
    ) -> None:
        """Remove a gain site from the register: only when none of its units is allocated."""
        actor = require(actor, Permission.AMEND_REGISTER)
        problems: list[Problem] = []
        described = gather(problems, lambda: _reason(description, "description", "why the gain site is removed"))
        if on is None:
            problems.append(Problem("on", "Enter the date of the removal"))
        elif on > self.today():
            problems.append(Problem("on", "The date of the removal must be today or in the past"))
        refuse(problems)
        assert described is not None and on is not None
        description = described
        with self._uow(write=True) as uow:
            submissions.claim(uow, actor, once, self.now())
            site = self._site(uow, reference)
            if site.status != SiteStatus.REGISTERED:
                raise Conflict("This gain site has already been removed from the register")
            assert site.id is not None
            if uow.ledger.allocated_count(site.id) > 0:
                raise Conflict(
                    f"Gain site {site.reference} has allocations, so it cannot be removed from the register; "
                    "an allocated site must stay on the register"
                )
            before = audit.snapshot(site, ("status", "removed_on"))
            site.status = SiteStatus.REMOVED
            site.removed_on = on
            site.updated_at = self.now()
            uow.add(SiteEvent(site.id, "removed", on, description, self.now(), actor.user_id))
            audit.record(
                uow,
                self.now(),
                actor,
                "site.removed",
                "gain_site",
                site.reference,
                before,
                audit.snapshot(site, ("status", "removed_on")),
            )
            uow.commit()


def _current_files(app: Application) -> set[int]:
    """The application's documents as its answers stand, less the development's metric of its allocation
    section (the developer's document, never published with the gain site)."""
    section = allocation_section.SECTION
    return set(file_ids(app.answers)) - set(file_ids({section: app.answers.get(section) or {}}))


def _standings(uow: UnitOfWork, app: Application) -> dict[str, FeeStanding]:
    """Each of the application's fees by payment reference, as it stands against its answers now."""
    assert app.id is not None
    made_due = uow.payments.for_application(app.id)
    refunded = uow.payments.refunds([p.id for p in made_due if p.id is not None])
    return {p.reference: fee_standing(p, app.answers, refunded.get(p.id or 0)) for p in made_due}
