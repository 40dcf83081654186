"""A monitoring report judged against the metric's promise, parcel by parcel.

For each monitored parcel bng compares what the report observed in year N (habitat, condition,
extent) with its :class:`~bng.planning.trajectory.Trajectory`: the habitat and condition the
metric expects by year N, and the units it should hold by then. Each parcel is:

* **not yet due** — the metric expects nothing measurable yet (a created habitat before its first
  condition's year, or a delayed start), and nothing was lost;
* **failed** — the parcel is lost, or most of it (extent below ``extent_failed_below_percent``),
  or it holds a habitat that is not on its path to the target, or its condition fell below the
  condition it started from (the metric never lets condition be reduced);
* **behind** — not assessed in a report that was due, or in a condition below the one expected
  for year N, or smaller than planned (below ``extent_behind_below_percent``), or holding fewer
  units than the trajectory (below ``units_behind_below_percent`` of them);
* **on track** — otherwise.

Observed units are valued on the same trajectory: the year the metric says the observed
condition is reached (N itself when the parcel is where it should be; later when ahead; earlier
when behind), scaled by the extent measured. A habitat off the path holds none of the
obligation's units. Thresholds are rows of ``monitoring_rules.csv``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bng.metric import load

from .monitoring_tables import monitoring_tables
from .trajectory import Step, Trajectory, condition_score, rank


class Status(StrEnum):
    """Where a monitored parcel stands against its trajectory."""

    ON_TRACK = "on track"
    BEHIND = "behind"
    FAILED = "failed"
    NOT_YET_DUE = "not yet due"


SEVERITY = {Status.FAILED: 3, Status.BEHIND: 2, Status.ON_TRACK: 1, Status.NOT_YET_DUE: 0}


@dataclass(frozen=True, slots=True)
class Observation:
    """What a report found on a parcel in year N."""

    key: str
    habitat: str = ""
    condition: str = ""
    size: float | None = None  # ha or km measured; None: as planned
    lost: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The observation as JSON (a monitoring report's row)."""
        return {
            "key": self.key,
            "habitat": self.habitat,
            "condition": self.condition,
            "size": self.size,
            "lost": self.lost,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Observation:
        """An observation read back from JSON."""
        size = d.get("size")
        return cls(
            str(d["key"]),
            str(d.get("habitat") or ""),
            str(d.get("condition") or ""),
            None if size is None or size == "" else float(size),
            bool(d.get("lost")),
            str(d.get("note") or ""),
        )


@dataclass(frozen=True)
class Verdict:
    """One parcel judged in a monitoring year: its status, why, and the units expected and observed."""

    key: str
    status: Status
    reasons: tuple[str, ...]
    expected: Step | None
    expected_units: float | None
    observed_units: float | None
    observation: Observation | None

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON."""
        return {
            "key": self.key,
            "status": self.status.value,
            "reasons": list(self.reasons),
            "expected": self.expected.to_dict() if self.expected else None,
            "expected_units": self.expected_units,
            "observed_units": self.observed_units,
            "observation": self.observation.to_dict() if self.observation else None,
        }


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def _reached(traj: Trajectory, obs: Observation) -> int | None:
    """The index of the furthest step of the path the observed habitat and condition reach."""
    found = None
    obs_rank = rank(obs.condition)
    for i, s in enumerate(traj.steps):
        if not _same(s.habitat, obs.habitat):
            continue
        step_rank = rank(s.condition)
        if (step_rank is None and _same(s.condition, obs.condition)) or (
            step_rank is not None and obs_rank is not None and obs_rank >= step_rank
        ):
            found = i
    return found


def observed_units(traj: Trajectory, year: float, obs: Observation) -> float | None:
    """The units the observed parcel holds on its trajectory (0 when lost or off its path)."""
    if traj.plan_units is None:
        return None
    if obs.lost:
        return 0.0
    size_share = 1.0 if obs.size is None or traj.size <= 0 else max(obs.size, 0.0) / traj.size
    if traj.intervention == "retained":
        if not _same(obs.habitat or traj.habitat, traj.habitat):
            return 0.0
        rel = load(traj.release)
        planned = condition_score(rel, traj.module, traj.habitat, traj.condition)
        seen = condition_score(rel, traj.module, traj.habitat, obs.condition or traj.condition)
        ratio = seen / planned if planned and seen is not None else 1.0
        return traj.plan_units * size_share * ratio
    reached = _reached(traj, obs)
    if reached is None:
        on_path = any(_same(s.habitat, obs.habitat) for s in traj.steps) or _same(obs.habitat, traj.habitat)
        if not on_path:
            return 0.0
        effective = 0.0  # the right habitat, but no condition of the path reached yet
    else:
        step = traj.steps[reached]
        expected = traj.expected_step(year)
        expected_index = traj.steps.index(expected) if expected is not None else -1
        if not isinstance(step.year, float) or reached == expected_index:
            effective = year
        elif reached > expected_index:
            effective = max(year, step.year)
        else:
            effective = step.year
    if traj.target_year is not None:
        effective = min(effective, traj.target_year)
    units = traj.expected_units(effective)
    return None if units is None else units * size_share


def judge(traj: Trajectory, year: float, obs: Observation | None, due: bool = True) -> Verdict:
    """One parcel in year N (``due``: whether a report was due, so a parcel it leaves out is behind)."""
    rules = monitoring_tables()
    behind_extent = rules.number("extent_behind_below_percent") / 100.0
    failed_extent = rules.number("extent_failed_below_percent") / 100.0
    units_share = rules.number("units_behind_below_percent") / 100.0
    expected = traj.expected_step(year)
    expected_units = traj.expected_units(year)
    if obs is None:
        if expected is None or not due:
            return Verdict(
                traj.key, Status.NOT_YET_DUE, ("nothing is expected yet",), expected, expected_units, None, None
            )
        return Verdict(
            traj.key,
            Status.BEHIND,
            ("no assessment of this parcel in the report",),
            expected,
            expected_units,
            None,
            None,
        )
    obs = Observation(
        obs.key, obs.habitat or traj.habitat, obs.condition, obs.size, obs.lost, obs.note
    )  # a habitat not stated is the plan's
    units = observed_units(traj, year, obs)
    failed: list[str] = []
    behind: list[str] = []
    size_share = 1.0 if obs.size is None or traj.size <= 0 else obs.size / traj.size
    unit = "ha" if traj.module == "area" else "km"
    if obs.lost:
        failed.append("the parcel is lost")
    elif size_share < failed_extent:
        failed.append(f"{obs.size:.4f} {unit} found of {traj.size:.4f} {unit} planned")
    path_habitats = {s.habitat.strip().lower() for s in traj.steps} | {traj.habitat.strip().lower()}
    if not obs.lost and obs.habitat.strip().lower() not in path_habitats:
        failed.append(f"the habitat is {obs.habitat}, not {traj.habitat} (nor a habitat on its way there)")
    start = traj.steps[0] if traj.intervention in ("enhanced", "retained") and traj.steps else None
    if start is not None and not obs.lost and _same(obs.habitat, start.habitat):
        a, b = rank(obs.condition), rank(start.condition)
        if a is not None and b is not None and a < b:
            failed.append(f"the condition fell to {obs.condition} from {start.condition}")
    if failed:
        return Verdict(traj.key, Status.FAILED, tuple(failed), expected, expected_units, units, obs)
    if expected is None:
        return Verdict(traj.key, Status.NOT_YET_DUE, ("nothing is expected yet",), expected, expected_units, units, obs)
    reached = _reached(traj, obs)
    expected_index = traj.steps.index(expected)
    if reached is None or reached < expected_index:
        where = f"{obs.condition or 'no condition given'}"
        behind.append(
            f"{where}; the metric expects {expected.habitat} in {expected.condition} condition by year {year:g}"
        )
    if size_share < behind_extent:
        behind.append(f"{obs.size:.4f} {unit} found of {traj.size:.4f} {unit} planned")
    if units is not None and expected_units is not None and units < expected_units * units_share - 1e-9:
        behind.append(f"{units:.4f} units held, {expected_units:.4f} expected by year {year:g}")
    if behind:
        return Verdict(traj.key, Status.BEHIND, tuple(behind), expected, expected_units, units, obs)
    return Verdict(traj.key, Status.ON_TRACK, (), expected, expected_units, units, obs)


@dataclass(frozen=True)
class Assessment:
    """A report's parcels judged, and the obligation's units delivered against those promised."""

    year: float
    verdicts: tuple[Verdict, ...]
    units: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # module -> promised/expected/delivered

    @property
    def status(self) -> Status:
        """The report's status: the worst of its parcels that are due."""
        due = [v.status for v in self.verdicts if v.status != Status.NOT_YET_DUE]
        if not due:
            return Status.NOT_YET_DUE
        return max(due, key=lambda s: SEVERITY[s])

    def counts(self) -> dict[str, int]:
        """How many parcels are in each status."""
        out = {s.value: 0 for s in Status}
        for v in self.verdicts:
            out[v.status.value] += 1
        return out

    @property
    def off_track(self) -> tuple[Verdict, ...]:
        """The parcels behind or failed: what remedial action is about."""
        return tuple(v for v in self.verdicts if v.status in (Status.BEHIND, Status.FAILED))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON."""
        return {
            "year": self.year,
            "status": self.status.value,
            "counts": self.counts(),
            "verdicts": [v.to_dict() for v in self.verdicts],
            "units": {m: dict(v) for m, v in self.units.items()},
        }


def assess(
    trajectories: Sequence[Trajectory], year: float, observations: Iterable[Observation], due: bool = True
) -> Assessment:
    """Every monitored parcel judged in year N, and the units per module.

    The units are promised (the plan's), expected by year N (the trajectories) and delivered (observed).
    """
    seen = {o.key: o for o in observations}
    verdicts = tuple(judge(t, year, seen.get(t.key), due) for t in trajectories)
    units: dict[str, dict[str, float]] = {}
    for t, v in zip(trajectories, verdicts, strict=True):
        u = units.setdefault(t.module, {"promised": 0.0, "expected": 0.0, "delivered": 0.0})
        u["promised"] += t.plan_units or 0.0
        u["expected"] += v.expected_units or 0.0
        delivered = v.observed_units
        if delivered is None and v.status == Status.NOT_YET_DUE:
            delivered = v.expected_units  # nothing due: nothing short
        u["delivered"] += delivered or 0.0
    return Assessment(year, verdicts, units)
