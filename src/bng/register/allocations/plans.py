"""What an allocation would be: the development, the parcels asked for, the checked plan and its flags.

The plan is what the register's checks make of the parcels and quantities asked for; the flags are
those it raises in the development's metric.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bng.metric import DEFAULT_RELEASE, load
from bng.register.core.errors import Problem
from bng.register.core.model import GainSite, HabitatParcel, Lpa, StoredFile
from bng.register.core.places import SPATIAL_RISK_WORDING, SpatialRisk

from .metric import DevelopmentMetric
from .risk import OTHER, RISK_LABELS, DevelopmentPlace

MAX_PLANNING_REFERENCE = 100
MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class Request:
    """A parcel and how much of it (hectares or kilometres, at the ledger's precision)."""

    parcel_id: int
    size: Decimal


@dataclass(frozen=True, slots=True)
class Development:
    """The development an allocation is for: its LPA, planning reference, name and grid reference."""

    lpa_id: int | None
    planning_reference: str
    name: str
    grid_reference: str = ""


@dataclass(frozen=True, slots=True)
class PlannedLine:
    """One parcel of the gain site, the size the development takes of it and the units that size gives."""

    parcel: HabitatParcel
    size: Decimal
    units: Decimal


@dataclass
class AllocationPlan:
    """What an allocation would be, for the person to check before it is recorded."""

    site: GainSite
    development: Development
    lpa: Lpa
    place: DevelopmentPlace
    site_lpas: list[str]
    site_ncas: list[str]
    spatial_risk: SpatialRisk
    lines: list[PlannedLine]
    fee_pence: int
    needs_consent: bool
    metric: DevelopmentMetric | None = None
    metric_file: StoredFile | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def risk_label(self) -> str:
        """The spatial risk category in the metric's words."""
        return RISK_LABELS[self.spatial_risk]

    @property
    def multiplier(self) -> float:
        """The metric's spatial risk multiplier for the category (area and hedgerow units)."""
        return risk_multiplier(self.spatial_risk)

    def units_by_module(self) -> dict[str, float]:
        """The units the allocation takes, by module (area, hedgerow, watercourse)."""
        out: dict[str, float] = {}
        for line in self.lines:
            out[line.parcel.module] = out.get(line.parcel.module, 0.0) + float(line.units)
        return out


def risk_multiplier(risk: SpatialRisk) -> float:
    """The metric's spatial risk multiplier for a category (area and hedgerow units)."""
    value = load(DEFAULT_RELEASE).spatial_risk.get(SPATIAL_RISK_WORDING[risk])
    return float(value) if isinstance(value, int | float) else 1.0


def check_development(development: Development) -> list[Problem]:
    """The development's own answers: each problem names its field."""
    problems = []
    if development.lpa_id is None:
        problems.append(Problem("lpa_id", "Select the LPA the development's planning application is made to"))
    ref = development.planning_reference.strip()
    if not ref:
        problems.append(Problem("planning_reference", "Enter the planning application reference"))
    elif len(ref) > MAX_PLANNING_REFERENCE:
        problems.append(
            Problem(
                "planning_reference", f"The planning reference must be {MAX_PLANNING_REFERENCE} characters or fewer"
            )
        )
    name = development.name.strip()
    if not name:
        problems.append(Problem("development_name", "Enter the name of the development"))
    elif len(name) > MAX_NAME:
        problems.append(Problem("development_name", f"The development's name must be {MAX_NAME} characters or fewer"))
    return problems


def metric_flags(
    gain_site: str, risk: SpatialRisk, planning_reference: str, metric: DevelopmentMetric, units: list[str]
) -> list[str]:
    """What the register flags in a development's metric for one gain site.

    ``gain_site`` is "gain site BGS-…", or the combined case's words for a site not yet on the register.
    The flags: a stated spatial risk category other than the one derived (``risk``), the rows' ``units``
    flags, a Start sheet naming another planning reference than the allocation's, off-site rows naming
    other gain sites.
    """
    flags = []
    stated = metric.stated_category
    if stated and stated != risk.value:
        said = ", ".join(f"{where} says {text!r}" for where, text in metric.stated[:6])
        multiplier = metric.multiplier(risk)
        what = "an off-site provider's category" if stated == OTHER else f"'{stated}'"
        label = RISK_LABELS[risk]  # "Beyond the development's ... LPAs": only its first letter lowered
        flags.append(
            f"The development's metric states {what} for {gain_site} ({said}); the register "
            f"finds it {risk.value} ({label[0].lower()}{label[1:]}), a spatial risk multiplier of "
            f"{multiplier:g}. Correct the metric's spatial risk category before it goes to the LPA"
        )
    flags += units
    start = " ".join(metric.project.planning_reference.lower().split())
    given = " ".join(planning_reference.lower().split())
    if start and given and start != given:
        flags.append(
            f"The metric's Start sheet gives planning reference {metric.project.planning_reference!r}; "
            f"this allocation is for {planning_reference!r}"
        )
    if metric.others:
        flags.append(
            f"The metric also names gain site{'s' if len(metric.others) > 1 else ''} {', '.join(metric.others)}; "
            "record an allocation from each of them too"
        )
    flags += [
        f"The metric's {row}, so it is not part of this allocation: if the development uses it from "
        f"{gain_site}, enter the gain site's reference in that row's off-site reference column"
        for row in metric.left_out
    ]
    return flags
