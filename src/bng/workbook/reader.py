"""Read a statutory metric workbook into the engine's :class:`~bng.metric.model.Site`.

Rows are read down each input sheet from the row below its key header: on the baseline and
creation sheets while the pre-numbered "Ref" column counts, on the enhancement sheets until
the totals. A row is an input row when any input cell holds something. Each row keeps where
it came from (:class:`SourceRow`) and the results the workbook has cached for it, so that a
check can say "D-2 row 14, column AB" rather than "row 4".

Refs: a row's ref is its "Habitat reference" when every row of its sheet has one and no two
are alike (the writer puts the site file's refs there); otherwise the sheet's own "Ref" line
number (the number the enhancement sheets show as "Baseline ref"), and on an enhancement
sheet ``E-`` and the ref of the baseline row it enhances. The k-th enhancement sheet row enhances the k-th baseline row
with an area or length enhanced, as the workbook lists them (A-1!AL, D-1!AP…).

Texts are matched to the reference data without regard to case, as Excel compares them;
spatial risk categories also without the spaces the workbook's drop-down values carry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bng.metric import (
    CONDITIONS,
    MODULES,
    AreaBaseline,
    AreaCreation,
    AreaEnhancement,
    AreaRows,
    GainSite,
    HedgerowBaseline,
    HedgerowCreation,
    HedgerowEnhancement,
    HedgerowRows,
    Location,
    Project,
    Release,
    Site,
    WatercourseBaseline,
    WatercourseCreation,
    WatercourseEnhancement,
    WatercourseRows,
    load,
    release_id,
)
from bng.metric.xl import blank, gt

from .cells import CellReader, reference, show
from .errors import LayoutError, Problems
from .grid import Book, CellValue, Grid, cell_name, is_blank
from .layout import INPUT_SHEETS, NOTE_FIELDS, SIZE_FIELDS, SPEC_OF, SheetLayout, SheetSpec, find_sheet, locate
from .package import LIMITS, Limits
from .release import READ_SHEETS, WorkbookRelease, identify, override

MODEL_ROWS: dict[tuple[str, str], Any] = {
    ("area", "baseline"): AreaBaseline,
    ("area", "creation"): AreaCreation,
    ("area", "enhancement"): AreaEnhancement,
    ("area", "rows"): AreaRows,
    ("hedgerow", "baseline"): HedgerowBaseline,
    ("hedgerow", "creation"): HedgerowCreation,
    ("hedgerow", "enhancement"): HedgerowEnhancement,
    ("hedgerow", "rows"): HedgerowRows,
    ("watercourse", "baseline"): WatercourseBaseline,
    ("watercourse", "creation"): WatercourseCreation,
    ("watercourse", "enhancement"): WatercourseEnhancement,
    ("watercourse", "rows"): WatercourseRows,
}
MAX_DATA_ROWS = 1000
"""Input rows a sheet may have (the statutory sheets have 246-248)."""
BESPOKE = ("Yes", "No", "Pending")
YEARS_LIST_TOP = {"E-3": 31}
"""The most years a sheet's drop-down offers where it is not 30 (E-3!Y12:Z257 lists G-4!A4:A36, with 31)."""


@dataclass(frozen=True, slots=True)
class SourceRow:
    """Where a Site row came from, and what the workbook shows for it."""

    key: str
    sheet: str
    row: int
    ref: str
    habitat_reference: str
    cached: Mapping[str, CellValue]
    columns: Mapping[str, int]
    baseline_line: str = ""
    """On an enhancement sheet: the line ("Ref") of the baseline row this row enhances, as we pair them."""


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """A problem with an input the reader could still read (an unknown habitat, say).

    An ``error`` is an input the workbook computes with but flags or cannot place (an unknown
    habitat, years outside the drop-down); a ``warning`` is one it computes with as the user meant,
    which a person should still look at (a broad habitat that disagrees with the habitat type).
    """

    sheet: str
    cell: str
    field: str
    message: str
    code: str
    severity: str = "error"

    def __str__(self) -> str:
        """The issue as the reader lists it."""
        return f"sheet {self.sheet!r} cell {self.cell} ({self.field}): {self.message}"


@dataclass(frozen=True)
class StartSheet:
    """The Start sheet's project details, by label."""

    values: dict[str, CellValue]
    cells: dict[str, str]
    target: float | None


@dataclass
class MetricWorkbook:
    """A statutory metric workbook read: its release, its Site and where each row came from."""

    path: Path
    release: WorkbookRelease
    site: Site
    sources: tuple[SourceRow, ...]
    issues: tuple[ReadIssue, ...]
    start: StartSheet
    layouts: dict[str, SheetLayout]
    book: Book = field(repr=False)


START_FIELDS: tuple[tuple[str, str], ...] = (
    ("lpa", "Planning authority:"),
    ("name", "Project name:"),
    ("applicant", "Applicant:"),
    ("application_type", "Application type:"),
    ("planning_reference", "Planning application reference:"),
    ("completed_by", "Completed by:"),
    ("completed_on", "Date of metric completion:"),
    ("reviewer", "Reviewer:"),
    ("calculation_iteration", "Calculation iteration:"),
    ("planning_authority_reviewer", "Planning authority reviewer:"),
    ("reviewed_on", "Date of planning authority review:"),
    ("target", "Target % net gain:"),
    ("deviations", "Contains deviations from the statutory metric"),
    ("map_on_site_baseline", "On-site baseline map reference number"),
    ("map_on_site_post", "On-site post-intervention map reference number"),
    ("map_off_site_baseline", "Off-site baseline map reference number"),
    ("map_off_site_post", "Off-site post-intervention reference number"),
)
PROJECT_KEYS = ("lpa", "name", "planning_reference", "target")
"""Start fields the Project holds itself; the others go into its details."""
START_VALUE_OFFSET = 2
"""The value stands two columns right of its label (D11 → F11, I55 → K55)."""


def read_start(grid: Grid) -> StartSheet:
    """The Start sheet's project details, found by their labels (releases move them)."""
    values: dict[str, CellValue] = {}
    cells: dict[str, str] = {}
    for key, label in START_FIELDS:
        at = grid.find(label, rows=range(1, 120))
        if at is None:
            continue
        r, c = at[0], at[1] + START_VALUE_OFFSET
        values[key] = grid.get(r, c)
        cells[key] = cell_name(r, c)
    t = values.get("target")
    target = float(t) if isinstance(t, (int, float)) and not isinstance(t, bool) else None
    return StartSheet(values, cells, target)


def _project(start: StartSheet, problems: Problems) -> Project:
    v = start.values
    t = v.get("target")
    if t is not None and not is_blank(t) and start.target is None:
        CellReader("Start", problems).number(t, start.cells.get("target", "F22"), "target % net gain", "a fraction")
    details = tuple(
        (key, value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else reference(value))
        for key, value in v.items()
        if key not in PROJECT_KEYS and not is_blank(value)
    )
    return Project(
        name=reference(v.get("name", "")),
        planning_reference=reference(v.get("planning_reference", "")),
        lpa=reference(v.get("lpa", "")),
        # a blank target is 0 in the workbook's formulas (Headline Results D61 = Start!F22)
        target_percent=(start.target or 0.0) * 100.0,
        details=details,
    )


def _canonical(value: str, options: Any) -> str:
    """The reference spelling of a text, compared without case as Excel does; else the text itself."""
    if value in options:
        return value
    low = value.lower()
    for opt in options:
        if opt.lower() == low:
            return str(opt)
    return value


class _SheetReader:
    """Reads one input sheet's rows into model rows."""

    def __init__(self, rel: Release, layout: SheetLayout, grid: Grid, problems: Problems, issues: list[ReadIssue]):
        self.rel = rel
        self.layout = layout
        self.grid = grid
        self.cells = CellReader(grid.name, problems)
        self.issues = issues
        self.spec = layout.spec

    def value(self, row: int, fieldname: str) -> CellValue:
        c = self.layout.columns.get(fieldname)
        return "" if c is None else self.grid.get(row, c)

    def where(self, row: int, fieldname: str) -> str:
        c = self.layout.columns.get(fieldname)
        return cell_name(row, c) if c is not None else f"row {row}"

    def issue(self, row: int, fieldname: str, message: str, code: str, severity: str = "error") -> None:
        self.issues.append(ReadIssue(self.grid.name, self.where(row, fieldname), fieldname, message, code, severity))

    # -- which rows -------------------------------------------------------------------
    def data_rows(self, path: Path) -> list[int]:
        first = self.layout.first_row
        skip = NOTE_FIELDS | {"broad"} if self.spec.stage == "enhancement" else NOTE_FIELDS
        cols = [self.layout.columns[c.field] for c in self.spec.inputs if c.field not in skip]
        cols = [c for c in cols if c]
        numbered = self.spec.stage != "enhancement"
        grid, key = self.grid, self.layout.key_col
        rows: list[int] = []
        for r in range(first, grid.height + 1):
            if numbered and not isinstance(grid.get(r, key), float):
                break  # the numbered rows end at the totals row
            if r - first >= MAX_DATA_ROWS:
                raise LayoutError(
                    path,
                    f"sheet {grid.name!r} has more than {MAX_DATA_ROWS} numbered input rows (from row {first}); "
                    "the statutory sheets have 248",
                )
            line = grid.rows[r - 1]
            if any(c <= len(line) and not is_blank(line[c - 1]) for c in cols) or (
                grid.errors and any((r, c) in grid.errors for c in cols)
            ):
                rows.append(r)
        return rows

    # -- values -----------------------------------------------------------------------
    def size(self, r: int) -> float | None:
        unit = "hectares" if self.spec.module == "area" else "km"
        return self.cells.number(self.value(r, "size"), self.where(r, "size"), "size", unit)

    def part(self, r: int, fieldname: str) -> float | None:
        unit = "hectares" if self.spec.module == "area" else "km"
        return self.cells.number(self.value(r, fieldname), self.where(r, fieldname), fieldname, unit)

    def years(self, r: int, fieldname: str) -> float | str | None:
        """Advance or delay years as the workbook computes with them, flagged when off the drop-down list.

        The list is 0-30 and "30+", but a pasted value gets past data validation and the formulas
        compute with it (31 years of advance makes the final time 0, so the multiplier 1): so do we.
        """
        v = self.value(r, fieldname)
        years, listed = self.cells.years(v, self.where(r, fieldname), fieldname, YEARS_LIST_TOP.get(self.spec.key, 30))
        if not listed:
            self.issue(
                r,
                fieldname,
                f'{show(v)} is not in the drop-down list of years (whole years 0-30 or "30+"); it was pasted '
                "past the list, and the workbook computes with it as it stands, as bng does",
                "YEARS_OUTSIDE_LIST",
            )
        return years

    def text(self, r: int, fieldname: str) -> str:
        return self.cells.text(self.value(r, fieldname))

    def condition(self, r: int) -> str:
        return _canonical(self.text(r, "condition"), CONDITIONS)

    def ss(self, r: int) -> str:
        return _canonical(self.text(r, "ss"), self.rel.strategic_significance)

    def bespoke(self, r: int) -> str:
        return _canonical(self.text(r, "bespoke"), BESPOKE)

    def gain_site(self, r: int) -> str:
        return reference(self.value(r, "gain_site"))

    def srm(self, r: int) -> str | None:
        raw = self.text(r, "srm")
        if not raw:
            return None
        table = self.rel.spatial_risk_watercourse if self.spec.module == "watercourse" else self.rel.spatial_risk
        squeezed = " ".join(raw.split()).lower()
        for category in table:
            if category.lower() == squeezed:
                return category
        self.issue(r, "srm", f"unknown spatial risk category {raw!r}", "UNKNOWN_SPATIAL_RISK")
        return raw

    def area_label(self, r: int) -> str:
        """The habitat of a row as the workbook identifies it: by its habitat type alone.

        Every sheet looks the habitat up with ``MATCH(type, 'G-1 All Habitats'!A)``; the broad
        habitat column only feeds the type's drop-down (and on A-3/D-3 is pre-filled from the
        baseline). A broad habitat that disagrees with the type is a warning naming its cell.
        """
        broad, kind = self.text(r, "broad").strip(), self.text(r, "type").strip()
        if not kind:
            if broad:
                self.issue(r, "type", f"broad habitat {broad!r} without a habitat type", "MISSING_HABITAT")
            return ""
        hab = self.rel.area_habitat_of_type(kind)
        if hab is None:
            self.issue(
                r,
                "type",
                f"{kind!r} is not an area habitat type of the metric ({self.rel.label}); the workbook finds "
                "no habitat for it, so the row gives no units",
                "UNKNOWN_HABITAT",
            )
            return f"{broad} - {kind}" if broad else kind
        if broad and broad.lower() != hab.broad.lower():
            self.issue(
                r,
                "broad",
                f"broad habitat {broad!r} does not match the habitat type {kind!r}, which the metric files under "
                f"{hab.broad!r}; the workbook identifies the habitat by its type ({hab.label!r}) and computes "
                "with that, as bng does: check which was meant",
                "BROAD_HABITAT_MISMATCH",
                "warning",
            )
        return hab.label

    def linear_type(self, r: int) -> str:
        raw = self.text(r, "type")
        table = self.rel.hedgerow_types if self.spec.module == "hedgerow" else self.rel.watercourse_types
        if not raw:
            return ""
        name = _canonical(raw, table)
        if name not in table:
            self.issue(r, "type", f"{raw!r} is not a {self.spec.module} type of the metric", "UNKNOWN_HABITAT")
        return name

    def encroachments(self, r: int) -> tuple[str, str]:
        return (
            _canonical(self.text(r, "encroachment"), self.rel.watercourse_encroachment),
            _canonical(self.text(r, "riparian"), self.rel.riparian_encroachment),
        )

    def yes_no(self, r: int, fieldname: str) -> bool | None:
        return self.cells.yes_no(self.value(r, fieldname), self.where(r, fieldname), fieldname)

    def cached(self, r: int) -> dict[str, CellValue]:
        return {c.field: self.value(r, c.field) for c in self.spec.results if c.field in self.layout.columns}


class _Reader:
    def __init__(self, book: Book, release: WorkbookRelease) -> None:
        self.book = book
        self.release = release
        self.rel = load(release.engine_release)
        self.problems = Problems()
        self.issues: list[ReadIssue] = []
        self.sources: dict[str, list[SourceRow]] = {}
        self.layouts: dict[str, SheetLayout] = {}
        self.lines: dict[tuple[str, str, str], str] = {}

    def sheet(self, spec: SheetSpec) -> tuple[_SheetReader, list[int]]:
        name = find_sheet(self.book.sheet_names, spec)
        if name is None:
            raise LayoutError(self.book.path, f"the workbook has no sheet {spec.name!r} ({spec.key})")
        grid = self.book.grid(name)
        layout = locate(grid, spec, str(self.book.path))
        self.layouts[spec.key] = layout
        reader = _SheetReader(self.rel, layout, grid, self.problems, self.issues)
        return reader, reader.data_rows(self.book.path)

    def source(self, sr: _SheetReader, r: int, ref: str, baseline: str | None = None) -> None:
        spec = sr.spec
        if spec.stage == "baseline":
            self.lines[(spec.location, spec.module, ref)] = reference(sr.grid.get(r, sr.layout.key_col))
        baseline_line = self.lines.get((spec.location, spec.module, baseline), "") if baseline else ""
        self.sources.setdefault(sr.spec.key, []).append(
            SourceRow(
                sr.spec.key,
                sr.grid.name,
                r,
                ref,
                reference(sr.value(r, "habitat_ref")),
                sr.cached(r),
                sr.layout.columns,
                baseline_line,
            )
        )

    @staticmethod
    def own_refs(sr: _SheetReader, rows: list[int]) -> dict[int, str] | None:
        """The rows' own habitat references, when every row has one and no two are the same."""
        own = {r: reference(sr.value(r, "habitat_ref")) for r in rows}
        if all(own.values()) and len(set(own.values())) == len(own):
            return own
        return None

    def refs(self, sr: _SheetReader, rows: list[int]) -> dict[int, str]:
        """Row refs: the habitat references when they identify the rows, else the sheet's line numbers."""
        own = self.own_refs(sr, rows)
        if own is not None:
            return own
        return {r: reference(sr.grid.get(r, sr.layout.key_col)) or str(r) for r in rows}

    def _baseline_of(self, sr: _SheetReader, r: int, eligible: list[str]) -> str:
        k = r - sr.layout.first_row
        if 0 <= k < len(eligible):
            return eligible[k]
        sr.issue(
            r,
            "type",
            "an enhancement row below the last baseline row with an enhanced area or length: the workbook has "
            "no baseline for it",
            "ENHANCEMENT_WITHOUT_BASELINE",
        )
        return ""

    def values(self, sr: _SheetReader, r: int) -> dict[str, Any]:
        """The model fields of one input row (ref and baseline_ref apart)."""
        spec, off = sr.spec, sr.spec.off_site
        module, stage = spec.module, spec.stage
        size, retained, enhanced = SIZE_FIELDS[module]
        v: dict[str, Any] = {
            "habitat": sr.area_label(r) if module == "area" else sr.linear_type(r),
            "condition": sr.condition(r),
            "strategic_significance": sr.ss(r),
        }
        if stage == "baseline":
            v |= {size: sr.size(r), retained: sr.part(r, "retained"), enhanced: sr.part(r, "enhanced")}
            if module != "hedgerow":
                v["bespoke_compensation"] = sr.bespoke(r)
            if module == "area":
                v["irreplaceable"] = sr.yes_no(r, "irreplaceable")
        else:
            v |= {"advance_years": sr.years(r, "advance"), "delay_years": sr.years(r, "delay")}
            if stage == "creation":
                v[size] = sr.size(r)
        if module == "watercourse":
            v["encroachment"], v["riparian_encroachment"] = sr.encroachments(r)
        if off:
            v["gain_site"] = sr.gain_site(r)
            if stage != "enhancement":
                v["spatial_risk"] = sr.srm(r)
        return v

    def module(self, location: str, module: str) -> Any:
        """One module's rows of one location (AreaRows, HedgerowRows or WatercourseRows)."""
        size, _, enhanced = SIZE_FIELDS[module]
        stages: dict[str, list[Any]] = {}
        for stage in ("baseline", "creation"):
            sr, rows = self.sheet(_spec(location, module, stage))
            refs = self.refs(sr, rows)
            stages[stage] = [MODEL_ROWS[(module, stage)](ref=refs[r], **self.values(sr, r)) for r in rows]
            for r in rows:
                self.source(sr, r, refs[r])
        sr, rows = self.sheet(_spec(location, module, "enhancement"))
        # the baseline rows the workbook lists for enhancement: an area habitat row with an area
        # (A-1!AG, D-1!AK test the area cell), a hedgerow or watercourse row with a type (B-1!AF,
        # E-1!AI, C-1!AK, F-1!AN test the type cell), and a length or area enhanced above 0
        key = size if module == "area" else "habitat"
        eligible = [b.ref for b in stages["baseline"] if not blank(getattr(b, key)) and gt(getattr(b, enhanced), 0.0)]
        own = self.own_refs(sr, rows)
        stages["enhancement"] = []
        for r in rows:
            bref = self._baseline_of(sr, r, eligible)
            ref = own[r] if own else (f"E-{bref}" if bref else f"E-row{r}")
            stages["enhancement"].append(
                MODEL_ROWS[(module, "enhancement")](ref=ref, baseline_ref=bref, **self.values(sr, r))
            )
            self.source(sr, r, ref, bref)
        return MODEL_ROWS[(module, "rows")](*(tuple(stages[s]) for s in ("baseline", "creation", "enhancement")))

    def site(self, project: Project) -> Site:
        on, off = (Location(*(self.module(loc, m) for m in MODULES)) for loc in ("on_site", "off_site"))
        return Site(project, on, off, _gain_sites(off), self.rel.id)

    def ordered_sources(self) -> tuple[SourceRow, ...]:
        """Sources in the order of ``Result.rows``: on-site then off-site; area, hedgerow, watercourse."""
        return tuple(s for spec in INPUT_SHEETS for s in self.sources.get(spec.key, []))


def _spec(location: str, module: str, stage: str) -> SheetSpec:
    return SPEC_OF[(location, module, stage)]


def _gain_sites(off: Location) -> tuple[GainSite, ...]:
    """Gain sites in order of first appearance, each with the spatial risk of its first row."""
    first: dict[str, list[str | None]] = {}
    for module in ("area", "hedgerow", "watercourse"):
        rows = getattr(off, module)
        for stage in ("baseline", "creation", "enhancement"):
            for row in getattr(rows, stage):
                ref = row.gain_site or ""
                if not ref:
                    continue
                srm = getattr(row, "spatial_risk", None)
                entry = first.setdefault(ref, [None, None])
                slot = 1 if module == "watercourse" else 0
                if entry[slot] is None and srm:
                    entry[slot] = srm
    return tuple(GainSite(ref, srm, srm_w) for ref, (srm, srm_w) in first.items())


def read_workbook(
    path: Path | str,
    limits: Limits = LIMITS,
    also: frozenset[str] = frozenset(),
    release: str | None = None,
    also_if: Callable[[str], bool] | None = None,
) -> MetricWorkbook:
    """Read a statutory metric workbook (.xlsx/.xlsm); raises a WorkbookError naming any problem.

    The site is read with the reference data of the workbook's own release, or of ``release``
    when given. ``also`` names further sheets to open for reading (the check's result sheets;
    ``also_if`` picks more by name). The returned workbook keeps them open
    (``workbook.book.close()`` it, or use ``check_workbook``, which does).
    """
    book = Book(path, limits, also | READ_SHEETS, also_if)
    try:
        found = identify(book)
        release_used = found if release is None else override(found, release_id(release))
        start = read_start(book.grid("Start"))
        reader = _Reader(book, release_used)
        project = _project(start, reader.problems)
        site = reader.site(project)
        reader.problems.raise_if_any(book.path)
    except BaseException:
        book.close()
        raise
    return MetricWorkbook(
        path=book.path,
        release=release_used,
        site=site,
        sources=reader.ordered_sources(),
        issues=tuple(reader.issues),
        start=start,
        layouts=reader.layouts,
        book=book,
    )
