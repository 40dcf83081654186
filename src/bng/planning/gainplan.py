"""The biodiversity gain plan as data: its statutory contents, in the order of DEFRA's template.

Sch 7A para 14(2): steps to minimise adverse effects; the pre-development value; the
post-development value; registered off-site gains allocated and their value in relation to the
development; credits purchased. SI 2024/48 adds irreplaceable habitat and its bespoke
compensation; the PPG and LPAs add the submission details, the hierarchy, 30-year
arrangements and the habitat plans. ``gain_plan_contents.csv`` holds the order (DEFRA's Feb
2024 template as walked through by third parties: its literal question numbering was not
found).

The JSON form (:meth:`GainPlan.to_dict`, schema ``bng/gain-plan/1``) is what monitoring
(issue 12) reads: each significant parcel has a stable ``key`` (module:intervention:ref),
its target habitat and condition, size, units and years to target, and its securing tier;
a phased development has an overall plan with one value per phase and a plan per phase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bng.metric import UNIT_NAMES, Result, Site

from .application import Application
from .habitats import IrreplaceableFound
from .hierarchy import HierarchyReview
from .significance import Classified
from .tables import Heading, tables

SCHEMA = "bng/gain-plan/1"
MODULES = ("area", "hedgerow", "watercourse")


def tier_module(tier: str) -> str:
    """The module a statutory credit tier buys for: A1-A5 area, H hedgerow, W watercourse."""
    return {"H": "hedgerow", "W": "watercourse"}.get(tier, "area")


@dataclass(frozen=True, slots=True)
class MetricRef:
    """The metric a gain plan rests on: its file, digest, release and the publication date of that release."""

    file: str
    sha256: str
    release: str
    title: str
    publication_date: date | None = None


@dataclass(frozen=True, slots=True)
class ModuleValues:
    """One module's figures in the gain plan: before, after, off-site gains and credits, against the target."""

    module: str
    pre_development: float
    post_development: float  # on-site
    offsite_change: float  # registered off-site gains, after the spatial risk multiplier
    credits_units: float  # statutory credits bought, as units (2 credits a unit)
    target_percent: float
    trading_satisfied: bool | None

    @property
    def gain_needed(self) -> float:
        """The gain the target asks for, in units."""
        return self.pre_development * self.target_percent / 100.0

    @property
    def achieved(self) -> float:
        """The gain achieved: on-site change, registered off-site gains and statutory credits."""
        return self.post_development - self.pre_development + self.offsite_change + self.credits_units

    @property
    def objective_met(self) -> bool:
        """Whether the gain achieved meets the target (to rounding)."""
        return self.achieved >= self.gain_needed - 1e-9

    @property
    def percent(self) -> float | None:
        """The gain achieved as a percentage of the pre-development value (None when that is nothing)."""
        return None if self.pre_development <= 0 else 100.0 * self.achieved / self.pre_development

    def to_dict(self) -> dict[str, Any]:
        """The module's figures as JSON."""
        return {
            "module": self.module,
            "unit": UNIT_NAMES[self.module],
            "pre_development": self.pre_development,
            "post_development_onsite": self.post_development,
            "registered_offsite_change": self.offsite_change,
            "credits_as_units": self.credits_units,
            "net_change": self.achieved,
            "net_change_percent": self.percent,
            "target_percent": self.target_percent,
            "objective_met": self.objective_met,
            "trading_rules_satisfied": self.trading_satisfied,
        }


@dataclass(frozen=True, slots=True)
class Allocated:
    """A registered off-site gain allocated to the development (as the register records it)."""

    reference: str
    gain_site: str
    units: dict[str, float]  # module -> units allocated
    verified: bool | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Purchased:
    """Statutory credits bought for the development (as the proof of purchase records them)."""

    reference: str
    credits: dict[str, float]  # tier -> credits
    verified: bool | None = None
    note: str = ""

    def units(self, module: str) -> float:
        """The units the credits stand for in a module (two credits a unit)."""
        return sum(v for t, v in self.credits.items() if tier_module(t) == module) / 2.0


@dataclass(frozen=True, slots=True)
class PhaseValue:
    """One phase of a phased development: its on-site post-development units by module."""

    phase: str
    post_development: dict[str, float]  # module -> on-site post-development units in the phase


@dataclass(frozen=True)
class GainPlan:
    """A biodiversity gain plan's contents (Sch 7A para 14), draft or final."""

    status: str  # "draft" or "final"
    application: Application
    prepared_on: date
    metric: MetricRef
    pre_development_date: date | None
    values: tuple[ModuleValues, ...]
    hierarchy: HierarchyReview
    irreplaceable: tuple[IrreplaceableFound, ...]
    parcels: tuple[Classified, ...]
    significance_profile: str
    lpa_profile: str
    allocations: tuple[Allocated, ...] = ()
    purchases: tuple[Purchased, ...] = ()
    phase: str = ""  # "" (not phased), "overall", or the phase's name
    phases: tuple[PhaseValue, ...] = ()
    plans: tuple[str, ...] = ()  # names of the habitat plans drawn
    prepared_by: str = ""
    contents: tuple[Heading, ...] = field(default_factory=lambda: tables().gain_plan_contents)

    @property
    def significant(self) -> tuple[Classified, ...]:
        """The significant on-site enhancements (they need a plan to last 30 years)."""
        return tuple(c for c in self.parcels if c.significant)

    @property
    def objective_met(self) -> bool:
        """Whether every module with habitat meets its target."""
        return all(v.objective_met for v in self.values if v.pre_development > 0 or v.post_development > 0)

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON (``bng/gain-plan/1``), what monitoring later reads back."""
        a = self.application
        return {
            "schema": SCHEMA,
            "status": self.status,
            "phase": self.phase or None,
            "prepared_on": self.prepared_on.isoformat(),
            "prepared_by": self.prepared_by,
            "contents": [
                {"order": h.order, "code": h.code, "title": h.title, "basis": h.detail} for h in self.contents
            ],
            "submission": {
                "planning_reference": a.reference,
                "lpa": a.lpa,
                "development": a.development,
                "site_address": a.site_address,
                "applicant": a.applicant,
                "agent": a.agent,
                "lpa_profile": self.lpa_profile,
            },
            "pre_development": {
                "date": self.pre_development_date.isoformat() if self.pre_development_date else None,
                "earlier_date_reason": a.earlier_date_reason or None,
                "degradation_after_2020": a.degradation_after_2020,
                "values": {v.module: v.pre_development for v in self.values},
            },
            "minimise": self.hierarchy.to_dict(),
            "irreplaceable": [
                {
                    "module": i.module,
                    "ref": i.ref,
                    "habitat": i.habitat,
                    "size": i.size,
                    "lost": i.lost,
                    "si_2024_48": [d.description for d in i.descriptions],
                    "bespoke_compensation": i.bespoke_compensation,
                }
                for i in self.irreplaceable
            ],
            "post_development": {"values": {v.module: v.post_development for v in self.values}},
            "offsite": [
                {
                    "reference": x.reference,
                    "gain_site": x.gain_site,
                    "units": x.units,
                    "verified": x.verified,
                    "note": x.note,
                }
                for x in self.allocations
            ],
            "credits": [
                {"reference": x.reference, "credits": x.credits, "verified": x.verified, "note": x.note}
                for x in self.purchases
            ],
            "objective": {
                "met": self.objective_met,
                "modules": [v.to_dict() for v in self.values],
            },
            "significance_profile": self.significance_profile,
            "parcels": [c.to_dict() for c in self.parcels],
            "significant_parcels": [c.to_dict() for c in self.significant],
            "phases": [{"phase": p.phase, "post_development": p.post_development} for p in self.phases],
            "plans": list(self.plans),
            "metric": {
                "file": self.metric.file,
                "sha256": self.metric.sha256,
                "release": self.metric.release,
                "title": self.metric.title,
                "publication_date": self.metric.publication_date.isoformat() if self.metric.publication_date else None,
            },
        }


def module_values(
    site: Site, result: Result, purchases: tuple[Purchased, ...] = (), target_percent: float | None = None
) -> tuple[ModuleValues, ...]:
    """Pre/post values per module; the objective judged at the statutory target (10 %) unless given."""
    target = tables().number("statutory_target_percent") if target_percent is None else target_percent
    out = []
    for m in MODULES:
        r = result.modules[m]
        # the headline's total net change less the on-site change: off-site gains after the spatial risk multiplier
        off = (r.total_net_change_units or 0.0) - (r.on_site.net_change_units or 0.0)
        out.append(
            ModuleValues(
                m,
                r.on_site.baseline_units or 0.0,
                r.on_site.post_intervention_units or 0.0,
                off,
                sum(p.units(m) for p in purchases),
                target,
                result.trading[m].satisfied if m in result.trading else None,
            )
        )
    return tuple(out)


def phase_problems(overall: GainPlan, phase: GainPlan) -> list[str]:
    """A phase plan's value may not fall below the value the overall plan gives that phase (SI 2024/50 reg 8)."""
    if not phase.phase or phase.phase == "overall":
        return ["a phase plan names its phase"]
    planned = {p.phase: p for p in overall.phases}
    given = planned.get(phase.phase)
    if given is None:
        return [f"the overall plan gives no value for phase {phase.phase!r}"]
    problems = []
    for v in phase.values:
        want = given.post_development.get(v.module)
        if want is not None and v.post_development < want - 1e-9:
            problems.append(
                f"phase {phase.phase}: {v.post_development:.4f} {UNIT_NAMES[v.module]} post-development, below the "
                f"{want:.4f} the overall plan gives this phase"
            )
    return problems
