"""Sheet totals and the "Headline Results" sheet, per module.

The headline combines on-site and off-site totals the way the workbook does: the off-site
change counts with its spatial risk multiplier only when it is positive (H32, H47), the
final percentage divides by the on-site baseline only (H51), and the unit deficit is what
is still missing to reach the target (H61). Texts such as "Check Data ⚠" flow through as
they do in the workbook and end as ``None`` in the result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from . import xl
from .cells import RowCalc, iferror
from .messages import T
from .xl import Value, XlError, catch, eq, gt, le, lt, num


@dataclass(frozen=True, slots=True)
class SheetTotals:
    """The sheet totals of one module that the headline reads (area / hedgerow / watercourse cells)."""

    on_site_baseline: Value  # A-1!Q259 / B-1!N258 / C-1!R258
    on_site_retained: Value  # A-1!U259 / B-1!R258 / C-1!W258
    on_site_enhanced_baseline: Value  # A-1!V259 / B-1!S258 / C-1!X258
    on_site_vhdh_bespoke: Value  # A-1!AT259 / — / C-1!AT258
    on_site_creation: Value  # A-2!Y257 / B-2!W260 / C-2!Z260
    on_site_enhancement: Value  # A-3!AN258 / B-3!AH258 / C-3!AM258
    off_site_baseline: Value  # D-1!T259 / E-1!Q258 / F-1!U258
    off_site_baseline_srm: Value  # D-1!Q259 / E-1!N258 / F-1!R258
    off_site_post_intervention: Value  # H24 / H25 / H26: the sum of the parts (before IFERROR)
    off_site_post_intervention_srm: Value  # L24 / L25 / L26


def add_all(values: Iterable[Value]) -> float:
    """``a + b + c …`` of formula cells, left to right; any text or error raises."""
    out: float | None = None
    for v in values:
        out = num(v) if out is None else xl.add(out, num(v))
    return 0.0 if out is None else out


def sum_or_error(calcs: Iterable[RowCalc], attr: str, lost: Iterable[Value], error_text: str) -> Value:
    """``IF(OR(lost = "Error in …"), "Error ▲", SUM(column))`` (A-1!X259-style totals)."""
    if any(isinstance(v, str) and v.lower() == error_text.lower() for v in lost):
        return T.ERROR_TRIANGLE
    return column(calcs, attr)


def column(calcs: Iterable[RowCalc], attr: str) -> Value:
    """SUM of one column of a sheet (an error in it errors)."""
    try:
        rows = calcs if isinstance(calcs, list) else list(calcs)
        return xl.total(list(map(getattr, rows, [attr] * len(rows))))  # getattr per row, in C
    except XlError:
        return xl.ERROR


def _div(a: Value, b: Value) -> float:
    d = num(b)
    if d == 0.0:
        raise XlError("#DIV/0!")
    return num(a) / d


def percent_change(baseline: Value, post_intervention: Value) -> Value:
    """J16 / J28: ``post / baseline − 1`` (0 when both are 0, "N/A" for a zero baseline with a gain)."""

    def cell() -> Value:
        if eq(baseline, 0.0) and eq(post_intervention, 0.0):
            return 0.0
        if eq(baseline, 0.0) and gt(post_intervention, 0.0):
            return T.NA
        return iferror(lambda: xl.sub(_div(post_intervention, baseline), 1.0), T.CHECK_DATA)

    return catch(cell)


@dataclass(frozen=True, slots=True)
class Headline:
    """Rows 8-61 of "Headline Results" for one module (the area row's cell in each comment)."""

    on_site_baseline: Value  # H8
    on_site_post_intervention: Value  # H12
    on_site_change: Value  # H16
    on_site_change_percent: Value  # J16 (a fraction: 0.1 is 10 %)
    off_site_baseline: Value  # H20
    off_site_baseline_srm: Value  # L20
    off_site_post_intervention: Value  # H24
    off_site_post_intervention_srm: Value  # L24
    off_site_change: Value  # H28
    off_site_change_percent: Value  # J28
    off_site_change_srm: Value  # H32: the change with spatial risk where it is an uplift, else "N/A"
    combined_change: Value  # H37
    srm_deduction: Value  # H41
    total_change: Value  # H47
    total_change_percent: Value  # H51
    target: float  # D61: the target as a fraction
    units_required: Value  # F61
    unit_deficit: Value  # H61
    messages: tuple[str, ...]


class _OnSite(NamedTuple):
    """H8, H12, H16 and J16: on-site baseline, post-intervention units and their change."""

    baseline: Value
    post_intervention: Value
    change: Value
    change_percent: Value


class _OffSite(NamedTuple):
    """H20:L32: off-site baseline and post-intervention units, with and without spatial risk, and the change."""

    baseline: Value
    baseline_srm: Value
    post_intervention: Value
    post_intervention_srm: Value
    change: Value
    change_percent: Value
    change_srm: Value


def headline(module: str, totals: SheetTotals, target: float, gain_site_error: bool | None) -> Headline:
    """Rows 8-63 of "Headline Results" for one module. ``gain_site_error`` is B19 (None: an error)."""
    on = _on_site(module, totals)
    off = _off_site(totals)
    combined = iferror(lambda: xl.add(num(on.change), num(off.change)), T.CHECK_DATA)  # H37
    srm_deduction = iferror(lambda: xl.sub(num(off.change), num(off.change_srm)), "0.00")  # H41
    total = iferror(lambda: _total_change(on, off), T.CHECK_DATA)  # H47
    total_percent = catch(lambda: _total_change_percent(module, total, on.baseline))  # H51
    required = iferror(lambda: num(on.baseline) * xl.add(1.0, target), T.HEADLINE_ERROR)  # F61
    deficit = catch(lambda: _unit_deficit(gain_site_error, on, off, required))  # H61
    messages = _messages(module, on, off, total, total_percent, deficit, target)
    return Headline(
        on.baseline,
        on.post_intervention,
        on.change,
        on.change_percent,
        off.baseline,
        off.baseline_srm,
        off.post_intervention,
        off.post_intervention_srm,
        off.change,
        off.change_percent,
        off.change_srm,
        combined,
        srm_deduction,
        total,
        total_percent,
        target,
        required,
        deficit,
        messages,
    )


def _on_site(module: str, totals: SheetTotals) -> _OnSite:
    """H8:J16. The watercourse baseline (H10) has no IFERROR; the hedgerow H13 says "Check Data⚠"."""
    check = T.CHECK_DATA_HEADLINE_NO_SPACE if module == "hedgerow" else T.CHECK_DATA
    if module == "watercourse":
        baseline: Value = totals.on_site_baseline
    else:
        baseline = iferror(lambda: num(totals.on_site_baseline), T.CHECK_DATA)
    post = iferror(
        lambda: add_all(
            (totals.on_site_creation, totals.on_site_enhancement, totals.on_site_retained, totals.on_site_vhdh_bespoke)
        ),
        check,
    )
    change = iferror(lambda: xl.sub(num(post), num(baseline)), T.HEADLINE_ERROR)
    return _OnSite(baseline, post, change, percent_change(baseline, post))


def _off_site(totals: SheetTotals) -> _OffSite:
    """H20:L32: spatial risk counts only where the off-site change is an uplift (H32, quirk 15)."""
    baseline = iferror(lambda: num(totals.off_site_baseline), T.CHECK_DATA)
    baseline_srm = iferror(lambda: num(totals.off_site_baseline_srm), T.CHECK_DATA)
    post = iferror(lambda: num(totals.off_site_post_intervention), T.CHECK_DATA)
    post_srm = iferror(lambda: num(totals.off_site_post_intervention_srm), T.CHECK_DATA)
    change = iferror(lambda: xl.sub(num(post), num(baseline)), T.HEADLINE_ERROR)
    change_srm = catch(lambda: T.NA if le(change, 0.0) else xl.sub(num(post_srm), num(baseline_srm)))
    return _OffSite(baseline, baseline_srm, post, post_srm, change, percent_change(baseline, post), change_srm)


def _total_change(on: _OnSite, off: _OffSite) -> Value:
    """H47: the off-site change with SRM only where it is an uplift."""
    on_change = xl.sub(num(on.post_intervention), num(on.baseline))
    if eq(off.change_srm, T.NA):
        return xl.add(on_change, num(off.change))
    return xl.add(on_change, num(off.change_srm))


def _total_change_percent(module: str, total: Value, baseline: Value) -> Value:
    """H51 (H52 for hedgerows): the total change over the on-site baseline only (quirk 14)."""
    if module == "hedgerow":
        if eq(total, 0.0) and eq(baseline, 0.0):
            return 0.0
    elif eq(total, 0.0):
        return 0.0
    if eq(baseline, 0.0):
        return T.NA
    return iferror(lambda: _div(total, baseline), T.CHECK_DATA)


def _unit_deficit(gain_site_error: bool | None, on: _OnSite, off: _OffSite, required: Value) -> Value:
    """H61: the units still missing to reach the target; an error where a gain site is negative (B19)."""
    if gain_site_error is None:
        raise XlError("#VALUE!")
    if gain_site_error:
        return T.HEADLINE_ERROR

    def deficit() -> Value:
        gain = num(off.change) if eq(off.change_srm, T.NA) else num(off.change_srm)
        short = xl.sub(num(required), xl.add(num(on.post_intervention), gain))
        return 0.0 if lt(short, 0.0) else short

    return iferror(deficit, T.HEADLINE_ERROR)


def _messages(
    module: str, on: _OnSite, off: _OffSite, total: Value, total_percent: Value, deficit: Value, target: float
) -> tuple[str, ...]:
    """The texts of J16, J32, J51 and J61, then the texts H12, H47 and H61 show themselves."""
    messages: list[str] = []
    if eq_safe(deficit, 0.0):
        messages.append(
            {
                "area": T.NO_MORE_AREA_UNITS,
                "hedgerow": T.NO_MORE_HEDGEROW_UNITS,
                "watercourse": T.NO_MORE_WATERCOURSE_UNITS,
            }[module]
        )
    if eq_safe(off.change_srm, T.NA):
        messages.append(T.SRM_ONLY_POSITIVE_AREA if module == "area" else T.SRM_ONLY_POSITIVE)
    both_zero = eq_safe(on.baseline, 0.0) and eq_safe(on.post_intervention, 0.0)
    percent = on.change_percent
    if eq_safe(percent, T.NA):
        messages.append(T.ZERO_BASELINE)
    elif isinstance(percent, float) and not both_zero and percent < target:
        messages.append(T.ONSITE_BELOW_TARGET)
    if eq_safe(total_percent, T.NA):
        messages.append(T.ZERO_BASELINE_TOTAL)
    elif isinstance(total_percent, float) and not both_zero and total_percent < target:
        messages.append(T.TOTAL_BELOW_TARGET)
    for v in (on.post_intervention, total, deficit):
        if isinstance(v, str) and v.strip() and v not in messages:
            messages.append(v)
    return tuple(messages)


def eq_safe(a: Value, b: Value) -> bool:
    """``a = b``, false where either side is an error value."""
    try:
        return eq(a, b)
    except XlError:
        return False
