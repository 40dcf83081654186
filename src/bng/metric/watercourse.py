"""Watercourse units: sheets C-1/C-2/C-3 (on-site) and F-1/F-2/F-3 (off-site)."""

from __future__ import annotations

from collections.abc import Sequence

from . import xl
from .area import lookup_srm, lookup_ss, temporal
from .cells import RowCalc, cache_key, creation_key, iferror, place_enhancements, prod, uplift
from .hedgerow import status
from .messages import T
from .model import WatercourseBaseline, WatercourseCreation, WatercourseEnhancement, Years
from .reference import Release, WatercourseType
from .xl import ERROR, Value, XlError, blank, catch, eq, ge, gt, lt, ne, num


class WatercourseBaselineCalc(RowCalc):
    """C-1 / F-1 row (units: C-1!R / F-1!U, units_srm: F-1!R)."""

    __slots__ = (
        "band",
        "bespoke",
        "cond",
        "cond_score",
        "enc",
        "enhanced_length",
        "irreplaceable",
        "length",
        "length_lost",
        "note_q",
        "retained_length",
        "retained_srm",
        "rip",
        "score",
        "srm",
        "srm_category",
        "ss_mult",
        "type",
        "units_lost",
        "vhdh_bespoke",
    )

    type: str
    length: Value
    band: str
    score: Value
    cond: str
    cond_score: Value
    ss_mult: Value
    enc: Value
    rip: Value
    note_q: str
    length_lost: Value
    units_lost: Value
    vhdh_bespoke: Value
    retained_srm: Value
    srm: Value
    srm_category: str
    bespoke: str
    retained_length: Value
    enhanced_length: Value
    irreplaceable: str


def _cond_score(w: WatercourseType | None, cond: str) -> Value:
    """C-1!I10: INDEX(G-7!H4:L8, type, condition) ("" when not found)."""
    if w is None or not cond:
        return ""
    return w.condition_scores_ci.get(cond.lower(), "")


def encroachment(
    rel: Release, value: str | None, wtype: str, riparian: bool, missing: str, culvert_check_both_ways: bool = True
) -> Value:
    """C-1!N10 / P10: encroachment multipliers; a culvert takes "N/A - Culvert" and only it does."""
    if not value:
        return ""
    rules = rel.rules
    is_culvert = eq(wtype, rules.culvert_type)
    na = value.lower() == rules.culvert_encroachment.lower()
    if na and not is_culvert:
        return T.NOT_POSSIBLE
    if culvert_check_both_ways and is_culvert and not na:
        return T.NOT_POSSIBLE
    table = rel.riparian_encroachment if riparian else rel.watercourse_encroachment
    mult = table.get(value)
    if mult is None:
        return ERROR
    return missing if mult == 0 else mult


def baseline(rel: Release, rows: Sequence[WatercourseBaseline], off: bool) -> list[WatercourseBaselineCalc]:
    x3 = rel.trading_rule_of_band["V.High"]
    out: list[WatercourseBaselineCalc] = []
    for row in rows:
        c = WatercourseBaselineCalc(
            "watercourse", "off_site" if off else "on_site", "baseline", row.ref, row, row.gain_site
        )
        w = rel.watercourse_types.get(row.habitat)
        name = w.name if w else ""
        c.type = name
        e, u, v = row.length_km, row.retained_km, row.enhanced_km
        c.length, c.retained_length, c.enhanced_length = e, u, v
        g: Value = w.score if w else ""
        c.band, c.score = (w.band if w else ""), g
        i = _cond_score(w, row.condition or "")
        c.cond, c.cond_score = row.condition or "", i
        ell = lookup_ss(rel, row.strategic_significance, T.SPATIAL_DATA_MISSING)
        c.ss_mult = ell
        n = encroachment(rel, row.encroachment, name, False, T.SPATIAL_DATA_MISSING)
        p = encroachment(rel, row.riparian_encroachment, name, True, T.SPATIAL_DATA_MISSING)
        c.enc, c.rip = n, p
        q = w.trading_rule if w else ""
        c.note_q = q
        c.irreplaceable = w.irreplaceable if w else ""
        aa = row.bespoke_compensation or ""
        c.bespoke = aa
        split = gt(u, 0.0) and gt(v, 0.0) and gt(xl.add(num(u), num(v)), e)

        def units(srm: Value | None) -> Value:
            if split:
                return T.SPLIT_RETAINED_ENHANCED
            if srm is None:
                return prod(e, g, i, ell, n, p)
            return prod(e, g, i, ell, n, p, srm)

        if off:
            c.srm_category = row.spatial_risk or ""
            c.srm = lookup_srm(rel.spatial_risk_watercourse, c.srm_category)
            try:
                c.units_srm = units(c.srm)
            except XlError:
                c.units_srm = " "

            def pre_srm() -> Value:
                if split:
                    return T.SPLIT_RETAINED_ENHANCED
                if c.srm_category and not row.gain_site:
                    return T.OFFSITE_REFERENCE_REQUIRED
                return units(None)

            try:
                r = pre_srm()
            except XlError:
                r = " "
        else:
            c.srm, c.srm_category = "", ""
            try:
                r = units(None)
            except XlError:
                r = " "
        c.units = r
        try:
            retained = T.ERROR_IN_LENGTHS if gt(u, e) else prod(u, g, i, ell, n, p)
        except XlError:
            retained = ""
        try:
            enhanced = "" if not row.habitat else prod(v, g, i, ell, n, p)
        except XlError:
            enhanced = ""
        c.retained, c.enhanced = retained, enhanced
        try:
            c.length_lost = (
                ""
                if not row.habitat
                else (xl.sub(xl.sub(num(e), num(u)), num(v)) if gt(e, xl.add(num(u), num(v))) else 0.0)
            )
        except XlError:
            c.length_lost = ""

        def lost() -> Value:
            if blank(e) or blank(r):
                return ""
            if off and not blank(c.length_lost) and not c.srm_category:
                return T.SPATIAL_RISK_CATEGORY_MISSING
            if q == x3 and aa == "Yes":
                return T.ALTERNATIVE_COMPENSATION
            if aa == "Pending" and q == x3:
                return T.BESPOKE_MUST_BE_AGREED
            if ge(xl.add(num(retained), num(enhanced)), r):
                return 0.0
            return xl.sub(xl.sub(num(r), num(retained)), num(enhanced))

        try:
            c.units_lost = lost()
        except XlError:
            c.units_lost = T.CHECK_DATA
        # C-1!AT10 / F-1!AT10: V.High losses with bespoke compensation (no IFERROR)
        if aa in ("Yes", "Pending") and q == x3:
            if off:  # F-1!AT10 subtracts enhanced before retained
                try:
                    c.vhdh_bespoke = xl.sub(xl.sub(num(r), num(enhanced)), num(retained))
                except XlError:
                    c.vhdh_bespoke = ERROR
            else:
                try:
                    c.vhdh_bespoke = xl.sub(xl.sub(num(r), num(retained)), num(enhanced))
                except XlError:
                    c.vhdh_bespoke = ERROR
        else:
            c.vhdh_bespoke = "0" if off else ""
        if off:

            def retained_srm() -> Value:
                if gt(u, e):
                    return T.ERROR_IN_LENGTHS
                return xl.add(prod(u, g, i, ell, n, p, c.srm), prod(c.vhdh_bespoke, c.srm))

            try:
                c.retained_srm = retained_srm()
            except XlError:
                c.retained_srm = ""
        c.note(r, c.units_srm if off else None, retained, c.units_lost, n, p, i)
        out.append(c)
    return out


class WatercourseCreationCalc(RowCalc):
    """C-2 / F-2 row (units: C-2!Z / F-2!AC, units_srm: F-2!AB)."""

    __slots__ = ("length", "srm", "status", "type")

    type: str
    length: Value
    status: Value
    srm: Value


def _final_time(st: Value, ell: Value, m: Years, n: Years, over: str) -> Value:
    """C-2!P12 / C-3!AC12: final time to target condition."""
    if st == T.BOTH_ADVANCE_AND_DELAY:
        return T.CHECK_DATA
    if st == T.CHECK_DATA:
        return T.CHECK_DATA
    if blank(ell):
        return ""
    if eq(m, "30+"):
        return 0.0
    if eq(n, "30+"):
        return "30+"
    ln = xl.add(num(ell), num(n))
    if gt(ln, 30.0):
        return over
    lnm = xl.sub(ln, num(m))
    if gt(lnm, 0.0):
        return lnm
    if lt(xl.sub(num(ell), num(m)), 0.0):
        return 0.0
    return lnm


_CreationTerms = tuple[str, Value, Value, Value, Value, Value, Value, Value, Value, Value | None]


def _creation_terms(rel: Release, row: WatercourseCreation, off: bool) -> _CreationTerms:
    """C-2 / F-2 F12-Y12: the cells of a creation row that do not depend on its length."""
    w = rel.watercourse_types.get(row.habitat)
    name = w.name if w else ""
    f: Value = w.score if w else ""
    cond = row.condition or ""
    h = _cond_score(w, cond)
    k = lookup_ss(rel, row.strategic_significance, T.SPATIAL_DATA_MISSING)
    ell: Value = rel.watercourse_creation_years_ci.get(cond.lower(), "") if cond else ""
    m, n = row.advance_years, row.delay_years
    st: Value = "" if blank(ell) else status(ell, m, n)
    # C-2!P12 returns "30+ " (trailing space) past 30 years, which the multiplier lookup misses
    try:
        pp = _final_time(st, ell, m, n, "30+" if off else "30+ ")
    except XlError:
        pp = ERROR
    try:
        q = T.CHECK_DATA if eq(pp, T.CHECK_DATA) else temporal(rel, pp)
    except XlError:
        q = ""
    r_diff: Value = w.creation_difficulty if w else ""

    def applied() -> Value:
        if not row.habitat:
            return ""
        if eq(pp, T.CHECK_DATA):
            return T.CHECK_DATA
        if not cond:
            return ""
        if st == T.REACHED_TARGET:
            return T.LOW_DIFFICULTY_NO if off else T.LOW_DIFFICULTY
        return T.STANDARD_DIFFICULTY

    try:
        s_app = applied()
    except XlError:
        s_app = ERROR

    def final_difficulty() -> Value:
        if eq(s_app, T.STANDARD_DIFFICULTY) and gt(ell, m):
            return r_diff
        low = T.LOW_DIFFICULTY_NO if off else T.LOW_DIFFICULTY
        if eq(s_app, low) and ge(m, ell):
            return "Low"
        return r_diff

    try:
        t_diff = final_difficulty()
    except XlError:
        t_diff = ERROR

    def multiplier() -> Value:
        if not row.habitat:
            return ""
        if not isinstance(t_diff, str) or t_diff not in rel.difficulty_multipliers:
            raise XlError("#N/A")
        return rel.difficulty_multipliers[t_diff]

    try:
        u = multiplier()
    except XlError:
        u = ERROR
    wv = encroachment(rel, row.encroachment, name, False, T.SPATIAL_DATA_MISSING)
    y = encroachment(rel, row.riparian_encroachment, name, True, T.ENCROACHMENT_DATA_MISSING)
    low = s_app if s_app in (T.LOW_DIFFICULTY, T.LOW_DIFFICULTY_NO) else None
    return name, f, h, k, st, q, u, wv, y, low


def creation(rel: Release, rows: Sequence[WatercourseCreation], off: bool) -> list[WatercourseCreationCalc]:
    location = "off_site" if off else "on_site"
    out: list[WatercourseCreationCalc] = []
    # rows that share type, condition, strategic significance, years and encroachment share
    # F12-Y12: computed once
    cache: dict[tuple[object, ...], _CreationTerms] = {}
    for row in rows:
        c = WatercourseCreationCalc("watercourse", location, "creation", row.ref, row, row.gain_site)
        key = creation_key(row, row.encroachment, row.riparian_encroachment)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _creation_terms(rel, row, off)
        name, f, h, k, st, q, u, wv, y, low = terms
        c.type = name
        d = row.length_km
        c.length = d
        c.status = st

        def delivered() -> Value:
            if off:  # F-2!AC12 multiplies watercourse before riparian encroachment
                return prod(d, f, h, k, q, u, wv, y)
            return prod(d, f, h, k, q, u, y, wv)

        if off:
            srm = lookup_srm(rel.spatial_risk_watercourse, row.spatial_risk)
            c.srm = srm
            try:
                c.units_srm = prod(delivered(), srm)
            except XlError:
                c.units_srm = ""

            def pre_srm() -> Value:
                if row.spatial_risk and not row.gain_site:
                    return T.OFFSITE_REFERENCE_REQUIRED
                if not row.spatial_risk:
                    return ""
                return delivered()

            try:
                c.units = pre_srm()
            except XlError:
                c.units = ""
        else:
            try:
                c.units = "" if not row.habitat else delivered()
            except XlError:
                c.units = ""
        c.note(c.units, st, low, h, wv, y)
        out.append(c)
    return out


class WatercourseEnhancementCalc(RowCalc):
    """C-3 / F-3 row (units: C-3!AM / F-3!AP, units_srm: F-3!AO)."""

    __slots__ = ("baseline_comparison", "length", "proposed")

    proposed: str
    length: Value
    baseline_comparison: Value


def enhancement(
    rel: Release,
    rows: Sequence[WatercourseEnhancement],
    baselines: Sequence[WatercourseBaselineCalc],
    off: bool,
) -> tuple[list[WatercourseEnhancementCalc], list[WatercourseEnhancement], Value, Value]:
    """C-3 / F-3 rows, the rows without a place, and the sheet totals (C-3!AM258, F-3!AP258/AO258)."""
    pairs, unplaced = place_enhancements(rows, baselines, lambda row: bool(row.habitat) and gt(row.enhanced_km, 0.0))
    # rows that share baseline type and condition and the proposal share N12-AL12: computed once
    cache: dict[tuple[object, ...], _EnhancementTerms] = {}
    out = [_enhancement_row(rel, e, b, off, cache) for b, e in pairs]  # type: ignore[arg-type]

    # AM6 / AQ6: SUMPRODUCT(--(units < baseline comparison)); any such row makes the total a text.
    # Until 1.0.3 an error among the comparisons (quirk 20) makes the total an error too; 1.0.3 wrapped
    # AM6 and AQ6 in IFERROR, so the total is then the plain sum.
    def less_than_baseline() -> bool:
        try:
            return any([lt(c.units, c.baseline_comparison) for c in out])
        except XlError:
            if rel.rules.watercourse_units_check_iferror:
                return False
            raise

    def sheet_total(srm: bool) -> Value:
        if less_than_baseline():
            return "Error  ▲" if off else T.ERROR_TRIANGLE
        return xl.total((c.units_srm if srm else c.units) for c in out)

    if off:
        tot = iferror(lambda: sheet_total(False), "")
        tot_srm = iferror(lambda: sheet_total(True), "")
    else:
        tot = catch(lambda: sheet_total(False))
        tot_srm = ""
    return out, unplaced, tot, tot_srm


_EnhancementTerms = tuple[str, Value, Value, Value, Value, Value, Value, Value, Value, Value, Value, Value]


def _baseline_cells(b: WatercourseBaselineCalc) -> tuple[Value, Value, Value, Value]:
    """C-3!E12:H12 (F-3 alike): the baseline row's band, score, condition and condition score.

    Each is ``IF(previous cell = "", "", VLOOKUP(…))`` down from D12, the baseline's length.
    LibreOffice, whose evaluation the engine follows, gives a VLOOKUP of an empty cell as empty,
    so a baseline row without a length (listed for enhancement by its type) leaves all four
    blank (quirk 24; Excel would give D12 = 0 and look them up).
    """
    if blank(b.length):
        return "", "", "", ""
    return b.band, b.score, b.cond, b.cond_score


def _enhancement_key(e: WatercourseEnhancement | None, b: WatercourseBaselineCalc) -> tuple[object, ...]:
    """What C-3 N12-AL12 depend on: the baseline's type and condition and the proposal, not sizes."""
    if e is None:
        return (b.type, *_baseline_cells(b), b.irreplaceable)
    return (
        b.type,
        *_baseline_cells(b),
        b.irreplaceable,
        e.habitat,
        e.condition,
        e.strategic_significance,
        cache_key(e.advance_years),
        cache_key(e.delay_years),
        e.encroachment,
        e.riparian_encroachment,
    )


def _enhancement_terms(
    rel: Release, e: WatercourseEnhancement | None, b: WatercourseBaselineCalc, off: bool
) -> _EnhancementTerms:
    """C-3 / F-3 N12-AL12: the cells of an enhancement row that do not depend on lengths or units."""
    base_type = b.type  # C12
    band, f, g_cond, h = _baseline_cells(b)  # E12, F12, G12, H12
    wt = rel.watercourse_types.get(e.habitat) if e is not None and e.habitat else None
    nn = wt.name if wt else (e.habitat if e is not None else "")  # N12
    s: Value = wt.score if wt else ""  # S12
    r_band: Value = wt.band if wt else ""  # R12
    t_cond = e.condition if e is not None else ""  # T12
    u = _cond_score(wt, t_cond or "")  # U12
    xmul = lookup_ss(rel, e.strategic_significance if e else "", T.SPATIAL_DATA_MISSING)  # X12
    z: Years = e.advance_years if e is not None else None
    aa: Years = e.delay_years if e is not None else None
    irreplaceable = b.irreplaceable  # C-3!AS12 / F-3!AZ12 (G-7 column M of the baseline type)
    # O12 distinctiveness movement
    o: Value = T.TRADING_DOWN if lt(s, f) else xl.show(band) + " - " + xl.show(r_band)

    # P12 condition movement
    def movement() -> Value:
        if blank(base_type):
            return ""
        if ne(nn, base_type) and irreplaceable == "Yes":
            return T.REPLACE_IRREPLACEABLE if off else T.REPLACE_IRREPLACEABLE_TYPO
        if xl.left(base_type, 55).lower() != xl.left(nn, 55).lower() and eq(o, "High - High"):
            return T.NOT_LIKE_FOR_LIKE
        if gt(h, u):
            return T.CANNOT_REDUCE_CONDITION
        if ne(base_type, nn) and lt(f, s):
            return "Lower Distinctiveness Habitat - " + (t_cond or "")
        return xl.show(g_cond) + " - " + (t_cond or "")

    try:
        pm = movement()
    except XlError:
        pm = ERROR

    # Y12 standard time
    def standard_time() -> Value:
        error_mark = "Error" if off else rel.rules.c3_trading_down_error_prefix
        if eq(xl.left(pm, 5), "Error") or eq(xl.left(o, 5), error_mark):
            return T.CHECK_DATA
        if lt(f, s):
            return rel.watercourse_distinctiveness_years
        found = rel.watercourse_condition_years_ci.get((xl.show(g_cond).lower(), (t_cond or "").lower()))
        if found is None:
            raise XlError("#N/A")
        return found

    try:
        y = standard_time()
    except XlError:
        y = ""
    ab: Value = "" if blank(y) else (T.CHECK_DATA if eq(y, T.CHECK_DATA) else status(y, z, aa))
    try:
        ac = _final_time(ab, y, z, aa, "30+")
    except XlError:
        ac = ERROR
    try:
        ad = T.CHECK_DATA if eq(ac, T.CHECK_DATA) else temporal(rel, ac)
    except XlError:
        ad = ""
    ae: Value = wt.enhancement_difficulty if wt else ""

    def applied() -> Value:
        if not nn:
            return ""
        if eq(ac, T.CHECK_DATA):
            return T.CHECK_DATA
        if not t_cond:
            return ""
        return T.LOW_DIFFICULTY if ab == T.REACHED_TARGET else T.STANDARD_DIFFICULTY

    try:
        af = applied()
    except XlError:
        af = ERROR

    def final_difficulty() -> Value:
        if eq(af, T.STANDARD_DIFFICULTY) and gt(y, z):
            return ae
        if eq(af, T.LOW_DIFFICULTY) and ge(z, y):
            return "Low"
        return ae

    try:
        ag = final_difficulty()
    except XlError:
        ag = ERROR

    def multiplier() -> Value:
        if not nn:
            return ""
        if not isinstance(ag, str) or ag not in rel.difficulty_multipliers:
            raise XlError("#N/A")
        return rel.difficulty_multipliers[ag]

    try:
        ah = multiplier()
    except XlError:
        ah = ERROR
    # AJ12 / AL12: encroachment of the enhanced watercourse (only N/A - Culvert on a non-culvert fails)
    aj = encroachment(rel, e.encroachment if e else None, nn, False, T.SPATIAL_DATA_MISSING, False)
    al = encroachment(rel, e.riparian_encroachment if e else None, nn, True, T.SPATIAL_DATA_MISSING, False)

    return nn, s, u, xmul, o, pm, y, ab, ad, ah, aj, al


def _enhancement_row(
    rel: Release,
    e: WatercourseEnhancement | None,
    b: WatercourseBaselineCalc,
    off: bool,
    cache: dict[tuple[object, ...], _EnhancementTerms],
) -> WatercourseEnhancementCalc:
    brow: WatercourseBaseline = b.row  # type: ignore[assignment]
    c = WatercourseEnhancementCalc(
        "watercourse",
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
    nn, s, u, xmul, o, pm, y, ab, ad, ah, aj, al = terms
    c.proposed = nn
    base_type = b.type  # C12
    d = b.length  # D12 baseline length
    _, f, _, h = _baseline_cells(b)  # F12, H12
    m = b.units  # M12 baseline units
    q: Value = brow.enhanced_km if nn else ""  # Q12 length enhanced
    c.length = q

    def value(with_srm: bool) -> Value:
        risk = prod(ah, ad)
        if gt(q, d):
            core = uplift(q, s, u, f, h, risk, size_base=d)
        else:
            core = uplift(q, s, u, f, h, risk)
        if with_srm:
            return prod(core, prod(al, xmul, aj, b.srm))
        return prod(core, prod(al, xmul, aj))

    if off:
        try:
            c.units_srm = "" if blank(base_type) else value(True)
        except XlError:
            c.units_srm = ""

        def pre_srm() -> Value:
            if blank(base_type):
                return ""
            if blank(b.srm_category):
                return ""
            if nn and blank(m):
                return T.CHECK_DATA_LOWER
            if b.srm_category and (e is None or not e.gain_site):
                return T.OFFSITE_REFERENCE_REQUIRED
            return value(False)

        try:
            c.units = pre_srm()
        except XlError:
            c.units = ""
    else:

        def delivered() -> Value:
            if blank(base_type):
                return ""
            if nn and blank(m):
                return T.CHECK_DATA
            return value(False)

        try:
            c.units = delivered()
        except XlError:
            c.units = ""

    # AY12 / BD12: the baseline units the enhancement must not fall below (no IFERROR)
    def comparison() -> Value:
        ax = b.enhanced  # units enhanced of the baseline row
        if gt(ax, m):
            return m
        if gt(xl.add(num(b.retained_length), num(q)), d):
            return xl.sub(num(m), num(b.retained))
        return ax

    try:
        c.baseline_comparison = comparison()
    except XlError:
        c.baseline_comparison = ERROR
    c.note(c.units, o, pm, ab, y)
    return c
