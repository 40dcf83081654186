"""The ``bng`` command line.

It starts at once because nothing is imported before it is needed: this module imports typer
and the standard library only; each command imports its package when it runs, and each package
imports its heavy libraries (GDAL, PROJ, matplotlib, WeasyPrint, SQLAlchemy, Dask) inside the
functions that need them. tests/test_startup.py fails when ``import bng.cli`` pulls one in, and
``benchmarks/bench_startup.py`` times whole processes.

A command or command group kept in another package is listed here, not imported here: one entry
in ``COMMANDS`` (or ``METRIC_COMMANDS`` for ``bng metric …``) names where it lives and its line
of help, for example::

    "planning": Lazy("bng.planning.cli:planning_app", "Planning applications: …"),

The target is a ``typer.Typer`` (a command group) or a command function; it is imported the
first time the command is run or its ``--help`` is asked for, so its module may import what it
likes at the top. ``bng --help`` shows the line of help given here (a test checks that it is the
command's own). Commands defined in this module (``bng metric calculate``, ``bng db``,
``bng serve``) import their packages inside their functions.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    from bng.metric import ModuleResult, Result


class Lazy(NamedTuple):
    """A command kept in another module: ``"package.module:attribute"`` and its line of help."""

    target: str
    help: str


COMMANDS: dict[str, Lazy] = {
    "gis": Lazy("bng.gis.cli:gis_app", "Habitat maps: validate, convert to a site, reconcile and draw plans."),
    "audit": Lazy(
        "bng.audit.cli:audit_command",
        "Recalculate and check every metric workbook (and GeoPackage pair) in folders or zips, on Dask.",
    ),
}
METRIC_COMMANDS: dict[str, Lazy] = {
    "check": Lazy(
        "bng.workbook.cli:check_command",
        "Recalculate a metric workbook and compare: consistent with its cached values? compliant with the rules?",
    ),
    "export": Lazy(
        "bng.workbook.cli:export_command",
        "Write a site into a copy of the official statutory metric workbook (macros and drop-downs kept).",
    ),
}


class _Listed(TyperCommand):
    """What a group shows of a lazy command until it is run: its name and its line of help."""


def lazy_group(commands: Mapping[str, Lazy]) -> type[TyperGroup]:
    """A command group class that lists ``commands`` by their help and imports one only to run it."""

    class LazyGroup(TyperGroup):
        def __init__(self, **attrs: Any) -> None:
            super().__init__(**attrs)
            for name, lazy in commands.items():  # listed (and suggested for typos) without an import
                self.commands.setdefault(name, _Listed(name, help=lazy.help))

        def list_commands(self, ctx: Any) -> list[str]:
            return sorted(self.commands)

        def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
            name, command, rest = super().resolve_command(ctx, args)
            if name is not None and isinstance(command, _Listed):
                command = self.commands[name] = _load(name, commands[name], self.rich_markup_mode)
            return name, command, rest

    return LazyGroup


def _load(name: str, lazy: Lazy, markup: Any) -> Any:
    """Import a lazy command and build it as if it had been added to its group in the ordinary way."""
    module, _, attribute = lazy.target.partition(":")
    target = getattr(importlib.import_module(module), attribute)
    wrapper = typer.Typer(rich_markup_mode=markup, add_completion=False)
    if isinstance(target, typer.Typer):
        wrapper.add_typer(target, name=name)
        group: Any = typer.main.get_command(wrapper)
        return group.commands[name]
    wrapper.command(name)(target)
    return typer.main.get_command(wrapper)


app = typer.Typer(
    name="bng",
    help="Biodiversity net gain: the statutory biodiversity metric, its workbook, maps and register.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,  # plain help: rich's import alone costs more than bng --help's whole budget
    cls=lazy_group(COMMANDS),
)
metric_app = typer.Typer(
    help="The statutory biodiversity metric.", no_args_is_help=True, cls=lazy_group(METRIC_COMMANDS)
)
app.add_typer(metric_app, name="metric")

MAX_SITE_FILE_BYTES = 50 * 1024 * 1024


class InputError(Exception):
    """A file the command cannot use at all (missing, too large, not JSON)."""


def read_json(path: Path) -> Any:
    """The site file's JSON, refused before it is read when it is larger than a site file may be."""
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
    """The headline results as the workbook's table: baseline, post-intervention and net change, per module."""
    from bng.metric import MODULE_NAMES

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
    """The trading rules per module: satisfied, or which band fails and by how much."""
    from bng.metric import MODULE_NAMES, UNIT_NAMES

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
            short = f" short by {_fmt(b.shortfall_units)} {UNIT_NAMES[module]}" if b.shortfall_units else ""
            out.append(f"  {name}: {band} band fails ({b.rule}){short}" + (f": {parts}" if parts else ""))
        for b in unknown:
            out.append(f"  {name}: {b.band.replace('_', ' ')} band has no verdict (the workbook shows {b.verdict!r})")
    return "\n".join(out)


def credits_summary(result: Result, on: date) -> str | None:
    """The statutory credits the result needs, by tier; None when it needs none."""
    by_tier = result.credits.by_tier
    if all(v == 0 for v in by_tier.values()) and not result.credits.messages:
        return None
    cells = "  ".join(f"{tier} {_fmt(v)}" for tier, v in by_tier.items())
    lines = [f"Statutory credits needed (2 per unit short): {cells}"]
    lines += [f"  the workbook shows {m!r}" for m in result.credits.messages]
    from bng.metric import cost, load

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
    """Everything to fix: the input issues, the result's issues and each row's error messages."""
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
    from bng.metric import calculate, parse_site, result_to_dict

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
    gc.disable()  # the site's and result's objects all live on: hunting cycles among them took a tenth of the time
    try:
        site, issues = parse_site(data, release)
        result = calculate(site)
    finally:
        gc.enable()
    found = problems(result, issues)
    if as_json:
        typer.echo(json.dumps(result_to_dict(result, issues), indent=2, ensure_ascii=False))
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
    from bng.register.accounts.service import NewAccount
    from bng.register.core.errors import RegisterError

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
    threads: Annotated[int, typer.Option(help="Worker threads (of each worker process with --workers).")] = 8,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Serve with gunicorn and this many worker processes (0: one per core), for production on "
            "PostgreSQL; without it, waitress in one process."
        ),
    ] = None,
) -> None:
    """Run the register's web service (GOV.UK pages and the JSON API under /api/v1)."""
    from bng.bootstrap import create_app, load_config, wire
    from bng.web.assets import ASSETS_DIR, missing
    from bng.web.server import default_workers, serve, serve_workers

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
    if wired.services.pay_stand_in is not None:
        typer.echo("card payments: GOV.UK Pay's local stand-in at /pay-stand-in (GOVUK_PAY_API_KEY: the real one)")
    if wired.services.notify_stand_in is not None:
        _show_notify_log()
        typer.echo(
            "e-mails: GOV.UK Notify's local stand-in (listed at /outbox and logged; NOTIFY_API_KEY: the real one)"
        )
    if wired.services.notify_sender is not None and os.environ.get("BNG_NOTIFY_WORKER", "1") != "0":
        from bng.register.notify.worker import start_thread

        start_thread(wired.services.notify_sender)  # BNG_NOTIFY_WORKER=0 when `bng notify worker` runs apart
    if workers is None:
        serve(application, host, port, threads)
        return
    count = workers or default_workers()
    typer.echo(f"gunicorn: {count} worker processes of {threads} threads")
    serve_workers(application, host, port, count, threads, wired.database.dispose)


pay_app = typer.Typer(help="Card payments through GOV.UK Pay (or its local stand-in).", no_args_is_help=True)
app.add_typer(pay_app, name="pay")


@pay_app.command("reconcile")
def pay_reconcile() -> None:
    """List card payments whose state at GOV.UK Pay differs from the register's (exit 1 if any)."""
    from bng.bootstrap import load_config, wire
    from bng.register.payments.govuk_pay import GovukPay
    from bng.register.payments.stand_in import PREFIX, STAND_IN_KEY

    config = load_config()
    wired = wire(config)
    try:
        if not config.pay_api_key:  # the stand-in lives in the running service: ask it over HTTP
            wired.services.card_payments.use(GovukPay(STAND_IN_KEY, config.base_url.rstrip("/") + PREFIX))
        found = wired.services.card_payments.reconcile()
    finally:
        wired.database.dispose()
    for d in found:
        typer.echo(f"{d.fee}  Pay {d.pay_id}: ours {d.ours}, at GOV.UK Pay {d.pays}: {d.why}")
    typer.echo(f"{len(found)} card payment{'' if len(found) == 1 else 's'} differ{'s' if len(found) == 1 else ''}")
    if found:
        raise typer.Exit(1)


notify_app = typer.Typer(
    help="E-mails: the outbox, sent through GOV.UK Notify (or its local stand-in).", no_args_is_help=True
)
app.add_typer(notify_app, name="notify")


def _show_notify_log() -> None:
    """Notify's stand-in writes each e-mail it takes to the log ``bng.notify``: shown on standard error."""
    import logging

    shown = logging.getLogger("bng.notify")
    shown.setLevel(logging.INFO)
    if not shown.handlers:
        shown.addHandler(logging.StreamHandler())
    shown.propagate = False  # waitress's serve() gives the root logger a handler too: each e-mail once


def _sender() -> tuple[Any, Any]:
    from bng.bootstrap import load_config, wire

    wired = wire(load_config())
    if wired.services.notify_stand_in is not None:
        _show_notify_log()
    sender = wired.services.notify_sender
    assert sender is not None
    return wired, sender


@notify_app.command("send")
def notify_send() -> None:
    """Send every e-mail that is due, once (exit 1 if any failed for good)."""
    wired, sender = _sender()
    try:
        done = sender.send_all()
    finally:
        wired.database.dispose()
    for label in done.sent:
        typer.echo(f"sent     {label}")
    for label in done.retrying:
        typer.echo(f"retrying {label}")
    for label in done.failed:
        typer.echo(f"failed   {label}")
    typer.echo(f"{len(done.sent)} sent, {len(done.retrying)} to try again, {len(done.failed)} failed")
    if done.failed:
        raise typer.Exit(1)


@notify_app.command("worker")
def notify_worker(
    interval: Annotated[float, typer.Option(help="Seconds between rounds when nothing is due.")] = 5.0,
) -> None:
    """Send e-mails as they fall due, until stopped (Ctrl+C); as many workers as wanted may run at once."""
    import threading

    wired, sender = _sender()
    stop = threading.Event()
    typer.echo(f"e-mail worker {sender.name}: sending every {interval:g} s (Ctrl+C stops it)")
    try:
        sender.run(stop, interval)
    except KeyboardInterrupt:
        stop.set()
    finally:
        wired.database.dispose()


@notify_app.command("status")
def notify_status() -> None:
    """Ask Notify for the delivery status of the e-mails sent and not yet delivered."""
    wired, sender = _sender()
    try:
        changed = sender.refresh()
    finally:
        wired.database.dispose()
    typer.echo(f"{changed} e-mail{'' if changed == 1 else 's'} with a new status")


@notify_app.command("templates")
def notify_templates() -> None:
    """The register's e-mail templates, with their fields and the words to make each one in GOV.UK Notify."""
    import re

    from bng.register.core.outbox import TEMPLATES

    for name, (subject, text) in TEMPLATES.items():
        fields = sorted(set(re.findall(r"{(\w+)}", subject + text)))
        typer.echo(f"{name}  ({', '.join(fields)})")
        typer.echo("  subject: " + re.sub(r"{(\w+)}", r"((\1))", subject))
        typer.echo("  " + re.sub(r"{(\w+)}", r"((\1))", text).replace("\n", "\n  "))


planning_app = typer.Typer(
    help="The planning side: does the biodiversity gain condition apply, is an application's submission valid.",
    no_args_is_help=True,
)
app.add_typer(planning_app, name="planning")
Commencement = Annotated[
    str | None,
    typer.Option(help="Commence a change not yet in force, e.g. 2026-phase-1=2026-07-31 (default: none)."),
]


@planning_app.command("applicability")
def planning_applicability(
    application: Annotated[Path, typer.Argument(help="The application's facts as JSON (see docs/planning.md).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    metric: Annotated[
        Path | None,
        typer.Option(
            help="The metric (workbook or site file), or the post-intervention map, to measure what is impacted."
        ),
    ] = None,
    commencement: Commencement = None,
) -> None:
    """Does the biodiversity gain condition apply, or which exemption does, with the law's words."""
    from bng.submission.cli import applicability_command

    raise typer.Exit(applicability_command(application, as_json=as_json, metric=metric, commencement=commencement))


def _planning_records() -> tuple[Any, Any]:
    """The register's records for the planning commands, when a register is configured.

    The register is DATABASE_URL's, or var/bng.sqlite3; (None, None) when there is none.
    """
    import os

    var = Path(os.environ.get("BNG_VAR", "var"))
    default = var / "bng.sqlite3"
    url = os.environ.get("DATABASE_URL") or (f"sqlite:///{default.resolve()}" if default.exists() else "")
    if not url:
        return None, None
    from bng.db.database import Database
    from bng.register.planning.records import RegisterRecords

    database = Database(url)
    if not database.is_current():
        typer.echo("note: the register's database is not at the newest schema; nothing is checked against it", err=True)
        return None, database
    return RegisterRecords(database), database


Lpa = Annotated[str | None, typer.Option(help="LPA profile: code, ONS code or name (default: the application's).")]
OnDate = Annotated[str | None, typer.Option(help="The date to judge and print on (default: today).")]


@planning_app.command("validate")
def planning_validate(
    submission: Annotated[Path, typer.Argument(help="The application's documents: a folder or a .zip.")],
    lpa: Lpa = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    report: Annotated[Path | None, typer.Option(help="Also write the report: .pdf, .html or .json.")] = None,
    commencement: Commencement = None,
    on: OnDate = None,
) -> None:
    """Check a submission against the national minimum information and the LPA's local list."""
    from bng.submission.cli import validate_command

    records, database = _planning_records()
    try:
        code = validate_command(
            submission, lpa=lpa, as_json=as_json, report=report, commencement=commencement, on=on, records=records
        )
    finally:
        if database is not None:
            database.dispose()
    raise typer.Exit(code)


@planning_app.command("documents")
def planning_documents(
    submission: Annotated[Path, typer.Argument(help="The application's documents: a folder or a .zip.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write the documents into.")],
    kind: Annotated[
        list[str] | None,
        typer.Option(help="statement, draft-gain-plan, gain-plan or hmmp (repeat; default: all but gain-plan)."),
    ] = None,
    lpa: Lpa = None,
    commencement: Commencement = None,
    on: OnDate = None,
) -> None:
    """Write the Biodiversity Statement, gain plan and HMMP skeleton (HTML, PDF and JSON) from a submission."""
    from bng.submission.cli import documents_command

    records, database = _planning_records()
    try:
        code = documents_command(
            submission, out=output, lpa=lpa, kinds=kind or [], on=on, commencement=commencement, records=records
        )
    finally:
        if database is not None:
            database.dispose()
    raise typer.Exit(code)


@planning_app.command("monitoring-sweep")
def planning_monitoring_sweep(on: OnDate = None) -> None:
    """Queue monitoring reminders and raise enforcement flags for what is overdue.

    Run it daily: the same day twice queues nothing twice.
    """
    from bng.bootstrap import load_config, wire

    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        typer.echo(f"error: --on {on!r} is not a date like 2027-03-01", err=True)
        raise typer.Exit(2) from None
    wired = wire(load_config())
    try:
        if not wired.database.is_current():
            typer.echo("error: the database schema is not the newest; run: bng db upgrade", err=True)
            raise typer.Exit(2)
        done = wired.services.monitoring.sweep(day)
        for line in done:
            typer.echo(line)
        typer.echo(f"{len(done)} reminders and flags queued" if done else "nothing due")
    finally:
        wired.database.dispose()


def main() -> None:
    """The ``bng`` command."""
    app(prog_name="bng")


if __name__ == "__main__":
    main()
