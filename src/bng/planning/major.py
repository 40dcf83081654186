"""Major development, as the DMPO 2015 art 2(1) defines it (``dmpo_major.csv``), and so "small".

Any one limb makes development major: minerals; waste; 10 or more dwellings; 0.5 ha or more
where the number of dwellings is not known; 1,000 m² or more of floorspace created; a site of
1 ha or more. Small (non-major) development therefore needs every limb to fail: fewer than
10 dwellings AND less than 1,000 m² AND a site under 1 ha (AND, dwellings unknown, under
0.5 ha). Source 004 (and some LPA pages, and a 2024 Defra summary) describe non-residential
small sites as "less than 1,000 m² OR less than one hectare": read literally, a 1.5 ha
warehouse of 800 m² would be small. It is not: limb (e) alone makes it major. bng follows
the DMPO (docs/planning.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .application import Application
from .tables import MajorLimb, tables


@dataclass(frozen=True, slots=True)
class LimbOutcome:
    """One limb of the DMPO's definition of major development: met, not met, or not known, and why."""

    limb: MajorLimb
    met: bool | None  # None: a fact it needs is not known
    detail: str


@dataclass(frozen=True, slots=True)
class MajorDecision:
    """Whether development is major (None: not decidable), every limb, and the facts missing to decide."""

    major: bool | None  # None: not decidable from the facts given
    limbs: tuple[LimbOutcome, ...]
    missing: tuple[str, ...]

    @property
    def small(self) -> bool | None:
        """Small (not major) development; None when that cannot be decided."""
        return None if self.major is None else not self.major

    @property
    def reasons(self) -> tuple[str, ...]:
        """The decision in words: the limbs met, or that none is, or what is missing."""
        if self.major:
            return tuple(
                f"DMPO art 2(1) limb ({o.limb.limb}): {o.limb.words} — {o.detail}" for o in self.limbs if o.met
            )
        if self.major is False:
            return ("no limb of the DMPO art 2(1) definition of major development is met",)
        return tuple(f"cannot decide without: {m}" for m in self.missing)


def _compare(value: float, comparator: str, threshold: float) -> bool:
    if comparator == ">=":
        return value >= threshold
    if comparator == ">":
        return value > threshold
    raise ValueError(f"dmpo_major.csv: unknown comparator {comparator!r}")


def _fmt(v: float) -> str:
    return f"{v:,.4g}" if v != int(v) else f"{int(v):,}"


def _dwellings(app: Application, limb: MajorLimb) -> tuple[bool | None, str]:
    if app.dwellings is not None:
        return _compare(app.dwellings, limb.comparator, float(limb.threshold)), f"{app.dwellings} dwelling(s)"
    if app.residential is False:
        return False, "no dwellings"
    if app.residential is True:
        return False, "the number of dwellings is not known: limb (c)(ii) decides"
    return None, "whether dwellings are provided, and how many, is not known"


def _site_area_dwellings_unknown(app: Application, limb: MajorLimb) -> tuple[bool | None, str]:
    if app.dwellings is not None or app.residential is False:
        return False, "the number of dwellings is known (or there are none)"
    if app.residential is None:
        return None, "whether dwellings are provided is not known"
    if app.site_area_ha is None:
        return None, "site area not known"
    met = _compare(app.site_area_ha, limb.comparator, float(limb.threshold))
    return met, f"site of {_fmt(app.site_area_ha)} ha, number of dwellings not known"


def _floorspace(app: Application, limb: MajorLimb) -> tuple[bool | None, str]:
    if app.floorspace_m2 is None:
        return None, "floorspace created not known"
    met = _compare(app.floorspace_m2, limb.comparator, float(limb.threshold))
    return met, f"{_fmt(app.floorspace_m2)} m² of floorspace created"


def _site_area(app: Application, limb: MajorLimb) -> tuple[bool | None, str]:
    if app.site_area_ha is None:
        return None, "site area not known"
    return _compare(app.site_area_ha, limb.comparator, float(limb.threshold)), f"site of {_fmt(app.site_area_ha)} ha"


_LIMBS: dict[str, Callable[[Application, MajorLimb], tuple[bool | None, str]]] = {
    "minerals": lambda app, _: (app.minerals, "minerals development" if app.minerals else "not minerals"),
    "waste": lambda app, _: (app.waste, "waste development" if app.waste else "not waste"),
    "dwellings": _dwellings,
    "site_area_ha_dwellings_unknown": _site_area_dwellings_unknown,
    "floorspace_m2": _floorspace,
    "site_area_ha": _site_area,
}
"""Each fact of ``dmpo_major.csv``: whether its limb is met (None: not known) and why."""

_MISSING = {
    "dwellings": "the number of dwellings (or residential: false)",
    "site_area_ha_dwellings_unknown": "the number of dwellings or the site area",
    "floorspace_m2": "the floorspace created (floorspace_m2)",
    "site_area_ha": "the site area (site_area_ha)",
}
"""What to ask for when a limb cannot be decided."""


def major_development(app: Application) -> MajorDecision:
    """Whether the development is major by the DMPO's limbs (``dmpo_major.csv``), and what is missing to decide."""
    out: list[LimbOutcome] = []
    for limb in tables().major_limbs:
        outcome = _LIMBS.get(limb.fact)
        if outcome is None:
            raise ValueError(f"dmpo_major.csv: unknown fact {limb.fact!r}")
        out.append(LimbOutcome(limb, *outcome(app, limb)))
    missing = [_MISSING.get(o.limb.fact, o.limb.fact) for o in out if o.met is None]
    if any(o.met for o in out):
        major: bool | None = True
    elif missing:
        major = None
    else:
        major = False
    return MajorDecision(major, tuple(out), tuple(dict.fromkeys(missing)))


def small_by_source_004(app: Application) -> bool | None:
    """Source 004's loose reading, kept only to show where it parts from the DMPO (docs, tests).

    Residential 1-9 dwellings on under 1 ha (unknown: under 0.5 ha); non-residential under
    1,000 m² OR under 1 ha.
    """
    if app.residential:
        if app.dwellings is None:
            return None if app.site_area_ha is None else app.site_area_ha < 0.5
        return 1 <= app.dwellings <= 9 and app.site_area_ha is not None and app.site_area_ha < 1.0
    floor, site = app.floorspace_m2, app.site_area_ha
    return (floor is not None and floor < 1000) or (site is not None and site < 1.0)
