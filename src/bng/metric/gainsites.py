"""The "Off-site gain site summary": each gain site's units before and after spatial risk.

One entry per gain site and module, in order of first appearance (baseline rows, then
creation, then enhancement rows), as the workbook's UNIQUE(FILTER(…)) lists them. The change
after the spatial risk multiplier is the SRM-weighted post-intervention units less the
SRM-weighted baseline, and a gain site whose own change is negative is an error
("gain sites must be postive", sic), which makes every unit deficit of the headline an error.

Quirk kept: the area baseline column (C7) sums a range that slides down one row per gain
site, so the n-th gain site ignores the first n−1 rows of D-1 (names in docs/quirks.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import xl
from .cells import RowCalc
from .messages import T
from .xl import Value, XlError, catch, lt, num


@dataclass(frozen=True, slots=True)
class GainSiteRow:
    """A row of the summary (C7:M7 area, P7:Z7 hedgerow, AC7:AM7 watercourse): a gain site's units."""

    gain_site: str  # B7 (O7, AB7) the off-site reference
    module: str
    baseline: Value  # C7 (P7, AC7) baseline units
    baseline_srm: Value  # D7 (Q7, AD7) baseline units with SRM
    retained: Value  # E7 (R7, AE7) retained units
    retained_srm: Value  # F7 (S7, AF7)
    enhanced: Value  # G7 (T7, AG7) enhanced units
    enhanced_srm: Value  # H7 (U7, AH7)
    created: Value  # I7 (V7, AI7) created units
    created_srm: Value  # J7 (W7, AJ7)
    change: Value  # K7 (X7, AK7) change in units
    srm: Value  # L7 (Y7, AL7) spatial risk multiplier
    change_post_srm: Value  # M7 (Z7, AM7) change after the spatial risk multiplier


def _key(ref: str | None) -> str:
    return (ref or "").strip().lower()


class _Sheet:
    """One off-site sheet's rows grouped by gain site (SUMIF over the off-site reference column)."""

    def __init__(self, calcs: Sequence[RowCalc]) -> None:
        self.by_site: dict[str, tuple[list[int], list[RowCalc]]] = {}
        keys: dict[str | None, str] = {}  # each distinct reference normalised once
        for index, calc in enumerate(calcs):
            ref = calc.gain_site
            key = keys.get(ref)
            if key is None:
                key = keys[ref] = _key(ref)
            site = self.by_site.get(key)
            if site is None:
                site = self.by_site[key] = ([], [])
            site[0].append(index)
            site[1].append(calc)

    def sumif(self, key: str, attr: str, start: int = 0) -> Value:
        """SUMIF(reference column, site, value column), from row ``start`` on (an error errors)."""
        site = self.by_site.get(key)
        if site is None:
            return 0.0
        indices, calcs = site
        first = 0  # the indices are in row order; ``start`` is at most the number of gain sites
        while first < len(indices) and indices[first] < start:
            first += 1
        rows = calcs[first:] if first else calcs
        try:
            return xl.total(list(map(getattr, rows, [attr] * len(rows))))  # getattr per row, in C
        except XlError:
            return xl.ERROR

    def first_srm(self, key: str) -> Value | None:
        site = self.by_site.get(key)
        if site is None:
            return None
        srm: Value = getattr(site[1][0], "srm", "")
        return srm


def summary(
    module: str,
    baseline: Sequence[RowCalc],
    creation: Sequence[RowCalc],
    enhancement: Sequence[RowCalc],
) -> list[GainSiteRow]:
    """One row per gain site of a module, in order of first appearance (UNIQUE(FILTER(…)) of the references)."""
    sheets = _Sheet(baseline), _Sheet(creation), _Sheet(enhancement)
    return [
        _site_row(module, name, key, index, *sheets)
        for index, (key, name) in enumerate(_first_appearance(baseline, creation, enhancement).items())
    ]


def _first_appearance(*sheets: Sequence[RowCalc]) -> dict[str, str]:
    """The gain-site references by normalised key, in order of first appearance over the sheets."""
    order: dict[str, str] = {}
    for calcs in sheets:
        for calc in calcs:
            key = _key(calc.gain_site)
            if key and key not in order:
                order[key] = (calc.gain_site or "").strip()
    return order


def _site_row(
    module: str, name: str, key: str, index: int, baseline: _Sheet, creation: _Sheet, enhancement: _Sheet
) -> GainSiteRow:
    """C7:M7 (P7:Z7, AC7:AM7) of the ``index``-th gain site."""
    baseline_units = baseline.sumif(key, "units", start=index if module == "area" else 0)
    baseline_srm = baseline.sumif(key, "units_srm")
    retained = baseline.sumif(key, "retained")
    retained_srm = baseline.sumif(key, "retained_srm")
    enhanced = enhancement.sumif(key, "units")
    enhanced_srm = enhancement.sumif(key, "units_srm")
    created = creation.sumif(key, "units")
    created_srm = creation.sumif(key, "units_srm")
    change = catch(lambda: _change(module, baseline_units, retained, enhanced, created))

    def post_srm() -> Value:
        if lt(change, 0.0):
            return T.GAIN_SITE_NEGATIVE
        return _change(module, baseline_srm, retained_srm, enhanced_srm, created_srm)  # M7 / Z7 / AM7

    # L7: the SRM of the site's first creation row, else of its first baseline row, else " "
    srm = creation.first_srm(key)
    if srm is None:
        srm = baseline.first_srm(key)
    return GainSiteRow(
        name,
        module,
        baseline_units,
        baseline_srm,
        retained,
        retained_srm,
        enhanced,
        enhanced_srm,
        created,
        created_srm,
        change,
        " " if srm is None else srm,
        catch(post_srm),
    )


def _change(module: str, baseline: Value, retained: Value, enhanced: Value, created: Value) -> float:
    """K7 = (I + G + E) − C, X7 = (V + T + R) − P; AK7 = (AG + AI + AE) − AC adds in another order."""
    if module == "watercourse":
        return xl.sub(xl.add(xl.add(num(enhanced), num(created)), num(retained)), num(baseline))
    return xl.sub(xl.add(xl.add(num(created), num(enhanced)), num(retained)), num(baseline))


def headline_error(
    area: Sequence[GainSiteRow], hedgerow: Sequence[GainSiteRow], watercourse: Sequence[GainSiteRow]
) -> bool | None:
    """Headline B19: a negative area or watercourse gain site; None where a cell is an error.

    The hedgerow column is compared with the correctly spelt "positive", which its cells never
    say, so a negative hedgerow gain site does not reach B19 (a workbook quirk).
    """
    try:
        hit = False
        for row in (*area, *watercourse):
            if xl.eq(row.change_post_srm, T.GAIN_SITE_NEGATIVE):
                hit = True
        for row in hedgerow:
            xl.eq(row.change_post_srm, "Error - gain sites must be positive ▲")
        return hit
    except XlError:
        return None
