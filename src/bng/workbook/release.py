"""Which metric release a workbook is, from its Start sheet's version cell and its layout.

Only the statutory metric (in force since 12 February 2024) may be used. Its calculation
tool says "4.1" on the Start sheet (D8, the cell above "Project details") and has the
"Headline Results" sheet and the off-site sheets D-1…F-3. Everything else is refused with a
message saying what the file is:

* Biodiversity Metric 3.0/3.1 (2021-2023): sheets named "A-1 Site Habitat Baseline", no version cell;
* Biodiversity Metric 4.0 (March 2023): a version cell below 4.1;
* the November 2023 pre-release of the statutory metric: "4.1" but no Headline Results and no
  off-site sheets (DEFRA's own copy, "statutory-metric-4.1-empty");
* a draft of the statutory tool: "Baseline ref" at D-1!D10, the marker DEFRA's register service
  tests for.

A statutory workbook whose sheet set differs from the Feb-2024 tool (a later 1.0.x release
that renamed a tab, say) is read by its headers and named as such in every report.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import LayoutError, UnsupportedReleaseError
from .grid import Book, normalise
from .layout import INPUT_SHEETS, find_sheet

STATUTORY_VERSION = 4.1
ENGINE_RELEASE = "statutory-2024"
FEB_2024_SHEETS = frozenset(
    {
        "Introduction",
        "Start",
        "Main Menu",
        "Unit shortfall calculations",
        "Unit shortfall summary",
        "Results",
        "Headline Results",
        "Detailed Results",
        "Trading Summary Area Habitats",
        "Trading Summary Hedgerows",
        "Trading Summary WaterC's",
        "Off-site gain site summary",
        "Irreplaceable Habitats",
        *(s.name for s in INPUT_SHEETS),
        "G-1 All Habitats",
        "G-2 Habitat groups",
        "G-3 Multipliers",
        "G-4 Temporal multipliers",
        "G-5 Enhancement Temporal",
        "G-6 Hedgerow Data",
        "G-7 WaterC' Data",
        "G-8 Condition Look up",
        "Phase 1 Translation Tool",
        "Technical Data",
        "Lists",
    }
)
DEFRA_METRIC_SHEETS = ("Start", "Main Menu", "Results", "Headline Results")
"""The sheets DEFRA's register service requires of a metric workbook (its "is a metric" check)."""


@dataclass(frozen=True, slots=True)
class WorkbookRelease:
    """The release a workbook was identified as."""

    id: str
    title: str
    version: str
    engine_release: str
    notes: tuple[str, ...] = ()


def _version(book: Book) -> tuple[str, float | None]:
    """Start!D8 (the cell above "Project details") as text and as a number."""
    start = book.grid("Start")
    at = start.find("Project details", rows=range(1, 30))
    if at is None:
        return "", None
    v = start.get(at[0] - 1, at[1])
    if isinstance(v, bool):
        return str(v), None
    if isinstance(v, (int, float)):
        return f"{v:g}", float(v)
    text = str(v).strip()
    try:
        return text, float(text)
    except ValueError:
        return text, None


def identify(book: Book) -> WorkbookRelease:
    """Name the workbook's release, or refuse it with a message that says what it is."""
    path, names = book.path, book.sheet_names
    if any(n.startswith(("A-1 Site Habitat", "A-1 Site habitat")) for n in names):
        raise UnsupportedReleaseError(
            path,
            "this is a Biodiversity Metric 3.0/3.1 workbook (pre-statutory, 2021-2023: sheets such as "
            "'A-1 Site Habitat Baseline', no version on the Start sheet). Since 12 February 2024 only the "
            "statutory biodiversity metric may be used: complete the statutory metric calculation tool instead",
        )
    if "Start" not in names:
        raise UnsupportedReleaseError(
            path,
            "not a biodiversity metric workbook: it has no 'Start' sheet (sheets: "
            + ", ".join(repr(n) for n in names[:8])
            + (" …" if len(names) > 8 else "")
            + ")",
        )
    text, version = _version(book)
    if version is None:
        raise UnsupportedReleaseError(
            path,
            "a metric workbook without a version on its Start sheet (D8, above 'Project details'"
            + (f", reads {text!r}" if text else "")
            + "): a pre-statutory Biodiversity Metric; only the statutory metric (4.1) may be used",
        )
    if version < STATUTORY_VERSION:
        name = "Biodiversity Metric 4.0 (pre-statutory, March 2023)" if version == 4.0 else "a pre-statutory metric"
        raise UnsupportedReleaseError(
            path,
            f"this is {name}: Start!D8 reads {text}; only the statutory biodiversity metric (Start!D8 = 4.1 "
            "or later) may be used since 12 February 2024",
        )
    missing_off_site = [s.key for s in INPUT_SHEETS if s.off_site and find_sheet(names, s) is None]
    if "Headline Results" not in names and len(missing_off_site) == sum(s.off_site for s in INPUT_SHEETS):
        lacks = ["no 'Headline Results' sheet", "no off-site sheets " + ", ".join(missing_off_site)]
        raise UnsupportedReleaseError(
            path,
            f"this is the November 2023 pre-release of the statutory metric (Start!D8 = {text} but "
            + " and ".join(lacks)
            + "), not the published statutory calculation tool of February 2024: recalculate the site in "
            "the published tool",
        )
    missing = [s.name for s in INPUT_SHEETS if find_sheet(names, s) is None]
    missing += [n for n in ("Headline Results",) if n not in names]
    if missing:
        raise LayoutError(
            path,
            "a statutory metric workbook without the sheet"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(repr(n) for n in missing)
            + " (deleted or renamed?): every input sheet A-1…F-3 is needed to read it",
        )
    d1 = find_sheet(names, next(s for s in INPUT_SHEETS if s.key == "D-1"))
    if d1 is not None and normalise(book.grid(d1).get(10, 4)) == "baseline ref":
        raise UnsupportedReleaseError(
            path,
            f"this is a draft of the statutory metric ('{d1}'!D10 reads 'Baseline ref', the marker of the "
            "draft tool that DEFRA's register service refuses): use the published statutory calculation tool",
        )
    notes: list[str] = []
    if version > STATUTORY_VERSION:
        notes.append(
            f"Start!D8 reads {text}, a release later than the Feb-2024 tool (4.1) that bng knows; the workbook "
            "is read by its column headers and recalculated with the Feb-2024 reference data"
        )
    other = sorted(set(names) ^ FEB_2024_SHEETS)
    if other:
        notes.append(
            "its sheets differ from the Feb-2024 tool ("
            + ", ".join(repr(n) for n in other[:6])
            + (" …" if len(other) > 6 else "")
            + "): a later 1.0.x release or an edited copy; read by its column headers"
        )
    if notes:
        return WorkbookRelease(
            "statutory-later",
            f"Statutory biodiversity metric calculation tool, a release after February 2024 (Start!D8 = {text})",
            text,
            ENGINE_RELEASE,
            tuple(notes),
        )
    return WorkbookRelease(
        "statutory-2024-02",
        "Statutory biodiversity metric calculation tool, published February 2024 (Start!D8 = 4.1)",
        text,
        ENGINE_RELEASE,
    )
