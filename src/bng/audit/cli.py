"""``bng audit SOURCE…``: recalculate and check every metric workbook and map set, on Dask.

Exit status: 0 when every file has its row (whatever the rows say), 2 when the audit cannot start
(a source missing, a report folder holding another audit, no cluster at the address), 130 when it
was interrupted (run the same command again to resume).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def audit_command(
    sources: Annotated[list[Path], typer.Argument(help="Folders, zips or files holding metric workbooks and maps.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Report folder: audit.csv, audit.parquet, summary.html.")
    ] = Path("audit-report"),
    scheduler: Annotated[
        str | None, typer.Option(help="Address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes of the local cluster (default: one per core).")
    ] = None,
    memory_limit: Annotated[str, typer.Option(help="Memory each local worker may use, e.g. 2GiB.")] = "2GiB",
    target: Annotated[
        float | None, typer.Option(help="Target net gain in per cent for the compliance checks (default 10).")
    ] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Start again, discarding the journal in the folder.")] = False,
) -> None:
    """Recalculate and check every metric workbook (and GeoPackage pair) in folders or zips, on Dask."""
    from .errors import JournalError, SourceError
    from .journal import Journal
    from .report import write_reports
    from .run import run_audit
    from .sources import find_items

    if scheduler and workers:
        typer.echo("error: --workers sizes the local cluster; an existing cluster (--scheduler) has its own", err=True)
        raise typer.Exit(2)
    try:
        found = find_items(sources)
        journal = Journal(output / "journal.jsonl", {"target": target}, fresh=fresh)
    except (SourceError, JournalError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    items = found.items
    already = sum(1 for i in items if journal.done(i.key, i.fingerprint))
    where = f"the cluster at {scheduler}" if scheduler else f"{workers or os.cpu_count() or 1} local worker(s)"
    typer.echo(
        f"{len(items):,} files to audit ({found.skipped:,} other files left aside); "
        f"{already:,} already in {output}/journal.jsonl; {len(items) - already:,} to do on {where}"
    )
    try:
        outcome = run_audit(
            items,
            journal,
            scheduler=scheduler,
            workers=workers or os.cpu_count() or 1,
            memory_limit=memory_limit,
            target=target,
        )
    except KeyboardInterrupt:
        journal.close()
        typer.echo(f"\ninterrupted; run the same command again to resume (the journal is in {output})", err=True)
        raise typer.Exit(130) from None
    except OSError as err:  # no scheduler at the address, and the like
        journal.close()
        typer.echo(f"error: cannot run the audit: {err}", err=True)
        raise typer.Exit(2) from None
    journal.close()
    rows = [journal.rows[i.key] for i in items if journal.done(i.key, i.fingerprint)]
    complete = len(rows) == len(items)
    written = write_reports(rows, output, complete=complete, sources=[str(s) for s in sources])
    if outcome.audited:
        rate = outcome.audited / outcome.seconds if outcome.seconds else 0.0
        typer.echo(
            f"audited {outcome.audited:,} files in {outcome.seconds:,.1f} s on {outcome.workers} worker thread(s) "
            f"({rate:,.1f} files/s); {outcome.errors:,} could not be checked (each is a row saying why)"
        )
    typer.echo("report: " + ", ".join(str(p) for p in written))
    if not complete:
        typer.echo(f"interrupted: {len(rows):,} of {len(items):,} files done; run the same command again to resume")
        raise typer.Exit(130)
