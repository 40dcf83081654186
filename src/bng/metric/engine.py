"""The calculation: a :class:`Site` in, a :class:`Result` out, as the statutory workbook computes it.

The steps follow the workbook: each module's sheets (A-1…F-3) and the totals its headline reads,
the "Off-site gain site summary", the "Headline Results", the trading summaries and the unit
shortfall (statutory credits); then one result per input row, in input order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from . import area, gainsites, hedgerow, trading, watercourse, xl
from .cells import RowCalc, Sheets
from .credits import Deficit, credits
from .headline import Headline, SheetTotals, add_all, column, headline, sum_or_error
from .messages import T, code_of
from .model import MODULES, STAGES, AreaEnhancement, HedgerowEnhancement, Site, WatercourseEnhancement
from .reference import Release, load
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


class _Module(NamedTuple):
    """One module calculated: its sheets, the totals its headline reads, the enhancement rows left without a place."""

    sheets: Sheets
    totals: SheetTotals
    issues: list[InputIssue]


def calculate(site: Site, release: str | None = None) -> Result:
    """Compute every row, module total, trading verdict and credit of a site."""
    rel = load(release or site.metric_release)
    target = site.project.target_percent / 100.0
    modules = {"area": _area(rel, site), "hedgerow": _hedgerow(rel, site), "watercourse": _watercourse(rel, site)}
    gain_sites = {
        m: gainsites.summary(m, mod.sheets.baseline_off, mod.sheets.creation_off, mod.sheets.enhancement_off)
        for m, mod in modules.items()
    }
    gain_site_error = gainsites.headline_error(gain_sites["area"], gain_sites["hedgerow"], gain_sites["watercourse"])
    heads = {m: headline(m, mod.totals, target, gain_site_error) for m, mod in modules.items()}
    area_trading, hedgerow_trading, watercourse_trading = _trading(rel, modules)
    shortfall = credits(
        rel,
        area_trading,
        hedgerow_trading,
        watercourse_trading,
        *(Deficit(h.on_site_baseline, h.units_required, h.unit_deficit) for h in heads.values()),
    )
    trades = {
        "area": area_trading.result,
        "hedgerow": hedgerow_trading.result,
        "watercourse": watercourse_trading.result,
    }
    return Result(
        metric_release=rel.id,
        release_title=rel.title,
        modules={m: _module(m, heads[m], modules[m].totals, trades[m].satisfied) for m in MODULES},
        rows=_rows(site, {m: mod.sheets for m, mod in modules.items()}),
        gain_sites=tuple(_gain_site(g) for rows in gain_sites.values() for g in rows),
        trading=trades,
        trading_all_satisfied=trading.all_satisfied(
            area_trading.verdicts, hedgerow_trading.verdicts, watercourse_trading.verdicts
        ),
        credits=shortfall,
        issues=tuple(issue for mod in modules.values() for issue in mod.issues),
    )


def _area(rel: Release, site: Site) -> _Module:
    """A-1…A-3 and D-1…D-3, and the area totals of the headline (H8, H12, H20, H24 and their SRM cells)."""
    on, off = site.on_site.area, site.off_site.area
    creation_terms: area.CreationCache = {}  # on-site and off-site rows share their multipliers
    a1 = area.baseline(rel, on.baseline, False)
    a2 = area.creation(rel, on.creation, False, creation_terms)
    a3, unplaced_on = area.enhancement(rel, on.enhancement, a1, False)
    d1 = area.baseline(rel, off.baseline, True)
    d2 = area.creation(rel, off.creation, True, creation_terms)
    d3, unplaced_off = area.enhancement(rel, off.enhancement, d1, True)
    area_lost = [c.area_lost for c in d1]
    totals = SheetTotals(
        on_site_baseline=column(a1, "units"),
        on_site_retained=column(a1, "retained"),
        on_site_enhanced_baseline=column(a1, "enhanced"),
        on_site_vhdh_bespoke=column(a1, "vhdh_bespoke"),
        on_site_creation=column(a2, "units"),
        on_site_enhancement=column(a3, "units"),
        off_site_baseline=column(d1, "units"),
        off_site_baseline_srm=column(d1, "units_srm"),
        off_site_post_intervention=catch(
            lambda: add_all(
                (
                    sum_or_error(d1, "retained", area_lost, T.ERROR_IN_AREAS),
                    column(d2, "units"),
                    column(d3, "units"),
                    column(d1, "vhdh_bespoke"),
                )
            )
        ),
        off_site_post_intervention_srm=catch(
            lambda: add_all(
                (
                    sum_or_error(d1, "retained_srm", area_lost, T.ERROR_IN_AREAS),
                    column(d2, "units_srm"),
                    column(d3, "units_srm"),
                )
            )
        ),
    )
    issues = _unplaced("on_site.area.enhancement", unplaced_on) + _unplaced("off_site.area.enhancement", unplaced_off)
    return _Module(Sheets(a1, a2, a3, d1, d2, d3), totals, issues)


def _hedgerow(rel: Release, site: Site) -> _Module:
    """B-1…B-3 and E-1…E-3, and the hedgerow totals of the headline (H9, H13, H21, H25 …)."""
    on, off = site.on_site.hedgerow, site.off_site.hedgerow
    b1 = hedgerow.baseline(rel, on.baseline, False)
    b2 = hedgerow.creation(rel, on.creation, False)
    b3, unplaced_on = hedgerow.enhancement(rel, on.enhancement, b1, False)
    e1 = hedgerow.baseline(rel, off.baseline, True)
    e2 = hedgerow.creation(rel, off.creation, True)
    e3, unplaced_off = hedgerow.enhancement(rel, off.enhancement, e1, True)
    lost_on = [c.length_lost for c in b1]  # B-1!T
    lost_off = [c.length_lost for c in e1]  # E-1!W
    totals = SheetTotals(
        on_site_baseline=column(b1, "units"),
        on_site_retained=sum_or_error(b1, "retained", lost_on, T.ERROR_IN_LENGTHS),
        on_site_enhanced_baseline=sum_or_error(b1, "enhanced", lost_on, T.ERROR_IN_LENGTHS),
        on_site_vhdh_bespoke=0.0,
        on_site_creation=column(b2, "units"),
        on_site_enhancement=column(b3, "units"),
        off_site_baseline=column(e1, "units"),
        off_site_baseline_srm=column(e1, "units_srm"),
        off_site_post_intervention=catch(
            lambda: add_all(
                (
                    sum_or_error(e1, "retained", lost_off, T.ERROR_IN_LENGTHS),
                    column(e2, "units"),
                    column(e3, "units"),
                )
            )
        ),
        off_site_post_intervention_srm=catch(
            lambda: add_all(
                (
                    sum_or_error(e1, "retained_srm", lost_off, T.ERROR_IN_LENGTHS),
                    column(e2, "units_srm"),
                    column(e3, "units_srm"),
                )
            )
        ),
    )
    issues = _unplaced("on_site.hedgerow.enhancement", unplaced_on)
    issues += _unplaced("off_site.hedgerow.enhancement", unplaced_off)
    return _Module(Sheets(b1, b2, b3, e1, e2, e3), totals, issues)


def _watercourse(rel: Release, site: Site) -> _Module:
    """C-1…C-3 and F-1…F-3, and the watercourse totals of the headline (H10, H14, H22, H26 …)."""
    on, off = site.on_site.watercourse, site.off_site.watercourse
    c1 = watercourse.baseline(rel, on.baseline, False)
    c2 = watercourse.creation(rel, on.creation, False)
    c3, unplaced_on, c3_total, _ = watercourse.enhancement(rel, on.enhancement, c1, False)
    f1 = watercourse.baseline(rel, off.baseline, True)
    f2 = watercourse.creation(rel, off.creation, True)
    f3, unplaced_off, f3_total, f3_total_srm = watercourse.enhancement(rel, off.enhancement, f1, True)
    # C-1!W / F-1!Z (retained units) say "Error in Lengths ▲" where the lengths do not add up
    retained_on = [c.retained for c in c1]
    retained_off = [c.retained for c in f1]
    totals = SheetTotals(
        on_site_baseline=column(c1, "units"),
        on_site_retained=sum_or_error(c1, "retained", retained_on, T.ERROR_IN_LENGTHS),
        on_site_enhanced_baseline=sum_or_error(c1, "enhanced", retained_on, T.ERROR_IN_LENGTHS),
        on_site_vhdh_bespoke=column(c1, "vhdh_bespoke"),
        on_site_creation=column(c2, "units"),
        on_site_enhancement=c3_total,
        off_site_baseline=column(f1, "units"),
        off_site_baseline_srm=column(f1, "units_srm"),
        off_site_post_intervention=catch(
            lambda: add_all(
                (
                    sum_or_error(f1, "retained", retained_off, T.ERROR_IN_LENGTHS),
                    column(f2, "units"),
                    f3_total,
                    column(f1, "vhdh_bespoke"),
                )
            )
        ),
        off_site_post_intervention_srm=catch(
            lambda: add_all(
                (
                    sum_or_error(f1, "retained_srm", retained_off, T.ERROR_IN_LENGTHS),
                    column(f2, "units_srm"),
                    f3_total_srm,
                )
            )
        ),
    )
    issues = _unplaced("on_site.watercourse.enhancement", unplaced_on)
    issues += _unplaced("off_site.watercourse.enhancement", unplaced_off)
    return _Module(Sheets(c1, c2, c3, f1, f2, f3), totals, issues)


def _trading(
    rel: Release, modules: Mapping[str, _Module]
) -> tuple[trading.AreaTrading, trading.LinearTrading, trading.LinearTrading]:
    """Sheet "G-2 Habitat groups" per habitat or type, then the three trading summaries."""
    area_changes = trading.changes(
        [h.label for h in rel.area_habitats.values()],
        modules["area"].sheets,
        ("label", "label", "proposed_label"),
        True,
    )
    hedgerow_changes = trading.changes(
        list(rel.hedgerow_types), modules["hedgerow"].sheets, ("type", "type", "proposed"), False
    )
    watercourse_changes = trading.changes(
        list(rel.watercourse_types), modules["watercourse"].sheets, ("type", "type", "proposed"), True
    )
    return (
        trading.area(rel, area_changes),
        trading.hedgerow(rel, hedgerow_changes),
        trading.watercourse(rel, watercourse_changes),
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


def _module(module: str, head: Headline, totals: SheetTotals, trading_ok: bool | None) -> ModuleResult:
    pct = _pct
    srm_deduction = 0.0 if head.srm_deduction == "0.00" else number(head.srm_deduction)
    deficit = number(head.unit_deficit)
    return ModuleResult(
        module=module,
        on_site=OnSiteTotals(
            baseline_units=number(head.on_site_baseline),
            retained_units=number(totals.on_site_retained),
            enhanced_baseline_units=number(totals.on_site_enhanced_baseline),
            creation_units=number(totals.on_site_creation),
            enhancement_units=number(totals.on_site_enhancement),
            post_intervention_units=number(head.on_site_post_intervention),
            net_change_units=number(head.on_site_change),
            net_change_percent=pct(head.on_site_change_percent),
            vhdh_bespoke_units=None if module == "hedgerow" else number(totals.on_site_vhdh_bespoke),
        ),
        off_site=OffSiteTotals(
            baseline_units=number(head.off_site_baseline),
            post_intervention_units=number(head.off_site_post_intervention),
            net_change_units=number(head.off_site_change),
            srm_deduction_units=srm_deduction,
            baseline_units_srm=number(head.off_site_baseline_srm),
            post_intervention_units_srm=number(head.off_site_post_intervention_srm),
            net_change_percent=pct(head.off_site_change_percent),
            change_with_srm_units=number(head.off_site_change_srm),
        ),
        combined_net_change_units=number(head.combined_change),
        total_net_change_units=number(head.total_change),
        total_net_change_percent=pct(head.total_change_percent),
        target_percent=head.target * 100.0,
        units_required=number(head.units_required),
        target_met=None if deficit is None else deficit == 0.0,
        unit_deficit=deficit,
        trading_rules_satisfied=trading_ok,
        messages=head.messages,
    )


def _row(calc: RowCalc) -> RowResult:
    """The row's result; positional and inlined because a result holds one per parcel."""
    messages = calc.texts
    units = calc.units
    if type(units) is _ErrorValue and "#VALUE!" not in messages:
        messages = ["#VALUE!", *messages]
    stage = calc.stage
    location = calc.location
    off = location == "off_site"
    baseline = stage == "baseline"
    if baseline:
        retained, enhanced = calc.retained, calc.enhanced
    srm = calc.units_srm
    return _new_row(
        RowResult,
        (
            calc.module,
            location,
            stage,
            calc.ref,
            units + 0.0 if type(units) is float else None,  # + 0.0: no negative zero in output
            (retained + 0.0 if type(retained) is float else None) if baseline else None,
            (enhanced + 0.0 if type(enhanced) is float else None) if baseline else None,
            (srm + 0.0 if type(srm) is float else None) if off else None,
            calc.gain_site if off else None,
            calc.baseline_ref if stage == "enhancement" else None,
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


def _rows(site: Site, sheets: Mapping[str, Sheets]) -> tuple[RowResult, ...]:
    """One result per input row, in input order (enhancement rows are computed in baseline order)."""
    out: list[RowResult] = []
    for location, first_sheet in (("on_site", 0), ("off_site", 3)):
        rows = getattr(site, location)
        for module in MODULES:
            for stage_index, stage in enumerate(STAGES):
                calcs = sheets[module][first_sheet + stage_index]
                if stage == "enhancement":
                    out.extend(_enhancement_results(module, location, getattr(rows, module).enhancement, calcs))
                else:  # one calculated row per input row, in input order
                    out.extend(map(_row, calcs))
    return tuple(out)


def _enhancement_results(
    module: str,
    location: str,
    inputs: Sequence[AreaEnhancement | HedgerowEnhancement | WatercourseEnhancement],
    calcs: Sequence[RowCalc],
) -> list[RowResult]:
    """The enhancement rows in input order: placed rows as calculated, the others with why they have no place."""
    by_input = {id(c.row): c for c in calcs if c.row is not None}
    out: list[RowResult] = []
    for row in inputs:
        calc = by_input.get(id(row))
        if calc is not None:
            out.append(_row(calc))
            continue
        out.append(
            RowResult(
                module=module,
                location=location,
                stage="enhancement",
                ref=row.ref,
                units=None,
                gain_site=row.gain_site if location == "off_site" else None,
                baseline_ref=row.baseline_ref,
                codes=("ENHANCEMENT_WITHOUT_BASELINE",),
                messages=("No baseline row with an enhanced area for this enhancement row ▲",),
            )
        )
    return out


def _gain_site(summary: gainsites.GainSiteRow) -> GainSiteResult:
    msg = text(summary.change_post_srm)
    return GainSiteResult(
        gain_site=summary.gain_site,
        module=summary.module,
        baseline_units=number(summary.baseline),
        baseline_units_srm=number(summary.baseline_srm),
        retained_units=number(summary.retained),
        retained_units_srm=number(summary.retained_srm),
        enhanced_units=number(summary.enhanced),
        enhanced_units_srm=number(summary.enhanced_srm),
        created_units=number(summary.created),
        created_units_srm=number(summary.created_srm),
        change_units=number(summary.change),
        spatial_risk_multiplier=number(summary.srm),
        change_post_srm_units=number(summary.change_post_srm),
        codes=(code_of(msg),) if msg else (),
        messages=(msg,) if msg else (),
    )
