"""A gain plan submission to use in the web tests: application.json and a statutory metric workbook in a zip.

The metric is the example site (examples/riverside-farm.site.json) written into DEFRA's workbook by
bng's writer, once per session; the application is Mill Road's, in Cambridge LPA (the test world's
LPA officer is Cambridge's).
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

from bng.metric import parse_site
from bng.register.core.uploads import Upload
from bng.register.planning.cases import PlanningCase
from bng.workbook.writer import export_site
from tests.conftest import ROOT
from tests.db.fixtures import Register

REFERENCE = "26/04444/FUL"
FACTS: dict[str, Any] = {
    "reference": REFERENCE,
    "lpa": "Cambridge LPA",
    "development": "Riverside Farm, 12 homes",
    "applicant": "Riverside Homes Ltd",
    "application_type": "full",
    "application_date": "2026-06-01",
    "residential": True,
    "dwellings": 12,
    "floorspace_m2": 1400,
    "site_area_ha": 4.2,
    "condition_applies": True,
    "degradation_after_2020": False,
    "irreplaceable_habitat": False,
    "metric_publication_date": "2024-02-12",
    "documents": [{"file": "metric.xlsm", "type": "metric"}],
}


@cache
def metric_bytes() -> bytes:
    data = json.loads((ROOT / "examples" / "riverside-farm.site.json").read_text())
    site, _ = parse_site(data)
    details = (("completed_by", "A. Ecologist"), ("completed_on", "2026-06-01"))
    site = replace(site, project=replace(site.project, planning_reference=REFERENCE, details=details))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "metric.xlsm"
        export_site(site, path)
        return path.read_bytes()


def submission_zip(**changes: Any) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("application.json", json.dumps({**FACTS, **changes}))
        zf.writestr("metric.xlsm", metric_bytes())
    return buffer.getvalue()


def submit(register: Register, **changes: Any) -> PlanningCase:
    """The developer submits the gain plan to Cambridge LPA (through the service, as the page does)."""
    world = register.world
    assert world is not None
    case: PlanningCase = register.services.planning.submit(
        world.actors["developer"],
        planning_reference=changes.pop("planning_reference", REFERENCE),
        lpa_id=world.lpa_ids["Cambridge LPA"],
        development_name="Riverside Farm, 12 homes",
        upload=Upload("submission_file", "gain-plan.zip", submission_zip(**changes)),
    )
    return case


def refused(register: Register) -> PlanningCase:
    """A case the officer validated and refused: decided, so on the public register."""
    world = register.world
    assert world is not None
    case = submit(register)
    officer = world.actors["lpa_officer"]
    register.services.planning.validated(officer, case.reference)
    decided: PlanningCase = register.services.planning.decide(
        officer, case.reference, "refused", "No HMMP for the meadow"
    )
    return decided
