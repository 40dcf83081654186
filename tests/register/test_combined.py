"""Register and allocate in one application (the combined case), on SQLite and PostgreSQL + PostGIS:
the optional allocation section, both fees due at submission, and acceptance putting the gain site on
the register with the allocation recorded against it in the same transaction, or neither."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bng.db import tables
from bng.register.errors import Invalid
from bng.register.ledger import MICRO
from bng.register.model import SiteStatus
from tests.db.fixtures import Register
from tests.register.test_allocations import CAMBRIDGE_POINT, COUNTED, counts

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
    assert answers["completed"] and answers["quantities"] == {
        "area-creation-1": MICRO // 2,
        "hedgerow-creation-H1": MICRO // 10,
    }
    view = s.applications.submit(owner, ref)
    assert sorted((p.purpose, p.amount_pence, p.status) for p in view.payments) == [
        ("allocation", 4_500, "due"),
        ("registration", 63_900, "due"),
    ]
    with pytest.raises(Invalid, match="Record the registration and allocation fees as received"):
        s.review.accept(worker, ref)
    s.review.record_payment(worker, ref, date(2026, 11, 22), "bank transfer")
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
    taken = {f"{p.module}-{p.ref}": p.allocated_size_micro for p in shown.parcels if p.allocated_size_micro}
    assert taken == {"area-1": MICRO // 2, "hedgerow-H1": MICRO // 10}
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
    s.review.record_payment(worker, ref, date(2026, 11, 22), "card")
    with register.database.engine.begin() as conn:  # as if saved when parcel 1 was bigger
        a = tables.application
        answers = conn.execute(select(a.c.answers).where(a.c.reference == ref)).scalar_one()
        answers["allocation"]["quantities"]["area-creation-1"] = 3 * MICRO
        conn.execute(update(a).where(a.c.reference == ref).values(answers=answers))
    before, count = counts(register), sites(register)
    with pytest.raises(Invalid) as err:
        s.review.accept(worker, ref)
    assert [p.field for p in err.value.problems] == ["parcel-area-creation-1"]
    assert "Only 2.4000 ha of parcel 1" in err.value.problems[0].message
    assert counts(register) == before and sites(register) == count
    assert s.applications.view(owner, ref).application.status == "submitted"
