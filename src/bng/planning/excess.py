"""Excess on-site gains: the units a development may sell to another development (source 002).

"If you make on-site gains in excess of the mandatory 10% BNG, you can count these towards another
development's BNG … if an LPA requires 20% BNG, a developer can only sell the excess above 20%"
(GOV.UK, source 002). Per module of the development's metric:

    sellable = max(0, min(on-site net change − pre-development value × target, uplift))

where target = max(the statutory 10 %, the LPA's local target), and ``uplift`` is what created
and enhanced parcels add (created parcels' units, enhanced parcels' units less the baseline
value they keep): retained habitat is never sold. Sold units become off-site gains of the buyer
(registered on the register and allocated), so the development's own ledger must never sell more
than this: what it sold still counts for the buyer, not for itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .tables import tables

MODULES = ("area", "hedgerow", "watercourse")


@dataclass(frozen=True, slots=True)
class ModuleExcess:
    """One module's gains beyond what the development needs, in units: what may be sold as excess."""

    module: str
    pre_development: float
    post_development: float
    target_percent: float
    uplift: float  # what created and enhanced parcels add

    @property
    def net_change(self) -> float:
        """Post-development less pre-development units."""
        return self.post_development - self.pre_development

    @property
    def required(self) -> float:
        """The units the target asks for above the pre-development value."""
        return self.pre_development * self.target_percent / 100.0

    @property
    def sellable(self) -> float:
        """What may be sold: the gain above the target, and never more than the created and enhanced parcels add."""
        return max(0.0, min(self.net_change - self.required, self.uplift))

    @property
    def net_change_percent(self) -> float | None:
        """The net change as a percentage of the pre-development value (None when that is nothing)."""
        return None if self.pre_development <= 0 else 100.0 * self.net_change / self.pre_development

    @property
    def sellable_percent(self) -> float | None:
        """The sellable excess as a percentage of the pre-development value (None when that is nothing)."""
        return None if self.pre_development <= 0 else 100.0 * self.sellable / self.pre_development

    def to_dict(self) -> dict[str, Any]:
        """The module's figures as JSON."""
        return {
            "module": self.module,
            "pre_development": self.pre_development,
            "post_development": self.post_development,
            "net_change": self.net_change,
            "net_change_percent": self.net_change_percent,
            "target_percent": self.target_percent,
            "required": self.required,
            "uplift": self.uplift,
            "sellable": self.sellable,
            "sellable_percent": self.sellable_percent,
        }


def target_percent(local_target_percent: float | None) -> float:
    """The target the excess is measured above: the statutory 10 % or the LPA's local target, if higher."""
    statutory = tables().number("statutory_target_percent")
    return max(statutory, local_target_percent or 0.0)


def _uplift(parcels: Sequence[Mapping[str, Any]], module: str) -> float:
    total = 0.0
    for p in parcels:
        if p.get("module") != module or p.get("intervention") not in ("created", "enhanced"):
            continue
        units = p.get("units")
        if not isinstance(units, int | float):
            continue
        kept = 0.0
        if p.get("intervention") == "enhanced":
            kept = float(((p.get("trajectory") or {}).get("base_units")) or 0.0)
        total += max(float(units) - kept, 0.0)
    return total


def excess(gain_plan: Mapping[str, Any], local_target_percent: float | None) -> tuple[ModuleExcess, ...]:
    """The sellable excess per module of a gain plan (its ``bng/gain-plan/1`` data)."""
    target = target_percent(local_target_percent)
    values = {m["module"]: m for m in (gain_plan.get("objective") or {}).get("modules", [])}
    parcels = gain_plan.get("parcels") or []
    out = []
    for module in MODULES:
        v = values.get(module) or {}
        out.append(
            ModuleExcess(
                module,
                float(v.get("pre_development") or 0.0),
                float(v.get("post_development_onsite") or 0.0),
                target,
                _uplift(parcels, module),
            )
        )
    return tuple(out)
