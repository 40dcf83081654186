"""Golden: the summary rows of the demo's application waiting for review (Oak Lane: an agent, a map
boundary, a metric, a conservation covenant), as check your answers and the case page show them.

They were the same, to the character of the pages' HTML, before the answers were typed (every demo
application's summary lists, editable and not, compared with the ``section_rows`` they replace)."""

from __future__ import annotations

import pytest

from bng.register.accounts.service import actor_of
from bng.register.applications.answers import ApplicationAnswers, LegalAgreementAnswers
from bng.register.core.summary import Row
from bng.register.demo import QUEUED, load_demo
from tests.db.fixtures import Register
from tests.register.world import TODAY

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

DECLARED = (
    "The information I have given is true and complete to the best of my knowledge.\n"
    "Every landowner and anyone else with an interest in the land has agreed to the registration.\n"
    "The habitat will be created or enhanced and maintained for at least 30 years after the works complete.\n"
    "I understand the registration fee is not refunded if the application is rejected."
)
CREATED = (
    "Grassland - Other neutral grassland: 3.6000 ha, Moderate (creation)\n"
    "Woodland and forest - Other woodland; broadleaved: 0.9000 ha, Moderate (creation)\n"
    "Grassland - Other neutral grassland: 1.5000 ha, Moderate (enhancement)\n"
    "Native hedgerow: 0.4000 km, Moderate (creation)"
)
GOLDEN: dict[str, list[tuple[str, str, str | None, str]]] = {
    "applicant": [
        ("Applying as", "An agent for the landowner", None, ""),
        ("Landowner", "Oak Lane Estate", None, ""),
        ("Written authorisation", "authorisation.pdf", "authorisation.pdf", ""),
        ("Name", "Sam Agent", None, ""),
        ("Organisation", "Green Agents Ltd", None, ""),
        ("Email address", "agent@example.com", None, ""),
        ("Telephone number", "01632 960 001", None, ""),
    ],
    "ownership": [
        ("Landowners", "Oak Lane Estate", None, ""),
        ("Title numbers", "CB123456", None, ""),
        ("Proof of ownership", "title-register.pdf", "title-register.pdf", ""),
    ],
    "boundary": [
        ("Gain site name", "Oak Lane", None, ""),
        ("Boundary", "boundary.geojson", "boundary.geojson", ""),
        ("Area", "6.0000 hectares", None, ""),
        ("Grid reference", "TG 23000 08000", None, ""),
    ],
    "habitats": [
        ("Metric", "metric.json", "metric.json", ""),
        ("Area habitats", "12.00 units baseline, 41.38 units created or enhanced", None, ""),
        ("Hedgerows", "0.00 units baseline, 1.34 units created or enhanced", None, ""),
        ("Created and enhanced habitat", CREATED, None, ""),
    ],
    "legal-agreement": [
        ("Type of agreement", "Conservation covenant", None, ""),
        ("Responsible body", "The Land Trust", None, ""),
        ("Date signed", "23 October 2026", None, ""),
        ("Habitat works complete", "22 May 2027", None, ""),
        ("Habitat secured until", "22 May 2057", None, ""),
        ("Legal agreement", "legal-agreement.pdf", "legal-agreement.pdf", ""),
    ],
    "land-charge": [
        ("Date of certificate", "12 November 2026", None, ""),
        ("Certificate", "search.pdf", "search.pdf", ""),
    ],
    "hmmp": [("In the legal agreement", "No", None, ""), ("HMMP", "hmmp.pdf", "hmmp.pdf", "")],
    "allocation": [("Allocate units to a development", "No", None, "allocation")],
    "declarations": [("Confirmed", DECLARED, None, "")],
}


def _shown(rows: list[Row]) -> list[tuple[str, str, str | None, str]]:
    return [(r.label, r.value, r.document.name if r.document else None, r.action) for r in rows]


def test_the_demo_application_s_summary_rows(empty_register: Register) -> None:
    users = load_demo(empty_register.services, TODAY)
    owner = actor_of(users[QUEUED.owner])
    [app] = [a for a in empty_register.services.applications.mine(owner) if a.status == "submitted"]
    view = empty_register.services.applications.view(owner, app.reference)
    summary = view.summary()
    assert {s.key: _shown(rows) for s, rows in summary} == GOLDEN
    assert [s.key for s, _ in summary] == list(GOLDEN)  # in the task list's order
    for _, rows in summary:  # every document a row names is one of the application's, linked by its id
        for r in rows:
            if r.document is not None:
                stored = view.files[r.document.id]
                assert (stored.name, stored.size) == (r.document.name, r.document.size)
    # the answers as stored read back to themselves, typed
    answers = view.answers
    assert ApplicationAnswers.from_json(answers.to_json()) == answers
    assert answers.to_json() == app.answers  # what the sections saved is exactly their answers' JSON
    assert isinstance(answers.legal_agreement, LegalAgreementAnswers) and answers.legal_agreement.completed
