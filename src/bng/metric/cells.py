"""Small building blocks shared by the sheet modules: products, IFERROR, row results."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol, TypeVar

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


def cache_key(value: Value) -> object:
    """A dictionary key for an input cell that keeps apart values a formula may tell apart.

    Numbers that are equal as keys but not in every formula (0.0 and -0.0, 2 and 2.0, a numpy
    float and a float) get keys of their own; a text, a blank or any other number is its own key.
    """
    if type(value) is str or value is None or (type(value) is float and value != 0.0):
        return value
    return (type(value), repr(value))


class _Created(Protocol):
    @property
    def habitat(self) -> str: ...
    @property
    def condition(self) -> str: ...
    @property
    def strategic_significance(self) -> str: ...
    @property
    def advance_years(self) -> Value: ...
    @property
    def delay_years(self) -> Value: ...


def creation_key(row: _Created, *more: object) -> tuple[object, ...]:
    """What a creation row's multipliers depend on: rows with equal keys share them.

    In every module that is the habitat, condition, strategic significance and the years; the
    module's own inputs (encroachment …) come after.
    """
    return (
        row.habitat,
        row.condition,
        row.strategic_significance,
        cache_key(row.advance_years),
        cache_key(row.delay_years),
        *more,
    )


def iferror(fn: Callable[[], Value], fallback: Value) -> Value:
    """IFERROR(formula, fallback): the formula's value, or ``fallback`` where it errors."""
    try:
        return fn()
    except XlError:
        return fallback


def uplift(
    size: Value,
    proposed_score: Value,
    proposed_condition: Value,
    baseline_score: Value,
    baseline_condition: Value,
    risk: float,
    baseline_size: Value | None = None,
) -> float:
    """``((size·D'·C' − size₀·D·C)·risk + size₀·D·C)``: the enhancement formula's core.

    D and C are the baseline's distinctiveness and condition scores, D' and C' the proposal's,
    ``risk`` the difficulty and temporal multipliers together. The baseline value of the enhanced
    parcel is kept whole; only the uplift is discounted by time and difficulty (A-3!AN12, B-3!AH12,
    C-3!AM12). ``baseline_size`` is the length the baseline is valued on where it differs
    (a lengthened watercourse, C-3!AM12).
    """
    size0 = size if baseline_size is None else baseline_size
    baseline = prod(size0, baseline_score, baseline_condition)
    return xl.add(prod(xl.sub(prod(size, proposed_score, proposed_condition), baseline), risk), baseline)


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
        """A row of a sheet not yet calculated: where it is and which input row it comes from."""
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
        texts = self.texts
        for v in values:
            if type(v) is str and v:
                message = _MESSAGE.get(v)
                if message is None:
                    message = _is_message(v)
                    if len(_MESSAGE) < _MESSAGE_CACHE_SIZE:
                        _MESSAGE[v] = message
                if message and v not in texts:
                    texts.append(v)

    def codes(self) -> list[str]:
        """The stable codes of the texts the row shows."""
        return [code_of(t) for t in self.texts]


class Sheets(NamedTuple):
    """One module's six sheets as calculated rows: on-site A-1, A-2, A-3 and off-site D-1, D-2, D-3 (B/E, C/F)."""

    baseline_on: Sequence[RowCalc]
    creation_on: Sequence[RowCalc]
    enhancement_on: Sequence[RowCalc]
    baseline_off: Sequence[RowCalc]
    creation_off: Sequence[RowCalc]
    enhancement_off: Sequence[RowCalc]


# Whether a text is a message, per text: a sheet shows the same few texts on many rows. Bounded,
# as texts built from input (a condition, a habitat name) are unbounded in a long-lived process.
_MESSAGE: dict[str, bool] = {}
_MESSAGE_CACHE_SIZE = 4096


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


class _Enhancement(Protocol):
    @property
    def baseline_ref(self) -> str: ...

    @property
    def gain_site(self) -> str | None: ...


E = TypeVar("E", bound=_Enhancement)  # an enhancement sheet's input row
B = TypeVar("B", bound=RowCalc)  # a baseline sheet's calculated row


def place_enhancements(
    rows: Sequence[E], baselines: Sequence[B], enhanced: Callable[[Any], bool]
) -> tuple[list[tuple[B, E | None]], list[E]]:
    """Give each enhancement sheet row its baseline row and the enhancement row naming it.

    The workbook lists one enhancement row per baseline row with an enhanced area or length, in
    baseline order (A-1!AL, B-1!AK, C-1!AP …). The enhancement row that names a baseline row (in the
    same gain site, off-site) fills that row in; an enhancement row without a gain site reference
    still fills the row of the baseline it names, as the workbook places it by position and only
    flags the missing reference. Returns the placed pairs and the rows the workbook has no place for.
    """
    sites: dict[str | None, str] = {}  # each gain site reference normalised once

    def site(ref: str | None) -> str:
        key = sites.get(ref)
        if key is None:
            key = sites[ref] = (ref or "").strip().lower()
        return key

    by_key: dict[tuple[str, str], E] = {}
    by_ref: dict[str, list[E]] = {}
    for row in rows:
        by_key.setdefault((site(row.gain_site), row.baseline_ref), row)
        by_ref.setdefault(row.baseline_ref, []).append(row)
    placed: set[int] = set()
    out: list[tuple[B, E | None]] = []
    for baseline in baselines:
        if not enhanced(baseline.row):
            continue
        enhancement = by_key.get((site(baseline.gain_site), baseline.ref))
        if enhancement is None or id(enhancement) in placed:
            enhancement = next(
                (row for row in by_ref.get(baseline.ref, ()) if id(row) not in placed and not row.gain_site), None
            )
        if enhancement is not None:
            placed.add(id(enhancement))
        out.append((baseline, enhancement))
    return out, [row for row in rows if id(row) not in placed]
