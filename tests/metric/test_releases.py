"""The statutory releases: each a small overlay of reference data, each computing as its own workbook.

The formulas that differ between releases were found by comparing, cell by cell, the formulas of
DEFRA's completed test workbook (1.0.0/1.0.1), a real 1.0.2 workbook and real 1.0.3 workbooks
(docs/reference-data.md). Each difference is a rule of ``workbook_rules.csv`` that a release's
overlay sets; each test below is one of them, on the smallest site that shows it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bng.metric import calculate, load
from bng.metric.errors import ReferenceDataError
from bng.metric.model import (
    AreaBaseline,
    AreaEnhancement,
    AreaRows,
    GainSite,
    HedgerowBaseline,
    HedgerowEnhancement,
    HedgerowRows,
    Location,
    Project,
    Site,
    WatercourseBaseline,
    WatercourseEnhancement,
    WatercourseRows,
)
from bng.metric.reference import RELEASES, _Loader, release_id
from bng.metric.result import RowResult

BASE, V102, V103, V104 = "statutory-2024", "statutory-1.0.2", "statutory-1.0.3", "statutory-1.0.4"
SS = "Area/compensation not in local strategy/ no local strategy"


def _row(site: Site, release: str, module: str, stage: str, location: str = "on_site") -> RowResult:
    result = calculate(replace(site, metric_release=release))
    assert result.metric_release == release
    return next(r for r in result.rows if (r.module, r.stage, r.location) == (module, stage, location))


def test_every_release_loads_and_names_itself() -> None:
    assert list(RELEASES) == [BASE, V102, V103, V104]
    labels = {rid: load(rid).label for rid in RELEASES}
    assert labels == {
        BASE: "statutory 1.0.0/1.0.1",
        V102: "statutory 1.0.2",
        V103: "statutory 1.0.3",
        V104: "statutory 1.0.4",
    }
    for rid in RELEASES:
        assert load(rid).title.startswith(labels[rid] + ":")
    assert release_id("statutory 1.0.3") == release_id("1.0.3") == release_id("v1.0.3") == V103
    assert release_id("1.0.0") == release_id("1.0.1") == release_id("statutory-2024-02") == BASE


def test_later_releases_carry_only_what_changed() -> None:
    base, v103 = load(BASE), load(V103)
    assert v103.area_habitats == base.area_habitats and v103.credit_tiers == base.credit_tiers
    assert v103.temporal_multipliers == base.temporal_multipliers
    assert (base.rules.a3_first_row_condition_checks, load(V102).rules.a3_first_row_condition_checks) == (False, True)
    assert base.rules.b3_delay_30_plus_text == "30+ ⚠" and v103.rules.b3_delay_30_plus_text == "30+"
    assert load(V104).rules == v103.rules  # 1.0.4's corrections are known by name only


def test_an_overlay_replaces_rows_by_key_and_column_and_refuses_what_it_cannot_place() -> None:
    loader = _Loader(RELEASES[V103], ("a", "b"))
    base = [{"habitat_label": "X", "tier": "A3"}, {"habitat_label": "Y", "tier": "A4"}]
    out = loader._overlay("b", "credit_tiers.csv", base, [{"habitat_label": "Y", "tier": "A5", "source": "s"}])
    assert out == [{"habitat_label": "X", "tier": "A3"}, {"habitat_label": "Y", "tier": "A5"}]
    with pytest.raises(ReferenceDataError, match="unknown columns"):
        loader._overlay("b", "credit_tiers.csv", base, [{"habitat_label": "Y", "grade": "1"}])
    with pytest.raises(ReferenceDataError, match="must start with the key column"):
        loader._overlay("b", "credit_tiers.csv", base, [{"tier": "A5", "habitat_label": "Y"}])
    rules = [{"rule": "r", "value": "1"}, {"rule": "r", "value": "2"}, {"rule": "q", "value": "3"}]
    out = loader._overlay("b", "workbook_rules.csv", rules, [{"rule": "r", "value": "9"}])
    assert out == [{"rule": "q", "value": "3"}, {"rule": "r", "value": "9"}]


def test_1_0_2_gave_the_first_a3_row_the_condition_checks_of_the_rows_below() -> None:
    """A-3!U12: until 1.0.2 the first row lets a habitat move up a band at a lower condition (quirk 1)."""
    site = Site(
        on_site=Location(
            area=AreaRows(
                baseline=(AreaBaseline("1", "Grassland - Modified grassland", 1.0, "Good", SS, False, 0.0, 1.0),),
                enhancement=(AreaEnhancement("E1", "1", "Grassland - Other neutral grassland", "Poor", SS),),
            )
        )
    )
    assert _row(site, BASE, "area", "enhancement").units is not None
    row = _row(site, V102, "area", "enhancement")
    assert row.units is None and "Error - condition cannot be reduced ▲" in row.messages


def test_1_0_3_gives_a_30_plus_hedgerow_delay_its_multiplier() -> None:
    """B-3!AB12: until 1.0.3 a 30+ delay made "30+ ⚠", which the multiplier lookup misses (quirk 7)."""
    site = Site(
        on_site=Location(
            hedgerow=HedgerowRows(
                baseline=(HedgerowBaseline("1", "Native hedgerow", 0.2, "Poor", SS, 0.0, 0.2),),
                enhancement=(HedgerowEnhancement("E1", "1", "Native hedgerow", "Good", SS, 0.0, "30+"),),
            )
        )
    )
    old = _row(site, BASE, "hedgerow", "enhancement")
    assert old.units is None and "30+ ⚠" in old.messages
    assert (_row(site, V103, "hedgerow", "enhancement").units or 0) > 0


def test_1_0_3_voids_the_units_of_an_off_site_hedgerow_whose_lengths_do_not_add_up() -> None:
    """E-1!Q10 tests the length lost (W10) from 1.0.3; B-1!N10 got the test of R10, which never fires."""
    row = HedgerowBaseline("1", "Native hedgerow", 0.2, "Moderate", SS, 0.2, 0.1)
    srm = "This metric is being used by an off-site provider"
    off = Site(
        off_site=Location(hedgerow=HedgerowRows(baseline=(replace(row, gain_site="G", spatial_risk=srm),))),
        gain_sites=(GainSite("G", srm),),
    )
    assert _row(off, BASE, "hedgerow", "baseline", "off_site").units is not None
    voided = _row(off, V103, "hedgerow", "baseline", "off_site")
    assert voided.units is None and "Check data ▲" in voided.messages
    on = Site(on_site=Location(hedgerow=HedgerowRows(baseline=(row,))))
    assert _row(on, V103, "hedgerow", "baseline").units == _row(on, BASE, "hedgerow", "baseline").units


def test_1_0_3_makes_an_on_site_watercourse_trading_down_check_data() -> None:
    """C-3!Y12 compared five characters with the seven of "Error ▲" until 1.0.3 (quirk 19)."""
    site = Site(
        on_site=Location(
            watercourse=WatercourseRows(
                baseline=(WatercourseBaseline("1", "Other rivers and streams", 0.5, "Moderate", SS, enhanced_km=0.5),),
                enhancement=(WatercourseEnhancement("E1", "1", "Ditches", "Good", SS),),
            )
        )
    )
    old = _row(site, BASE, "watercourse", "enhancement")
    new = _row(site, V103, "watercourse", "enhancement")
    assert "Error Trading Down ▲" in old.messages and "Error Trading Down ▲" in new.messages
    assert "Check Data ⚠" not in old.messages and "Check Data ⚠" in new.messages
    assert new.units is None


def test_1_0_2_no_longer_wants_a_medium_off_site_hedgerow_replaced_like_for_like() -> None:
    """E-3!O12 refused "Medium - Medium" between different hedgerow types until 1.0.2."""
    srm = "This metric is being used by an off-site provider"
    site = Site(
        off_site=Location(
            hedgerow=HedgerowRows(
                baseline=(
                    HedgerowBaseline(
                        "1", "Ecologically valuable line of trees", 0.2, "Moderate", SS, 0.0, 0.2, "G", spatial_risk=srm
                    ),
                ),
                enhancement=(
                    HedgerowEnhancement(
                        "E1",
                        "1",
                        "Ecologically valuable line of trees - associated with bank or ditch",
                        "Good",
                        SS,
                        gain_site="G",
                    ),
                ),
            )
        ),
        gain_sites=(GainSite("G", srm),),
        project=Project(),
    )
    old = _row(site, BASE, "hedgerow", "enhancement", "off_site")
    assert "Error - Not like for like ▲" in old.messages
    assert "Error - Not like for like ▲" not in _row(site, V102, "hedgerow", "enhancement", "off_site").messages
