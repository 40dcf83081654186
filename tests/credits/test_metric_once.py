"""Issue 10, item 13: an order took a metric whose Start sheet names another development and LPA; the same
metric (by SHA-256) bought credits for two developments; the metric step said "The metric has 2 problems"
without listing them, and "1 problem" for a metric with no shortfall."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from bng.register.core.errors import Conflict, Invalid
from bng.register.core.uploads import Upload
from tests.conftest import VECTORS
from tests.credits.world import METRIC, answer_all
from tests.db.fixtures import Register


def _metric(**project: str) -> dict[str, Upload]:
    doc = json.loads(METRIC.read_text("utf-8"))
    doc["project"] = {**doc["project"], **project}
    return {"metric_file": Upload("metric_file", "metric.json", json.dumps(doc).encode())}


def _order(register: Register, name: str, metric: dict[str, Upload] | None = None, **more: Any) -> str:
    assert register.world is not None
    developer = register.world.actors["developer"]
    reference: str = register.services.credits.orders.start(developer).reference
    answer_all(
        register.services, developer, reference, register.world.lpa_ids["Cambridge LPA"], name=name,
        **({"metric": metric} if metric else {}), **more,
    )  # fmt: skip
    return reference


def test_one_metric_buys_credits_for_one_development(register: Register) -> None:
    assert register.world is not None
    developer = register.world.actors["developer"]
    orders = register.services.credits.orders
    same = _metric(name="Shared metric")
    first = _order(register, "Mill Lane, 40 homes", same)
    orders.submit(developer, first)
    second = orders.start(developer).reference
    with pytest.raises(Invalid) as err:
        orders.save_section(developer, second, "metric", {}, same)
    [problem] = err.value.problems
    assert problem.field == "metric_file" and "already been used to order statutory biodiversity credits" in (
        problem.message
    )
    assert f"your order {first}" in problem.message  # the developer's own order is named
    orders.withdraw(developer, first, "The scheme changed")
    assert orders.save_section(developer, second, "metric", {}, same).metric is not None  # free again


def test_two_drafts_with_one_metric_cannot_both_be_submitted(register: Register) -> None:
    assert register.world is not None
    developer = register.world.actors["developer"]
    orders = register.services.credits.orders
    same = _metric(name="Shared metric")
    first, second = _order(register, "North field", same), _order(register, "South field", same)
    orders.submit(developer, first)
    with pytest.raises(Invalid, match="already been used"):
        orders.submit(developer, second)
    assert orders.own(developer, second).order.status == "draft"


def test_the_database_refuses_a_second_live_order_with_the_same_metric(register: Register) -> None:
    """The partial unique index (revision 0009) holds even when two submissions race past the service."""
    assert register.world is not None
    sent = register.world.credit_orders["sent"]
    submitted = register.world.credit_orders["submitted"]
    with register.database.engine.connect() as conn:
        sha = conn.execute(text("SELECT metric_sha256 FROM credit_order WHERE reference = :r"), {"r": sent}).scalar()
    assert sha and len(sha) == 64
    with pytest.raises(Conflict, match="already been used"), register.database(write=True) as uow:
        order = uow.credits.order(submitted, for_update=True)
        order.metric_sha256 = sha
        uow.commit()


def test_a_metric_naming_another_planning_reference_is_refused(register: Register) -> None:
    with pytest.raises(Invalid) as err:
        _order(register, "Mill Lane", _metric(planning_reference="25/09999/OUT"))
    [problem] = err.value.problems
    assert "Start sheet gives planning reference '25/09999/OUT'" in problem.message
    assert "this order is for planning application '24/01234/FUL'" in problem.message


def test_a_metric_naming_another_lpa_is_refused_and_an_unknown_name_is_not_judged(register: Register) -> None:
    with pytest.raises(Invalid) as err:
        _order(register, "Mill Lane", _metric(lpa="South Cambridgeshire District Council"))
    [problem] = err.value.problems
    assert "names the LPA 'South Cambridgeshire District Council' (South Cambridgeshire LPA)" in problem.message
    assert "for a development in Cambridge LPA" in problem.message
    _order(register, "Mill Lane", _metric(lpa="Cambridge City Council", planning_reference="24/01234/FUL"))
    _order(register, "Mill Lane 2", _metric(lpa="Greater Cambridge Shared Planning"))  # not on the list: not judged


def _no_shortfall_with_a_problem() -> dict[str, Upload]:
    doc = json.loads((VECTORS / "pub-08-small.site.json").read_text("utf-8"))
    doc["on_site"]["hedgerow"] = json.loads((VECTORS / "pub-06-small.site.json").read_text("utf-8"))["on_site"][
        "hedgerow"
    ]  # a hedgerow gain, and a baseline row whose condition its type cannot have
    return {"metric_file": Upload("metric_file", "metric.json", json.dumps(doc).encode())}


def test_the_metric_step_says_no_shortfall_first_and_lists_every_problem(register: Register) -> None:
    assert register.world is not None
    developer = register.world.actors["developer"]
    orders = register.services.credits.orders
    reference = orders.start(developer).reference
    with pytest.raises(Invalid) as err:
        orders.save_section(developer, reference, "metric", {}, _no_shortfall_with_a_problem())
    messages = [p.message for p in err.value.problems]
    assert messages[0] == (
        "The metric shows no unit shortfall in any tier: the development does not need statutory biodiversity credits"
    )
    assert messages[1] == "The metric has 1 problem: correct it and upload the metric again"
    assert "condition 'Good' is not possible for 'Non-native and ornamental hedgerow'" in messages[2]
    with pytest.raises(Invalid) as err:
        orders.save_section(developer, reference, "metric", {}, {"metric_file": Upload(
            "metric_file", "pub-06.json", (VECTORS / "pub-06-small.site.json").read_bytes())})  # fmt: skip
    assert [p.message.split(":")[0] for p in err.value.problems][:1] == ["The metric has 1 problem"]
    assert len(err.value.problems) == 2  # the count, then the problem itself
