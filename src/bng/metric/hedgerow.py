"""Hedgerow units: sheets B-1/B-2/B-3 (on-site) and E-1/E-2/E-3 (off-site)."""

from __future__ import annotations

from collections.abc import Sequence

from . import xl
from .area import lookup_srm, lookup_ss, temporal
from .cells import RowCalc, cache_key, creation_key, place_enhancements, prod, uplift
from .messages import T
from .model import HedgerowBaseline, HedgerowCreation, HedgerowEnhancement, Years
from .reference import HedgerowType, Release
from .xl import ERROR, Value, XlError, blank, catch, eq, gt, le, lt, ne, num


class HedgerowBaselineCalc(RowCalc):
    """B-1 / E-1 row (units: B-1!N / E-1!Q, units_srm: E-1!N)."""

    __slots__ = (
        "band",
        "cond",
        "cond_score",
        "length",
        "length_lost",
        "retained_srm",
        "score",
        "srm",
        "srm_category",
        "ss",
        "ss_mult",
        "type",
    )

    type: str
    length: Value
    band: str
    score: Value
    cond: str
    cond_score: Value
    ss: str
    ss_mult: Value
    length_lost: Value
    retained_srm: Value
    srm: Value
    srm_category: str


def condition_score(rel: Release, hedge: HedgerowType | None, cond: str, off: bool, check_blank: bool) -> Value:
    """B-1!I10 / E-1!I10 (and B-2!I12, B-3!T12 …): a hedgerow condition score or its error text."""
    rules = rel.rules
    if check_blank and hedge is not None and not cond:
        return T.CHECK_DATA_LOWER
    if not cond:
        return ""
    name = hedge.name if hedge is not None else ""
    if eq(name, rules.non_native_hedgerow) and ne(cond, rules.hedgerow_poor_only_condition):
        return T.NOT_POSSIBLE
    band = hedge.band if hedge is not None else ""
    if off and band == rules.very_low_hedgerow_band and cond.lower() in rules.very_low_hedgerow_forbidden_conditions:
        return T.ERROR_TRIANGLE
    score = rel.condition_scores.get(cond)
    return "" if score is None else score


def baseline(rel: Release, rows: Sequence[HedgerowBaseline], off: bool) -> list[HedgerowBaselineCalc]:
    out: list[HedgerowBaselineCalc] = []
    for row in rows:
        c = HedgerowBaselineCalc("hedgerow", "off_site" if off else "on_site", "baseline", row.ref, row, row.gain_site)
        hedge = rel.hedgerow_types.get(row.habitat)
        c.type = hedge.name if hedge else ""
        e, p, q = row.length_km, row.retained_km, row.enhanced_km
        c.length = e
        g: Value = hedge.score if hedge else ""
        c.band, c.score = (hedge.band if hedge else ""), g
        i = condition_score(rel, hedge, row.condition or "", off, True)
        c.cond, c.cond_score = row.condition or "", i
        ss = row.strategic_significance or ""
        k: Value = T.CHECK_DATA_LOWER if (hedge is not None and not ss) else ""  # B-1!K10 (only the check matters)
        ell = lookup_ss(rel, ss, T.SPATIAL_DATA_MISSING)
        c.ss, c.ss_mult = ss, ell
        # B-1!R10 / E-1!W10 length lost
        lost: Value
        if hedge is None and not row.habitat:
            lost = ""
        elif gt(xl.add(num(p), num(q)), e):
            lost = T.ERROR_IN_LENGTHS
        else:
            lost = xl.sub(xl.sub(num(e), num(p)), num(q))
        c.length_lost = lost
        checked = k == T.CHECK_DATA_LOWER or i == T.CHECK_DATA_LOWER
        # From 1.0.3 E-1!Q10 also shows "Check data ▲" when the lengths do not add up (W10). B-1!N10 got
        # the same test of R10, which is the retained units there and never holds that text (quirk 23).
        if off and rel.rules.hedgerow_length_error_voids_units and eq(lost, T.ERROR_IN_LENGTHS):
            checked = True
        if off:
            c.srm_category = row.spatial_risk or ""
            c.srm = lookup_srm(rel.spatial_risk, c.srm_category)

            def pre_srm() -> Value:
                if checked:
                    return T.CHECK_DATA_LOWER_TRIANGLE
                if c.srm_category and not row.gain_site:
                    return T.OFFSITE_REFERENCE_REQUIRED
                if not c.srm_category:
                    return ""
                return prod(e, g, i, ell)

            try:
                c.units = pre_srm()
            except XlError:
                c.units = ""
            try:
                c.units_srm = T.CHECK_DATA_LOWER if eq(c.units, T.CHECK_DATA_LOWER) else prod(e, g, i, ell, c.srm)
            except XlError:
                c.units_srm = ""
            try:
                c.retained_srm = prod(p, g, i, ell, c.srm)
            except XlError:
                c.retained_srm = ""
        else:
            try:
                c.units = T.CHECK_DATA_LOWER_TRIANGLE if checked else prod(e, g, i, ell)
            except XlError:
                c.units = ""
            c.srm, c.srm_category = "", ""
        try:
            c.retained = prod(p, g, i, ell)
        except XlError:
            c.retained = ""
        try:
            c.enhanced = prod(q, g, i, ell)
        except XlError:
            c.enhanced = ""
        c.note(c.units, c.units_srm if off else None, i, lost)
        out.append(c)
    return out


class HedgerowCreationCalc(RowCalc):
    """B-2 / E-2 row (units: B-2!W / E-2!Z, units_srm: E-2!Y)."""

    __slots__ = ("length", "srm", "status", "type")

    type: str
    length: Value
    status: Value
    srm: Value


def _creation_years(hedge: HedgerowType | None, cond: str) -> Value:
    """B-2!M12: INDEX(G-6!E3:I15, type, condition) — no IFERROR, so a miss is an error."""
    years = hedge.creation_years_ci.get(cond.lower()) if hedge is not None else None
    if years is None:
        raise XlError("#N/A")
    return years


def status(m: Value, n: Years, o: Years, delay_text: str = T.DELAY) -> Value:
    """B-2!P12 / B-3!AA12 / C-2!O12: time-to-target status after the blank tests."""
    if gt(n, 0.0) and gt(o, 0.0):
        return T.BOTH_ADVANCE_AND_DELAY
    if (eq(n, "Habitat already in target condition") or le(m, n)) and eq(o, 0.0):
        return T.REACHED_TARGET
    if blank(m):
        return ""
    if gt(n, 0.0):
        return T.STARTED_IN_PLACE
    if gt(o, 0.0):
        return delay_text
    return T.STANDARD_TIME


def final_time(m: Value, st: Value, n: Years, o: Years, not_possible_text: str = "", off: bool = False) -> Value:
    """B-2!Q12 (E-2!S12): final time to target condition of a created hedgerow.

    From 1.0.3 a standard time of ``not_possible_text`` is "Check Data ⚠" ("Check data ⚠" off-site).
    """
    if blank(m):
        return ""
    if st == T.BOTH_ADVANCE_AND_DELAY:
        return T.CHECK_DATA
    if not_possible_text and eq(m, not_possible_text):
        return T.CHECK_DATA_LOWER if off else T.CHECK_DATA
    if eq(n, "30+") or eq(n, "Habitat already in target condition"):
        return 0.0
    if eq(o, "30+"):
        return "30+"
    if eq(m, "30+") and (blank(n) or eq(n, 0.0)):
        return "30+"
    if eq(m, "30+") and gt(n, 0.0):
        return xl.sub(30.0, num(n))
    mo = xl.add(num(m), num(o))
    if gt(mo, 30.0):
        return "30+"
    mon = xl.sub(mo, num(n))
    if gt(mon, 0.0):
        return mon
    if lt(xl.sub(num(m), num(n)), 0.0):
        return 0.0
    return mon


_CreationTerms = tuple[HedgerowType | None, Value, Value, Value, Value, Value, Value]


def _creation_terms(rel: Release, row: HedgerowCreation, off: bool, first: bool) -> _CreationTerms:
    """B-2 / E-2 I12-V12: the cells of a creation row that do not depend on its length."""
    hedge = rel.hedgerow_types.get(row.habitat)
    cond = row.condition or ""
    g: Value = hedge.score if hedge else ""
    try:
        i = condition_score(rel, hedge, cond, off, False)
    except XlError:
        i = ""
    ell = lookup_ss(rel, row.strategic_significance, T.SPATIAL_DATA_MISSING)
    n, o = row.advance_years, row.delay_years
    m: Value = "" if (not row.habitat or not cond) else catch(lambda: _creation_years(hedge, cond))
    # B-2!P12 / E-2!R12 status (E-2's first row lacks the ⚠ on the delay text)
    delay_text = T.DELAY_NO_MARK if (off and first) else T.DELAY

    def status_cell() -> Value:
        if off:
            if not row.habitat:
                return ""
        elif blank(m):
            return ""
        return status(m, n, o, delay_text)

    try:
        st = status_cell()
    except XlError:
        st = ERROR
    try:
        q = final_time(m, st, n, o, rel.rules.hedgerow_not_possible_years_text, off)
    except XlError:
        q = ERROR

    def temporal_cell() -> Value:
        if not off and blank(m):
            return ""
        if off and not row.habitat:
            return ""
        if eq(q, T.CHECK_DATA):
            return T.CHECK_DATA
        return temporal(rel, q)

    try:
        r = temporal_cell()
    except XlError:
        r = ERROR
    # B-2!V12 / E-2!X12: multiplier of the *standard* creation difficulty (a workbook quirk)
    v: Value = ""
    if hedge is not None:
        v = rel.difficulty_multipliers.get(hedge.creation_difficulty, ERROR)
    return hedge, g, i, ell, st, r, v


def creation(rel: Release, rows: Sequence[HedgerowCreation], off: bool) -> list[HedgerowCreationCalc]:
    location = "off_site" if off else "on_site"
    out: list[HedgerowCreationCalc] = []
    # rows that share type, condition, strategic significance and years share I12-V12: computed once
    cache: dict[tuple[object, ...], _CreationTerms] = {}
    for idx, row in enumerate(rows):
        c = HedgerowCreationCalc("hedgerow", location, "creation", row.ref, row, row.gain_site)
        first = off and idx == 0
        key = creation_key(row, first)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _creation_terms(rel, row, off, first)
        hedge, g, i, ell, st, r, v = terms
        c.type = hedge.name if hedge else ""
        e = row.length_km
        c.length = e
        c.status = st

        if off:
            srm = lookup_srm(rel.spatial_risk, row.spatial_risk)
            c.srm = srm
            try:
                c.units_srm = prod(prod(e, g, i, ell, r, v), srm)
            except XlError:
                c.units_srm = ""
            try:
                if row.spatial_risk and not row.gain_site:
                    c.units = T.OFFSITE_REFERENCE_REQUIRED
                elif not row.spatial_risk:
                    c.units = ""
                else:
                    c.units = prod(e, g, i, ell, r, v)
            except XlError:
                c.units = ""
        else:
            try:
                c.units = prod(e, g, i, ell, r, v)
            except XlError:
                c.units = ""
        low = T.LOW_DIFFICULTY if st == T.REACHED_TARGET else None
        c.note(c.units, st, low, i)
        out.append(c)
    return out


class HedgerowEnhancementCalc(RowCalc):
    """B-3 / E-3 row (units: B-3!AH / E-3!AK, units_srm: E-3!AJ)."""

    __slots__ = ("length", "proposed")

    proposed: str
    length: Value


def enhancement(
    rel: Release,
    rows: Sequence[HedgerowEnhancement],
    baselines: Sequence[HedgerowBaselineCalc],
    off: bool,
) -> tuple[list[HedgerowEnhancementCalc], list[HedgerowEnhancement]]:
    pairs, unplaced = place_enhancements(rows, baselines, lambda row: bool(row.habitat) and gt(row.enhanced_km, 0.0))
    # rows that share baseline type and condition and the proposal share M12-AG12: computed once
    cache: dict[tuple[object, ...], _EnhancementTerms] = {}
    return [_enhancement_row(rel, e, b, off, cache) for b, e in pairs], unplaced  # type: ignore[arg-type]


_EnhancementTerms = tuple[str, bool, Value, Value, Value, Value, Value, Value, Value, Value, Value, Value]


def _enhancement_key(e: HedgerowEnhancement | None, b: HedgerowBaselineCalc) -> tuple[object, ...]:
    """What B-3 M12-AG12 depend on: the baseline's type and condition and the proposal, not lengths."""
    if e is None:
        return (b.type, b.score, b.cond, b.cond_score)
    return (
        b.type,
        b.score,
        b.cond,
        b.cond_score,
        e.habitat,
        e.condition,
        e.strategic_significance,
        cache_key(e.advance_years),
        cache_key(e.delay_years),
    )


def _enhancement_terms(
    rel: Release, e: HedgerowEnhancement | None, b: HedgerowBaselineCalc, off: bool
) -> _EnhancementTerms:
    """B-3 / E-3 M12-AG12: the cells of an enhancement row that do not depend on lengths or units."""
    base_type = b.type  # C12
    f, g_cond, h = b.score, b.cond, b.cond_score  # F12, G12, H12
    m = rel.hedgerow_types.get(e.habitat) if e is not None and e.habitat else None  # M12
    m_name = m.name if m else (e.habitat if e is not None else "")
    s = e.condition if e is not None else ""  # S12
    ss = e.strategic_significance if e is not None else ""  # U12
    y: Years = e.advance_years if e is not None else None
    z: Years = e.delay_years if e is not None else None
    # N12 distinctiveness movement
    n: Value = "" if not m_name else rel.hedgerow_change.get((base_type, m.name), "") if m else ""
    # O12 condition movement
    rr: Value = m.score if m else ""  # R12
    try:  # T12
        tt = condition_score(rel, m, s or "", off, False)
    except XlError:
        tt = ""

    def movement() -> Value:
        differs = xl.left(base_type, 55).lower() != xl.left(m_name, 55).lower()
        if differs and eq(n, "High - High"):
            return T.NOT_LIKE_FOR_LIKE
        # E-3!O12 also wants "Medium - Medium" like for like, until 1.0.2
        if off and differs and isinstance(n, str) and n.lower() in rel.rules.hedgerow_not_like_for_like_offsite:
            return T.NOT_LIKE_FOR_LIKE
        if gt(h, tt):
            return T.CANNOT_REDUCE_CONDITION
        if eq(f, rr) and eq(h, tt):
            return T.NO_ENHANCEMENT
        if ne(base_type, m_name) and lt(f, rr):
            return "Lower Distinctiveness Habitat - " + (s or "")
        return xl.show(g_cond) + " - " + (s or "")

    try:
        o = movement()
    except XlError:
        o = ""
    w = lookup_ss(rel, ss, T.SPATIAL_DATA_MISSING)  # W12

    # X12 standard time to target condition
    def standard_time() -> Value:
        if eq(xl.left(o, 5), "Error") or eq(xl.left(n, 5), "Error") or eq(tt, "Error"):
            return T.CHECK_DATA
        if lt(f, rr):
            if base_type == _last_type(rel):
                raise XlError("#N/A")  # G-6!B3:B14 leaves out the last (V.Low) type
            years = rel.hedgerow_distinctiveness_years.get((base_type, m_name))
            if years is None:
                raise XlError("#N/A")
            return years
        if m is None or m.name == _last_type(rel):
            raise XlError("#N/A")
        found = m.condition_change_years_ci.get(o.lower()) if isinstance(o, str) else None
        if found is None:
            raise XlError("#N/A")
        return found

    try:
        x = standard_time()
    except XlError:
        x = ""

    # AA12 status
    def status_cell() -> Value:
        if eq(x, T.CHECK_DATA):
            return T.CHECK_DATA
        if not m_name:
            return ""
        return status(x, y, z)

    aa = status_cell()

    # AB12 final time (until 1.0.3 "30+ ⚠" on-site when the delay is 30+: its multiplier lookup then
    # fails); from 1.0.3 a "Not possible" standard time is "Check Data" (tested before the 30+ advance
    # off-site, after it on-site)
    not_possible = rel.rules.hedgerow_not_possible_years_text

    def final_cell() -> Value:
        if blank(x):
            return ""
        if aa == T.CHECK_DATA:
            return T.CHECK_DATA
        if off and not_possible and eq(x, not_possible):
            return T.CHECK_DATA_LOWER
        if eq(y, "30+"):
            return 0.0
        if not off and not_possible and eq(x, not_possible):
            return T.CHECK_DATA
        if eq(z, "30+"):
            return "30+" if off else rel.rules.b3_delay_30_plus_text
        xz = xl.add(num(x), num(z))
        if gt(xz, 30.0):
            return "30+"
        if aa == T.BOTH_ADVANCE_AND_DELAY:
            return T.CHECK_DATA
        xzy = xl.sub(xz, num(y))
        if gt(xzy, 0.0):
            return xzy
        return 0.0

    try:
        ab = final_cell()
    except XlError:
        ab = ERROR

    def temporal_cell() -> Value:
        if not s or not m_name:
            return ""
        if eq(xl.left(ab, 5), "Error ▲"):
            return T.CHECK_DATA
        if eq(ab, T.CHECK_DATA):
            return T.CHECK_DATA
        return temporal(rel, ab)

    try:
        ac = temporal_cell()
    except XlError:
        ac = ERROR
    # AG12: multiplier of the standard (creation) difficulty of the proposed type (B-3!AD12 quirk)
    try:
        ag = "" if blank(o) else (rel.difficulty_multipliers[m.creation_difficulty] if m else _raise())
    except XlError:
        ag = ""

    return m_name, bool(m_name and s and ss), rr, tt, w, x, n, o, aa, ab, ac, ag


def _enhancement_row(
    rel: Release,
    e: HedgerowEnhancement | None,
    b: HedgerowBaselineCalc,
    off: bool,
    cache: dict[tuple[object, ...], _EnhancementTerms],
) -> HedgerowEnhancementCalc:
    brow: HedgerowBaseline = b.row  # type: ignore[assignment]
    c = HedgerowEnhancementCalc(
        "hedgerow",
        "off_site" if off else "on_site",
        "enhancement",
        e.ref if e else "",
        e,
        e.gain_site if e else None,
        brow.ref,
    )
    key = _enhancement_key(e, b)
    terms = cache.get(key)
    if terms is None:
        terms = cache[key] = _enhancement_terms(rel, e, b, off)
    m_name, proposed, rr, tt, w, x, n, o, aa, ab, ac, ag = terms
    c.proposed = m_name
    f, h = b.score, b.cond_score  # F12, H12
    k = b.units  # K12 baseline units (B-1 N / E-1 Q)
    p: Value = brow.enhanced_km  # P12 length enhanced
    c.length = p

    def value(with_srm: bool) -> Value:
        if not proposed:
            return ""
        out = prod(uplift(p, rr, tt, f, h, prod(ag, ac)), w)
        return prod(out, b.srm) if with_srm else out

    if off:
        category = b.srm_category

        def pre_srm() -> Value:
            if eq(k, T.CHECK_DATA_LOWER):
                return T.CHECK_DATA_LOWER
            if category and (e is None or not e.gain_site):
                return T.OFFSITE_REFERENCE_REQUIRED
            if not category:
                return ""
            return value(False)

        try:
            c.units = pre_srm()
        except XlError:
            c.units = ""

        def with_srm() -> Value:
            if eq(c.units, T.CHECK_DATA_LOWER):
                return T.CHECK_DATA_LOWER
            if not category:
                return ""
            return value(True)

        try:
            c.units_srm = with_srm()
        except XlError:
            c.units_srm = ""
    else:
        try:
            c.units = T.CHECK_DATA_LOWER if eq(k, T.CHECK_DATA_LOWER) else value(False)
        except XlError:
            c.units = ""
    low = T.LOW_DIFFICULTY if aa == T.REACHED_TARGET else None
    c.note(c.units, aa, ab if ab == T.THIRTY_PLUS_MARKED else None, x, n, o, low)
    return c


def _raise() -> Value:
    raise XlError("#N/A")


def _last_type(rel: Release) -> str:
    return next(reversed(list(rel.hedgerow_types)))
