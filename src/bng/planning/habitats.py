"""What a metric says about the habitat a development impacts.

That is: priority habitat, irreplaceable habitat, and the area and length impacted (the de minimis test's inputs).

"Impacted" is the exemption regulations' word: lost or degraded so that the habitat's
biodiversity value decreases. From a metric that is the part of each baseline row neither
retained nor enhanced (enhancement only raises value). Habitats whose distinctiveness score is
0 (sealed surfaces, unvegetated garden, built linear features) have no value to decrease, so
they never count towards the 25 m² (Defra's blog and the PPG, as summarised; bare and sparsely
vegetated ground, score 2, does count).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bng.metric import Release, Site, load

from .tables import IrreplaceableHabitat, tables

M2_PER_HA = 10_000.0
M_PER_KM = 1_000.0


class _Graded(Protocol):
    @property
    def band(self) -> str: ...
    @property
    def score(self) -> float: ...


def _habitat(module: str, habitat: str, rel: Release) -> _Graded | None:
    """A habitat of a module in a release: an area habitat (G-1), a hedgerow type (G-6) or a watercourse type (G-7)."""
    if module == "area":
        return rel.area_habitat(habitat)
    if module == "hedgerow":
        return rel.hedgerow_types.get(habitat)
    return rel.watercourse_types.get(habitat)


def band_of(module: str, habitat: str, release: Release | None = None) -> str | None:
    """The distinctiveness band of a habitat (None for a habitat the metric does not have)."""
    found = _habitat(module, habitat, release or load())
    return found.band if found else None


def score_of(module: str, habitat: str, release: Release | None = None) -> float | None:
    """The distinctiveness score of a habitat in a release (None when the release does not know it)."""
    found = _habitat(module, habitat, release or load())
    return found.score if found else None


def is_priority(module: str, habitat: str, release: Release | None = None) -> bool:
    """Whether a metric habitat is a priority habitat (NERC Act s.41), per ``priority_habitats.csv``."""
    band = band_of(module, habitat, release)
    for rule in tables().priority_rules:
        if rule.module != module:
            continue
        if rule.match == "band" and band == rule.value:
            return True
        if rule.match == "label" and habitat.strip().lower() == rule.value.lower():
            return True
        if rule.match == "label_prefix" and habitat.strip().lower().startswith(rule.value.lower()):
            return True
    return False


@dataclass(frozen=True, slots=True)
class ImpactedParcel:
    """One on-site baseline parcel the development impacts, with what the exemptions need to know of it."""

    module: str
    ref: str
    habitat: str
    size: float  # m² for area habitats, m for hedgerows and watercourses
    priority: bool
    zero_value: bool


@dataclass(frozen=True, slots=True)
class Impact:
    """The on-site habitat a metric shows lost: de minimis inputs, parcel by parcel."""

    parcels: tuple[ImpactedParcel, ...]

    @property
    def area_m2(self) -> float:
        """Square metres of area habitat impacted, neither priority nor of zero value (the de minimis test)."""
        return sum(p.size for p in self.parcels if p.module == "area" and not p.zero_value and not p.priority)

    @property
    def length_m(self) -> float:
        """Metres of hedgerow and watercourse impacted, not priority habitat (the de minimis test)."""
        return sum(p.size for p in self.parcels if p.module != "area" and not p.priority)

    @property
    def priority_impacted(self) -> bool:
        """Whether any priority habitat is impacted: no de minimis exemption then."""
        return any(p.priority for p in self.parcels)

    @property
    def zero_value_area_m2(self) -> float:
        """Square metres of area habitat of zero value impacted (left out of the de minimis test)."""
        return sum(p.size for p in self.parcels if p.module == "area" and p.zero_value)


def impact_of(site: Site) -> Impact:
    """The on-site baseline habitat lost (neither retained nor enhanced), by parcel."""
    rel = load(site.metric_release)
    out: list[ImpactedParcel] = []
    for r in site.on_site.area.baseline:
        lost_ha = (r.area_ha or 0.0) - (r.retained_ha or 0.0) - (r.enhanced_ha or 0.0)
        if lost_ha > 1e-12:
            score = score_of("area", r.habitat, rel)
            out.append(
                ImpactedParcel(
                    "area", r.ref, r.habitat, lost_ha * M2_PER_HA, is_priority("area", r.habitat, rel), score == 0.0
                )
            )
    for module in ("hedgerow", "watercourse"):
        rows = getattr(site.on_site, module).baseline
        for r in rows:
            lost_km = (r.length_km or 0.0) - (r.retained_km or 0.0) - (r.enhanced_km or 0.0)
            if lost_km > 1e-12:
                out.append(
                    ImpactedParcel(
                        module, r.ref, r.habitat, lost_km * M_PER_KM, is_priority(module, r.habitat, rel), False
                    )
                )
    return Impact(tuple(out))


@dataclass(frozen=True, slots=True)
class IrreplaceableFound:
    """A baseline row of irreplaceable habitat, with the SI 2024/48 descriptions it may be."""

    module: str
    ref: str
    habitat: str
    size: float | None  # ha or km
    lost: float  # ha or km neither retained nor enhanced
    descriptions: tuple[IrreplaceableHabitat, ...]
    bespoke_compensation: str


def irreplaceable_in(site: Site) -> tuple[IrreplaceableFound, ...]:
    """Irreplaceable habitat in the metric.

    A habitat the metric always treats as irreplaceable, or one the surveyor marked irreplaceable where the
    metric allows either (G-1 "Yes/No").
    """
    rel = load(site.metric_release)
    found: list[IrreplaceableFound] = []
    rows = list(site.on_site.area.baseline)
    for r in rows:
        h = rel.area_habitat(r.habitat)
        if h is None:
            continue
        if h.irreplaceable == "Yes" or (h.irreplaceable == "Yes/No" and r.irreplaceable):
            descs = tuple(d for d in tables().irreplaceable if h.label in d.metric_labels)
            lost = (r.area_ha or 0.0) - (r.retained_ha or 0.0) - (r.enhanced_ha or 0.0)
            found.append(
                IrreplaceableFound("area", r.ref, h.label, r.area_ha, max(lost, 0.0), descs, r.bespoke_compensation)
            )
    for w in site.on_site.watercourse.baseline:
        t = rel.watercourse_types.get(w.habitat)
        if t is not None and t.irreplaceable == "Yes":
            lost = (w.length_km or 0.0) - (w.retained_km or 0.0) - (w.enhanced_km or 0.0)
            found.append(
                IrreplaceableFound(
                    "watercourse", w.ref, w.habitat, w.length_km, max(lost, 0.0), (), w.bespoke_compensation
                )
            )
    return tuple(found)
