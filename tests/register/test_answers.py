"""The typed answers of an application's sections: JSON is only their storage.

Properties: every section's answers read back from their JSON as they were (``from_json(to_json(x)) == x``),
and reading never fails on what a section may hold (answers saved for later are kept as typed). Golden:
the summary rows of a demo application, as the check your answers and case pages show them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bng.register.applications.answers import (
    DECLARATIONS,
    METHODS,
    SECTION_TYPES,
    AllocationAnswers,
    ApplicantAnswers,
    ApplicationAnswers,
    BoundaryAnswers,
    DeclarationsAnswers,
    HabitatsAnswers,
    HmmpAnswers,
    LandChargeAnswers,
    LegalAgreementAnswers,
    OwnershipAnswers,
    Row,
    RowContext,
    SectionAnswers,
    parcel_key,
    site_name,
)
from bng.register.applications.habitats import MODULES, STAGES, Habitats, ParcelDraft
from bng.register.core.model import AgreementType, Lpa, ResponsibleBody, StoredFile

text = st.text(max_size=40)
ids = st.one_of(st.none(), st.integers(min_value=0, max_value=2**31))
floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
modest = st.floats(min_value=-1e9, max_value=1e9)  # what a person may type: shown to 4 places, never overflowing
dates = st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
yes_no = st.one_of(st.none(), st.booleans())
kept = st.lists(st.tuples(st.sampled_from(["ownership_file", "hmmp_file", "metric_file"]), st.integers(1, 10**6)),
                unique_by=lambda t: t[0], max_size=3).map(tuple)  # fmt: skip
common: dict[str, Any] = {"completed": st.booleans(), "uploaded": kept}


def _json_round_trip(doc: dict[str, Any]) -> dict[str, Any]:
    """As the database keeps it: through JSON text and back."""
    loaded: dict[str, Any] = json.loads(json.dumps(doc))
    return loaded


parcels = st.builds(
    ParcelDraft,
    module=st.sampled_from(MODULES),
    stage=st.sampled_from(STAGES),
    ref=text,
    habitat=text,
    distinctiveness=text,
    condition=text,
    strategic_significance=text,
    size=floats,
    units=floats,
    baseline_ref=text,
    geometry_sha256=text,
    geometry_bytes=st.integers(0, 10**9),
)
totals = st.dictionaries(
    st.sampled_from(MODULES), st.dictionaries(st.sampled_from(["baseline_units", "net_change_units"]), floats)
)
habitats = st.builds(
    Habitats,
    metric_release=text,
    gain_site_label=text,
    parcels=st.lists(parcels, max_size=4).map(tuple),
    totals=totals,
    left_out=st.lists(text, max_size=3).map(tuple),
)

SECTIONS: dict[type[SectionAnswers], st.SearchStrategy[Any]] = {
    ApplicantAnswers: st.builds(
        ApplicantAnswers, **common, acting_as=st.sampled_from(["", "landowner", "agent"]) | text, name=text,
        organisation=text, email=text, phone=text, client_name=text, authorisation_file=ids,
    ),
    OwnershipAnswers: st.builds(OwnershipAnswers, **common, landowners=text, title_numbers=text, ownership_file=ids),
    BoundaryAnswers: st.builds(
        BoundaryAnswers, **common, method=st.sampled_from(["", "map", "document"]), site_name=text,
        boundary_file=ids, area_ha=st.none() | floats, easting=st.none() | floats, northing=st.none() | floats,
        grid_reference=text, geometry_sha256=st.none() | text, geometry_bytes=st.none() | st.integers(0, 10**9),
        wkt=st.none() | text,
    ),
    HabitatsAnswers: st.builds(
        HabitatsAnswers, **common, gain_site_label=text, metric_file=ids, habitat_baseline_map=ids,
        habitat_post_map=ids, habitats=st.none() | habitats,
    ),
    LegalAgreementAnswers: st.builds(
        LegalAgreementAnswers, **common, agreement_type=st.sampled_from(["", *AgreementType]) | text,
        lpa_ids=st.lists(st.integers(0, 10**6), max_size=3).map(tuple), responsible_body_id=ids,
        agreement_date=dates, works_completion_date=dates, secured_until=dates, agreement_file=ids,
    ),
    LandChargeAnswers: st.builds(LandChargeAnswers, **common, certificate_date=dates, land_charge_file=ids),
    HmmpAnswers: st.builds(HmmpAnswers, **common, hmmp_in_agreement=yes_no, hmmp_file=ids),
    AllocationAnswers: st.builds(
        AllocationAnswers, **common, allocate=yes_no, lpa_id=ids, planning_reference=text, development_name=text,
        grid_reference=text, method=st.sampled_from(METHODS), development_metric_file=ids,
        quantities=st.lists(st.tuples(text, st.integers(1, 10**12)), unique_by=lambda t: t[0], max_size=3).map(tuple),
    ),
    DeclarationsAnswers: st.builds(
        DeclarationsAnswers, **common, confirm=st.lists(st.sampled_from([k for k, _ in DECLARATIONS]) | text,
                                                        max_size=5).map(tuple),
    ),
}  # fmt: skip


def test_every_section_has_an_answer_class_and_a_strategy() -> None:
    assert set(SECTION_TYPES.values()) == set(SECTIONS)
    assert list(SECTION_TYPES) == [c.KEY for c in SECTIONS]


@pytest.mark.parametrize("kind", list(SECTIONS), ids=lambda k: k.KEY)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_section_reads_back_from_its_json_as_it_was(kind: type[SectionAnswers], data: st.DataObject) -> None:
    answers = data.draw(SECTIONS[kind])
    assert kind.from_json(answers.to_json()) == answers
    assert kind.from_json(_json_round_trip(answers.to_json())) == answers  # dates as ISO text, tuples as lists


applications = st.builds(
    ApplicationAnswers,
    **{ApplicationAnswers.attribute(c.KEY): st.none() | s for c, s in SECTIONS.items()},
)


@settings(max_examples=100, deadline=None)
@given(applications)
def test_an_application_reads_back_from_its_json_as_it_was(answers: ApplicationAnswers) -> None:
    assert ApplicationAnswers.from_json(_json_round_trip(answers.to_json())) == answers


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | modest | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    key=st.sampled_from(list(SECTION_TYPES)),
    doc=st.dictionaries(
        st.sampled_from(["acting_as", "email", "area_ha", "easting", "grid_reference", "geometry_bytes", "habitats",
                         "lpa_ids", "agreement_date", "responsible_body_id", "hmmp_in_agreement", "allocate",
                         "lpa_id", "method", "quantities", "confirm", "completed", "uploaded", "ownership_file"])
        | text,
        json_values,
    ),
)  # fmt: skip
def test_whatever_a_section_holds_it_is_read_and_shown(key: str, doc: dict[str, Any]) -> None:
    """Answers saved for later are kept as they were typed: reading them never fails, nor do their rows."""
    answers = SECTION_TYPES[key].from_json(doc)
    again = SECTION_TYPES[key].from_json(answers.to_json())
    assert again == answers
    rows = answers.rows(RowContext(_Names()))
    assert rows and all(isinstance(r, Row) and r.label for r in rows)


@dataclass
class _Names:
    files: dict[int, StoredFile] = field(default_factory=dict)
    lpas: dict[int, Lpa] = field(default_factory=dict)
    bodies: dict[int, ResponsibleBody] = field(default_factory=dict)


def test_answers_saved_for_later_are_read_as_they_were_typed() -> None:
    """What "save and come back later" keeps: the form's text, unchecked."""
    hmmp = HmmpAnswers.from_json({"hmmp_in_agreement": "no", "completed": False})
    assert hmmp.hmmp_in_agreement is False and not hmmp.completed
    allocation = AllocationAnswers.from_json({"allocate": "no", "lpa_id": "12", "completed": False})
    assert allocation.allocate is False and allocation.lpa_id == 12 and not allocation.wanted
    boundary = BoundaryAnswers.from_json({"method": "document", "area_ha": "1,234.5", "completed": False})
    assert boundary.area_ha == 1234.5
    agreement = LegalAgreementAnswers.from_json({"agreement_date": "2026-02-30", "lpa_ids": ["3", "x", 4]})
    assert agreement.agreement_date is None and agreement.lpa_ids == (3, 4)


def test_an_allocation_takes_units_in_proportion_to_the_parcel() -> None:
    grassland = ParcelDraft("area", "creation", "1", "Grassland - Other neutral grassland", "Medium", "Good",
                            "Low", 2.0, 10.0)  # fmt: skip
    hedge = ParcelDraft("hedgerow", "creation", "1", "Native hedgerow", "Low", "Good", "Low", 0.5, 3.0)
    chosen = AllocationAnswers(
        completed=True, allocate=True, quantities=((parcel_key("area", "creation", "1"), Decimal("0.5")),)
    )
    assert chosen.taken((grassland, hedge)) == [(grassland, Decimal("0.5"), Decimal("2.5"))]
    rows = chosen.rows(RowContext(_Names(), (grassland, hedge)))
    assert rows[-1] == Row(
        "Habitat parcels", "Grassland - Other neutral grassland (parcel 1): 0.5000 ha, 2.5000 habitat units"
    )


def test_an_application_names_its_gain_site_from_its_boundary_answers() -> None:
    held = {"boundary": {"site_name": "Meadow Farm", "method": "map"}, "applicant": {"name": "A"}}
    assert site_name(held) == ApplicationAnswers.from_json(held).site_name == "Meadow Farm"
    for nothing in ({}, {"boundary": None}, {"boundary": "not answers"}, {"boundary": {"method": "map"}}):
        assert site_name(nothing) == ApplicationAnswers.from_json(nothing).site_name == ""
