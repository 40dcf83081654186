"""Small building blocks shared by the sheet modules: products, IFERROR, row results."""

from __future__ import annotations

import math
from collections.abc import Callable

from . import xl
from .messages import code_of
from .xl import Value, XlError, num


def prod(*values: Value) -> float:
    """A product of cells; any text makes it an error (#VALUE!)."""
    try:  # fast path: all numbers (math.prod multiplies left to right, as the formula does)
        fast: object = math.prod(values)  # type: ignore[arg-type]
        if type(fast) is float:  # a float subclass (numpy) takes the slow path and becomes a float
            return fast
    except TypeError:
        pass
    out = 1.0
    for v in values:
        out *= num(v)
    return out


def iferror(fn: Callable[[], Value], fallback: Value) -> Value:
    try:
        return fn()
    except XlError:
        return fallback


def uplift(
    size: Value,
    post_score: Value,
    post_cond: Value,
    base_score: Value,
    base_cond: Value,
    risk: float,
    size_base: Value | None = None,
) -> float:
    """``((size·D'·C' − size0·D·C)·risk + size0·D·C)``: the enhancement formula's core.

    The baseline value of the enhanced parcel is kept whole; only the uplift is discounted
    by time and difficulty (A-3!AN12, B-3!AH12, C-3!AM12). ``size_base`` is the length the
    baseline is valued on where it differs (watercourse lengthening, C-3!AM12).
    """
    s0 = size if size_base is None else size_base
    base = prod(s0, base_score, base_cond)
    return xl.add(prod(xl.sub(prod(size, post_score, post_cond), base), risk), base)


class RowCalc:
    """One calculated input row: its units and the workbook texts it shows."""

    __slots__ = (
        "baseline_ref",
        "enhanced",
        "gain_site",
        "location",
        "module",
        "ref",
        "retained",
        "row",
        "stage",
        "texts",
        "units",
        "units_srm",
    )

    def __init__(
        self,
        module: str,
        location: str,
        stage: str,
        ref: str,
        row: object,
        gain_site: str | None = None,
        baseline_ref: str | None = None,
    ) -> None:
        self.module = module
        self.location = location
        self.stage = stage
        self.ref = ref
        self.row = row
        self.gain_site = gain_site
        self.baseline_ref = baseline_ref
        self.units: Value = None
        self.retained: Value = None
        self.enhanced: Value = None
        self.units_srm: Value = None
        self.texts: list[str] = []

    def note(self, *values: Value) -> None:
        """Remember the workbook texts a row shows (units text first), once each."""
        for v in values:
            if type(v) is str and v and v not in self.texts and _is_message(v):
                self.texts.append(v)

    def codes(self) -> list[str]:
        return [code_of(t) for t in self.texts]


def _is_message(text: str) -> bool:
    return "▲" in text or "⚠" in text or "✓" in text or text in _PLAIN_MESSAGES


_PLAIN_MESSAGES = frozenset(
    {
        "Check Data",
        "Error",
        "Error in Lengths",
        "Spatial Data Missing",
        "Check details- Delay in starting habitat in required condition?",
        "Enhancement difficulty applied",
    }
)
