"""``bng gis …``: habitat map commands.

Exit status: 0 when all is well, 1 when a rule fails (validation errors, or input problems in
what was calculated), 2 when a file cannot be used at all.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from bng.metric import MODULE_NAMES, MODULES, Project, calculate, result_to_dict, site_to_dict

from .errors import MapError, MetricError, PlanError
from .findings import Finding
from .sitemap import DEFAULT_GAIN_SITE
from .validate import Report, validate
from .workflow import Loaded, load_maps, stage_option

gis_app = typer.Typer(help="Habitat maps: validate, convert to a site, reconcile and draw plans.", no_args_is_help=True)

Stage = Annotated[
    str | None,
    typer.Option("--stage", help="baseline or post-intervention (default: from the file name, else its contents)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
GainSite = Annotated[
    str, typer.Option(help="Register reference of the gain site that the maps' off-site rows belong to.")
]
PlanningRef = Annotated[str, typer.Option(help="Planning application reference, e.g. 24/00001/FUL.")]
Release = Annotated[str | None, typer.Option(help="Metric release (default: the current statutory metric).")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _print_findings(findings: list[Finding], *, err: bool = False) -> None:
    for f in findings:
        typer.echo(f"  {f}", err=err)


def _report_text(r: Report) -> str:
    lines = [f"{r.path} — {r.format or 'unreadable'}, {r.stage or 'stage unknown'}"]
    if r.counts:
        lines.append("  " + ", ".join(f"{name}: {n}" for name, n in r.counts.items()))
    for f in r.findings:
        lines.append(f"  {f}")
    n_err, n_warn = len(r.errors), sum(1 for f in r.findings if f.level == "warning")
    verdict = "valid" if r.ok else f"NOT valid: {n_err} error(s)"
    lines.append(f"{verdict}; {n_warn} warning(s); DEFRA's service would {'accept' if r.defra_ok else 'refuse'} it")
    return "\n".join(lines)


@gis_app.command("validate")
def validate_command(
    files: Annotated[list[Path], typer.Argument(help="GeoPackage, or folder / .zip of Shapefiles or GeoJSON files.")],
    stage: Stage = None,
    as_json: AsJson = False,
    defra: Annotated[bool, typer.Option("--defra", help="Fail as DEFRA's service would (its rules only).")] = False,
    release: Release = None,
) -> None:
    """Check habitat maps against the GeoPackage standard; exit status 1 when a rule fails."""
    reports = [validate(f, stage_option(stage), release=release) for f in files]
    if as_json:
        doc: Any = [r.to_dict() for r in reports]
        typer.echo(json.dumps(doc[0] if len(doc) == 1 else doc, indent=2, ensure_ascii=False))
    else:
        typer.echo("\n\n".join(_report_text(r) for r in reports))
    failed = any((not r.defra_ok) if defra else (not r.ok) for r in reports)
    if any(r.format is None for r in reports):
        raise typer.Exit(2)
    if failed:
        raise typer.Exit(1)


def _build(maps: list[Path], gain_site: str, planning_reference: str, release: str | None, lpa: str = "") -> Loaded:
    if not 1 <= len(maps) <= 2:
        raise _fail("give the baseline map, and the post-intervention map if there is one")
    try:
        return load_maps(maps, Project(planning_reference=planning_reference, lpa=lpa), gain_site, release)
    except MapError as err:
        raise _fail(str(err)) from None


@gis_app.command("to-site")
def to_site_command(
    maps: Annotated[list[Path], typer.Argument(help="The baseline map, then the post-intervention map.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the JSON site file.")],
    gain_site: GainSite = DEFAULT_GAIN_SITE,
    planning_reference: PlanningRef = "",
    lpa: Annotated[str, typer.Option(help="Local planning authority.")] = "",
    release: Release = None,
) -> None:
    """Turn habitat maps into the site file the metric engine calculates (bng metric calculate)."""
    built = _build(maps, gain_site, planning_reference, release, lpa)
    output.write_text(json.dumps(site_to_dict(built.mapped.site), indent=2, ensure_ascii=False) + "\n")
    site = built.mapped.site
    rows = site.on_site.row_count() + site.off_site.row_count()
    typer.echo(f"wrote {output}: {rows} rows from {', '.join(str(m) for m in maps)}")
    if built.findings:
        typer.echo("Map problems (the site file was written; check these before relying on it):")
        _print_findings(built.findings)
    if any(f.level == "error" for f in built.findings):
        raise typer.Exit(1)


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "—"
    return f"{v:,.2f}%" if pct else f"{v:,.2f}"


@gis_app.command("calculate")
def calculate_command(
    maps: Annotated[list[Path], typer.Argument(help="The baseline map, then the post-intervention map.")],
    as_json: AsJson = False,
    gain_site: GainSite = DEFAULT_GAIN_SITE,
    planning_reference: PlanningRef = "",
    release: Release = None,
) -> None:
    """Calculate biodiversity units straight from habitat maps."""
    built = _build(maps, gain_site, planning_reference, release)
    result = calculate(built.mapped.site)
    if as_json:
        doc = result_to_dict(result)
        doc["map_findings"] = [f.to_dict() for f in built.findings]
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        typer.echo(f"{built.mapped.site.project.name} — metric release {result.metric_release}")
        typer.echo(f"{'':28}" + "".join(f"{MODULE_NAMES[m]:>{w}}" for m, w in zip(MODULES, (16, 14, 14), strict=True)))
        mods = [result.modules[m] for m in ("area", "hedgerow", "watercourse")]
        lines = [
            ("Baseline units", [m.on_site.baseline_units for m in mods], False),
            ("Post-intervention units", [m.on_site.post_intervention_units for m in mods], False),
            ("Total net change", [m.total_net_change_units for m in mods], False),
            ("Total net change %", [m.total_net_change_percent for m in mods], True),
            ("Unit deficit", [m.unit_deficit for m in mods], False),
        ]
        for label, values, pct in lines:
            typer.echo(
                f"{label:28}" + "".join(f"{_fmt(v, pct):>{w}}" for v, w in zip(values, (16, 14, 14), strict=True))
            )
        met = ["yes" if m.target_met else ("—" if m.target_met is None else "NO") for m in mods]
        typer.echo(f"{'Target met':28}{met[0]:>16}{met[1]:>14}{met[2]:>14}")
        typer.echo(f"Trading rules satisfied: {'yes' if result.trading_all_satisfied else 'NO'}")
        problems = [r for r in result.rows if any("▲" in m for m in r.messages)]
        if built.findings or problems or result.issues:
            typer.echo("Problems:")
            _print_findings(built.findings)
            for r in problems:
                typer.echo(
                    f"  {r.module} {r.location.replace('_', '-')} {r.stage} row {r.ref!r}: {'; '.join(r.messages)}"
                )
            for i in result.issues:
                typer.echo(f"  {i}")
    if any(f.level == "error" for f in built.findings) or result.issues:
        raise typer.Exit(1)


@gis_app.command("export")
def export_command(
    maps: Annotated[list[Path], typer.Argument(help="The baseline map, then the post-intervention map.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write the files into.")],
    fmt: Annotated[str, typer.Option("--format", help="gpkg (DEFRA's standard), shapefile or geojson.")] = "gpkg",
    gain_site: GainSite = DEFAULT_GAIN_SITE,
    release: Release = None,
) -> None:
    """Write the maps as the standard's GeoPackage pair (or Shapefiles / GeoJSON with the same attributes)."""
    from .export import WRITERS, export_site

    if fmt not in WRITERS:
        raise _fail(f"unknown format {fmt!r}; expected one of {', '.join(WRITERS)}")
    built = _build(maps, gain_site, "", release)
    output.mkdir(parents=True, exist_ok=True)
    suffix = {"gpkg": ".gpkg", "shapefile": ".zip", "geojson": ""}[fmt]
    has_post = len(maps) == 2
    written = export_site(
        built.mapped,
        output / f"baseline{suffix}",
        output / f"post-intervention{suffix}" if has_post else None,
        fmt,
    )
    for p in written:
        typer.echo(f"wrote {p}")
    _print_findings(built.findings)


@gis_app.command("plan")
def plan_command(
    map_file: Annotated[Path, typer.Argument(help="The map to draw (baseline or post-intervention).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The plan: .pdf, .png or .svg.")],
    baseline: Annotated[Path | None, typer.Option(help="The baseline map, to score a post-intervention plan.")] = None,
    scale: Annotated[int | None, typer.Option(help="Scale denominator, e.g. 1250 (default: chosen to fit).")] = None,
    paper: Annotated[str | None, typer.Option(help="A4 or A3 (default: chosen to fit).")] = None,
    planning_reference: PlanningRef = "",
    plan_date: Annotated[str | None, typer.Option("--date", help="Date on the title block (default: today).")] = None,
    stage: Stage = None,
    release: Release = None,
) -> None:
    """Draw a habitat plan to scale with scale bar, north arrow, red line, legend and title block."""
    from .plan import draw_plan

    try:
        when = date.fromisoformat(plan_date) if plan_date else date.today()
    except ValueError:
        raise _fail(f"--date {plan_date!r} is not a date such as 2026-11-22") from None
    try:
        made = draw_plan(
            map_file,
            output,
            baseline=baseline,
            scale=scale,
            paper=paper,
            planning_reference=planning_reference,
            when=when,
            stage=stage_option(stage),
            release=release,
        )
    except (MapError, PlanError) as err:
        raise _fail(str(err)) from None
    typer.echo(f"wrote {output}: {made.title}, scale 1:{made.scale:,} on {made.paper} {made.orientation}")
    _print_findings(made.findings)


@gis_app.command("reconcile")
def reconcile_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="The baseline map (and the post-intervention map), then the metric: .xlsx/.xlsm or site JSON."
        ),
    ],
    tolerance_ha: Annotated[float, typer.Option(help="Area difference allowed, in hectares.")] = 0.01,
    tolerance_km: Annotated[float, typer.Option(help="Length difference allowed, in kilometres.")] = 0.01,
    as_json: AsJson = False,
    gain_site: GainSite = DEFAULT_GAIN_SITE,
    release: Release = None,
) -> None:
    """Compare a map with a metric, parcel by parcel and in total; exit status 1 when they differ."""
    from .reconcile import STAGES, read_metric, reconcile

    if len(files) < 2:
        raise _fail("give the map(s) and then the metric workbook or site file")
    *maps, metric = files
    built = _build(maps, gain_site, "", release)
    try:
        site = read_metric(metric, release)
    except MetricError as err:
        raise _fail(str(err)) from None
    baseline_only = len(maps) == 1 and built.features[0].stage == "baseline"
    result = reconcile(
        built.mapped.site,
        site,
        tolerance_ha=tolerance_ha,
        tolerance_km=tolerance_km,
        stages=("baseline",) if baseline_only else STAGES,
    )
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(result.text(map_name=", ".join(str(m) for m in maps), metric_name=str(metric)))
    if not result.agrees:
        raise typer.Exit(1)
