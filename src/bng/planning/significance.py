"""Significant on-site enhancements: each post-intervention parcel classified under an LPA's profile.

Profiles are rows of ``significance_profiles.csv``: which tests a profile uses and their
parameters. The tests:

* GOV.UK's five (source 002, the default): medium or higher distinctiveness; low
  distinctiveness creating many units relative to the pre-development value; distinctiveness
  raised; large in area relative to the development; condition raised to good. Retention is
  not an enhancement, so a retained parcel is never significant under them.
* Worcestershire (source 003): any medium or higher distinctiveness habitat, and any habitat
  created, enhanced or retained (retained included).
* Tendring: all major development; otherwise (its listed features not captured) GOV.UK's.
* Three tiers (after Northumberland): GOV.UK's tests decide significance; significant parcels
  of high distinctiveness or large size need a section 106 agreement, the rest a condition.

Significant parcels drive the HMMP, the legal agreement's schedule and monitoring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bng.metric import load

from .parcels import PostParcel
from .tables import SignificanceTestRow, tables

MEDIUM_OR_HIGHER = ("Medium", "High", "V.High")
HIGH_OR_HIGHER = ("High", "V.High")
NOT_SIGNIFICANT = "not significant"
SIGNIFICANT = "significant"
BY_CONDITION = "significant: secured by condition"
BY_S106 = "significant: secured by a section 106 agreement"


@dataclass(frozen=True, slots=True)
class TestResult:
    """One test of significance on a parcel: met, not met, or not known, and why."""

    test: str
    met: bool | None
    detail: str


@dataclass(frozen=True)
class Classified:
    """A post-intervention parcel classified: significant or not (None: undecided), its tier and the tests."""

    parcel: PostParcel
    significant: bool | None
    tier: str
    tests: tuple[TestResult, ...]

    def explanation(self) -> str:
        """Why the parcel is (or is not, or may be) significant, in words."""
        met = [t.detail for t in self.tests if t.met]
        if self.significant:
            return "; ".join(met)
        if self.significant is None:
            open_ = [t.detail for t in self.tests if t.met is None]
            return "undecided: " + "; ".join(open_)
        return "; ".join(t.detail for t in self.tests if t.met is False and t.detail) or "no test is met"

    def to_dict(self) -> dict[str, Any]:
        """The parcel and its classification as JSON."""
        return {
            **self.parcel.to_dict(),
            "significant": self.significant,
            "tier": self.tier,
            "explanation": self.explanation(),
            "tests": [{"test": t.test, "met": t.met, "detail": t.detail} for t in self.tests],
        }


@dataclass(frozen=True)
class SiteFacts:
    """What the tests compare a parcel with: the site's pre-development size and value, per module."""

    baseline: dict[str, tuple[float, float]]  # module -> (size, units)
    major: bool | None


Check = Callable[[PostParcel, SiteFacts, float | None], TestResult]
CONDITION_ORDER = ("Poor", "Fairly Poor", "Moderate", "Fairly Good", "Good")


def _creates(p: PostParcel) -> bool:
    return p.intervention in ("created", "enhanced")


def _medium_or_higher(p: PostParcel, s: SiteFacts, _: float | None) -> TestResult:
    if not _creates(p):
        return TestResult("medium_or_higher", False, "retention is not an enhancement (source 002)")
    met = p.band in MEDIUM_OR_HIGHER
    return TestResult("medium_or_higher", met, f"{p.intervention} habitat of {p.band} distinctiveness")


def _low_many_units(p: PostParcel, s: SiteFacts, share: float | None) -> TestResult:
    if not _creates(p) or p.band != "Low":
        return TestResult("low_many_units", False, "")
    _size, value = s.baseline.get(p.module, (0.0, 0.0))
    units = p.units or 0.0
    if value <= 0:
        return TestResult("low_many_units", units > 0, f"{units:.2f} units against a pre-development value of 0")
    ratio = units / value
    limit = share or 0.0
    return TestResult(
        "low_many_units",
        ratio >= limit,
        f"low distinctiveness, {units:.2f} units = {ratio:.0%} of the pre-development value "
        f"(significant from {limit:.0%})",
    )


def _distinctiveness_increased(p: PostParcel, s: SiteFacts, _: float | None) -> TestResult:
    if not _creates(p):
        return TestResult("distinctiveness_increased", False, "")
    if p.baseline_habitat is None:
        return TestResult(
            "distinctiveness_increased", None, "the habitat this created parcel replaces is not known (no map)"
        )
    rel = load()
    before = rel.area_habitat(p.baseline_habitat) if p.module == "area" else None
    if p.module == "hedgerow":
        t = rel.hedgerow_types.get(p.baseline_habitat)
        b_score, b_band = (t.score, t.band) if t else (None, None)
    elif p.module == "watercourse":
        w = rel.watercourse_types.get(p.baseline_habitat)
        b_score, b_band = (w.score, w.band) if w else (None, None)
    else:
        b_score, b_band = (before.score, before.band) if before else (None, None)
    if b_score is None or p.score is None:
        return TestResult("distinctiveness_increased", None, "a habitat the metric does not know")
    met = p.score > b_score
    return TestResult(
        "distinctiveness_increased", met, f"distinctiveness {b_band} before, {p.band} after ({p.baseline_habitat})"
    )


def _large_area(p: PostParcel, s: SiteFacts, share: float | None) -> TestResult:
    if not _creates(p):
        return TestResult("large_area", False, "")
    total, _units = s.baseline.get(p.module, (0.0, 0.0))
    if total <= 0:
        return TestResult("large_area", None, "the site's baseline size is not known")
    ratio = p.size / total
    limit = share or 0.0
    return TestResult(
        "large_area",
        ratio >= limit,
        f"{p.size:.4g} {p.unit} = {ratio:.0%} of the site's baseline {'area' if p.module == 'area' else 'length'} "
        f"(significant from {limit:.0%})",
    )


def _condition_to_good(p: PostParcel, s: SiteFacts, _: float | None) -> TestResult:
    if p.intervention != "enhanced" or p.baseline_condition is None:
        return TestResult("condition_to_good", False, "")
    before = CONDITION_ORDER.index(p.baseline_condition) if p.baseline_condition in CONDITION_ORDER else None
    met = p.condition == "Good" and before is not None and before < CONDITION_ORDER.index("Good")
    return TestResult("condition_to_good", met, f"condition {p.baseline_condition} → {p.condition}")


def _medium_or_higher_any(p: PostParcel, s: SiteFacts, _: float | None) -> TestResult:
    met = p.band in MEDIUM_OR_HIGHER
    return TestResult("medium_or_higher_any", met, f"{p.intervention} habitat of {p.band} distinctiveness")


def _any_provision(p: PostParcel, s: SiteFacts, _: float | None) -> TestResult:
    if p.score == 0:
        return TestResult("any_provision", False, f"{p.habitat}: distinctiveness score 0, nothing to manage")
    return TestResult("any_provision", True, f"habitat {p.intervention} on site (source 003: any type)")


def _major_development(p: PostParcel, s: SiteFacts, _: float | None) -> TestResult:
    if not _creates(p):
        return TestResult("major_development", False, "retention is not an enhancement")
    if s.major is None:
        return TestResult("major_development", None, "whether the development is major is not known")
    return TestResult(
        "major_development", s.major, "major development: every enhancement is significant" if s.major else ""
    )


GOVUK = ("medium_or_higher", "low_many_units", "distinctiveness_increased", "large_area", "condition_to_good")
CHECKS: dict[str, Check] = {
    "medium_or_higher": _medium_or_higher,
    "low_many_units": _low_many_units,
    "distinctiveness_increased": _distinctiveness_increased,
    "large_area": _large_area,
    "condition_to_good": _condition_to_good,
    "medium_or_higher_any": _medium_or_higher_any,
    "any_provision": _any_provision,
    "major_development": _major_development,
}
SPECIAL = ("govuk_tests", "s106_high_or_large")


def _govuk_rows() -> dict[str, SignificanceTestRow]:
    return {r.test: r for r in tables().significance["govuk"]}


def profile_names() -> dict[str, str]:
    """The significance profiles by code, with their names."""
    return {k: rows[0].name for k, rows in tables().significance.items()}


def classify(parcels: tuple[PostParcel, ...], profile: str, facts: SiteFacts) -> tuple[Classified, ...]:
    """Each parcel under the profile's tests (unknown profile: ValueError naming the known ones)."""
    rows = tables().significance.get(profile)
    if rows is None:
        raise ValueError(
            f"unknown significance profile {profile!r}; expected one of {', '.join(tables().significance)}"
        )
    govuk = _govuk_rows()
    tests: list[SignificanceTestRow] = []
    s106: SignificanceTestRow | None = None
    for r in rows:
        if r.test == "govuk_tests":
            tests += [govuk[t] for t in GOVUK]
        elif r.test == "s106_high_or_large":
            s106 = r
        elif r.test in CHECKS:
            tests.append(r)
        else:
            raise ValueError(f"significance profile {profile}: unknown test {r.test!r}")
    out: list[Classified] = []
    for p in parcels:
        if p.score == 0:
            nothing = TestResult(
                "no_value", False, f"{p.habitat}: distinctiveness score 0, no habitat to enhance or manage"
            )
            out.append(Classified(p, False, NOT_SIGNIFICANT, (nothing,)))
            continue
        results = tuple(CHECKS[t.test](p, facts, t.parameter) for t in tests)
        if any(t.met for t in results):
            significant: bool | None = True
        elif any(t.met is None for t in results):
            significant = None
        else:
            significant = False
        if not significant:
            tier = NOT_SIGNIFICANT if significant is False else "undecided"
        elif s106 is not None:
            big = p.band in HIGH_OR_HIGHER or (s106.parameter is not None and p.size >= s106.parameter)
            tier = BY_S106 if big else BY_CONDITION
        else:
            tier = SIGNIFICANT
        out.append(Classified(p, significant, tier, results))
    return tuple(out)
