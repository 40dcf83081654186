"""The planning rules that hold in general (hypothesis), and the ones the sources give examples of.

* major development is the DMPO's OR of its limbs: small means every limb fails; more of anything
  never turns major development small; source 004's "or" reading differs exactly where a site of
  1 ha or more creates less than 1,000 m²;
* de minimis is monotone: impacting more never makes a development exempt;
* the MHCLG bng module is written with codelist codes only;
* significance, the hierarchy's contradictions, the 8-week clock, phases and SSM eligibility.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bng.metric import calculate, parse_site
from bng.metric.model import AreaBaseline, AreaCreation, AreaEnhancement, AreaRows, Location, Site
from bng.planning import Application, applicability, major_development, parse_application
from bng.planning.determination import PlanStatus, approval_problems, clock, due_date, move
from bng.planning.errors import TransitionError
from bng.planning.gainplan import GainPlan, MetricRef, ModuleValues, PhaseValue, phase_problems
from bng.planning.habitats import impact_of, irreplaceable_in, is_priority
from bng.planning.hierarchy import review_hierarchy
from bng.planning.major import small_by_source_004
from bng.planning.mhclg import bng_module
from bng.planning.parcels import baseline_totals, post_parcels
from bng.planning.significance import BY_CONDITION, BY_S106, SiteFacts, classify
from bng.planning.small_sites import WHY_STATUTORY, ssm_eligibility
from bng.planning.tables import tables
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "riverside-farm.site.json"
LOW = "Area/compensation not in local strategy/ no local strategy"

dwellings = st.one_of(st.none(), st.integers(min_value=0, max_value=60))
hectares = st.floats(min_value=0, max_value=5, allow_nan=False).map(lambda x: round(x, 3))
floorspace = st.floats(min_value=0, max_value=5000, allow_nan=False).map(lambda x: round(x, 1))


@st.composite
def developments(draw: Any) -> Application:
    residential = draw(st.one_of(st.none(), st.booleans()))
    n = draw(dwellings) if residential is not False else None
    return Application(
        residential=residential,
        dwellings=n,
        site_area_ha=draw(hectares),
        floorspace_m2=draw(floorspace),
        minerals=draw(st.booleans()) and draw(st.booleans()),
        waste=draw(st.booleans()) and draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(developments())
def test_small_means_every_limb_fails(app: Application) -> None:
    d = major_development(app)
    if d.major is False:
        assert not app.minerals and not app.waste
        assert app.site_area_ha is not None and app.site_area_ha < 1
        assert app.floorspace_m2 is not None and app.floorspace_m2 < 1000
        assert app.dwellings is None or app.dwellings < 10
        if app.residential and app.dwellings is None:
            assert app.site_area_ha < 0.5
    if d.major:
        assert any(o.met for o in d.limbs)


@settings(max_examples=300, deadline=None)
@given(developments(), hectares, floorspace, st.integers(min_value=0, max_value=20))
def test_more_of_anything_never_makes_major_small(app: Application, dh: float, df: float, dd: int) -> None:
    before = major_development(app).major
    bigger = replace(
        app,
        site_area_ha=(app.site_area_ha or 0) + dh,
        floorspace_m2=(app.floorspace_m2 or 0) + df,
        dwellings=None if app.dwellings is None else app.dwellings + dd,
    )
    if before:
        assert major_development(bigger).major is True


@settings(max_examples=300, deadline=None)
@given(hectares, floorspace)
def test_source_004_or_reading_differs_only_for_large_sites_with_little_floorspace(site: float, floor: float) -> None:
    app = Application(residential=False, site_area_ha=site, floorspace_m2=floor)
    dmpo_small = major_development(app).major is False
    loose_small = small_by_source_004(app)
    if dmpo_small != loose_small:
        assert loose_small and not dmpo_small
        assert (site >= 1 and floor < 1000) or (floor >= 1000 and site < 1)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0, max_value=100, allow_nan=False),
    st.floats(min_value=0, max_value=20, allow_nan=False),
    st.floats(min_value=0, max_value=100, allow_nan=False),
    st.floats(min_value=0, max_value=20, allow_nan=False),
)
def test_impacting_more_never_makes_a_development_de_minimis(a: float, m: float, da: float, dm: float) -> None:
    base = {"application_type": "full", "application_date": "2025-01-01", "priority_habitat_impacted": False}
    small, _ = parse_application({**base, "impacted_area_m2": a, "impacted_length_m": m})
    big, _ = parse_application({**base, "impacted_area_m2": a + da, "impacted_length_m": m + dm})
    codes = {o.rule.code for o in applicability(big).exemptions}
    if "de-minimis" in codes:
        assert "de-minimis" in {o.rule.code for o in applicability(small).exemptions}
        assert a + da < 25 and m + dm < 5


def example_site() -> Site:
    site, issues = parse_site(json.loads(EXAMPLE.read_text()))
    assert not issues
    return site


def tiny_site(lost_m2: float, habitat: str = "Grassland - Modified grassland") -> Site:
    """One parcel of 0.1 ha, of which ``lost_m2`` is lost and the rest retained."""
    area = 0.1
    lost = lost_m2 / 10_000
    base = AreaBaseline(
        "B1", habitat, area, "Poor" if "Modified" in habitat else "Moderate", LOW, retained_ha=round(area - lost, 8)
    )
    sealed = AreaCreation("C1", "Urban - Developed land; sealed surface", lost, "N/A - Other", LOW)
    return Site(on_site=Location(area=AreaRows(baseline=(base,), creation=(sealed,))))


@pytest.mark.parametrize(
    ("lost_m2", "habitat", "exempt"),
    [
        (24.9, "Grassland - Modified grassland", True),
        (25.0, "Grassland - Modified grassland", False),
        (24.9, "Grassland - Lowland meadows", False),  # priority habitat (V.High)
        (400.0, "Urban - Developed land; sealed surface", True),  # zero value: never counts
    ],
)
def test_de_minimis_measured_from_the_metric(lost_m2: float, habitat: str, exempt: bool) -> None:
    impact = impact_of(tiny_site(lost_m2, habitat))
    app, _ = parse_application({"application_type": "full", "application_date": "2025-01-01"})
    result = applicability(app, impact)
    assert ("de-minimis" in {o.rule.code for o in result.exemptions}) is exempt
    assert result.impact.source == "metric"


def test_priority_habitat_table() -> None:
    assert is_priority("area", "Grassland - Lowland meadows")
    assert is_priority("area", "Cropland - Arable field margins tussocky")
    assert not is_priority("area", "Grassland - Modified grassland")
    assert is_priority("hedgerow", "Native hedgerow")
    assert not is_priority("hedgerow", "Line of trees")
    assert is_priority("watercourse", "Priority habitat")


def test_irreplaceable_habitat_named_with_si_2024_48() -> None:
    base = AreaBaseline(
        "W1",
        "Woodland and forest - Lowland mixed deciduous woodland",
        1.0,
        "Good",
        LOW,
        irreplaceable=True,
        retained_ha=1.0,
    )
    site = Site(on_site=Location(area=AreaRows(baseline=(base,))))
    found = irreplaceable_in(site)
    assert [d.description for d in found[0].descriptions] == ["Ancient woodland"]
    assert (
        irreplaceable_in(replace(site, on_site=Location(area=AreaRows(baseline=(replace(base, irreplaceable=False),)))))
        == ()
    )


def test_mhclg_module_uses_only_codelist_codes() -> None:
    codes = set(tables().mhclg_exemption_types)
    for facts in (
        {"application_type": "full", "application_date": "2024-01-10"},
        {"application_type": "s73a", "application_date": "2025-01-10"},
        {"application_type": "full", "application_date": "2025-01-10", "hs2": True},
    ):
        app, _ = parse_application(facts)
        doc = bng_module(applicability(app))
        reasons = doc["bng"]["bng-condition-exemption-reasons"]
        assert reasons and {r["exemption-type"] for r in reasons} <= codes
        assert all("regulation 15" not in r["reason"] for r in reasons)
    app, _ = parse_application({"application_type": "householder", "application_date": "2025-01-10"})
    assert bng_module(applicability(app))["bng"] == {"bng-exempt": True}


def test_mhclg_module_reports_2026_exemptions_as_unmapped() -> None:
    from bng.planning import parse_commencements

    app, _ = parse_application(
        {
            "application_type": "full",
            "application_date": "2026-09-01",
            "site_area_ha": 0.1,
            "priority_habitat_impacted": False,
        }
    )
    doc = bng_module(applicability(app, config=parse_commencements("2026-phase-1=2026-07-31")))
    assert doc["bng"]["bng-condition-applies"] is False
    assert doc["bng"]["bng-condition-exemption-reasons"] == []
    assert [u["bng-code"] for u in doc["unmapped"]] == ["small-site-area"]


def test_mhclg_details_when_the_condition_applies() -> None:
    app, _ = parse_application(
        {
            "application_type": "full",
            "application_date": "2025-05-01",
            "pre_development_date": "2025-02-01",
            "earlier_date_reason": "site cleared",
            "impacted_area_m2": 900,
            "impacted_length_m": 0,
            "priority_habitat_impacted": False,
            "degradation_after_2020": False,
            "irreplaceable_habitat": False,
        }
    )
    details = bng_module(applicability(app), pre_development_value=12.5)["bng"]["bng-details"]
    assert details["pre-development-date"] == "2025-02-01" and details["earlier-date-reason"] == "site cleared"
    assert details["pre-development-biodiversity-value"] == 12.5 and details["irreplaceable-habitats"] is False


def classified(profile: str, major: bool | None = True) -> dict[str, Any]:
    site = example_site()
    result = calculate(site)
    parcels = post_parcels(site, result)
    out = classify(parcels, profile, SiteFacts(baseline_totals(site, result), major))
    return {c.parcel.key: c for c in out}


def test_govuk_profile_never_makes_retention_significant() -> None:
    for c in classified("govuk").values():
        if c.parcel.intervention == "retained":
            assert c.significant is False
            assert "retention" in c.explanation() or "score 0" in c.explanation()


def test_worcestershire_counts_retained_habitat_of_value() -> None:
    got = classified("worcestershire")
    retained = [c for c in got.values() if c.parcel.intervention == "retained" and (c.parcel.score or 0) > 0]
    assert retained and all(c.significant for c in retained)


def test_tendring_all_major_development_enhancements() -> None:
    got = classified("tendring", major=True)
    assert all(c.significant for c in got.values() if c.parcel.intervention != "retained" and c.parcel.score)


def test_three_tier_profile_tiers() -> None:
    got = classified("three-tier")
    tiers = {c.tier for c in got.values() if c.significant}
    assert tiers <= {BY_CONDITION, BY_S106} and tiers


def test_zero_value_parcels_are_never_significant() -> None:
    for profile in tables().significance:
        for c in classified(profile).values():
            if c.parcel.score == 0:
                assert c.significant is False


def test_hierarchy_flags_credits_with_unexplained_medium_loss() -> None:
    base = AreaBaseline("B1", "Grassland - Other neutral grassland", 1.0, "Moderate", LOW)
    sealed = AreaCreation("C1", "Urban - Developed land; sealed surface", 1.0, "N/A - Other", LOW)
    site = Site(on_site=Location(area=AreaRows(baseline=(base,), creation=(sealed,))))
    app, _ = parse_application(
        {
            "credit_purchases": ["BNGCRD-AAAAA-BBBBB"],
            "hierarchy": {"create-onsite": {"followed": "yes", "evidence": "sealed"}},
        }
    )
    review = review_hierarchy(app, site, calculate(site))
    codes = {c.code for c in review.contradictions}
    assert {"MEDIUM_PLUS_LOST_UNEXPLAINED", "CREDITS_WITH_UNEXPLAINED_LOSS", "CREDITS_BEFORE_OFFSITE"} <= codes
    justified, _ = parse_application(
        {
            "credit_purchases": ["BNGCRD-AAAAA-BBBBB"],
            "hierarchy": {
                "avoid-mitigate": {"followed": "yes", "evidence": "the only access route crosses the meadow"},
                "offsite": {"followed": "no", "evidence": "no gain site in the LPA or its neighbours sells grassland"},
            },
        }
    )
    assert not review_hierarchy(justified, site, calculate(site)).contradictions


def test_hierarchy_flags_a_step_the_metric_does_not_show() -> None:
    site = tiny_site(100.0)  # on-site only
    app, _ = parse_application({"hierarchy": {"offsite": {"followed": "yes", "evidence": "BGS-010125001"}}})
    codes = {c.code for c in review_hierarchy(app, site, calculate(site)).contradictions}
    assert "STEP_NOT_IN_METRIC" in codes


def test_eight_week_clock_and_no_deemed_discharge() -> None:
    received = date(2026, 3, 2)
    assert due_date(received) == received + timedelta(weeks=8)
    assert due_date(received, date(2026, 6, 1)) == date(2026, 6, 1)
    late = clock(received, date(2026, 6, 1))
    assert late.overdue and "NOT approved by default" in late.text()
    assert not clock(received, date(2026, 6, 1), decided_on=date(2026, 4, 1)).overdue


def test_determination_moves() -> None:
    assert move("received", "validated") is PlanStatus.VALIDATED
    assert move("validated", "approved") is PlanStatus.APPROVED
    with pytest.raises(TransitionError, match="only with reasons"):
        move("validated", "refused", " ")
    with pytest.raises(TransitionError, match="cannot become"):
        move("received", "approved")
    with pytest.raises(TransitionError, match="decided"):
        move("approved", "refused", "changed our mind")


def plan_of(post: float, phase: str = "", phases: tuple[PhaseValue, ...] = ()) -> GainPlan:
    site = example_site()
    result = calculate(site)
    values = (ModuleValues("area", 10.0, post, 0.0, 0.0, 10.0, True),)
    return GainPlan(
        "final",
        Application(reference="26/1/FUL"),
        date(2026, 3, 2),
        MetricRef("m.xlsm", "", "statutory-2024", "t"),
        None,
        values,
        review_hierarchy(Application(), site, result),
        (),
        (),
        "govuk",
        "national",
        phase=phase,
        phases=phases,
    )


def test_approval_needs_the_objective_met() -> None:
    assert approval_problems(plan_of(11.0)) == []
    assert "do not meet the biodiversity gain objective" in approval_problems(plan_of(10.5))[0]


def test_a_phase_may_not_fall_below_the_overall_plan() -> None:
    overall = plan_of(12.0, "overall", (PhaseValue("1", {"area": 6.0}), PhaseValue("2", {"area": 6.0})))
    assert phase_problems(overall, plan_of(6.5, "1")) == []
    assert "below the 6.0000 the overall plan gives" in phase_problems(overall, plan_of(5.5, "1"))[0]
    assert "no value for phase '3'" in phase_problems(overall, plan_of(7.0, "3"))[0]


def test_small_sites_metric_eligibility_never_calculates() -> None:
    app, _ = parse_application(
        {
            "residential": True,
            "dwellings": 4,
            "site_area_ha": 0.3,
            "floorspace_m2": 300,
            "protected_sites": False,
            "european_protected_species": False,
        }
    )
    base = AreaBaseline("B1", "Grassland - Modified grassland", 0.3, "Poor", LOW, retained_ha=0.1)
    garden = AreaCreation("C1", "Urban - Vegetated garden", 0.2, "Poor", LOW)
    site = Site(on_site=Location(area=AreaRows(baseline=(base,), creation=(garden,))))
    ok = ssm_eligibility(app, site)
    assert ok.eligible is True and ok.note == WHY_STATUTORY
    meadow = replace(
        site,
        on_site=Location(
            area=AreaRows(baseline=(replace(base, habitat="Grassland - Lowland meadows", condition="Moderate"),))
        ),
    )
    no = ssm_eligibility(app, meadow)
    assert no.eligible is False and {c.code for c in no.failed} >= {"NO_PRIORITY_HABITAT", "SSM_HABITATS_ONLY"}
    major, _ = parse_application({"residential": True, "dwellings": 10, "site_area_ha": 0.3, "floorspace_m2": 0})
    assert ssm_eligibility(major, site).eligible is False


def test_enhancement_parcel_keeps_what_monitoring_needs() -> None:
    base = AreaBaseline("B1", "Grassland - Modified grassland", 1.0, "Poor", LOW, enhanced_ha=0.4, retained_ha=0.6)
    enh = AreaEnhancement("E1", "B1", "Grassland - Other neutral grassland", "Moderate", LOW, delay_years=2.0)
    site = Site(on_site=Location(area=AreaRows(baseline=(base,), enhancement=(enh,))))
    parcels = {p.key: p for p in post_parcels(site, calculate(site))}
    e = parcels["area:enhanced:E1"]
    assert (e.size, e.baseline_habitat, e.baseline_condition, e.delay_years) == (
        0.4,
        "Grassland - Modified grassland",
        "Poor",
        2.0,
    )
    got = classify(tuple(parcels.values()), "govuk", SiteFacts(baseline_totals(site, calculate(site)), True))
    e_cls = next(c for c in got if c.parcel.key == "area:enhanced:E1")
    assert e_cls.significant and "distinctiveness Low before, Medium after" in e_cls.explanation()
