"""The results a workbook has cached: the values Excel (or LibreOffice) last calculated.

They are found by their labels, as the input columns are: the "Headline Results" rows by the
text in column B and the module names beside them ("Habitat units"…), the trading verdicts
under "Trading Satisfied?", the credits under "Tier", the gain-site summary under "Gain site
reference", and each input sheet's totals on the row below its last input row. A figure whose
label a layout lacks is listed in ``missing`` and not compared, never silently assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bng.metric import UNIT_NAMES

from .cells import reference
from .grid import Book, CellValue, Grid, cell_name, is_blank, normalise
from .layout import SheetLayout
from .release import is_credits_sheet

BAND_LABELS = {"very_high": "very high", "high": "high", "medium": "medium", "low": "low", "very_low": "very low"}
TRADING_SHEETS = {
    "area": "Trading Summary Area Habitats",
    "hedgerow": "Trading Summary Hedgerows",
    "watercourse": "Trading Summary WaterC's",
}
CREDIT_SHEET = "Unit shortfall summary"
"""The credits by tier ("Credits" from 1.0.4: any tab :func:`is_credits_sheet` names is tried)."""
GAIN_SITE_SHEET = "Off-site gain site summary"
HEADLINE = "Headline Results"
RESULT_SHEETS = frozenset({HEADLINE, CREDIT_SHEET, GAIN_SITE_SHEET, *TRADING_SHEETS.values()})
"""The sheets the check reads cached results from (besides the input sheets and the credits tabs)."""


def libreoffice_without_unique(saved_by: str) -> str:
    """The LibreOffice version that saved a workbook when it predates 24.8 (no UNIQUE or FILTER), else ""."""
    m = re.match(r"LibreOffice/(\d+)\.(\d+)", saved_by)
    if m and (int(m.group(1)), int(m.group(2))) < (24, 8):
        return saved_by.split("$", 1)[0]
    return ""


# Headline Results: (figure, block label in column B, offset of the value column from the module label)
HEADLINE_FIGURES: tuple[tuple[str, str, int], ...] = (
    ("on_site.baseline_units", "On-site baseline", 2),
    ("on_site.post_intervention_units", "On-site post-intervention", 2),
    ("on_site.net_change_units", "On-site net change", 2),
    ("on_site.net_change_percent", "On-site net change", 4),
    ("off_site.baseline_units", "Off-site baseline", 2),
    ("off_site.baseline_units_srm", "Off-site baseline", 6),
    ("off_site.post_intervention_units", "Off-site post-intervention", 2),
    ("off_site.post_intervention_units_srm", "Off-site post-intervention", 6),
    ("off_site.net_change_units", "Off-site net change", 2),
    ("off_site.net_change_percent", "Off-site net change", 4),
    ("off_site.change_with_srm_units", "Off-site unit change", 2),
    ("combined_net_change_units", "Combined net unit change", 2),
    ("off_site.srm_deduction_units", "Spatial risk multiplier (SRM) deductions", 2),
    ("total_net_change_units", "Total net unit change", 2),
    ("total_net_change_percent", "Total net % change", 2),
)
DEFICIT_TABLE = (
    ("target_percent", "Target"),
    ("units_required", "Units Required"),
    ("unit_deficit", "Unit Deficit"),
)
GAIN_SITE_FIGURES = (
    ("baseline_units", "Off-site units baseline"),
    ("baseline_units_srm", "SRM Off-site units baseline"),
    ("retained_units", "Off-site units retained"),
    ("retained_units_srm", "SRM Off-site units retained"),
    ("enhanced_units", "Off-site units enhanced"),
    ("enhanced_units_srm", "SRM Off-site units enhanced"),
    ("created_units", "Off-site units created"),
    ("created_units_srm", "SRM Off-site units created"),
    ("change_units", "Off-site unit change per gain site (pre-SRM)"),
    ("spatial_risk_multiplier", "SRM"),
    ("change_post_srm_units", "Off-site unit change per gain site (post-SRM)"),
)
# on-site sheet totals the Result reports: (module, figure, sheet key, column field)
SHEET_TOTALS = (
    ("area", "on_site.retained_units", "A-1", "retained_units"),
    ("area", "on_site.enhanced_baseline_units", "A-1", "enhanced_units"),
    ("area", "on_site.creation_units", "A-2", "units"),
    ("area", "on_site.enhancement_units", "A-3", "units"),
    ("hedgerow", "on_site.retained_units", "B-1", "retained_units"),
    ("hedgerow", "on_site.enhanced_baseline_units", "B-1", "enhanced_units"),
    ("hedgerow", "on_site.creation_units", "B-2", "units"),
    ("hedgerow", "on_site.enhancement_units", "B-3", "units"),
    ("watercourse", "on_site.retained_units", "C-1", "retained_units"),
    ("watercourse", "on_site.enhanced_baseline_units", "C-1", "enhanced_units"),
    ("watercourse", "on_site.creation_units", "C-2", "units"),
    ("watercourse", "on_site.enhancement_units", "C-3", "units"),
)


@dataclass(frozen=True, slots=True)
class Cached:
    """One cached value and where it stands."""

    sheet: str
    cell: str
    value: CellValue


@dataclass
class CachedResults:
    """The results the workbook holds as last calculated by Excel: what our recalculation is compared with."""

    modules: dict[str, dict[str, Cached]] = field(default_factory=dict)
    trading: dict[str, dict[str, Cached]] = field(default_factory=dict)
    trading_all: Cached | None = None
    credits: dict[str, Cached] = field(default_factory=dict)
    gain_sites: dict[tuple[str, str], dict[str, Cached]] = field(default_factory=dict)
    gain_site_order: dict[str, list[str]] = field(default_factory=dict)
    area_checks: dict[str, Cached] = field(default_factory=dict)
    """The area balance verdicts (A-2!K6 on-site, D-2!L6 off-site), by location."""
    missing: list[str] = field(default_factory=list)
    saved_by: str = ""
    """The program that last saved the workbook (docProps/app.xml), e.g. ``LibreOffice/7.5.3.2``."""

    @property
    def calculated(self) -> bool:
        """False when the headline holds nothing at all: a workbook written but never calculated."""
        cells = [c for m in self.modules.values() for c in m.values()]
        return not cells or any(not is_blank(c.value) for c in cells)


def _put(out: dict[str, Cached], key: str, grid: Grid, row: int, col: int) -> None:
    out[key] = Cached(grid.name, cell_name(row, col), grid.get(row, col))


def _headline(book: Book, res: CachedResults) -> None:
    if not book.has(HEADLINE):
        res.missing.append(f"sheet {HEADLINE!r}")
        return
    g = book.grid(HEADLINE)
    for module in UNIT_NAMES:
        res.modules[module] = {}
    for figure, label, offset in HEADLINE_FIGURES:
        at = g.find(label, cols=range(1, 6))
        if at is None:
            res.missing.append(f"{HEADLINE}: row {label!r}")
            continue
        for module, mlabel in UNIT_NAMES.items():
            hit = g.find(mlabel, rows=range(at[0], at[0] + 3), cols=range(at[1], at[1] + 8))
            if hit is None:
                res.missing.append(f"{HEADLINE}: {label!r} {mlabel!r}")
                continue
            _put(res.modules[module], figure, g, hit[0], hit[1] + offset)
    header = g.find("Unit Type", cols=range(1, 6))
    if header is None:
        res.missing.append(f"{HEADLINE}: the 'Unit Type' table")
    else:
        hr = header[0]
        cols = {normalise(g.get(hr, c)): c for c in range(1, g.width + 1)}
        for module, mlabel in UNIT_NAMES.items():
            row = g.find(mlabel, rows=range(hr + 1, hr + 4), cols=range(header[1], header[1] + 1))
            for figure, head in DEFICIT_TABLE:
                col = cols.get(normalise(head))
                if row is None or col is None:
                    res.missing.append(f"{HEADLINE}: {head!r} of {mlabel!r}")
                    continue
                _put(res.modules[module], figure, g, row[0], col)
    trading = g.find("Trading rules satisfied?", cols=range(1, 6))
    if trading is None:
        res.missing.append(f"{HEADLINE}: 'Trading rules satisfied?'")
    else:
        value_col = next(
            (c for c in range(trading[1] + 1, g.width + 1) if not is_blank(g.get(trading[0], c))), trading[1] + 4
        )
        res.trading_all = Cached(g.name, cell_name(trading[0], value_col), g.get(trading[0], value_col))


def _trading(book: Book, res: CachedResults) -> None:
    for module, sheet in TRADING_SHEETS.items():
        if not book.has(sheet):
            res.missing.append(f"sheet {sheet!r}")
            continue
        g = book.grid(sheet)
        head = g.find("Trading Satisfied?", rows=range(1, 12))
        group = g.find("Distinctiveness Group", rows=range(1, 12))
        if head is None or group is None:
            res.missing.append(f"{sheet}: 'Trading Satisfied?'")
            continue
        res.trading[module] = {}
        for r in range(group[0] + 1, group[0] + 8):
            label = normalise(g.get(r, group[1]))
            band = next((b for b, text in BAND_LABELS.items() if text == label), None)
            if band is not None:
                _put(res.trading[module], band, g, r, head[1])


def _credit_sheets(book: Book) -> list[str]:
    """The sheets that may hold the shortfall by tier: the summary first, then 1.0.4's "Credits" tabs."""
    named = [n for n in book.sheet_names if is_credits_sheet(n) and book.has(n)]
    return sorted(named, key=lambda n: (n != CREDIT_SHEET, "calculation" in n.lower(), n))


def _shortfall_column(g: Grid, row: int, after: int) -> int | None:
    """The column of the shortfall with the spatial risk multiplier (2 × units) in a "Tier" header row."""
    heads = {c: normalise(g.get(row, c)) for c in range(after + 1, min(g.width, after + 6) + 1)}
    srm = [c for c, h in heads.items() if "srm included" in h]
    plain = [c for c, h in heads.items() if h.startswith(("unit shortfall", "credit"))]
    return srm[0] if srm else (plain[0] if plain else None)


def _credits(book: Book, res: CachedResults) -> None:
    for name in _credit_sheets(book):
        g = book.grid(name)
        tier = g.find("Tier", rows=range(1, 12))
        col = _shortfall_column(g, tier[0], tier[1]) if tier else None
        if tier is None or col is None:
            continue
        for r in range(tier[0] + 1, tier[0] + 12):
            value = g.get(r, tier[1])
            if isinstance(value, str) and value.strip() in ("A1", "A2", "A3", "A4", "A5", "H", "W"):
                _put(res.credits, value.strip(), g, r, col)
        if res.credits:
            return
    res.missing.append(f"sheet {CREDIT_SHEET!r} (or 1.0.4's 'Credits'): a 'Tier' table of unit shortfall")


def _gain_sites(book: Book, res: CachedResults) -> None:
    if not book.has(GAIN_SITE_SHEET):
        res.missing.append(f"sheet {GAIN_SITE_SHEET!r}")
        return
    g = book.grid(GAIN_SITE_SHEET)
    first = g.find("Gain site reference", rows=range(1, 12))
    if first is None:
        res.missing.append(f"{GAIN_SITE_SHEET}: 'Gain site reference'")
        return
    hr = first[0]
    starts = [c for c in range(1, g.width + 1) if normalise(g.get(hr, c)) == "gain site reference"]
    for module, start in zip(("area", "hedgerow", "watercourse"), starts, strict=False):
        end = next((s for s in starts if s > start), g.width + 1)
        cols = {normalise(g.get(hr, c)): c for c in range(start, end)}
        order: list[str] = []
        for r in range(hr + 1, min(g.height, hr + 200) + 1):
            site = reference(g.get(r, start))
            if not site:
                if r > hr + 2:  # the data starts a row or two below the headers
                    break
                continue
            figures: dict[str, Cached] = {}
            for figure, head in GAIN_SITE_FIGURES:
                col = cols.get(normalise(head))
                if col is not None:
                    _put(figures, figure, g, r, col)
            res.gain_sites[(module, site)] = figures
            order.append(site)
        res.gain_site_order[module] = order


def totals_row(book: Book, layout: SheetLayout) -> int | None:
    """The row of a sheet's column totals: below the numbered rows, or below the enhancement rows."""
    g = book.grid(layout.sheet)
    r = layout.first_row
    if layout.spec.stage != "enhancement":
        while r <= g.height and isinstance(g.get(r, layout.key_col), float):
            r += 1
        return r if r <= g.height else None
    units = layout.columns.get("units")
    inputs = [layout.columns[c.field] for c in layout.spec.inputs if c.field in layout.columns and c.field != "broad"]
    while r <= g.height and units is not None:
        blank_row = is_blank(g.get(r, layout.key_col)) and all(is_blank(g.get(r, c)) for c in inputs)
        if blank_row and not is_blank(g.get(r, units)):
            return r
        r += 1
    return None


def _sheet_totals(book: Book, layouts: dict[str, SheetLayout], res: CachedResults) -> None:
    for module, figure, key, fieldname in SHEET_TOTALS:
        layout = layouts.get(key)
        col = layout.columns.get(fieldname) if layout else None
        row = totals_row(book, layout) if layout else None
        if layout is None or col is None or row is None:
            res.missing.append(f"{key}: the total of {fieldname!r}")
            continue
        _put(res.modules.setdefault(module, {}), figure, book.grid(layout.sheet), row, col)


def _area_checks(book: Book, layouts: dict[str, SheetLayout], res: CachedResults) -> None:
    """A-2!K6 / D-2!L6: "Area Acceptable ✓" or "Error - Area created does not equal area lost ▲"."""
    for location, key in (("on_site", "A-2"), ("off_site", "D-2")):
        layout = layouts.get(key)
        g = book.grid(layout.sheet) if layout else None
        at = g.find("Area Check", rows=range(1, layout.key_row)) if g is not None and layout else None
        if g is None or at is None:
            res.missing.append(f"{key}: the 'Area Check' verdict")
            continue
        col = next((c for c in range(at[1] + 1, min(g.width, at[1] + 8) + 1) if not is_blank(g.get(at[0], c))), None)
        if col is not None:
            _put(res.area_checks, location, g, at[0], col)


def read_cached(book: Book, layouts: dict[str, SheetLayout]) -> CachedResults:
    """Every cached result the check compares, found by its label."""
    res = CachedResults(saved_by=book.package.application())
    _headline(book, res)
    _sheet_totals(book, layouts, res)
    _trading(book, res)
    _credits(book, res)
    _gain_sites(book, res)
    _area_checks(book, layouts, res)
    return res
