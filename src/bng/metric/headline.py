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

from . import xl
from .cells import RowCalc, iferror
from .messages import T
from .xl import Value, XlError, catch, eq, gt, le, lt, num


@dataclass(frozen=True, slots=True)
class SheetTotals:
    """The totals of one module that the headline reads (workbook cells in comments)."""

    base_on: Value  # A-1!Q259 / B-1!N258 / C-1!R258
    retained_on: Value  # A-1!U259 / B-1!R258 / C-1!W258
    enhanced_base_on: Value  # A-1!V259 / B-1!S258 / C-1!X258
    vhdh_on: Value  # A-1!AT259 / — / C-1!AT258
    creation_on: Value  # A-2!Y257 / B-2!W260 / C-2!Z260
    enhancement_on: Value  # A-3!AN258 / B-3!AH258 / C-3!AM258
    base_off: Value  # D-1!T259 / E-1!Q258 / F-1!U258
    base_off_srm: Value  # D-1!Q259 / E-1!N258 / F-1!R258
    post_off: Value  # H24 / H25 / H26 sum of parts (before IFERROR)
    post_off_srm: Value  # L24 / L25 / L26


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


def percent_change(base: Value, post: Value) -> Value:
    """J16 / J28: ``post / base − 1`` (0 when both are 0, "N/A" for a zero baseline with a gain)."""

    def cell() -> Value:
        if eq(base, 0.0) and eq(post, 0.0):
            return 0.0
        if eq(base, 0.0) and gt(post, 0.0):
            return T.NA
        return iferror(lambda: xl.sub(_div(post, base), 1.0), T.CHECK_DATA)

    return catch(cell)


@dataclass(frozen=True, slots=True)
class Headline:
    h8: Value
    h12: Value
    h16: Value
    j16: Value
    h20: Value
    l20: Value
    h24: Value
    l24: Value
    h28: Value
    j28: Value
    h32: Value
    h37: Value
    h41: Value
    h47: Value
    h51: Value
    target: float
    f61: Value
    h61: Value
    messages: tuple[str, ...]


def headline(module: str, t: SheetTotals, target: float, gain_site_error: bool | None) -> Headline:
    """Rows 8-63 of "Headline Results" for one module. ``gain_site_error`` is B19 (None: an error)."""
    check = T.CHECK_DATA_HEADLINE_NO_SPACE if module == "hedgerow" else T.CHECK_DATA
    h8: Value = t.base_on if module == "watercourse" else iferror(lambda: num(t.base_on), T.CHECK_DATA)
    h12 = iferror(lambda: add_all((t.creation_on, t.enhancement_on, t.retained_on, t.vhdh_on)), check)
    h16 = iferror(lambda: xl.sub(num(h12), num(h8)), T.HEADLINE_ERROR)
    j16 = percent_change(h8, h12)
    h20 = iferror(lambda: num(t.base_off), T.CHECK_DATA)
    l20 = iferror(lambda: num(t.base_off_srm), T.CHECK_DATA)
    h24 = iferror(lambda: num(t.post_off), T.CHECK_DATA)
    l24 = iferror(lambda: num(t.post_off_srm), T.CHECK_DATA)
    h28 = iferror(lambda: xl.sub(num(h24), num(h20)), T.HEADLINE_ERROR)
    j28 = percent_change(h20, h24)
    h32 = catch(lambda: T.NA if le(h28, 0.0) else xl.sub(num(l24), num(l20)))
    h37 = iferror(lambda: xl.add(num(h16), num(h28)), T.CHECK_DATA)
    h41 = iferror(lambda: xl.sub(num(h28), num(h32)), "0.00")

    def h47_cell() -> Value:  # the off-site change with SRM only where it is an uplift
        on_change = xl.sub(num(h12), num(h8))
        return xl.add(on_change, num(h28)) if eq(h32, T.NA) else xl.add(on_change, num(h32))

    h47 = iferror(h47_cell, T.CHECK_DATA)

    def h51_cell() -> Value:
        if module == "hedgerow":
            if eq(h47, 0.0) and eq(h8, 0.0):
                return 0.0
        elif eq(h47, 0.0):
            return 0.0
        if eq(h8, 0.0):
            return T.NA
        return iferror(lambda: _div(h47, h8), T.CHECK_DATA)

    h51 = catch(h51_cell)
    f61 = iferror(lambda: num(h8) * xl.add(1.0, target), T.HEADLINE_ERROR)

    def h61_cell() -> Value:
        if gain_site_error is None:
            raise XlError("#VALUE!")
        if gain_site_error:
            return T.HEADLINE_ERROR

        def deficit() -> Value:
            gain = num(h28) if eq(h32, T.NA) else num(h32)
            short = xl.sub(num(f61), xl.add(num(h12), gain))
            return 0.0 if lt(short, 0.0) else short

        return iferror(deficit, T.HEADLINE_ERROR)

    h61 = catch(h61_cell)
    messages: list[str] = []
    if eq_safe(h61, 0.0):
        messages.append(
            {
                "area": T.NO_MORE_AREA_UNITS,
                "hedgerow": T.NO_MORE_HEDGEROW_UNITS,
                "watercourse": T.NO_MORE_WATERCOURSE_UNITS,
            }[module]
        )
    if eq_safe(h32, T.NA):
        messages.append(T.SRM_ONLY_POSITIVE_AREA if module == "area" else T.SRM_ONLY_POSITIVE)
    if eq_safe(j16, T.NA):
        messages.append(T.ZERO_BASELINE)
    elif isinstance(j16, float) and not (eq_safe(h8, 0.0) and eq_safe(h12, 0.0)) and j16 < target:
        messages.append(T.ONSITE_BELOW_TARGET)
    if eq_safe(h51, T.NA):
        messages.append(T.ZERO_BASELINE_TOTAL)
    elif isinstance(h51, float) and not (eq_safe(h8, 0.0) and eq_safe(h12, 0.0)) and h51 < target:
        messages.append(T.TOTAL_BELOW_TARGET)
    for v in (h12, h47, h61):
        if isinstance(v, str) and v.strip() and v not in messages:
            messages.append(v)
    return Headline(
        h8, h12, h16, j16, h20, l20, h24, l24, h28, j28, h32, h37, h41, h47, h51, target, f61, h61, tuple(messages)
    )


def eq_safe(a: Value, b: Value) -> bool:
    try:
        return eq(a, b)
    except XlError:
        return False
