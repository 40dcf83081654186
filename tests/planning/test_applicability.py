"""Does the biodiversity gain condition apply? Every exemption and every boundary the issue names, as a table.

Each case is an application's facts (as application.json gives them), the commencement of the
2026 reforms (None: not in force, the default), and what the rules must say: whether the
condition applies, and which rules apply. ``test_cli_agrees`` runs the same table through
``bng planning applicability`` so the command and the rules cannot drift apart.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bng.cli import app as cli
from bng.planning import applicability, parse_application, parse_commencements
from bng.planning.config import DEFAULT, PlanningConfig
from bng.planning.exemptions import TESTS, check_tests_match_table
from bng.planning.tables import tables

PHASE_1 = date(2026, 7, 31)
ON = "2026-phase-1=2026-07-31"

# a full application for 30 dwellings on 2 ha, made after both start dates, nothing impacted stated
MAJOR: dict[str, Any] = {
    "application_type": "full",
    "application_date": "2025-03-03",
    "residential": True,
    "dwellings": 30,
    "site_area_ha": 2.0,
    "floorspace_m2": 2500,
    "impacted_area_m2": 4000,
    "impacted_length_m": 60,
    "priority_habitat_impacted": False,
}
# a minor one: 4 dwellings on 0.3 ha
MINOR: dict[str, Any] = {**MAJOR, "dwellings": 4, "site_area_ha": 0.3, "floorspace_m2": 400}


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


# id, facts, commencement (None or "name=date"), condition applies, rules that apply
CASES: list[tuple[str, dict[str, Any], str | None, bool | None, set[str]]] = [
    ("major, after both dates: condition applies", MAJOR, None, True, set()),
    # transitional: 12 February 2024 (major) and 2 April 2024 (small)
    ("major made 11 Feb 2024", with_(MAJOR, application_date="2024-02-11"), None, False, {"pre-commencement"}),
    ("major made 12 Feb 2024", with_(MAJOR, application_date="2024-02-12"), None, True, set()),
    ("small made 1 Apr 2024", with_(MINOR, application_date="2024-04-01"), None, False, {"small-sites"}),
    ("small made 2 Apr 2024", with_(MINOR, application_date="2024-04-02"), None, True, set()),
    ("major made 1 Apr 2024", with_(MAJOR, application_date="2024-04-01"), None, True, set()),
    (
        "small made 2 Apr 2024, permission had effect 1 Apr 2024",
        with_(MINOR, application_date="2024-04-02", permission_date="2024-04-01"),
        None,
        False,
        {"small-sites"},
    ),
    (
        "small made 11 Feb 2024: both",
        with_(MINOR, application_date="2024-02-11"),
        None,
        False,
        {"pre-commencement", "small-sites"},
    ),
    # section 73 chains: the original application's dates decide
    (
        "s73 of a pre-Feb-2024 major",
        with_(MAJOR, application_type="s73", original_application_date="2023-12-01"),
        None,
        False,
        {"pre-commencement"},
    ),
    (
        "s73 of a post-Feb-2024 major",
        with_(MAJOR, application_type="s73", original_application_date="2024-03-01"),
        None,
        True,
        set(),
    ),
    (
        "s73 of a small one made 1 Apr 2024",
        with_(MINOR, application_type="s73", application_date="2025-06-01", original_application_date="2024-04-01"),
        None,
        False,
        {"small-sites"},
    ),
    (
        "s73 of a small one made 2 Apr 2024",
        with_(MINOR, application_type="s73", application_date="2025-06-01", original_application_date="2024-04-02"),
        None,
        True,
        set(),
    ),
    # DMPO major development boundaries (small sites before 2 April 2024 turn on them)
    ("9 dwellings, small", with_(MINOR, application_date="2024-03-01", dwellings=9), None, False, {"small-sites"}),
    ("10 dwellings, major", with_(MINOR, application_date="2024-03-01", dwellings=10), None, True, set()),
    (
        "999 m² floorspace, small",
        with_(
            MINOR, application_date="2024-03-01", residential=False, dwellings=None, floorspace_m2=999, site_area_ha=0.9
        ),
        None,
        False,
        {"small-sites"},
    ),
    (
        "1,000 m² floorspace, major",
        with_(
            MINOR,
            application_date="2024-03-01",
            residential=False,
            dwellings=None,
            floorspace_m2=1000,
            site_area_ha=0.9,
        ),
        None,
        True,
        set(),
    ),
    (
        "0.99 ha site, small",
        with_(MINOR, application_date="2024-03-01", site_area_ha=0.99),
        None,
        False,
        {"small-sites"},
    ),
    ("1 ha site, major", with_(MINOR, application_date="2024-03-01", site_area_ha=1.0), None, True, set()),
    (
        "dwellings unknown on 0.49 ha, small",
        with_(MINOR, application_type="outline", application_date="2024-03-01", dwellings=None, site_area_ha=0.49),
        None,
        False,
        {"small-sites"},
    ),
    (
        "dwellings unknown on 0.5 ha, major",
        with_(MINOR, application_type="outline", application_date="2024-03-01", dwellings=None, site_area_ha=0.5),
        None,
        True,
        set(),
    ),
    (
        "1.5 ha warehouse of 800 m²: major (source 004's 'or' would say small)",
        with_(
            MINOR, application_date="2024-03-01", residential=False, dwellings=None, floorspace_m2=800, site_area_ha=1.5
        ),
        None,
        True,
        set(),
    ),
    # de minimis: less than 25 m² AND less than 5 m AND no priority habitat
    ("24.9 m² and 4.9 m", with_(MAJOR, impacted_area_m2=24.9, impacted_length_m=4.9), None, False, {"de-minimis"}),
    ("25 m²", with_(MAJOR, impacted_area_m2=25, impacted_length_m=0), None, True, set()),
    ("5 m", with_(MAJOR, impacted_area_m2=0, impacted_length_m=5), None, True, set()),
    (
        "24.9 m² of priority habitat",
        with_(MAJOR, impacted_area_m2=24.9, impacted_length_m=0, priority_habitat_impacted=True),
        None,
        True,
        set(),
    ),
    # the other exemptions
    ("householder", with_(MAJOR, application_type="householder"), None, False, {"householder"}),
    (
        "self-build: 9 dwellings on 0.5 ha",
        with_(MINOR, self_build_custom_build=True, dwellings=9, site_area_ha=0.5),
        None,
        False,
        {"self-build"},
    ),
    (
        "self-build: 10 dwellings",
        with_(MINOR, self_build_custom_build=True, dwellings=10, site_area_ha=0.5),
        None,
        True,
        set(),
    ),
    (
        "self-build: 0.51 ha",
        with_(MINOR, self_build_custom_build=True, dwellings=9, site_area_ha=0.51),
        None,
        True,
        set(),
    ),
    (
        "not exclusively self-build",
        with_(MINOR, self_build_custom_build=False, dwellings=2, site_area_ha=0.2),
        None,
        True,
        set(),
    ),
    ("biodiversity gain site", with_(MAJOR, gain_site_development=True), None, False, {"gain-site"}),
    ("HS2", with_(MAJOR, application_type="hs2"), None, False, {"hs2"}),
    ("HS2 flag on a full application", with_(MAJOR, hs2=True), None, False, {"hs2"}),
    (
        "permitted development",
        with_(MAJOR, application_type="permitted-development"),
        None,
        False,
        {"development-order"},
    ),
    ("prior approval", with_(MAJOR, application_type="prior-approval"), None, False, {"development-order"}),
    ("urgent Crown development", with_(MAJOR, application_type="crown-urgent"), None, False, {"urgent-crown"}),
    ("retrospective (s.73A)", with_(MAJOR, application_type="s73a"), None, False, {"retrospective"}),
    ("reserved matters", with_(MAJOR, application_type="reserved-matters"), None, False, {"not-a-permission"}),
    (
        "permission in principle",
        with_(MAJOR, application_type="permission-in-principle"),
        None,
        False,
        {"not-a-permission"},
    ),
    # 2026 reforms: 0.2 ha exemption, self-build removed, temporary up to 5 years; off by default
    ("0.2 ha, reform off", with_(MINOR, site_area_ha=0.2, application_date="2026-08-03"), None, True, set()),
    (
        "0.2 ha, reform on",
        with_(MINOR, site_area_ha=0.2, application_date="2026-08-03"),
        ON,
        False,
        {"small-site-area"},
    ),
    ("0.21 ha, reform on", with_(MINOR, site_area_ha=0.21, application_date="2026-08-03"), ON, True, set()),
    (
        "0.2 ha, reform on, made before it commenced",
        with_(MINOR, site_area_ha=0.2, application_date="2026-07-30"),
        ON,
        True,
        set(),
    ),
    (
        "0.2 ha, reform on, priority habitat impacted",
        with_(MINOR, site_area_ha=0.2, application_date="2026-08-03", priority_habitat_impacted=True),
        ON,
        True,
        set(),
    ),
    (
        "self-build, reform off",
        with_(MINOR, self_build_custom_build=True, dwellings=3, site_area_ha=0.4, application_date="2026-08-03"),
        None,
        False,
        {"self-build"},
    ),
    (
        "self-build, reform on: removed",
        with_(MINOR, self_build_custom_build=True, dwellings=3, site_area_ha=0.4, application_date="2026-08-03"),
        ON,
        True,
        set(),
    ),
    (
        "self-build, reform on, made before it commenced",
        with_(MINOR, self_build_custom_build=True, dwellings=3, site_area_ha=0.4, application_date="2026-07-30"),
        ON,
        False,
        {"self-build"},
    ),
    (
        "temporary 5 years, reform off",
        with_(MAJOR, temporary_years=5, application_date="2026-08-03"),
        None,
        True,
        set(),
    ),
    (
        "temporary 5 years, reform on",
        with_(MAJOR, temporary_years=5, application_date="2026-08-03"),
        ON,
        False,
        {"temporary"},
    ),
    ("temporary 6 years, reform on", with_(MAJOR, temporary_years=6, application_date="2026-08-03"), ON, True, set()),
    # not enough facts: undecided, naming what is missing
    ("no application date", with_(MAJOR, application_date=None), None, None, set()),
    (
        "de minimis facts missing",
        with_(MAJOR, impacted_area_m2=None, impacted_length_m=None, priority_habitat_impacted=None),
        None,
        None,
        set(),
    ),
]


def config_of(text: str | None) -> PlanningConfig:
    return DEFAULT if text is None else parse_commencements(text)


@pytest.mark.parametrize(
    ("facts", "commencement", "applies", "codes"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rules(facts: dict[str, Any], commencement: str | None, applies: bool | None, codes: set[str]) -> None:
    app, issues = parse_application({k: v for k, v in facts.items() if v is not None})
    assert issues == []
    result = applicability(app, config=config_of(commencement))
    assert result.condition_applies is applies, result.to_dict()
    assert {o.rule.code for o in result.exemptions} == codes
    if applies is None:
        assert result.missing, "an undecided result names the facts it needs"
    for o in result.exemptions:
        assert o.why and o.rule.legal_source and o.rule.evidence  # the law's words and the evidence asked


def test_the_2026_rules_are_not_in_force_by_default() -> None:
    app, _ = parse_application(with_(MINOR, site_area_ha=0.1, temporary_years=1, application_date="2030-01-01"))
    result = applicability(app)
    outcomes = {o.rule.code: o.outcome for o in result.considered}
    assert outcomes["small-site-area"] == "not in force" and outcomes["temporary"] == "not in force"
    assert outcomes["self-build"] != "not in force"


def test_less_than_0_2_ha_reading_is_a_table_change() -> None:
    """The SI's comparator is not known ("0.2 ha or below" vs "less than 0.2 ha"): it is data, not code."""
    t = tables()
    param = t.parameters["small_site_area_inclusive"]
    assert param.value == "yes" and param.marker == "U"


def test_every_rule_has_a_test_a_source_and_dates() -> None:
    check_tests_match_table()
    for rule in tables().exemption_rules:
        assert rule.legal_source and rule.test and rule.evidence and rule.marker in "VTU", rule.code
        assert rule.code in TESTS


def test_mhclg_codes_are_the_codelist() -> None:
    t = tables()
    used = {r.mhclg_code for r in t.exemption_rules if r.mhclg_code}
    assert used == set(t.mhclg_exemption_types)  # every codelist entry is reachable, none invented


def test_stated_facts_that_are_not_numbers_are_named() -> None:
    app, issues = parse_application({"application_type": "villa", "dwellings": "nine", "application_date": "1/4/24"})
    assert {i.field for i in issues} == {"application_type", "dwellings", "application_date"}
    assert app.application_type == "full"


runner = CliRunner()


@pytest.mark.parametrize(
    ("facts", "commencement", "applies", "codes"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_cli_agrees(
    tmp_path: Path, facts: dict[str, Any], commencement: str | None, applies: bool | None, codes: set[str]
) -> None:
    path = tmp_path / "application.json"
    path.write_text(json.dumps({k: v for k, v in facts.items() if v is not None}))
    args = ["planning", "applicability", str(path), "--json"]
    if commencement:
        args += ["--commencement", commencement]
    result = runner.invoke(cli, args)
    doc = json.loads(result.output)
    assert doc["condition_applies"] is applies
    assert {e["code"] for e in doc["exemptions"]} == codes
    assert result.exit_code == {True: 0, False: 0, None: 1}[applies]
