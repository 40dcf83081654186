"""A development's statutory metric, read for an allocation: its off-site rows for one gain site.

The rows are matched to the gain site's habitat parcels on the register.

A development's metric names each gain site it uses in the "Off-site reference" column of its
off-site sheets (D, E, F). Its creation and enhancement rows for a gain site say which habitat, in
which condition, and how much of it the development takes; each row is matched to the register's
parcels of the same module, stage, habitat and condition (the same parcel reference first, then
the same strategic significance), and takes its size from what remains of them. The units follow
from the register's ledger, not from the metric, and the metric's own figures are compared with
them: where the metric counts more, or states another spatial risk category than the register
derives, the allocation is flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from bng.metric import GainSiteResult, Project, Site, calculate, load
from bng.register.applications.habitats import MODULES, SIZE_UNITS, STAGES, from_site, site_from_json
from bng.register.applications.metric_doors import site_from_workbook
from bng.register.core.errors import Invalid, Problem
from bng.register.core.filetypes import FileType
from bng.register.core.ledger import SELLABLE_STAGES, ZERO, quantity
from bng.register.core.model import HabitatParcel
from bng.register.core.places import SPATIAL_RISK_WORDING, SpatialRisk

from .risk import stated_category

FIELD = "metric_file"
SHEETS = {"area": "D", "hedgerow": "E", "watercourse": "F"}
STAGE_NUMBER = {"baseline": 1, "creation": 2, "enhancement": 3}
UNITS_TOLERANCE = 0.001
"""The metric's units for a row may exceed the register's for the same size by this share (rounding)."""


@dataclass(frozen=True, slots=True)
class MetricRow:
    """An off-site creation or enhancement row of the development's metric for the gain site."""

    module: str
    stage: str
    ref: str
    habitat: str
    condition: str
    strategic_significance: str
    size: float
    units: float
    spatial_risk: str = ""  # as the metric states it (creation rows; enhancement rows have none)

    @property
    def where(self) -> str:
        """Where the row is in the workbook, for messages."""
        return f"off-site sheet {SHEETS[self.module]}-{STAGE_NUMBER[self.stage]} row {self.ref}"

    @property
    def label(self) -> str:
        """The row's habitat, condition and size, as a flag names it."""
        return f"{self.habitat}, {self.condition}, {self.size:,.4f} {SIZE_UNITS[self.module]}"


@dataclass(frozen=True)
class DevelopmentMetric:
    """What the register takes from a development's metric for one gain site."""

    release: str
    project: Project
    gain_site: str
    rows: tuple[MetricRow, ...]
    stated: tuple[tuple[str, str], ...]  # (where, stated text) for every area and hedgerow row that states one
    summary: tuple[GainSiteResult, ...]  # the workbook's "Off-site gain site summary" for this gain site
    others: tuple[str, ...] = ()  # other gain sites the metric names
    left_out: tuple[str, ...] = ()  # its off-site rows that name no gain site (not part of any allocation)

    @property
    def stated_category(self) -> str:
        """The spatial risk category the metric applies to this gain site.

        That is its first creation row's, else its first baseline row's (the summary's spatial risk
        multiplier cell takes it so).
        """
        return stated_category(self.stated[0][1]) if self.stated else ""

    def multiplier(self, risk: SpatialRisk) -> float:
        """The spatial risk multiplier of the metric's own release for a category."""
        value = load(self.release).spatial_risk.get(SPATIAL_RISK_WORDING[risk])
        return float(value) if isinstance(value, int | float) else 0.0


@dataclass(frozen=True, slots=True)
class Match:
    """A metric row and the parcels (id, size) it takes."""

    row: MetricRow
    takes: tuple[tuple[int, Decimal], ...]


@dataclass
class Matched:
    """The metric's rows matched to the gain site's parcels."""

    matches: list[Match] = field(default_factory=list)

    def requests(self) -> list[tuple[int, Decimal]]:
        """(parcel id, size) with one entry per parcel, in parcel order."""
        total: dict[int, Decimal] = {}
        for m in self.matches:
            for parcel_id, size in m.takes:
                total[parcel_id] = total.get(parcel_id, ZERO) + size
        return sorted(total.items())


def _key(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def read_site(data: bytes, file_type: FileType, field_name: str = FIELD) -> Site:
    """The development's metric: a statutory workbook (.xlsm, .xlsx) or our JSON site file."""
    if file_type in (FileType.XLSM, FileType.XLSX):
        return site_from_workbook(data, file_type, field_name, "")
    if file_type == FileType.SITE_JSON:
        return site_from_json(data, field_name, "")
    raise Invalid.one(field_name, "The development's metric must be the statutory metric workbook or a site file")


def _named(site: Site) -> list[str]:
    found: dict[str, str] = {}
    for m in MODULES:
        for s in STAGES:
            for r in getattr(getattr(site.off_site, m), s):
                name = (r.gain_site or "").strip()
                if name:
                    found.setdefault(_key(name), name)
    return list(found.values())


def development_metric(
    site: Site, gain_site: str, field_name: str = FIELD, hint: str = "Enter the gain site's register reference there"
) -> DevelopmentMetric:
    """The rows of ``site`` (a development's metric) for ``gain_site``, with the engine's units.

    ``hint`` says what to enter when it names no such gain site (an application not yet registered: its
    reference).
    """
    named = _named(site)
    key = _key(gain_site)
    if key not in {_key(n) for n in named}:
        listed = ", ".join(named) or "no gain site"
        raise Invalid.one(
            field_name,
            f"The development's metric names no gain site {gain_site} in the off-site reference column of its "
            f"off-site sheets (D, E, F); it names {listed}. {hint}",
        )
    habitats = from_site(site, field_name, only=gain_site)
    stated_by_row: dict[tuple[str, str, str], str] = {}
    stated: list[tuple[str, str]] = []
    for stage in ("creation", "baseline"):
        for module in ("area", "hedgerow"):
            for r in getattr(getattr(site.off_site, module), stage):
                if _key(r.gain_site) != key or not (r.spatial_risk or "").strip():
                    continue
                where = f"off-site sheet {SHEETS[module]}-{STAGE_NUMBER[stage]} row {r.ref}"
                stated.append((where, r.spatial_risk))
                stated_by_row[(module, stage, str(r.ref))] = r.spatial_risk
    rows = tuple(
        MetricRow(
            p.module,
            p.stage,
            p.ref,
            p.habitat,
            p.condition,
            p.strategic_significance,
            p.size,
            p.units,
            stated_by_row.get((p.module, p.stage, p.ref), ""),
        )
        for p in habitats.parcels
        if p.stage in SELLABLE_STAGES and p.size > 0
    )
    if not rows:
        raise Invalid.one(
            field_name,
            f"The development's metric has no created or enhanced habitat for gain site {gain_site}: there is "
            "nothing to allocate",
        )
    result = calculate(site)
    summary = tuple(g for g in result.gain_sites if _key(g.gain_site) == key)
    others = tuple(n for n in named if _key(n) != key)
    return DevelopmentMetric(
        habitats.metric_release, site.project, gain_site, rows, tuple(stated), summary, others, habitats.left_out
    )


def _order(row: MetricRow, parcel: HabitatParcel) -> tuple[int, int, int]:
    return (
        0 if parcel.ref == row.ref else 1,
        0 if _key(parcel.strategic_significance) == _key(row.strategic_significance) else 1,
        parcel.id or 0,
    )


def match(
    metric: DevelopmentMetric, parcels: Sequence[HabitatParcel], field_name: str = FIELD, held: str = "on the register"
) -> Matched:
    """Each metric row's size, taken from what remains of the parcels of its kind.

    Raises Invalid naming every row that cannot be matched. ``held`` says where the parcels are: a
    registered gain site's are "on the register", an application's (the combined case) are in its habitats.
    """
    remaining = {p.id: p.size - p.allocated_size for p in parcels if p.id is not None}
    matched = Matched()
    problems: list[Problem] = []
    for row in metric.rows:
        kind = [
            p
            for p in parcels
            if p.id is not None
            and p.module == row.module
            and p.stage == row.stage
            and _key(p.habitat) == _key(row.habitat)
            and _key(p.condition) == _key(row.condition)
        ]
        need = quantity(row.size)
        takes: list[tuple[int, Decimal]] = []
        for p in sorted(kind, key=lambda p: _order(row, p)):
            assert p.id is not None
            take = min(need, remaining[p.id])
            if take > 0:
                takes.append((p.id, take))
                remaining[p.id] -= take
                need -= take
            if need == 0:
                break
        unit = SIZE_UNITS[row.module]
        if not kind:
            problems.append(
                Problem(
                    field_name,
                    f"The development's metric, {row.where} ({row.label}): gain site {metric.gain_site} has no "
                    f"{row.stage} parcel of {row.habitat} in {row.condition} condition {held}",
                )
            )
        elif need > 0:
            left = sum(max(ZERO, remaining[p.id]) for p in kind if p.id is not None) + (quantity(row.size) - need)
            problems.append(
                Problem(
                    field_name,
                    f"The development's metric, {row.where} ({row.label}): only {float(left):,.4f} {unit} of "
                    f"{row.habitat} in {row.condition} condition remains to be allocated at gain site "
                    f"{metric.gain_site}",
                )
            )
        else:
            matched.matches.append(Match(row, tuple(takes)))
    if problems:
        summary = problems[0].message if len(problems) == 1 else "The development's metric does not match the gain site"
        raise Invalid(summary, problems)
    return matched


def unit_flags(matched: Matched, units_of: dict[int, tuple[Decimal, Decimal]]) -> list[str]:
    """Rows for which the metric counts more units than the register's parcels give for the same size.

    ``units_of`` maps a parcel id to its (size, units) capacity.
    """
    flags = []
    for m in matched.matches:
        register = float(
            sum((size * units_of[pid][1] / units_of[pid][0] for pid, size in m.takes if units_of[pid][0]), ZERO)
        )
        if m.row.units > register * (1 + UNITS_TOLERANCE) + UNITS_TOLERANCE:
            flags.append(
                f"The development's metric gives {m.row.where} ({m.row.label}) {m.row.units:,.4f} units; the "
                f"register's parcels give {register:,.4f} units for the same size. Check the row's condition, "
                "strategic significance and timing against the gain site's"
            )
    return flags
