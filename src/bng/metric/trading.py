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


def _habitat_change(name: str, change: Change) -> HabitatChange:
    return HabitatChange(name, number(change.on), number(change.off), number(change.total))


def _negative(items: Iterable[tuple[str, Change]]) -> list[HabitatChange]:
    out = []
    for name, change in items:
        try:
            if lt(change.total, 0.0):
                out.append(_habitat_change(name, change))
        except XlError:
            out.append(_habitat_change(name, change))
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


def area(rel: Release, changes: dict[str, Change]) -> AreaTrading:
    """Sheet "Trading Summary Area Habitats": V.High and High may lose nothing; Medium and Low by band."""
    rows = rel.area_trading_layout
    by_band: dict[str, list[tuple[str, Change]]] = {b: [] for b in ("V.High", "High", "Medium", "Low")}
    for r in rows:
        by_band[r.band].append((r.display_label, changes[r.habitat.lower()]))
    totals = {b: [c.total for _, c in items] for b, items in by_band.items()}  # column F, by band

    def losses(values: list[Value]) -> Value:  # BF = IF(BE<0, BE, ""), then SUM
        return sum_cell([_loss(v) for v in values])

    very_high_losses = losses(totals["V.High"])  # G33
    very_high_gains = xl.sum_positive(totals["V.High"])  # K12
    high_gains = xl.sum_positive(totals["High"])  # K40
    high_losses = losses(totals["High"])  # K41
    blocks: dict[str, list[Value]] = {}
    for r in rows:
        if r.band == "Medium":
            blocks.setdefault(r.medium_block, []).append(changes[r.habitat.lower()].total)
    block_totals = {name: sum_cell(vals) for name, vals in blocks.items()}  # G89 …: each broad habitat
    medium_gains = xl.sum_positive(block_totals.values())  # K88
    medium_losses = xl.sum_negative(block_totals.values())  # K89
    # K90: V.High and High gains offset Medium losses, without first deducting their losses (quirk 13)
    medium_net = xl.add(xl.add(high_gains, very_high_gains), medium_losses)
    surplus = xl.add(medium_net, medium_gains)  # K91
    low_change = sum_cell(totals["Low"])  # K124
    low_net = catch(lambda: xl.add(num(low_change), surplus) if surplus > 0 else num(low_change))  # K125
    verdicts = [  # G5:G8
        _verdict(lambda: lt(very_high_losses, 0.0), True),
        _verdict(lambda: lt(high_losses, 0.0), True),
        _verdict(lambda: medium_net < 0.0, False),
        _verdict(lambda: lt(low_net, 0.0), False),
    ]
    medium_failing = [
        HabitatChange(name, None, None, number(v))
        for name, v in block_totals.items()
        if isinstance(v, float) and v < 0.0
    ]
    rule = rel.trading_rule_of_band
    bands = [
        _band("V.High", rule["V.High"], verdicts[0], very_high_losses, _negative(by_band["V.High"])),
        _band("High", rule["High"], verdicts[1], high_losses, _negative(by_band["High"])),
        _band("Medium", rule["Medium"], verdicts[2], medium_net, medium_failing),
        _band("Low", rule["Low"], verdicts[3], low_net, _negative(by_band["Low"])),
    ]
    all_changes = [_habitat_change(r.display_label, changes[r.habitat.lower()]) for r in rows]
    result = _result("area", bands, verdicts, all_changes)
    return AreaTrading(
        result, verdicts, very_high_gains, very_high_losses, medium_gains, low_change, block_totals, changes
    )


@dataclass(slots=True)
class LinearTrading:
    """The hedgerow or watercourse trading summary: its verdicts and the losses not offset."""

    result: TradingResult
    verdicts: list[Value]
    losses_not_offset: list[Value]  # Unit shortfall calculations F147:F151 / F157:F160
    very_high_loss: Value  # WaterC's I13 (the credit guard)


def hedgerow(rel: Release, changes: dict[str, Change]) -> LinearTrading:
    """Sheet "Trading Summary Hedgerows": surpluses flow down the bands (I31 counts High twice, quirk 12)."""
    by_band: dict[str, list[tuple[str, Change]]] = {b: [] for b in BAND_KEYS}
    for name, t in rel.hedgerow_types.items():
        by_band[t.band].append((name, changes[name.lower()]))
    totals = {b: [c.total for _, c in items] for b, items in by_band.items()}  # column E, by band
    very_high_gains = xl.sum_positive(totals["V.High"])  # I13
    very_high_losses = xl.sum_negative(totals["V.High"])  # I14
    high_gains = xl.sum_positive(totals["High"])  # I21
    high_losses = xl.sum_negative(totals["High"])  # I22
    high_net = xl.add(very_high_gains, high_losses)  # I23
    surplus_to_medium = xl.add(high_net if high_net > 0 else 0.0, high_gains)  # I31
    medium_change = sum_cell(totals["Medium"])  # I32
    medium_net = catch(lambda: xl.add(num(medium_change), surplus_to_medium))  # I33
    low_change = sum_cell(totals["Low"])  # I43
    low_net = catch(  # I44
        lambda: xl.add(num(low_change), num(medium_net)) if gt(medium_net, 0.0) else num(low_change)
    )
    very_low_change = sum_cell(totals["V.Low"])  # I53
    very_low_net = catch(  # I54
        lambda: xl.add(num(very_low_change), num(low_net)) if gt(low_net, 0.0) else num(very_low_change)
    )
    verdicts = [  # F5:F9
        _verdict(lambda: very_high_losses < 0.0, True),
        _verdict(lambda: xl.add(high_losses, very_high_gains) < 0.0, False),
        _verdict(lambda: lt(medium_net, 0.0), False),
        _verdict(lambda: lt(low_net, 0.0), False),
        _verdict(lambda: lt(very_low_net, 0.0), False),
    ]
    rule = {t.band: t.trading_rule for t in rel.hedgerow_types.values()}
    bands = [
        _band("V.High", rule["V.High"], verdicts[0], very_high_losses, _negative(by_band["V.High"])),
        _band("High", rule["High"], verdicts[1], xl.add(high_losses, very_high_gains), _negative(by_band["High"])),
        _band("Medium", rule["Medium"], verdicts[2], medium_net, _negative(by_band["Medium"])),
        _band("Low", rule["Low"], verdicts[3], low_net, _negative(by_band["Low"])),
        _band("V.Low", rule["V.Low"], verdicts[4], very_low_net, _negative(by_band["V.Low"])),
    ]
    all_changes = [_habitat_change(name, c) for items in by_band.values() for name, c in items]
    result = _result("hedgerow", bands, verdicts, all_changes)
    not_offset = [very_high_losses, high_net, medium_net, low_net, very_low_net]
    return LinearTrading(result, verdicts, not_offset, very_high_losses)


def watercourse(rel: Release, changes: dict[str, Change]) -> LinearTrading:
    """Sheet "Trading Summary WaterC's": V.High, High and each Medium type may lose nothing; Low takes the rest."""
    by_band: dict[str, list[tuple[str, Change]]] = {b: [] for b in ("V.High", "High", "Medium", "Low")}
    for name, t in rel.watercourse_types.items():
        by_band[t.band].append((name, changes[name.lower()]))
    totals = {b: [c.total for _, c in items] for b, items in by_band.items()}  # column E, by band
    very_high_change = sum_cell(totals["V.High"])  # E14
    very_high_gains = xl.sum_positive(totals["V.High"])  # I12
    very_high_loss = catch(lambda: num(very_high_change) if lt(very_high_change, 0.0) else 0.0)  # I13
    high_change = sum_cell(totals["High"])  # E23
    high_gain = catch(lambda: num(high_change) if gt(high_change, 0.0) else 0.0)  # I21
    high_loss = catch(lambda: num(high_change) if lt(high_change, 0.0) else 0.0)  # I22
    medium_gains = xl.sum_positive(totals["Medium"])  # I29
    medium_losses = xl.sum_negative(totals["Medium"])  # I30
    low_change = sum_cell(totals["Low"])  # I41
    low_net = catch(  # I42
        lambda: xl.add(num(low_change), xl.add(xl.add(medium_gains, num(high_gain)), very_high_gains))
    )
    verdicts = [  # G5:G8
        _verdict(lambda: lt(very_high_change, 0.0), False),
        _verdict(lambda: lt(high_loss, 0.0), False),
        _verdict(lambda: medium_losses < 0.0, False),
        _verdict(lambda: lt(low_net, 0.0), False),
    ]
    rule = {t.band: t.trading_rule for t in rel.watercourse_types.values()}
    bands = [
        _band("V.High", rule["V.High"], verdicts[0], very_high_change, _negative(by_band["V.High"])),
        _band("High", rule["High"], verdicts[1], high_loss, _negative(by_band["High"])),
        _band("Medium", rule["Medium"], verdicts[2], medium_losses, _negative(by_band["Medium"])),
        _band("Low", rule["Low"], verdicts[3], low_net, _negative(by_band["Low"])),
    ]
    all_changes = [_habitat_change(name, c) for items in by_band.values() for name, c in items]
    result = _result("watercourse", bands, verdicts, all_changes)
    not_offset = [very_high_loss, high_loss, medium_losses, low_net]
    return LinearTrading(result, verdicts, not_offset, very_high_loss)


def all_satisfied(*verdict_lists: list[Value]) -> bool | None:
    """Headline F55: "Yes ✓" unless a band says "No ▲"; an error cell makes it an error."""
    for verdicts in verdict_lists:
        for v in verdicts:
            if not isinstance(v, str):
                return None
    return not any(v == T.TRADING_NO for vs in verdict_lists for v in vs)
