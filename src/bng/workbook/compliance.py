"""Does the workbook satisfy the metric's rules? The checks behind the ``compliant`` verdict.

Judged on our recalculation, not on the cached values (those are the ``consistent`` verdict's
business), except that a workbook must hold calculated values at all:

* DEFRA's register upload checks: a metric workbook (Start, Main Menu, Results and Headline
  Results sheets), a supported version (Start!D8 >= 4.1), not the draft (D-1!D10), off-site
  data present when off-site rows are entered, and calculated values to read (the upload reads
  the cached results). DEFRA's fifth, "off-site totals" (D-1 area = D-2 area + D-3 area, and
  likewise for hedgerows and watercourses), is reported but does not decide the verdict: the
  register computes it and has not enforced it since BNGP-4219, because retained off-site
  habitat makes the totals differ legitimately.
* the area balance (A-2!K6, D-2!L6): area lost equals area created within 0.01 ha, trees,
  green walls and intertidal hard structures (IGGI) excluded, compared as the workbook compares;
* every trading rule satisfied (Headline Results F55);
* no row showing an error (▲) or "Check Data", and no input the reader or engine flagged as an
  error (a warning, such as a broad habitat that disagrees with the habitat type, is advisory);
* the net gain targets, per module, each with its own verdict: the statutory 10 %, the
  workbook's own target (Start!F22) where it sets another, and a local target when one is given;
* the Start sheet's own ▲ rules: completed by and date filled (E8), target not below 10 % (I22).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bng.metric import MODULE_NAMES, MODULES, STAGES, UNIT_NAMES, Result, Site, area, load, xl

from .grid import is_blank
from .reader import MetricWorkbook
from .release import DEFRA_METRIC_SHEETS, STATUTORY_VERSION

DEFRA_TOTALS_TOLERANCE = 1e-8
DEFRA = "DEFRA register upload check"
AREA_BALANCE_DIGITS = 9
"""Decimal places (ha) the area balance is compared to: 1e-9 ha, far below any area a map or person gives."""


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
        """The check as JSON."""
        return {
            "code": self.code,
            "title": self.title,
            "passed": self.passed,
            "blocking": self.blocking,
            "source": self.source,
            "details": list(self.details),
        }


@dataclass(frozen=True, slots=True)
class Target:
    """A net gain target the workbook is judged against, and the recalculation with it."""

    kind: str
    """``statutory`` (10 %, the law), ``workbook`` (Start!F22, where it sets another) or ``local``."""
    percent: float
    result: Result

    @property
    def title(self) -> str:
        """The target in words, naming where it comes from."""
        return {
            "statutory": f"the statutory {self.percent:g} % net gain",
            "workbook": f"the workbook's own target of {self.percent:g} % (Start!F22)",
            "local": f"the local target of {self.percent:g} %",
        }[self.kind]

    def met(self) -> dict[str, bool]:
        """Whether each module meets its target."""
        return {m: r.target_met is True for m, r in self.result.modules.items()}


def _has_off_site(site: Site) -> bool:
    return site.off_site.row_count() > 0


def _model_rows(site: Site) -> Iterator[object]:
    """The Site's rows in the order of ``Result.rows`` and of the workbook's sources."""
    for location in ("on_site", "off_site"):
        loc = getattr(site, location)
        for module in MODULES:
            for stage in STAGES:
                yield from getattr(getattr(loc, module), stage)


_CORE = (("habitat", "habitat type"), ("size", "size"), ("condition", "condition"), ("ss", "strategic significance"))
_NEEDED = {
    "baseline": _CORE,
    "creation": _CORE,
    "enhancement": (("habitat", "proposed habitat"), ("condition", "condition"), ("ss", "strategic significance")),
}


def _missing(row: object, stage: str, off: bool) -> list[str]:
    """The inputs a row lacks for the workbook to give it units."""
    out = []
    for attr, name in _NEEDED[stage]:
        if attr == "size":
            v = getattr(row, "area_ha", None) if hasattr(row, "area_ha") else getattr(row, "length_km", None)
        elif attr == "ss":
            v = getattr(row, "strategic_significance", "")
        else:
            v = getattr(row, attr, "")
        if v is None or v == "":
            out.append(name)
    if off and stage != "enhancement" and not getattr(row, "spatial_risk", None):
        out.append("spatial risk category")
    return out


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _rows_without_units(workbook: MetricWorkbook, result: Result) -> list[str]:
    """Off-site rows that give no units and show no error: what each is, and what it lacks."""
    out = []
    rows = zip(workbook.sources, result.rows, _model_rows(workbook.site), strict=True)
    for src, res, row in rows:
        if res.location != "off_site" or res.units is not None or any("▲" in m for m in res.messages):
            continue
        lacks = _missing(row, res.stage, True)
        if not lacks:
            continue
        site = getattr(row, "gain_site", "") or ""
        has = f"has the off-site reference {site!r}" if site else "has no off-site reference"
        years = [getattr(row, f, None) for f in ("advance_years", "delay_years")]
        if res.stage != "baseline" and any(y is not None for y in years):
            has += ", advance/delay " + "/".join("blank" if y is None else xl.show(y) for y in years) + " years"
        out.append(f"{src.sheet} row {src.row} {has} but no {_and(lacks)}, so it gives no units")
    return out


def _defra(workbook: MetricWorkbook, result: Result, calculated: bool) -> list[Check]:
    names = workbook.book.sheet_names
    missing = [n for n in DEFRA_METRIC_SHEETS if n not in names]
    out = [
        Check(
            "DEFRA_METRIC_WORKBOOK",
            "It is a metric workbook (sheets Start, Main Menu, Results, Headline Results)",
            not missing,
            tuple(f"no sheet {n!r}" for n in missing),
            source=DEFRA,
        ),
        Check(
            "DEFRA_SUPPORTED_VERSION",
            f"Supported version (Start!D8 >= {STATUTORY_VERSION})",
            True,
            (f"Start!D8 reads {workbook.release.version}",),
            source=DEFRA,
        ),
        Check("DEFRA_NOT_DRAFT", "Not the draft tool (D-1!D10 is not 'Baseline ref')", True, source=DEFRA),
        Check(
            "DEFRA_CALCULATED",
            "The workbook holds its calculated results (the register's upload reads them)",
            calculated,
            ()
            if calculated
            else (
                "Headline Results holds no calculated values: a program that does not calculate (openpyxl, "
                "bng metric export) wrote the workbook and nobody opened it since. DEFRA's upload reads the "
                "saved results and cannot read this file: open and save it in Excel, then check it again",
            ),
            source=DEFRA + " (it reads the saved values)",
        ),
    ]
    off_site = _has_off_site(workbook.site)
    details = ["no off-site rows"]
    stray = _rows_without_units(workbook, result) if off_site else []
    if off_site:
        mods = result.modules.values()
        details = []
        if not any((m.off_site.baseline_units or 0.0) > 0 for m in mods):
            details.append("no module has off-site baseline units (Headline Results H20:H22)")
        if not any((m.off_site.post_intervention_units or 0.0) > 0 for m in mods):
            details.append("no module has off-site post-intervention units (Headline Results H24:H26)")
        if details:
            details = [*stray, *details]
            details.append(
                "DEFRA's register refuses such a file ('The selected file does not have enough data'): complete "
                "the off-site rows, or clear the ones that are not meant"
            )
    out.append(
        Check(
            "DEFRA_OFFSITE_DATA",
            "Off-site data present where off-site rows are entered",
            not off_site or not details,
            tuple(details),
            source=DEFRA,
        )
    )
    if off_site:
        out.append(_defra_totals(workbook.site))
        shown = bool(details)  # already listed under the blocking check
        out.append(
            Check(
                "OFFSITE_ROWS_GIVE_UNITS",
                "Every off-site row gives units (advisory: a row with only a reference gives none)",
                not stray,
                () if shown else tuple(stray),
                blocking=False,
            )
        )
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
        source=DEFRA,
    )


def area_balanced(site: Site, location: str) -> tuple[bool, float, float] | None:
    """A-2!K6 (on-site) / D-2!L6 (off-site): whether area lost equals area created, with both areas.

    None where the location has no area habitat rows.
    """
    rel = load(site.metric_release)
    rows = getattr(site, location).area
    if not rows.baseline and not rows.creation:
        return None
    off = location == "off_site"
    lost = area.area_lost_for_balance(rel, area.baseline(rel, rows.baseline, off))
    created = area.area_created_for_balance(rel, area.creation(rel, rows.creation, off))
    tol = rel.rules.area_balance_tolerance_ha
    return xl.le(round(abs(xl.sub(lost, created)), AREA_BALANCE_DIGITS), tol), lost, created


def _area_balance(site: Site, release: str) -> list[Check]:
    """A-2!K6 / D-2!L6: ``ABS(lost − created) <= 0.01``, compared as the spreadsheet compares.

    The spreadsheet takes numbers that agree to about 15 significant digits as equal, and its sums
    of the area columns may differ from ours in the last binary digit (the order of addition), so
    the difference is rounded to 1e-9 ha (0.01 mm²) before it is compared: 0.48 − 0.47, which our
    sums make 0.010000000000000064, is not more than 0.01 there ("Area Acceptable ✓").
    """
    tol = load(release).rules.area_balance_tolerance_ha
    out = []
    for location, off, cells in (
        ("on_site", False, "A-1!W261 vs A-2!G259"),
        ("off_site", True, "D-1!Z261 vs D-2!G259"),
    ):
        found = area_balanced(site, location)
        if found is None:
            continue
        ok, lost, created = found
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


def _row_errors(workbook: MetricWorkbook, result: Result) -> list[Check]:
    details: list[str] = []
    for src, row in zip(workbook.sources, result.rows, strict=True):
        bad = [m for m in row.messages if "▲" in m or m.replace(" ", "").lower().startswith("checkdata")]
        if bad:
            details.append(f"{src.sheet} row {src.row}: " + "; ".join(dict.fromkeys(bad)))
    details += [str(i) for i in workbook.issues if i.severity == "error"]
    details += [str(i) for i in result.issues]
    warnings = tuple(str(i) for i in workbook.issues if i.severity != "error")
    return [
        Check("NO_ERROR_ROWS", 'No row shows an error (▲) or "Check Data"', not details, tuple(details)),
        Check(
            "INPUT_WARNINGS",
            "No input the workbook computes with other than as it reads (advisory)",
            not warnings,
            warnings,
            blocking=False,
        ),
    ]


def _target_checks(target: Target) -> list[Check]:
    prefix = {"statutory": "TARGET", "workbook": "WORKBOOK_TARGET", "local": "LOCAL_TARGET"}[target.kind]
    source = {
        "statutory": "statutory metric (the 10 % biodiversity gain objective)",
        "workbook": "workbook ▲ rule (Headline Results J51: 'Total net gain achieved is less than target set ▲')",
        "local": "local planning authority target (--target)",
    }[target.kind]
    out = []
    for module, m in target.result.modules.items():
        ok = m.target_met is True
        if m.unit_deficit is None:
            detail = "the unit deficit is not a number (the workbook shows an error)"
        elif ok:
            detail = f"total net change {_pct(m.total_net_change_percent)}; no unit deficit"
        else:
            detail = f"deficit of {m.unit_deficit:,.4f} {UNIT_NAMES[module]} (required {m.units_required or 0:,.4f})"
        out.append(
            Check(
                f"{prefix}_{module.upper()}",
                f"{MODULE_NAMES[module]}: {target.title} is met",
                ok,
                (detail,),
                source=source,
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


def check_rules(
    workbook: MetricWorkbook, result: Result, targets: Sequence[Target], calculated: bool = True
) -> list[Check]:
    """Every compliance check; ``targets`` are the recalculations with each target the workbook is judged on."""
    checks = [
        *_defra(workbook, result, calculated),
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
        *_row_errors(workbook, result),
    ]
    for target in targets:
        checks += _target_checks(target)
    return checks
