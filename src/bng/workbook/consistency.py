"""Compare a workbook's cached results with the engine's recalculation, cell by cell.

A cached number agrees with ours within 1e-9 (relative, or absolute near zero), the tolerance
of the golden test vectors. Where we have no number (the workbook shows a text instead), a
cached text agrees when the engine shows the same text for that row; a blank agrees with
nothing. Every disagreement is a :class:`Discrepancy` naming the sheet, cell, figure, the
cached value and ours. A workbook whose headline holds nothing was never calculated (a
program wrote it and nobody opened it since): that is one discrepancy, not hundreds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bng.metric import ModuleResult, Result, RowResult

from .cached import GAIN_SITE_SHEET, HEADLINE, Cached, CachedResults, libreoffice_without_unique
from .cells import reference, show
from .compliance import area_balanced
from .grid import CellValue, cell_name, is_blank
from .reader import MetricWorkbook, SourceRow

TOLERANCE = 1e-9
FIGURE_NAMES = {
    "on_site.baseline_units": "on-site baseline units",
    "on_site.post_intervention_units": "on-site post-intervention units",
    "on_site.net_change_units": "on-site net change (units)",
    "on_site.net_change_percent": "on-site net change (%)",
    "on_site.retained_units": "on-site baseline units retained (total)",
    "on_site.enhanced_baseline_units": "on-site baseline units enhanced (total)",
    "on_site.creation_units": "on-site units created (total)",
    "on_site.enhancement_units": "on-site units from enhancement (total)",
    "off_site.baseline_units": "off-site baseline units",
    "off_site.baseline_units_srm": "off-site baseline units with SRM",
    "off_site.post_intervention_units": "off-site post-intervention units",
    "off_site.post_intervention_units_srm": "off-site post-intervention units with SRM",
    "off_site.net_change_units": "off-site net change (units)",
    "off_site.net_change_percent": "off-site net change (%)",
    "off_site.change_with_srm_units": "off-site unit change with SRM",
    "off_site.srm_deduction_units": "spatial risk multiplier deductions",
    "combined_net_change_units": "combined net unit change",
    "total_net_change_units": "total net unit change",
    "total_net_change_percent": "total net % change",
    "target_percent": "target (%)",
    "units_required": "units required",
    "unit_deficit": "unit deficit",
}
ROW_FIGURES = {
    "units": "units",
    "units_srm": "units with SRM",
    "retained_units": "baseline units retained",
    "enhanced_units": "baseline units enhanced",
}


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A cached value that our recalculation does not reproduce."""

    sheet: str
    cell: str
    what: str
    cached: str
    ours: str
    code: str = "VALUE_DIFFERS"

    def to_dict(self) -> dict[str, str | int | None]:
        """The discrepancy as JSON, with the cell's row apart for sorting."""
        m = re.fullmatch(r"([A-Z]{1,3})([0-9]+)", self.cell)
        return {
            "sheet": self.sheet,
            "cell": self.cell,
            "row": int(m.group(2)) if m else None,
            "column": m.group(1) if m else None,
            "what": self.what,
            "cached": self.cached,
            "ours": self.ours,
            "code": self.code,
        }


def close(a: float, b: float) -> bool:
    """Whether two numbers agree to the comparison's tolerance (relative, with an absolute floor near zero)."""
    return abs(a - b) <= max(TOLERANCE, TOLERANCE * max(abs(a), abs(b)))


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def agrees(cached: CellValue, ours: float | None, texts: Sequence[str] | None) -> bool:
    """Does a cached cell show what we compute (a number, or a text we show too)?

    ``ours`` is in the workbook's scale (a percentage as the fraction the cell holds).
    """
    if _is_number(cached):
        return ours is not None and math.isfinite(ours) and close(float(cached), ours)  # type: ignore[arg-type]
    if is_blank(cached):
        return ours is None
    if isinstance(cached, str):
        if ours is not None:
            return False
        if texts is None:
            return True
        wanted = cached.strip()
        return any(t.strip() == wanted for t in texts)
    return False


def _ours(v: float | bool | str | None) -> str:
    if v is None:
        return "no number (a text or blank)"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _attr(m: ModuleResult, path: str) -> float | None:
    obj: object = m
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj if isinstance(obj, float) else None


@dataclass(frozen=True, slots=True)
class Comparison:
    """What the comparison found: the discrepancies, how many values were compared, what was not and why."""

    discrepancies: tuple[Discrepancy, ...]
    compared: int
    not_compared: tuple[str, ...]


class _Comparer:
    def __init__(self) -> None:
        self.out: list[Discrepancy] = []
        self.compared = 0
        self.skipped: list[str] = []

    def number(
        self,
        c: Cached,
        what: str,
        ours: float | None,
        texts: Sequence[str] | None = None,
        scale: float = 1.0,
    ) -> None:
        """Compare in the workbook's scale: ``ours / scale`` (a percentage's fraction) against the cell."""
        self.compared += 1
        if ours is not None and scale != 1.0:
            ours = ours / scale
        if agrees(c.value, ours, texts):
            return
        self.out.append(Discrepancy(c.sheet, c.cell, what, show(c.value), _ours(ours)))

    def verdict(self, c: Cached, what: str, ours: bool | None) -> None:
        self.compared += 1
        v = c.value.strip() if isinstance(c.value, str) else c.value
        shown: bool | None = None
        if isinstance(v, str) and v.startswith(("Yes", "Area Acceptable")):
            shown = True
        elif isinstance(v, str) and v.startswith(("No", "Error")):
            shown = False
        if shown is not ours:
            self.out.append(Discrepancy(c.sheet, c.cell, what, show(c.value), _ours(ours)))


def _rows(cmp: _Comparer, sources: Sequence[SourceRow], rows: Sequence[RowResult]) -> None:
    for src, row in zip(sources, rows, strict=True):
        where = f"{src.key} row {src.row}"
        for fieldname, label in ROW_FIGURES.items():
            col = src.columns.get(fieldname)
            if col is None or fieldname not in src.cached:
                continue
            ours = getattr(row, fieldname)
            c = Cached(src.sheet, cell_name(src.row, col), src.cached[fieldname])
            cmp.number(c, f"{where}: {label}", ours, row.messages)
        if "baseline_line" in src.cached:
            cmp.compared += 1
            cached_line = reference(src.cached["baseline_line"])
            ours_line = src.baseline_line
            if cached_line != ours_line:
                cmp.out.append(
                    Discrepancy(
                        src.sheet,
                        cell_name(src.row, src.columns["baseline_line"]),
                        f"{where}: the baseline row this enhancement row enhances",
                        show(src.cached["baseline_line"]),
                        ours_line or "none",
                        "BASELINE_REF_DIFFERS",
                    )
                )


def _modules(cmp: _Comparer, cached: CachedResults, result: Result) -> None:
    for module, figures in cached.modules.items():
        m = result.modules[module]
        for figure, c in figures.items():
            name = f"{module}: {FIGURE_NAMES.get(figure, figure)}"
            scale = 100.0 if figure.endswith("_percent") else 1.0
            ours = _attr(m, figure)
            if figure == "off_site.srm_deduction_units" and c.value == "0.00" and ours == 0.0:
                continue  # H41: IFERROR(…, "0.00"), which the engine reports as 0
            cmp.number(c, name, ours, None, scale)


def _trading(cmp: _Comparer, cached: CachedResults, result: Result) -> None:
    for module, bands in cached.trading.items():
        verdicts = {b.band: b.satisfied for b in result.trading[module].bands}
        for band, c in bands.items():
            cmp.verdict(c, f"{module}: trading rule, {band.replace('_', ' ')} distinctiveness", verdicts.get(band))
    if cached.trading_all is not None:
        cmp.verdict(cached.trading_all, "trading rules satisfied (all modules)", result.trading_all_satisfied)


def _credits(cmp: _Comparer, cached: CachedResults, result: Result) -> None:
    for tier, c in cached.credits.items():
        cmp.number(c, f"statutory credits, tier {tier}", result.credits.by_tier.get(tier), None)


def _gain_sites(cmp: _Comparer, cached: CachedResults, result: Result) -> None:
    ours = {(g.module, g.gain_site): g for g in result.gain_sites if g.gain_site}
    listed = [s for sites in cached.gain_site_order.values() for s in sites if not s.startswith("#")]
    program = libreoffice_without_unique(cached.saved_by)
    if program and ours and not listed:
        # LibreOffice before 24.8 has no UNIQUE/FILTER: it cached the summary's list of gain sites as
        # empty (or #NAME?), and every figure beside it as for no gain site at all
        cmp.skipped.append(
            f"{GAIN_SITE_SHEET}: the workbook was last saved by {program}, which has no UNIQUE or FILTER "
            f"(LibreOffice 24.8 added them), so its cached summary lists no gain site; the {len(ours)} gain "
            "site figures of the off-site rows are not compared with it"
        )
        return
    for key, figures in cached.gain_sites.items():
        g = ours.get(key)
        module, site = key
        if g is None:
            first = next(iter(figures.values()), None)
            cmp.out.append(
                Discrepancy(
                    first.sheet if first else "Off-site gain site summary",
                    first.cell if first else "",
                    f"{module} gain site {site!r}",
                    "listed",
                    "no such gain site",
                    "GAIN_SITE_DIFFERS",
                )
            )
            continue
        for figure, c in figures.items():
            cmp.number(c, f"{module} gain site {site!r}: {figure.replace('_', ' ')}", getattr(g, figure), g.messages)
    for module, site in ours:
        if (module, site) not in cached.gain_sites and cached.gain_site_order.get(module) is not None:
            cmp.out.append(
                Discrepancy(
                    "Off-site gain site summary",
                    "",
                    f"{module} gain site {site!r}",
                    "not listed",
                    "a gain site of the off-site rows",
                    "GAIN_SITE_DIFFERS",
                )
            )


def _area_checks(cmp: _Comparer, cached: CachedResults, workbook: MetricWorkbook) -> None:
    for location, c in cached.area_checks.items():
        found = area_balanced(workbook.site, location)
        where = "on-site" if location == "on_site" else "off-site"
        cmp.verdict(c, f"area check ({where}): area created equals area lost", True if found is None else found[0])


def compare(workbook: MetricWorkbook, cached: CachedResults, result: Result) -> Comparison:
    """Every cached value our recalculation does not reproduce (none: consistent), and how many were compared.

    Also what could not be compared: a layout without the cell, a summary the saving program could not compute.
    """
    if not cached.calculated:
        return Comparison(
            (Discrepancy(HEADLINE, "H8:H63", "results", "empty", "calculated results", "NOT_CALCULATED"),),
            0,
            tuple(cached.missing),
        )
    cmp = _Comparer()
    _rows(cmp, workbook.sources, result.rows)
    _modules(cmp, cached, result)
    _trading(cmp, cached, result)
    _credits(cmp, cached, result)
    _gain_sites(cmp, cached, result)
    _area_checks(cmp, cached, workbook)
    return Comparison(tuple(cmp.out), cmp.compared, (*cached.missing, *cmp.skipped))
