"""Trading rules: "G-2 Habitat groups" and the three "Trading Summary" sheets.

Per habitat (area) or type (hedgerow, watercourse) the project-wide unit change is the
on-site change plus the off-site change, both before spatial risk (G-2 columns R, AD, AF).
Each band then has its rule:

* area — V.High: no habitat may lose units; High: no habitat may lose units (no
  substitution); Medium: all V.High and High gains must cover the net losses of the Medium
  broad-habitat groups; Low: the Low net change plus any cumulative surplus must not be
  negative (sheet "Trading Summary Area Habitats" G5:G8 and K12:K125);
* hedgerows — surpluses flow down the bands (I13:I54, including the workbook's double count
  of the High surplus in I31);
* watercourses — V.High, High and each Medium type must not lose units; Low takes what is
  left over (I12:I42).

Texts and error values flow as in the workbook; a band whose cell is an error has no verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from . import xl
from .cells import RowCalc, Sheets
from .messages import T
from .reference import Release
from .result import BandVerdict, HabitatChange, TradingResult, number
from .xl import Value, XlError, catch, gt, lt, num

BAND_KEYS = {"V.High": "very_high", "High": "high", "Medium": "medium", "Low": "low", "V.Low": "very_low"}


@dataclass(slots=True)
class Change:
    """One G-2 row: a habitat's on-site (R), off-site (AD) and project-wide (AF) change."""

    on: Value
    off: Value

    @property
    def total(self) -> Value:
        """BE = BB + BD: the project-wide change (an error value where either part is one)."""
        return catch(lambda: xl.add(num(self.on), num(self.off)))


def sum_cell(values: list[Value]) -> Value:
    """SUM of a range as a cell value: a number, or the error a cell in it holds."""
    try:
        return xl.total(values)
    except XlError:
        return xl.ERROR


def _sumifs(rows: Sequence[RowCalc], key: str, *attrs: str) -> list[dict[str, Value]]:
    """SUMIF by label (case ignored) of several value columns.

    Numbers add, texts are skipped, an error in a matching row errors. The rows are grouped once
    for all columns.
    """
    groups: dict[str, list[RowCalc]] = {}
    labels = list(map(getattr, rows, [key] * len(rows)))  # getattr per row, in C
    lower = {label: str(label).lower() for label in set(labels)}  # each distinct label lowered once
    for c, label in zip(rows, labels, strict=True):
        groups.setdefault(lower[label], []).append(c)
    out: list[dict[str, Value]] = []
    for a in attrs:
        out.append({k: sum_cell(list(map(getattr, g, [a] * len(g)))) for k, g in groups.items()})
    return out


def _get(d: dict[str, Value], k: str) -> Value:
    return d.get(k.lower(), 0.0)


def changes(labels: Iterable[str], sheets: Sheets, keys: tuple[str, str, str], with_bespoke: bool) -> dict[str, Change]:
    """G-2 per habitat or type: on-site P − F and off-site AB − T.

    ``keys`` name the label column of the baseline, creation and enhancement rows (the enhancement
    row's proposed habitat); ``with_bespoke`` adds the V.High bespoke units to what is retained.
    """
    baseline_key, creation_key, enhancement_key = keys
    base_attrs = ("units", "retained", "vhdh_bespoke") if with_bespoke else ("units", "retained")
    f_on, h_on, *rest_on = _sumifs(sheets.baseline_on, baseline_key, *base_attrs)
    at_on = rest_on[0] if with_bespoke else {}
    (l_on,) = _sumifs(sheets.creation_on, creation_key, "units")
    (n_on,) = _sumifs(sheets.enhancement_on, enhancement_key, "units")
    t_off, v_off, *rest_off = _sumifs(sheets.baseline_off, baseline_key, *base_attrs)
    as_off = rest_off[0] if with_bespoke else {}
    (x_off,) = _sumifs(sheets.creation_off, creation_key, "units")
    (z_off,) = _sumifs(sheets.enhancement_off, enhancement_key, "units")
    out: dict[str, Change] = {}
    for label in labels:

        def on(label: str = label) -> float:
            retained = num(_get(h_on, label))
            if with_bespoke:
                retained = xl.add(retained, num(_get(at_on, label)))
            post = xl.add(xl.add(retained, num(_get(l_on, label))), num(_get(n_on, label)))
            return xl.sub(post, num(_get(f_on, label)))

        def off(label: str = label) -> float:
            retained = num(_get(v_off, label))
            if with_bespoke:
                retained = xl.add(retained, num(_get(as_off, label)))
            post = xl.add(xl.add(retained, num(_get(x_off, label))), num(_get(z_off, label)))
            return xl.sub(post, num(_get(t_off, label)))

        out[label.lower()] = Change(catch(on), catch(off))
    return out


def _loss(v: Value) -> Value:
    try:
        return v if lt(v, 0.0) else ""
    except XlError:
        return xl.ERROR


def _verdict(fn: Callable[[], bool], wrap_iferror: bool) -> Value:
    try:
        return T.TRADING_NO if fn() else T.TRADING_YES
    except XlError:
        return "" if wrap_iferror else xl.ERROR


def _band(band: str, rule: str, verdict: Value, shortfall: Value, failing: Sequence[HabitatChange]) -> BandVerdict:
    satisfied = True if verdict == T.TRADING_YES else False if verdict == T.TRADING_NO else None
    short = number(shortfall)
    return BandVerdict(
        band=BAND_KEYS[band],
        rule=rule,
        satisfied=satisfied,
        verdict=verdict if isinstance(verdict, str) else "#VALUE!",
        shortfall_units=(-short if short is not None and short < 0 else 0.0) if satisfied is False else None,
        failing=tuple(failing) if satisfied is False else (),
    )


def _hc(name: str, ch: Change) -> HabitatChange:
    return HabitatChange(name, number(ch.on), number(ch.off), number(ch.total))


def _negative(items: Iterable[tuple[str, Change]]) -> list[HabitatChange]:
    out = []
    for name, ch in items:
        try:
            if lt(ch.total, 0.0):
                out.append(_hc(name, ch))
        except XlError:
            out.append(_hc(name, ch))
    return out


def _result(
    module: str, bands: list[BandVerdict], verdicts: list[Value], changes_: list[HabitatChange]
) -> TradingResult:
    satisfied: bool | None = not any(v == T.TRADING_NO for v in verdicts)
    return TradingResult(module, tuple(bands), satisfied, tuple(changes_))


@dataclass(slots=True)
class AreaTrading:
    """The area trading summary: its verdicts, and the cells "Unit shortfall calculations" reads."""

    result: TradingResult
    verdicts: list[Value]  # G5:G8
    very_high_gains: float  # K12: Σ V.High gains
    very_high_losses: Value  # K13 (G33): Σ V.High losses
    medium_group_gains: float  # K88: Σ positive Medium group totals
    low_change: Value  # K124 (F163): the net Low change
    medium_blocks: dict[str, Value]  # block name → cumulative broad habitat change (G89 …)
    changes: dict[str, Change]


def area(rel: Release, ch: dict[str, Change]) -> AreaTrading:
    """Sheet "Trading Summary Area Habitats": V.High and High may lose nothing; Medium and Low by band."""
    rows = rel.area_trading_layout
    by_band: dict[str, list[tuple[str, Change]]] = {b: [] for b in ("V.High", "High", "Medium", "Low")}
    for r in rows:
        by_band[r.band].append((r.display_label, ch[r.habitat.lower()]))
    f = {b: [c.total for _, c in items] for b, items in by_band.items()}

    def losses(values: list[Value]) -> Value:  # BF = IF(BE<0, BE, ""), then SUM
        return sum_cell([_loss(v) for v in values])

    g33 = losses(f["V.High"])
    k12 = xl.sum_positive(f["V.High"])
    k40 = xl.sum_positive(f["High"])
    k41 = losses(f["High"])
    blocks: dict[str, list[Value]] = {}
    for r in rows:
        if r.band == "Medium":
            blocks.setdefault(r.medium_block, []).append(ch[r.habitat.lower()].total)
    block_totals = {name: sum_cell(vals) for name, vals in blocks.items()}
    k88 = xl.sum_positive(block_totals.values())
    k89 = xl.sum_negative(block_totals.values())
    k90 = xl.add(xl.add(k40, k12), k89)
    k91 = xl.add(k90, k88)
    k124 = sum_cell(f["Low"])
    k125 = catch(lambda: xl.add(num(k124), k91) if k91 > 0 else num(k124))
    g5 = _verdict(lambda: lt(g33, 0.0), True)
    g6 = _verdict(lambda: lt(k41, 0.0), True)
    g7 = _verdict(lambda: k90 < 0.0, False)
    g8 = _verdict(lambda: lt(k125, 0.0), False)
    medium_failing = [
        HabitatChange(name, None, None, number(v))
        for name, v in block_totals.items()
        if isinstance(v, float) and v < 0.0
    ]
    bands = [
        _band("V.High", rel.trading_rule_of_band["V.High"], g5, g33, _negative(by_band["V.High"])),
        _band("High", rel.trading_rule_of_band["High"], g6, k41, _negative(by_band["High"])),
        _band("Medium", rel.trading_rule_of_band["Medium"], g7, k90, medium_failing),
        _band("Low", rel.trading_rule_of_band["Low"], g8, k125, _negative(by_band["Low"])),
    ]
    all_changes = [_hc(r.display_label, ch[r.habitat.lower()]) for r in rows]
    verdicts = [g5, g6, g7, g8]
    result = _result("area", bands, verdicts, all_changes)
    return AreaTrading(result, verdicts, k12, g33, k88, k124, block_totals, ch)


@dataclass(slots=True)
class LinearTrading:
    """The hedgerow or watercourse trading summary: its verdicts and the losses not offset."""

    result: TradingResult
    verdicts: list[Value]
    losses_not_offset: list[Value]  # Unit shortfall calculations F147:F151 / F157:F160
    very_high_loss: Value  # WaterC's I13 (the credit guard)


def hedgerow(rel: Release, ch: dict[str, Change]) -> LinearTrading:
    """Sheet "Trading Summary Hedgerows": surpluses flow down the bands (I31 counts High twice, quirk 12)."""
    by_band: dict[str, list[tuple[str, Change]]] = {b: [] for b in BAND_KEYS}
    for name, t in rel.hedgerow_types.items():
        by_band[t.band].append((name, ch[name.lower()]))
    e = {b: [c.total for _, c in items] for b, items in by_band.items()}
    i13 = xl.sum_positive(e["V.High"])
    i14 = xl.sum_negative(e["V.High"])
    i21 = xl.sum_positive(e["High"])
    i22 = xl.sum_negative(e["High"])
    i23 = xl.add(i13, i22)
    i31 = xl.add(i23 if i23 > 0 else 0.0, i21)
    i32 = sum_cell(e["Medium"])
    i33 = catch(lambda: xl.add(num(i32), i31))
    i43 = sum_cell(e["Low"])
    i44 = catch(lambda: xl.add(num(i43), num(i33)) if gt(i33, 0.0) else num(i43))
    i53 = sum_cell(e["V.Low"])
    i54 = catch(lambda: xl.add(num(i53), num(i44)) if gt(i44, 0.0) else num(i53))
    f5 = _verdict(lambda: i14 < 0.0, True)
    f6 = _verdict(lambda: xl.add(i22, i13) < 0.0, False)
    f7 = _verdict(lambda: lt(i33, 0.0), False)
    f8 = _verdict(lambda: lt(i44, 0.0), False)
    f9 = _verdict(lambda: lt(i54, 0.0), False)
    rule = {t.band: t.trading_rule for t in rel.hedgerow_types.values()}
    bands = [
        _band("V.High", rule["V.High"], f5, i14, _negative(by_band["V.High"])),
        _band("High", rule["High"], f6, xl.add(i22, i13), _negative(by_band["High"])),
        _band("Medium", rule["Medium"], f7, i33, _negative(by_band["Medium"])),
        _band("Low", rule["Low"], f8, i44, _negative(by_band["Low"])),
        _band("V.Low", rule["V.Low"], f9, i54, _negative(by_band["V.Low"])),
    ]
    all_changes = [_hc(name, c) for items in by_band.values() for name, c in items]
    verdicts = [f5, f6, f7, f8, f9]
    return LinearTrading(_result("hedgerow", bands, verdicts, all_changes), verdicts, [i14, i23, i33, i44, i54], i14)


def watercourse(rel: Release, ch: dict[str, Change]) -> LinearTrading:
    """Sheet "Trading Summary WaterC's": V.High, High and each Medium type may lose nothing; Low takes the rest."""
    by_band: dict[str, list[tuple[str, Change]]] = {b: [] for b in ("V.High", "High", "Medium", "Low")}
    for name, t in rel.watercourse_types.items():
        by_band[t.band].append((name, ch[name.lower()]))
    e = {b: [c.total for _, c in items] for b, items in by_band.items()}
    e14 = sum_cell(e["V.High"])
    i12 = xl.sum_positive(e["V.High"])
    i13 = catch(lambda: num(e14) if lt(e14, 0.0) else 0.0)
    e23 = sum_cell(e["High"])
    i21 = catch(lambda: num(e23) if gt(e23, 0.0) else 0.0)
    i22 = catch(lambda: num(e23) if lt(e23, 0.0) else 0.0)
    i29 = xl.sum_positive(e["Medium"])
    i30 = xl.sum_negative(e["Medium"])
    i41 = sum_cell(e["Low"])
    i42 = catch(lambda: xl.add(num(i41), xl.add(xl.add(i29, num(i21)), i12)))
    g5 = _verdict(lambda: lt(e14, 0.0), False)
    g6 = _verdict(lambda: lt(i22, 0.0), False)
    g7 = _verdict(lambda: i30 < 0.0, False)
    g8 = _verdict(lambda: lt(i42, 0.0), False)
    rule = {t.band: t.trading_rule for t in rel.watercourse_types.values()}
    bands = [
        _band("V.High", rule["V.High"], g5, e14, _negative(by_band["V.High"])),
        _band("High", rule["High"], g6, i22, _negative(by_band["High"])),
        _band("Medium", rule["Medium"], g7, i30, _negative(by_band["Medium"])),
        _band("Low", rule["Low"], g8, i42, _negative(by_band["Low"])),
    ]
    all_changes = [_hc(name, c) for items in by_band.values() for name, c in items]
    verdicts = [g5, g6, g7, g8]
    return LinearTrading(_result("watercourse", bands, verdicts, all_changes), verdicts, [i13, i22, i30, i42], i13)


def all_satisfied(*verdict_lists: list[Value]) -> bool | None:
    """Headline F55: "Yes ✓" unless a band says "No ▲"; an error cell makes it an error."""
    for verdicts in verdict_lists:
        for v in verdicts:
            if not isinstance(v, str):
                return None
    return not any(v == T.TRADING_NO for vs in verdict_lists for v in vs)
