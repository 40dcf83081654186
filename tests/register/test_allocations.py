"""Allocations through the service, on SQLite and PostgreSQL + PostGIS: parcels and quantities, or the
development's metric (a site file, and a real statutory workbook written by bng.workbook) matched to
the gain site's parcels; the spatial risk the register derives and the flags it raises; consent; the
fee; and bad input refused with the database exactly as it was."""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bng.db import tables
from bng.metric import parse_site
from bng.register import samples
from bng.register.allocations.service import Development, Request
from bng.register.core.errors import Conflict, Invalid, NotFound, OverAllocation
from bng.register.core.ledger import QUANTUM, quantity
from bng.register.core.model import HabitatParcel
from bng.register.core.places import SPATIAL_RISK_WORDING, SpatialRisk
from bng.register.core.uploads import Upload
from tests.db.fixtures import Register

D = Decimal

CAMBRIDGE_POINT = "546000, 259000"  # Cambridge LPA, Bedfordshire and Cambridgeshire Claylands
SOUTH_CAMBS_POINT = "550000, 262000"  # South Cambridgeshire LPA (a neighbour), East Anglian Chalk
WESTMINSTER_POINT = "TQ 30000 80000"  # Westminster LPA, Inner London
COUNTED = ("allocation", "allocation_line", "payment", "audit_event", "stored_file")


def counts(register: Register) -> dict[str, Any]:
    with register.database.engine.connect() as conn:
        out: dict[str, Any] = {
            t: int(conn.execute(select(func.count()).select_from(getattr(tables, t))).scalar_one()) for t in COUNTED
        }
        p = tables.habitat_parcel
        out["allocated"] = conn.execute(select(p.c.id, p.c.allocated_size_micro).order_by(p.c.id)).all()
    out["files"] = sum(f.is_file() for f in register.files.rglob("*"))
    return out


def parcels(register: Register) -> dict[str, HabitatParcel]:
    world = register.world
    assert world is not None
    return {f"{p.module}-{p.stage}-{p.ref}": p for p in register.services.register.site(world.site).parcels}


def development(register: Register, lpa: str = "Cambridge LPA", where: str = CAMBRIDGE_POINT) -> Development:
    world = register.world
    assert world is not None
    return Development(world.lpa_ids[lpa], "26/01234/FUL", "Mill Road homes", where)


def consent() -> Upload:
    return Upload("consent_file", "consent.pdf", samples.pdf("Consent of the landowner", ("Meadow Farm",)))


def metric(reference: str, risk: SpatialRisk | str = SpatialRisk.WITHIN, **kw: Any) -> Upload:
    text = SPATIAL_RISK_WORDING[risk] if isinstance(risk, SpatialRisk) else risk
    return Upload("metric_file", "development.json", samples.development_metric(reference, text, **kw))


@pytest.fixture(scope="session")
def workbook_metric(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real statutory metric workbook (the official template, filled by bng.workbook) for a development
    in Westminster that says its gain site, BGS-221126001 in Cambridge, is within its LPA or NCA."""
    from bng.workbook.writer import export_site

    site, issues = parse_site(json.loads(samples.development_metric("BGS-221126001", area_ha=0.75)))
    assert not [i for i in issues if i.severity == "error"]
    out = tmp_path_factory.mktemp("metric") / "development.xlsm"
    export_site(site, out)
    return Path(out).read_bytes()


@pytest.mark.parametrize(
    ("where", "lpa", "risk"),
    [
        (CAMBRIDGE_POINT, "Cambridge LPA", SpatialRisk.WITHIN),
        (SOUTH_CAMBS_POINT, "South Cambridgeshire LPA", SpatialRisk.NEIGHBOURING),
        (WESTMINSTER_POINT, "Westminster LPA", SpatialRisk.OUTSIDE),
    ],
)
def test_allocating_parcels_and_quantities(register: Register, where: str, lpa: str, risk: SpatialRisk) -> None:
    world, s = register.world, register.services
    assert world is not None
    grass, hedge = parcels(register)["area-creation-1"], parcels(register)["hedgerow-creation-H1"]
    assert grass.id is not None and hedge.id is not None
    asked = [Request(grass.id, quantity(0.5)), Request(hedge.id, quantity(0.1))]
    plan = s.allocations.plan(world.actors["developer"], world.site, development(register, lpa, where), asked)
    assert plan.spatial_risk == risk and plan.needs_consent and plan.fee_pence == 4_500 and not plan.flags
    assert [(ln.parcel.id, ln.size) for ln in plan.lines] == [(grass.id, D("0.5")), (hedge.id, D("0.1"))]
    assert plan.lines[0].units == (D("0.5") * grass.units / grass.size).quantize(QUANTUM, ROUND_DOWN)  # in proportion
    before = counts(register)
    allocation = s.allocations.allocate(
        world.actors["developer"], world.site, development(register, lpa, where), asked, consent=consent()
    )
    assert allocation.spatial_risk == risk.value and allocation.stated_spatial_risk == ""
    after = counts(register)
    assert {k: after[k] - before[k] for k in COUNTED} == {
        "allocation": 1,
        "allocation_line": 2,
        "payment": 1,
        "audit_event": 2,  # the consent uploaded, the allocation recorded
        "stored_file": 1,
    }
    view = s.allocations.view(world.actors["developer"], allocation.reference)
    assert [p.amount_pence for p in view.payments] == [4_500] and view.payments[0].status == "due"
    assert view.allocation.development_grid_reference and view.files[0].kind == "allocation_consent"
    site = s.register.site(world.site).site
    left = [p for p in s.register.site(world.site).parcels if p.module == "area" and p.stage != "baseline"]
    assert site.remaining_area_units == sum(p.units - p.allocated_units for p in left)
    with pytest.raises(NotFound):  # someone else's allocation is not theirs to see
        s.allocations.view(world.actors["other_landowner"], allocation.reference)


def test_who_needs_the_landowners_consent(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    assert s.allocations.needs_consent(world.actors["developer"], world.site)
    assert s.allocations.needs_consent(world.actors["other_landowner"], world.site)
    assert not s.allocations.needs_consent(world.actors["landowner"], world.site)  # who registered it
    grass = parcels(register)["area-creation-1"]
    assert grass.id is not None
    before = counts(register)
    with pytest.raises(Invalid, match="written consent") as err:
        s.allocations.allocate(
            world.actors["developer"], world.site, development(register), [Request(grass.id, D("0.001"))]
        )
    assert err.value.problems[0].field == "consent_file"
    bad = Upload("consent_file", "consent.pdf", b"not a pdf at all")
    with pytest.raises(Invalid, match=r"consent\.pdf"):
        s.allocations.allocate(
            world.actors["developer"], world.site, development(register), [Request(grass.id, D("0.001"))], consent=bad
        )
    assert counts(register) == before
    for role in ("public", "lpa_officer", "case_worker"):
        with pytest.raises(Exception, match=r"Sign in|does not allow"):
            s.allocations.plan(
                world.actors.get(role), world.site, development(register), [Request(grass.id, D("0.001"))]
            )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"grid_reference": ""}, "grid_reference", "Enter the grid reference of the development"),
        ({"grid_reference": "somewhere"}, "grid_reference", "enter a grid reference like TL 4500 5800"),
        ({"grid_reference": "SN 00000 00000"}, "grid_reference", "is not in England"),
        ({"grid_reference": WESTMINSTER_POINT}, "grid_reference", "is in Westminster LPA, not in Cambridge LPA"),
        ({"planning_reference": " "}, "planning_reference", "Enter the planning application reference"),
        ({"name": ""}, "development_name", "Enter the name of the development"),
        ({"lpa_id": None}, "lpa_id", "Select the LPA"),
        ({"lpa_id": 99_999}, "lpa_id", "from the list"),
    ],
)
def test_bad_development_answers_name_their_field(
    register: Register, change: dict[str, Any], field: str, message: str
) -> None:
    world, s = register.world, register.services
    assert world is not None
    grass = parcels(register)["area-creation-1"]
    assert grass.id is not None
    base = development(register)
    dev = Development(
        change.get("lpa_id", base.lpa_id),
        change.get("planning_reference", base.planning_reference),
        change.get("name", base.name),
        change.get("grid_reference", base.grid_reference),
    )
    before = counts(register)
    with pytest.raises(Invalid) as err:
        s.allocations.allocate(world.actors["landowner"], world.site, dev, [Request(grass.id, D("0.001"))])
    assert any(p.field == field and message in p.message for p in err.value.problems), err.value.problems
    assert counts(register) == before


def test_quantities_that_cannot_be_allocated(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    p = parcels(register)
    grass, base = p["area-creation-1"], p["area-baseline-1"]
    assert grass.id is not None and base.id is not None
    owner, dev = world.actors["landowner"], development(register)
    before = counts(register)
    with pytest.raises(Invalid, match="at least one habitat parcel"):
        s.allocations.allocate(owner, world.site, dev, [])
    with pytest.raises(Invalid, match="baseline parcel"):
        s.allocations.allocate(owner, world.site, dev, [Request(base.id, D("0.001"))])
    with pytest.raises(OverAllocation, match=r"Only 2\.4000 ha .* remains"):
        s.allocations.allocate(owner, world.site, dev, [Request(grass.id, quantity(2.5))])
    with pytest.raises(Invalid, match="not a habitat parcel of gain site"):
        s.allocations.allocate(owner, world.site, dev, [Request(10_000, D("0.001"))])
    with pytest.raises(NotFound, match="no gain site BGS-000000999"):
        s.allocations.allocate(owner, "BGS-000000999", dev, [Request(grass.id, D("0.001"))])
    assert counts(register) == before
    # two requests for one parcel are one line; together they may not exceed what remains
    with pytest.raises(OverAllocation):
        s.allocations.allocate(
            owner, world.site, dev, [Request(grass.id, quantity(1.5)), Request(grass.id, quantity(1))]
        )
    allocation = s.allocations.allocate(owner, world.site, dev, [Request(grass.id, quantity(1.2))] * 2)
    view = s.allocations.view(owner, allocation.reference)
    assert [(ln.size, ln.units) for ln, _ in view.lines] == [(grass.size, grass.units)]


def test_from_the_developments_metric(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    p = parcels(register)
    grass, hedge = p["area-creation-1"], p["hedgerow-creation-H1"]
    before = counts(register)
    plan = s.allocations.plan(
        world.actors["developer"], world.site, development(register), metric=metric(world.site, area_ha=0.6)
    )
    # the uploaded metric is kept (one file, one audit entry); nothing is allocated
    assert plan.metric_file is not None and counts(register)["stored_file"] == before["stored_file"] + 1
    assert counts(register)["allocated"] == before["allocated"]
    assert [(ln.parcel.id, ln.size) for ln in plan.lines] == [(grass.id, D("0.6")), (hedge.id, D("0.1"))]
    assert plan.spatial_risk == SpatialRisk.WITHIN and plan.metric is not None
    assert plan.metric.stated_category == "within" and not plan.flags
    assert {g.module for g in plan.metric.summary} == {"area", "hedgerow"}  # the workbook's gain site summary
    allocation = s.allocations.allocate(
        world.actors["developer"],
        world.site,
        development(register),
        metric_file_id=plan.metric_file.id,
        consent=consent(),
    )
    assert allocation.metric_file_id == plan.metric_file.id and allocation.stated_spatial_risk == "within"
    assert parcels(register)["area-creation-1"].allocated_size == D("0.6")
    with pytest.raises(Invalid, match="already been used"):  # one metric, one allocation
        s.allocations.plan(
            world.actors["developer"], world.site, development(register), metric_file_id=plan.metric_file.id
        )
    with pytest.raises(Invalid, match="cannot be used"):  # nor someone else's upload
        s.allocations.plan(world.actors["landowner"], world.site, development(register), metric_file_id=1)


def test_a_real_workbook_stating_the_wrong_category_is_flagged(register: Register, workbook_metric: bytes) -> None:
    world, s = register.world, register.services
    assert world is not None
    upload = Upload("metric_file", "development.xlsm", workbook_metric)
    plan = s.allocations.plan(
        world.actors["developer"],
        world.site,
        development(register, "Westminster LPA", WESTMINSTER_POINT),
        metric=upload,
    )
    assert plan.spatial_risk == SpatialRisk.OUTSIDE and plan.metric is not None
    assert plan.metric.stated_category == "within"
    assert len(plan.flags) == 1 and "states 'within' for gain site BGS-221126001" in plan.flags[0]
    assert "off-site sheet D-2 row 1" in plan.flags[0] and "multiplier of 0.5" in plan.flags[0]
    assert sum(ln.size for ln in plan.lines if ln.parcel.module == "area") == D("0.75")
    allocation = s.allocations.allocate(
        world.actors["developer"],
        world.site,
        development(register, "Westminster LPA", WESTMINSTER_POINT),
        metric_file_id=plan.metric_file.id if plan.metric_file else None,
        consent=consent(),
    )
    assert (allocation.spatial_risk, allocation.stated_spatial_risk) == ("outside", "within")


def test_metrics_that_do_not_match_the_gain_site(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, dev = world.actors["landowner"], development(register)
    before = counts(register)
    with pytest.raises(Invalid, match=r"names no gain site BGS-221126001 .* it names BGS-010124001"):
        s.allocations.plan(owner, world.site, dev, metric=metric("BGS-010124001"))
    with pytest.raises(Invalid, match=r"D-2 row 1 .* no creation parcel of Grassland - Lowland meadows"):
        s.allocations.plan(owner, world.site, dev, metric=metric(world.site, habitat="Grassland - Lowland meadows"))
    with pytest.raises(Invalid, match=r"only 2\.4000 ha of Grassland - Other neutral grassland in Moderate condition"):
        s.allocations.plan(owner, world.site, dev, metric=metric(world.site, area_ha=3.0))
    with pytest.raises(Invalid, match=r"m\.json is not a type the register accepts"):
        s.allocations.plan(owner, world.site, dev, metric=Upload("metric_file", "m.json", b"{nope"))
    assert counts(register) == before  # a refused metric is not kept


def test_an_off_site_providers_category_and_other_flags(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    plan = s.allocations.plan(
        world.actors["landowner"],
        world.site,
        Development(world.lpa_ids["Cambridge LPA"], "26/99999/OUT", "Other homes", CAMBRIDGE_POINT),
        metric=metric(world.site, "This metric is being used by an off-site provider"),
    )
    assert plan.metric is not None and plan.metric.stated_category == "other"
    assert any("an off-site provider's category" in f for f in plan.flags)
    assert any("Start sheet gives planning reference '26/01234/FUL'" in f for f in plan.flags)


def test_a_removed_site_cannot_be_allocated(register: Register) -> None:
    from datetime import date

    world, s = register.world, register.services
    assert world is not None
    grass = parcels(register)["area-creation-1"]
    assert grass.id is not None
    s.review.remove(world.actors["case_worker"], world.site, date(2026, 11, 22), "Withdrawn by the landowner")
    with pytest.raises(Conflict, match="removed from the register"):
        s.allocations.allocate(
            world.actors["landowner"], world.site, development(register), [Request(grass.id, QUANTUM)]
        )


def test_the_register_team_records_the_fee(register: Register) -> None:
    from datetime import date

    world, s = register.world, register.services
    assert world is not None
    grass = parcels(register)["area-creation-1"]
    assert grass.id is not None
    allocation = s.allocations.allocate(
        world.actors["landowner"], world.site, development(register), [Request(grass.id, D(1))]
    )
    with pytest.raises(Exception, match="does not allow"):
        s.payments.record_payment(world.actors["landowner"], allocation.reference, date(2026, 11, 22), "card")
    with pytest.raises(Invalid, match="today or in the past"):
        s.payments.record_payment(world.actors["case_worker"], allocation.reference, date(2026, 12, 1), "card")
    s.payments.record_payment(world.actors["case_worker"], allocation.reference, date(2026, 11, 22), "card")
    view = s.allocations.view(world.actors["case_worker"], allocation.reference)
    assert view.payments[0].status == "received" and view.payments[0].method == "card"
    with pytest.raises(Conflict, match="No fee is due"):
        s.payments.record_payment(world.actors["case_worker"], allocation.reference, date(2026, 11, 22), "card")
