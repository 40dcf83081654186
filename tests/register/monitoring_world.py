"""A development to monitor: Orchard Fields, 28 ha of created and enhanced habitat in Worcestershire.

Worcestershire County Council (source 003) is not in DEFRA's list of LPAs (a county council decides its
own and its minerals and waste applications): the tests add it as the register's operator would, with
an officer, so its monitoring profile (schedule, fees, significance) applies. The development's metric is
a site file written into DEFRA's workbook by bng's writer (once a session); the developer submits it as
a gain plan, the county's officer approves it.

Parcels: C1, 18 ha of other neutral grassland to reach Good (the metric: Poor in 2 years … Good in 10);
C2, 4 ha of mixed scrub to reach Moderate (5 years); E1, 6 ha of modified grassland enhanced from
Moderate to Good (10 years); C3, sealed surface (never significant). Monitored: 28 ha, Worcestershire's
"20 to 40 hectares" band: reports (and the county's inspections) in years 3, 5, 10, 15, 20, 25 and 30.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from bng.register.accounts.service import NewAccount, actor_of
from bng.register.core.audit import Actor
from bng.register.core.model import Lpa
from bng.register.core.uploads import Upload
from bng.register.planning.cases import PlanningCase
from tests.db.fixtures import Register
from tests.register.world import PASSWORD

REFERENCE = "W/26/01234/FUL"
LPA_NAME = "Worcestershire LPA"
OFFICER = "officer@worcestershire.example.gov.uk"
GRASS = "Grassland - Other neutral grassland"
SCRUB = "Heathland and shrub - Mixed scrub"
MODIFIED = "Grassland - Modified grassland"
LOW = "Low"

SITE: dict[str, Any] = {
    "metric_release": "statutory-2024",
    "project": {"name": "Orchard Fields", "planning_reference": REFERENCE, "target_percent": 10},
    "on_site": {
        "area": {
            "baseline": [
                {
                    "ref": "B1",
                    "habitat": "Cropland - Cereal crops",
                    "area_ha": 30.0,
                    "condition": "Condition Assessment N/A",
                    "strategic_significance": "Low",
                },
                {
                    "ref": "B2",
                    "habitat": MODIFIED,
                    "area_ha": 6.0,
                    "condition": "Moderate",
                    "strategic_significance": "Low",
                    "enhanced_ha": 6.0,
                },
            ],
            "creation": [
                {"ref": "C1", "habitat": GRASS, "area_ha": 18.0, "condition": "Good", "strategic_significance": "Low"},
                {
                    "ref": "C2",
                    "habitat": SCRUB,
                    "area_ha": 4.0,
                    "condition": "Moderate",
                    "strategic_significance": "Low",
                },
                {
                    "ref": "C3",
                    "habitat": "Urban - Developed land; sealed surface",
                    "area_ha": 8.0,
                    "condition": "N/A - Other",
                    "strategic_significance": "Low",
                },
            ],
            "enhancement": [
                {
                    "ref": "E1",
                    "baseline_ref": "B2",
                    "habitat": MODIFIED,
                    "condition": "Good",
                    "strategic_significance": "Low",
                }
            ],
        },
        "hedgerow": {"baseline": [], "creation": [], "enhancement": []},
        "watercourse": {"baseline": [], "creation": [], "enhancement": []},
    },
    "off_site": [],
}

FACTS: dict[str, Any] = {
    "reference": REFERENCE,
    "lpa": LPA_NAME,
    "development": "Orchard Fields, 240 homes",
    "applicant": "Orchard Homes Ltd",
    "application_type": "full",
    "application_date": "2026-06-01",
    "residential": True,
    "dwellings": 240,
    "floorspace_m2": 21000,
    "site_area_ha": 36.0,
    "condition_applies": True,
    "degradation_after_2020": False,
    "irreplaceable_habitat": False,
    "metric_publication_date": "2024-02-12",
    "documents": [{"file": "metric.xlsm", "type": "metric"}],
}


def metric_of(site: dict[str, Any]) -> bytes:
    from bng.metric import parse_site
    from bng.workbook.writer import export_site

    parsed, _ = parse_site(site)
    details = (("completed_by", "A. Ecologist"), ("completed_on", "2026-06-01"))
    parsed = replace(parsed, project=replace(parsed.project, details=details))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "metric.xlsm"
        export_site(parsed, path)
        return path.read_bytes()


@cache
def metric_bytes() -> bytes:
    return metric_of(SITE)


def submission_zip(facts: dict[str, Any] | None = None, metric: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("application.json", json.dumps(facts or FACTS))
        zf.writestr("metric.xlsm", metric or metric_bytes())
    return buffer.getvalue()


def worcestershire(register: Register) -> tuple[int, Actor]:
    """Add Worcestershire County Council to the register's LPAs, with an officer; (its id, the officer)."""
    s = register.services
    with s.uow(write=True) as uow:
        found = uow.lpas.by_name(LPA_NAME)
        if found is None:
            found = Lpa(LPA_NAME, None, source="tests: Worcestershire County Council, source 003")
            uow.add(found)
            uow.flush()
        uow.commit()
        lpa_id = found.id
    assert lpa_id is not None
    with s.uow() as uow:
        user = uow.users.by_email(OFFICER)
    if user is None:
        user = s.accounts.create_trusted(
            NewAccount(OFFICER, "Worcestershire Officer", PASSWORD, "lpa_officer", "", lpa_id)
        )
    return lpa_id, actor_of(user)


def approved_case(
    register: Register, officer: Actor, lpa_id: int, *, facts: dict[str, Any] | None = None, metric: bytes | None = None
) -> PlanningCase:
    """The developer's gain plan for Orchard Fields, submitted to the county, validated and approved."""
    world = register.world
    assert world is not None
    f = facts or FACTS
    case = register.services.planning.submit(
        world.actors["developer"],
        planning_reference=f["reference"],
        lpa_id=lpa_id,
        development_name=f["development"],
        upload=Upload("submission_file", "gain-plan.zip", submission_zip(f, metric)),
    )
    register.services.planning.validated(officer, case.reference)
    decided: PlanningCase = register.services.planning.decide(officer, case.reference, "approved", "")
    return decided
