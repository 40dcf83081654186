"""The applicant's documents, generated from the application's data.

They are the Biodiversity Statement, the draft and final biodiversity gain plan, and the HMMP skeleton for
the significant parcels.

Each is HTML and PDF through :mod:`bng.documents` (one pipeline, one base layout) and its data as
JSON. The gain plan follows ``gain_plan_contents.csv`` (DEFRA's template order, Sch 7A para 14
contents) and carries the habitat plans that ``bng gis plan`` draws, page by page at their own
scale (the plan pages have no margins, so 1:1,250 on the plan is 1:1,250 on the paper).
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from bng.documents import render_html, render_pdf
from bng.metric import MODULE_NAMES, Result, Site, calculate, load
from bng.planning import (
    BY_S106,
    DEFAULT,
    Allocated,
    Applicability,
    Application,
    Classified,
    GainPlan,
    HierarchyReview,
    IrreplaceableFound,
    LpaProfile,
    MetricRef,
    PhaseValue,
    PlanningConfig,
    Purchased,
    SiteFacts,
    applicability,
    baseline_totals,
    classify,
    impact_of,
    irreplaceable_in,
    long_date,
    module_values,
    post_parcels,
    review_hierarchy,
)
from bng.planning import (
    planning_tables as tables,
)

from .errors import DocumentInputError

KINDS = ("statement", "draft-gain-plan", "gain-plan", "hmmp")
TEMPLATES = {
    "statement": "planning/statement.html.j2",
    "draft-gain-plan": "planning/gain_plan.html.j2",
    "gain-plan": "planning/gain_plan.html.j2",
    "hmmp": "planning/hmmp.html.j2",
}
TITLES = {
    "statement": "Biodiversity Statement",
    "draft-gain-plan": "Draft biodiversity gain plan",
    "gain-plan": "Biodiversity gain plan",
    "hmmp": "Habitat management and monitoring plan (skeleton)",
}
SECURED = {
    BY_S106: "a section 106 agreement (30 years)",
    "significant: secured by condition": "a planning condition (30 years)",
    "significant": "a planning condition, section 106 agreement or conservation covenant (30 years), "
    "as the LPA decides",
}


@dataclass
class Case:
    """Everything the documents are made from."""

    application: Application
    site: Site
    result: Result
    metric: MetricRef
    profile: LpaProfile
    applicability: Applicability
    hierarchy: HierarchyReview
    parcels: tuple[Classified, ...]
    irreplaceable: tuple[IrreplaceableFound, ...]
    allocations: tuple[Allocated, ...] = ()
    purchases: tuple[Purchased, ...] = ()
    plans: dict[str, str] = field(default_factory=dict)  # stage -> SVG markup of the plan
    prepared_on: date = field(default_factory=date.today)
    prepared_by: str = ""


def build_case(
    app: Application,
    site: Site,
    metric: MetricRef,
    profile: LpaProfile,
    *,
    former: dict[str, str] | None = None,
    allocations: tuple[Allocated, ...] = (),
    purchases: tuple[Purchased, ...] = (),
    plans: dict[str, str] | None = None,
    prepared_on: date | None = None,
    config: PlanningConfig = DEFAULT,
) -> Case:
    """Everything the documents say, gathered once from the application, its metric and the register."""
    result = calculate(site)
    facts = applicability(app, impact_of(site), config)
    parcels = classify(
        post_parcels(site, result, former),
        profile.significance_profile,
        SiteFacts(baseline_totals(site, result), facts.major.major),
    )
    return Case(
        app,
        site,
        result,
        metric,
        profile,
        facts,
        review_hierarchy(app, site, result),
        parcels,
        irreplaceable_in(site),
        allocations,
        purchases,
        plans or {},
        prepared_on or date.today(),
        app.agent or app.applicant,
    )


def gain_plan(case: Case, status: str = "draft") -> GainPlan:
    """The biodiversity gain plan's contents (draft or final), in the order of DEFRA's template."""
    a = case.application
    return GainPlan(
        status=status,
        application=a,
        prepared_on=case.prepared_on,
        metric=case.metric,
        pre_development_date=a.pre_development_date or a.application_date,
        values=module_values(case.site, case.result, case.purchases),
        hierarchy=case.hierarchy,
        irreplaceable=case.irreplaceable,
        parcels=case.parcels,
        significance_profile=case.profile.significance_profile,
        lpa_profile=case.profile.code,
        allocations=case.allocations,
        purchases=case.purchases,
        plans=tuple(sorted(case.plans)),
        prepared_by=case.prepared_by,
        phase=a.phase,
        phases=tuple(PhaseValue(p, dict(v)) for p, v in a.phases),
    )


def svg_plan(map_file: Path, baseline: Path | None, planning_reference: str, on: date) -> str:
    """A habitat plan drawn by ``bng gis plan`` (bng.gis.plan.draw_plan), as inline SVG markup.

    Its element ids are its own: two plans in one document must not share an id.
    """
    from bng.gis import draw_plan

    with tempfile.TemporaryDirectory(prefix="bng-plan-") as tmp:
        out = Path(tmp) / "plan.svg"
        draw_plan(map_file, out, baseline=baseline, planning_reference=planning_reference, when=on)
        text = out.read_text(encoding="utf-8")
    prefix = "post" if baseline is not None else "base"
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text[text.index("<svg") :])
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)


def _n(v: float | None, places: int = 4) -> str:
    return "—" if v is None else f"{v:,.{places}f}"


def _years(v: object) -> str:
    if v is None or v == "" or v == 0 or v == 0.0:
        return "0"
    return str(v).removesuffix(".0")


def _common(case: Case, kind: str) -> dict[str, Any]:
    a = case.application
    title = TITLES[kind]
    return {
        "title": f"{title}: {a.reference or a.development}",
        "issuer": a.applicant or "Applicant",
        "header_left": title,
        "header_right": a.reference,
        "footer_left": f"Prepared {long_date(case.prepared_on)} with bng; metric release {case.result.metric_release}",
        "doc_title": title,
        "reference": a.reference,
        "development": a.development,
        "site_address": a.site_address,
        "applicant": a.applicant,
        "agent": a.agent,
        "lpa": a.lpa or case.profile.name,
        "prepared_on": long_date(case.prepared_on),
        "prepared_by": case.prepared_by,
        "metric": {
            "file": case.metric.file,
            "sha256": case.metric.sha256,
            "release": case.metric.title,
            "engine": case.result.metric_release,
            "publication_date": long_date(case.metric.publication_date) if case.metric.publication_date else "—",
        },
        "values": [
            {
                "module": MODULE_NAMES[m],
                "pre": _n(r.on_site.baseline_units),
                "post": _n(r.on_site.post_intervention_units),
                "change": _n(r.on_site.net_change_units),
                "percent": "—" if r.on_site.net_change_percent is None else f"{r.on_site.net_change_percent:,.2f} %",
            }
            for m, r in case.result.modules.items()
        ],
    }


def _parcel_rows(parcels: tuple[Classified, ...]) -> list[dict[str, str]]:
    return [
        {
            "ref": c.parcel.ref,
            "module": c.parcel.module,
            "intervention": c.parcel.intervention,
            "habitat": c.parcel.habitat,
            "condition": c.parcel.condition,
            "size": f"{c.parcel.size:,.4f} {c.parcel.unit}",
            "units": _n(c.parcel.units),
            "tier": c.tier,
            "why": c.explanation(),
            "secured": SECURED.get(c.tier, "—"),
            "years": _years(c.parcel.years_to_target) if c.parcel.years_to_target is not None else "see the metric",
            "advance": _years(c.parcel.advance_years),
            "delay": _years(c.parcel.delay_years),
            "distinctiveness": c.parcel.band or "—",
        }
        for c in parcels
    ]


def statement_context(case: Case) -> dict[str, Any]:
    a = case.application
    ctx = _common(case, "statement")
    t = tables()
    pre = a.pre_development_date or a.application_date
    deg = a.degradation
    offsite = [f"{x.reference} (gain site {x.gain_site})" for x in case.allocations]
    credits = [x.reference for x in case.purchases]
    answers = {
        "condition": case.applicability.verdict()
        + (
            ""
            if case.applicability.condition_applies
            else " " + "; ".join(o.why for o in case.applicability.exemptions)
        ),
        "pre-development-value": (
            f"{_n(case.result.modules['area'].on_site.baseline_units)} habitat units, "
            f"{_n(case.result.modules['hedgerow'].on_site.baseline_units)} hedgerow units and "
            f"{_n(case.result.modules['watercourse'].on_site.baseline_units)} watercourse units, "
            f"on {long_date(pre) if pre else 'the date of application'}"
        ),
        "earlier-date": (
            f"{long_date(a.pre_development_date)}: {a.earlier_date_reason}"
            if a.pre_development_date and a.application_date and a.pre_development_date < a.application_date
            else "Not applicable: the pre-development date is the date of application."
        ),
        "metric-version": f"{case.metric.title}; publication date "
        f"{long_date(a.metric_publication_date) if a.metric_publication_date else ctx['metric']['publication_date']}",
        "degradation": (
            "No: no activities since 30 January 2020 have reduced the biodiversity value of the onsite habitat."
            if a.degradation_after_2020 is False
            else (
                f"Yes: on {long_date(deg.on) if deg and deg.on else '(date not given)'}; "
                "the value immediately before was "
                f"{deg.pre_loss_value if deg and deg.pre_loss_value is not None else '(not given)'} units. "
                f"Evidence: {deg.evidence if deg else '(not given)'}"
                if a.degradation_after_2020
                else "[Not stated: say whether habitat was degraded on or after 30 January 2020.]"
            )
        ),
        "irreplaceable": (
            "; ".join(
                f"{i.habitat} ({i.ref}, {_n(i.size)} {'ha' if i.module == 'area' else 'km'}; SI 2024/48: "
                f"{', '.join(d.description for d in i.descriptions) or 'see the metric'})"
                for i in case.irreplaceable
            )
            + (f". {a.irreplaceable_details}" if a.irreplaceable_details else "")
            if case.irreplaceable
            else "None: the metric records no irreplaceable habitat on site."
        ),
        "post-development-value": (
            f"{_n(case.result.modules['area'].on_site.post_intervention_units)} habitat units, "
            f"{_n(case.result.modules['hedgerow'].on_site.post_intervention_units)} hedgerow units and "
            f"{_n(case.result.modules['watercourse'].on_site.post_intervention_units)} watercourse units on site"
        ),
        "design-steps": case.hierarchy.steps[0].answer.evidence
        or "[To be completed: the design steps taken to avoid and minimise adverse impacts, the approach to on-site "
        "enhancement and connectivity beyond the site, and any restoration or creation of priority habitat.]",
        "off-site-and-credits": (
            ("Registered off-site gains: " + "; ".join(offsite) + ". " if offsite else "No registered off-site gains. ")
            + ("Statutory credits: " + "; ".join(credits) + "." if credits else "No statutory credits.")
        ),
        "condition-sheets": "[Appendix: the condition assessment sheets used in completing the metric.]",
    }
    ctx["items"] = [
        {"scope": h.detail, "order": h.order, "title": h.title, "answer": answers.get(h.code, ""), "source": h.source}
        for h in t.statement_items
    ]
    ctx["local_target"] = f"{case.profile.local_target_percent:g} %"
    return ctx


def gain_plan_context(case: Case, plan: GainPlan) -> dict[str, Any]:
    a = case.application
    ctx = _common(case, "gain-plan" if plan.status == "final" else "draft-gain-plan")
    ctx["status"] = plan.status
    ctx["contents"] = [{"order": h.order, "code": h.code, "title": h.title, "basis": h.detail} for h in plan.contents]
    ctx["pre_date"] = long_date(plan.pre_development_date) if plan.pre_development_date else "—"
    ctx["earlier_reason"] = a.earlier_date_reason
    ctx["degradation"] = {True: "Yes (see the Biodiversity Statement)", False: "No", None: "Not stated"}[
        a.degradation_after_2020
    ]
    ctx["steps"] = [
        {
            "title": s.step.title,
            "followed": s.answer.followed or "not stated",
            "evidence": s.answer.evidence or "—",
            "finding": s.answer.officer_finding or "—",
            "shown": {True: "yes", False: "no", None: "—"}[s.shown_by_metric],
        }
        for s in plan.hierarchy.steps
    ]
    ctx["contradictions"] = [c.message for c in plan.hierarchy.contradictions]
    ctx["irreplaceable"] = [
        {
            "ref": i.ref,
            "habitat": i.habitat,
            "si": ", ".join(d.description for d in i.descriptions) or "—",
            "lost": _n(i.lost),
            "compensation": i.bespoke_compensation,
        }
        for i in plan.irreplaceable
    ]
    ctx["allocations"] = [
        {
            "reference": x.reference,
            "gain_site": x.gain_site,
            "units": ", ".join(f"{v:,.4f} {k}" for k, v in x.units.items()) or "—",
            "state": {True: "confirmed on the register", False: "NOT confirmed", None: "not verified"}[x.verified],
        }
        for x in plan.allocations
    ]
    ctx["purchases"] = [
        {
            "reference": x.reference,
            "credits": ", ".join(f"{v:,.2f} {k}" for k, v in x.credits.items()) or "—",
            "state": {True: "confirmed on the register", False: "NOT confirmed", None: "not verified"}[x.verified],
        }
        for x in plan.purchases
    ]
    ctx["objective"] = [
        {
            "module": MODULE_NAMES[v.module],
            "pre": _n(v.pre_development),
            "post": _n(v.post_development),
            "offsite": _n(v.offsite_change),
            "credits": _n(v.credits_units),
            "percent": "—" if v.percent is None else f"{v.percent:,.2f} %",
            "met": "yes" if v.objective_met else "NO",
        }
        for v in plan.values
    ]
    ctx["objective_met"] = plan.objective_met
    ctx["significant"] = _parcel_rows(plan.significant)
    ctx["all_parcels"] = _parcel_rows(plan.parcels)
    ctx["profile"] = case.profile.significance_profile
    ctx["plans"] = [
        {"stage": stage, "svg": Markup(svg)}
        for stage, svg in sorted(case.plans.items())
        if svg.lstrip().startswith("<svg")
    ]
    ctx["metric_rows"] = [
        {
            "module": r.module,
            "stage": r.stage,
            "ref": r.ref,
            "units": _n(r.units),
        }
        for r in case.result.rows
        if r.location == "on_site"
    ]
    return ctx


def hmmp_context(case: Case, plan: GainPlan) -> dict[str, Any]:
    ctx = _common(case, "hmmp")
    rows = _parcel_rows(plan.significant)
    ctx["parcels"] = rows
    ctx["profile"] = case.profile.significance_profile
    ctx["sections"] = [
        {"order": h.order, "code": h.code, "title": h.title, "content": h.detail, "source": h.source}
        for h in tables().hmmp_sections
    ]
    return ctx


def render(case: Case, kind: str) -> tuple[dict[str, Any], str, bytes, dict[str, Any]]:
    """(context, HTML, PDF, JSON data) of one document: statement, draft-gain-plan, gain-plan or hmmp."""
    if kind not in KINDS:
        raise ValueError(f"unknown document {kind!r}; expected one of {', '.join(KINDS)}")
    plan = gain_plan(case, "final" if kind == "gain-plan" else "draft")
    if kind == "statement":
        ctx = statement_context(case)
        data = {"schema": "bng/biodiversity-statement/1", "items": ctx["items"], "reference": ctx["reference"]}
    elif kind == "hmmp":
        ctx = hmmp_context(case, plan)
        data = {
            "schema": "bng/hmmp-skeleton/1",
            "reference": ctx["reference"],
            "significant_parcels": [c.to_dict() for c in plan.significant],
        }
    else:
        ctx = gain_plan_context(case, plan)
        data = plan.to_dict()
    html = render_html(TEMPLATES[kind], ctx)
    created = datetime.combine(case.prepared_on, datetime.min.time())
    pdf = render_pdf(TEMPLATES[kind], ctx, title=ctx["title"], created=created)
    return ctx, html, pdf, data


def write_documents(case: Case, out: Path, kinds: tuple[str, ...] = KINDS) -> list[Path]:
    """Each document as NAME.html, NAME.pdf and NAME.json in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in kinds:
        _ctx, html, pdf, data = render(case, kind)
        for suffix, content in (
            (".html", html),
            (".json", json.dumps(data, indent=2, ensure_ascii=False, default=str)),
        ):
            p = out / f"{kind}{suffix}"
            p.write_text(content, encoding="utf-8")
            written.append(p)
        p = out / f"{kind}.pdf"
        p.write_bytes(pdf)
        written.append(p)
    return written


def metric_ref(path: Path | None, site: Site, sha256: str = "", title: str = "") -> MetricRef:
    """What the documents say of the metric used: file, digest, release and its publication date."""
    rel = load(site.metric_release)
    dates = tables().parameters["statutory_metric_publication_dates"].value.split("|")
    return MetricRef(
        path.name if path else "(site file)",
        sha256,
        site.metric_release,
        title or rel.title,
        date.fromisoformat(dates[-1]),
    )


def register_items(app: Application, records: Any) -> tuple[tuple[Allocated, ...], tuple[Purchased, ...], list[str]]:
    """The application's allocations and credit purchases as the register records them."""
    notes: list[str] = []
    allocations: list[Allocated] = []
    purchases: list[Purchased] = []
    for ref in dict.fromkeys(r.strip().upper() for r in app.allocations):
        rec = records.allocation(ref) if records is not None and records.available else None
        if rec is None:
            verified = None if records is None or not records.available else False
            allocations.append(Allocated(ref, "", {}, verified, "not on the register" if verified is False else ""))
            continue
        mine = rec.planning_reference.strip().lower() == app.reference.strip().lower()
        allocations.append(
            Allocated(
                ref, rec.gain_site, dict(rec.units), mine, "" if mine else f"allocated to {rec.planning_reference}"
            )
        )
    for ref in dict.fromkeys(r.strip().upper() for r in app.credit_purchases):
        bought = records.credit_purchase(ref) if records is not None and records.available else None
        if bought is None:
            verified = None if records is None or not records.available else False
            purchases.append(Purchased(ref, {}, verified, "no such purchase" if verified is False else ""))
            continue
        mine = bought.planning_reference.strip().lower() == app.reference.strip().lower() and bought.allocated
        purchases.append(Purchased(ref, dict(bought.credits), mine, "" if mine else "not this development's"))
    if (records is None or not records.available) and (app.allocations or app.credit_purchases):
        notes.append("no register configured: allocations and credit purchases are shown as not verified")
    return tuple(allocations), tuple(purchases), notes


def case_from_submission(
    path: Path,
    *,
    lpa: str | None = None,
    records: Any = None,
    config: PlanningConfig = DEFAULT,
    today: date | None = None,
) -> tuple[Case, list[str]]:
    """The documents' case from a submission: its application.json, metric and maps."""
    from bng.gis import MapError, MetricError, load_maps, read_metric
    from bng.planning import parse_application

    from .bundle import declare, open_bundle
    from .check import former_habitats, profile_of

    today = today or date.today()
    notes: list[str] = []
    with open_bundle(path) as bundle:
        if bundle.application is None:
            raise DocumentInputError(f"{path}: no application.json, so nothing to write the documents from")
        try:
            data = json.loads(bundle.application.path.read_bytes().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise DocumentInputError(f"{bundle.application.name}: not valid JSON ({err})") from None
        app, issues = parse_application(data)
        notes += [str(i) for i in issues]
        declare(bundle, [(d.file, d.type) for d in app.documents])
        books = bundle.of_type("metric")
        if not books:
            raise DocumentInputError(f"{path}: no metric workbook (.xlsx or .xlsm), so no values to write")
        try:
            metric = read_metric(books[0].path)
        except MetricError as err:
            raise DocumentInputError(str(err)) from None
        if lpa and tables().lpa(lpa) is None:
            raise DocumentInputError(f"--lpa {lpa!r}: no such LPA profile")
        profile = profile_of(lpa, app)
        maps = {f.type: f.path for f in bundle.of_type("baseline-map", "post-intervention-map")}
        plans: dict[str, str] = {}
        former: dict[str, str] = {}
        base, post = maps.get("baseline-map"), maps.get("post-intervention-map")
        try:
            if base is not None:
                plans["baseline"] = svg_plan(base, None, app.reference, today)
            if base is not None and post is not None:
                plans["post-intervention"] = svg_plan(post, base, app.reference, today)
                labels = {k[3]: v for k, v in metric.labels.items() if k[1] == "on_site" and k[2] == "creation"}
                by_map = former_habitats(load_maps([base, post]).mapped)
                former = {
                    r.ref: by_map[labels.get(r.ref, r.ref)]
                    for r in metric.site.on_site.area.creation
                    if labels.get(r.ref, r.ref) in by_map
                }
        except (MapError, ValueError) as err:
            notes.append(f"habitat plans not drawn: {str(err).splitlines()[0]}")
        allocations, purchases, more = register_items(app, records)
        notes += more
        ref = metric_ref(books[0].path, metric.site, books[0].sha256())
        case = build_case(
            app,
            metric.site,
            ref,
            profile,
            former=former,
            allocations=allocations,
            purchases=purchases,
            plans=plans,
            prepared_on=today,
            config=config,
        )
        return case, notes


__all__ = [
    "KINDS",
    "Case",
    "DocumentInputError",
    "build_case",
    "case_from_submission",
    "gain_plan",
    "metric_ref",
    "render",
    "svg_plan",
    "write_documents",
]
