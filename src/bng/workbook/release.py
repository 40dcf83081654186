"""Which metric release a workbook is, from its Start sheet, its Version History and its formulas.

Only the statutory metric (in force since 12 February 2024) may be used. Every release of its
calculation tool says "4.1" on the Start sheet (D8, the cell above "Project details") and has
the "Headline Results" sheet and the off-site sheets D-1…F-3. Which release it is:

* 1.0.3 on carry a "Version History" tab listing every release; the highest named is the tool's;
* 1.0.4 renamed the "Unit Shortfall" tabs "Credits", so such a tab without a history is 1.0.4;
* 1.0.0/1.0.1 and 1.0.2 have neither; 1.0.2 gave A-3!U12 the formula of the rows below it,
  with the "condition cannot be reduced" checks, so the formula in A-3!U12 tells them apart.

Each release is recalculated with its own reference data (``bng.metric.reference``). Everything
else is refused with a message saying what the file is and what is missing:

* Biodiversity Metric 3.0/3.1 (2021-2023): sheets named "A-1 Site Habitat Baseline", no version cell;
* Biodiversity Metric 4.0 (March 2023): a version cell below 4.1, or a Start sheet naming 4.0;
* the November 2023 pre-release of the statutory metric: "4.1" but no Headline Results and no
  off-site sheets (DEFRA's own copy, "statutory-metric-4.1-empty");
* a draft of the statutory tool: "Baseline ref" at D-1!D10, the marker DEFRA's register service
  tests for;
* a workbook with a Start sheet but no version and not the tool's sheets (an imitation, a fragment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn

from bng.metric import LATEST_RELEASE, RELEASES, release_id

from .errors import LayoutError, UnsupportedReleaseError
from .grid import Book, cell_name, normalise
from .layout import INPUT_SHEETS, find_sheet

STATUTORY_VERSION = 4.1
VERSION_HISTORY = "Version History"
RESULT_SHEET_NAMES = ("Headline Results",)
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
LATER_SHEETS = frozenset({VERSION_HISTORY, "Information"})
"""Tabs 1.0.3 added ("addition of 'Version History' and 'Information' tabs")."""
DEFRA_METRIC_SHEETS = ("Start", "Main Menu", "Results", "Headline Results")
"""The sheets DEFRA's register service requires of a metric workbook (its "is a metric" check)."""
READ_SHEETS = frozenset({VERSION_HISTORY})
"""Sheets read to tell the release, besides the Start and input sheets."""
_VERSION = re.compile(r"\bversion\s*v?(\d+)\.(\d+)\.(\d+)\b", re.I)
_A3 = next(s for s in INPUT_SHEETS if s.key == "A-3")
_A3_FIRST_ROW_CHECKS = re.compile(rb"reduce condition|condition cannot be reduced", re.I)


def is_credits_sheet(name: str) -> bool:
    """The "Unit shortfall" tabs, "Credits" from 1.0.4."""
    n = normalise(name)
    return n.startswith(("unit shortfall", "credits"))


@dataclass(frozen=True, slots=True)
class WorkbookRelease:
    """The release a workbook was identified as, and how."""

    id: str
    """The release's id (``statutory-1.0.3``), or ``statutory-later`` for one newer than bng knows."""
    title: str
    version: str
    """Start!D8 as it reads."""
    engine_release: str
    """The reference data it is recalculated with."""
    notes: tuple[str, ...] = ()
    label: str = ""
    """As results name it: ``statutory 1.0.3``."""
    evidence: str = ""
    """What told the release: the Version History, a tab's name, a formula."""


def _version(book: Book) -> tuple[str, float | None, tuple[int, int] | None]:
    """Start!D8 (the cell above "Project details") as text and as a number, and where it is."""
    start = book.grid("Start")
    at = start.find("Project details", rows=range(1, 30))
    if at is None:
        return "", None, None
    v = start.get(at[0] - 1, at[1])
    where = (at[0] - 1, at[1])
    if isinstance(v, bool):
        return str(v), None, where
    if isinstance(v, (int, float)):
        return f"{v:g}", float(v), where
    text = str(v).strip()
    try:
        return text, float(text), where
    except ValueError:
        return text, None, where


def _stated_version(book: Book) -> str:
    """A version the Start sheet states in words ("Metric version: v4.0"), with its cell."""
    start = book.grid("Start")
    for r in range(1, min(start.height, 80) + 1):
        line = start.rows[r - 1]
        for c, v in enumerate(line, start=1):
            if isinstance(v, str) and "version" in v.lower() and len(v) < 200:
                value = next((x for x in line[c : c + 4] if isinstance(x, (str, int, float)) and str(x).strip()), None)
                said = v.strip() if value is None else f"{v.strip()} {str(value).strip()}"
                return f"{said!r} (Start!{cell_name(r, c)})"
    return ""


def _sheet_list(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names[:8]) + (" …" if len(names) > 8 else "")


def _refuse_without_start(book: Book) -> NoReturn:
    names = book.sheet_names
    metric = [n for n in names if any(find_sheet([n], s) == n for s in INPUT_SHEETS) or n in FEB_2024_SHEETS]
    if metric:
        raise UnsupportedReleaseError(
            book.path,
            f"a fragment of a metric workbook, not the statutory calculation tool: it has the sheet"
            f"{'s' if len(metric) > 1 else ''} {_sheet_list(metric)} but no 'Start' sheet (the tool has 42 "
            "sheets, among them Start, Headline Results and the input sheets A-1…F-3)",
        )
    raise UnsupportedReleaseError(
        book.path,
        f"not a biodiversity metric workbook: it has no 'Start' sheet (sheets: {_sheet_list(names)})",
    )


def _refuse_without_version(book: Book, text: str, where: tuple[int, int] | None) -> NoReturn:
    names = book.sheet_names
    stated = _stated_version(book)
    cell = f"Start!{cell_name(*where)}" if where else "Start!D8 (above 'Project details')"
    reads = f"reads {text!r}" if text else "is blank"
    lacking = [n for n in ("Headline Results", "Main Menu", *(s.name for s in INPUT_SHEETS)) if n not in names]
    if stated and "4.0" in stated:
        what = f"a Biodiversity Metric 4.0 workbook (pre-statutory, March 2023): its Start sheet says {stated}"
    elif len(lacking) > 3:
        what = (
            f"not the statutory metric calculation tool but a workbook with a 'Start' sheet and "
            f"{len(names)} sheet{'s' if len(names) != 1 else ''} in all ({_sheet_list(names)})"
        )
    else:
        what = "a metric workbook whose version cannot be told"
    missing = f"; it has none of the tool's sheets {_sheet_list(lacking)}" if lacking else ""
    raise UnsupportedReleaseError(
        book.path,
        f"{what}. The statutory tool's version cell, {cell}, {reads}{missing}. Only the statutory biodiversity "
        "metric (Start!D8 = 4.1) may be used since 12 February 2024",
    )


def _history(book: Book) -> tuple[tuple[int, int, int], str] | None:
    """The highest release the Version History tab names, with its date as the tab gives it."""
    if not book.has(VERSION_HISTORY):
        return None
    best: tuple[tuple[int, int, int], str] | None = None
    for line in book.grid(VERSION_HISTORY).rows[:200]:
        for v in line:
            m = _VERSION.search(v) if isinstance(v, str) else None
            if m is None:
                continue
            number = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
            cells = [str(x).strip() for x in line if isinstance(x, (str, int, float)) and str(x).strip()]
            released = cells[-1] if len(cells) > 2 else ""  # Version, Changes made, Date released
            if best is None or number > best[0]:
                best = (number, released[:40])
    return best


def _a3_first_row_formula(book: Book) -> bytes | None:
    """The formula of A-3!U12 as the sheet's XML holds it (the master's text for a shared formula)."""
    name = find_sheet(book.sheet_names, _A3)
    part = book.package.sheets.get(name) if name else None
    if part is None:
        return None
    xml = book.package.read(part)
    cell = re.search(rb'<c r="U12"[^>]*>(.*?)</c>', xml, re.S)
    f = re.search(rb"<f([^>]*)>(.*?)</f>|<f([^>]*)/>", cell.group(1), re.S) if cell else None
    if f is None:
        return None
    if f.group(2):
        return f.group(2)
    si = re.search(rb'si="(\d+)"', f.group(1) or f.group(3) or b"")
    if si is None:
        return None
    master = re.search(rb'<f[^>]*\bsi="' + si.group(1) + rb'"[^>]*>([^<]+)</f>', xml)
    return master.group(1) if master else None


def _release(rid: str, evidence: str, version: str, notes: list[str]) -> WorkbookRelease:
    info = RELEASES[rid]
    return WorkbookRelease(
        rid, f"{info.title} (Start!D8 = {version})", version, rid, tuple(notes), info.label, evidence
    )


def _which(book: Book, version: str, notes: list[str]) -> WorkbookRelease:
    history = _history(book)
    if history is not None:
        (major, minor, patch), released = history
        name = f"{major}.{minor}.{patch}"
        evidence = f"the Version History tab names {name} as its latest release" + (
            f" ({released})" if released else ""
        )
        try:
            return _release(release_id(name), evidence, version, notes)
        except ValueError:
            latest = RELEASES[LATEST_RELEASE]
            notes.append(
                f"its Version History names {name}, later than any release bng knows; recalculated with "
                f"{latest.label}'s reference data"
            )
            return WorkbookRelease(
                "statutory-later",
                f"statutory {name}: a statutory biodiversity metric calculation tool later than "
                f"{latest.label} (Start!D8 = {version})",
                version,
                latest.id,
                tuple(notes),
                f"statutory {name}",
                evidence,
            )
    credits = [n for n in book.sheet_names if normalise(n).startswith("credits")]
    if credits:
        return _release(
            release_id("1.0.4"), f"its tab {credits[0]!r} (1.0.4 renamed 'Unit Shortfall' to 'Credits')", version, notes
        )
    formula = _a3_first_row_formula(book)
    if formula is None:
        notes.append(
            "A-3!U12 holds no formula, so 1.0.0/1.0.1 and 1.0.2 cannot be told apart; recalculated as 1.0.0/1.0.1"
        )
        return _release(release_id("1.0.1"), "no Version History tab; no formula in A-3!U12", version, notes)
    if _A3_FIRST_ROW_CHECKS.search(formula):
        return _release(
            release_id("1.0.2"),
            "no Version History tab; A-3!U12 checks that condition is not reduced (the formula 1.0.2 gave row 12)",
            version,
            notes,
        )
    return _release(
        release_id("1.0.1"),
        "no Version History tab; A-3!U12 lacks the 'condition cannot be reduced' checks of the rows below it",
        version,
        notes,
    )


def identify(book: Book) -> WorkbookRelease:
    """Name the workbook's release, or refuse it with a message that says what it is and what it lacks."""
    path, names = book.path, book.sheet_names
    if any(n.startswith(("A-1 Site Habitat", "A-1 Site habitat")) for n in names):
        raise UnsupportedReleaseError(
            path,
            "this is a Biodiversity Metric 3.0/3.1 workbook (pre-statutory, 2021-2023: sheets such as "
            "'A-1 Site Habitat Baseline', no version on the Start sheet). Since 12 February 2024 only the "
            "statutory biodiversity metric may be used: complete the statutory metric calculation tool instead",
        )
    if "Start" not in names:
        _refuse_without_start(book)
    text, version, where = _version(book)
    if version is None:
        _refuse_without_version(book, text, where)
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
    missing_inputs = [s.name for s in INPUT_SHEETS if find_sheet(names, s) is None]
    missing_results = [n for n in RESULT_SHEET_NAMES if n not in names]
    if missing_inputs or missing_results:
        parts = []
        if missing_inputs:
            parts.append(
                f"the input sheet{'s' if len(missing_inputs) > 1 else ''} " + ", ".join(repr(n) for n in missing_inputs)
            )
        if missing_results:
            parts.append("the result sheet " + ", ".join(repr(n) for n in missing_results))
        raise LayoutError(
            path,
            "a statutory metric workbook (Start!D8 = "
            + text
            + ") without "
            + " and without ".join(parts)
            + " (deleted or renamed?): the check needs every input sheet A-1…F-3 to read the site and "
            "Headline Results to compare with",
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
            f"Start!D8 reads {text}; every statutory release bng knows says 4.1 there; the workbook is read by "
            "its column headers"
        )
    known = FEB_2024_SHEETS | LATER_SHEETS
    extra = sorted(n for n in names if n not in known and not is_credits_sheet(n))
    gone = sorted(n for n in FEB_2024_SHEETS - set(names) if not is_credits_sheet(n))
    if extra or gone:
        said = []
        if extra:
            said.append("sheets the tool does not have: " + _sheet_list(extra))
        if gone:
            said.append("without the tool's sheets " + _sheet_list(gone))
        notes.append("an edited copy of the tool (" + "; ".join(said) + "); read by its column headers")
    return _which(book, text, notes)


def override(release: WorkbookRelease, rid: str) -> WorkbookRelease:
    """The workbook recalculated with another release's data (``--release``), said so in a note."""
    info = RELEASES[rid]
    if rid == release.engine_release:
        return release
    note = (
        f"recalculated with {info.label}'s reference data as asked (--release); the workbook is {release.label}"
        if release.label
        else f"recalculated with {info.label}'s reference data as asked (--release)"
    )
    return WorkbookRelease(
        release.id,
        release.title,
        release.version,
        rid,
        (*release.notes, note),
        release.label,
        release.evidence,
    )
