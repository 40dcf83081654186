"""``bng metric check`` and ``bng metric export``: the workbook commands.

``check WORKBOOK``: exit 0 when the workbook is consistent and compliant, 1 when it is
consistent but not compliant, 2 when it is inconsistent, 3 when it cannot be checked (not a
readable statutory metric workbook; the message says why). ``export SITE.json -o OUT.xlsm``:
exit 0 when written, 1 when written but the site has input problems (listed), 2 when it
cannot be written.
"""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bng.metric import parse_site, release_id

from .check import EXIT_UNREADABLE, check_workbook
from .errors import WorkbookError

MAX_SITE_FILE_BYTES = 50 * 1024 * 1024


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def check_command(
    workbook: Annotated[Path, typer.Argument(help="A statutory metric workbook (.xlsm or .xlsx).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print both verdicts and every finding as JSON.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Also write the report as HTML, or as PDF if the name ends .pdf.")
    ] = None,
    target: Annotated[
        float | None,
        typer.Option(
            help="A local target net gain in per cent, judged besides the statutory 10 % and the workbook's own."
        ),
    ] = None,
    release: Annotated[
        str | None,
        typer.Option(
            help="Recalculate with this metric release's reference data (1.0.1, 1.0.2, 1.0.3, 1.0.4) instead of the "
            "workbook's own."
        ),
    ] = None,
) -> None:
    """Recalculate a metric workbook and compare: consistent with its cached values? compliant with the rules?"""
    from .report import render_text, write_report  # Jinja: imported by the command that uses it

    if release is not None:
        try:
            release_id(release)
        except ValueError as err:
            raise _fail(str(err), EXIT_UNREADABLE) from None
    gc.disable()  # the workbook's objects all live on: hunting cycles among them is time lost (docs/performance.md)
    try:
        result = check_workbook(workbook, target, release=release)
    except WorkbookError as err:
        if as_json:
            typer.echo(json.dumps({"consistent": None, "compliant": None, "error": err.to_dict()}, indent=2))
        raise _fail(err.message(), EXIT_UNREADABLE) from None
    except Exception as err:  # never a traceback for a user's file; the message still names the file
        raise _fail(f"{workbook}: cannot be checked ({type(err).__name__}: {err})", EXIT_UNREADABLE) from None
    finally:
        gc.enable()
    if report is not None:
        try:
            write_report(result, report)
        except OSError as err:
            raise _fail(f"{report}: cannot write the report ({err.strerror})", EXIT_UNREADABLE) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(render_text(result))
        if report is not None:
            typer.echo(f"\nReport written to {report}")
    raise typer.Exit(result.exit_code)


def _read_site(path: Path) -> Any:
    try:
        size = path.stat().st_size
    except OSError as err:
        raise _fail(f"{path}: cannot read the file ({err.strerror})", 2) from None
    if size > MAX_SITE_FILE_BYTES:
        raise _fail(f"{path}: {size} bytes is larger than the {MAX_SITE_FILE_BYTES} bytes a site file may be", 2)
    try:
        return json.loads(path.read_bytes())
    except UnicodeDecodeError:
        raise _fail(f"{path}: not a UTF-8 text file; a site file is JSON", 2) from None
    except json.JSONDecodeError as err:
        raise _fail(f"{path}: not valid JSON at line {err.lineno} column {err.colno}: {err.msg}", 2) from None


def _rows_given(data: Any) -> int:
    """Rows in a site file, counted before parsing (parsing leaves out rows it cannot place)."""

    def count(loc: Any) -> int:
        if not isinstance(loc, dict):
            return 0
        n = 0
        for module in ("area", "hedgerow", "watercourse"):
            rows = loc.get(module)
            if isinstance(rows, dict):
                n += sum(len(v) for s in ("baseline", "creation", "enhancement") if isinstance(v := rows.get(s), list))
        return n

    if not isinstance(data, dict):
        return 0
    off = data.get("off_site")
    return count(data.get("on_site")) + (sum(count(g) for g in off) if isinstance(off, list) else 0)


def export_command(
    site_file: Annotated[Path, typer.Argument(help="A JSON site file (see docs/site-file.md).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The workbook to write (.xlsm).")],
) -> None:
    """Write a site into a copy of the official statutory metric workbook (macros and drop-downs kept)."""
    from .writer import export_site

    data = _read_site(site_file)
    site, issues = parse_site(data)
    given, kept = _rows_given(data), site.on_site.row_count() + site.off_site.row_count()
    if kept < given:
        typer.echo(f"error: {given - kept} of {given} rows of {site_file} cannot be placed in the workbook:", err=True)
        for issue in issues:
            typer.echo(f"  {issue}", err=True)
        raise typer.Exit(2)
    try:
        summary = export_site(site, output)
    except WorkbookError as err:
        raise _fail(err.message(), 2) from None
    except OSError as err:
        raise _fail(f"{output}: cannot write the workbook ({err.strerror})", 2) from None
    typer.echo(
        f"Wrote {summary.path}: {summary.rows} rows, {summary.cells} input cells, in the statutory metric "
        f"calculation tool of February 2024 (metric release {site.metric_release})."
    )
    typer.echo("It has no calculated results yet: Excel or LibreOffice calculates it when it is opened.")
    if issues:
        typer.echo("Input problems (the workbook shows them too):", err=True)
        for issue in issues:
            typer.echo(f"  {issue}", err=True)
        raise typer.Exit(1)


def register(metric_app: typer.Typer) -> None:
    """Add the workbook commands to the ``bng metric`` group."""
    metric_app.command("check")(check_command)
    metric_app.command("export")(export_command)
