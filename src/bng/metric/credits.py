"""Statutory biodiversity credits: "Unit shortfall calculations" and "Unit shortfall summary".

Each unit the development still lacks is bought as two statutory credits (the credits carry
the spatial risk multiplier 0.5). The tier follows the habitat that is short:

* losses of High habitats are charged to their own tier (A1-A5, ``credit_tiers.csv``);
* losses of Medium broad-habitat groups are offset first by High/V.High gains of the same
  group (rule 1), then by what remains against the most expensive Medium tier, then the next
  (rules 2-4), and what is still lost is charged to the group's tier (``credit_medium_groups.csv``);
* Low losses, after what surplus remains (rule 5), and any unit deficit to reach the target
  are charged to A1; hedgerow (H) and watercourse (W) shortfalls likewise.

Any remaining very high distinctiveness loss turns every tier into "ERROR": such losses must
be compensated within the metric or by bespoke compensation, never with credits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from . import xl
from .messages import T
from .reference import CreditPrice, Release
from .result import Credits, number
from .trading import AreaTrading, LinearTrading
from .xl import Value, XlError, catch, ge, le, lt, num

TIERS = ("A1", "A2", "A3", "A4", "A5", "H", "W")


def _neg(values: Iterable[Value]) -> float:
    return xl.sum_negative(values)


def _pos(values: Iterable[Value]) -> float:
    return xl.sum_positive(values)


def _min0(v: Value) -> float:
    """SUMIF(cell, "<0"): the cell if it is negative, else 0."""
    return v if isinstance(v, float) and v < 0.0 else 0.0


@dataclass(frozen=True, slots=True)
class Deficit:
    """A module's row of the shortfall table: baseline (E), units required (F), deficit (G)."""

    baseline: Value
    required: Value
    deficit: Value


def area_tier_losses(rel: Release, area: AreaTrading) -> dict[str, Value]:
    """F10 … F13 and the inputs of F9 (A1): High losses by tier plus Medium losses by rule."""
    change = {k: c.total for k, c in area.changes.items()}
    high: dict[str, list[Value]] = {}
    for label, tier in rel.credit_tiers.items():
        high.setdefault(tier, []).append(change[label.lower()])
    high_losses = {tier: _neg(values) for tier, values in high.items()}  # H21, H27, H45, H57, H65
    medium_losses, surplus = _medium_losses(rel, area, change)
    # Rule 5: Low losses after the Medium surplus and what higher surplus is left (E138:G138)
    low_after_medium = catch(lambda: xl.add(_min0(area.low_change), area.medium_group_gains))
    low_losses = _min0(catch(lambda: xl.add(num(low_after_medium), surplus)))
    out: dict[str, Value] = {}
    for tier in ("A2", "A3", "A4", "A5"):
        out[tier] = xl.add(high_losses.get(tier, 0.0), medium_losses.get(tier, 0.0)) * -1.0
    a1 = xl.add(xl.add(high_losses.get("A1", 0.0), medium_losses.get("A1", 0.0)), low_losses)
    out["A1_losses"] = a1 * -1.0
    return out


def _medium_losses(rel: Release, area: AreaTrading, change: Mapping[str, Value]) -> tuple[dict[str, float], float]:
    """Rules 1-4 over the Medium broad-habitat groups (rows 122-133): the Medium losses left in each tier.

    Returns them by tier, and the surplus left after rule 4 (K133) for the Low losses of rule 5.
    """
    groups = rel.medium_groups
    after_rule1: dict[str, Value] = {}  # column H
    for g in groups:
        surplus = _pos(change[s.lower()] for s in g.surplus_sources)  # E: higher gains of the group
        block = area.medium_blocks.get(g.medium_block, 0.0) if g.medium_block else 0.0
        after_rule1[g.name] = _rule1(surplus, block)
    tiers_in_order = rel.rules.medium_offset_order  # most expensive Medium tier first
    by_tier: dict[str, list[str]] = {}
    for g in groups:
        by_tier.setdefault(g.tier, []).append(g.name)
    # Rule 2: I = Σ negative H of the tier (+ H133 for the first tier)
    after_rule2: dict[str, float] = {}
    for n, tier in enumerate(tiers_in_order):
        after_rule2[tier] = _neg(after_rule1[g] for g in by_tier.get(tier, ()))
        if n == 0:
            after_rule2[tier] = xl.add(after_rule2[tier], _pos(after_rule1.values()))
    surplus2 = _pos(after_rule2.values())  # I133
    # Rule 3: J (second tier) = I + I133; others keep their negative part
    after_rule3: dict[str, float] = {}
    for n, tier in enumerate(tiers_in_order):
        after_rule3[tier] = xl.add(after_rule2[tier], surplus2) if n == 1 else _min0(after_rule2[tier])
    surplus3 = _pos(after_rule3.values())  # J133
    # Rule 4: K (third tier) = J + J133
    after_rule4: dict[str, float] = {}
    for n, tier in enumerate(tiers_in_order):
        after_rule4[tier] = xl.add(after_rule3[tier], surplus3) if n == 2 else _min0(after_rule3[tier])
    return {tier: _min0(after_rule4[tier]) for tier in tiers_in_order}, _pos(after_rule4.values())


def _rule1(surplus: float, block: Value) -> Value:
    """H = E + G: a group's higher surplus plus its Medium loss (G = the block total if negative)."""
    try:
        loss = num(block) if lt(block, 0.0) else 0.0
        return xl.add(surplus, loss)
    except XlError:
        return xl.ERROR


def _a1(losses: Mapping[str, Value], deficit: Deficit) -> Value:
    """F9: A1 takes its own losses, or the part of the unit deficit the other tiers leave."""
    own = num(losses["A1_losses"])
    f10, f11, f12, f13 = (num(losses[t]) for t in ("A2", "A3", "A4", "A5"))
    all_losses = xl.add(xl.add(xl.add(xl.add(f13, f12), f11), f10), own)
    short = deficit.deficit  # G3
    if ge(all_losses, short):
        return own
    uplift = xl.sub(num(deficit.required), num(deficit.baseline))  # F3 − E3: the uplift the target asks for
    if ge(all_losses, xl.sub(num(short), uplift)):
        return xl.add(own, xl.sub(num(short), all_losses))
    if le(short, 0.0):
        return own
    if lt(all_losses, short):
        return xl.sub(num(short), xl.add(xl.add(xl.add(f10, f11), f12), f13))
    if ge(short, uplift):
        return xl.add(own, uplift)
    return xl.add(own, num(short))


def _linear(losses: Sequence[Value], deficit: Deficit) -> Value:
    """F14 / F15: hedgerow or watercourse losses not offset, or the deficit if larger."""
    not_offset = _neg(losses) * -1.0
    short = deficit.deficit  # G4 / G5
    if lt(not_offset, short):
        return short
    if le(short, 0.0):
        return not_offset
    if ge(short, xl.sub(num(deficit.required), num(deficit.baseline))):
        return not_offset
    return xl.add(not_offset, num(short))


def credits(
    rel: Release,
    area: AreaTrading,
    hedgerow: LinearTrading,
    watercourse: LinearTrading,
    area_deficit: Deficit,
    hedgerow_deficit: Deficit,
    watercourse_deficit: Deficit,
) -> Credits:
    """Unit shortfall summary D5:D11: statutory credits by tier (None where the workbook shows a text)."""

    def guard() -> bool:  # OR(K13<0, I13<0): both sides are evaluated, an error in either errors
        area_loss = lt(area.very_high_losses, 0.0)
        water_loss = lt(watercourse.very_high_loss, 0.0)
        return area_loss or water_loss

    try:
        guard_value: Value = T.CREDITS_ERROR if guard() else None
    except XlError:
        guard_value = xl.ERROR

    def tier_cell(fn: Callable[[], Value]) -> Value:
        """IF(guard, "ERROR", …): an error in the guard errors the cell."""
        if isinstance(guard_value, xl.ErrorValue):
            raise XlError("#VALUE!")
        if guard_value is not None:
            return guard_value
        return fn()

    losses = area_tier_losses(rel, area)
    shortfall: dict[str, Value] = {}  # F9:F15 ("Unit shortfall by tier")
    for tier in ("A2", "A3", "A4", "A5"):
        shortfall[tier] = _or_error(partial(tier_cell, partial(num, losses[tier])))
    shortfall["A1"] = _or_error(lambda: tier_cell(lambda: _a1(losses, area_deficit)))
    shortfall["H"] = _or_error(lambda: tier_cell(lambda: _linear(hedgerow.losses_not_offset, hedgerow_deficit)))
    shortfall["W"] = catch(
        lambda: tier_cell(lambda: _linear(watercourse.losses_not_offset, watercourse_deficit))
    )  # no IFERROR
    by_tier: dict[str, float | None] = {}
    messages: list[str] = []
    for tier in TIERS:
        doubled = _doubled(shortfall[tier], iferror=tier in ("H", "W"))  # G9:G15
        summary = _or_error(partial(tier_cell, partial(_read, doubled)))
        by_tier[tier] = number(summary)
        if isinstance(summary, str) and summary not in messages:
            messages.append(summary)
    if guard_value == T.CREDITS_ERROR:
        messages.append(T.VERY_HIGH_LOSS_REMAINS)
    return Credits(by_tier, tuple(messages))


def _doubled(shortfall: Value, iferror: bool) -> Value:
    """G = IF(F="ERROR", "ERROR", F*2): 2 credits per unit of shortfall (SRM 0.5 applied)."""
    try:
        return T.CREDITS_ERROR if xl.eq(shortfall, T.CREDITS_ERROR) else num(shortfall) * 2.0
    except XlError:
        return T.CREDITS_OTHER_ERROR if iferror else xl.ERROR


def _read(v: Value) -> Value:
    if isinstance(v, xl.ErrorValue):
        raise XlError("#VALUE!")
    return v


def _or_error(fn: Callable[[], Value]) -> Value:
    """IFERROR(…, "Error")."""
    try:
        return fn()
    except XlError:
        return T.CREDITS_OTHER_ERROR


def prices_on(table: Sequence[CreditPrice], on: date) -> dict[str, CreditPrice]:
    """The price of each tier in force on a date: the latest row valid from that date or before."""
    out: dict[str, CreditPrice] = {}
    for p in sorted(table, key=lambda p: p.valid_from):
        if p.valid_from <= on:
            out[p.tier] = p
    return out


@dataclass(frozen=True, slots=True)
class CreditCost:
    """What the credits of one tier cost: how many, the price of one (ex VAT) and the total."""

    tier: str
    credits: float
    price_gbp: float
    cost_gbp: float


def cost(by_tier: Mapping[str, float | None], table: Sequence[CreditPrice], on: date) -> list[CreditCost]:
    """What the credits of each tier cost on a date (ex VAT), from a price table with effective dates."""
    prices = prices_on(table, on)
    out: list[CreditCost] = []
    for tier, n in by_tier.items():
        if n is None or n <= 0:
            continue
        price = prices.get(tier)
        if price is None:
            raise ValueError(f"no price for credit tier {tier} in force on {on.isoformat()}")
        out.append(CreditCost(tier, n, price.price_gbp, n * price.price_gbp))
    return out
