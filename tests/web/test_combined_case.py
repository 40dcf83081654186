"""The case page of an application that registers and allocates, on SQLite and PostgreSQL + PostGIS: the
spatial risk the register derives and the flags on the development's metric, before acceptance."""

from __future__ import annotations

import pytest

from tests.db.fixtures import Register
from tests.register.test_combined_review import submit_with_a_metric_saying_within
from tests.web.fixtures import CheckedClient

pytestmark = pytest.mark.engines("memory", "postgresql")  # the database is not the point: in memory (fast tier)


def test_the_case_page_shows_the_allocations_spatial_risk_and_flags(client: CheckedClient, register: Register) -> None:
    ref = submit_with_a_metric_saying_within(register, planning_reference="26/04321/OUT")
    client.sign_in("case_worker")
    page = client.get(f"/review/applications/{ref}").get_data(as_text=True)
    assert "The allocation's spatial risk</h2>" in page
    assert "In a neighbouring LPA or National Character Area" in page  # the category the register derives
    assert "Cambridge LPA;" in page and "South Cambridgeshire LPA" in page
    assert "The development&#39;s metric states" in page and "Within the development&#39;s LPA" in page
    assert f"for the gain site of application {ref}" in page and "govuk-warning-text" in page
    assert "0.75" in page


def test_no_spatial_risk_for_an_application_that_allocates_nothing(client: CheckedClient, register: Register) -> None:
    world = register.world
    assert world is not None
    client.sign_in("case_worker")
    page = client.get(f"/review/applications/{world.applications['submitted']}").get_data(as_text=True)
    assert "spatial risk" not in page.lower()
