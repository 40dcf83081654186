"""Where the statutory workbook keeps its inputs and results, by header text.

Each input sheet is described by the header of every column the reader needs, not by a
cell range: the reader finds the sheet's key header ("Ref", or "Baseline ref" on the
enhancement sheets), looks in the header rows above the first data row for each column's
header, and reads down from there. A release that moves a column keeps working; one that
renames a header fails with a message naming the header it could not find.

Headers are compared normalised (case-folded, whitespace collapsed). Where the same header
stands over more than one column, the first is taken, or the first right of another field
(``after``): on the enhancement sheets the baseline's copied "Strategic significance" stands
left of the proposed one.
"""

from __future__ import annotations

from dataclasses import dataclass

from bng.metric import LocationName, Module, Stage

from .errors import LayoutError
from .grid import Grid, cell_name, normalise


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an input sheet: the field it holds and the header it stands under."""

    field: str
    headers: tuple[str, ...]
    after: str | None = None
    required: bool = True


def col(field: str, *headers: str, after: str | None = None, required: bool = True) -> Column:
    """A column of an input sheet: the field it fills and the headers it may have."""
    return Column(field, tuple(normalise(h) for h in headers), after, required)


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """An input sheet: which rows of the Site it holds and the columns it has."""

    key: str
    name: str
    module: Module
    location: LocationName
    stage: Stage
    key_header: str
    inputs: tuple[Column, ...]
    results: tuple[Column, ...]

    @property
    def off_site(self) -> bool:
        """Whether the sheet holds off-site rows."""
        return self.location == "off_site"


SIZE_FIELDS: dict[str, tuple[str, str, str]] = {
    "area": ("area_ha", "retained_ha", "enhanced_ha"),
    "hedgerow": ("length_km", "retained_km", "enhanced_km"),
    "watercourse": ("length_km", "retained_km", "enhanced_km"),
}
"""The model's size, retained and enhanced fields of each module's baseline rows."""

NOTE_FIELDS = frozenset({"habitat_ref", "number", "comments", "lpa_comments"})
"""Free-text columns: written and cleared with the inputs, but a row holding only these is no input row."""


def _notes(after: str | None) -> tuple[Column, ...]:
    return (
        col("comments", "User comments", after=after, required=False),
        col("lpa_comments", "Planning authority comments", after=after, required=False),
    )


def _sheet(
    key: str,
    name: str,
    module: Module,
    stage: Stage,
    off: bool,
    inputs: list[Column],
    results: list[Column],
    srm: Column,
) -> SheetSpec:
    """An input sheet; an off-site one adds the gain site's reference, its spatial risk and the units with it (``srm``).

    On the enhancement sheets, keyed by their baseline ref, the spatial risk comes with the baseline row.
    """
    enhancement = stage == "enhancement"
    if off:
        if not enhancement:
            inputs.append(col("srm", "Spatial risk category"))
        inputs.append(col("gain_site", "Off-site reference", after="type" if enhancement else None))
        results.append(srm)
    location: LocationName = "off_site" if off else "on_site"
    key_header = "baseline ref" if enhancement else "ref"
    return SheetSpec(key, name, module, location, stage, key_header, tuple(inputs), tuple(results))


def _area_baseline(key: str, name: str, off: bool) -> SheetSpec:
    inputs = [
        col("broad", "Broad habitat"),
        col("type", "Habitat type"),
        col("irreplaceable", "Irreplaceable habitat"),
        col("size", "Area (hectares)"),
        col("condition", "Condition"),
        col("ss", "Strategic significance"),
        col("retained", "Area retained"),
        col("enhanced", "Area enhanced"),
        col("bespoke", "Bespoke compensation agreed for losses of VHDH or irreplaceable habitat"),
        col("habitat_ref", "Habitat reference number", "Habitat reference", required=False),
        *_notes(None),
    ]
    results = [
        col("units", "Total habitat units"),
        col("retained_units", "Baseline units retained"),
        col("enhanced_units", "Baseline units enhanced"),
    ]
    return _sheet(key, name, "area", "baseline", off, inputs, results, col("units_srm", "Total habitat units (SRM)"))


def _area_creation(key: str, name: str, off: bool) -> SheetSpec:
    inputs = [
        col("broad", "Broad habitat"),
        col("type", "Proposed habitat"),
        col("size", "Area (hectares)"),
        col("condition", "Condition"),
        col("ss", "Strategic significance"),
        col("advance", "Habitat created in advance (years)"),
        col("delay", "Delay in starting habitat creation (years)"),
        col("habitat_ref", "Habitat reference number", "Habitat reference", required=False),
        *_notes(None),
    ]
    results = [col("units", "Habitat units delivered")]
    srm = col("units_srm", "Habitat units delivered (inc. SRM)", "Habitat units delivered (inc SRM)")
    return _sheet(key, name, "area", "creation", off, inputs, results, srm)


def _area_enhancement(key: str, name: str, off: bool) -> SheetSpec:
    inputs = [
        col("broad", "Proposed broad habitat"),
        col("type", "Proposed habitat", after="broad"),
        col("condition", "Condition", after="type"),
        col("ss", "Strategic significance", after="type"),
        col("advance", "Habitat enhanced in advance (years)", after="type"),
        col("delay", "Delay in starting habitat enhancement (years)", after="type"),
        col("habitat_ref", "Habitat reference number", "Habitat reference", after="type", required=False),
        *_notes("type"),
    ]
    results = [col("baseline_line", "Baseline ref"), col("units", "Habitat units delivered", after="type")]
    srm = col("units_srm", "Habitat units delivered (inc SRM)", "Habitat units delivered (inc. SRM)")
    return _sheet(key, name, "area", "enhancement", off, inputs, results, srm)


def _hedge_baseline(key: str, name: str, off: bool) -> SheetSpec:
    inputs = [
        col("number", "Hedge number", required=False),
        col("type", "Habitat type"),
        col("size", "Length (km)"),
        col("condition", "Condition"),
        col("ss", "Strategic significance"),
        col("retained", "Length retained"),
        col("enhanced", "Length enhanced"),
        col("habitat_ref", "Habitat reference number", "Habitat reference", required=False),
        *_notes(None),
    ]
    results = [
        col("units", "Total hedgerow units"),
        col("retained_units", "Units retained"),
        col("enhanced_units", "Units enhanced"),
    ]
    srm = col("units_srm", "Total hedgerow units (SRM)")
    return _sheet(key, name, "hedgerow", "baseline", off, inputs, results, srm)


def _hedge_creation(key: str, name: str, off: bool) -> SheetSpec:
    inputs = [
        col("number", "New hedge number", required=False),
        col("type", "Habitat type"),
        col("size", "Length (km)"),
        col("condition", "Condition"),
        col("ss", "Strategic significance"),
        col("advance", "Habitat created in advance (years)"),
        col("delay", "Delay in starting habitat creation (years)"),
        col("habitat_ref", "Habitat reference number", "Habitat reference", required=False),
        *_notes(None),
    ]
    results = [col("units", "Hedge units delivered")]
    srm = col("units_srm", "Hedge units delivered (inc SRM)", "Hedge units delivered (inc. SRM)")
    return _sheet(key, name, "hedgerow", "creation", off, inputs, results, srm)


def _hedge_enhancement(key: str, name: str, off: bool) -> SheetSpec:
    inputs = [
        col("type", "Proposed habitat"),
        col("condition", "Condition", after="type"),
        col("ss", "Strategic significance", after="type"),
        col("advance", "Habitat enhanced in advance (years)", after="type"),
        col("delay", "Delay in starting habitat enhancement (years)", after="type"),
        col("habitat_ref", "Habitat reference number", "Habitat reference", after="type", required=False),
        *_notes("type"),
    ]
    results = [col("baseline_line", "Baseline ref"), col("units", "Hedge units delivered", after="type")]
    srm = col("units_srm", "Hedge units delivered (inc SRM)", "Hedge units delivered (inc. SRM)")
    return _sheet(key, name, "hedgerow", "enhancement", off, inputs, results, srm)


def _water_baseline(key: str, name: str, off: bool) -> SheetSpec:
    inputs = [
        col("type", "Watercourse type"),
        col("size", "Length (km)"),
        col("condition", "Condition"),
        col("ss", "Strategic significance"),
        col("encroachment", "Extent of encroachment"),
        col("riparian", "Extent of encroachment for both banks"),
        col("retained", "Length retained"),
        col("enhanced", "Length enhanced"),
        col("bespoke", "Bespoke compensation agreed for losses of VHDH"),
        col("habitat_ref", "Habitat reference number", "Habitat reference", required=False),
        *_notes(None),
    ]
    results = [
        col("units", "Total watercourse units"),
        col("retained_units", "Units retained"),
        col("enhanced_units", "Units enhanced"),
    ]
    srm = col("units_srm", "Total river units (SRM)", "Total watercourse units (SRM)")
    return _sheet(key, name, "watercourse", "baseline", off, inputs, results, srm)


def _water_creation(key: str, name: str, off: bool) -> SheetSpec:
    inputs = [
        col("type", "Watercourse type"),
        col("size", "Length (km)"),
        col("condition", "Condition"),
        col("ss", "Strategic significance"),
        col("advance", "Habitat created in advance (years)"),
        col("delay", "Delay in starting habitat creation (years)"),
        col("encroachment", "Extent of encroachment"),
        col("riparian", "Extent of encroachment for both banks"),
        col("habitat_ref", "Habitat reference number", "Habitat reference", required=False),
        *_notes(None),
    ]
    results = [col("units", "Watercourse units delivered")]
    srm = col("units_srm", "River units delivered (inc SRM)", "Watercourse units delivered (inc SRM)")
    return _sheet(key, name, "watercourse", "creation", off, inputs, results, srm)


def _water_enhancement(key: str, name: str, off: bool) -> SheetSpec:
    inputs = [
        col("type", "Proposed habitat"),
        col("condition", "Condition", after="type"),
        col("ss", "Strategic significance", after="type"),
        col("advance", "Habitat enhanced in advance (years)", after="type"),
        col("delay", "Delay in starting habitat enhancement (years)", after="type"),
        col("encroachment", "Extent of encroachment", after="type"),
        col("riparian", "Extent of encroachment for both banks", after="type"),
        col("habitat_ref", "Habitat reference number", "Habitat reference", after="type", required=False),
        *_notes("type"),
    ]
    results = [col("baseline_line", "Baseline ref"), col("units", "Watercourse units delivered", after="type")]
    srm = col("units_srm", "Watercourse units delivered (inc SRM)", "River units delivered (inc SRM)", after="type")
    return _sheet(key, name, "watercourse", "enhancement", off, inputs, results, srm)


INPUT_SHEETS: tuple[SheetSpec, ...] = (
    _area_baseline("A-1", "A-1 On-Site Habitat Baseline", False),
    _area_creation("A-2", "A-2 On-Site Habitat Creation", False),
    _area_enhancement("A-3", "A-3 On-Site Habitat Enhancement", False),
    _hedge_baseline("B-1", "B-1 On-Site Hedge Baseline", False),
    _hedge_creation("B-2", "B-2 On-Site Hedge Creation", False),
    _hedge_enhancement("B-3", "B-3 On-Site Hedge Enhancement", False),
    _water_baseline("C-1", "C-1 On-Site WaterC' Baseline", False),
    _water_creation("C-2", "C-2 On-Site WaterC' Creation", False),
    _water_enhancement("C-3", "C-3 On-Site WaterC' Enhancement", False),
    _area_baseline("D-1", "D-1 Off-Site Habitat Baseline", True),
    _area_creation("D-2", "D-2 Off-Site Habitat Creation", True),
    _area_enhancement("D-3", "D-3 Off-Site Habitat Enhancment", True),
    _hedge_baseline("E-1", "E-1 Off-Site Hedge Baseline", True),
    _hedge_creation("E-2", "E-2 Off-Site Hedge Creation", True),
    _hedge_enhancement("E-3", "E-3 Off-Site Hedge Enhancement", True),
    _water_baseline("F-1", "F-1 Off-Site WaterC' Baseline", True),
    _water_creation("F-2", "F-2 Off-Site WaterC' Creation", True),
    _water_enhancement("F-3", "F-3 Off-Site WaterC Enhancement", True),
)
"""The 18 input sheets in the order the Site holds their rows (on-site, then off-site)."""

SPEC_OF: dict[tuple[str, str, str], SheetSpec] = {(s.location, s.module, s.stage): s for s in INPUT_SHEETS}


def find_sheet(names: list[str], spec: SheetSpec) -> str | None:
    """The sheet holding ``spec``: its Feb-2024 name, or the one name starting with its key ("A-1 …")."""
    if spec.name in names:
        return spec.name
    prefixed = [n for n in names if n.split(" ", 1)[0] == spec.key]
    return prefixed[0] if len(prefixed) == 1 else None


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """An input sheet located in one workbook: its header row, first data row and columns."""

    spec: SheetSpec
    sheet: str
    key_row: int
    key_col: int
    columns: dict[str, int]

    @property
    def first_row(self) -> int:
        """The first data row, just below the key row."""
        return self.key_row + 1


HEADER_SEARCH_ROWS = 30
HEADER_BAND = 3


def locate(grid: Grid, spec: SheetSpec, path: str) -> SheetLayout:
    """Find the key header and every column's header on a sheet (raises LayoutError naming the missing)."""
    key = None
    for r in range(1, min(grid.height, HEADER_SEARCH_ROWS) + 1):
        for c in range(1, grid.width + 1):
            if normalise(grid.get(r, c)) == spec.key_header:
                key = (r, c)
                break
        if key:
            break
    if key is None:
        raise LayoutError(
            path,
            f"sheet {grid.name!r} has no column headed {spec.key_header!r} in its first {HEADER_SEARCH_ROWS} rows; "
            "it is not laid out as a statutory metric input sheet",
        )
    key_row, key_col = key
    band = range(max(1, key_row - HEADER_BAND), key_row + 1)
    headers: dict[int, set[str]] = {}
    for c in range(1, grid.width + 1):
        texts = {normalise(grid.get(r, c)) for r in band}
        texts.discard("")
        if texts:
            headers[c] = texts
    columns: dict[str, int] = {}
    missing: list[str] = []
    for column in (*spec.inputs, *spec.results):
        start = columns.get(column.after, 0) if column.after else 0
        if column.field == "baseline_line":
            columns[column.field] = key_col
            continue
        found = next((c for c in sorted(headers) if c > start and headers[c] & set(column.headers)), None)
        if found is None:
            if column.required:
                missing.append(f"{column.headers[0]!r} ({column.field})")
            continue
        columns[column.field] = found
    if missing:
        raise LayoutError(
            path,
            f"sheet {grid.name!r} has no column headed " + ", ".join(missing) + f" in the header rows "
            f"{band.start}-{band.stop - 1} (above {cell_name(key_row + 1, key_col)})",
        )
    return SheetLayout(spec, grid.name, key_row, key_col, columns)
