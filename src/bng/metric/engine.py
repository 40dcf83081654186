"""The calculation: a :class:`Site` in, a :class:`Result` out, as the statutory workbook computes it."""

from __future__ import annotations

from collections.abc import Sequence

from . import area, gainsites, hedgerow, trading, watercourse, xl
from .cells import RowCalc
from .credits import Deficit, credits
from .headline import Headline, SheetTotals, add_all, column, headline, sum_or_error
from .messages import T, code_of
from .model import Site
from .reference import load
from .result import (
    GainSiteResult,
    InputIssue,
    ModuleResult,
    OffSiteTotals,
    OnSiteTotals,
    Result,
    RowResult,
    number,
    text,
)
from .xl import Value, catch


def calculate(site: Site, release: str | None = None) -> Result:
    """Compute every row, module total, trading verdict and credit of a site."""
    rel = load(release or site.metric_release)
    target = site.project.target_percent / 100.0
    on, off = site.on_site, site.off_site
    issues: list[InputIssue] = []

    a1 = area.baseline(rel, on.area.baseline, False)
    creation_terms: area.CreationCache = {}  # on-site and off-site rows share their multipliers
    a2 = area.creation(rel, on.area.creation, False, creation_terms)
    a3, a_lost = area.enhancement(rel, on.area.enhancement, a1, False)
    issues += _unplaced("on_site.area.enhancement", a_lost)
    d1 = area.baseline(rel, off.area.baseline, True)
    d2 = area.creation(rel, off.area.creation, True, creation_terms)
    d3, a_lost = area.enhancement(rel, off.area.enhancement, d1, True)
    issues += _unplaced("off_site.area.enhancement", a_lost)

    b1 = hedgerow.baseline(rel, on.hedgerow.baseline, False)
    b2 = hedgerow.creation(rel, on.hedgerow.creation, False)
    b3, h_lost = hedgerow.enhancement(rel, on.hedgerow.enhancement, b1, False)
    issues += _unplaced("on_site.hedgerow.enhancement", h_lost)
    e1 = hedgerow.baseline(rel, off.hedgerow.baseline, True)
    e2 = hedgerow.creation(rel, off.hedgerow.creation, True)
    e3, h_lost = hedgerow.enhancement(rel, off.hedgerow.enhancement, e1, True)
    issues += _unplaced("off_site.hedgerow.enhancement", h_lost)

    c1 = watercourse.baseline(rel, on.watercourse.baseline, False)
    c2 = watercourse.creation(rel, on.watercourse.creation, False)
    c3, w_lost, c3_total, _ = watercourse.enhancement(rel, on.watercourse.enhancement, c1, False)
    issues += _unplaced("on_site.watercourse.enhancement", w_lost)
    f1 = watercourse.baseline(rel, off.watercourse.baseline, True)
    f2 = watercourse.creation(rel, off.watercourse.creation, True)
    f3, w_lost, f3_total, f3_total_srm = watercourse.enhancement(rel, off.watercourse.enhancement, f1, True)
    issues += _unplaced("off_site.watercourse.enhancement", w_lost)

    area_lost = [c.area_lost for c in d1]
    totals = {
        "area": SheetTotals(
            base_on=column(a1, "units"),
            retained_on=column(a1, "retained"),
            enhanced_base_on=column(a1, "enhanced"),
            vhdh_on=column(a1, "vhdh_bespoke"),
            creation_on=column(a2, "units"),
            enhancement_on=column(a3, "units"),
            base_off=column(d1, "units"),
            base_off_srm=column(d1, "units_srm"),
            post_off=catch(
                lambda: add_all(
                    (
                        sum_or_error(d1, "retained", area_lost, T.ERROR_IN_AREAS),
                        column(d2, "units"),
                        column(d3, "units"),
                        column(d1, "vhdh_bespoke"),
                    )
                )
            ),
            post_off_srm=catch(
                lambda: add_all(
                    (
                        sum_or_error(d1, "retained_srm", area_lost, T.ERROR_IN_AREAS),
                        column(d2, "units_srm"),
                        column(d3, "units_srm"),
                    )
                )
            ),
        ),
        "hedgerow": SheetTotals(
            base_on=column(b1, "units"),
            retained_on=sum_or_error(b1, "retained", [c.length_lost for c in b1], T.ERROR_IN_LENGTHS),
            enhanced_base_on=sum_or_error(b1, "enhanced", [c.length_lost for c in b1], T.ERROR_IN_LENGTHS),
            vhdh_on=0.0,
            creation_on=column(b2, "units"),
            enhancement_on=column(b3, "units"),
            base_off=column(e1, "units"),
            base_off_srm=column(e1, "units_srm"),
            post_off=catch(
                lambda: add_all(
                    (
                        sum_or_error(e1, "retained", [c.length_lost for c in e1], T.ERROR_IN_LENGTHS),
                        column(e2, "units"),
                        column(e3, "units"),
                    )
                )
            ),
            post_off_srm=catch(
                lambda: add_all(
                    (
                        sum_or_error(e1, "retained_srm", [c.length_lost for c in e1], T.ERROR_IN_LENGTHS),
                        column(e2, "units_srm"),
                        column(e3, "units_srm"),
                    )
                )
            ),
        ),
        "watercourse": SheetTotals(
            base_on=column(c1, "units"),
            retained_on=sum_or_error(c1, "retained", [c.retained for c in c1], T.ERROR_IN_LENGTHS),
            enhanced_base_on=sum_or_error(c1, "enhanced", [c.retained for c in c1], T.ERROR_IN_LENGTHS),
            vhdh_on=column(c1, "vhdh_bespoke"),
            creation_on=column(c2, "units"),
            enhancement_on=c3_total,
            base_off=column(f1, "units"),
            base_off_srm=column(f1, "units_srm"),
            post_off=catch(
                lambda: add_all(
                    (
                        sum_or_error(f1, "retained", [c.retained for c in f1], T.ERROR_IN_LENGTHS),
                        column(f2, "units"),
                        f3_total,
                        column(f1, "vhdh_bespoke"),
                    )
                )
            ),
            post_off_srm=catch(
                lambda: add_all(
                    (
                        sum_or_error(f1, "retained_srm", [c.retained for c in f1], T.ERROR_IN_LENGTHS),
                        column(f2, "units_srm"),
                        f3_total_srm,
                    )
                )
            ),
        ),
    }

    gs_area = gainsites.summary("area", d1, d2, d3)
    gs_hedge = gainsites.summary("hedgerow", e1, e2, e3)
    gs_water = gainsites.summary("watercourse", f1, f2, f3)
    b19 = gainsites.headline_error(gs_area, gs_hedge, gs_water)
    heads = {m: headline(m, t, target, b19) for m, t in totals.items()}

    area_changes = trading.changes(
        [h.label for h in rel.area_habitats.values()],
        a1,
        a2,
        a3,
        d1,
        d2,
        d3,
        "label",
        "label",
        "proposed_label",
        True,
    )
    hedge_changes = trading.changes(
        list(rel.hedgerow_types),
        b1,
        b2,
        b3,
        e1,
        e2,
        e3,
        "type",
        "type",
        "proposed",
        False,
    )
    water_changes = trading.changes(
        list(rel.watercourse_types),
        c1,
        c2,
        c3,
        f1,
        f2,
        f3,
        "type",
        "type",
        "proposed",
        True,
    )
    at = trading.area(rel, area_changes)
    ht = trading.hedgerow(rel, hedge_changes)
    wt = trading.watercourse(rel, water_changes)
    cr = credits(
        rel,
        at,
        ht,
        wt,
        *(Deficit(heads[m].h8, heads[m].f61, heads[m].h61) for m in ("area", "hedgerow", "watercourse")),
    )

    modules = {
        m: _module(m, heads[m], totals[m], trade.result.satisfied)
        for m, trade in (("area", at), ("hedgerow", ht), ("watercourse", wt))
    }
    rows = _rows(site, (a1, a2, a3, b1, b2, b3, c1, c2, c3), (d1, d2, d3, e1, e2, e3, f1, f2, f3))
    return Result(
        metric_release=rel.id,
        release_title=rel.title,
        modules=modules,
        rows=rows,
        gain_sites=tuple(_gain_site(g) for g in (*gs_area, *gs_hedge, *gs_water)),
        trading={"area": at.result, "hedgerow": ht.result, "watercourse": wt.result},
        trading_all_satisfied=trading.all_satisfied(at.verdicts, ht.verdicts, wt.verdicts),
        credits=cr,
        issues=tuple(issues),
    )


def _unplaced(path: str, rows: Sequence[object]) -> list[InputIssue]:
    return [
        InputIssue(
            path=path,
            ref=getattr(r, "ref", None),
            field="baseline_ref",
            message=(
                f"baseline row {getattr(r, 'baseline_ref', '')!r} has no enhanced area for this row, or is "
                "enhanced by an earlier row: each baseline row with an enhanced area takes exactly one "
                "enhancement row"
            ),
            code="ENHANCEMENT_WITHOUT_BASELINE",
        )
        for r in rows
    ]


def _pct(v: Value) -> float | None:
    n = number(v)
    return None if n is None else n * 100.0


def _module(module: str, h: Headline, t: SheetTotals, trading_ok: bool | None) -> ModuleResult:
    pct = _pct
    srm_deduction = 0.0 if h.h41 == "0.00" else number(h.h41)
    deficit = number(h.h61)
    return ModuleResult(
        module=module,
        on_site=OnSiteTotals(
            baseline_units=number(h.h8),
            retained_units=number(t.retained_on),
            enhanced_baseline_units=number(t.enhanced_base_on),
            creation_units=number(t.creation_on),
            enhancement_units=number(t.enhancement_on),
            post_intervention_units=number(h.h12),
            net_change_units=number(h.h16),
            net_change_percent=pct(h.j16),
            vhdh_bespoke_units=None if module == "hedgerow" else number(t.vhdh_on),
        ),
        off_site=OffSiteTotals(
            baseline_units=number(h.h20),
            post_intervention_units=number(h.h24),
            net_change_units=number(h.h28),
            srm_deduction_units=srm_deduction,
            baseline_units_srm=number(h.l20),
            post_intervention_units_srm=number(h.l24),
            net_change_percent=pct(h.j28),
            change_with_srm_units=number(h.h32),
        ),
        combined_net_change_units=number(h.h37),
        total_net_change_units=number(h.h47),
        total_net_change_percent=pct(h.h51),
        target_percent=h.target * 100.0,
        units_required=number(h.f61),
        target_met=None if deficit is None else deficit == 0.0,
        unit_deficit=deficit,
        trading_rules_satisfied=trading_ok,
        messages=h.messages,
    )


def _row(c: RowCalc) -> RowResult:
    """The row's result; positional and inlined because a result holds one per parcel."""
    messages = c.texts
    units = c.units
    if type(units) is _ErrorValue and "#VALUE!" not in messages:
        messages = ["#VALUE!", *messages]
    stage = c.stage
    location = c.location
    off = location == "off_site"
    baseline = stage == "baseline"
    if baseline:
        retained, enhanced = c.retained, c.enhanced
    srm = c.units_srm
    return _new_row(
        RowResult,
        (
            c.module,
            location,
            stage,
            c.ref,
            units + 0.0 if type(units) is float else None,  # + 0.0: no negative zero in output
            (retained + 0.0 if type(retained) is float else None) if baseline else None,
            (enhanced + 0.0 if type(enhanced) is float else None) if baseline else None,
            (srm + 0.0 if type(srm) is float else None) if off else None,
            c.gain_site if off else None,
            c.baseline_ref if stage == "enhancement" else None,
            *(_codes(messages) if messages else _NO_MESSAGES),
        ),
    )


_ErrorValue = xl.ErrorValue


_NO_MESSAGES: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
# The codes and texts of a row's messages, per list of texts: many rows show the same few. Bounded,
# as texts built from input are unbounded in a long-lived process.
_CODES: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _codes(messages: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    texts = tuple(messages)
    found = _CODES.get(texts)
    if found is None:
        found = (tuple(code_of(m) for m in texts), texts)
        if len(_CODES) < 4096:
            _CODES[texts] = found
    return found


_new_row = tuple.__new__


def _rows(site: Site, on: Sequence[Sequence[RowCalc]], off: Sequence[Sequence[RowCalc]]) -> tuple[RowResult, ...]:
    """One result per input row, in input order (enhancement rows are computed in baseline order)."""
    out: list[RowResult] = []
    for location, sheets in (("on_site", on), ("off_site", off)):
        loc = getattr(site, location)
        for module_index, module in enumerate(("area", "hedgerow", "watercourse")):
            for stage_index, stage in enumerate(("baseline", "creation", "enhancement")):
                calcs = sheets[module_index * 3 + stage_index]
                inputs = getattr(getattr(loc, module), stage)
                if stage != "enhancement":  # one calculated row per input row, in input order
                    out.extend(map(_row, calcs))
                    continue
                by_input = {id(c.row): c for c in calcs if c.row is not None}
                for row in inputs:
                    calc = by_input.get(id(row))
                    if calc is None:
                        out.append(
                            RowResult(
                                module=module,
                                location=location,
                                stage=stage,
                                ref=row.ref,
                                units=None,
                                gain_site=row.gain_site if location == "off_site" else None,
                                baseline_ref=getattr(row, "baseline_ref", None),
                                codes=("ENHANCEMENT_WITHOUT_BASELINE",),
                                messages=("No baseline row with an enhanced area for this enhancement row ▲",),
                            )
                        )
                    else:
                        out.append(_row(calc))
    return tuple(out)


def _gain_site(g: gainsites.GainSiteRow) -> GainSiteResult:
    msg = text(g.change_post_srm)
    return GainSiteResult(
        gain_site=g.gain_site,
        module=g.module,
        baseline_units=number(g.baseline),
        baseline_units_srm=number(g.baseline_srm),
        retained_units=number(g.retained),
        retained_units_srm=number(g.retained_srm),
        enhanced_units=number(g.enhanced),
        enhanced_units_srm=number(g.enhanced_srm),
        created_units=number(g.created),
        created_units_srm=number(g.created_srm),
        change_units=number(g.change),
        spatial_risk_multiplier=number(g.srm),
        change_post_srm_units=number(g.change_post_srm),
        codes=(code_of(msg),) if msg else (),
        messages=(msg,) if msg else (),
    )
