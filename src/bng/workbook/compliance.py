"""Does the workbook satisfy the metric's rules? The checks behind the ``compliant`` verdict.

Judged on our recalculation, not on the cached values (those are the ``consistent`` verdict's
business):

* DEFRA's register upload checks: a metric workbook (Start, Main Menu, Results and Headline
  Results sheets), a supported version (Start!D8 >= 4.1), not the draft (D-1!D10), off-site
  data present when off-site rows are entered. DEFRA's fifth, "off-site totals" (D-1 area =
  D-2 area + D-3 area, and likewise for hedgerows and watercourses), is reported but does not
  decide the verdict: the register computes it and has not enforced it since BNGP-4219,
  because retained off-site habitat makes the totals differ legitimately.
* the area balance (A-2!K6, D-2!L6): area lost equals area created within 0.01 ha, trees,
  green walls and intertidal hard structures (IGGI) excluded;
* every trading rule satisfied (Headline Results F55);
* no row showing an error (▲) or "Check Data", and no input the reader or engine flagged;
* the target net gain, per module (10 % unless another is configured), met with no deficit;
* the Start sheet's own ▲ rules: completed by and date filled (E8), target not below 10 % (I22).
"""

from __future__ import annotations

from dataclasses import dataclass

from bng.metric import area, load
from bng.metric.model import Site
from bng.metric.result import Result

from .grid import is_blank
from .reader import MetricWorkbook
from .release import DEFRA_METRIC_SHEETS, STATUTORY_VERSION

DEFRA_TOTALS_TOLERANCE = 1e-8
MODULE_NAMES = {"area": "Area habitats", "hedgerow": "Hedgerows", "watercourse": "Watercourses"}
UNITS = {"area": "habitat units", "hedgerow": "hedgerow units", "watercourse": "watercourse units"}


@dataclass(frozen=True, slots=True)
class Check:
    """One rule the workbook is checked against, and what was found."""

    code: str
    title: str
    passed: bool
    details: tuple[str, ...] = ()
    blocking: bool = True
    source: str = "statutory metric"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "title": self.title,
            "passed": self.passed,
            "blocking": self.blocking,
            "source": self.source,
            "details": list(self.details),
        }


def _has_off_site(site: Site) -> bool:
    return site.off_site.row_count() > 0


def _defra(workbook: MetricWorkbook, result: Result) -> list[Check]:
    names = workbook.book.sheet_names
    missing = [n for n in DEFRA_METRIC_SHEETS if n not in names]
    out = [
        Check(
            "DEFRA_METRIC_WORKBOOK",
            "It is a metric workbook (sheets Start, Main Menu, Results, Headline Results)",
            not missing,
            tuple(f"no sheet {n!r}" for n in missing),
            source="DEFRA register upload check",
        ),
        Check(
            "DEFRA_SUPPORTED_VERSION",
            f"Supported version (Start!D8 >= {STATUTORY_VERSION})",
            True,
            (f"Start!D8 reads {workbook.release.version}",),
            source="DEFRA register upload check",
        ),
        Check(
            "DEFRA_NOT_DRAFT",
            "Not the draft tool (D-1!D10 is not 'Baseline ref')",
            True,
            source="DEFRA register upload check",
        ),
    ]
    off_site = _has_off_site(workbook.site)
    details = ["no off-site rows"]
    if off_site:
        mods = result.modules.values()
        details = []
        if not any((m.off_site.baseline_units or 0.0) > 0 for m in mods):
            details.append("no module has off-site baseline units (Headline Results H20:H22)")
        if not any((m.off_site.post_intervention_units or 0.0) > 0 for m in mods):
            details.append("no module has off-site post-intervention units (Headline Results H24:H26)")
    out.append(
        Check(
            "DEFRA_OFFSITE_DATA",
            "Off-site data present where off-site rows are entered",
            not off_site or not details,
            tuple(details),
            source="DEFRA register upload check",
        )
    )
    if off_site:
        out.append(_defra_totals(workbook.site))
    return out


def _sum(values: list[float | None]) -> float:
    return sum((v for v in values if v is not None), 0.0)


def _defra_totals(site: Site) -> Check:
    off = site.off_site
    sizes = {
        "area": (
            [b.area_ha for b in off.area.baseline],
            [c.area_ha for c in off.area.creation],
            [b.enhanced_ha for b in off.area.baseline],
            "D-1!H259 = D-2!G257 + D-3!V259",
            "ha",
        ),
        "hedgerow": (
            [b.length_km for b in off.hedgerow.baseline],
            [c.length_km for c in off.hedgerow.creation],
            [b.enhanced_km for b in off.hedgerow.baseline],
            "E-1!E258 = E-2!E260 + E-3!P258",
            "km",
        ),
        "watercourse": (
            [b.length_km for b in off.watercourse.baseline],
            [c.length_km for c in off.watercourse.creation],
            [b.enhanced_km for b in off.watercourse.baseline],
            "F-1!E258 = F-2!D260 + F-3!Q258",
            "km",
        ),
    }
    details = []
    for module, (base, created, enhanced, cells, unit) in sizes.items():
        b, c, e = _sum(base), _sum(created), _sum(enhanced)
        if abs((c + e) - b) >= DEFRA_TOTALS_TOLERANCE:
            details.append(
                f"{MODULE_NAMES[module]}: baseline {b:g} {unit} but created {c:g} + enhanced {e:g} = {c + e:g} {unit} "
                f"({cells})"
            )
    return Check(
        "DEFRA_OFFSITE_TOTALS",
        "Off-site baseline total equals created plus enhanced (advisory: not enforced by the register)",
        not details,
        tuple(details),
        blocking=False,
        source="DEFRA register upload check",
    )


def _area_balance(site: Site, release: str) -> list[Check]:
    rel = load(release)
    tol = rel.rules.area_balance_tolerance_ha
    out = []
    for location, off, cells in (
        ("on_site", False, "A-1!W261 vs A-2!G259"),
        ("off_site", True, "D-1!Z261 vs D-2!G259"),
    ):
        rows = getattr(site, location).area
        if not rows.baseline and not rows.creation:
            continue
        lost = area.area_lost_for_balance(rel, area.baseline(rel, rows.baseline, off))
        created = area.area_created_for_balance(rel, area.creation(rel, rows.creation, off))
        ok = abs(lost - created) <= tol
        where = "On-site" if not off else "Off-site"
        details = () if ok else (f"area lost {lost:.4f} ha, area created {created:.4f} ha ({cells})",)
        out.append(
            Check(
                f"AREA_BALANCE_{location.upper()}",
                f"{where}: area created equals area lost within {tol} ha "
                "(individual trees, green walls and intertidal hard structures excluded)",
                ok,
                details,
            )
        )
    return out


def _row_errors(workbook: MetricWorkbook, result: Result) -> Check:
    details: list[str] = []
    for src, row in zip(workbook.sources, result.rows, strict=True):
        bad = [m for m in row.messages if "▲" in m or m.replace(" ", "").lower().startswith("checkdata")]
        if bad:
            details.append(f"{src.sheet} row {src.row}: " + "; ".join(dict.fromkeys(bad)))
    details += [str(i) for i in workbook.issues]
    details += [str(i) for i in result.issues]
    return Check("NO_ERROR_ROWS", 'No row shows an error (▲) or "Check Data"', not details, tuple(details))


def _targets(result: Result) -> list[Check]:
    out = []
    for module, m in result.modules.items():
        ok = m.target_met is True
        if m.unit_deficit is None:
            detail = "the unit deficit is not a number (the workbook shows an error)"
        elif ok:
            detail = f"total net change {_pct(m.total_net_change_percent)}; no unit deficit"
        else:
            detail = f"deficit of {m.unit_deficit:,.4f} {UNITS[module]} (required {m.units_required or 0:,.4f})"
        out.append(
            Check(
                f"TARGET_{module.upper()}",
                f"{MODULE_NAMES[module]}: the {m.target_percent:g} % net gain target is met",
                ok,
                (detail,),
            )
        )
    return out


def _pct(v: float | None) -> str:
    return "not a number (zero baseline)" if v is None else f"{v:,.2f} %"


def _start(workbook: MetricWorkbook) -> list[Check]:
    v, cells = workbook.start.values, workbook.start.cells
    missing = [
        f"{label} ({cells.get(key, '?')}) is blank"
        for key, label in (("completed_by", "Completed by"), ("completed_on", "Date of metric completion"))
        if is_blank(v.get(key))
    ]
    target = workbook.start.target
    low = target is not None and target < 0.1 - 1e-12
    return [
        Check(
            "START_COMPLETED",
            "Start: 'Completed by' and 'Date of metric completion' filled in (Start!E8)",
            not missing,
            tuple(missing),
        ),
        Check(
            "START_TARGET",
            "Start: target % net gain not below 10 % (Start!I22)",
            not low,
            (f"Start!F22 reads {target * 100:g} %",) if low and target is not None else (),
        ),
    ]


def check_rules(workbook: MetricWorkbook, result: Result, target_result: Result) -> list[Check]:
    """Every compliance check; ``target_result`` is recalculated with the compliance target."""
    return [
        *_defra(workbook, result),
        *_start(workbook),
        *_area_balance(workbook.site, workbook.site.metric_release),
        Check(
            "TRADING_RULES",
            "Every trading rule is satisfied (Headline Results F55)",
            result.trading_all_satisfied is True,
            tuple(
                f"{MODULE_NAMES[m]}: {b.band.replace('_', ' ')} distinctiveness fails ({b.rule})"
                for m, t in result.trading.items()
                for b in t.bands
                if b.satisfied is not True
            ),
        ),
        _row_errors(workbook, result),
        *_targets(target_result),
    ]
