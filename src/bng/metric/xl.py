"""Spreadsheet value semantics, so the engine decides every branch as the workbook does.

The statutory metric is a spreadsheet. Its formulas mix numbers and texts ("30+",
"Not Possible ▲", "" for a blank result), compare them, and fall back with IFERROR when
arithmetic meets a text. Reproducing the law therefore means reproducing those rules:

* a cell holds a number (``float``), a text (``str``) or nothing (``None``, an empty input
  cell, which counts as 0 in arithmetic and as "" against a text);
* any number sorts before any text; texts compare case-insensitively;
* numbers that agree to about 15 significant digits are equal, and ``+``/``-`` of two
  such numbers give exactly 0 (LibreOffice's ``approxEqual``/``approxAdd``/``approxSub``,
  which Excel mirrors), so 0.1 + 0.2 is not greater than 0.3;
* arithmetic on a text raises :class:`XlError`, which the caller maps to the formula's
  IFERROR fallback.

The expected values of the golden tests were computed by LibreOffice 7.4, whose rules these are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from .errors import XlError as XlError  # re-exported: the sheets import it with the Excel functions


class ErrorValue:
    """A cell holding an error (#VALUE!, #N/A): any formula that reads it errors too."""

    __slots__ = ()

    def __repr__(self) -> str:
        """The value as a cell shows it."""
        return "#VALUE!"


ERROR = ErrorValue()

Value = float | str | None | ErrorValue

_E48 = 2.0**-48
_E44 = 2.0**-44


def approx_equal(a: float, b: float) -> bool:
    """LibreOffice ``rtl::math::approxEqual``: equal to within 2**-48 relative."""
    if a == b:
        return True
    if a == 0.0 or b == 0.0:
        return False
    d = abs(a - b)
    if not math.isfinite(d):
        return False
    aa, bb = abs(a), abs(b)
    if d > aa * _E44 or d > bb * _E44:
        return False
    return d < aa * _E48 and d < bb * _E48


def add(a: float, b: float) -> float:
    """``a + b`` as a spreadsheet adds: opposite numbers that nearly cancel give 0."""
    r = a + b
    if (a < 0.0 < b) or (b < 0.0 < a):
        d = r if r >= 0.0 else -r  # |a - (-b)|
        if d < abs(a) * _E48 and d < abs(b) * _E48:
            return 0.0
    return r


def sub(a: float, b: float) -> float:
    """``a - b`` as a spreadsheet subtracts: nearly equal numbers give exactly 0."""
    r = a - b
    if (a > 0.0 and b > 0.0) or (a < 0.0 and b < 0.0):
        d = r if r >= 0.0 else -r
        if d < abs(a) * _E48 and d < abs(b) * _E48:
            return 0.0
    return r


def num(v: Value) -> float:
    """The number a cell contributes to arithmetic; a text that is not a number is an error."""
    if type(v) is float:
        return v
    if v is None:
        return 0.0
    if isinstance(v, ErrorValue):
        raise XlError("#VALUE!")
    try:
        return float(v)
    except ValueError:
        raise XlError("#VALUE!") from None


def catch(fn: Callable[[], Value]) -> Value:
    """A formula without IFERROR: an error inside it becomes the cell's error value."""
    try:
        return fn()
    except XlError:
        return ERROR


def is_num(v: Value) -> bool:
    """ISNUMBER(v)."""
    return isinstance(v, float)


def _cmp(a: Value, b: Value) -> int:
    if isinstance(a, ErrorValue) or isinstance(b, ErrorValue):
        raise XlError("#VALUE!")
    if a is None:
        a = "" if isinstance(b, str) else 0.0
    if b is None:
        b = "" if isinstance(a, str) else 0.0
    if isinstance(a, str):
        if isinstance(b, str):
            la, lb = a.lower(), b.lower()
            return (la > lb) - (la < lb)
        return 1
    if isinstance(b, str):
        return -1
    fa, fb = float(a), float(b)
    if approx_equal(fa, fb):
        return 0
    return 1 if fa > fb else -1


# The comparisons below take an inlined fast path when both sides are numbers (the common case):
# two different numbers count as equal when they differ by less than 2**-48 of each.


def eq(a: Value, b: Value) -> bool:
    """``a = b``: texts ignore case, a number never equals a text, nearly equal numbers are equal."""
    ta, tb = type(a), type(b)
    if ta is float:
        if tb is float:
            if a == b:
                return True
            d = a - b if a > b else b - a  # type: ignore[operator]
            return d < abs(a) * _E48 and d < abs(b) * _E48  # type: ignore[arg-type]
        if tb is str:
            return False
    elif ta is str:
        if tb is str:
            return a == b or (len(a) == len(b) and a.lower() == b.lower())  # type: ignore[arg-type,union-attr]
        if tb is float:
            return False
    return _cmp(a, b) == 0


def ne(a: Value, b: Value) -> bool:
    """``a <> b``."""
    return not eq(a, b)


def gt(a: Value, b: Value) -> bool:
    """``a > b``: any text is more than any number; nearly equal numbers are not more."""
    if type(a) is float and type(b) is float:
        if a <= b:
            return False
        d = a - b
        return not (d < abs(a) * _E48 and d < abs(b) * _E48)
    return _cmp(a, b) > 0


def ge(a: Value, b: Value) -> bool:
    """``a >= b``."""
    if type(a) is float and type(b) is float:
        if a >= b:
            return True
        d = b - a
        return d < abs(a) * _E48 and d < abs(b) * _E48
    return _cmp(a, b) >= 0


def lt(a: Value, b: Value) -> bool:
    """``a < b``."""
    if type(a) is float and type(b) is float:
        if a >= b:
            return False
        d = b - a
        return not (d < abs(a) * _E48 and d < abs(b) * _E48)
    return _cmp(a, b) < 0


def le(a: Value, b: Value) -> bool:
    """``a <= b``."""
    if type(a) is float and type(b) is float:
        if a <= b:
            return True
        d = a - b
        return d < abs(a) * _E48 and d < abs(b) * _E48
    return _cmp(a, b) <= 0


def blank(v: Value) -> bool:
    """``cell = ""``: true for an empty cell and an empty text."""
    if isinstance(v, ErrorValue):
        raise XlError("#VALUE!")
    return v is None or v == ""


def _numbers(values: Iterable[Value]) -> list[float]:
    cells = values if type(values) is list else list(values)
    # fast path, in C: a column of plain numbers (the common case) is its own list of numbers
    out = [v for v in cells if type(v) is float]
    if len(out) == len(cells):
        return out
    out = []
    for v in cells:
        if isinstance(v, float):
            out.append(v)
        elif isinstance(v, ErrorValue):
            raise XlError("#VALUE!")
    return out


def total(values: Iterable[Value]) -> float:
    """SUM: adds the numbers and skips texts and blanks (correctly rounded); an error errors."""
    return math.fsum(_numbers(values))


def sum_positive(values: Iterable[Value]) -> float:
    """SUMIF(range, ">0"): error cells do not match the criterion and are skipped."""
    return math.fsum(v for v in values if isinstance(v, float) and v > 0.0)


def sum_negative(values: Iterable[Value]) -> float:
    """SUMIF(range, "<0")."""
    return math.fsum(v for v in values if isinstance(v, float) and v < 0.0)


def left(v: Value, n: int) -> str:
    """LEFT(text, n); numbers are shown as the spreadsheet would show them."""
    return show(v)[:n]


def show(v: Value) -> str:
    """The text a value becomes in a concatenation (``&``)."""
    if v is None:
        return ""
    if isinstance(v, ErrorValue):
        raise XlError("#VALUE!")
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return repr(v)
    return v
