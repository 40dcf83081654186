"""Area habitat units: sheets A-1/A-2/A-3 (on-site) and D-1/D-2/D-3 (off-site).

Each function follows the workbook's formulas cell by cell, in their order of precedence;
the cell a statement computes is named in its comment. Off-site sheets differ from the
on-site ones in a few places (spatial risk, the off-site reference check, some error texts,
a row-position quirk); those places test ``off``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import xl
from .cells import RowCalc, creation_key, iferror, place_enhancements, prod, uplift
from .messages import T
from .model import AreaBaseline, AreaCreation, AreaEnhancement, Years
from .reference import AreaHabitat, Release
from .xl import ERROR, Value, XlError, blank, eq, ge, gt, le, lt, ne, num


class AreaBaselineCalc(RowCalc):
    """A-1 / D-1 row (units: A-1!Q / D-1!T, units_srm: D-1!Q)."""

    __slots__ = (
        "area",
        "area_lost",
        "band",
        "bespoke",
        "broad",
        "cond",
        "cond_score",
        "enhanced_area",
        "hab",
        "irreplaceable",
        "label",
        "note_p",
        "retained_area",
        "retained_srm",
        "score",
        "srm",
        "srm_category",
        "ss",
        "ss_mult",
        "units_lost",
        "vhdh_bespoke",
    )

    hab: AreaHabitat | None
    broad: str
    label: str
    irreplaceable: str
    area: Value
    band: Value
    score: Value
    cond: str
    cond_score: Value
    ss: str
    ss_mult: Value
    note_p: str
    retained_area: Value
    enhanced_area: Value
    area_lost: Value
    units_lost: Value
    vhdh_bespoke: Value
    retained_srm: Value
    srm_category: str
    srm: Value
    bespoke: str


def _g(v: bool | None) -> str:
    return "" if v is None else ("Yes" if v else "No")


def lookup_ss(rel: Release, ss: str | None, missing: str = T.SPATIAL_DATA_MISSING_TRIANGLE) -> Value:
    """O11: strategic significance multiplier ("" when blank, an error when unknown)."""
    if not ss:
        return ""
    mult = rel.strategic_significance.get(ss)
    if mult is None:
        return ERROR
    return missing if mult == 0 else mult


def lookup_srm(table: Mapping[str, float], category: str | None) -> Value:
    """S11 / Z11 / AO12: spatial risk multiplier of a category ("" when blank)."""
    if not category:
        return ""
    mult = table.get(category)
    if mult is None:
        return ERROR
    return T.SPATIAL_DATA_MISSING if mult == 0 else mult


def baseline(rel: Release, rows: Sequence[AreaBaseline], off: bool) -> list[AreaBaselineCalc]:
    rules = rel.rules
    x3 = rel.trading_rule_of_band["V.High"]
    x9 = rules.irreplaceable_trading_rule
    out: list[AreaBaselineCalc] = []
    for row in rows:
        c = AreaBaselineCalc("area", "off_site" if off else "on_site", "baseline", row.ref, row, row.gain_site)
        hab = rel.area_habitat(row.habitat)
        c.hab = hab
        c.broad = hab.broad if hab else ""
        c.label = hab.label if hab else ""
        g = _g(row.irreplaceable)
        c.irreplaceable = g
        h: Value = row.area_ha
        s: Value = row.retained_ha
        t: Value = row.enhanced_ha
        y = row.bespoke_compensation or ""
        c.bespoke = y
        c.area, c.retained_area, c.enhanced_area = h, s, t
        is_tree = eq(c.broad, rules.tree_broad_habitat)
        # I11 band, J11 score
        band: Value = ""
        if hab is not None:
            if hab.irreplaceable == "Yes" and g == "No":
                band = T.IRREPLACEABLE_MUST_BE
            elif hab.irreplaceable == "No" and g == "Yes":
                band = T.CANNOT_BE_IRREPLACEABLE
            else:
                band = hab.band
        score: Value = rel.distinctiveness_scores.get(band, "") if isinstance(band, str) else ""
        c.band, c.score = band, score
        # L11 condition score
        cond = row.condition or ""
        c.cond = cond
        cs: Value = hab.condition_scores.get(cond, "") if hab is not None and cond else ""
        c.cond_score = cs
        # O11 strategic significance multiplier (an unknown wording is #N/A)
        o = lookup_ss(rel, row.strategic_significance)
        c.ss, c.ss_mult = row.strategic_significance or "", o
        # P11 required action
        p = x9 if g == "Yes" else (hab.trading_rule if hab is not None else "")
        c.note_p = p
        # spatial risk (D-1 R/S)
        c.srm_category = (row.spatial_risk or "") if off else ""
        c.srm = lookup_srm(rel.spatial_risk, c.srm_category) if off else ""
        ref_missing = off and bool(c.srm_category) and not row.gain_site

        def jlo(size: Value) -> float:
            return prod(size, score, cs, o)

        # U11 / X11 retained units
        retained: Value
        if g == "Yes":
            retained = T.IRREPLACEABLE_NO_UNITS
        else:
            try:
                retained = jlo(s)
            except XlError:
                retained = ""
        # V11 / Y11 enhanced units
        enhanced: Value
        if is_tree and gt(t, 0.0) and g == "Yes":
            enhanced = T.IRREPLACEABLE_TREE_ENHANCED_SHORT
        else:
            try:
                enhanced = jlo(t)
            except XlError:
                enhanced = ""
        c.retained, c.enhanced = retained, enhanced
        # W11 / Z11 area lost
        lost_area: Value
        if blank(c.broad):
            lost_area = ""
        elif lt(h, xl.add(num(s), num(t))):
            lost_area = T.ERROR_IN_AREAS
        else:
            lost_area = xl.sub(xl.sub(num(h), num(s)), num(t))
        c.area_lost = lost_area
        # AC11 area of unacceptable losses (only tested for irreplaceable rows; see Q11)
        ac: Value = (
            ""
            if (p == "" or y == "Yes")
            else (iferror(lambda: xl.sub(xl.sub(num(h), num(s)), num(t)), "") if p == x9 else "None")
        )

        # Q11 (A-1) / T11 (D-1): total habitat units, without SRM
        def total() -> Value:
            if row.habitat and g == "":
                return T.CONFIRM_IRREPLACEABLE
            if ref_missing:
                return T.OFFSITE_REFERENCE_REQUIRED
            if is_tree and gt(t, 0.0) and g == "Yes":
                return T.IRREPLACEABLE_TREE_ENHANCED
            if retained == T.IRREPLACEABLE_NO_UNITS:
                if lt(xl.add(num(s), num(t)), h) and y in ("No", ""):
                    return T.ANY_LOSS_UNACCEPTABLE
                return jlo(t)
            if p == x9 and gt(ac, 0.0) and le(s, 0.0) and le(t, 0.0):
                return T.ANY_LOSS_UNACCEPTABLE if y in ("No", "") else 0.0
            if p == x9 and lt(xl.add(num(s), num(t)), h) and y in ("No", ""):
                return T.ANY_LOSS_UNACCEPTABLE
            if p == "":
                return ""
            if p == x9 and (gt(t, 0.0) or gt(s, 0.0)):
                return xl.add(num(retained), num(enhanced))
            if off and not c.srm_category:
                return ""
            return jlo(h)

        try:
            q = total()
        except XlError:
            q = T.CHECK_DATA_TRIANGLE
        c.units = q

        # D-1 Q11: total habitat units with SRM
        if off:

            def total_srm() -> Value:
                if p == "":
                    return ""
                if is_tree and gt(t, 0.0) and g == "Yes":
                    return T.IRREPLACEABLE_TREE_ENHANCED
                if p == x9:
                    return prod(q, c.srm)
                return prod(h, score, cs, o, c.srm)

            try:
                c.units_srm = total_srm()
            except XlError:
                c.units_srm = T.CHECK_DATA

        # X11 / AA11: units lost
        def units_lost() -> Value:
            if off and is_tree and g == "Yes" and gt(t, 0.0):
                return T.IRREPLACEABLE_TREE_ENHANCED_OFFSITE
            if blank(h):
                return ""
            if gt(xl.add(num(s), num(t)), h):
                return T.ERROR_IN_AREAS
            if p in (x9, x3) and y == "Yes":
                return T.ALTERNATIVE_COMPENSATION
            if y == "Pending" and p == x3:
                return T.BESPOKE_MUST_BE_AGREED
            if y == "Pending" and p == x9:
                return T.BESPOKE_MUST_BE_AGREED_IRREPLACEABLE
            if eq(lost_area, 0.0):
                return 0.0
            if p == x9:
                return T.ANY_LOSS_UNACCEPTABLE_LOST
            return xl.sub(xl.sub(num(q), num(retained)), num(enhanced))

        try:
            c.units_lost = units_lost()
        except XlError:
            c.units_lost = T.CHECK_DATA if off else T.CHECK_DATA_TRIANGLE
        # AT11 / AS11: V.High losses with bespoke compensation agreed or pending count as kept
        vh: Value
        if y in ("Yes", "Pending") and p == x3:
            try:
                vh = xl.sub(xl.sub(num(q), num(retained)), num(enhanced))
            except XlError:
                vh = ERROR
        else:
            vh = "0" if off else ""
        c.vhdh_bespoke = vh
        # D-1 AY11: retained units with SRM (plus V.High bespoke units)
        if off:

            def retained_srm() -> Value:
                if retained == T.IRREPLACEABLE_NO_UNITS:
                    return "0"
                return xl.add(prod(s, score, cs, o, c.srm), prod(vh, c.srm))

            try:
                c.retained_srm = retained_srm()
            except XlError:
                c.retained_srm = ""
        c.note(q, c.units_srm if off else None, retained, enhanced, lost_area, c.units_lost, band, cs)
        out.append(c)
    return out


def area_lost_for_balance(rel: Release, calcs: Sequence[AreaBaselineCalc]) -> float:
    """A-1!W261 / D-1!Z261: area lost, without trees, green walls and hard structures."""
    excluded = rel.rules.area_balance_excluded
    return xl.total(c.area_lost for c in calcs if c.label.lower() not in excluded)


class AreaCreationCalc(RowCalc):
    """A-2 / D-2 row (units: A-2!Y / D-2!AB, units_srm: D-2!AA)."""

    __slots__ = ("area", "final_time", "hab", "label", "score", "srm", "srm_category", "status")

    hab: AreaHabitat | None
    label: str
    area: Value
    score: Value
    status: Value
    final_time: Value
    srm: Value
    srm_category: str


def _status_creation(i: Value, o: Value, p: Years, q: Years, ae: Value, has_type: bool) -> Value:
    """A-2!R11: standard or adjusted time to target condition."""
    if not has_type:
        return ""
    if gt(p, 0.0) and gt(q, 0.0):
        return T.BOTH_ADVANCE_AND_DELAY
    if eq(i, 0.0):
        return T.STANDARD_TIME
    if le(o, p):
        return T.REACHED_TARGET
    if blank(o):
        return ""
    if ge(p, ae) and gt(p, 0.0):
        return T.POOR_THRESHOLD_REACHED
    if gt(o, p) and gt(p, 0.0):
        return T.CREATION_IN_PLACE
    if gt(q, 0.0):
        return T.DELAY
    if gt(p, 0.0):
        return T.STARTED_IN_PLACE
    return T.STANDARD_TIME


def final_time(
    status: Value, o: Value, p: Years, q: Years, not_possible_text: str, not_possible: str = "Check Data ⚠"
) -> Value:
    """A-2!S11 / A-3!AH12: final time to target condition (years, "30+", or a text).

    ``not_possible_text`` is the text the release's formula compares the standard years with
    (until 1.0.3 "Not Possible", which never equals the lookup's "Not Possible ▲").
    Raises XlError where the workbook's formula itself errors (arithmetic on a text).
    """
    if status == T.BOTH_ADVANCE_AND_DELAY:
        return T.CHECK_DATA
    if eq(o, not_possible_text):
        return not_possible
    if blank(o):
        return ""
    if eq(o, "30+") and eq(p, 0.0):
        return "30+"
    if eq(o, "30+") and eq(p, "30+"):
        return 0.0
    if eq(o, "30+"):
        return xl.sub(30.0, num(p))
    if gt(p, o):
        return 0.0
    if eq(q, "30+"):
        return "30+"
    oq = xl.add(num(o), num(q))
    if gt(oq, 30.0):
        return "30+"
    if gt(xl.sub(num(o), num(p)), 30.0):
        return "30+"
    oqp = xl.sub(oq, num(p))
    if gt(oqp, 0.0):
        return oqp
    op = xl.sub(num(o), num(p))
    if gt(op, 0.0):
        return op
    return oqp


def temporal(rel: Release, years: Value) -> float:
    """VLOOKUP(years, G-4!A4:C36 or C37, 3, FALSE): the temporal multiplier of a final time."""
    if isinstance(years, float):
        exact = rel.temporal_multipliers.get(years)
        if exact is not None:
            return exact
        for key, mult in rel.temporal_multipliers.items():
            if isinstance(key, float) and xl.approx_equal(key, years):
                return mult
        raise XlError("#N/A")
    if isinstance(years, str):
        found = rel.temporal_multipliers.get(years)
        if found is not None:
            return found
    raise XlError("#N/A")


def _difficulty(rel: Release, name: Value) -> float:
    if isinstance(name, str) and name in rel.difficulty_multipliers:
        return rel.difficulty_multipliers[name]
    raise XlError("#N/A")


def _years(hab: AreaHabitat | None, cond: str) -> Value:
    if hab is None or not cond:
        return ""
    return hab.creation_years.get(cond, "")


_CreationTerms = tuple[AreaHabitat | None, Value, Value, Value, Value, Value, Value, Value, Value, Value]
CreationCache = dict[tuple[object, ...], _CreationTerms]


def _creation_terms(rel: Release, row: AreaCreation) -> _CreationTerms:
    """A-2 I11-X11: every cell of a creation row that does not depend on its area or position.

    They depend only on the habitat, condition, strategic significance and the advance and delay
    years, on-site and off-site alike, so they are computed once per distinct combination.
    """
    hab = rel.area_habitat(row.habitat)
    has_type = bool(row.habitat)
    i: Value = hab.score if hab else ""
    cond = row.condition or ""
    k: Value = hab.condition_scores.get(cond, "") if hab and cond else ""
    n = lookup_ss(rel, row.strategic_significance, T.SPATIAL_DATA_MISSING_PLAIN)
    o = _years(hab, cond)
    ae = _years(hab, "Poor")
    p, q = row.advance_years, row.delay_years
    r = _status_creation(i, o, p, q, ae, has_type)
    s: Value
    try:
        s = final_time(r, o, p, q, rel.rules.area_not_possible_years_text)
    except XlError:
        s = ERROR
    # T11 temporal multiplier
    tm: Value
    try:
        tm = T.CHECK_DATA if eq(s, T.CHECK_DATA) else temporal(rel, s)
    except XlError:
        tm = ""
    # V11 applied difficulty (off-site, "Poor threshold reached" depends on the row: see creation)
    v: Value = ""
    if hab is not None:
        if r == T.REACHED_TARGET:
            v = T.LOW_DIFFICULTY
        elif r == T.POOR_THRESHOLD_REACHED:
            v = _poor_threshold_difficulty(rel, hab, hab.type.lower())
        else:
            v = T.STANDARD_DIFFICULTY
    return hab, i, k, n, o, r, s, tm, v, _final_difficulty(rel, hab, v, o, p)


def _poor_threshold_difficulty(rel: Release, hab: AreaHabitat, shifted_type: str) -> str:
    """A-2!V11 when the poor threshold is reached: standard difficulty for the listed types."""
    own = hab.type.lower()
    shifted = rel.rules.poor_threshold_row_offset_type.lower()
    exceptions = rel.rules.poor_threshold_standard_difficulty
    keeps_standard = any((shifted_type if ex == shifted else own) == ex for ex in exceptions)
    return T.STANDARD_DIFFICULTY if keeps_standard else T.ENHANCEMENT_DIFFICULTY


def _final_difficulty(rel: Release, hab: AreaHabitat | None, v: Value, o: Value, p: Years) -> Value:
    """A-2!W11 final difficulty, X11 its multiplier."""
    w: Value = ""
    if hab is not None:
        if v == T.STANDARD_DIFFICULTY and gt(o, p):
            w = hab.creation_difficulty
        elif v == T.LOW_DIFFICULTY and ge(p, o):
            w = "Low"
        else:
            w = hab.enhancement_difficulty
    return rel.difficulty_multipliers.get(w, "") if isinstance(w, str) else ""


def creation(
    rel: Release, rows: Sequence[AreaCreation], off: bool, cache: CreationCache | None = None
) -> list[AreaCreationCalc]:
    """A-2 / D-2 rows. ``cache`` may be shared by the on-site and off-site sheets of one release."""
    location = "off_site" if off else "on_site"
    out: list[AreaCreationCalc] = []
    # Rows that share habitat, condition, strategic significance and years share every
    # multiplier: they are looked up and decided once, not once per row.
    if cache is None:
        cache = {}
    for idx, row in enumerate(rows):
        c = AreaCreationCalc("area", location, "creation", row.ref, row, row.gain_site)
        key = creation_key(row)
        terms = cache.get(key)
        if terms is None:
            terms = cache[key] = _creation_terms(rel, row)
        hab, i, k, n, o, r, s, tm, v, x = terms
        c.hab = hab
        c.label = hab.label if hab else ""
        c.area = row.area_ha
        c.score = i
        c.status = r
        c.final_time = s
        if off and hab is not None and r == T.POOR_THRESHOLD_REACHED:
            # D-2!V11 tests the habitat type of the row 63 rows below (quirk 4)
            ahead_idx = idx + rel.rules.poor_threshold_row_offset_offsite
            ahead = rows[ahead_idx].habitat if ahead_idx < len(rows) else ""
            ahead_hab = rel.area_habitat(ahead) if ahead else None
            v = _poor_threshold_difficulty(rel, hab, ahead_hab.type.lower() if ahead_hab else "")
            x = _final_difficulty(rel, hab, v, o, row.advance_years)
        try:
            units: Value = prod(row.area_ha, i, k, n, tm, x)
        except XlError:
            units = ""
        if off:
            z = lookup_srm(rel.spatial_risk, row.spatial_risk)
            c.srm, c.srm_category = z, row.spatial_risk or ""
            try:
                c.units_srm = prod(units, z)
            except XlError:
                c.units_srm = ""
            if row.spatial_risk and not row.gain_site:
                c.units = T.OFFSITE_REFERENCE_REQUIRED
            elif not row.spatial_risk:
                c.units = ""
            else:
                c.units = units
        else:
            c.units = units
        c.note(c.units, r, v if v == T.LOW_DIFFICULTY else None, k)
        out.append(c)
    return out


def area_created_for_balance(rel: Release, calcs: Sequence[AreaCreationCalc]) -> float:
    """A-2!G259 / D-2!G259: area created, without trees, green walls and hard structures."""
    excluded = rel.rules.area_balance_excluded
    return xl.total(
        (num(c.area) if isinstance(c.area, float) else None) for c in calcs if c.label.lower() not in excluded
    )


class AreaEnhancementCalc(RowCalc):
    """A-3 / D-3 row (units: A-3!AN / D-3!AQ, units_srm: D-3!AP)."""

    __slots__ = ("area", "note_o", "proposed_label")

    proposed_label: str
    area: Value
    note_o: Value


def enhancement(
    rel: Release,
    rows: Sequence[AreaEnhancement],
    baselines: Sequence[AreaBaselineCalc],
    off: bool,
) -> tuple[list[AreaEnhancementCalc], list[AreaEnhancement]]:
    """A-3 / D-3: one sheet row per baseline row with an enhanced area, in baseline order.

    Returns the calculated rows and the enhancement rows the workbook has no place for
    (their baseline row is missing, has no enhanced area, or is enhanced twice).
    """
    pairs, unplaced = place_enhancements(
        rows, baselines, lambda row: not blank(row.area_ha) and gt(row.enhanced_ha, 0.0)
    )
    out: list[AreaEnhancementCalc] = []
    prev_note: Value = "Required Action to Meet Trading Rules"  # A-3!O11, the header above row 12
    x9 = rel.rules.irreplaceable_trading_rule
    for b, e in pairs:
        c = _enhancement_row(rel, e, b, off, not out, prev_note, x9)  # type: ignore[arg-type]
        prev_note = c.note_o
        out.append(c)
    return out, unplaced


def _enhancement_row(
    rel: Release,
    e: AreaEnhancement | None,
    b: AreaBaselineCalc,
    off: bool,
    first: bool,
    prev_note: Value,
    x9: str,
) -> AreaEnhancementCalc:
    brow: AreaBaseline = b.row  # type: ignore[assignment]
    ref = e.ref if e is not None else ""
    c = AreaEnhancementCalc(
        "area",
        "off_site" if off else "on_site",
        "enhancement",
        ref,
        e,
        e.gain_site if e is not None else None,
        brow.ref,
    )
    f = b.label  # F12 baseline habitat
    i, k = b.score, b.cond_score  # I12, K12
    n = b.units  # N12 baseline units (A-1 Q / D-1 T)
    o = b.note_p  # O12
    c.note_o = o
    au = b.irreplaceable  # AU12 / AY12
    h_band = b.band  # H12
    j = b.cond  # J12
    prop = rel.area_habitat(e.habitat) if e is not None and e.habitat else None
    r_type = prop.type if prop else ""  # R12
    s = prop.label if prop else ""  # S12
    c.proposed_label = s
    w: Value = prop.band if prop else ""  # W12
    xx: Value = prop.score if prop else ""  # X12
    y = e.condition if e is not None else ""  # Y12
    z: Value = prop.condition_scores.get(y, "") if prop and y else ""  # Z12
    ac = lookup_ss(rel, e.strategic_significance if e is not None else "", T.SPATIAL_DATA_MISSING)  # AC12
    ae: Years = e.advance_years if e is not None else None
    af: Years = e.delay_years if e is not None else None
    v: Value = b.enhanced_area if s else ""  # V12
    c.area = v
    # T12 distinctiveness change
    o6 = xl.left(o, 6)
    tt: Value
    if (
        (o6 == "Same d" and gt(i, xx))
        or (o6 == "Same b" and xl.left(f, 5).lower() != xl.left(s, 5).lower() and gt(i, xx))
        or (o6 == "Same h" and ne(f, s))
        or (o6 == "Bespok" and ne(f, s))
    ):
        tt = T.TRADING_RULES_NOT_SATISFIED
    elif lt(xx, i):
        tt = T.TRADING_DOWN
    elif (
        r_type.lower() in rel.rules.enhancement_only_from
        and f.lower() not in rel.rules.enhancement_only_from[r_type.lower()]
    ):
        tt = T.ENHANCEMENT_NOT_POSSIBLE
    else:
        tt = xl.show(h_band) + " - " + xl.show(w)
    # U12 condition change (the first on-site row lacks the "condition reduced" checks)
    u: Value
    if blank(f):
        u = ""
    elif ne(s, f) and au == "Yes":
        u = T.REPLACE_IRREPLACEABLE
    elif xl.left(f, 55).lower() != xl.left(s, 55).lower() and tt == "High - High":
        u = T.NOT_LIKE_FOR_LIKE
    elif off:
        if eq(i, xx) and gt(k, z):
            u = T.CANNOT_REDUCE_CONDITION
        elif gt(k, z):
            u = T.CONDITION_CANNOT_BE_REDUCED
        elif eq(i, xx) and eq(k, z):
            u = T.NO_ENHANCEMENT
        elif lt(xx, i):
            u = T.TRADING_DOWN
        else:
            u = _condition_label(f, s, i, xx, j, y)
    elif first and not rel.rules.a3_first_row_condition_checks:
        if eq(i, xx) and eq(k, z):
            u = T.NO_ENHANCEMENT
        elif lt(xx, i):
            u = T.TRADING_DOWN
        else:
            u = _condition_label(f, s, i, xx, j, y)
    else:
        if eq(i, xx) and gt(k, z):
            u = T.CANNOT_REDUCE_CONDITION
        elif eq(i, xx) and eq(k, z):
            u = T.NO_ENHANCEMENT
        elif gt(k, z):
            u = T.CONDITION_CANNOT_BE_REDUCED
        elif lt(xx, i):
            u = T.TRADING_DOWN
        else:
            u = _condition_label(f, s, i, xx, j, y)
    # AD12 standard time to target condition
    ad: Value
    if eq(xl.left(u, 5), "Error") or eq(xl.left(tt, 5), "Error"):
        ad = T.CHECK_DATA
    elif prop is None:
        ad = ""
    else:
        ad = _enhancement_years(rel, prop, u)
    # AG12 status
    ag: Value
    if blank(ad):
        ag = ""
    elif ad == T.CHECK_DATA:
        ag = T.CHECK_DATA
    elif not r_type:
        ag = ""
    elif gt(ae, 0.0) and gt(af, 0.0):
        ag = T.BOTH_ADVANCE_AND_DELAY
    elif (eq(ae, "Habitat already in target condition") or le(ad, ae)) and eq(af, 0.0):
        ag = T.REACHED_TARGET
    elif blank(prev_note):
        ag = ""
    elif gt(ae, 0.0):
        ag = T.STARTED_IN_PLACE
    elif gt(af, 0.0):
        ag = T.DELAY
    else:
        ag = T.STANDARD_TIME

    # AH12 final time (D-3 checks "30+" delay before advance-beyond-standard, and spells CheckData)
    def ah_cell() -> Value:
        if ag in (T.BOTH_ADVANCE_AND_DELAY, T.CHECK_DATA):
            return T.CHECK_DATA
        if off:
            return _final_time_offsite(ad, ae, af, rel.rules.area_not_possible_years_text)
        return final_time("", ad, ae, af, rel.rules.area_not_possible_years_text)

    try:
        ah = ah_cell()
    except XlError:
        ah = ERROR

    # AI12 temporal multiplier (until 1.0.3 the on-site rows below the first compare with "Check Data",
    # no mark, which the final time never says; 1.0.2 gave row 12 that formula too)
    if off:
        check_text = T.CHECK_DATA
    elif first:
        check_text = rel.rules.a3_first_row_check_data_text
    else:
        check_text = rel.rules.a3_check_data_text

    def ai_cell() -> Value:
        if eq(ah, check_text):
            return check_text
        return iferror(lambda: temporal(rel, ah), "")

    try:
        ai = ai_cell()
    except XlError:
        ai = ERROR
    # AJ-AM difficulty
    aj: Value = prop.enhancement_difficulty if prop else ""
    ak: Value = T.LOW_DIFFICULTY if ag == T.REACHED_TARGET else T.STANDARD_DIFFICULTY
    if ak == T.STANDARD_DIFFICULTY and gt(ad, ae):
        al: Value = aj
    elif ak == T.LOW_DIFFICULTY and ge(ae, ad):
        al = "Low"
    else:
        al = aj

    def am_cell() -> Value:
        if blank(f):
            return ""
        if eq(ah, T.CHECK_DATA):
            return T.CHECK_DATA
        return _difficulty(rel, al)

    try:
        am = am_cell()
    except XlError:
        am = ""

    def value(with_srm: bool) -> Value:
        risk = prod(am, ai)
        if not off and gt(k, z):
            core = uplift(v, xx, z, i, z, risk)
        else:
            core = uplift(v, xx, z, i, k, risk)
        out = prod(core, ac)
        if with_srm:
            out = prod(out, b.srm)
        return out

    if off:
        try:
            c.units_srm = T.CHECK_DATA if eq(n, T.CHECK_DATA) else value(True)
        except XlError:
            c.units_srm = ""

        def delivered() -> Value:
            if blank(b.srm_category):
                return ""
            if e is None or not e.gain_site:
                return T.OFFSITE_REFERENCE_REQUIRED
            if eq(n, T.IRREPLACEABLE_TREE_ENHANCED):
                return n
            if eq(n, T.CHECK_DATA):
                return T.CHECK_DATA
            return value(False)

        try:
            c.units = delivered()
        except XlError:
            c.units = ""
    else:
        try:
            c.units = n if eq(n, T.IRREPLACEABLE_TREE_ENHANCED) else value(False)
        except XlError:
            c.units = ""
    c.note(c.units, ad, tt, u, ag, ak if ak == T.LOW_DIFFICULTY else None)
    return c


def _condition_label(f: str, s: str, i: Value, x: Value, j: str, y: str) -> str:
    if ne(f, s) and lt(i, x):
        return "Lower Distinctiveness Habitat - " + y
    return j + " - " + y


def _enhancement_years(rel: Release, prop: AreaHabitat, change: Value) -> Value:
    """INDEX(EnhanceTemporal, habitat, condition change); a missing column is #N/A → ""."""
    if not isinstance(change, str):
        return ""
    key = change.lower()
    if key in rel.rules.enhancement_years_outside_range:
        return ""
    return prop.enhancement_years_ci.get(key, "")


def _final_time_offsite(ad: Value, ae: Years, af: Years, not_possible_text: str) -> Value:
    """D-3!AH12: as A-3!AH12 but "30+" delay is tested before advance beyond the standard time."""
    if blank(ad):
        return ""
    if eq(ad, not_possible_text):
        return T.CHECK_DATA_NO_SPACE
    if eq(ad, "30+") and eq(ae, 0.0):
        return "30+"
    if eq(ad, "30+") and eq(ae, "30+"):
        return 0.0
    if eq(ad, "30+"):
        return xl.sub(30.0, num(ae))
    if eq(af, "30+"):
        return "30+"
    if gt(ae, ad):
        return 0.0
    dq = xl.add(num(ad), num(af))
    if gt(dq, 30.0):
        return "30+"
    if gt(xl.sub(num(ad), num(ae)), 30.0):
        return "30+"
    dqp = xl.sub(dq, num(ae))
    if gt(dqp, 0.0):
        return dqp
    dp = xl.sub(num(ad), num(ae))
    if gt(dp, 0.0):
        return dp
    return dqp
