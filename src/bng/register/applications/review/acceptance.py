"""An application accepted: the gain site put on the register.

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

from bng.register.applications import allocation_section
from bng.register.applications.allocation_section import CombinedCase
from bng.register.applications.answers import ApplicationAnswers
from bng.register.applications.sections import boundary_of, file_ids, habitats_of
from bng.register.applications.service import NEVER_PUBLISHED, Applications, FeeStanding, fee_standing
from bng.register.core import audit, notifications, submissions
from bng.register.core.audit import Actor
from bng.register.core.errors import Invalid
from bng.register.core.filetypes import DocumentKind
from bng.register.core.model import (
    AgreementLpa,
    Application,
    ApplicationStatus,
    GainSite,
    GainSiteArea,
    HabitatParcel,
    SiteEvent,
)
from bng.register.core.places import Places
from bng.register.core.ports import Clock, FileStore, UnitOfWork, UnitOfWorkFactory
from bng.register.core.references import gain_site_reference
from bng.register.core.roles import Permission
from bng.register.core.service import require

from .common import PUBLISHABLE, ReviewStep


class Accept(ReviewStep):
    """A case worker accepts a submitted application: the landowner's gain site goes on the register."""

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

    def __call__(
        self,
        actor: Actor | None,
        reference: str,
        publish: Iterable[str] = PUBLISHABLE,
        *,
        once: submissions.Once | None = None,
    ) -> GainSite:
        """Put the gain site on the register; raises Invalid if a check fails or a fee due is unpaid.

        Refuses (NotFound, Conflict) an application that is not submitted; the combined case's allocation is
        recorded in the same transaction, or neither is.
        """
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
                    size=p.ledger_size,
                    units=p.ledger_units,
                    baseline_ref=p.baseline_ref,
                    geometry=uow.geometries.get(p.geometry_sha256) if p.geometry_sha256 else None,
                )
            )


def _current_files(app: Application) -> set[int]:
    """The application's documents as its answers stand, less the development's metric of its allocation.

    That metric is the developer's document, never published with the gain site.
    """
    section = allocation_section.SECTION
    return set(file_ids(app.answers)) - set(file_ids({section: app.answers.get(section) or {}}))


def _standings(uow: UnitOfWork, app: Application) -> dict[str, FeeStanding]:
    """Each of the application's fees by payment reference, as it stands against its answers now."""
    assert app.id is not None
    made_due = uow.payments.for_application(app.id)
    refunded = uow.payments.refunds([p.id for p in made_due if p.id is not None])
    return {p.reference: fee_standing(p, app.answers, refunded.get(p.id or 0)) for p in made_due}
