"""A credit order's answers, typed: each section reads back from its JSON as it was, and reading never
fails on what a draft may hold."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bng.register.core.errors import Invalid
from bng.register.core.model import Lpa
from bng.register.credits.amounts import TIERS, show_quantity
from bng.register.credits.answers import (
    SECTION_TYPES,
    DevelopmentAnswers,
    DueDiligenceAnswers,
    GainHierarchyAnswers,
    MetricAnswers,
    OrderAnswers,
    OrderForm,
    PurchaseOrderAnswers,
    QuantitiesAnswers,
    TermsAnswers,
    section_of,
)
from bng.register.credits.metric import MetricCredits
from bng.register.credits.orders import MAX_TEXT
from bng.register.credits.orders import SECTIONS as ORDER_SECTIONS

text = st.text(max_size=30)
ids = st.none() | st.integers(0, 2**31)
tiers = st.sampled_from(TIERS)
credits = st.builds(
    MetricCredits,
    metric_release=text,
    release_title=text,
    by_tier=st.dictionaries(tiers, st.none() | st.floats(-1e6, 1e6)),
    needed=st.dictionaries(tiers, st.none() | st.integers(0, 10**6)),
    messages=st.lists(text, max_size=2).map(tuple),
    problems=st.lists(text, max_size=2).map(tuple),
)
STRATEGIES: dict[type[OrderAnswers], st.SearchStrategy[Any]] = {
    DevelopmentAnswers: st.builds(DevelopmentAnswers, lpa_id=ids, planning_reference=text, development_name=text),
    MetricAnswers: st.builds(MetricAnswers, file_id=ids, name=text, sha256=text, credits=st.none() | credits),
    QuantitiesAnswers: st.builds(
        QuantitiesAnswers,
        by_tier=st.lists(st.tuples(tiers, st.integers(0, 10**9)), unique_by=lambda t: t[0]).map(tuple),
        for_metric=text,
    ),
    GainHierarchyAnswers: st.builds(GainHierarchyAnswers, onsite_reason=text, offsite_reason=text),
    PurchaseOrderAnswers: st.builds(PurchaseOrderAnswers, purchase_order=text),
    DueDiligenceAnswers: st.builds(
        DueDiligenceAnswers,
        customer_type=st.sampled_from(["", "individual", "organisation"]),
        full_name=text,
        date_of_birth=st.none() | st.dates(date(1900, 1, 1), date(2030, 1, 1)),
        nationality=text,
        organisation_name=text,
        organisation_number=text,
    ),
    TermsAnswers: st.builds(
        TermsAnswers,
        accepted=st.lists(st.sampled_from(["terms", "own_development"]), unique=True).map(tuple),
        at=st.none() | st.datetimes(datetime(2020, 1, 1), datetime(2040, 1, 1)),
    ),
}


def test_every_section_of_an_order_has_an_answer_class() -> None:
    assert list(SECTION_TYPES) == [s.key for s in ORDER_SECTIONS]
    assert set(SECTION_TYPES.values()) == set(STRATEGIES)


@pytest.mark.parametrize("kind", list(STRATEGIES), ids=lambda k: k.KEY)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_an_order_section_reads_back_from_its_json_as_it_was(kind: type[OrderAnswers], data: st.DataObject) -> None:
    answers = data.draw(STRATEGIES[kind])
    assert kind.from_json(answers.to_json()) == answers
    assert kind.from_json(json.loads(json.dumps(answers.to_json()))) == answers


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(list(SECTION_TYPES)), doc=st.dictionaries(text, json_values) | json_values)
def test_whatever_a_draft_holds_it_is_read(key: str, doc: Any) -> None:
    answers = section_of(key, doc)
    assert section_of(key, answers.to_json()) == answers


# Parsing a section's form: what a valid form gives reads back from its JSON as it was parsed, and the
# parsing refuses what the section must not hold, naming the field.

NOW = datetime(2026, 3, 5, 10, 30, tzinfo=UTC)
LPA = Lpa("South Cambridgeshire", "E07000012", id=7)
# A typed answer with no spaces to tidy (one line of up to 200 characters is kept with its spaces tidied).
typed = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=40
)


def _form(data: dict[str, Any], **kwargs: Any) -> OrderForm:
    return OrderForm(data, NOW, lpa=lambda i: LPA if i == LPA.id else None, **kwargs)


def _reads_back(answers: OrderAnswers) -> None:
    doc = json.loads(json.dumps(answers.to_json()))
    assert type(answers).from_json(doc) == answers


@settings(max_examples=50, deadline=None)
@given(reference=typed, name=typed)
def test_a_development_parsed_reads_back(reference: str, name: str) -> None:
    answers = DevelopmentAnswers.parse(
        _form({"lpa_id": " 7 ", "planning_reference": reference, "development_name": name})
    )
    assert answers == DevelopmentAnswers(7, reference, name)
    _reads_back(answers)


def test_a_development_names_every_problem_in_the_forms_order() -> None:
    with pytest.raises(Invalid) as err:
        DevelopmentAnswers.parse(_form({"lpa_id": "8", "development_name": "x" * 201}))
    assert [p.field for p in err.value.problems] == ["lpa_id", "planning_reference", "development_name"]
    abolished = Lpa("Gone", id=7, valid_to=date(2020, 3, 31), successor="Kept")
    form = {"lpa_id": "7", "planning_reference": "a", "development_name": "b"}
    with pytest.raises(Invalid) as err:
        DevelopmentAnswers.parse(OrderForm(form, NOW, lpa=lambda i: abolished))
    assert [p.message for p in err.value.problems] == [
        "Gone was abolished on 1 April 2020: its area is Kept's now, so select Kept"
    ]


needed = st.dictionaries(tiers, st.integers(0, 10**6))


@settings(max_examples=50, deadline=None)
@given(needed=needed, extra=st.dictionaries(tiers, st.integers(0, 10**6)))
def test_quantities_parsed_read_back(needed: dict[str, int], extra: dict[str, int]) -> None:
    metric = MetricCredits(metric_release="4.1", release_title="", by_tier={}, needed=dict(needed))
    held = {"metric": {"sha256": "ab" * 32, "credits": metric.to_dict()}}
    chosen = {t: needed.get(t, 0) + extra.get(t, 0) for t in TIERS}
    data = {f"quantity_{t}": show_quantity(n) for t, n in chosen.items()}
    answers = QuantitiesAnswers.parse(_form(data, held=held))
    assert answers == QuantitiesAnswers(tuple(chosen.items()), "ab" * 32)
    _reads_back(answers)


def test_quantities_are_never_fewer_than_the_metric_needs_and_need_a_metric() -> None:
    held = {
        "metric": {
            "sha256": "cd",
            "credits": MetricCredits(metric_release="4.1", release_title="", by_tier={}, needed={"A1": 250}).to_dict(),
        }
    }
    with pytest.raises(Invalid) as err:
        QuantitiesAnswers.parse(_form({"quantity_A1": "2.49", "quantity_A2": "x"}, held=held))
    assert [p.field for p in err.value.problems] == ["quantity_A1", "quantity_A2"]
    with pytest.raises(Invalid) as err:
        QuantitiesAnswers.parse(_form({"quantity_A1": "3"}))
    assert [p.field for p in err.value.problems] == ["quantity_A1"]


@settings(max_examples=50, deadline=None)
@given(onsite=st.text(max_size=MAX_TEXT - 1).filter(str.strip), offsite=st.text(max_size=60).filter(str.strip))
def test_the_gain_hierarchy_parsed_reads_back(onsite: str, offsite: str) -> None:
    answers = GainHierarchyAnswers.parse(_form({"onsite_reason": onsite, "offsite_reason": offsite}))
    assert answers.onsite_reason == onsite.replace("\r\n", "\n").strip()
    _reads_back(answers)


@settings(max_examples=50, deadline=None)
@given(number=st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9./_-]{0,59}\Z") | st.just(""))
def test_a_purchase_order_parsed_reads_back(number: str) -> None:
    answers = PurchaseOrderAnswers.parse(_form({"purchase_order": number}))
    assert answers == PurchaseOrderAnswers(number)
    _reads_back(answers)
    with pytest.raises(Invalid):
        PurchaseOrderAnswers.parse(_form({"purchase_order": "#" + number}))


@settings(max_examples=50, deadline=None)
@given(
    name=typed,
    nationality=typed,
    born=st.dates(date(1900, 1, 1), date(2008, 3, 5)),
    organisation=typed,
    number=st.from_regex(r"\A[A-Z0-9][A-Z0-9/-]{1,19}\Z"),
)
def test_a_buyer_parsed_reads_back(name: str, nationality: str, born: date, organisation: str, number: str) -> None:
    person = DueDiligenceAnswers.parse(
        _form({"customer_type": "individual", "full_name": name, "nationality": nationality, "date_of_birth": born})
    )
    assert person == DueDiligenceAnswers("individual", name, born, nationality)
    _reads_back(person)
    body = DueDiligenceAnswers.parse(
        _form(
            {"customer_type": "organisation", "organisation_name": organisation, "organisation_number": number.lower()}
        )
    )
    assert body == DueDiligenceAnswers("organisation", organisation_name=organisation, organisation_number=number)
    _reads_back(body)


def test_a_buyer_is_of_age_and_every_problem_is_named() -> None:
    with pytest.raises(Invalid) as err:
        DueDiligenceAnswers.parse(_form({"customer_type": "individual", "date_of_birth": date(2008, 3, 6)}))
    assert [p.field for p in err.value.problems] == ["full_name", "nationality", "date_of_birth"]
    assert "18 or older" in err.value.problems[-1].message
    with pytest.raises(Invalid) as err:
        DueDiligenceAnswers.parse(_form({"customer_type": "organisation", "organisation_number": "12 34 56 7!"}))
    assert [p.field for p in err.value.problems] == ["organisation_name", "organisation_number"]
    with pytest.raises(Invalid) as err:
        DueDiligenceAnswers.parse(_form({}))
    assert [p.field for p in err.value.problems] == ["customer_type"]


@given(confirm=st.lists(st.sampled_from(["terms", "own_development", "other"]), max_size=4))
def test_terms_are_accepted_only_with_both_confirmations(confirm: list[str]) -> None:
    if {"terms", "own_development"} <= set(confirm):
        answers = TermsAnswers.parse(_form({"confirm": confirm}))
        assert answers == TermsAnswers(("terms", "own_development"), NOW)
        _reads_back(answers)
    else:
        with pytest.raises(Invalid):
            TermsAnswers.parse(_form({"confirm": confirm}))
