"""The metric's promise for a parcel over time.

That is: which condition it should be in, and the units it should hold, in year N after the habitat works.

Everything comes from the statutory metric's own tables (``bng.metric``'s reference data), never a
literal: the years a habitat takes to reach each condition (creation: G-4 / G-6 / G-7; enhancement:
the condition-change and distinctiveness-change years), the advance and delay years of the row, and
the temporal multipliers (G-4: 0.965 a year, "30+").

**The time to target** of a row is the metric's final time: its standard years + delay − advance
(0 if the advance exceeds the standard time; "30+" beyond 30 years), as A-2!S, A-3!AH, B-2!Q,
B-3!AB, C-2!P and C-3!AC compute it.

**The path**: the conditions on the way to the target, each with the year the metric says it is
reached (the same chain applied to that condition's standard years). An enhanced parcel starts
from its baseline habitat and condition in year 0; a created one has nothing to show until its
first condition's year.

**The units expected in year N** follow the temporal multiplier: the metric discounts the uplift
of a parcel by ``m(T)`` for the T years it needs; N years on, T − N remain, so

    U(N) = B + (U₀ − B) × m(max(T − N, 0)) / m(T)

where U₀ is the metric's units for the row (year 0) and B the part the metric does not discount
(an enhanced parcel's baseline value, at the enhancement's strategic significance and
encroachment; 0 for a created parcel). U(T) is the target's full value; the difficulty multiplier
stays the plan's (the risk the plan accepted). A "30+" row never reaches its target within the
30 years: its expected units stay U₀. A retained parcel holds its units throughout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bng.metric import Release, load

from .habitats import score_of

LADDER = ("Poor", "Fairly Poor", "Moderate", "Fairly Good", "Good")
"""Condition classes from worst to best (the N/A classes stand alone)."""
LOWER = "Lower Distinctiveness Habitat"
BEYOND = "30+"

Years = float | str | None
"""A number of years, "30+" (beyond the metric's horizon) or None (the metric gives none)."""


def rank(condition: str | None) -> int | None:
    """A condition's place on the ladder (0 Poor … 4 Good); None for the N/A classes or none."""
    if not condition:
        return None
    for i, c in enumerate(LADDER):
        if c.lower() == condition.strip().lower():
            return i
    return None


def _years(value: object) -> Years:
    """A table cell as years: a number, "30+", or None ("Not Possible", "N/A", blank, an error)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip() == BEYOND:
        return BEYOND
    return None


def _given(value: object) -> Years:
    """Advance or delay years as entered (blank is 0)."""
    if value is None or value == "":
        return 0.0
    return _years(value)


def final_years(standard: Years, advance: Years, delay: Years) -> Years:
    """The metric's final time to target of a row: standard + delay − advance, within its limits."""
    if standard is None or advance is None or delay is None:
        return None
    if advance == BEYOND:
        return 0.0
    if standard == BEYOND:
        if advance == 0:
            return BEYOND
        assert isinstance(advance, float)
        return max(30.0 - advance, 0.0)
    assert isinstance(standard, float) and isinstance(advance, float)
    if advance > standard:
        return 0.0
    if delay == BEYOND:
        return BEYOND
    assert isinstance(delay, float)
    if standard + delay > 30.0:
        return BEYOND
    return max(standard + delay - advance, 0.0)


def multiplier(rel: Release, years: Years) -> float | None:
    """The temporal multiplier of a number of years (G-4), or None where the table has none."""
    if years is None:
        return None
    if isinstance(years, str):
        return rel.temporal_multipliers.get(years)
    return rel.temporal_multipliers.get(float(years))


def ss_multiplier(rel: Release, ss: str) -> float | None:
    """The strategic significance multiplier of a release for a label (or one of its aliases); None if unknown."""
    found = rel.strategic_significance.get(ss)
    if found is None:
        label = rel.strategic_significance_aliases.get(ss.strip().lower())
        found = rel.strategic_significance.get(label) if label else None
    return found


def condition_score(rel: Release, module: str, habitat: str, condition: str) -> float | None:
    """The condition score of a habitat in a release (None when the release gives none)."""
    value: object = None
    if module == "area":
        h = rel.area_habitat(habitat)
        value = h.condition_scores.get(condition) if h else None
    elif module == "hedgerow":
        value = rel.condition_scores.get(condition)
    else:
        w = rel.watercourse_types.get(habitat)
        value = w.condition_scores_ci.get(condition.lower()) if w else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _distinctiveness_raised(rel: Release, module: str, base: str | None, target: str) -> bool:
    if not base or base == target:
        return False
    a, b = score_of(module, base, rel), score_of(module, target, rel)
    return a is not None and b is not None and a < b


def standard_years(
    rel: Release,
    module: str,
    intervention: str,
    habitat: str,
    condition: str,
    baseline_habitat: str | None = None,
    baseline_condition: str | None = None,
) -> Years:
    """The metric's standard time to reach ``condition`` of ``habitat`` (creation or enhancement)."""
    if intervention == "created":
        if module == "area":
            h = rel.area_habitat(habitat)
            return _years(h.creation_years.get(condition)) if h else None
        if module == "hedgerow":
            t = rel.hedgerow_types.get(habitat)
            return _years(t.creation_years_ci.get(condition.lower())) if t else None
        return _years(rel.watercourse_creation_years_ci.get(condition.lower()))
    if intervention != "enhanced" or not baseline_condition:
        return None
    raised = _distinctiveness_raised(rel, module, baseline_habitat, habitat)
    if module == "area":
        h = rel.area_habitat(habitat)
        label = f"{LOWER} - {condition}" if raised else f"{baseline_condition} - {condition}"
        return _years(h.enhancement_years_ci.get(label.lower())) if h else None
    if module == "hedgerow":
        if raised and baseline_habitat:
            return _years(rel.hedgerow_distinctiveness_years.get((baseline_habitat, habitat)))
        t = rel.hedgerow_types.get(habitat)
        return _years(t.condition_change_years_ci.get(f"{baseline_condition} - {condition}".lower())) if t else None
    if raised:
        return _years(rel.watercourse_distinctiveness_years)
    return _years(rel.watercourse_condition_years_ci.get((baseline_condition.lower(), condition.lower())))


@dataclass(frozen=True, slots=True)
class Step:
    """A point on the path: the habitat in this condition, reached in this year (or beyond, "30+")."""

    habitat: str
    condition: str
    year: float | str

    def to_dict(self) -> dict[str, Any]:
        """The step as JSON."""
        return {"habitat": self.habitat, "condition": self.condition, "year": self.year}


def path(
    rel: Release,
    module: str,
    intervention: str,
    habitat: str,
    condition: str,
    baseline_habitat: str | None,
    baseline_condition: str | None,
    advance: object = 0.0,
    delay: object = 0.0,
) -> tuple[Step, ...]:
    """The conditions on the way to the target, each with the year it is reached."""
    p, q = _given(advance), _given(delay)
    if intervention == "retained":
        return (Step(habitat, condition, 0.0),)
    steps: list[Step] = []
    target_rank = rank(condition)
    if intervention == "enhanced" and baseline_habitat and baseline_condition:
        steps.append(Step(baseline_habitat, baseline_condition, 0.0))
    if target_rank is None:
        candidates: tuple[str, ...] = (condition,)
    elif intervention == "enhanced" and not _distinctiveness_raised(rel, module, baseline_habitat, habitat):
        start = rank(baseline_condition)
        candidates = LADDER[(start + 1 if start is not None else 0) : target_rank + 1]
    elif intervention == "enhanced" and module != "area":
        candidates = (condition,)  # hedgerow and watercourse tables give one time for a change of type
    else:
        candidates = LADDER[: target_rank + 1]
    last: float = 0.0
    for c in candidates:
        when = final_years(
            standard_years(rel, module, intervention, habitat, c, baseline_habitat, baseline_condition), p, q
        )
        if when is None:
            continue
        if isinstance(when, float):
            when = max(when, last)
            last = when
        steps.append(Step(habitat, c, when))
    return tuple(steps)


@dataclass(frozen=True)
class Trajectory:
    """A monitored parcel's promise: where it should be, and what it should be worth, year by year."""

    key: str
    module: str
    intervention: str  # "retained", "enhanced" or "created"
    habitat: str
    condition: str
    size: float
    plan_units: float | None  # the metric's units for the row (year 0)
    base_units: float  # the part not discounted (enhanced: baseline value; created: 0; retained: all)
    standard: Years
    final: Years  # the year the target is reached (None: the metric gives no time)
    steps: tuple[Step, ...]
    release: str

    @property
    def target_year(self) -> float | None:
        """The year the parcel should reach its target condition (0 for a retained parcel; None if never)."""
        if self.intervention == "retained":
            return 0.0
        return self.final if isinstance(self.final, float) else None

    def expected_step(self, year: float) -> Step | None:
        """Where the metric expects the parcel to be in ``year``: the last step reached by then."""
        found = None
        for s in self.steps:
            if isinstance(s.year, float) and s.year <= year:
                found = s
        return found

    def expected_units(self, year: float) -> float | None:
        """U(N): the units the parcel should hold in year N (see the module's doc)."""
        if self.plan_units is None:
            return None
        if self.intervention == "retained" or self.final == BEYOND:
            return self.plan_units
        if not isinstance(self.final, float):
            return None
        rel = load(self.release)
        m_t = multiplier(rel, self.final)
        m_n = multiplier(rel, max(self.final - max(year, 0.0), 0.0))
        if not m_t or m_n is None:
            return None
        return self.base_units + (self.plan_units - self.base_units) * m_n / m_t

    def target_units(self) -> float | None:
        """The units at the target (year T): the row's value with no time left to wait."""
        t = self.target_year
        return self.expected_units(t) if t is not None else self.plan_units

    def to_dict(self) -> dict[str, Any]:
        """The trajectory as JSON (the gain plan's ``bng/gain-plan/1`` entry)."""
        return {
            "key": self.key,
            "module": self.module,
            "intervention": self.intervention,
            "habitat": self.habitat,
            "condition": self.condition,
            "size": self.size,
            "plan_units": self.plan_units,
            "base_units": self.base_units,
            "standard_years": self.standard,
            "final_years": self.final,
            "steps": [s.to_dict() for s in self.steps],
            "release": self.release,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Trajectory:
        """A trajectory read back from JSON."""

        def years(v: Any) -> Years:
            return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else (v if v == BEYOND else None)

        return cls(
            key=str(d["key"]),
            module=str(d["module"]),
            intervention=str(d["intervention"]),
            habitat=str(d["habitat"]),
            condition=str(d["condition"]),
            size=float(d["size"]),
            plan_units=None if d.get("plan_units") is None else float(d["plan_units"]),
            base_units=float(d.get("base_units") or 0.0),
            standard=years(d.get("standard_years")),
            final=years(d.get("final_years")),
            steps=tuple(Step(s["habitat"], s["condition"], years(s["year"]) or 0.0) for s in d.get("steps", [])),
            release=str(d["release"]),
        )


def base_units(
    rel: Release,
    module: str,
    intervention: str,
    size: float,
    baseline_habitat: str | None,
    baseline_condition: str | None,
    strategic_significance: str,
    baseline_size: float | None = None,
    encroachment: str | None = None,
    riparian_encroachment: str | None = None,
    target_habitat: str | None = None,
    target_condition: str | None = None,
    on_site: bool = True,
) -> float | None:
    """The part of a row's units the metric does not discount for time or difficulty.

    An enhanced parcel keeps its baseline value whole (size × distinctiveness × condition of the
    baseline, × the enhancement's strategic significance, and for a watercourse its encroachment
    multipliers; a lengthened watercourse values the baseline on its baseline length: A-3!AN,
    B-3!AH, C-3!AM; on-site, A-3 values the baseline at the proposal's condition score where that is
    lower). A created parcel has none.
    """
    if intervention == "created":
        return 0.0
    if not baseline_habitat or not baseline_condition:
        return None
    d = score_of(module, baseline_habitat, rel)
    c = condition_score(rel, module, baseline_habitat, baseline_condition)
    ss = ss_multiplier(rel, strategic_significance)
    if d is None or c is None or ss is None:
        return None
    if module == "area" and on_site and target_condition:
        # A-3!AN12: where the baseline's condition scores above the proposal's, the on-site sheet values the
        # baseline at the proposal's condition score (D-3 does not): the workbook's rule, kept
        proposed = condition_score(rel, module, target_habitat or baseline_habitat, target_condition)
        if proposed is not None and c > proposed:
            c = proposed
    length = size
    extra = 1.0
    if module == "watercourse":
        if baseline_size is not None and size > baseline_size:
            length = baseline_size
        wc = rel.watercourse_encroachment.get(encroachment or "No Encroachment")
        rip = rel.riparian_encroachment.get(riparian_encroachment or "No Encroachment/ No Encroachment")
        if wc is None or rip is None:
            return None
        extra = wc * rip
    return length * d * c * ss * extra


def trajectory(
    rel: Release,
    *,
    key: str,
    module: str,
    intervention: str,
    habitat: str,
    condition: str,
    size: float,
    plan_units: float | None,
    strategic_significance: str,
    baseline_habitat: str | None = None,
    baseline_condition: str | None = None,
    advance: object = 0.0,
    delay: object = 0.0,
    baseline_size: float | None = None,
    encroachment: str | None = None,
    riparian_encroachment: str | None = None,
    on_site: bool = True,
) -> Trajectory:
    """A parcel's trajectory from the metric's tables (see the module's doc)."""
    if intervention == "retained":
        std: Years = 0.0
        fin: Years = 0.0
        base = plan_units or 0.0
    else:
        std = standard_years(rel, module, intervention, habitat, condition, baseline_habitat, baseline_condition)
        fin = final_years(std, _given(advance), _given(delay))
        found = base_units(
            rel,
            module,
            intervention,
            size,
            baseline_habitat,
            baseline_condition,
            strategic_significance,
            baseline_size,
            encroachment,
            riparian_encroachment,
            habitat,
            condition,
            on_site,
        )
        base = found if found is not None else 0.0
    steps = path(rel, module, intervention, habitat, condition, baseline_habitat, baseline_condition, advance, delay)
    return Trajectory(key, module, intervention, habitat, condition, size, plan_units, base, std, fin, steps, rel.id)


def from_parcel(parcel: Mapping[str, Any], release: str) -> Trajectory:
    """The trajectory of a gain plan's parcel (its ``bng/gain-plan/1`` entry).

    The one it carries, or, for a plan written before trajectories were kept, one made now from the
    parcel's own fields.
    """
    kept = parcel.get("trajectory")
    if isinstance(kept, Mapping):
        return Trajectory.from_dict(kept)
    units = parcel.get("units")
    return trajectory(
        load(release),
        key=str(parcel["key"]),
        module=str(parcel["module"]),
        intervention=str(parcel["intervention"]),
        habitat=str(parcel["habitat"]),
        condition=str(parcel["condition"]),
        size=float(parcel.get("size") or 0.0),
        plan_units=float(units) if isinstance(units, int | float) else None,
        strategic_significance=str(parcel.get("strategic_significance") or ""),
        baseline_habitat=parcel.get("baseline_habitat") if parcel.get("intervention") != "created" else None,
        baseline_condition=parcel.get("baseline_condition"),
        advance=parcel.get("advance_years") or 0.0,
        delay=parcel.get("delay_years") or 0.0,
    )
