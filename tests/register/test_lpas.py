"""Issue 10, item 12: abolished councils were offered as LPAs (338 on every list but search's 310), and
"Harrogate LPA" with a grid reference in North Yorkshire passed. LPAs are dated data with a source."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from importlib import resources

import pytest

from bng.register import samples
from bng.register.allocations.risk import locate_development
from bng.register.allocations.service import Development
from bng.register.core.errors import Invalid
from bng.register.core.places import places
from bng.register.core.rules import add_months, add_years
from tests.db.fixtures import Register
from tests.register.test_combined import allocation
from tests.register.world import TODAY, uploads

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)

HARROGATE_TOWN = "430000, 455000"  # Harrogate, North Yorkshire
SECRETARY_OF_STATE = "Secretary of State"  # on the list, with no area of its own
BNG_BEGAN = date(2024, 2, 12)  # mandatory biodiversity net gain for major developments


def _rows() -> list[dict[str, str]]:
    text = resources.files("bng.register").joinpath("data", "lpas.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_lpa_list_is_dated_data_with_sources() -> None:
    rows = _rows()
    by_name = {r["lpa_name"]: r for r in rows}
    outlines = {
        f["properties"]["LPA23NM"]
        for f in json.loads(resources.files("bng.register").joinpath("data", "boundaries", "lpa.geojson").read_text())[
            "features"
        ]
    }
    abolished = [r for r in rows if r["valid_to"]]
    assert len(rows) == 338 and len(abolished) == 28
    current = {r["lpa_name"] for r in rows if not r["valid_to"]}
    assert current - {SECRETARY_OF_STATE} == outlines  # every current LPA has an outline, and only they do
    for r in abolished:
        successor = by_name[r["successor"]]
        assert not successor["valid_to"], r  # the area went to an LPA still in being
        ended = date.fromisoformat(r["valid_to"])
        assert ended < BNG_BEGAN and successor["valid_from"] == (ended + timedelta(days=1)).isoformat()
        assert "Structural Changes) Order" in r["dates_source"] and successor["dates_source"]


def test_only_current_lpas_are_offered(register: Register) -> None:
    s = register.services
    offered = {x.name for x in s.register.lpas()}
    assert len(offered) == 310 and "Harrogate LPA" not in offered and "Wycombe LPA" not in offered
    assert {"North Yorkshire LPA", "Buckinghamshire LPA", "Cumberland LPA"} <= offered
    assert len(s.register.lpas(include_past=True)) == 338


def test_harrogate_is_refused_naming_its_successor_in_a_legal_agreement(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    owner, ref = world.actors["landowner"], world.applications["draft"]
    with pytest.raises(Invalid) as err:
        s.applications.save_section(
            owner, ref, "legal-agreement",
            {"agreement_type": "s106", "lpa_ids": [world.lpa_ids["Harrogate LPA"]],
             "agreement_date": TODAY - timedelta(days=20), "works_completion_date": add_months(TODAY, 4),
             "secured_until": add_years(add_months(TODAY, 4), 30)},
            uploads(agreement_file=samples.pdf("agreement")),
        )  # fmt: skip
    [problem] = [p for p in err.value.problems if p.field == "lpa_ids"]
    assert problem.message == (
        "Harrogate LPA was abolished on 1 April 2023: its area is North Yorkshire LPA's now, so select North "
        "Yorkshire LPA"
    )


def test_harrogate_with_a_grid_reference_in_north_yorkshire_is_refused_for_an_allocation(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    development = Development(world.lpa_ids["Harrogate LPA"], "26/01234/FUL", "Harrogate homes", HARROGATE_TOWN)
    with pytest.raises(Invalid) as err:
        s.allocations.plan(world.actors["developer"], world.site, development, [])
    assert any("Harrogate LPA was abolished" in p.message for p in err.value.problems)
    # its successor, where the grid reference is, is accepted as far as the place goes
    place = locate_development(places(), HARROGATE_TOWN, "North Yorkshire LPA")
    assert place.lpa == "North Yorkshire LPA"


def test_a_stated_lpa_must_contain_the_location() -> None:
    with pytest.raises(Invalid, match="not a current LPA"):
        locate_development(places(), HARROGATE_TOWN, "Harrogate LPA")
    with pytest.raises(Invalid, match="is in North Yorkshire LPA, not in Cambridge LPA"):
        locate_development(places(), HARROGATE_TOWN, "Cambridge LPA")
    assert locate_development(places(), HARROGATE_TOWN, SECRETARY_OF_STATE).lpa == "North Yorkshire LPA"


def test_harrogate_is_refused_in_the_combined_case(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    answers = allocation(register, lpa_id=str(world.lpa_ids["Harrogate LPA"]), grid_reference=HARROGATE_TOWN)
    with pytest.raises(Invalid) as err:
        s.applications.save_section(world.actors["landowner"], world.applications["ready"], "allocation", answers)
    assert any(p.field == "lpa_id" and "abolished" in p.message for p in err.value.problems)


@pytest.mark.engines("sqlite", "postgresql")  # a credit order: the credits keep their own records
def test_harrogate_is_refused_for_a_credit_order(register: Register) -> None:
    world, s = register.world, register.services
    assert world is not None
    developer = world.actors["developer"]
    reference = s.credits.orders.start(developer).reference
    with pytest.raises(Invalid) as err:
        s.credits.orders.save_section(
            developer, reference, "development",
            {"lpa_id": str(world.lpa_ids["Harrogate LPA"]), "planning_reference": "", "development_name": ""},
        )  # fmt: skip
    # every problem at once: the LPA and the two empty answers (the LPA's used to be the only one shown)
    assert {p.field for p in err.value.problems} == {"lpa_id", "planning_reference", "development_name"}
    assert any("abolished on 1 April 2023" in p.message for p in err.value.problems)


def test_an_agreement_saved_with_an_abolished_lpa_fails_at_submission(register: Register) -> None:
    from bng.register.applications.checks import run_checks

    world, s = register.world, register.services
    assert world is not None
    answers = dict(s.applications.view(world.actors["landowner"], world.applications["ready"]).application.answers)
    answers["legal-agreement"] = answers["legal-agreement"] | {"lpa_ids": [world.lpa_ids["Wycombe LPA"]]}
    with register.database() as uow:
        result = run_checks(uow, answers, places(), TODAY, None)
    assert [p.message for p in result.errors if p.field == "lpa_ids"] == [
        "Wycombe LPA was abolished on 1 April 2020: its area is Buckinghamshire LPA's now, so select "
        "Buckinghamshire LPA"
    ]
