"""Register and allocate in one application (the combined case), on SQLite and PostgreSQL + PostGIS:
the optional allocation section, both fees due at submission, and acceptance putting the gain site on
the register with the allocation recorded against it in the same transaction, or neither."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bng.db import tables
from bng.register.core.errors import Invalid
from bng.register.core.model import SiteStatus
from tests.db.fixtures import Register
from tests.register.test_allocations import CAMBRIDGE_POINT, COUNTED, counts
from tests.register.world import record_fees

QUANTITIES = {"parcel-area-creation-1": "0.5", "parcel-hedgerow-creation-H1": "0.1"}


def allocation(register: Register, **more: Any) -> dict[str, Any]:
    world = register.world
    assert world is not None
    return {
        "allocate": "yes",
        "lpa_id": str(world.lpa_ids["Cambridge LPA"]),
        "planning_reference": "26/04321/OUT",
        "development_name": "Coldham's Lane homes",
        "grid_reference": CAMBRIDGE_POINT,
        **QUANTITIES,
        **more,
    }


def sites(register: Register) -> int:
    with register.database.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.gain_site)).scalar_one())


def test_register_and_allocate_in_one_application(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    saved = s.applications.save_section(owner, ref, "allocation", allocation(register))
    answers = saved.application.answers["allocation"]
    assert answers["completed"] and answers["quantities"] == {"area-creation-1": "0.5", "hedgerow-creation-H1": "0.1"}
    view = s.applications.submit(owner, ref)
    assert sorted((p.purpose, p.amount_pence, p.status) for p in view.payments) == [
        ("allocation", 4_500, "due"),
        ("registration", 63_900, "due"),
    ]
    with pytest.raises(Invalid, match="Record the registration and allocation fees as received"):
        s.review.accept(worker, ref)
    record_fees(s, worker, ref, date(2026, 11, 22), "bank transfer")
    before = counts(register)
    site = s.review.accept(worker, ref)
    after = counts(register)
    assert {k: after[k] - before[k] for k in COUNTED} == {
        "allocation": 1,
        "allocation_line": 2,
        "payment": 0,  # the allocation fee paid with the application, now linked to the allocation
        "audit_event": 6,  # 3 documents published, the application accepted, the site registered, the allocation
        "stored_file": 0,
    }
    shown = s.register.site(site.reference)
    assert shown.site.status == SiteStatus.REGISTERED
    [(made, lpa)] = shown.allocations
    assert (made.planning_reference, made.development_name, made.spatial_risk) == (
        "26/04321/OUT",
        "Coldham's Lane homes",
        "within",
    )
    assert lpa is not None and lpa.name == "Cambridge LPA" and made.application_id is not None
    assert made.created_by == owner.user_id  # the landowner's allocation, recorded by the case worker
    taken = {f"{p.module}-{p.ref}": p.allocated_size for p in shown.parcels if p.allocated_size}
    assert taken == {"area-1": Decimal("0.5"), "hedgerow-H1": Decimal("0.1")}
    assert shown.allocation_units(made).startswith("3.68 habitat units")
    mine = s.allocations.view(owner, made.reference)
    [fee] = mine.payments
    assert (fee.purpose, fee.amount_pence, fee.status, fee.application_id) == (
        "allocation",
        4_500,
        "received",
        made.application_id,
    )
    assert [a.reference for a, _ in s.allocations.mine(owner)] == [made.reference]
    case = s.applications.view(owner, ref)
    assert case.events[-1].message == (
        f"Registered as gain site {site.reference}, with allocation {made.reference} to 26/04321/OUT"
    )


def test_the_allocation_section_names_each_problem_and_keeps_nothing(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["ready"]
    before = s.applications.view(owner, ref).application.answers
    with pytest.raises(Invalid) as err:
        s.applications.save_section(owner, ref, "allocation", {})
    assert [(p.field, p.message) for p in err.value.problems] == [
        ("allocate", "Select whether this application also allocates units to a development")
    ]
    with pytest.raises(Invalid) as err:
        s.applications.save_section(
            owner,
            ref,
            "allocation",
            {"allocate": "yes", "grid_reference": "TQ 30000 80000", "lpa_id": str(world.lpa_ids["Cambridge LPA"]),
             "parcel-area-creation-1": "lots", "parcel-area-creation-2": "0.7"},
        )  # fmt: skip
    assert [(p.field, p.message) for p in err.value.problems] == [
        ("planning_reference", "Enter the planning application reference"),
        ("development_name", "Enter the name of the development"),
        (
            "grid_reference",
            "The development's grid reference TQ 30000 80000 is in Westminster LPA, not in Cambridge LPA: "
            "check the grid reference and the LPA",
        ),
        (
            "parcel-area-creation-1",
            "Enter the hectares of parcel 1 (Grassland - Other neutral grassland) as a number, like 0.5",
        ),
    ]
    with pytest.raises(Invalid) as err:
        s.applications.save_section(owner, ref, "allocation", allocation(register, **{"parcel-area-creation-2": "0.7"}))
    assert [p.field for p in err.value.problems] == ["parcel-area-creation-2"]
    assert "Only 0.6000 ha of parcel 2" in err.value.problems[0].message
    with pytest.raises(Invalid) as err:
        s.applications.save_section(owner, ref, "allocation", allocation(register, **dict.fromkeys(QUANTITIES, "")))
    assert [(p.field, p.message) for p in err.value.problems] == [
        ("parcels", "Enter how much of at least one habitat parcel to allocate")
    ]
    assert s.applications.view(owner, ref).application.answers == before
    s.applications.save_section(owner, ref, "allocation", {"allocate": "no"})
    view = s.applications.submit(owner, ref)  # "no": a registration only, with its one fee
    assert [p.purpose for p in view.payments] == ["registration"]


def test_acceptance_registers_nothing_when_the_allocation_cannot_be_recorded(register: Register) -> None:
    """Answers saved, then the habitats' parcel shrank under them: the checks at acceptance refuse the
    application, and neither the gain site nor the allocation is recorded."""
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    s.applications.save_section(owner, ref, "allocation", allocation(register))
    s.applications.submit(owner, ref)
    record_fees(s, worker, ref, date(2026, 11, 22), "card")
    with register.database.engine.begin() as conn:  # as if saved when parcel 1 was bigger
        a = tables.application
        answers = conn.execute(select(a.c.answers).where(a.c.reference == ref)).scalar_one()
        answers["allocation"]["quantities"]["area-creation-1"] = 3_000_000  # as saved before: whole millionths
        conn.execute(update(a).where(a.c.reference == ref).values(answers=answers))
    before, count = counts(register), sites(register)
    with pytest.raises(Invalid) as err:
        s.review.accept(worker, ref)
    assert [p.field for p in err.value.problems] == ["parcel-area-creation-1"]
    assert "Only 2.4000 ha of parcel 1" in err.value.problems[0].message
    assert counts(register) == before and sites(register) == count
    assert s.applications.view(owner, ref).application.status == "submitted"


def payment_audit(register: Register, reference: str) -> list[tuple[str, Any, Any]]:
    """The audit log's events for one payment, in order: (action, before's standing, after's standing)."""
    e = tables.audit_event
    with register.database.engine.connect() as conn:
        rows = conn.execute(
            select(e.c.action, e.c.before, e.c.after).where(e.c.entity == "payment", e.c.entity_id == reference)
            .order_by(e.c.id)
        ).all()  # fmt: skip
    return [(a, (b or {}).get("standing"), (c or {}).get("standing")) for a, b, c in rows]


def test_a_fee_not_received_is_withdrawn_when_the_allocation_is_dropped(register: Register) -> None:
    """Allocation added, submitted, further information asked for, the allocation answer changed to "No":
    the £45 fee, never received, is withdrawn (shown as no longer due, in the audit log and the case
    history) and no longer stops acceptance; the registration goes ahead without an allocation."""
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    s.applications.save_section(owner, ref, "allocation", allocation(register))
    view = s.applications.submit(owner, ref)
    [fee] = [p for p in view.payments if p.purpose == "allocation"]
    s.review.request_information(worker, ref, "Send the habitat map again")
    before = counts(register)
    view = s.applications.save_section(owner, ref, "allocation", {"allocate": "no"})
    assert view.fee_standing(fee) == "withdrawn"
    assert {p.purpose: str(view.fee_standing(p)) for p in view.payments} == {
        "registration": "due",
        "allocation": "withdrawn",
    }
    after = counts(register)
    assert {k: after[k] - before[k] for k in COUNTED}["audit_event"] == 2  # the section saved, the fee withdrawn
    assert payment_audit(register, fee.reference)[-1] == ("payment.withdrawn", "due", "withdrawn")
    assert view.events[-1].message == (
        f"Allocation fee of £45 (payment reference {fee.reference}) no longer due: "
        "the application no longer allocates units"
    )
    resubmitted = s.applications.submit(owner, ref)
    assert len(resubmitted.payments) == 2  # nothing new falls due
    s.payments.record_payment(worker, ref, date(2026, 11, 22), "card")  # the registration fee only
    paid = {p.purpose: p.status for p in s.applications.view(owner, ref).payments}
    assert paid == {"registration": "received", "allocation": "due"}
    site = s.review.accept(worker, ref)  # the withdrawn fee no longer stands in the way
    assert s.register.site(site.reference).allocations == []
    assert s.applications.view(owner, ref).fee_standing(fee) == "withdrawn"


def test_a_fee_received_is_to_be_refunded_and_owed_again_if_the_allocation_comes_back(register: Register) -> None:
    """The fees received, then the allocation dropped: the £45 is to be refunded. Allocating again makes
    it owed again (received, nothing new due), and acceptance records the allocation with it."""
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    s.applications.save_section(owner, ref, "allocation", allocation(register))
    s.applications.submit(owner, ref)
    record_fees(s, worker, ref, date(2026, 11, 22), "bank transfer")
    s.review.request_information(worker, ref, "Check the development's grid reference")
    view = s.applications.save_section(owner, ref, "allocation", {"allocate": "no"})
    [fee] = [p for p in view.payments if p.purpose == "allocation"]
    assert (fee.status, view.fee_standing(fee)) == ("received", "to_refund")
    assert "received, and to be refunded: the application no longer allocates units" in view.events[-1].message
    view = s.applications.save_section(owner, ref, "allocation", allocation(register))
    assert view.fee_standing(fee) == "received"
    assert [a for a, _, _ in payment_audit(register, fee.reference)] == [
        "payment.due",
        "payment.received",
        "payment.to_refund",
        "payment.owed_again",
    ]
    assert len(s.applications.submit(owner, ref).payments) == 2
    site = s.review.accept(worker, ref)
    [(made, _)] = s.register.site(site.reference).allocations
    assert [p.reference for p in s.allocations.view(owner, made.reference).payments] == [fee.reference]


def test_the_developments_metric_names_the_application_and_is_matched_to_its_parcels(register: Register) -> None:
    """The development's metric instead of quantities: its off-site rows name the application's reference
    (the site has no register reference yet); matched to the application's parcels by the allocation
    journey's own code, then again at acceptance to the registered parcels, and linked to the allocation."""
    from bng.register import samples
    from bng.register.core.uploads import Upload

    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    by_metric = {k: v for k, v in allocation(register, method="metric").items() if not k.startswith("parcel-")}

    def metric(named: str, **more: Any) -> dict[str, Upload]:
        data = samples.development_metric(named, **more)
        return {"development_metric_file": Upload("development_metric_file", "metric.json", data)}

    before = counts(register)
    with pytest.raises(Invalid) as err:
        s.applications.save_section(owner, ref, "allocation", by_metric, metric(world.site))
    [(field, message)] = [(p.field, p.message) for p in err.value.problems]
    assert field == "development_metric_file" and f"names no gain site {ref}" in message
    assert f"Enter this application's reference, {ref}, there" in message
    with pytest.raises(Invalid) as err:
        s.applications.save_section(owner, ref, "allocation", by_metric, metric(ref, area_ha=9))
    assert [p.field for p in err.value.problems] == ["development_metric_file"]
    assert "only 2.4000 ha of Grassland - Other neutral grassland" in err.value.problems[0].message
    with pytest.raises(Invalid) as err:
        s.applications.save_section(owner, ref, "allocation", by_metric)
    assert [(p.field, p.message) for p in err.value.problems] == [
        ("development_metric_file", "Select the development's metric")
    ]
    assert counts(register) == before  # nothing kept, not even the files

    saved = s.applications.save_section(owner, ref, "allocation", by_metric, metric(ref, area_ha=0.4))
    answers = saved.application.answers["allocation"]
    assert answers["method"] == "metric" and isinstance(answers["development_metric_file"], int)
    assert answers["quantities"] == {"area-creation-1": "0.4", "hedgerow-creation-H1": "0.1"}
    # saved again without choosing the file again: the metric uploaded before is kept
    again = s.applications.save_section(owner, ref, "allocation", by_metric).application.answers["allocation"]
    assert again == answers
    s.applications.submit(owner, ref)
    record_fees(s, worker, ref, date(2026, 11, 22), "card")
    site = s.review.accept(worker, ref)
    [(made, _)] = s.register.site(site.reference).allocations
    assert made.metric_file_id == answers["development_metric_file"]
    taken = {f"{p.module}-{p.ref}": p.allocated_size for p in s.register.site(site.reference).parcels}
    assert taken["area-1"] == Decimal("0.4") and taken["hedgerow-H1"] == Decimal("0.1")
    with register.database.engine.connect() as conn:
        f = tables.stored_file
        published = conn.execute(select(f.c.published).where(f.c.id == answers["development_metric_file"]))
        assert published.scalar_one() is False  # the developer's document, not published with the gain site
