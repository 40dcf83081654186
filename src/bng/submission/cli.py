"""``bng planning …``: the commands' work (``bng.cli`` declares them and imports this when one runs).

``applicability APPLICATION.json``: exit 0 when decided (the condition applies, or an
exemption does), 1 when facts are missing, 2 when the file cannot be used.
``validate FOLDER|ZIP``: exit 0 valid, 1 invalid, 2 when the submission cannot be opened.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import typer

from bng.planning import (
    DEFAULT,
    Applicability,
    Application,
    ConfigError,
    Impact,
    PlanningConfig,
    SsmEligibility,
    applicability,
    bng_module,
    impact_of,
    long_date,
    parse_application,
    parse_commencements,
    ssm_eligibility,
)

from .records import Records

MAX_APPLICATION_BYTES = 2 * 1024 * 1024
MARKS = {"applies": "✓", "does not apply": "·", "not in force": "–", "cannot decide": "?"}


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def config_from(commencement: str | None) -> PlanningConfig:
    """--commencement, else BNG_PLANNING_COMMENCEMENTS, else nothing commenced."""
    text = commencement if commencement is not None else os.environ.get("BNG_PLANNING_COMMENCEMENTS", "")
    if not text.strip():
        return DEFAULT
    try:
        return parse_commencements(text)
    except ConfigError as err:
        raise _fail(str(err)) from None


def _read_json(path: Path) -> Any:
    try:
        size = path.stat().st_size
    except OSError as err:
        raise _fail(f"{path}: cannot read the file ({err.strerror})") from None
    if size > MAX_APPLICATION_BYTES:
        raise _fail(f"{path}: {size:,} bytes is more than the {MAX_APPLICATION_BYTES:,} an application file may be")
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _fail(f"{path}: not a UTF-8 text file; an application file is JSON") from None
    except json.JSONDecodeError as err:
        raise _fail(f"{path}: not valid JSON at line {err.lineno} column {err.colno}: {err.msg}") from None


def _metric_impact(path: Path) -> tuple[Impact, Any]:
    from bng.gis import MetricError, read_metric

    try:
        metric = read_metric(path)
    except MetricError as err:
        raise _fail(str(err)) from None
    return impact_of(metric.site), metric.site


def _maps_impact(baseline: Path, post: Path) -> tuple[Impact, Any]:
    """The habitat impacted, from the baseline and post-intervention maps (bng gis to-site's site)."""
    from bng.gis import MapError, load_maps

    try:
        site = load_maps([baseline, post]).mapped.site
    except MapError as err:
        raise _fail(str(err).splitlines()[0]) from None
    return impact_of(site), site


def _listed(application: Path, app: Application, kind: str) -> Path | None:
    """A document of the application's list, if it is beside application.json (never outside its folder)."""
    for d in app.documents:
        if d.type == kind:
            candidate = (application.parent / d.file).resolve()
            if application.parent.resolve() in candidate.parents and candidate.exists():
                return candidate
    return None


def _text(result: Applicability, ssm: SsmEligibility, module: dict[str, Any], measured: str = "") -> str:
    a = result.application
    made = f", made {long_date(a.application_date)}" if a.application_date else ""
    out = [f"Planning application {a.reference or '(no reference)'}: {a.application_type}{made}", "", result.verdict()]
    major = result.major
    out.append(
        "Major development: "
        + {True: "yes", False: "no", None: "not known"}[major.major]
        + " — "
        + "; ".join(major.reasons)
    )
    im = result.impact
    if im.source:
        out.append(
            f"Habitat impacted ({f'measured from {measured}' if im.source == 'metric' else 'as stated'}): "
            f"{'—' if im.area_m2 is None else f'{im.area_m2:,.2f} m²'}, "
            f"{'—' if im.length_m is None else f'{im.length_m:,.2f} m'} of linear habitat; priority habitat "
            + {True: "impacted", False: "not impacted", None: "not known"}[im.priority_impacted]
        )
    out += ["", "Rules (exemption_rules.csv):"]
    for o in result.considered:
        out.append(f"  {MARKS[o.outcome]} {o.outcome:15} {o.rule.title}: {o.why}")
        if o.outcome == "applies":
            out.append(f"      the law: {o.rule.test} ({o.rule.legal_source})")
            out.append(f"      evidence the LPA needs: {o.rule.evidence}")
        if o.missing:
            out.append(f"      needs: {', '.join(o.missing)}")
    if result.commencements:
        out.append(
            "  (commencements configured: " + ", ".join(f"{k} on {v}" for k, v in result.commencements.items()) + ")"
        )
    out += [
        "",
        "Small Sites Metric: " + {True: "may be used", False: "may not be used", None: "not decided"}[ssm.eligible],
    ]
    out += [f"  {'✓' if c.met else ('✗' if c.met is False else '?')} {c.title}: {c.detail}" for c in ssm.criteria]
    out.append(f"  {ssm.note}")
    if result.notes:
        out += ["", "Notes:"] + [f"  {n}" for n in result.notes]
    out += ["", "MHCLG planning application data specification, bng module:", json.dumps(module["bng"], indent=2)]
    for u in module.get("unmapped", []):
        out.append(f"  (no bng-exemption-type code for {u['title']}: the codelist of 2025-07-15 has none)")
    return "\n".join(out)


def applicability_command(application: Path, *, as_json: bool, metric: Path | None, commencement: str | None) -> int:
    """``bng planning applicability``: whether the condition applies; exit code 1 when the facts cannot decide."""
    config = config_from(commencement)
    data = _read_json(application)
    app, issues = parse_application(data)
    if isinstance(data, dict) and not isinstance(data.get("application_type", "full"), str):
        raise _fail(f"{application}: application_type must be text")
    metric_path = metric or _listed(application, app, "metric")
    impact, site = (None, None)
    measured = metric_path.name if metric_path is not None else ""
    if metric_path is not None:
        impact, site = _metric_impact(metric_path)
    else:
        base, post = _listed(application, app, "baseline-map"), _listed(application, app, "post-intervention-map")
        if base is not None and post is not None:
            impact, site = _maps_impact(base, post)
            measured = f"the maps {base.name} and {post.name}"
    result = applicability(app, impact, config)
    ssm = ssm_eligibility(app, site)
    baseline = None
    if site is not None:
        from bng.metric import calculate

        baseline = calculate(site).modules["area"].on_site.baseline_units
    module = bng_module(result, pre_development_value=baseline)
    if as_json:
        doc = result.to_dict()
        doc["input_problems"] = [{"field": i.field, "message": i.message} for i in issues]
        doc["small_sites_metric"] = ssm.to_dict()
        doc["mhclg"] = module
        doc["measured_from"] = measured or None
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        if issues:
            typer.echo("Problems with the application's facts:")
            typer.echo("\n".join(f"  {i}" for i in issues))
            typer.echo("")
        typer.echo(_text(result, ssm, module, measured))
    return 1 if result.condition_applies is None else 0


def validate_command(
    submission: Path,
    *,
    lpa: str | None,
    as_json: bool,
    report: Path | None,
    commencement: str | None,
    on: str | None,
    records: Records | None,
) -> int:
    """``bng planning validate``: the submission checked against the national and local lists."""
    from .check import validate_submission
    from .errors import BundleError, UnknownLpa
    from .report import render_text, write_report

    config = config_from(commencement)
    try:
        today = date.fromisoformat(on) if on else date.today()
    except ValueError:
        raise _fail(f"--on {on!r} is not a date such as 2026-11-22") from None
    try:
        result = validate_submission(submission, lpa=lpa, records=records, config=config, today=today)
    except (BundleError, UnknownLpa) as err:
        raise _fail(str(err)) from None
    if report is not None:
        try:
            write_report(result, report)
        except OSError as err:
            raise _fail(f"{report}: cannot write the report ({err.strerror})") from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(render_text(result))
        if report is not None:
            typer.echo(f"\nReport written to {report}")
    return 0 if result.valid else 1


def documents_command(
    submission: Path,
    *,
    out: Path,
    lpa: str | None,
    kinds: list[str],
    on: str | None,
    commencement: str | None,
    records: Records | None,
) -> int:
    """Write the Biodiversity Statement, the draft or final gain plan and the HMMP skeleton of a submission."""
    from .documents import KINDS, case_from_submission, write_documents
    from .errors import BundleError, DocumentInputError, UnknownLpa

    config = config_from(commencement)
    for k in kinds:
        if k not in KINDS:
            raise _fail(f"--kind {k!r}: expected one of {', '.join(KINDS)}")
    try:
        today = date.fromisoformat(on) if on else date.today()
    except ValueError:
        raise _fail(f"--on {on!r} is not a date such as 2026-11-22") from None
    try:
        case, notes = case_from_submission(submission, lpa=lpa, records=records, config=config, today=today)
    except (BundleError, UnknownLpa, DocumentInputError) as err:
        raise _fail(str(err)) from None
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    try:
        written = write_documents(case, out, tuple(kinds) if kinds else ("statement", "draft-gain-plan", "hmmp"))
    except OSError as err:
        raise _fail(f"{out}: cannot write the documents ({err.strerror})") from None
    for p in written:
        typer.echo(f"wrote {p}")
    return 0
