"""``bng audit`` on a small real set: every file a row, bad ones included; the report; resuming.

The set: the completed statutory workbook, DEFRA's not-a-metric upload fixture, a truncated
(corrupt) workbook, an encrypted one, a GeoPackage pair, and a zip holding a workbook, a pair,
a corrupt member with markup in its name and a zip inside the zip. One local worker: the 2,000
workbook benchmark (benchmarks/bench_audit.py) is not run by the tests.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from bng.audit.report import verdict
from bng.audit.run import failed_row
from bng.audit.sources import Item
from bng.audit.task import COLUMNS
from bng.cli import app
from tests.conftest import SHARED
from tests.workbook.badfiles import encrypted_workbook

METRIC_FILES = SHARED / "spec" / "metric-files"
COMPLETED = METRIC_FILES / "statutory-2024-02__completed-offsite.xlsm"
MACRO_FREE = METRIC_FILES / "statutory-2024-02__completed-offsite__macro-free.xlsx"
EXTERNAL = SHARED / "spec" / "external-workbooks"
NOT_A_METRIC = next(EXTERNAL.glob("DEFRA__*__uploads__metric-file__not-metric-file.xlsx"))
NET_GAIN = SHARED / "spec" / "geopackages" / "permutations" / "net-gain"
HOSTILE = "<script>alert(1)</script>.xlsx"
runner = CliRunner()


def _copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(src.read_bytes())
    return dst


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("set")
    _copy(COMPLETED, d / "completed.xlsm")
    _copy(NOT_A_METRIC, d / "not-a-metric.xlsx")
    (d / "corrupt.xlsx").write_bytes(MACRO_FREE.read_bytes()[:40_000])
    encrypted_workbook(d / "encrypted.xlsx")
    (d / "notes.txt").write_text("not audited")
    _copy(NET_GAIN / "met-baseline.gpkg", d / "maps" / "met-baseline.gpkg")
    _copy(NET_GAIN / "met-post-intervention.gpkg", d / "maps" / "met-post-intervention.gpkg")
    with zipfile.ZipFile(d / "bundle.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(MACRO_FREE, "site/macro-free.xlsx")
        z.write(NET_GAIN / "unmet-baseline.gpkg", "site/unmet-baseline.gpkg")
        z.write(NET_GAIN / "unmet-post-intervention.gpkg", "site/unmet-post-intervention.gpkg")
        z.writestr(HOSTILE, b"PK\x03\x04 not really")
        z.writestr("older.zip", b"PK\x05\x06" + b"\0" * 18)
    return d


def audit(*args: str) -> Any:
    return runner.invoke(app, ["audit", *args], catch_exceptions=False)


def read_csv(folder: Path) -> list[dict[str, str]]:
    with (folder / "audit.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def report(small_set: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("report")
    return out, audit(str(small_set), "-o", str(out), "--workers", "1")


def by_source(rows: list[dict[str, Any]], end: str) -> dict[str, Any]:
    (row,) = [r for r in rows if r["source"].endswith(end)]
    return row


def test_every_file_is_a_row_and_bad_ones_do_not_stop_the_run(report: tuple[Path, Any], small_set: Path) -> None:
    out, result = report
    assert result.exit_code == 0, result.output
    assert "9 files to audit (1 other files left aside)" in result.output
    rows = read_csv(out)
    assert len(rows) == 9
    assert list(rows[0]) == list(COLUMNS)
    status = {r["source"].replace(str(small_set), ""): (r["status"], r["error_code"]) for r in rows}
    assert status == {
        "/bundle.zip!<script>alert(1)</script>.xlsx": ("error", "UNSAFE_FILE"),
        "/bundle.zip!older.zip": ("error", "NOT_OPENED"),
        "/bundle.zip!site/macro-free.xlsx": ("checked", ""),
        "/bundle.zip!site/unmet-baseline.gpkg + site/unmet-post-intervention.gpkg": ("checked", ""),
        "/completed.xlsm": ("checked", ""),
        "/corrupt.xlsx": ("error", status["/corrupt.xlsx"][1]),
        "/encrypted.xlsx": ("error", "UNSAFE_FILE"),
        "/maps/met-baseline.gpkg + /maps/met-post-intervention.gpkg": ("checked", ""),
        "/not-a-metric.xlsx": ("error", "UNSUPPORTED_RELEASE"),
    }
    corrupt = by_source(rows, "corrupt.xlsx")
    assert "corrupt.xlsx" in corrupt["error"] and corrupt["error_code"]
    assert by_source(rows, "not-a-metric.xlsx")["error"].startswith(str(small_set / "not-a-metric.xlsx"))
    hostile = by_source(rows, HOSTILE)
    assert f"bundle.zip!{HOSTILE}" in hostile["error"]  # the member's name, not the worker's temporary copy
    assert "bng-audit-" not in hostile["error"]


def test_a_workbook_row_is_what_bng_metric_check_says(report: tuple[Path, Any]) -> None:
    from bng.workbook.check import check_workbook

    out, _ = report
    row = by_source(read_csv(out), "completed.xlsm")
    expected = check_workbook(COMPLETED)
    assert row["workbook_release"] == expected.release.id == "statutory-2024"
    assert row["metric_release"] == expected.result.metric_release
    assert row["consistent"] == str(expected.consistent) == "True"
    assert row["compliant"] == str(expected.compliant)
    assert int(row["discrepancies"]) == len(expected.discrepancies)
    assert row["failed_checks"] == "; ".join(c.code for c in expected.checks if c.blocking and not c.passed)
    for m in ("area", "hedgerow", "watercourse"):
        mod = expected.result.modules[m]
        assert float(row[f"{m}_net_change_units"]) == mod.total_net_change_units
        assert float(row[f"{m}_unit_deficit"]) == mod.unit_deficit
    assert int(row["off_site_rows"]) > 0


def test_a_map_pair_row_is_what_the_maps_calculate_to(report: tuple[Path, Any], small_set: Path) -> None:
    from bng.gis.workflow import load_maps
    from bng.metric import calculate

    out, _ = report
    row = by_source(read_csv(out), "/met-post-intervention.gpkg")
    loaded = load_maps([small_set / "maps" / "met-baseline.gpkg", small_set / "maps" / "met-post-intervention.gpkg"])
    result = calculate(loaded.mapped.site)
    assert row["kind"] == "maps" and row["consistent"] == ""
    assert float(row["area_net_change_units"]) == result.modules["area"].total_net_change_units
    assert row["metric_release"] == result.metric_release
    unmet = by_source(read_csv(out), "unmet-post-intervention.gpkg")
    assert unmet["compliant"] == "False"


def test_parquet_holds_the_same_rows_typed(report: tuple[Path, Any]) -> None:
    out, _ = report
    table = pq.read_table(out / "audit.parquet")
    assert table.column_names == list(COLUMNS)
    assert str(table.schema.field("consistent").type) == "bool"
    assert str(table.schema.field("area_net_change_units").type) == "double"
    rows = table.to_pylist()
    assert [r["source"] for r in rows] == [r["source"] for r in read_csv(out)]
    assert by_source(rows, "completed.xlsm")["consistent"] is True


def test_html_summary_has_charts_and_escapes_file_names(report: tuple[Path, Any]) -> None:
    out, _ = report
    html = (out / "summary.html").read_text()
    assert html.count("<svg") >= 3
    assert "could not be checked" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;.xlsx" in html
    rows = read_csv(out)
    assert sum(verdict(r) == "could not be checked" for r in pq.read_table(out / "audit.parquet").to_pylist()) == sum(
        r["status"] == "error" for r in rows
    )


def test_a_resumed_audit_does_only_what_is_left_and_reports_the_same(
    report: tuple[Path, Any], small_set: Path, tmp_path: Path
) -> None:
    out, _ = report
    lines = (out / "journal.jsonl").read_text().splitlines(keepends=True)
    # as if killed after five rows, half-way through writing the sixth
    (tmp_path / "journal.jsonl").write_text("".join(lines[:6]) + lines[6][:40])
    result = audit(str(small_set), "-o", str(tmp_path), "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "5 already in" in result.output and "4 to do" in result.output
    journal = [json.loads(x) for x in (tmp_path / "journal.jsonl").read_text().splitlines()[1:]]
    assert len(journal) == 9 and len({r["source"] for r in journal}) == 9
    volatile = {"seconds", "worker"}
    assert [{k: v for k, v in r.items() if k not in volatile} for r in read_csv(tmp_path)] == [
        {k: v for k, v in r.items() if k not in volatile} for r in read_csv(out)
    ]


def test_a_changed_file_is_audited_again_on_resume(small_set: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _copy(NOT_A_METRIC, folder / "a.xlsx")
    assert audit(str(folder), "-o", str(tmp_path / "r"), "--workers", "1").exit_code == 0
    _copy(MACRO_FREE, folder / "a.xlsx")  # replaced by a real workbook
    result = audit(str(folder), "-o", str(tmp_path / "r"), "--workers", "1")
    assert "0 already in" in result.output
    (row,) = read_csv(tmp_path / "r")
    assert row["status"] == "checked"


def test_other_options_refuse_to_mix_into_a_journal(report: tuple[Path, Any], small_set: Path, tmp_path: Path) -> None:
    out, _ = report
    shutil.copy(out / "journal.jsonl", tmp_path / "journal.jsonl")
    result = audit(str(small_set), "-o", str(tmp_path), "--target", "20")
    assert result.exit_code == 2
    assert "--fresh" in result.output


def test_killed_mid_run_then_resumed(tmp_path: Path) -> None:
    """kill -9 of the whole process group in the middle; the second run finishes the rest."""
    folder = tmp_path / "many"
    for i in range(16):
        _copy(MACRO_FREE, folder / f"copy-{i:02d}.xlsx")
    out = tmp_path / "report"
    bng = Path(sys.executable).with_name("bng")
    command = [str(bng), "audit", str(folder), "-o", str(out), "--workers", "1"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    journal = out / "journal.jsonl"
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if journal.exists() and journal.read_text().count("\n") >= 3:  # the options and two rows
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the audit ended before it could be interrupted"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done_before = journal.read_text().count("\n") - 1
    assert 2 <= done_before < 16
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{done_before:,} already in" in result.stdout
    rows = read_csv(out)
    assert len(rows) == 16 and all(r["status"] == "checked" for r in rows)
    journal_rows = [json.loads(x) for x in journal.read_text().splitlines()[1:]]
    assert len({r["source"] for r in journal_rows}) == 16


def test_on_an_existing_cluster(small_set: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        result = audit(str(small_set / "maps"), "-o", str(tmp_path), "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    assert f"on the cluster at {cluster.scheduler_address}" in result.output
    (row,) = read_csv(tmp_path)
    assert row["status"] == "checked"


def test_workers_and_a_scheduler_do_not_go_together(tmp_path: Path) -> None:
    result = audit(str(tmp_path), "--scheduler", "tcp://127.0.0.1:1", "--workers", "2")
    assert result.exit_code == 2


def test_a_worker_killed_by_its_file_is_a_row() -> None:
    from distributed.scheduler import KilledWorker

    item = Item("x.xlsx", "workbook", ("x.xlsx",), fingerprint="1:1")
    row = failed_row(item, KilledWorker("audit_item-1", "tcp://127.0.0.1:1", 0), "2GiB")
    assert row["status"] == "error" and row["error_code"] == "WORKER_DIED"
    assert "2GiB" in row["error"] and set(row) == set(COLUMNS)
