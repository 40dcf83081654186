"""A gain site's habitats: the off-site rows of a statutory metric, as the register's parcels.

Whatever door the habitats come through (the metric workbook, a GeoPackage pair, our JSON site
file), they arrive as a :class:`~bng.metric.model.Site`. A gain site is described on the metric's
off-site sheets; the engine computes each row's units exactly as the workbook does, and each
creation and enhancement row becomes a parcel of the capacity ledger.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from typing import Any

from bng.metric import MODULE_NAMES, UNIT_NAMES, Result, Site, calculate, load, parse_site
from bng.metric import SIZE_UNITS as SIZE_UNITS  # re-exported: allocations and the web read it here
from bng.register.core.errors import Invalid, Problem
from bng.register.core.geometries import BYTES, SHA256, Geometries
from bng.register.core.ledger import quantity

SECTION = "habitats"
MODULES = ("area", "hedgerow", "watercourse")
STAGES = ("baseline", "creation", "enhancement")
MODULE_LABELS = MODULE_NAMES  # the one table of the modules' words: bng.metric.labels
UNIT_LABELS = UNIT_NAMES
AREA_AGREEMENT_SHARE = 0.01
"""The metric's baseline area may differ from the boundary's by 1 % (or the workbook's own 0.01 ha,
whichever is larger): metric areas are usually typed to 2 decimals, so exact equality is too strict."""


@dataclass(frozen=True, slots=True)
class ParcelDraft:
    """A metric row as the register keeps it (sizes and units as floats here; exact decimals in the ledger)."""

    module: str
    stage: str
    ref: str
    habitat: str
    distinctiveness: str
    condition: str
    strategic_significance: str
    size: float
    units: float
    baseline_ref: str = ""
    geometry_sha256: str = ""
    """The parcel's outline from a habitat map, kept apart (``bng.register.core.geometries``); "" when none."""
    geometry_bytes: int = 0

    @property
    def ledger_size(self) -> Decimal:
        """The size as the capacity ledger holds it (``ledger.quantity``)."""
        return quantity(self.size)

    @property
    def ledger_units(self) -> Decimal:
        """The units as the capacity ledger holds them (``ledger.quantity``)."""
        return quantity(self.units)


@dataclass(frozen=True)
class Habitats:
    """What the habitats section holds once a metric has been read."""

    metric_release: str
    gain_site_label: str
    parcels: tuple[ParcelDraft, ...]
    totals: dict[str, dict[str, float]] = field(default_factory=dict)
    left_out: tuple[str, ...] = ()
    """Rows of the metric not taken, each said in words (rows with no gain site reference when the metric
    names several): shown, never dropped silently."""

    def baseline_area_ha(self, excluded: frozenset[str] = frozenset()) -> float:
        """The baseline area habitat in hectares, less the ``excluded`` habitats (lower case)."""
        return sum(
            p.size
            for p in self.parcels
            if p.module == "area" and p.stage == "baseline" and p.habitat.lower() not in excluded
        )

    def to_dict(self) -> dict[str, Any]:
        """The habitats as the section stores them (``from_dict`` reads them back)."""
        return {
            "metric_release": self.metric_release,
            "gain_site_label": self.gain_site_label,
            "parcels": [asdict(p) for p in self.parcels],
            "totals": self.totals,
            "left_out": list(self.left_out),
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Habitats:
        """The habitats as ``to_dict`` stored them."""
        return cls(
            doc["metric_release"],
            doc.get("gain_site_label", ""),
            tuple(ParcelDraft(**p) for p in doc.get("parcels", [])),
            doc.get("totals", {}),
            tuple(doc.get("left_out", ())),
        )


def from_site_json(data: bytes, field_name: str = "metric_file", only: str = "") -> Habitats:
    """Habitats from a JSON site file (docs/site-file.md)."""
    return from_site(site_from_json(data, field_name), field_name, only=only)


def site_from_json(data: bytes, field_name: str = "metric_file", section: str = SECTION) -> Site:
    """The engine's Site from a JSON site file; its problems name the uploaded file's field."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise Invalid.one(field_name, f"The site file is not valid JSON: {err}", section) from None
    site, issues = parse_site(doc)
    problems = [Problem(field_name, f"The site file {issue}", section) for issue in issues if issue.severity == "error"]
    if problems:
        raise Invalid("The site file has problems", problems)
    return site


def from_site(
    site: Site,
    field_name: str = "metric_file",
    geometries: dict[tuple[str, str, str], dict[str, Any]] | None = None,
    only: str = "",
) -> Habitats:
    """The off-site rows of a Site as parcels, with the units the engine computes for them.

    From ``geometries`` each mapped parcel also gets the digest and size of its outline. A metric may
    describe several gain sites (a landowner's, or a combined case's); ``only`` names the one being
    registered, and its rows are taken alone.
    """
    left_out: tuple[str, ...] = ()
    if only.strip():
        left_out = unreferenced(site)
        site = _only(site, only.strip(), field_name)
    off = site.off_site
    if off.row_count() == 0:
        raise Invalid.one(
            field_name,
            "The metric has no off-site habitats. A gain site's baseline and its created and enhanced habitats "
            "go on the metric's off-site sheets (D-1 to D-3 for area habitats, E-1 to E-3 for hedgerows, F-1 to "
            "F-3 for watercourses)",
            SECTION,
        )
    labels = sorted({(r.gain_site or "").strip() for m in MODULES for s in STAGES for r in _rows(site, m, s)} - {""})
    if len(labels) > 1:
        raise Invalid.one(
            "gain_site_label",
            f"The metric's off-site sheets name {len(labels)} gain sites ({', '.join(labels)}); a registration is "
            "for one gain site: enter which one this registration is for",
            SECTION,
        )
    blank = {
        (m, st, str(r.ref))
        for m in MODULES
        for st in STAGES
        for r in _rows(site, m, st)
        if not (r.habitat or "").strip()
    }  # rows with nothing but a gain site reference in them: the workbook shows them blank too
    result = calculate(site)
    problems = _row_problems(result, field_name, blank)
    if problems:
        raise Invalid("The metric has rows the register cannot use", problems)
    release = load(result.metric_release)
    units = {(r.module, r.stage, r.ref): r.units for r in result.rows if r.location == "off_site"}
    parcels: list[ParcelDraft] = []
    geometries = geometries or {}
    for module in MODULES:
        baseline = {r.ref: r for r in _rows(site, module, "baseline")}
        for stage in STAGES:
            for row in _rows(site, module, stage):
                if (module, stage, str(row.ref)) in blank:
                    continue
                size = _size(module, stage, row, baseline)
                u = units.get((module, stage, row.ref))
                outline = geometries.get((module, stage, str(row.ref)), {})
                parcels.append(
                    ParcelDraft(
                        module=module,
                        stage=stage,
                        ref=str(row.ref),
                        habitat=row.habitat,
                        distinctiveness=_band(release, module, row.habitat),
                        condition=row.condition,
                        strategic_significance=row.strategic_significance,
                        size=float(size or 0.0),
                        units=float(u) if isinstance(u, int | float) else 0.0,
                        baseline_ref=str(getattr(row, "baseline_ref", "") or ""),
                        geometry_sha256=str(outline.get(SHA256, "")),
                        geometry_bytes=int(outline.get(BYTES, 0)),
                    )
                )
    totals = {
        m: {
            "baseline_units": _num(result.modules[m].off_site.baseline_units),
            "post_intervention_units": _num(result.modules[m].off_site.post_intervention_units),
            "net_change_units": _num(result.modules[m].off_site.net_change_units),
        }
        for m in MODULES
    }
    return Habitats(result.metric_release, labels[0] if labels else "", tuple(parcels), totals, left_out)


SHEETS = {"area": "D", "hedgerow": "E", "watercourse": "F"}


def unreferenced(site: Site) -> tuple[str, ...]:
    """The off-site rows with a habitat but no gain site reference, in words.

    When a metric names several gain sites, nothing says which one such a row belongs to, so it is left
    out, and said so.
    """
    out = []
    for m in MODULES:
        for i, st in enumerate(STAGES, start=1):
            for r in _rows(site, m, st):
                if (r.habitat or "").strip() and not (r.gain_site or "").strip():
                    out.append(f"off-site sheet {SHEETS[m]}-{i} row {r.ref} ({r.habitat}) gives no off-site reference")
    return tuple(out)


def _only(site: Site, label: str, field_name: str) -> Site:
    key = label.lower()
    found = {(r.gain_site or "").strip() for m in MODULES for s in STAGES for r in _rows(site, m, s)} - {""}
    if key not in {f.lower() for f in found}:
        named = ", ".join(sorted(found)) or "none"
        raise Invalid.one(
            "gain_site_label",
            f"The metric names no gain site {label!r} on its off-site sheets (it names: {named})",
            SECTION,
        )

    def keep(rows: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(r for r in rows if (r.gain_site or "").strip().lower() == key)

    modules = {
        m: replace(getattr(site.off_site, m), **{s: keep(getattr(getattr(site.off_site, m), s)) for s in STAGES})
        for m in MODULES
    }
    gain_sites = tuple(g for g in site.gain_sites if g.reference.strip().lower() == key)
    return replace(site, off_site=replace(site.off_site, **modules), gain_sites=gain_sites)


def _rows(site: Site, module: str, stage: str) -> tuple[Any, ...]:
    rows: tuple[Any, ...] = getattr(getattr(site.off_site, module), stage)
    return rows


def _size(module: str, stage: str, row: Any, baseline: dict[str, Any]) -> float | None:
    if stage == "enhancement":
        base = baseline.get(row.baseline_ref)
        if base is None:
            return None
        enhanced: float | None = base.enhanced_ha if module == "area" else base.enhanced_km
        return enhanced
    size: float | None = row.area_ha if module == "area" else row.length_km
    return size


def _band(release: Any, module: str, habitat: str) -> str:
    if module == "area":
        found = release.area_habitat(habitat)
    elif module == "hedgerow":
        found = release.hedgerow_types.get(habitat)
    else:
        found = release.watercourse_types.get(habitat)
    return str(found.band) if found is not None else ""


def _num(v: object) -> float:
    return float(v) if isinstance(v, int | float) else 0.0


def _row_problems(result: Result, field_name: str, blank: set[tuple[str, str, str]]) -> list[Problem]:
    out = [Problem(field_name, f"The metric: {issue}", SECTION) for issue in result.issues if issue.severity == "error"]
    for r in result.rows:
        if r.location != "off_site" or (r.module, r.stage, str(r.ref)) in blank:
            continue
        errors = [m for m in r.messages if "▲" in m]
        if errors or not isinstance(r.units, int | float):
            sheet = {"area": "D", "hedgerow": "E", "watercourse": "F"}[r.module]
            stage = {"baseline": 1, "creation": 2, "enhancement": 3}[r.stage]
            what = "; ".join(errors) or "the row's units cannot be calculated"
            out.append(
                Problem(
                    field_name, f"Off-site sheet {sheet}-{stage} row {r.ref!r} ({r.module} {r.stage}): {what}", SECTION
                )
            )
    return out


def area_problems(habitats: Habitats, boundary_ha: float, field_name: str = "metric_file") -> list[Problem]:
    """The metric's baseline area must agree with the boundary's area."""
    release = load(habitats.metric_release)
    metric_ha = habitats.baseline_area_ha(release.rules.area_balance_excluded)
    tolerance = max(release.rules.area_balance_tolerance_ha, AREA_AGREEMENT_SHARE * boundary_ha)
    if abs(metric_ha - boundary_ha) <= tolerance:
        return []
    more = "more" if metric_ha > boundary_ha else "less"
    return [
        Problem(
            field_name,
            f"The metric's off-site baseline habitats cover {metric_ha:,.4f} hectares, {more} than the boundary's "
            f"{boundary_ha:,.4f} hectares (they may differ by {tolerance:,.4f} hectares at most); the baseline must "
            "describe the whole gain site and nothing outside it",
            SECTION,
        )
    ]


OUTSIDE_TOLERANCE_M2 = 0.5
"""As the GeoPackage standard's red-line rule: slivers under half a square metre are digitising noise."""


def parcels_outside(
    habitats: Habitats, boundary: Any, geometries: Geometries, field_name: str = "habitat_maps"
) -> list[Problem]:
    """Mapped parcels must lie inside the gain site's boundary."""
    problems = []
    for p in habitats.parcels:
        if not p.geometry_sha256:
            continue
        geom = geometries.get(p.geometry_sha256)
        if geom is None:
            raise LookupError(f"no stored geometry {p.geometry_sha256}")
        outside = geom.difference(boundary) if geom.area > 0 else geom.difference(boundary.buffer(OUTSIDE_TOLERANCE_M2))
        size = outside.area if geom.area > 0 else outside.length
        if size > OUTSIDE_TOLERANCE_M2:
            x, y = outside.representative_point().coords[0]
            amount = f"{size:,.1f} m²" if geom.area > 0 else f"{size:,.1f} m"
            problems.append(
                Problem(
                    field_name,
                    f"The {p.stage} {p.module} parcel {p.ref!r} ({p.habitat}) has {amount} outside the gain site's "
                    f"boundary, near E {x:.0f} N {y:.0f}; every parcel must lie inside the boundary",
                    SECTION,
                )
            )
    return problems
