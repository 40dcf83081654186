"""The register team's decisions, and what acceptance puts on the register."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bng.register.core.errors import Conflict, Forbidden, Invalid, NotFound, NotSignedIn
from tests.db.fixtures import Register

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)


def test_accepting_puts_the_site_on_the_register(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    worker, ref = world.actors["case_worker"], world.applications["submitted"]
    with pytest.raises(Invalid) as err:
        s.review.accept(worker, ref)
    assert [p.message for p in err.value.problems] == [
        "Record the registration fee as received before accepting the application"
    ]
    s.payments.record_payment(worker, ref, date(2026, 11, 22), "card")
    site = s.review.accept(worker, ref, publish=["legal_agreement", "ownership"])
    assert site.reference == "BGS-221126002"  # the world registered the day's first
    view = s.register.site(site.reference)
    assert (view.site.lpa_name, view.site.nca_name, view.site.lnrs_name) == (
        "Cambridge LPA", "Bedfordshire and Cambridgeshire Claylands", "Cambridgeshire and Peterborough",
    )  # fmt: skip
    assert [lpa.name for lpa in view.agreement_lpas] == ["Cambridge LPA"]
    assert [(e.kind, e.on) for e in view.events] == [("registered", date(2026, 11, 22))]
    assert [f.kind for f in view.documents] == ["legal_agreement"]  # ownership proof is never published
    sellable = [p for p in view.parcels if p.stage != "baseline"]
    assert len(view.parcels) == 6 and len(sellable) == 4
    assert all(p.allocated_size == 0 for p in view.parcels)
    assert view.site.boundary is not None and view.site.boundary.geom_type == "MultiPolygon"
    assert view.site.boundary.area == pytest.approx(40_000)
    totals = {t.module: t for t in view.totals()}
    assert float(totals["area"].baseline_units) == pytest.approx(8.0)
    app = s.applications.view(world.actors["landowner"], ref)
    assert app.application.status == "accepted" and app.gain_site_reference == site.reference


def test_decisions_need_a_submitted_application_and_a_case_worker(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    worker = world.actors["case_worker"]
    with pytest.raises(Conflict, match="rejected"):
        s.review.accept(worker, world.applications["rejected"])
    with pytest.raises(NotFound):
        s.review.reject(worker, world.applications["ready"], "not submitted")  # a draft is not the register's yet
    with pytest.raises(Forbidden):
        s.review.reject(world.actors["landowner"], world.applications["submitted"], "mine")
    with pytest.raises(NotSignedIn):
        s.review.queue(None)
    with pytest.raises(Invalid, match="Enter the reasons"):
        s.review.reject(worker, world.applications["submitted"], "   ")


def test_rejection_and_further_information_reach_the_applicant(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    worker, owner = world.actors["case_worker"], world.actors["landowner"]
    ref = world.applications["submitted"]
    assert [a.reference for a in s.review.queue(worker)] == [ref]
    s.review.reject(worker, ref, "The HMMP does not cover the hedgerow")
    view = s.applications.view(owner, ref)
    assert (
        view.application.status == "rejected"
        and view.application.decision_reason == "The HMMP does not cover the hedgerow"
    )
    assert view.events[-1].message == "The HMMP does not cover the hedgerow"
    assert s.review.queue(worker) == []


def test_amendments_and_removal_are_dated_and_described(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    worker, site = world.actors["case_worker"], world.site
    s.review.amend(worker, site, date(2026, 11, 20), "Contact details of the responsible body updated")
    with pytest.raises(Invalid, match="today or in the past"):
        s.review.amend(worker, site, date(2026, 12, 1), "tomorrow")
    s.review.remove(worker, site, date(2026, 11, 22), "Agreement discharged by consent")
    view = s.register.site(site)
    assert view.site.status == "removed" and view.site.removed_on == date(2026, 11, 22)
    assert [(e.kind, e.description) for e in view.events] == [
        ("registered", "Gain site added to the register"),
        ("amended", "Contact details of the responsible body updated"),
        ("removed", "Agreement discharged by consent"),
    ]
    assert s.register.search(__import__("bng.register.core.ports", fromlist=["SiteQuery"]).SiteQuery()).total == 0
    with pytest.raises(Conflict, match="already been removed"):
        s.review.remove(worker, site, date(2026, 11, 22), "again")


def test_a_site_with_allocations_cannot_be_removed(register: Register) -> None:
    from bng.register.allocations.service import Development, Request

    world, s = register.world, register.services
    assert world is not None
    parcel = next(p for p in s.register.site(world.site).parcels if p.stage == "creation")
    assert parcel.id is not None
    s.allocations.allocate(
        world.actors["landowner"], world.site, Development(world.lpa_ids["Cambridge LPA"], "26/0001/FUL", "Homes",
                                                           "546000, 259000"),
        [Request(parcel.id, Decimal("0.5"))],
    )  # fmt: skip
    with pytest.raises(Conflict, match="has allocations"):
        s.review.remove(world.actors["case_worker"], world.site, date(2026, 11, 22), "try")
    assert s.register.site(world.site).site.status == "registered"
