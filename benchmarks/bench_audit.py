"""Benchmark: ``bng audit`` of 2,000 metric workbooks on 1 and on 2 workers, and a national year's projection.

Run with ``.venv/bin/python -m benchmarks.bench_audit`` (add ``--no-write`` to only print,
``--count N`` for another number of workbooks). The first run builds the workbooks in
``var/bench-audit/`` (kept for the next run; delete the folder to build them again):

* every real workbook in ``../shared/spec/metric-files/`` and ``../shared/spec/external-workbooks/``
  (completed statutory workbooks, LibreOffice-saved real sites, pre-statutory and not-a-metric
  files that must be refused), copied as they are;
* the rest exported by ``export_site`` (what ``bng metric export`` runs) from the test vectors in
  ``../shared/spec/test-vectors/`` and perturbations of them: each site's areas and lengths scaled by
  one random factor (0.3-3x), some strategic significances redrawn, some creation rows dropped, the
  target drawn from 10/15/20 %. Exported workbooks hold no calculated results (Excel calculates
  them when the file is opened), so ``check`` finds them inconsistent; it reads, recalculates and
  checks them in full all the same.

Then it runs ``bng audit`` as a whole process, once with ``--workers 1`` and once with ``--workers 2``
(each ``--fresh``, report into a temporary folder), and takes the throughput the command reports
(files from its first submission to its last result, the cluster's start excluded) and the whole
process's wall time. Then it audits the same files without Dask, ``audit_item`` in 1 and in 2 plain
processes: the speed-up the machine itself gives two processes at that moment, against which Dask's
is judged (on 2 cores shared with other work, two workers rarely get two whole cores). Figures go
into ``docs/performance.md`` with the machine, the load and this command. Target: at least 1.8x the
throughput on 2 workers as on 1.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .report import write_section

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BNG_SHARED", ROOT.parent / "shared"))
REAL_DIRS = [SHARED / "spec" / "metric-files", SHARED / "spec" / "external-workbooks"]
VECTORS = SHARED / "spec" / "test-vectors"
CACHE = ROOT / "var" / "bench-audit"
GENERATOR = "2"  # bump when the generated workbooks change
SECTION = "Audit: 2,000 metric workbooks on Dask (`bng audit`)"
COMMAND = ".venv/bin/python -m benchmarks.bench_audit"
COUNT = 2000
NATIONAL_YEAR = 15_000  # major planning applications in England in a year, each with a metric
SIZE_KEYS = ("area_ha", "length_km", "retained_ha", "enhanced_ha", "retained_km", "enhanced_km")


def perturb(data: Any, rng: random.Random, factor: float) -> Any:
    """The site with sizes scaled, some significances redrawn and some creation rows dropped."""
    if isinstance(data, list):
        return [perturb(x, rng, factor) for x in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in SIZE_KEYS and isinstance(value, (int, float)):
            out[key] = round(value * factor, 4)
        elif key == "strategic_significance" and rng.random() < 0.3:
            out[key] = rng.choice(["Low", "Medium", "High"])
        elif key == "creation" and isinstance(value, list) and len(value) > 1:
            kept = [r for r in value if rng.random() > 0.2] or value[:1]
            out[key] = perturb(kept, rng, factor)
        else:
            out[key] = perturb(value, rng, factor)
    return out


def _export(job: tuple[int, str, str]) -> str:
    from bng.metric import parse_site
    from bng.workbook.writer import export_site

    k, vector, out = job
    data = json.loads(Path(vector).read_text())
    if k >= 0:
        rng = random.Random(k)
        data = perturb(data, rng, rng.uniform(0.3, 3.0))
        data.setdefault("project", {})["name"] = f"{data.get('project', {}).get('name', 'site')} (variant {k})"
        data["project"]["target_percent"] = rng.choice([10, 10, 10, 15, 20])
    site, _ = parse_site(data)
    export_site(site, out)
    return out


def build(count: int) -> Path:
    """The benchmark's workbooks (built once, then reused)."""
    folder = CACHE / f"n{count}-g{GENERATOR}"
    if (folder / ".complete").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "real").mkdir(parents=True)
    real = [p for d in REAL_DIRS for p in sorted(d.iterdir()) if p.suffix.lower() in (".xlsx", ".xlsm")]
    for p in real:
        shutil.copy2(p, folder / "real" / p.name)
    vectors = sorted(str(p) for p in VECTORS.glob("*.site.json"))
    jobs = [(-1, v, str(folder / f"vector-{Path(v).name.removesuffix('.site.json')}.xlsm")) for v in vectors]
    jobs += [(k, vectors[k % len(vectors)], str(folder / f"variant-{k:05d}.xlsm")) for k in range(count)]
    jobs = jobs[: count - len(real)]
    larger = _larger(count)
    if larger is not None:  # the same workbooks are the first of a larger set built before: linked, not rebuilt
        for _, _, out in jobs:
            os.link(larger / Path(out).name, out)
        (folder / ".complete").write_text(f"{count} workbooks, generator {GENERATOR}, linked from {larger.name}\n")
        return folder
    start = time.monotonic()
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        for i, _ in enumerate(pool.map(_export, jobs, chunksize=8), 1):
            if i % 100 == 0:
                print(f"  exported {i}/{len(jobs)} ({time.monotonic() - start:.0f} s)", file=sys.stderr)
    (folder / ".complete").write_text(f"{count} workbooks, generator {GENERATOR}\n")
    return folder


def _larger(count: int) -> Path | None:
    """A complete set of more workbooks of the same generator, whose first ``count`` are this set's."""
    for found in sorted(CACHE.glob(f"n*-g{GENERATOR}")):
        size = found.name[1:].split("-")[0]
        if size.isdigit() and int(size) > count and (found / ".complete").exists():
            return found
    return None


AUDITED = re.compile(r"audited ([\d,]+) files in ([\d,.]+) s on (\d+) worker")


def audit(folder: Path, workers: int) -> dict[str, float]:
    bng = Path(sys.executable).with_name("bng")
    with tempfile.TemporaryDirectory() as tmp:
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run(
            [str(bng), "audit", str(folder), "-o", tmp, "--workers", str(workers), "--fresh"],
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"bng audit failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        found = AUDITED.search(done.stdout)
        assert found, done.stdout
        rows = [json.loads(line) for line in (Path(tmp) / "journal.jsonl").read_text().splitlines()[1:]]
    files, seconds = int(found[1].replace(",", "")), float(found[2].replace(",", ""))
    return {
        "workers": workers,
        "files": files,
        "seconds": seconds,
        "rate": files / seconds,
        "wall": wall,
        "task_seconds": sum(r.get("seconds") or 0 for r in rows),
        "errors": sum(1 for r in rows if r.get("status") == "error"),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def _warm(_: int) -> int:
    import bng.audit.task
    import bng.workbook.check  # noqa: F401  (the imports, out of the timed part)

    return os.getpid()


def plain(folder: Path, workers: int) -> dict[str, float]:
    """The same audit without Dask: ``audit_item`` over every file in ``workers`` plain processes.

    Run beside the Dask runs, it is the speed-up the machine itself allows at that moment (two
    processes on two cores shared with other work); the Dask runs are judged against it.
    """
    from bng.audit.sources import find_items
    from bng.audit.task import audit_item

    items = find_items([folder]).items
    load_before = os.getloadavg()[0]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_warm, range(workers)))
        start = time.perf_counter()
        rows = list(pool.map(audit_item, items, chunksize=1))
        seconds = time.perf_counter() - start
    return {
        "workers": workers,
        "files": len(rows),
        "seconds": seconds,
        "rate": len(rows) / seconds,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=COUNT, help="workbooks to audit (default 2,000)")
    parser.add_argument("--no-write", action="store_true", help="print only; do not update docs/performance.md")
    args = parser.parse_args()
    start = time.monotonic()
    folder = build(args.count)
    made = time.monotonic() - start
    one = audit(folder, 1)
    two = audit(folder, 2)
    speedup = two["rate"] / one["rate"]
    plain_one = plain(folder, 1)
    plain_two = plain(folder, 2)
    ceiling = plain_two["rate"] / plain_one["rate"]
    per_worker = two["rate"] / 2
    lines = [
        f"Command: `{COMMAND}`",
        "",
        f"{one['files']:,} workbooks in `var/bench-audit/` ({made:,.0f} s to build or find them): the "
        f"{len([p for d in REAL_DIRS for p in d.iterdir() if p.suffix.lower() in ('.xlsx', '.xlsm')])} real ones "
        "of `../shared/spec/metric-files/` and `external-workbooks/`, and workbooks exported from the test vectors "
        "and perturbations of them (see the benchmark's docstring). Each run is `bng audit FOLDER --workers N "
        "--fresh` as a whole process on a LocalCluster (one thread and 2 GiB per worker process); throughput is "
        "the files over the time from the first submission to the last result, as the command reports it.",
        "",
        "| workers | files | could not be checked | audit time | files/s | whole process | time in tasks, summed | "
        "load average before → after |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in (one, two):
        lines.append(
            f"| {r['workers']} | {r['files']:,} | {r['errors']:,} | {r['seconds']:,.1f} s | {r['rate']:.2f} | "
            f"{r['wall']:,.1f} s | {r['task_seconds']:,.1f} s | {r['load_before']:.1f} → {r['load_after']:.1f} |"
        )
    hours = [(n, NATIONAL_YEAR / (per_worker * n) / 3600) for n in (1, 2, 8, 32, 128)]
    lines += [
        "",
        f"**Speed-up on 2 workers: {speedup:.2f}x** (target at least 1.8x), on {os.cpu_count()} cores.",
        "",
        "The same files without Dask, `audit_item` in plain processes (a `ProcessPoolExecutor`, run just after): "
        + "; ".join(
            f"{r['workers']} process(es) {r['seconds']:,.1f} s, {r['rate']:.2f} files/s "
            f"(load {r['load_before']:.1f} → {r['load_after']:.1f})"
            for r in (plain_one, plain_two)
        )
        + f": **{ceiling:.2f}x**, the speed-up the machine itself gave two processes at the time.",
        "",
        f"Projection for a national year (about {NATIONAL_YEAR:,} major applications, one metric each), at the "
        f"2-worker run's {per_worker:.2f} files/s per worker and assuming workers scale as from 1 to 2 (on a "
        "cluster with a shared file system and one core per worker): "
        + ", ".join(f"{n} workers {_hours(h)}" for n, h in hours)
        + ". Cluster start (a few seconds) and the report (seconds) come on top.",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", SECTION, text)


def _hours(h: float) -> str:
    return f"{h * 60:.0f} min" if h < 1 else f"{h:.1f} h"


if __name__ == "__main__":
    main()
