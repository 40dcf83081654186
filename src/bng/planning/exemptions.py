"""Does the biodiversity gain condition apply? Every rule of ``exemption_rules.csv``, judged.

Each row of the table is one rule with its legal source and its dates; the test it applies is
the function of the same code below (the table is checked against them on first use, so a
row without a test, or a test without a row, is an error, never a silent gap). A rule is in
force when the application was made on or after its ``effective_from`` and before its
``effective_to``; a date written ``commencement:NAME`` is in force only once the
configuration gives NAME a date (none does by default: the 2026 reforms are not law yet).

The result says, for every rule, whether it applies, does not apply, is not in force, or
cannot be decided (and which facts are missing), and for those that apply the law's words and
the evidence the LPA needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from .application import APPLICATION_TYPES, Application
from .config import DEFAULT, PlanningConfig
from .habitats import Impact
from .major import MajorDecision, major_development
from .tables import ExemptionRule, Tables, tables

Outcome = Literal["applies", "does not apply", "not in force", "cannot decide"]


@dataclass(frozen=True, slots=True)
class ImpactFacts:
    """The de minimis inputs: stated on the application, or measured from the metric."""

    area_m2: float | None
    length_m: float | None
    priority_impacted: bool | None
    source: str  # "metric", "application" or "" (none given)


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """One exemption or transitional rule, and whether it applies, does not, or cannot be decided (and why)."""

    rule: ExemptionRule
    outcome: Outcome
    why: str
    missing: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The outcome as JSON, naming the rule and its legal source."""
        r = self.rule
        return {
            "code": r.code,
            "title": r.title,
            "outcome": self.outcome,
            "why": self.why,
            "missing": list(self.missing),
            "mhclg_exemption_type": r.mhclg_code or None,
            "legal_source": r.legal_source,
            "test": r.test,
            "evidence": r.evidence,
            "effective_from": str(r.effective_from) if r.effective_from else None,
            "effective_to": str(r.effective_to) if r.effective_to else None,
            "marker": r.marker,
            "source_url": r.source_url,
        }


@dataclass(frozen=True)
class Applicability:
    """Whether the biodiversity gain condition applies to an application, with every rule considered."""

    application: Application
    condition_applies: bool | None
    considered: tuple[RuleOutcome, ...]
    major: MajorDecision
    impact: ImpactFacts
    notes: tuple[str, ...] = ()
    commencements: dict[str, str] = field(default_factory=dict)

    @property
    def exemptions(self) -> tuple[RuleOutcome, ...]:
        """The rules that apply: each takes the condition away."""
        return tuple(o for o in self.considered if o.outcome == "applies")

    @property
    def undecided(self) -> tuple[RuleOutcome, ...]:
        """The rules that cannot be decided from the facts given."""
        return tuple(o for o in self.considered if o.outcome == "cannot decide")

    @property
    def missing(self) -> tuple[str, ...]:
        """The facts asked for to decide them, each once."""
        return tuple(dict.fromkeys(m for o in self.undecided for m in o.missing))

    def verdict(self) -> str:
        """The answer in one sentence."""
        if self.condition_applies:
            return "The biodiversity gain condition applies: no exemption or transitional rule takes it away."
        if self.condition_applies is False:
            names = "; ".join(o.rule.title for o in self.exemptions)
            return f"The biodiversity gain condition does not apply: {names}."
        return "Not decided: " + "; ".join(self.missing) + " must be given."

    def to_dict(self) -> dict[str, Any]:
        """The answer as JSON (``bng planning applicability --json``)."""
        return {
            "reference": self.application.reference,
            "application_type": self.application.application_type,
            "condition_applies": self.condition_applies,
            "verdict": self.verdict(),
            "exemptions": [o.to_dict() for o in self.exemptions],
            "missing": list(self.missing),
            "major_development": self.major.major,
            "major_development_reasons": list(self.major.reasons),
            "impact": {
                "area_m2": self.impact.area_m2,
                "length_m": self.impact.length_m,
                "priority_habitat_impacted": self.impact.priority_impacted,
                "source": self.impact.source or None,
            },
            "rules": [o.to_dict() for o in self.considered],
            "notes": list(self.notes),
            "commencements": self.commencements,
        }


Test = Callable[[Application, "_Context"], tuple[Outcome, str, tuple[str, ...]]]


@dataclass(frozen=True)
class _Context:
    t: Tables
    major: MajorDecision
    impact: ImpactFacts
    config: PlanningConfig


def long_date(d: date | None) -> str:
    """1 April 2024: the way the law and the guidance write dates."""
    return "an unknown date" if d is None else f"{d.day} {d:%B %Y}"


def _area(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _not_a_permission(app: Application, c: _Context) -> tuple[Outcome, str, tuple[str, ...]]:
    if app.application_type == "reserved-matters":
        return "applies", "an approval of reserved matters: the condition sits on the outline permission", ()
    if app.application_type == "permission-in-principle":
        return "applies", "permission in principle: the condition attaches to the technical details consent", ()
    return (
        "does not apply",
        f"a {APPLICATION_TYPES[app.application_type].lower()} is a grant of planning permission",
        (),
    )


def _of_type(kind: tuple[str, ...], yes: str) -> Test:
    def test(app: Application, c: _Context) -> tuple[Outcome, str, tuple[str, ...]]:
        if app.application_type in kind:
            return "applies", yes, ()
        return "does not apply", f"the application is a {APPLICATION_TYPES[app.application_type].lower()}", ()

    return test


def _flag(name: str, yes: str, no: str) -> Test:
    def test(app: Application, c: _Context) -> tuple[Outcome, str, tuple[str, ...]]:
        return ("applies", yes, ()) if getattr(app, name) else ("does not apply", no, ())

    return test


def _pre_commencement(app: Application, c: _Context) -> tuple[Outcome, str, tuple[str, ...]]:
    start = c.t.day("commencement_major")
    made = app.chain_application_date()
    what = "the original application (first in the section 73 chain)" if app.is_s73 else "the application"
    if made is None:
        need = "original_application_date" if app.is_s73 else "application_date"
        return "cannot decide", f"the date {what} was made is not given", (need,)
    if made < start:
        return "applies", f"{what} was made on {long_date(made)}, before {long_date(start)}", ()
    return "does not apply", f"{what} was made on {long_date(made)}, on or after {long_date(start)}", ()


def _small_sites(app: Application, c: _Context) -> tuple[Outcome, str, tuple[str, ...]]:
    start = c.t.day("commencement_small")
    made, granted = app.chain_application_date(), app.chain_permission_date()
    chain = " (of the original permission in the section 73 chain)" if app.is_s73 else ""
    if made is None and granted is None:
        return (
            "cannot decide",
            "neither the application date nor the permission date is given",
            ("original_application_date" if app.is_s73 else "application_date",),
        )
    early_made = made is not None and made < start
    early_granted = granted is not None and granted < start
    if not (early_made or early_granted):
        when = f"made on {long_date(made)}" if made else f"permission having effect on {long_date(granted)}"
        return "does not apply", f"application{chain} {when}, not before {long_date(start)}", ()
    if c.major.major is None:
        return (
            "cannot decide",
            "made before 2 April 2024, but whether it is major development is not known",
            c.major.missing,
        )
    if c.major.major:
        return "does not apply", "major development: " + "; ".join(c.major.reasons), ()
    when = f"made on {long_date(made)}" if early_made else f"permission having effect on {long_date(granted)}"
    return "applies", f"small (non-major) development, application{chain} {when}, before {long_date(start)}", ()


def _de_minimis(app: Application, c: _Context) -> tuple[Outcome, str, tuple[str, ...]]:
    im = c.impact
    area_max, length_max = c.t.number("de_minimis_area_m2"), c.t.number("de_minimis_length_m")
    src = {"metric": " (measured from the metric)", "application": " (as stated)"}.get(im.source, "")
    if im.priority_impacted:
        return "does not apply", f"onsite priority habitat is impacted{src}", ()
    fails = []
    if im.area_m2 is not None and im.area_m2 >= area_max:
        fails.append(f"{_area(im.area_m2)} m² of onsite habitat impacted (not less than {_area(area_max)} m²)")
    if im.length_m is not None and im.length_m >= length_max:
        fails.append(f"{_area(im.length_m)} m of onsite linear habitat impacted (not less than {_area(length_max)} m)")
    if fails:
        return "does not apply", "; ".join(fails) + src, ()
    missing = []
    if im.area_m2 is None:
        missing.append("impacted_area_m2 (or a metric)")
    if im.length_m is None:
        missing.append("impacted_length_m (or a metric)")
    if im.priority_impacted is None:
        missing.append("priority_habitat_impacted (or a metric)")
    if missing:
        return "cannot decide", "the habitat impacted is not known", tuple(missing)
    assert im.area_m2 is not None and im.length_m is not None
    return (
        "applies",
        f"no onsite priority habitat impacted; {_area(im.area_m2)} m² of onsite habitat "
        f"(less than {_area(area_max)} m²) and {_area(im.length_m)} m of linear habitat "
        f"(less than {_area(length_max)} m) impacted{src}",
        (),
    )


def _self_build(app: Application, c: _Context) -> tuple[Outcome, str, tuple[str, ...]]:
    if not app.self_build_custom_build:
        return "does not apply", "the development is not exclusively self-build or custom housebuilding", ()
    most, site_max = int(c.t.number("self_build_max_dwellings")), c.t.number("self_build_max_site_ha")
    missing = tuple(n for n, v in (("dwellings", app.dwellings), ("site_area_ha", app.site_area_ha)) if v is None)
    if missing:
        return "cannot decide", "self-build or custom housebuilding, but the size is not known", missing
    assert app.dwellings is not None and app.site_area_ha is not None
    fails = []
    if app.dwellings > most:
        fails.append(f"{app.dwellings} dwellings (no more than {most} allowed)")
    if app.site_area_ha > site_max:
        fails.append(f"a site of {_area(app.site_area_ha)} ha (no larger than {_area(site_max)} ha allowed)")
    if fails:
        return "does not apply", "; ".join(fails), ()
    return (
        "applies",
        f"exclusively self-build or custom housebuilding: {app.dwellings} dwelling(s) on {_area(app.site_area_ha)} ha",
        (),
    )


def _small_site_area(app: Application, c: _Context) -> tuple[Outcome, str, tuple[str, ...]]:
    limit = c.t.number("small_site_area_max_ha")
    inclusive = c.t.parameters["small_site_area_inclusive"].value == "yes"
    if app.site_area_ha is None:
        return "cannot decide", "the site area within the red line is not given", ("site_area_ha",)
    within = app.site_area_ha <= limit if inclusive else app.site_area_ha < limit
    words = "or less" if inclusive else "less than"
    if not within:
        beyond = f"larger than {_area(limit)} ha" if inclusive else f"not less than {_area(limit)} ha"
        return "does not apply", f"a site of {_area(app.site_area_ha)} ha is {beyond}", ()
    if c.impact.priority_impacted:
        return "does not apply", "onsite priority habitat is impacted", ()
    if c.impact.priority_impacted is None:
        return (
            "cannot decide",
            f"a site of {_area(app.site_area_ha)} ha, but whether priority habitat is impacted is not known",
            ("priority_habitat_impacted (or a metric)",),
        )
    return (
        "applies",
        f"a site of {_area(app.site_area_ha)} ha ({_area(limit)} ha {words}); no onsite priority habitat impacted",
        (),
    )


def _temporary(app: Application, c: _Context) -> tuple[Outcome, str, tuple[str, ...]]:
    most = c.t.number("temporary_max_years")
    if app.temporary_years is None:
        return "does not apply", "the permission is not temporary", ()
    if app.temporary_years <= most:
        return "applies", f"the whole development is temporary, for {_area(app.temporary_years)} years", ()
    return "does not apply", f"temporary for {_area(app.temporary_years)} years (more than {_area(most)})", ()


TESTS: dict[str, Test] = {
    "not-a-permission": _not_a_permission,
    "development-order": _of_type(
        ("permitted-development", "prior-approval"),
        "permission granted by a development order (or a prior approval under one)",
    ),
    "urgent-crown": _of_type(("crown-urgent",), "urgent Crown development under section 293A"),
    "pre-commencement": _pre_commencement,
    "small-sites": _small_sites,
    "de-minimis": _de_minimis,
    "householder": _of_type(("householder",), "a householder application (DMPO 2015 art 2(1))"),
    "hs2": _flag("hs2", "the development forms part of, or is ancillary to, HS2", "not HS2 development"),
    "gain-site": _flag(
        "gain_site_development",
        "the development is solely or mainly to fulfil another development's biodiversity gain condition",
        "not development for a biodiversity gain site",
    ),
    "self-build": _self_build,
    "retrospective": _of_type(("s73a",), "a retrospective permission under section 73A"),
    "small-site-area": _small_site_area,
    "temporary": _temporary,
}


def check_tests_match_table(t: Tables | None = None) -> None:
    """Every table row has a test and every test a row (called on first use; tests call it too)."""
    codes = {r.code for r in (t or tables()).exemption_rules}
    if codes != set(TESTS):
        raise ValueError(
            "exemption_rules.csv and the rule tests differ: "
            f"rows without a test {sorted(codes - set(TESTS))}, tests without a row {sorted(set(TESTS) - codes)}"
        )


def _in_force(rule: ExemptionRule, on: date | None, config: PlanningConfig) -> tuple[bool | None, str]:
    """Whether a rule is in force for an application made on ``on`` (None: cannot tell)."""
    start = config.resolve(rule.effective_from)
    if rule.effective_from is not None and start is None:
        return False, f"not in force: it starts on {rule.effective_from}, which has no date yet"
    end = config.resolve(rule.effective_to)
    if on is None:
        if (start is not None and start > date(2024, 2, 12)) or end is not None:
            return None, "the application date is needed to know whether this rule was in force"
        return True, ""
    if start is not None and on < start:
        return False, f"not in force for an application made on {long_date(on)} (in force from {long_date(start)})"
    if end is not None and on >= end:
        return False, f"no longer in force for an application made on {long_date(on)} (ended {long_date(end)})"
    return True, ""


def impact_facts(app: Application, impact: Impact | None) -> tuple[ImpactFacts, list[str]]:
    """The de minimis inputs: the metric's when there is one (stated figures are then compared)."""
    notes: list[str] = []
    if impact is None:
        if app.impacted_area_m2 is None and app.impacted_length_m is None and app.priority_habitat_impacted is None:
            return ImpactFacts(None, None, None, ""), notes
        return ImpactFacts(
            app.impacted_area_m2, app.impacted_length_m, app.priority_habitat_impacted, "application"
        ), notes
    facts = ImpactFacts(impact.area_m2, impact.length_m, impact.priority_impacted, "metric")
    if app.impacted_area_m2 is not None and abs(app.impacted_area_m2 - impact.area_m2) > 0.5:
        notes.append(
            f"the application states {_area(app.impacted_area_m2)} m² of habitat impacted; the metric shows "
            f"{_area(impact.area_m2)} m² (the metric's figure is used)"
        )
    if app.impacted_length_m is not None and abs(app.impacted_length_m - impact.length_m) > 0.05:
        notes.append(
            f"the application states {_area(app.impacted_length_m)} m of linear habitat impacted; the metric shows "
            f"{_area(impact.length_m)} m (the metric's figure is used)"
        )
    if app.priority_habitat_impacted is False and impact.priority_impacted:
        names = ", ".join(f"{p.ref} ({p.habitat})" for p in impact.parcels if p.priority)
        notes.append(
            f"the application states no priority habitat is impacted, but the metric shows the loss of {names}"
        )
    if impact.zero_value_area_m2 > 0:
        notes.append(
            f"{_area(impact.zero_value_area_m2)} m² of zero-value surfaces (distinctiveness score 0) lost: "
            "they do not count towards the de minimis area"
        )
    return facts, notes


def applicability(app: Application, impact: Impact | None = None, config: PlanningConfig = DEFAULT) -> Applicability:
    """Judge every rule of the table for an application (``impact``: measured from its metric, if any)."""
    t = tables()
    check_tests_match_table(t)
    major = major_development(app)
    facts, notes = impact_facts(app, impact)
    ctx = _Context(t, major, facts, config)
    considered: list[RuleOutcome] = []
    for rule in t.exemption_rules:
        in_force, why_not = _in_force(rule, app.application_date, config)
        if in_force is False:
            considered.append(RuleOutcome(rule, "not in force", why_not))
            continue
        outcome, why, missing = TESTS[rule.code](app, ctx)
        if in_force is None and outcome == "applies":
            considered.append(RuleOutcome(rule, "cannot decide", why + "; " + why_not, ("application_date",)))
            continue
        considered.append(RuleOutcome(rule, outcome, why, missing))
    applies = [o for o in considered if o.outcome == "applies"]
    undecided = [o for o in considered if o.outcome == "cannot decide"]
    condition: bool | None = False if applies else (None if undecided else True)
    claimed = {c.strip().lower() for c in app.exemptions_claimed}
    found = {o.rule.code for o in applies} | {o.rule.mhclg_code for o in applies if o.rule.mhclg_code}
    for c in sorted(claimed - found):
        notes.append(f"the applicant claims the {c!r} exemption, which the facts given do not support")
    if app.is_s73:
        notes.append(
            "section 73: the permission cannot disapply the condition (TCPA s.73(2B)); where a gain plan was approved "
            "for the original permission and the new conditions do not change the post-development value of the "
            "onsite habitat, that plan is regarded as approved (s.73(2C)-(2D))"
        )
    if app.condition_applies is not None and condition is not None and app.condition_applies != condition:
        said = "applies" if app.condition_applies else "does not apply"
        notes.append(f"the applicant states the condition {said}; the rules say otherwise")
    return Applicability(
        app,
        condition,
        tuple(considered),
        major,
        facts,
        tuple(notes),
        {k: v.isoformat() for k, v in config.commencements.items()},
    )
