"""Validate an application's biodiversity submission: every file read, every rule run, one report.

What it reuses, not re-implements: ``bng.workbook.check.check_workbook`` (consistency,
compliance, trading, ▲ errors, the LPA's local target), ``bng.gis.validate`` and
``bng.gis.reconcile`` (map against metric, parcel by parcel), the register's records of
allocations and credit purchases (:class:`~bng.submission.records.Records`), and
``bng.planning`` for the rules (exemptions, irreplaceable habitat, hierarchy, significance,
validation items, verdict and letter).

Nothing a user sends raises: an unreadable file, a metric for another site, maps that do not
match, a reference the register does not hold, each becomes a :class:`Problem` that names the
file (and sheet, row, parcel or layer) and what was expected.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bng.metric import Release, Result, Site, load
from bng.planning import (
    DEFAULT,
    Applicability,
    Application,
    Classified,
    FactIssue,
    HierarchyReview,
    IrreplaceableFound,
    ItemResult,
    LpaProfile,
    PlanningConfig,
    Problem,
    SiteFacts,
    Verdict,
    applicability,
    baseline_totals,
    classify,
    impact_of,
    irreplaceable_in,
    item_results,
    items_for,
    letter,
    long_date,
    parse_application,
    post_parcels,
    review_hierarchy,
    tier_module,
    verdict,
)
from bng.planning import (
    planning_tables as tables,
)

from .bundle import APPLICATION_FILE, Bundle, BundleFile, declare, open_bundle
from .errors import BundleError, UnknownLpa
from .records import AllocationRecord, CreditPurchaseRecord, NoRecords, Records

MAX_APPLICATION_BYTES = 2 * 1024 * 1024
ADVISORY_COMPLIANCE = ("START_TARGET", "DEFRA_OFFSITE_TOTALS", "TARGET_AREA", "TARGET_HEDGEROW", "TARGET_WATERCOURSE")


@dataclass
class MetricRead:
    file: BundleFile
    site: Site
    result: Result
    release_title: str
    release_id: str
    project_name: str
    planning_reference: str
    lpa: str
    start: dict[str, str]
    labels: dict[tuple[str, str, str, str], str]
    where: dict[tuple[str, str, str, str], str]  # row key -> "sheet 'A-1 …' row 12"
    consistent: bool
    not_calculated: bool
    checks: list[Any]
    local_target: float


@dataclass
class MapRead:
    file: BundleFile
    stage: str
    valid: bool
    errors: list[str]
    warnings: list[str]


@dataclass
class RegisterCheck:
    kind: str  # "allocation" or "credits"
    reference: str
    found: bool | None  # None: no register to ask
    detail: str
    units: dict[str, float] = field(default_factory=dict)


@dataclass
class ValidationReport:
    """Everything the validation found, item by item, and the verdict and letter that follow from it."""

    source: str
    checked_on: date
    lpa: LpaProfile
    application: Application
    applicability: Applicability | None
    documents: list[BundleFile]
    metric: MetricRead | None
    maps: list[MapRead]
    reconciliation: Any | None
    hierarchy: HierarchyReview | None
    parcels: tuple[Classified, ...]
    irreplaceable: tuple[IrreplaceableFound, ...]
    register: list[RegisterCheck]
    items: tuple[ItemResult, ...]
    problems: list[Problem]
    verdict: Verdict
    letter: list[str]
    seconds: float = 0.0
    register_available: bool = False

    @property
    def valid(self) -> bool:
        """Whether the LPA may validate the application: no blocking problem on any item."""
        return self.verdict.valid

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON (``bng planning validate --json``, the API)."""
        m = self.metric
        return {
            "source": self.source,
            "checked_on": self.checked_on.isoformat(),
            "valid": self.valid,
            "verdict": self.verdict.text(),
            "lpa": {
                "code": self.lpa.code,
                "name": self.lpa.name,
                "local_target_percent": self.lpa.local_target_percent,
            },
            "application": {
                "reference": self.application.reference,
                "type": self.application.application_type,
                "application_date": self.application.application_date.isoformat()
                if self.application.application_date
                else None,
                "development": self.application.development,
            },
            "applicability": self.applicability.to_dict() if self.applicability else None,
            "documents": [
                {"file": d.name, "type": d.type, "bytes": d.size, "declared": d.declared} for d in self.documents
            ],
            "metric": None
            if m is None
            else {
                "file": m.file.name,
                "release": m.release_title,
                "metric_release": m.result.metric_release,
                "project_name": m.project_name,
                "planning_reference": m.planning_reference,
                "consistent": m.consistent,
                "not_calculated": m.not_calculated,
                "values": {
                    k: {
                        "baseline": v.on_site.baseline_units,
                        "post_intervention": v.on_site.post_intervention_units,
                        "total_net_change": v.total_net_change_units,
                        "total_net_change_percent": v.total_net_change_percent,
                    }
                    for k, v in m.result.modules.items()
                },
            },
            "maps": [{"file": x.file.name, "stage": x.stage, "valid": x.valid, "errors": x.errors} for x in self.maps],
            "reconciliation": self.reconciliation.to_dict() if self.reconciliation is not None else None,
            "hierarchy": self.hierarchy.to_dict() if self.hierarchy else None,
            "significance": [c.to_dict() for c in self.parcels],
            "register_available": self.register_available,
            "register": [
                {"kind": r.kind, "reference": r.reference, "found": r.found, "detail": r.detail, "units": r.units}
                for r in self.register
            ],
            "items": [r.to_dict() for r in self.items],
            "problems": [p.to_dict() for p in self.problems],
            "letter": self.letter,
            "seconds": round(self.seconds, 3),
        }


def _p(item: str, code: str, where: str, message: str, expected: str = "", severity: str = "blocking") -> Problem:
    return Problem(item, code, where, message, expected, severity)  # type: ignore[arg-type]


class _Checker:
    def __init__(self, bundle: Bundle, profile: LpaProfile, records: Records, config: PlanningConfig, today: date):
        self.bundle = bundle
        self.profile = profile
        self.records = records
        self.config = config
        self.today = today
        self.problems: list[Problem] = []
        self.not_applicable: set[str] = set()
        self.evidence: dict[str, str] = {}
        self.local = {it.code: it for it in items_for(profile) if it.list != "national"}

    def add(self, p: Problem) -> None:
        self.problems.append(p)

    def local_key(self, code: str) -> str | None:
        it = self.local.get(code)
        return f"{it.list}:{it.code}" if it else None

    def local_or_advisory(self, code: str) -> tuple[str, str]:
        """Report against the LPA's local item when its list has one, else as advice."""
        key = self.local_key(code)
        return (key, "blocking") if key else ("", "advisory")

    # -- application.json ----------------------------------------------------------------------
    def application(self) -> tuple[Application, list[FactIssue]]:
        f = self.bundle.application
        if f is None:
            self.add(
                _p(
                    "CONDITION_STATEMENT",
                    "NO_APPLICATION",
                    self.bundle.source.name,
                    f"no {APPLICATION_FILE}: the application's facts (type, dates, whether the condition applies, "
                    "the statement's answers) are not given",
                    f"{APPLICATION_FILE} with the application's facts (see docs/planning.md)",
                )
            )
            return Application(), []
        if f.size > MAX_APPLICATION_BYTES:
            self.add(_p("", "APPLICATION_TOO_LARGE", f.name, f"{f.size:,} bytes", f"at most {MAX_APPLICATION_BYTES:,}"))
            return Application(), []
        try:
            data = json.loads(f.path.read_bytes().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            self.add(
                _p("CONDITION_STATEMENT", "APPLICATION_NOT_JSON", f.name, f"not valid JSON ({err})", "a JSON object")
            )
            return Application(), []
        app, issues = parse_application(data)
        for i in issues:
            self.add(_p("", "APPLICATION_FIELD", f"{f.name} field {i.field!r}", i.message, severity="blocking"))
        missing = declare(self.bundle, [(d.file, d.type) for d in app.documents])
        for name in missing:
            self.add(
                _p(
                    "",
                    "DOCUMENT_MISSING",
                    f"{f.name} documents",
                    f"{name!r} is listed but not in the submission",
                    "every listed document to be submitted",
                )
            )
        return app, issues

    # -- the metric ----------------------------------------------------------------------------
    def metric(self, app: Application) -> MetricRead | None:
        from bng.workbook import INPUT_SHEETS, WorkbookError, check_workbook, read_workbook

        books = self.bundle.of_type("metric")
        if not books:
            self.add(
                _p(
                    "PRE_DEVELOPMENT_VALUE",
                    "NO_METRIC",
                    self.bundle.source.name,
                    "no statutory biodiversity metric workbook (.xlsx or .xlsm) in the submission",
                    "the completed statutory biodiversity metric calculation tool",
                )
            )
            return None
        if len(books) > 1:
            self.add(
                _p(
                    "",
                    "SEVERAL_METRICS",
                    ", ".join(b.name for b in books),
                    f"{len(books)} metric workbooks; bng checks {books[0].name}",
                    "one metric workbook for the application (say which in application.json)",
                    "advisory",
                )
            )
        book = books[0]
        target = self.profile.local_target_percent
        try:
            report = check_workbook(book.path, target)
            wb = read_workbook(book.path)
        except WorkbookError as err:
            self.add(
                _p(
                    "PRE_DEVELOPMENT_VALUE",
                    err.code,
                    book.name,
                    err.problem + "".join(f"; {p}" for p in err.problems[:5]),
                    "the statutory biodiversity metric calculation tool (Start!D8 = 4.1), completed",
                )
            )
            return None
        except Exception as err:  # never a traceback for a user's file; the message names it
            self.add(
                _p(
                    "PRE_DEVELOPMENT_VALUE",
                    "METRIC_UNREADABLE",
                    book.name,
                    f"cannot be read ({type(err).__name__}: {err})",
                    "the statutory biodiversity metric calculation tool (.xlsx or .xlsm)",
                )
            )
            return None
        try:
            where_of = {s.key: (s.module, s.location, s.stage) for s in INPUT_SHEETS}
            labels: dict[tuple[str, str, str, str], str] = {}
            where: dict[tuple[str, str, str, str], str] = {}
            for src in wb.sources:
                module, location, stage = where_of[src.key]
                key = (module, location, stage, src.ref)
                where[key] = f"sheet {src.sheet!r} row {src.row}"
                if src.habitat_reference:
                    labels[key] = src.habitat_reference
            start = {k: str(v) for k, v in wb.start.values.items() if v is not None and str(v).strip()}
        finally:
            wb.book.close()
        not_calculated = bool(report.discrepancies) and report.discrepancies[0].code == "NOT_CALCULATED"
        read = MetricRead(
            book,
            wb.site,
            report.result,
            report.release.title,
            report.release.id,
            report.project_name,
            wb.site.project.planning_reference,
            wb.site.project.lpa,
            start,
            labels,
            where,
            report.consistent,
            not_calculated,
            list(report.checks),
            target,
        )
        self.metric_problems(read, report, app)
        return read

    def metric_problems(self, m: MetricRead, report: Any, app: Application) -> None:
        name = m.file.name
        self.evidence["PRE_DEVELOPMENT_VALUE"] = f"{name}: {m.release_title}; on-site baseline " + ", ".join(
            f"{v.on_site.baseline_units or 0:.4f} {k}" for k, v in m.result.modules.items()
        )
        self._metric_state(m, report)
        for c in report.checks:
            if c.passed or c.code == "DEFRA_CALCULATED":  # the register's upload rule; NOT_CALCULATED above says it
                continue
            self._failed_check(m, c)
        self._metric_reference(m, app)
        self._metric_publication(m, app)
        rel = load(m.site.metric_release)
        self._strategic_significance(m, rel)
        # watercourses other than culverts and ditches need a River Condition Assessment (local lists)
        if "RIVER_CONDITION" in self.local:
            rivers = [
                w
                for w in m.site.on_site.watercourse.baseline
                if w.habitat not in (rel.rules.culvert_type, rel.rules.ditch_type)
            ]
            if not rivers:
                self.not_applicable.add(self.local_key("RIVER_CONDITION") or "")
        if m.site.off_site.row_count() == 0:
            for code in ("OFF_SITE_DETAILS", "OFF_SITE_PLANS"):
                if code in self.local:
                    self.not_applicable.add(self.local_key(code) or "")

    def _metric_state(self, m: MetricRead, report: Any) -> None:
        """Whether the workbook was calculated, agrees with its own inputs and has a baseline."""
        name = m.file.name
        if m.not_calculated:
            self.add(
                _p(
                    "PRE_DEVELOPMENT_VALUE",
                    "NOT_CALCULATED",
                    name,
                    "the workbook holds no calculated results (never opened and saved in Excel); bng recalculated "
                    "it from its inputs",
                    "a workbook saved after calculation",
                    "advisory",
                )
            )
        elif not m.consistent:
            for d in report.discrepancies[:20]:
                self.add(
                    _p(
                        "PRE_DEVELOPMENT_VALUE",
                        "METRIC_INCONSISTENT",
                        f"{name} sheet {d.sheet!r} cell {d.cell}",
                        f"{d.what}: the workbook shows {d.cached}, its own inputs give {d.ours}",
                        "results that follow from the workbook's inputs (an unedited calculation tool)",
                    )
                )
        if not (
            m.site.on_site.area.baseline or m.site.on_site.hedgerow.baseline or m.site.on_site.watercourse.baseline
        ):
            self.add(
                _p(
                    "PRE_DEVELOPMENT_VALUE",
                    "NO_BASELINE",
                    name,
                    "no on-site baseline rows (sheets A-1, B-1, C-1)",
                    "the on-site habitat at the pre-development date",
                )
            )

    def _failed_check(self, m: MetricRead, c: Any) -> None:
        """One failed check of the workbook, against the checklist item it belongs to."""
        name = m.file.name
        code = c.code
        details = list(c.details) or [c.title]
        if code == "NO_ERROR_ROWS":
            for d in details[:30]:
                self.add(
                    _p(
                        "PRE_DEVELOPMENT_VALUE",
                        "METRIC_ROW_ERROR",
                        f"{name} {d.split(':')[0]}",
                        d.split(":", 1)[1].strip() if ":" in d else d,
                        "no row showing ▲ or Check Data",
                    )
                )
        elif code == "TRADING_RULES":
            item, sev = self.local_or_advisory("NO_TRADING_ERRORS")
            for d in details:
                self.add(
                    _p(item, "TRADING_RULES", f"{name} (trading summaries)", d, "every trading rule satisfied", sev)
                )
        elif code == "START_COMPLETED":
            item, sev = self.local_or_advisory("COMPETENT_PERSON")
            for d in details:
                self.add(
                    _p(
                        item,
                        "START_COMPLETED",
                        f"{name} sheet 'Start'",
                        d,
                        "the competent person who completed the metric, and the date",
                        sev,
                    )
                )
        elif code.startswith("TARGET_"):
            item, sev = self.local_or_advisory("LOCAL_TARGET")
            local = self.local.get("LOCAL_TARGET")
            sev = "blocking" if local is not None else "advisory"
            self.add(
                _p(
                    item if local else "",
                    code,
                    f"{name} (headline results)",
                    "; ".join(details),
                    f"the {m.local_target:g} % net gain of {self.profile.name}",
                    sev,
                )
            )
        elif code.startswith("AREA_BALANCE"):
            self.add(
                _p(
                    "",
                    code,
                    f"{name} (A-1 and A-2)",
                    "; ".join(details),
                    "the post-intervention habitats to account for every hectare lost",
                    "advisory",
                )
            )
        elif code in ADVISORY_COMPLIANCE:
            self.add(_p("", code, name, "; ".join(details), c.title, "advisory"))
        else:
            self.add(_p("PRE_DEVELOPMENT_VALUE", code, name, "; ".join(details), c.title))

    def _metric_reference(self, m: MetricRead, app: Application) -> None:
        """The metric must be this application's."""
        name = m.file.name
        ref = app.reference.strip().lower()
        if ref and m.planning_reference and m.planning_reference.strip().lower() != ref:
            self.add(
                _p(
                    "PRE_DEVELOPMENT_VALUE",
                    "METRIC_OTHER_SITE",
                    f"{name} sheet 'Start'",
                    f"the metric is for planning application {m.planning_reference!r}, not {app.reference!r}",
                    f"the metric of application {app.reference}",
                )
            )
        elif ref and not m.planning_reference:
            self.add(
                _p(
                    "PRE_DEVELOPMENT_VALUE",
                    "METRIC_NO_REFERENCE",
                    f"{name} sheet 'Start'",
                    "the planning application reference is blank",
                    f"{app.reference}",
                    "advisory",
                )
            )

    def _metric_publication(self, m: MetricRead, app: Application) -> None:
        """The metric's version and publication date (item 4), nationally and on the LPA's own list."""
        dates = tables().parameters["statutory_metric_publication_dates"].value.split("|")
        self.evidence["METRIC_PUBLICATION"] = f"{m.release_title}"
        if app.metric_publication_date is not None and app.metric_publication_date.isoformat() not in dates:
            self.add(
                _p(
                    "METRIC_PUBLICATION",
                    "PUBLICATION_DATE",
                    "application.json metric_publication_date",
                    f"{app.metric_publication_date.isoformat()} is not a publication date of the statutory metric "
                    f"({m.release_title})",
                    " or ".join(dates),
                )
            )
        if "METRIC_PUBLICATION_DATE" in self.local:
            key = self.local_key("METRIC_PUBLICATION_DATE") or ""
            accepted = self.local["METRIC_PUBLICATION_DATE"].check.split(":", 1)[1].split("|")
            if app.metric_publication_date is None or app.metric_publication_date.isoformat() not in accepted:
                self.add(
                    _p(
                        key,
                        "PUBLICATION_DATE_LOCAL",
                        "application.json metric_publication_date",
                        "not given" if app.metric_publication_date is None else app.metric_publication_date.isoformat(),
                        " or ".join(accepted),
                    )
                )

    def _strategic_significance(self, m: MetricRead, rel: Release) -> None:
        """Strategic significance stated for every on-site parcel."""
        known = {k.lower() for k in rel.strategic_significance} | set(rel.strategic_significance_aliases)
        blanks = []
        for module in ("area", "hedgerow", "watercourse"):
            rows = getattr(m.site.on_site, module)
            for stage in ("baseline", "creation", "enhancement"):
                for r in getattr(rows, stage):
                    if (r.strategic_significance or "").strip().lower() not in known:
                        blanks.append((module, stage, r.ref, r.strategic_significance))
        item, sev = self.local_or_advisory("STRATEGIC_SIGNIFICANCE")
        for module, stage, ref_, ss in blanks[:30]:
            where = m.where.get((module, "on_site", stage, ref_), f"{module} {stage} row {ref_}")
            self.add(
                _p(
                    item,
                    "STRATEGIC_SIGNIFICANCE",
                    f"{m.file.name} {where}",
                    f"strategic significance {'blank' if not ss else repr(ss)}",
                    "High, Medium or Low strategic significance (from the LNRS or other published plans)",
                    sev,
                )
            )

    # -- the maps -----------------------------------------------------------------------------
    def maps(self, m: MetricRead | None) -> tuple[list[MapRead], Any, dict[str, str]]:
        from bng.gis import MapError, Metric, load_maps
        from bng.gis import reconcile_maps as reconcile
        from bng.metric import STAGES

        reads, by_stage = self._validated_maps()
        self._plans_given(by_stage)
        former: dict[str, str] = {}
        if m is None or "baseline" not in by_stage:
            return reads, None, former
        pair = [by_stage["baseline"].path] + (
            [by_stage["post-intervention"].path] if "post-intervention" in by_stage else []
        )
        try:
            loaded = load_maps(pair)
        except MapError as err:
            self.add(
                _p(
                    "HABITAT_PLAN",
                    "MAP_UNUSABLE",
                    by_stage["baseline"].name,
                    str(err).split("\n")[0],
                    "a habitat map bng can read",
                )
            )
            return reads, None, former
        except Exception as err:
            self.add(
                _p(
                    "HABITAT_PLAN",
                    "MAP_UNUSABLE",
                    by_stage["baseline"].name,
                    f"{type(err).__name__}: {err}",
                    "a habitat map bng can read",
                )
            )
            return reads, None, former
        stages = STAGES if len(pair) == 2 else ("baseline",)
        rec = reconcile(loaded.mapped.site, Metric(m.site, m.labels), stages=stages)
        self._map_differences(rec, pair, m)
        former = former_habitats(loaded.mapped)
        return reads, rec, former

    def _validated_maps(self) -> tuple[list[MapRead], dict[str, BundleFile]]:
        """Each map checked against the GeoPackage standard; the first readable map of each stage."""
        from bng.gis import validate_map as validate

        files = self.bundle.of_type("baseline-map", "post-intervention-map")
        reads: list[MapRead] = []
        by_stage: dict[str, BundleFile] = {}
        for f in files:
            stage = "post-intervention" if f.type == "post-intervention-map" else "baseline"
            try:
                rep = validate(f.path, stage)  # type: ignore[arg-type]
            except Exception as err:  # a map library error on a user's file: named, never raised
                reads.append(MapRead(f, stage, False, [f"cannot be read ({type(err).__name__}: {err})"], []))
                continue
            errors = [str(x).replace(str(f.path), f.name) for x in rep.errors]
            warnings = [str(x).replace(str(f.path), f.name) for x in rep.findings if x.level == "warning"]
            reads.append(MapRead(f, stage, rep.ok, errors, warnings))
            if rep.format is not None:
                by_stage.setdefault(stage, f)
            item = (
                "HABITAT_PLAN"
                if stage == "baseline"
                else (self.local_key("POST_INTERVENTION_PLAN") or self.local_key("POST_INTERVENTION_MAP") or "")
            )
            sev = "blocking" if (stage == "baseline" or item) else "advisory"
            for e in errors[:30]:
                self.add(_p(item, "MAP_INVALID", f.name, e, "a habitat map that follows the GeoPackage standard", sev))
        return reads, by_stage

    def _plans_given(self, by_stage: dict[str, BundleFile]) -> None:
        """The baseline and post-intervention plans the national and local lists ask for."""
        base_pdf = self.bundle.of_type("baseline-plan")
        if "baseline" not in by_stage and not base_pdf:
            self.add(
                _p(
                    "HABITAT_PLAN",
                    "NO_BASELINE_PLAN",
                    self.bundle.source.name,
                    "no baseline habitat map (GeoPackage, Shapefile or GeoJSON) and no baseline habitat plan (PDF)",
                    "a plan to an identified scale, showing North, of the on-site habitat at the pre-development date",
                )
            )
        elif "baseline" not in by_stage:
            self.evidence["HABITAT_PLAN"] = f"{base_pdf[0].name} (a PDF plan: not checked against the metric)"
            self.add(
                _p(
                    "HABITAT_PLAN",
                    "PLAN_NOT_CHECKED",
                    base_pdf[0].name,
                    "a PDF plan only: bng cannot check it against the metric",
                    "the habitat map as GIS files too",
                    "advisory",
                )
            )
        else:
            self.evidence["HABITAT_PLAN"] = by_stage["baseline"].name
        has_post = "post-intervention" in by_stage or self.bundle.of_type("post-intervention-plan")
        for code in ("POST_INTERVENTION_PLAN", "POST_INTERVENTION_MAP"):
            key = self.local_key(code)
            if key and not has_post:
                self.add(
                    _p(
                        key,
                        "NO_POST_PLAN",
                        self.bundle.source.name,
                        "no post-intervention habitat map or plan",
                        "the proposed on-site habitats, to scale with North",
                    )
                )
        gis_key = self.local_key("BASELINE_MAP_GIS")
        if gis_key and "baseline" not in by_stage:
            self.add(
                _p(
                    gis_key,
                    "NO_GIS",
                    self.bundle.source.name,
                    "no baseline map as GIS files",
                    "an ESRI Shapefile or GeoPackage",
                    "advisory",
                )
            )

    def _map_differences(self, rec: Any, pair: list[Path], m: MetricRead) -> None:
        """Where the maps and the metric describe different parcels or totals."""
        maps_name = " and ".join(p.name for p in pair)
        for d in rec.differences[:40]:
            self.add(
                _p(
                    "HABITAT_PLAN",
                    "MAP_METRIC_DIFFER",
                    f"{maps_name} vs {m.file.name}: {d.module} {d.stage} parcel {d.ref}",
                    f"{d.field} is {d.shown[0]} on the map but {d.shown[1]} in the metric",
                    "the map and the metric to describe the same parcels",
                )
            )
        for only in rec.only_in_map[:40]:
            self.add(
                _p(
                    "HABITAT_PLAN",
                    "ONLY_ON_MAP",
                    f"{maps_name}: {only[0]} {only[2]} parcel {only[3]}",
                    "on the map but not in the metric",
                    "every mapped parcel in the metric",
                )
            )
        for only in rec.only_in_metric[:40]:
            self.add(
                _p(
                    "HABITAT_PLAN",
                    "ONLY_IN_METRIC",
                    f"{m.file.name}: {only[0]} {only[2]} parcel {only[3]}",
                    "in the metric but not on the map",
                    "every metric parcel on the map",
                )
            )
        for d in rec.totals[:20]:
            self.add(
                _p(
                    "HABITAT_PLAN",
                    "TOTALS_DIFFER",
                    f"{maps_name} vs {m.file.name}: {d.module} {d.stage} {d.ref}",
                    f"{d.shown[0]} on the map, {d.shown[1]} in the metric (total by habitat)",
                    "the same totals",
                )
            )

    # -- the statement's answers -------------------------------------------------------------------
    def statement(
        self,
        app: Application,
        result: Applicability | None,
        m: MetricRead | None,
        irreplaceable: tuple[IrreplaceableFound, ...],
    ) -> None:
        self._condition_statement(app, result)
        self._earlier_date(app)
        self._degradation(app, m)
        self._irreplaceable(app, m, irreplaceable)

    def _condition_statement(self, app: Application, result: Applicability | None) -> None:
        """Whether the condition applies, or the exemption claimed and why (item 1)."""
        statement_docs = self.bundle.of_type("biodiversity-statement", "draft-gain-plan")
        if app.condition_applies is None and not app.exemptions_claimed and not statement_docs:
            self.add(
                _p(
                    "CONDITION_STATEMENT",
                    "NO_CONDITION_STATEMENT",
                    "application.json condition_applies",
                    "the application does not say whether the biodiversity gain condition would apply",
                    "condition_applies: true, or false with the exemption claimed and the reason",
                )
            )
        if app.condition_applies is False and not (app.exemptions_claimed and app.exemption_reason):
            self.add(
                _p(
                    "CONDITION_STATEMENT",
                    "EXEMPTION_WITHOUT_REASON",
                    "application.json exemptions_claimed",
                    "the condition is said not to apply, without the exemption and its reason",
                    "the exemption relied on and why it applies",
                )
            )
        if result is not None:
            for note in result.notes:
                if "claims" in note or "states the condition" in note:
                    self.add(
                        _p(
                            "CONDITION_STATEMENT",
                            "CLAIM_NOT_SUPPORTED",
                            "application.json",
                            note,
                            "a claim the facts support",
                        )
                    )
            if result.condition_applies is False:
                for code in (
                    "PRE_DEVELOPMENT_VALUE",
                    "EARLIER_DATE",
                    "METRIC_PUBLICATION",
                    "DEGRADATION",
                    "IRREPLACEABLE",
                    "HABITAT_PLAN",
                ):
                    self.not_applicable.add(code)
                self.evidence["CONDITION_STATEMENT"] = result.verdict()
            else:
                self.evidence["CONDITION_STATEMENT"] = result.verdict()

    def _earlier_date(self, app: Application) -> None:
        """Item 3: an earlier pre-development date needs its reasons."""
        pre, made = app.pre_development_date, app.application_date
        if pre is not None and made is not None:
            if pre > made:
                self.add(
                    _p(
                        "EARLIER_DATE",
                        "PRE_DATE_AFTER_APPLICATION",
                        "application.json pre_development_date",
                        f"{long_date(pre)} is after the application date ({long_date(made)})",
                        "the application date or an earlier date",
                    )
                )
            elif pre < made and not app.earlier_date_reason:
                self.add(
                    _p(
                        "EARLIER_DATE",
                        "EARLIER_DATE_NO_REASON",
                        "application.json earlier_date_reason",
                        f"an earlier pre-development date ({long_date(pre)}) without reasons",
                        "the reasons for proposing the earlier date",
                    )
                )
            elif pre < made:
                self.evidence["EARLIER_DATE"] = f"{long_date(pre)}: {app.earlier_date_reason}"
        if pre is None or made is None or pre == made:
            self.not_applicable.add("EARLIER_DATE")

    def _degradation(self, app: Application, m: MetricRead | None) -> None:
        """Item 5: degradation since 30 January 2020."""
        since = tables().day("degradation_from")
        if app.degradation_after_2020 is None:
            self.add(
                _p(
                    "DEGRADATION",
                    "DEGRADATION_NOT_STATED",
                    "application.json degradation_after_2020",
                    "the application does not say whether habitat was degraded on or after 30 January 2020",
                    "degradation_after_2020: true or false (with the date, the value before and evidence if true)",
                )
            )
        elif app.degradation_after_2020:
            d = app.degradation
            if d is None or d.on is None or d.pre_loss_value is None or not d.evidence:
                self.add(
                    _p(
                        "DEGRADATION",
                        "DEGRADATION_DETAILS",
                        "application.json degradation",
                        "degradation is stated without its date, the value immediately before and the evidence",
                        "degradation: {date, pre_loss_value, evidence}",
                    )
                )
            else:
                if d.on < since:
                    self.add(
                        _p(
                            "DEGRADATION",
                            "DEGRADATION_BEFORE_2020",
                            "application.json degradation.date",
                            f"{long_date(d.on)} is before 30 January 2020",
                            "a date on or after 30 January 2020",
                            "advisory",
                        )
                    )
                baseline = m.result.modules["area"].on_site.baseline_units if m else None
                self.add(
                    _p(
                        "DEGRADATION",
                        "DEGRADATION_FLAG",
                        "application.json degradation",
                        f"for the officer: habitat degraded on {long_date(d.on)}; the pre-development value must be "
                        f"the value immediately before ({d.pre_loss_value:g} units"
                        + (f"; the metric's baseline is {baseline:.4f}" if baseline is not None else "")
                        + ")",
                        "the metric's baseline to use the pre-degradation habitat",
                        "info",
                    )
                )
                if baseline is not None and baseline + 1e-6 < d.pre_loss_value:
                    self.add(
                        _p(
                            "DEGRADATION",
                            "DEGRADED_BASELINE_USED",
                            f"{m.file.name if m else ''}",
                            f"the metric's on-site baseline ({baseline:.4f} units) is below the value before "
                            f"degradation ({d.pre_loss_value:g})",
                            "the baseline recorded at its value immediately before the degradation",
                        )
                    )

    def _irreplaceable(
        self, app: Application, m: MetricRead | None, irreplaceable: tuple[IrreplaceableFound, ...]
    ) -> None:
        """Item 6: irreplaceable habitat, described and planned."""
        if irreplaceable:
            names = "; ".join(f"{i.module} {i.ref} {i.habitat}" for i in irreplaceable)
            if app.irreplaceable_habitat is not True or not app.irreplaceable_details:
                self.add(
                    _p(
                        "IRREPLACEABLE",
                        "IRREPLACEABLE_NOT_DESCRIBED",
                        f"{m.file.name if m else 'metric'}",
                        f"the metric shows irreplaceable habitat ({names}) that the application does not describe",
                        "irreplaceable_habitat: true, with a description (SI 2024/48)",
                    )
                )
            plans = self.bundle.of_type("irreplaceable-habitat-plan")
            if not plans:
                self.add(
                    _p(
                        "IRREPLACEABLE",
                        "NO_IRREPLACEABLE_PLAN",
                        self.bundle.source.name,
                        "no plan of the irreplaceable habitat",
                        "an irreplaceable habitat plan (or the habitat plan showing it)",
                        "advisory",
                    )
                )
            self.evidence["IRREPLACEABLE"] = names
        elif app.irreplaceable_habitat is None:
            self.add(
                _p(
                    "IRREPLACEABLE",
                    "IRREPLACEABLE_NOT_STATED",
                    "application.json irreplaceable_habitat",
                    "the application does not say whether irreplaceable habitat is present",
                    "irreplaceable_habitat: false (or true with a description)",
                    "advisory",
                )
            )
        elif app.irreplaceable_habitat:
            self.add(
                _p(
                    "IRREPLACEABLE",
                    "IRREPLACEABLE_NOT_IN_METRIC",
                    "application.json irreplaceable_habitat",
                    "irreplaceable habitat is described but the metric shows none",
                    "the metric to record it (A-1 'Irreplaceable habitat')",
                    "advisory",
                )
            )

    # -- register: allocations and credits ---------------------------------------------------------
    def register(self, app: Application, m: MetricRead | None) -> list[RegisterCheck]:
        out: list[RegisterCheck] = []
        seen: set[str] = set()
        offsite_units = _offsite_by_site(m.result) if m else {}
        allocated_sites: set[str] = set()
        for ref in app.allocations:
            norm = ref.strip().upper()
            where = f"application.json allocations {ref!r}"
            if norm in seen:
                self.add(
                    _p(
                        "",
                        "ALLOCATION_TWICE",
                        where,
                        "listed twice: its units would be counted twice",
                        "each allocation once",
                    )
                )
                continue
            seen.add(norm)
            if not self.records.available:
                self._unasked(out, "allocation", ref, where, "allocations")
                continue
            rec = self.records.allocation(norm)
            if rec is None:
                out.append(RegisterCheck("allocation", ref, False, "not on the register"))
                self.add(
                    _p(
                        "",
                        "ALLOCATION_NOT_ON_REGISTER",
                        where,
                        "no allocation with this reference is on the biodiversity gain site register",
                        "the reference of an allocation recorded on the register",
                    )
                )
                continue
            allocated_sites.add(rec.gain_site)
            problems = _allocation_problems(rec, app, offsite_units.get(rec.gain_site, {}))
            detail = "; ".join(problems) or f"gain site {rec.gain_site}, allocated to this development"
            out.append(RegisterCheck("allocation", ref, not problems, detail, rec.units))
            for p in problems:
                code = (
                    "ALLOCATION_OTHER_DEVELOPMENT"
                    if "allocated to planning" in p
                    else ("ALLOCATION_UNITS" if "more than" in p else "ALLOCATION_OTHER_LPA")
                )
                self.add(_p("", code, where, p, "an allocation of these units to this development"))
        for gain_site in sorted(set(offsite_units) - allocated_sites):
            self.add(
                _p(
                    "",
                    "OFFSITE_NOT_ALLOCATED",
                    f"{m.file.name if m else 'metric'} off-site gain site {gain_site}",
                    "off-site units are counted with no allocation reference given",
                    "the register's allocation of these units before the gain plan is approved",
                    "advisory",
                )
            )
        self._credits(app, out)
        return out

    def _credits(self, app: Application, out: list[RegisterCheck]) -> None:
        """Credits: the purchase references given, and proofs of purchase as files."""
        for ref in app.credit_purchases:
            where = f"application.json credit_purchases {ref!r}"
            if not self.records.available:
                self._unasked(out, "credits", ref, where, "purchases")
                continue
            bought = self.records.credit_purchase(ref.strip().upper())
            if bought is None:
                out.append(RegisterCheck("credits", ref, False, "no such purchase"))
                self.add(
                    _p(
                        "",
                        "CREDITS_NOT_FOUND",
                        where,
                        "no statutory credit purchase with this reference",
                        "the reference on the proof of purchase (BNGCRD-…)",
                    )
                )
                continue
            out.append(self._purchase(bought, app, where))
        for f in self.bundle.of_type("proof-of-purchase"):
            where = f.name
            if not self.records.available:
                out.append(RegisterCheck("credits", f.name, None, "not verified: no register to ask"))
                continue
            proved = self.records.purchase_by_proof(f.sha256())
            if proved is None:
                out.append(RegisterCheck("credits", f.name, False, "not a proof of purchase the register issued"))
                self.add(
                    _p(
                        "",
                        "PROOF_NOT_ISSUED",
                        where,
                        "this file is not a proof of purchase issued by the register (its SHA-256 matches none)",
                        "the proof of purchase PDF exactly as issued",
                    )
                )
                continue
            out.append(self._purchase(proved, app, where))

    def _unasked(self, out: list[RegisterCheck], kind: str, ref: str, where: str, what: str) -> None:
        """A reference given with no register to ask: not verified, and an advisory finding saying so."""
        out.append(RegisterCheck(kind, ref, None, "not verified: no register to ask"))
        self.add(
            _p(
                "",
                "REGISTER_UNAVAILABLE",
                where,
                "cannot be verified: no register configured",
                f"a register (DATABASE_URL) to check {what} against",
                "advisory",
            )
        )

    def _purchase(self, rec: CreditPurchaseRecord, app: Application, where: str) -> RegisterCheck:
        problems = []
        if app.reference and rec.planning_reference.strip().lower() != app.reference.strip().lower():
            problems.append(
                f"the credits were bought for planning application {rec.planning_reference!r} "
                f"({rec.development_name}), not {app.reference!r}"
            )
        if not rec.allocated:
            problems.append(f"the order is {rec.status.replace('_', ' ')}: no credits are allocated yet")
        for p in problems:
            code = "PROOF_OTHER_DEVELOPMENT" if "bought for" in p else "CREDITS_NOT_ALLOCATED"
            self.add(_p("", code, where, p, "a proof of purchase of credits allocated to this development"))
        detail = "; ".join(problems) or f"{rec.reference}: credits allocated to this development"
        units = {tier_module(t): 0.0 for t in rec.credits}
        for t, n in rec.credits.items():
            units[tier_module(t)] += n
        return RegisterCheck("credits", rec.reference, not problems, detail, units)

    # -- the LPA's local list ----------------------------------------------------------------------
    def local_items(self, m: MetricRead | None) -> None:
        for it in self.local.values():
            key = f"{it.list}:{it.code}"
            if key in self.not_applicable:
                continue
            if it.applies_when == "off_site" and (m is None or m.site.off_site.row_count() == 0):
                self.not_applicable.add(key)
                continue
            if it.applies_when == "watercourses" and (m is None or not m.site.on_site.watercourse.baseline):
                self.not_applicable.add(key)
                continue
            check = it.check
            sev = "blocking" if it.blocking else "advisory"
            if check.startswith("document:"):
                kinds = check.split(":", 1)[1].split("|")
                found = self.bundle.of_type(*kinds)
                if found:
                    self.evidence[key] = ", ".join(f.name for f in found)
                else:
                    self.add(
                        _p(
                            key,
                            "DOCUMENT_NOT_SUBMITTED",
                            self.bundle.source.name,
                            f"no {' or '.join(k.replace('-', ' ') for k in kinds)} in the submission",
                            it.title,
                            sev,
                        )
                    )
            elif check == "metric_excel":
                books = self.bundle.of_type("metric")
                if not books:
                    self.add(_p(key, "NO_METRIC", self.bundle.source.name, "no metric workbook", it.title, sev))
                else:
                    self.evidence[key] = books[0].name
            elif check == "baseline_map_gis":
                if not self.bundle.of_type("baseline-map"):
                    self.add(_p(key, "NO_GIS", self.bundle.source.name, "no baseline map as GIS files", it.title, sev))
            elif check in (
                "no_trading_errors",
                "competent_person",
                "strategic_significance",
                "local_target",
                "post_intervention_plan",
            ) or check.startswith("publication_date"):
                pass  # reported where the metric and maps are read
            else:
                raise ValueError(f"local_validation_items.csv: unknown check {check!r}")


def _allocation_problems(rec: AllocationRecord, app: Application, claimed: dict[str, float]) -> list[str]:
    """Why an allocation on the register is not this development's, or holds fewer units than the metric counts."""
    problems = []
    if app.reference and rec.planning_reference.strip().lower() != app.reference.strip().lower():
        problems.append(
            f"it is allocated to planning application {rec.planning_reference!r} "
            f"({rec.development_name}), not {app.reference!r}"
        )
    lpa = app.lpa.strip().lower()
    if lpa and lpa not in (
        rec.lpa_name.lower(),
        rec.lpa_ons_code.lower(),
        rec.lpa_name.lower().removesuffix(" lpa"),
    ):
        problems.append(f"it is recorded for {rec.lpa_name}, not {app.lpa}")
    for module, units in claimed.items():
        have = rec.units.get(module, 0.0)
        if units > have + 1e-6:
            problems.append(
                f"the metric counts {units:.4f} {module} units from {rec.gain_site}, more than the {have:.4f} allocated"
            )
    return problems


def _offsite_by_site(result: Result) -> dict[str, dict[str, float]]:
    """The units the metric counts from each gain site (after the spatial risk multiplier), per module."""
    out: dict[str, dict[str, float]] = {}
    for g in result.gain_sites:
        units = g.change_post_srm_units
        if units is None or units <= 0:
            continue
        site = out.setdefault(g.gain_site, {})
        site[g.module] = site.get(g.module, 0.0) + units
    return out


def former_habitats(mapped: Any) -> dict[str, str]:
    """For each created on-site area parcel on the maps: the baseline habitat it mostly replaces."""
    geoms = mapped.geometry
    base = [
        (k, g.whole)
        for k, g in geoms.items()
        if k[0] == "area" and k[1] == "on_site" and k[2] == "baseline" and g.whole is not None
    ]
    habitats = {r.ref: r.habitat for r in mapped.site.on_site.area.baseline}
    out: dict[str, str] = {}
    for k, g in geoms.items():
        if k[0] != "area" or k[1] != "on_site" or k[2] != "creation" or g.whole is None:
            continue
        best, share = None, 0.0
        for bk, bg in base:
            try:
                a = g.whole.intersection(bg).area
            except Exception:
                continue
            if a > share:
                best, share = bk[3], a
        if best is not None and best in habitats:
            out[k[3]] = habitats[best]
    return out


def profile_of(lpa: str | None, app: Application) -> LpaProfile:
    t = tables()
    for want in (lpa, app.lpa):
        if want:
            p = t.lpa(want) or t.lpa(want.removesuffix(" LPA"))
            if p is not None:
                return p
    return t.lpa_profiles["national"]


def validate_submission(
    path: Path,
    *,
    lpa: str | None = None,
    records: Records | None = None,
    config: PlanningConfig = DEFAULT,
    today: date | None = None,
) -> ValidationReport:
    """Validate a submission (a folder or a .zip): BundleError if it cannot be opened at all."""
    started = time.perf_counter()
    today = today or date.today()
    records = records or NoRecords()
    if lpa and tables().lpa(lpa) is None:
        known = ", ".join(sorted(tables().lpa_profiles))
        raise UnknownLpa(f"--lpa {lpa!r}: no such LPA profile; known: {known} (or their ONS codes)")
    with open_bundle(path) as bundle:
        checker = _Checker(bundle, tables().lpa_profiles["national"], records, config, today)
        app, _issues = checker.application()
        profile = profile_of(lpa, app)
        checker.profile = profile
        checker.local = {it.code: it for it in items_for(profile) if it.list != "national"}
        m = checker.metric(app)
        impact = impact_of(m.site) if m else None
        result = applicability(app, impact, config) if bundle.application is not None else None
        irreplaceable = irreplaceable_in(m.site) if m else ()
        checker.statement(app, result, m, irreplaceable)
        maps, rec, former = checker.maps(m)
        register = checker.register(app, m)
        checker.local_items(m)
        hierarchy = review_hierarchy(app, m.site if m else None, m.result if m else None) if m else None
        for c in hierarchy.contradictions if hierarchy else ():
            checker.add(
                _p(
                    "",
                    f"HIERARCHY_{c.code}",
                    f"gain hierarchy: {c.step}",
                    c.message,
                    "the hierarchy followed, with evidence",
                    "advisory",
                )
            )
        parcels: tuple[Classified, ...] = ()
        if m is not None:
            label_of = {k[3]: v for k, v in m.labels.items() if k[1] == "on_site" and k[2] == "creation"}
            former_by_ref = {}
            for row in m.site.on_site.area.creation:
                lbl = label_of.get(row.ref, row.ref)
                if lbl in former:
                    former_by_ref[row.ref] = former[lbl]
            posts = post_parcels(m.site, m.result, former_by_ref)
            facts = SiteFacts(baseline_totals(m.site, m.result), result.major.major if result else None)
            parcels = classify(posts, profile.significance_profile, facts)
        items = items_for(profile)
        results = item_results(items, checker.problems, checker.not_applicable, checker.evidence)
        final = verdict(results, checker.problems)
        docs = sorted(bundle.files + bundle.map_sets, key=lambda f: f.name)
        words = letter(
            applicant=app.agent or app.applicant,
            reference=app.reference,
            lpa=profile.name if profile.code != "national" else (app.lpa or ""),
            on=today,
            result=final,
            results=results,
        )
        return ValidationReport(
            source=str(path),
            checked_on=today,
            lpa=profile,
            application=app,
            applicability=result,
            documents=docs,
            metric=m,
            maps=maps,
            reconciliation=rec,
            hierarchy=hierarchy,
            parcels=parcels,
            irreplaceable=irreplaceable,
            register=register,
            items=results,
            problems=checker.problems,
            verdict=final,
            letter=words,
            seconds=time.perf_counter() - started,
            register_available=records.available,
        )


__all__ = ["BundleError", "UnknownLpa", "ValidationReport", "validate_submission"]
