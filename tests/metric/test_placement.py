"""Enhancement rows are placed after the baseline rows they name, as the workbook places them."""

from __future__ import annotations

from bng.metric import calculate, parse_site


def _gain_site(name: str, proposed_condition: str) -> dict[str, object]:
    return {
        "gain_site": name,
        "spatial_risk": "Within LPA or NCA",
        "area": {
            "baseline": [
                {
                    "ref": "B1",
                    "habitat": "Grassland - Modified grassland",
                    "area_ha": 2.0,
                    "condition": "Poor",
                    "strategic_significance": "Low",
                    "enhanced_ha": 2.0,
                },
            ],
            "enhancement": [
                {
                    "ref": "E1",
                    "baseline_ref": "B1",
                    "habitat": "Grassland - Other neutral grassland",
                    "condition": proposed_condition,
                    "strategic_significance": "Low",
                },
            ],
        },
    }


def test_same_baseline_refs_at_two_gain_sites_are_kept_apart() -> None:
    site, issues = parse_site({"off_site": [_gain_site("BGS-1", "Poor"), _gain_site("BGS-2", "Moderate")]})
    assert not issues
    result = calculate(site)
    assert not result.issues
    enh = {r.gain_site: r.units for r in result.rows if r.stage == "enhancement"}
    assert enh["BGS-1"] is not None and enh["BGS-2"] is not None
    assert enh["BGS-2"] > enh["BGS-1"]  # Moderate is the better proposal
    by_site = {g.gain_site: g.enhanced_units for g in result.gain_sites if g.module == "area"}
    assert by_site == enh


def test_an_enhancement_row_without_a_baseline_is_reported() -> None:
    data = {
        "on_site": {
            "area": {
                "baseline": [
                    {
                        "ref": "B1",
                        "habitat": "Grassland - Modified grassland",
                        "area_ha": 1.0,
                        "condition": "Poor",
                        "strategic_significance": "Low",
                    }
                ],
                "enhancement": [
                    {
                        "ref": "E1",
                        "baseline_ref": "B1",
                        "habitat": "Grassland - Other neutral grassland",
                        "condition": "Good",
                        "strategic_significance": "Low",
                    }
                ],
            }
        }
    }
    site, _ = parse_site(data)
    result = calculate(site)
    assert [i.code for i in result.issues] == ["ENHANCEMENT_WITHOUT_BASELINE"]
    row = next(r for r in result.rows if r.stage == "enhancement")
    assert row.units is None and row.codes == ("ENHANCEMENT_WITHOUT_BASELINE",)
