"""The ``bng`` command line: ``bng metric calculate SITE.json`` and, as they come, more."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from bng.metric import calculate, load, parse_site, result_to_dict
from bng.metric.credits import cost
from bng.metric.result import ModuleResult, Result

app = typer.Typer(
    name="bng",
    help="Biodiversity net gain: the statutory biodiversity metric, its workbook, maps and register.",
    no_args_is_help=True,
    add_completion=False,
)
metric_app = typer.Typer(help="The statutory biodiversity metric.", no_args_is_help=True)
app.add_typer(metric_app, name="metric")

MAX_SITE_FILE_BYTES = 50 * 1024 * 1024
MODULE_NAMES = {"area": "Area habitats", "hedgerow": "Hedgerows", "watercourse": "Watercourses"}
UNITS = {"area": "habitat units", "hedgerow": "hedgerow units", "watercourse": "watercourse units"}


class InputError(Exception):
    """A file the command cannot use at all (missing, too large, not JSON)."""


def read_json(path: Path) -> Any:
    try:
        size = path.stat().st_size
    except OSError as err:
        raise InputError(f"{path}: cannot read the file ({err.strerror})") from None
    if size > MAX_SITE_FILE_BYTES:
        raise InputError(f"{path}: {size} bytes is larger than the {MAX_SITE_FILE_BYTES} bytes a site file may be")
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file; a site file is JSON") from None
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: not valid JSON at line {err.lineno} column {err.colno}: {err.msg}") from None


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "—"
    return f"{v:,.2f}%" if pct else f"{v:,.2f}"


def _yes(v: bool | None) -> str:
    return "—" if v is None else ("yes" if v else "NO")


def headline_table(result: Result) -> str:
    mods: list[ModuleResult] = [result.modules[m] for m in ("area", "hedgerow", "watercourse")]
    lines: list[tuple[str, list[str]]] = [
        ("On-site baseline", [_fmt(m.on_site.baseline_units) for m in mods]),
        ("On-site post-intervention", [_fmt(m.on_site.post_intervention_units) for m in mods]),
        ("On-site net change", [_fmt(m.on_site.net_change_units) for m in mods]),
        ("On-site net change %", [_fmt(m.on_site.net_change_percent, True) for m in mods]),
        ("Off-site baseline", [_fmt(m.off_site.baseline_units) for m in mods]),
        ("Off-site post-intervention", [_fmt(m.off_site.post_intervention_units) for m in mods]),
        ("Off-site net change", [_fmt(m.off_site.net_change_units) for m in mods]),
        ("Spatial risk (SRM) deductions", [_fmt(m.off_site.srm_deduction_units) for m in mods]),
        ("Total net change", [_fmt(m.total_net_change_units) for m in mods]),
        ("Total net change %", [_fmt(m.total_net_change_percent, True) for m in mods]),
        ("Target", [_fmt(m.target_percent, True) for m in mods]),
        ("Units required", [_fmt(m.units_required) for m in mods]),
        ("Unit deficit", [_fmt(m.unit_deficit) for m in mods]),
        ("Target met", [_yes(m.target_met) for m in mods]),
        ("Trading rules satisfied", [_yes(m.trading_rules_satisfied) for m in mods]),
    ]
    width = max(len(label) for label, _ in lines) + 2
    cols = [MODULE_NAMES[m.module] for m in mods]
    colw = [max(len(c), *(len(vals[i]) for _, vals in lines)) + 2 for i, c in enumerate(cols)]
    out = [" " * width + "".join(c.rjust(w) for c, w in zip(cols, colw, strict=True))]
    for label, vals in lines:
        out.append(label.ljust(width) + "".join(v.rjust(w) for v, w in zip(vals, colw, strict=True)))
    return "\n".join(out)


def trading_summary(result: Result) -> str:
    out = ["Trading summary"]
    for module, t in result.trading.items():
        name = MODULE_NAMES[module]
        failing = [b for b in t.bands if b.satisfied is False]
        unknown = [b for b in t.bands if b.satisfied is None]
        if not failing and not unknown:
            out.append(f"  {name}: every distinctiveness band satisfies its trading rule")
            continue
        for b in failing:
            band = b.band.replace("_", " ")
            parts = ", ".join(f"{f.habitat} ({_fmt(f.change_units)})" for f in b.failing)
            short = f" short by {_fmt(b.shortfall_units)} {UNITS[module]}" if b.shortfall_units else ""
            out.append(f"  {name}: {band} band fails ({b.rule}){short}" + (f": {parts}" if parts else ""))
        for b in unknown:
            out.append(f"  {name}: {b.band.replace('_', ' ')} band has no verdict (the workbook shows {b.verdict!r})")
    return "\n".join(out)


def credits_summary(result: Result, on: date) -> str | None:
    by_tier = result.credits.by_tier
    if all(v == 0 for v in by_tier.values()) and not result.credits.messages:
        return None
    cells = "  ".join(f"{tier} {_fmt(v)}" for tier, v in by_tier.items())
    lines = [f"Statutory credits needed (2 per unit short): {cells}"]
    lines += [f"  the workbook shows {m!r}" for m in result.credits.messages]
    try:
        costs = cost(by_tier, load(result.metric_release).credit_prices, on)
    except ValueError as err:
        lines.append(f"  cost: {err}")
    else:
        if costs:
            total = sum(c.cost_gbp for c in costs)
            parts = ", ".join(f"{c.tier} £{c.cost_gbp:,.0f}" for c in costs)
            lines.append(f"  cost at prices in force on {on.isoformat()}: £{total:,.0f} ex VAT ({parts})")
    return "\n".join(lines)


def problems(result: Result, issues: list[Any]) -> list[str]:
    out = [f"  {i}" for i in issues]
    out += [f"  {i}" for i in result.issues]
    for r in result.rows:
        errors = [m for m in r.messages if "▲" in m]
        if errors:
            where = f"{r.module} {r.location.replace('_', '-')} {r.stage}"
            if r.gain_site:
                where += f" (gain site {r.gain_site})"
            out.append(f"  {where} row {r.ref!r}: " + "; ".join(errors))
    return out


@metric_app.command("calculate")
def calculate_command(
    site_file: Annotated[Path, typer.Argument(help="A JSON site file (see docs/site-file.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    release: Annotated[str | None, typer.Option(help="Metric release to use (default: the site file's).")] = None,
    target: Annotated[
        float | None, typer.Option(help="Target net gain in per cent, e.g. 20 for a local policy.")
    ] = None,
    price_date: Annotated[
        str | None, typer.Option(help="Price statutory credits at the prices in force on this date (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Calculate a site's biodiversity units, net change, trading rules and credits."""
    try:
        on = date.fromisoformat(price_date) if price_date else date.today()
    except ValueError:
        typer.echo(f"error: --price-date {price_date!r} is not a date such as 2026-11-22", err=True)
        raise typer.Exit(2) from None
    try:
        data = read_json(site_file)
    except InputError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    if target is not None and isinstance(data, dict):
        data.setdefault("project", {})
        if isinstance(data["project"], dict):
            data["project"]["target_percent"] = target
    site, issues = parse_site(data, release)
    result = calculate(site)
    found = problems(result, issues)
    if as_json:
        doc = result_to_dict(result)
        doc["issues"] = [
            {
                "path": i.path,
                "ref": i.ref,
                "field": i.field,
                "code": i.code,
                "severity": i.severity,
                "message": i.message,
            }
            for i in (*issues, *result.issues)
        ]
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        typer.echo(f"{site.project.name or site_file.name} — metric release {result.metric_release}")
        typer.echo(f"({result.release_title})")
        typer.echo("")
        typer.echo(headline_table(result))
        typer.echo("")
        typer.echo(trading_summary(result))
        credit_text = credits_summary(result, on)
        if credit_text:
            typer.echo("")
            typer.echo(credit_text)
        if found:
            typer.echo("")
            typer.echo("Input problems (each must be resolved before the metric can be relied on):")
            typer.echo("\n".join(found))
    if found:
        raise typer.Exit(1)


db_app = typer.Typer(help="The register's database: migrations, demo data, accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database (DATABASE_URL, or var/bng.sqlite3) to the newest schema."""
    from bng.bootstrap import load_config
    from bng.db.database import Database

    database = Database(load_config().database_url)
    try:
        database.upgrade()
        typer.echo(f"database {database.dialect} is at revision {database.revision()}")
    finally:
        database.dispose()


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision (and whether it is the newest)."""
    from bng.bootstrap import load_config
    from bng.db.database import Database

    database = Database(load_config().database_url)
    try:
        revision = database.revision()
        typer.echo(f"{revision or 'empty'}{'' if database.is_current() else ' (run bng db upgrade)'}")
        if not database.is_current():
            raise typer.Exit(1)
    finally:
        database.dispose()


@db_app.command("demo")
def db_demo() -> None:
    """Load demonstration accounts and gain sites into an empty register (never into a real one)."""
    from bng.bootstrap import load_config, wire
    from bng.register.demo import ACCOUNTS, PASSWORD, load_demo

    wired = wire(load_config())
    try:
        if wired.services.accounts.exists(ACCOUNTS[0][0]):
            typer.echo("demo data is already loaded")
            return
        load_demo(wired.services, date.today())
        typer.echo("demo data loaded; every demo account's password is " + PASSWORD)
        for email, _name, role, _org, lpa in ACCOUNTS:
            typer.echo(f"  {role.replace('_', ' '):12} {email}" + (f" ({lpa})" if lpa else ""))
    finally:
        wired.database.dispose()


@db_app.command("add-user")
def db_add_user(
    email: Annotated[str, typer.Argument(help="The person's email address (their sign-in name).")],
    name: Annotated[str, typer.Option(help="Their full name.")],
    role: Annotated[str, typer.Option(help="landowner, developer, lpa_officer or case_worker.")] = "case_worker",
    lpa: Annotated[str | None, typer.Option(help="For an LPA officer: the LPA's name, e.g. 'Cambridge LPA'.")] = None,
) -> None:
    """Create an account of any role (the first case worker is made this way); asks for the password."""
    from bng.bootstrap import load_config, wire
    from bng.register.accounts import NewAccount
    from bng.register.errors import RegisterError

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    wired = wire(load_config())
    try:
        lpa_id = None
        if lpa:
            found = [x for x in wired.services.register.lpas() if x.name == lpa]
            if not found:
                typer.echo(f"error: no LPA called {lpa!r}", err=True)
                raise typer.Exit(2)
            lpa_id = found[0].id
        user = wired.services.accounts.create_trusted(NewAccount(email, name, password, role, "", lpa_id))
        typer.echo(f"account {user.email} ({user.role}) created")
    except RegisterError as err:
        for p in err.problems:
            typer.echo(f"error: {p}", err=True)
        raise typer.Exit(1) from None
    finally:
        wired.database.dispose()


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    threads: Annotated[int, typer.Option(help="Worker threads.")] = 8,
) -> None:
    """Run the register's web service (GOV.UK pages and the JSON API under /api/v1)."""
    from bng.bootstrap import create_app, load_config, wire
    from bng.web.assets import ASSETS_DIR, missing
    from bng.web.server import serve

    gone = missing(ASSETS_DIR)
    if gone:
        typer.echo(
            f"error: GOV.UK Frontend's assets are missing ({', '.join(gone)}); run ./run.sh or scripts/setup.sh",
            err=True,
        )
        raise typer.Exit(2)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    os.environ.setdefault("BNG_BASE_URL", f"http://{shown}:{port}")  # links point where it listens, unless told
    wired = wire(load_config())
    if not wired.database.is_current():
        typer.echo("error: the database schema is not the newest; run: bng db upgrade", err=True)
        raise typer.Exit(2)
    application = create_app(wired=wired)
    typer.echo(f"bng register: http://{shown}:{port}/  (database: {wired.database.dialect}; Ctrl+C stops it)")
    serve(application, host, port, threads)


def _register_commands() -> None:
    """Wire in the command groups of the other packages (each keeps its commands beside its code)."""
    from bng.gis.cli import gis_app
    from bng.workbook.cli import register as register_workbook

    register_workbook(metric_app)
    app.add_typer(gis_app, name="gis")


_register_commands()


def main() -> None:
    app(prog_name="bng")


if __name__ == "__main__":
    sys.exit(main())
