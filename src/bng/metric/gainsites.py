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

    gain_site: str
    module: str
    baseline: Value
    baseline_srm: Value
    retained: Value
    retained_srm: Value
    enhanced: Value
    enhanced_srm: Value
    created: Value
    created_srm: Value
    change: Value
    srm: Value
    change_post_srm: Value


def _key(ref: str | None) -> str:
    return (ref or "").strip().lower()


class _Sheet:
    """One off-site sheet's rows grouped by gain site (SUMIF over the off-site reference column)."""

    def __init__(self, calcs: Sequence[RowCalc]) -> None:
        self.by_site: dict[str, tuple[list[int], list[RowCalc]]] = {}
        keys: dict[str | None, str] = {}  # each distinct reference normalised once
        for index, c in enumerate(calcs):
            ref = c.gain_site
            k = keys.get(ref)
            if k is None:
                k = keys[ref] = _key(ref)
            site = self.by_site.get(k)
            if site is None:
                site = self.by_site[k] = ([], [])
            site[0].append(index)
            site[1].append(c)

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
    order: dict[str, str] = {}
    for calcs in (baseline, creation, enhancement):
        for c in calcs:
            k = _key(c.gain_site)
            if k and k not in order:
                order[k] = (c.gain_site or "").strip()
    base_s, create_s, enh_s = _Sheet(baseline), _Sheet(creation), _Sheet(enhancement)
    out: list[GainSiteRow] = []
    for index, (key, name) in enumerate(order.items()):
        base = base_s.sumif(key, "units", start=index if module == "area" else 0)
        base_srm = base_s.sumif(key, "units_srm")
        ret = base_s.sumif(key, "retained")
        ret_srm = base_s.sumif(key, "retained_srm")
        enh = enh_s.sumif(key, "units")
        enh_srm = enh_s.sumif(key, "units_srm")
        cre = create_s.sumif(key, "units")
        cre_srm = create_s.sumif(key, "units_srm")
        if module == "watercourse":  # AK7 = (AG + AI + AE) − AC
            change = catch(lambda: xl.sub(xl.add(xl.add(num(enh), num(cre)), num(ret)), num(base)))
        else:  # K7 = (I + G + E) − C;  X7 = (V + T + R) − P
            change = catch(lambda: xl.sub(xl.add(xl.add(num(cre), num(enh)), num(ret)), num(base)))

        def post_srm() -> Value:
            if lt(change, 0.0):
                return T.GAIN_SITE_NEGATIVE
            if module == "watercourse":  # AM7 = (AH + AJ + AF) − AD
                return xl.sub(xl.add(xl.add(num(enh_srm), num(cre_srm)), num(ret_srm)), num(base_srm))
            return xl.sub(xl.add(xl.add(num(cre_srm), num(enh_srm)), num(ret_srm)), num(base_srm))

        # L7: the SRM of the site's first creation row, else of its first baseline row, else " "
        srm = create_s.first_srm(key)
        if srm is None:
            srm = base_s.first_srm(key)
        out.append(
            GainSiteRow(
                name,
                module,
                base,
                base_srm,
                ret,
                ret_srm,
                enh,
                enh_srm,
                cre,
                cre_srm,
                change,
                " " if srm is None else srm,
                catch(post_srm),
            )
        )
    return out


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
