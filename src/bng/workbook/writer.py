"""Write a Site into a copy of the official statutory workbook: ``bng metric export``.

Only input cells are written, each keeping its style, protection and drop-down; everything
else in the package is copied unchanged (:mod:`xmlpatch` says why openpyxl is not used to
save). Every cell written is first checked to be unlocked in the template: the sheets are
protected, and a value in a locked cell is one the user could not have typed.

Rows go where the workbook expects them: baseline and creation rows from the first numbered
row down; the k-th enhancement row of a sheet beside the k-th baseline row with an area or
length enhanced, exactly as the engine pairs them. A proposed broad habitat equal to the
baseline's keeps the sheet's pre-filled formula (``=A12``); a different one overwrites it.

The written workbook carries no calculated results (the template has none): Excel and
LibreOffice calculate it when they open it. ``bng metric check`` on a file that has not been
opened and saved since says so.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bng.metric import (
    MODULES,
    STAGES,
    AreaBaseline,
    AreaEnhancement,
    AreaHabitat,
    HedgerowBaseline,
    HedgerowEnhancement,
    Release,
    Site,
    WatercourseBaseline,
    WatercourseEnhancement,
    Years,
    load,
)
from bng.metric.xl import blank, gt

from .errors import WorkbookError
from .grid import Book, cell_name
from .layout import SIZE_FIELDS, SPEC_OF, SheetLayout, SheetSpec, find_sheet, locate
from .package import column_number
from .reader import PROJECT_KEYS, START_FIELDS, read_start
from .release import identify
from .template import FAST, TEMPLATE_RELEASE, copy_info, template_path
from .xmlpatch import CellWrite, cell_styles, formula_rows, set_cells, unlocked_styles, unshare

EXCEL_EPOCH = dt.date(1899, 12, 30)
SRM_SHEET, SRM_SHEET_WATERCOURSE = "G-3 Multipliers", "G-7 WaterC' Data"
"""Where the spatial risk drop-downs take their values (spaces included)."""
START_DETAIL_KEYS = tuple(key for key, _ in START_FIELDS if key not in PROJECT_KEYS)


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote: the file, and how many rows, cells and sheets."""

    path: Path
    rows: int
    cells: int
    sheets: tuple[str, ...]


def _years(v: Years) -> CellWrite:
    if v is None:
        return None
    return v if isinstance(v, str) else float(v)


def _text(v: str | None) -> CellWrite:
    return v if v else None


def _yes_no(v: bool | None) -> CellWrite:
    return None if v is None else ("Yes" if v else "No")


def _date_or_text(v: str) -> CellWrite:
    try:
        return float((dt.date.fromisoformat(v[:10]) - EXCEL_EPOCH).days) if len(v) >= 10 else v
    except ValueError:
        return v


class _Writer:
    def __init__(self, book: Book, template: Path) -> None:
        self.book = book
        self.template = template
        self.rel: Release = load()
        self.writes: dict[str, dict[tuple[int, int], CellWrite]] = {}
        self.rows = 0
        self.srm_words = self._workbook_words(SRM_SHEET, self.rel.spatial_risk)
        self.srm_words_w = self._workbook_words(SRM_SHEET_WATERCOURSE, self.rel.spatial_risk_watercourse)

    def _workbook_words(self, sheet: str, categories: Mapping[str, float]) -> dict[str, str]:
        """Each spatial risk category as the workbook's drop-down spells it (spaces included)."""
        grid = self.book.grid(sheet)
        wanted = {" ".join(c.split()).lower(): c for c in categories}
        out: dict[str, str] = {}
        for row in grid.rows:
            for v in row:
                if isinstance(v, str):
                    key = " ".join(v.split()).lower()
                    if key in wanted and wanted[key] not in out:
                        out[wanted[key]] = v
        return out

    def put(self, layout: SheetLayout, row: int, fieldname: str, value: CellWrite) -> None:
        col = layout.columns.get(fieldname)
        if col is None:
            if value is None:
                return
            raise WorkbookError(self.template, f"sheet {layout.sheet!r} has no column for {fieldname!r}")
        part = self.book.package.sheets[layout.sheet]
        self.writes.setdefault(part, {})[(row, col)] = value

    def srm(self, category: str | None, watercourse: bool) -> CellWrite:
        if not category:
            return None
        words = self.srm_words_w if watercourse else self.srm_words
        return words.get(category, category)

    # -- placing rows ---------------------------------------------------------------------
    def layout(self, spec: SheetSpec) -> SheetLayout:
        name = find_sheet(self.book.sheet_names, spec)
        if name is None:
            raise WorkbookError(self.template, f"the template has no sheet {spec.name!r}")
        return locate(self.book.grid(name), spec, str(self.template))

    def capacity(self, layout: SheetLayout) -> int:
        """How many input rows a sheet has: numbered rows, or rows whose "Baseline ref" is a formula."""
        r = layout.first_row
        if layout.spec.stage != "enhancement":
            grid = self.book.grid(layout.sheet)
            while isinstance(grid.get(r, layout.key_col), float):
                r += 1
            return r - layout.first_row
        rows = formula_rows(self.book.package.read(self.book.package.sheets[layout.sheet]), layout.key_col)
        while r in rows:
            r += 1
        return r - layout.first_row

    def rows_of(self, spec: SheetSpec, positions: int, rows: int) -> SheetLayout | None:
        """The sheet for ``rows`` input rows that take ``positions`` sheet rows (raises when they do not fit)."""
        if not positions:
            return None
        layout = self.layout(spec)
        cap = self.capacity(layout)
        if positions > cap:
            raise WorkbookError(
                self.template,
                f"{positions} {spec.location.replace('_', '-')} {spec.module} {spec.stage} rows do not fit "
                f"sheet {layout.sheet!r}, which has {cap} input rows",
            )
        self.rows += rows
        return layout

    # -- rows -----------------------------------------------------------------------------
    def _known(self, label: str, ref: str) -> AreaHabitat:
        hab = self.rel.area_habitat(label)
        if hab is None:
            raise WorkbookError(self.template, f"row {ref!r}: {label!r} is not an area habitat of the metric")
        return hab

    def row(self, layout: SheetLayout, r: int, row: Any, baseline_broad: str | None = None) -> None:
        """Every input cell of one row (the inverse of the reader's ``values``)."""
        spec = layout.spec
        module, stage = spec.module, spec.stage
        size, retained, enhanced = SIZE_FIELDS[module]
        if module != "area":
            self.put(layout, r, "type", _text(row.habitat))
        elif row.habitat:
            hab = self._known(row.habitat, row.ref)
            if stage != "enhancement" or baseline_broad != hab.broad:  # else the pre-filled =A12 stays
                self.put(layout, r, "broad", hab.broad)
            self.put(layout, r, "type", hab.type)
        self.put(layout, r, "condition", _text(row.condition))
        self.put(layout, r, "ss", _text(row.strategic_significance))
        if stage == "baseline":
            self.put(layout, r, "size", getattr(row, size))
            self.put(layout, r, "retained", getattr(row, retained))
            self.put(layout, r, "enhanced", getattr(row, enhanced))
            if module != "hedgerow":
                self.put(layout, r, "bespoke", _text(row.bespoke_compensation))
            if module == "area":
                self.put(layout, r, "irreplaceable", _yes_no(row.irreplaceable))
        else:
            self.put(layout, r, "advance", _years(row.advance_years))
            self.put(layout, r, "delay", _years(row.delay_years))
            if stage == "creation":
                self.put(layout, r, "size", getattr(row, size))
        if module == "watercourse":
            self.put(layout, r, "encroachment", _text(row.encroachment))
            self.put(layout, r, "riparian", _text(row.riparian_encroachment))
        self.put(layout, r, "habitat_ref", row.ref)
        if spec.off_site:
            self.put(layout, r, "gain_site", _text(row.gain_site))
            if stage != "enhancement":
                self.put(layout, r, "srm", self.srm(row.spatial_risk, module == "watercourse"))

    def module(self, site: Site, location: str, module: str) -> None:
        """One module's rows of one location, each on its sheet row."""
        rows = getattr(getattr(site, location), module)
        size, _, enhanced = SIZE_FIELDS[module]
        baseline, creation, enhancement = (SPEC_OF[(location, module, stage)] for stage in STAGES)
        for spec, items in ((baseline, rows.baseline), (creation, rows.creation)):
            layout = self.rows_of(spec, len(items), len(items))
            for i, item in enumerate(items):
                assert layout is not None
                self.row(layout, layout.first_row + i, item)
        placed = _place(rows.baseline, rows.enhancement, size, enhanced)
        layout = self.rows_of(enhancement, len(placed), sum(e is not None for _, e in placed))
        for k, (base, enh) in enumerate(placed):
            if enh is not None:
                assert layout is not None
                broad = self.rel.area_habitat(base.habitat) if module == "area" else None
                self.row(layout, layout.first_row + k, enh, broad.broad if broad else None)

    def start(self, site: Site) -> None:
        start = read_start(self.book.grid("Start"))
        part = self.book.package.sheets["Start"]
        p = site.project
        values: dict[str, CellWrite] = {
            "lpa": _text(p.lpa),
            "name": _text(p.name),
            "planning_reference": _text(p.planning_reference),
            "target": p.target_percent / 100.0,
        }
        details = dict(p.details)
        for key in START_DETAIL_KEYS:
            if key in details:
                v = details[key]
                values[key] = _date_or_text(v) if key in ("completed_on", "reviewed_on") else _text(v)
        for key, value in values.items():
            cell = start.cells.get(key)
            if cell is None:
                continue
            col = "".join(ch for ch in cell if ch.isalpha())
            self.writes.setdefault(part, {})[(int(cell[len(col) :]), column_number(col))] = value

    # -- the package ------------------------------------------------------------------
    def check_unlocked(self) -> None:
        unlocked = unlocked_styles(self.book.package.read("xl/styles.xml"))
        names = {part: name for name, part in self.book.package.sheets.items()}
        for part, writes in self.writes.items():
            styles = cell_styles(self.book.package.read(part), writes)
            locked = [cell_name(r, c) for (r, c), s in sorted(styles.items()) if s is None or s not in unlocked]
            if locked:
                raise WorkbookError(
                    self.template,
                    f"sheet {names[part]!r}: cells {', '.join(locked[:5])} are locked in the template; "
                    "the workbook does not take input there",
                )

    def save(self, out: Path) -> ExportSummary:
        self.check_unlocked()
        names = {part: name for name, part in self.book.package.sheets.items()}
        fd, tmp = tempfile.mkstemp(prefix=".bng-export-", suffix=".xlsm", dir=out.parent)
        os.close(fd)
        try:
            with zipfile.ZipFile(self.template) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    data = src.read(info.filename)
                    writes = self.writes.get(info.filename)
                    if writes:
                        data = unshare(data, writes)
                        data = set_cells(data, writes)
                    dst.writestr(copy_info(info), data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=FAST)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a workbook is an ordinary file
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        cells = sum(1 for w in self.writes.values() for v in w.values() if v is not None)
        return ExportSummary(out, self.rows, cells, tuple(sorted(names[p] for p in self.writes)))


Baseline = AreaBaseline | HedgerowBaseline | WatercourseBaseline
Enhancement = AreaEnhancement | HedgerowEnhancement | WatercourseEnhancement


def _place(
    baselines: Sequence[Baseline], enhancements: Sequence[Enhancement], size: str, enhanced: str
) -> list[tuple[Baseline, Enhancement | None]]:
    """The enhancement sheet's rows: one per baseline row with a size enhanced, paired as the engine pairs them."""
    by_ref: dict[str, Enhancement] = {}
    for item in enhancements:
        by_ref.setdefault(item.baseline_ref, item)
    placed: set[int] = set()
    out: list[tuple[Baseline, Enhancement | None]] = []
    for b in baselines:
        if blank(getattr(b, size)) or not gt(getattr(b, enhanced), 0.0):
            continue
        match = by_ref.get(b.ref)
        if match is not None and id(match) in placed:
            match = None
        if match is not None:
            placed.add(id(match))
        out.append((b, match))
    lost = [e.ref for e in enhancements if id(e) not in placed]
    if lost:
        raise WorkbookError(
            "the site",
            "enhancement rows "
            + ", ".join(repr(r) for r in lost[:5])
            + " have no place in the workbook: each needs a baseline row (baseline_ref) with an enhanced area or "
            "length, and each baseline row takes one enhancement row",
        )
    while out and out[-1][1] is None:
        out.pop()
    return out


def export_site(site: Site, out: Path | str, template: Path | str | None = None) -> ExportSummary:
    """Write ``site`` into a copy of the blank statutory workbook at ``out`` (an .xlsm)."""
    out = Path(out)
    if out.suffix.lower() != ".xlsm":
        raise WorkbookError(
            out, "the statutory workbook is macro-enabled: name the output .xlsm (planning authorities ask for it so)"
        )
    if site.metric_release != TEMPLATE_RELEASE:
        raise WorkbookError(
            out,
            f"the template is the statutory 1.0.0/1.0.1 tool; the site uses metric release {site.metric_release}",
        )
    tpl = Path(template) if template else template_path()
    with Book(tpl, also=frozenset({SRM_SHEET, SRM_SHEET_WATERCOURSE})) as book:
        release = identify(book)
        if release.id != TEMPLATE_RELEASE:
            raise WorkbookError(tpl, f"the template is not the statutory 1.0.0/1.0.1 workbook but {release.title}")
        writer = _Writer(book, tpl)
        for location in ("on_site", "off_site"):
            for module in MODULES:
                writer.module(site, location, module)
        writer.start(site)
        return writer.save(out)
