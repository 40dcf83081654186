"""One item audited, on a worker: a row of the report, whatever the file holds.

A workbook is checked by ``bng.workbook.check.check_workbook`` (the reader's safety limits,
recalculation, comparison with its cached values, the compliance rules); maps are read and checked
by ``bng.gis.workflow.load_maps`` and calculated by the metric engine. Every failure becomes the
row's error, so no file can stop the run. A zip member is copied to a temporary file first,
never more than the size the reader would accept, and the temporary path is replaced by the
member's name in every message.
"""

from __future__ import annotations

import math
import os
import socket
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .errors import TooLarge
from .sources import Item

if TYPE_CHECKING:
    from bng.metric import Result

MODULES = ("area", "hedgerow", "watercourse")
MAX_WORKBOOK_BYTES = 30 * 1024 * 1024  # bng.workbook.package.LIMITS.max_file_bytes
MAX_MAP_BYTES = 256 * 1024 * 1024  # bng.gis.reading.MAX_FILE_BYTES
COPY_CHUNK = 1 << 20

# The report's columns, in order, with their types (the Parquet schema is built from these).
COLUMNS: dict[str, str] = {
    "source": "str",
    "kind": "str",
    "status": "str",
    "error": "str",
    "error_code": "str",
    "project_name": "str",
    "workbook_release": "str",
    "metric_release": "str",
    "consistent": "bool",
    "compliant": "bool",
    "discrepancies": "int",
    "cached_values_compared": "int",
    "failed_checks": "str",
    "map_errors": "int",
    "rows": "int",
    "off_site_rows": "int",
    **{
        f"{m}_{what}": kind
        for m in MODULES
        for what, kind in (
            ("baseline_units", "float"),
            ("net_change_units", "float"),
            ("net_change_percent", "float"),
            ("target_percent", "float"),
            ("unit_deficit", "float"),
            ("target_met", "bool"),
            ("trading_satisfied", "bool"),
        )
    },
    "trading_satisfied": "bool",
    "trading_failing": "str",
    "credits_needed": "float",
    "file_bytes": "int",
    "seconds": "float",
    "worker": "str",
    "fingerprint": "str",
}


def _limit(member: str) -> int:
    return MAX_MAP_BYTES if PurePosixPath(member).suffix.lower() == ".gpkg" else MAX_WORKBOOK_BYTES


@contextmanager
def materialised(item: Item) -> Iterator[list[Path]]:
    """The item's files as paths on disk: zip members copied (bounded) into a temporary folder."""
    if not item.members:
        yield [Path(f) for f in item.files]
        return
    with tempfile.TemporaryDirectory(prefix="bng-audit-") as tmp:
        out = []
        for i, (archive, member) in enumerate(zip(item.files, item.members, strict=True)):
            limit = _limit(member)
            target = Path(tmp, str(i), PurePosixPath(member).name)
            target.parent.mkdir()
            with zipfile.ZipFile(archive) as z:
                info = z.getinfo(member)
                if info.file_size > limit:
                    raise TooLarge(f"{info.file_size:,} bytes; a {PurePosixPath(member).suffix} may be {limit:,}")
                with z.open(info) as src, target.open("wb") as dst:
                    copied = 0
                    while chunk := src.read(COPY_CHUNK):  # the declared size may lie: count what comes out
                        copied += len(chunk)
                        if copied > limit:
                            raise TooLarge(f"inflates beyond {limit:,} bytes")
                        dst.write(chunk)
            out.append(target)
        yield out


def _figures(result: Result) -> dict[str, Any]:
    row: dict[str, Any] = {"metric_release": result.metric_release}
    failing = []
    for m in MODULES:
        mod = result.modules[m]
        trading = result.trading.get(m)
        row |= {
            f"{m}_baseline_units": mod.on_site.baseline_units,
            f"{m}_net_change_units": mod.total_net_change_units,
            f"{m}_net_change_percent": mod.total_net_change_percent,
            f"{m}_target_percent": mod.target_percent,
            f"{m}_unit_deficit": mod.unit_deficit,
            f"{m}_target_met": mod.target_met,
            f"{m}_trading_satisfied": mod.trading_rules_satisfied,
        }
        if trading is not None:
            failing += [f"{m} {b.band.replace('_', ' ')}" for b in trading.bands if b.satisfied is False]
    row["trading_satisfied"] = result.trading_all_satisfied
    row["trading_failing"] = "; ".join(failing)
    row["credits_needed"] = result.credits.total
    return row


def _workbook(path: Path, target: float | None) -> dict[str, Any]:
    from bng.workbook import check_workbook

    report = check_workbook(path, target)
    result = report.result
    return {
        "project_name": report.project_name,
        "workbook_release": report.release.id,
        "consistent": report.consistent,
        "compliant": report.compliant,
        "discrepancies": len(report.discrepancies),
        "cached_values_compared": report.compared,
        "failed_checks": "; ".join(c.code for c in report.checks if c.blocking and not c.passed),
        "rows": len(result.rows),
        "off_site_rows": sum(1 for r in result.rows if r.location == "off_site"),
        **_figures(result),
    }


def _maps(paths: list[Path], target: float | None) -> dict[str, Any]:
    from bng.gis import load_maps
    from bng.metric import calculate

    loaded = load_maps(paths)
    site = loaded.mapped.site
    if target is not None:
        site = replace(site, project=replace(site.project, target_percent=target))
    result = calculate(site)
    errors = [f for f in loaded.findings if f.level == "error"]
    figures = _figures(result)
    targets_met = all(result.modules[m].target_met is not False for m in MODULES)
    return {
        "project_name": site.project.name,
        "map_errors": len(errors),
        "compliant": not errors
        and not result.issues
        and not result.row_errors
        and targets_met
        and result.trading_all_satisfied is not False,
        "failed_checks": "; ".join(sorted({f.code for f in errors})),
        "rows": len(result.rows),
        "off_site_rows": sum(1 for r in result.rows if r.location == "off_site"),
        **figures,
    }


def _message(err: BaseException, temp: list[Path], item: Item) -> str:
    text = err.message() if hasattr(err, "message") and callable(err.message) else str(err)
    text = text or type(err).__name__
    for path, member in zip(temp, item.members, strict=False):
        text = text.replace(str(path), f"{item.files[0]}!{member}")
    return text


def audit_item(item: Item, target: float | None = None) -> dict[str, Any]:
    """Audit one item; never raises (the row says what went wrong)."""
    start = time.perf_counter()
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row |= {"source": item.key, "kind": item.kind, "fingerprint": item.fingerprint}
    row["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    with suppress(OSError):
        row["file_bytes"] = sum(os.stat(f).st_size for f in dict.fromkeys(item.files))
    temp: list[Path] = []
    try:
        if item.kind == "unopened":
            row |= {"status": "error", "error": item.note, "error_code": "NOT_OPENED"}
        else:
            with materialised(item) as paths:
                temp = paths if item.members else []
                if item.members:
                    row["file_bytes"] = sum(p.stat().st_size for p in paths)
                found = _workbook(paths[0], target) if item.kind == "workbook" else _maps(paths, target)
            row |= found
            row["status"] = "checked"
    except Exception as err:  # any file, however broken, is a row; nothing it does stops the run
        code = getattr(err, "code", None)
        row |= {
            "status": "error",
            "error": _message(err, temp, item),
            "error_code": code if isinstance(code, str) else type(err).__name__,
        }
    row["seconds"] = time.perf_counter() - start
    return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in row.items()}
