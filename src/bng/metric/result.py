"""What the engine returns: the workbook's results, numbers as numbers and texts as ``None``.

Every figure is a full-precision float (rounding is for display). Where the workbook shows a
text instead of a number (an error, "N/A", "Check Data ⚠") the figure is ``None`` and the
text is kept beside it, so nothing the workbook says is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .xl import Value

Number = float | None


def number(v: Value) -> Number:
    """The number a cell shows, or None where it shows a text, nothing or an error."""
    if isinstance(v, float):
        return 0.0 if v == 0.0 else v  # no negative zero in output
    return None


def text(v: Value) -> str | None:
    """The text a cell shows (an error value as "#VALUE!"), or None where it shows a number or nothing."""
    if isinstance(v, str) and v.strip():
        return v
    if v is not None and not isinstance(v, (float, str)):
        return "#VALUE!"
    return None


class RowResult(NamedTuple):
    """One input row's result (a named tuple: results hold one per parcel, so creation is kept cheap)."""

    module: str
    location: str
    stage: str
    ref: str
    units: Number
    retained_units: Number = None
    enhanced_units: Number = None
    units_srm: Number = None
    gain_site: str | None = None
    baseline_ref: str | None = None
    codes: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()

    @property
    def has_error(self) -> bool:
        """Whether the row shows an input error or a broken rule (a ▲ text)."""
        return any("▲" in m for m in self.messages)


@dataclass(frozen=True, slots=True)
class OnSiteTotals:
    """A module's on-site totals: baseline, retained, created, enhanced, post-intervention and the change."""

    baseline_units: Number
    retained_units: Number
    enhanced_baseline_units: Number
    creation_units: Number
    enhancement_units: Number
    post_intervention_units: Number
    net_change_units: Number
    net_change_percent: Number
    vhdh_bespoke_units: Number


@dataclass(frozen=True, slots=True)
class OffSiteTotals:
    """A module's off-site totals, before and after the spatial risk multiplier (SRM)."""

    baseline_units: Number
    post_intervention_units: Number
    net_change_units: Number
    srm_deduction_units: Number
    baseline_units_srm: Number
    post_intervention_units_srm: Number
    net_change_percent: Number
    change_with_srm_units: Number


@dataclass(frozen=True, slots=True)
class ModuleResult:
    """One module's headline: totals, net change, the target and the units still required."""

    module: str
    on_site: OnSiteTotals
    off_site: OffSiteTotals
    combined_net_change_units: Number
    total_net_change_units: Number
    total_net_change_percent: Number
    target_percent: float
    units_required: Number
    target_met: bool | None
    unit_deficit: Number
    trading_rules_satisfied: bool | None
    messages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GainSiteResult:
    """A row of the workbook's "Off-site gain site summary" (what an allocation records)."""

    gain_site: str
    module: str
    baseline_units: Number
    baseline_units_srm: Number
    retained_units: Number
    retained_units_srm: Number
    enhanced_units: Number
    enhanced_units_srm: Number
    created_units: Number
    created_units_srm: Number
    change_units: Number
    spatial_risk_multiplier: Number
    change_post_srm_units: Number
    codes: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HabitatChange:
    """A habitat's (or type's) change in units on-site, off-site and in all."""

    habitat: str
    on_site_units: Number
    off_site_units: Number
    change_units: Number


@dataclass(frozen=True, slots=True)
class BandVerdict:
    """One band of a trading summary: is its rule met, and if not, by how much not."""

    band: str
    rule: str
    satisfied: bool | None
    verdict: str
    shortfall_units: Number
    failing: tuple[HabitatChange, ...] = ()


@dataclass(frozen=True, slots=True)
class TradingResult:
    """One module's trading summary: each band's verdict, and every habitat's change."""

    module: str
    bands: tuple[BandVerdict, ...]
    satisfied: bool | None
    changes: tuple[HabitatChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Credits:
    """Statutory biodiversity credits by tier (Unit shortfall summary D5:D11): 2 per unit short."""

    by_tier: dict[str, Number]
    messages: tuple[str, ...] = ()

    @property
    def total(self) -> Number:
        """All credits; None where a tier shows a text."""
        values = list(self.by_tier.values())
        if any(v is None for v in values):
            return None
        return sum(v for v in values if v is not None)


@dataclass(frozen=True, slots=True)
class InputIssue:
    """A problem with the input itself: where it is, what is wrong, what was expected."""

    path: str
    ref: str | None
    field: str | None
    message: str
    code: str
    severity: str = "error"

    def __str__(self) -> str:
        """Where the problem is and what it is, in one line."""
        where = self.path + (f" row {self.ref!r}" if self.ref is not None else "")
        what = f" field {self.field!r}" if self.field else ""
        return f"{where}{what}: {self.message}"


@dataclass(frozen=True)
class Result:
    """Everything the workbook computes for a site, naming the metric release that computed it."""

    metric_release: str
    release_title: str
    modules: dict[str, ModuleResult]
    rows: tuple[RowResult, ...]
    gain_sites: tuple[GainSiteResult, ...]
    trading: dict[str, TradingResult]
    trading_all_satisfied: bool | None
    credits: Credits
    issues: tuple[InputIssue, ...] = ()
    messages: tuple[str, ...] = field(default=())

    @property
    def row_errors(self) -> tuple[RowResult, ...]:
        """The rows that show an input error or a broken rule."""
        return tuple(r for r in self.rows if r.has_error)
