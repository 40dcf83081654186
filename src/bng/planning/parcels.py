"""The on-site post-intervention parcels of a metric: what is retained, enhanced and created.

One list for everything that follows the metric into planning: significance, the gain plan,
the HMMP and (issue 12) monitoring over 30 years. Each parcel keeps what monitoring needs to
know later: its reference, the habitat and condition it must reach, its size, the units it
is expected to deliver, and the years to target (advance or delay) the metric assumed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bng.metric import SIZE_UNITS, Release, Result, Site, load

from .habitats import band_of, score_of
from .trajectory import Trajectory, trajectory


@dataclass(frozen=True, slots=True)
class PostParcel:
    """One on-site post-intervention parcel: retained, enhanced or created, with its habitat and units."""

    module: str
    ref: str
    intervention: str  # "retained", "enhanced" or "created"
    habitat: str
    condition: str
    strategic_significance: str
    size: float  # ha (area) or km (hedgerow, watercourse)
    units: float | None
    band: str | None
    score: float | None
    baseline_ref: str | None = None
    baseline_habitat: str | None = None  # enhanced: the habitat enhanced; created: the one it replaces, if known
    baseline_condition: str | None = None
    advance_years: float | str | None = None
    delay_years: float | str | None = None
    years_to_target: float | str | None = None  # created: the metric's time to target condition
    trajectory: Trajectory | None = None  # the metric's path to target and units by year (monitoring)

    @property
    def unit(self) -> str:
        """The unit of its size (hectares or kilometres)."""
        return SIZE_UNITS[self.module]

    @property
    def key(self) -> str:
        """A stable identity across the gain plan, its HMMP and monitoring: module, intervention, ref."""
        return f"{self.module}:{self.intervention}:{self.ref}"

    def to_dict(self) -> dict[str, Any]:
        """The parcel as JSON."""
        return {
            "key": self.key,
            "module": self.module,
            "ref": self.ref,
            "intervention": self.intervention,
            "habitat": self.habitat,
            "condition": self.condition,
            "strategic_significance": self.strategic_significance,
            "size": self.size,
            "unit": self.unit,
            "units": self.units,
            "distinctiveness": self.band,
            "baseline_ref": self.baseline_ref,
            "baseline_habitat": self.baseline_habitat,
            "baseline_condition": self.baseline_condition,
            "advance_years": self.advance_years,
            "delay_years": self.delay_years,
            "years_to_target": self.years_to_target,
            "trajectory": self.trajectory.to_dict() if self.trajectory else None,
        }


def _to_target(rel: Release, module: str, habitat: str, condition: str) -> float | str | None:
    """The metric's years to reach the target condition of a created habitat (G-4 / G-6 / G-7)."""
    if module == "area":
        h = rel.area_habitat(habitat)
        return h.creation_years.get(condition) if h else None
    if module == "hedgerow":
        t = rel.hedgerow_types.get(habitat)
        return t.creation_years.get(condition) if t else None
    return rel.watercourse_creation_years.get(condition)


def _with_trajectory(rel: Release, p: PostParcel, row: object = None, baseline_size: float | None = None) -> PostParcel:
    """The parcel with its trajectory (monitoring's expectations, from the metric's own tables)."""
    from dataclasses import replace

    t = trajectory(
        rel,
        key=p.key,
        module=p.module,
        intervention=p.intervention,
        habitat=p.habitat,
        condition=p.condition,
        size=p.size,
        plan_units=p.units,
        strategic_significance=p.strategic_significance,
        baseline_habitat=p.baseline_habitat if p.intervention != "created" else None,
        baseline_condition=p.baseline_condition,
        advance=p.advance_years,
        delay=p.delay_years,
        baseline_size=baseline_size,
        encroachment=getattr(row, "encroachment", None),
        riparian_encroachment=getattr(row, "riparian_encroachment", None),
    )
    return replace(p, trajectory=t)


def post_parcels(site: Site, result: Result, former: Mapping[str, str] | None = None) -> tuple[PostParcel, ...]:
    """Every on-site post-intervention parcel.

    ``former``: a created parcel's ref → the baseline habitat it replaces, where the maps tell; the metric
    alone cannot.
    """
    rel = load(site.metric_release)
    units = {(r.module, r.stage, r.ref): r for r in result.rows if r.location == "on_site"}
    former = former or {}
    out: list[PostParcel] = []
    for module in ("area", "hedgerow", "watercourse"):
        rows = getattr(site.on_site, module)
        baseline = {b.ref: b for b in rows.baseline}
        for b in rows.baseline:
            kept = b.retained_ha if module == "area" else b.retained_km
            if kept and kept > 0:
                res = units.get((module, "baseline", b.ref))
                out.append(
                    _with_trajectory(
                        rel,
                        PostParcel(
                            module,
                            b.ref,
                            "retained",
                            b.habitat,
                            b.condition,
                            b.strategic_significance,
                            kept,
                            res.retained_units if res else None,
                            band_of(module, b.habitat, rel),
                            score_of(module, b.habitat, rel),
                            b.ref,
                            b.habitat,
                            b.condition,
                        ),
                        b,
                    )
                )
        for e in rows.enhancement:
            base = baseline.get(e.baseline_ref)
            size = (base.enhanced_ha if module == "area" else base.enhanced_km) if base else None
            res = units.get((module, "enhancement", e.ref))
            out.append(
                _with_trajectory(
                    rel,
                    PostParcel(
                        module,
                        e.ref,
                        "enhanced",
                        e.habitat,
                        e.condition,
                        e.strategic_significance,
                        size or 0.0,
                        res.units if res else None,
                        band_of(module, e.habitat, rel),
                        score_of(module, e.habitat, rel),
                        e.baseline_ref,
                        base.habitat if base else None,
                        base.condition if base else None,
                        e.advance_years,
                        e.delay_years,
                    ),
                    e,
                    base.length_km if base is not None and module == "watercourse" else None,
                )
            )
        for c in rows.creation:
            size = c.area_ha if module == "area" else c.length_km
            res = units.get((module, "creation", c.ref))
            out.append(
                _with_trajectory(
                    rel,
                    PostParcel(
                        module,
                        c.ref,
                        "created",
                        c.habitat,
                        c.condition,
                        c.strategic_significance,
                        size or 0.0,
                        res.units if res else None,
                        band_of(module, c.habitat, rel),
                        score_of(module, c.habitat, rel),
                        None,
                        former.get(c.ref),
                        None,
                        c.advance_years,
                        c.delay_years,
                        _to_target(rel, module, c.habitat, c.condition),
                    ),
                    c,
                )
            )
    return tuple(out)


def baseline_totals(site: Site, result: Result) -> dict[str, tuple[float, float]]:
    """Per module: (on-site baseline size, on-site baseline units)."""
    out: dict[str, tuple[float, float]] = {}
    for module in ("area", "hedgerow", "watercourse"):
        rows = getattr(site.on_site, module).baseline
        size = sum(((r.area_ha if module == "area" else r.length_km) or 0.0) for r in rows)
        out[module] = (size, result.modules[module].on_site.baseline_units or 0.0)
    return out
