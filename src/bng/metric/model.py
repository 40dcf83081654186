"""What a development is made of, in the words of the statutory metric.

A :class:`Site` holds the rows a user enters into the workbook's input sheets: for each
module (area habitats, hedgerows, watercourses) the baseline, creation and enhancement rows,
on-site and off-site. Off-site rows are kept in one list per sheet, in workbook row order,
each naming its gain site; that is how the workbook holds them, and some results depend on
row order (enhancement rows follow their baseline rows; the gain-site summary lists sites in
order of first appearance).

Values are kept as entered: labels, condition and strategic-significance wordings of the
workbook, ``None`` for a blank cell, ``"30+"`` for the thirty-plus years option.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Years = float | str | None
"""Whole years, ``"30+"``, or ``None`` for a blank cell."""

Module = Literal["area", "hedgerow", "watercourse"]
Stage = Literal["baseline", "creation", "enhancement"]
LocationName = Literal["on_site", "off_site"]

MODULES: tuple[Module, ...] = ("area", "hedgerow", "watercourse")
STAGES: tuple[Stage, ...] = ("baseline", "creation", "enhancement")


@dataclass(frozen=True, slots=True)
class AreaBaseline:
    """A row of A-1 / D-1: a habitat parcel before development, and how much of it is retained or enhanced."""

    ref: str
    habitat: str
    area_ha: float | None
    condition: str
    strategic_significance: str
    irreplaceable: bool | None = False
    retained_ha: float | None = 0.0
    enhanced_ha: float | None = 0.0
    bespoke_compensation: str = "No"
    gain_site: str | None = None
    spatial_risk: str | None = None
    trees: tuple[tuple[str, int], ...] | None = None


@dataclass(frozen=True, slots=True)
class AreaCreation:
    """A row of A-2 / D-2: a habitat created, in a target condition, in advance or with a delay."""

    ref: str
    habitat: str
    area_ha: float | None
    condition: str
    strategic_significance: str
    advance_years: Years = 0.0
    delay_years: Years = 0.0
    gain_site: str | None = None
    spatial_risk: str | None = None
    trees: tuple[tuple[str, int], ...] | None = None


@dataclass(frozen=True, slots=True)
class AreaEnhancement:
    """A row of A-3 / D-3: the enhanced part of a baseline parcel (``baseline_ref``) and what it becomes."""

    ref: str
    baseline_ref: str
    habitat: str
    condition: str
    strategic_significance: str
    advance_years: Years = 0.0
    delay_years: Years = 0.0
    gain_site: str | None = None


@dataclass(frozen=True, slots=True)
class HedgerowBaseline:
    """A row of B-1 / E-1: a hedgerow before development, and how much of it is retained or enhanced."""

    ref: str
    habitat: str
    length_km: float | None
    condition: str
    strategic_significance: str
    retained_km: float | None = 0.0
    enhanced_km: float | None = 0.0
    gain_site: str | None = None
    spatial_risk: str | None = None


@dataclass(frozen=True, slots=True)
class HedgerowCreation:
    """A row of B-2 / E-2: a hedgerow created."""

    ref: str
    habitat: str
    length_km: float | None
    condition: str
    strategic_significance: str
    advance_years: Years = 0.0
    delay_years: Years = 0.0
    gain_site: str | None = None
    spatial_risk: str | None = None


@dataclass(frozen=True, slots=True)
class HedgerowEnhancement:
    """A row of B-3 / E-3: the enhanced length of a baseline hedgerow and what it becomes."""

    ref: str
    baseline_ref: str
    habitat: str
    condition: str
    strategic_significance: str
    advance_years: Years = 0.0
    delay_years: Years = 0.0
    gain_site: str | None = None


@dataclass(frozen=True, slots=True)
class WatercourseBaseline:
    """A row of C-1 / F-1: a watercourse before development, its encroachments, what is retained or enhanced."""

    ref: str
    habitat: str
    length_km: float | None
    condition: str
    strategic_significance: str
    encroachment: str = "No Encroachment"
    riparian_encroachment: str = "No Encroachment/ No Encroachment"
    retained_km: float | None = 0.0
    enhanced_km: float | None = 0.0
    bespoke_compensation: str = "No"
    gain_site: str | None = None
    spatial_risk: str | None = None


@dataclass(frozen=True, slots=True)
class WatercourseCreation:
    """A row of C-2 / F-2: a watercourse created."""

    ref: str
    habitat: str
    length_km: float | None
    condition: str
    strategic_significance: str
    advance_years: Years = 0.0
    delay_years: Years = 0.0
    encroachment: str = "No Encroachment"
    riparian_encroachment: str = "No Encroachment/ No Encroachment"
    gain_site: str | None = None
    spatial_risk: str | None = None


@dataclass(frozen=True, slots=True)
class WatercourseEnhancement:
    """A row of C-3 / F-3: the enhanced length of a baseline watercourse and what it becomes."""

    ref: str
    baseline_ref: str
    habitat: str
    condition: str
    strategic_significance: str
    advance_years: Years = 0.0
    delay_years: Years = 0.0
    encroachment: str = "No Encroachment"
    riparian_encroachment: str = "No Encroachment/ No Encroachment"
    gain_site: str | None = None


@dataclass(frozen=True, slots=True)
class AreaRows:
    """The area habitat rows of a location: baseline, creation, enhancement."""

    baseline: tuple[AreaBaseline, ...] = ()
    creation: tuple[AreaCreation, ...] = ()
    enhancement: tuple[AreaEnhancement, ...] = ()


@dataclass(frozen=True, slots=True)
class HedgerowRows:
    """The hedgerow rows of a location: baseline, creation, enhancement."""

    baseline: tuple[HedgerowBaseline, ...] = ()
    creation: tuple[HedgerowCreation, ...] = ()
    enhancement: tuple[HedgerowEnhancement, ...] = ()


@dataclass(frozen=True, slots=True)
class WatercourseRows:
    """The watercourse rows of a location: baseline, creation, enhancement."""

    baseline: tuple[WatercourseBaseline, ...] = ()
    creation: tuple[WatercourseCreation, ...] = ()
    enhancement: tuple[WatercourseEnhancement, ...] = ()


@dataclass(frozen=True, slots=True)
class Location:
    """The rows of one location (on-site, or all off-site gain sites together)."""

    area: AreaRows = field(default_factory=AreaRows)
    hedgerow: HedgerowRows = field(default_factory=HedgerowRows)
    watercourse: WatercourseRows = field(default_factory=WatercourseRows)

    def row_count(self) -> int:
        """How many input rows the location holds, over every module and stage."""
        return sum(len(getattr(getattr(self, m), s)) for m in MODULES for s in STAGES)


@dataclass(frozen=True, slots=True)
class GainSite:
    """A registered off-site gain site as the site file names it."""

    reference: str
    spatial_risk: str | None = None
    spatial_risk_watercourse: str | None = None


@dataclass(frozen=True, slots=True)
class Project:
    """The development: its name, planning reference, LPA, biodiversity gain target and other details."""

    name: str = ""
    planning_reference: str = ""
    lpa: str = ""
    target_percent: float = 10.0
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Site:
    """A development as the metric sees it: the project, on-site and off-site rows, the gain sites, the release."""

    project: Project = field(default_factory=Project)
    on_site: Location = field(default_factory=Location)
    off_site: Location = field(default_factory=Location)
    gain_sites: tuple[GainSite, ...] = ()
    metric_release: str = "statutory-2024"
