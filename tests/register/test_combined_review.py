"""The combined case before acceptance, on SQLite and PostgreSQL + PostGIS: the case worker sees the
spatial risk category the register derives (from the LPAs and National Character Areas of the gain
site's boundary and of the development) and the flags the allocation journey raises on the
development's metric, and acceptance then records the same category."""

from __future__ import annotations

from typing import Any

import pytest

from bng.register import samples
from bng.register.core.errors import Invalid
from bng.register.core.places import SPATIAL_RISK_WORDING, SpatialRisk
from bng.register.core.uploads import Upload
from tests.db.fixtures import Register
from tests.register.test_allocations import CAMBRIDGE_POINT, SOUTH_CAMBS_POINT, WESTMINSTER_POINT
from tests.register.test_combined import allocation
from tests.register.test_refunds import PAID
from tests.register.world import record_fees

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)


@pytest.mark.parametrize(
    ("where", "lpa", "risk", "multiplier"),
    [
        (CAMBRIDGE_POINT, "Cambridge LPA", SpatialRisk.WITHIN, 1.0),
        (SOUTH_CAMBS_POINT, "South Cambridgeshire LPA", SpatialRisk.NEIGHBOURING, 0.75),
        (WESTMINSTER_POINT, "Westminster LPA", SpatialRisk.OUTSIDE, 0.5),
    ],
)
def test_the_case_shows_the_spatial_risk_the_allocation_will_have(
    register: Register, where: str, lpa: str, risk: SpatialRisk, multiplier: float
) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    answers = allocation(register, lpa_id=str(world.lpa_ids[lpa]), grid_reference=where)
    s.applications.save_section(owner, ref, "allocation", answers)
    s.applications.submit(owner, ref)
    shown = s.review.case(worker, ref).allocation
    assert shown is not None and not shown.problems and not shown.flags
    assert shown.spatial_risk == risk and shown.multiplier == multiplier
    assert shown.site_lpas == ["Cambridge LPA"] and shown.site_ncas
    assert shown.place is not None and shown.place.lpa == lpa and shown.lpa_name == lpa
    assert shown.risk_label.startswith(("Within", "In a neighbouring", "Beyond"))
    record_fees(s, worker, ref, PAID, "card")
    site = s.review.accept(worker, ref)
    [(made, _)] = s.register.site(site.reference).allocations
    assert made.spatial_risk == risk.value  # what acceptance derives from the registered site
    assert s.review.case(worker, ref).allocation is None  # decided: the allocation is on the register


def test_nothing_to_show_without_an_allocation(register: Register) -> None:
    world = register.world
    assert world is not None
    assert (
        register.services.review.case(world.actors["case_worker"], world.applications["submitted"]).allocation is None
    )


def _metric(ref: str, **more: Any) -> dict[str, Upload]:
    data = samples.development_metric(ref, area_ha=0.4, **more)
    return {"development_metric_file": Upload("development_metric_file", "metric.json", data)}


def submit_with_a_metric_saying_within(register: Register, planning_reference: str) -> str:
    """Submit the ready application allocating to a development in South Cambridgeshire (a neighbouring
    LPA) whose metric states "within" for the gain site: the case both test files look at."""
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["ready"]
    answers = allocation(
        register,
        method="metric",
        lpa_id=str(world.lpa_ids["South Cambridgeshire LPA"]),
        grid_reference=SOUTH_CAMBS_POINT,
    )
    answers = {k: v for k, v in answers.items() if not k.startswith("parcel-")}
    metric = _metric(ref, spatial_risk=SPATIAL_RISK_WORDING[SpatialRisk.WITHIN], planning_reference=planning_reference)
    s.applications.save_section(owner, ref, "allocation", answers, metric)
    s.applications.submit(owner, ref)
    return ref


def test_the_case_flags_a_metric_stating_the_wrong_category(register: Register) -> None:
    """The development in South Cambridgeshire (neighbouring), its metric says "within", and its Start sheet
    names another planning reference: the case worker sees both flags, as the allocation journey's check
    page would show them."""
    world, s = register.world, register.services
    assert world is not None
    worker = world.actors["case_worker"]
    ref = submit_with_a_metric_saying_within(register, planning_reference="25/9999/FUL")
    shown = s.review.case(worker, ref).allocation
    assert shown is not None and not shown.problems
    assert shown.spatial_risk == SpatialRisk.NEIGHBOURING and shown.stated == "within"
    [category, start] = shown.flags
    assert category.startswith(f"The development's metric states 'within' for the gain site of application {ref} (")
    assert "the register finds it neighbouring (in a neighbouring LPA or National Character Area), a spatial " in (
        category
    )
    assert "multiplier of 0.75. Correct the metric's spatial risk category" in category
    assert start == (
        "The metric's Start sheet gives planning reference '25/9999/FUL'; this allocation is for '26/04321/OUT'"
    )
    record_fees(s, worker, ref, PAID, "card")
    site = s.review.accept(worker, ref)
    [(made, _)] = s.register.site(site.reference).allocations
    assert (made.spatial_risk, made.stated_spatial_risk) == ("neighbouring", "within")


def test_a_metric_that_agrees_raises_no_flag(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, worker, ref = world.actors["landowner"], world.actors["case_worker"], world.applications["ready"]
    answers = {k: v for k, v in allocation(register, method="metric").items() if not k.startswith("parcel-")}
    s.applications.save_section(owner, ref, "allocation", answers, _metric(ref, planning_reference="26/04321/OUT"))
    s.applications.submit(owner, ref)
    shown = s.review.case(worker, ref).allocation
    assert shown is not None and shown.spatial_risk == SpatialRisk.WITHIN and shown.stated == "within"
    assert shown.flags == [] and shown.problems == []


def test_an_application_row_that_matches_no_parcel_says_where_it_looked(register: Register) -> None:
    """Not "on the register": the application's parcels are not on it yet."""
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["ready"]
    answers = {k: v for k, v in allocation(register, method="metric").items() if not k.startswith("parcel-")}
    with pytest.raises(Invalid) as err:
        s.applications.save_section(
            owner, ref, "allocation", answers, _metric(ref, habitat="Grassland - Lowland meadows")
        )
    [problem] = err.value.problems
    assert problem.field == "development_metric_file"
    assert problem.message.endswith("in this application's habitats") and "on the register" not in problem.message
