"""The gain hierarchy's evidence: the register's own search for off-site units near a development."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bng.register.core.places import places
from bng.register.credits import hierarchy as credit_hierarchy
from bng.register.credits.hierarchy import search_register, search_terms
from tests.db.fixtures import Register
from tests.register.world import TODAY

LOSSES = {
    "area": [("Grassland - Other neutral grassland", -8.0), ("Grassland - Modified grassland", -2.0),
             ("Lakes - Ponds (priority habitat)", -2.4)],
    "hedgerow": [("Native hedgerow", -1.2)],
    "watercourse": [("Ditches", -0.8)],
}  # fmt: skip
NOW = datetime(2026, 11, 22, 10)


def test_one_search_per_broad_habitat_lost() -> None:
    assert search_terms(LOSSES) == [
        {"module": "area", "term": "Grassland",
         "for_losses": ["Grassland - Modified grassland", "Grassland - Other neutral grassland"]},
        {"module": "area", "term": "Lakes", "for_losses": ["Lakes - Ponds (priority habitat)"]},
        {"module": "hedgerow", "term": "hedgerow", "for_losses": ["Native hedgerow"]},
        {"module": "watercourse", "term": "Ditches", "for_losses": ["Ditches"]},
    ]  # fmt: skip


def test_the_search_finds_the_units_left_in_the_lpa_and_its_neighbours(register: Register) -> None:
    assert register.world is not None
    with register.database() as uow:
        site = uow.sites.by_reference(register.world.site)
        assert site is not None and site.id is not None
        parcels = list(uow.sites.parcels(site.id))
        within = search_register(uow, places, "Cambridge LPA", LOSSES, NOW)
        next_door = search_register(uow, places, "South Cambridgeshire LPA", LOSSES, NOW)
        far = search_register(uow, places, "Exeter LPA", LOSSES, NOW)
    assert within["neighbouring_lpas"] == ["South Cambridgeshire LPA"] and within["found_total"] == 1
    found = within["found"][0]
    assert (found["reference"], found["where"]) == (register.world.site, "in the development's LPA")

    def left(module: str, word: str) -> float:
        return float(
            sum(
                p.units - p.allocated_units
                for p in parcels
                if p.stage != "baseline" and p.module == module and word in p.habitat.lower()
            )
        )

    by_term = {m["term"]: m["remaining_units"] for m in found["matches"]}
    assert by_term == {"Grassland": left("area", "grassland"), "hedgerow": left("hedgerow", "hedgerow")}
    assert by_term["Grassland"] > 0 and "Lakes" not in by_term  # the site has no lakes to offer
    assert next_door["found"][0]["where"] == "in a neighbouring LPA"
    assert far["found_total"] == 0 and far["found"] == [] and not far["more_than_listed"]
    assert {c["term"] for c in within["counts"]} == {"Grassland", "Lakes", "hedgerow", "Ditches"}


def test_the_evidence_lists_a_bounded_number_of_sites_and_says_when_there_were_more(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert register.world is not None
    s, owner, worker = register.services, register.world.actors["landowner"], register.world.actors["case_worker"]
    ready = register.world.applications["ready"]  # a second gain site in Cambridge, as the register accepts one
    s.applications.submit(owner, ready)
    s.payments.record_payment(worker, ready, TODAY, "bank transfer")
    second = s.review.accept(worker, ready).reference

    def search() -> dict[str, Any]:
        with register.database() as uow:
            return search_register(uow, places, "Cambridge LPA", LOSSES, NOW)

    every = search()
    assert {f["reference"] for f in every["found"]} == {register.world.site, second}
    assert not every["more_than_listed"]
    monkeypatch.setattr(credit_hierarchy, "MAX_LISTED", 2)  # exactly as many as there are: none left out
    assert search()["found_total"] == 2 and not search()["more_than_listed"]
    monkeypatch.setattr(credit_hierarchy, "MAX_LISTED", 1)
    bounded = search()
    assert bounded["found_total"] == 1 and len(bounded["found"]) == 1 and bounded["more_than_listed"]
    assert {"lpa": "Cambridge LPA", "term": "Grassland", "sites": 2} in bounded["counts"]  # the full count is kept
