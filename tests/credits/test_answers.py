"""A credit order's answers, typed: each section reads back from its JSON as it was, and reading never
fails on what a draft may hold."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bng.register.credits.amounts import TIERS
from bng.register.credits.answers import (
    SECTION_TYPES,
    DevelopmentAnswers,
    DueDiligenceAnswers,
    GainHierarchyAnswers,
    MetricAnswers,
    OrderAnswers,
    PurchaseOrderAnswers,
    QuantitiesAnswers,
    TermsAnswers,
    section_of,
)
from bng.register.credits.metric import MetricCredits
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
