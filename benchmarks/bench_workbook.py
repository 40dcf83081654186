"""Benchmark: reading, checking and writing the statutory metric workbook.

Run with ``.venv/bin/python -m benchmarks.bench_workbook`` (add ``--no-write`` to only print).
It times, best and median of several runs after a warm-up:

* ``read_workbook`` on DEFRA's completed Feb-2024 workbook (31 input rows, 42 sheets), and on a
  full one: every one of the 18 input sheets filled to its last row (about 4,400 rows), written
  by ``export_site`` from a generated site into a temporary folder;
* ``check_workbook`` (read, cached results, recalculation, comparison, rules) on the completed one;
* ``export_site`` of the full site.

Peak memory is measured in a child process per figure: the peak resident set (VmHWM, reset
after the imports) less the resident set before the one operation, because python-calamine
keeps its sheets in Rust, where tracemalloc does not see. Figures go into
``docs/performance.md`` with the machine and this command. Target: a completed workbook read
in under 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bng.metric import load, parse_site
from bng.workbook.check import check_workbook
from bng.workbook.reader import read_workbook
from bng.workbook.writer import export_site

from .report import write_section

ROOT = Path(__file__).resolve().parents[1]
COMPLETED = ROOT.parent / "shared" / "spec" / "metric-files" / "statutory-2024-02__completed-offsite.xlsm"
SECTION = "Workbook: reading, checking and writing the statutory metric workbook"
COMMAND = ".venv/bin/python -m benchmarks.bench_workbook"
ROWS = 240  # per sheet: every input sheet holds at least 246 rows
SS = ["Low", "Medium", "High"]


def _linear(
    rng: random.Random, names: list[str], conditions: Callable[[str], tuple[str, ...]], tag: str
) -> dict[str, Any]:
    base, create, enh = [], [], []
    for i in range(ROWS):
        name = rng.choice(names)
        base.append(
            {
                "ref": f"{tag}B{i}",
                "habitat": name,
                "length_km": 0.5,
                "condition": rng.choice(conditions(name)),
                "strategic_significance": rng.choice(SS),
                "retained_km": 0.1,
                "enhanced_km": 0.2,
            }
        )
        create.append(
            {
                "ref": f"{tag}C{i}",
                "habitat": name,
                "length_km": 0.1,
                "condition": rng.choice(conditions(name)),
                "strategic_significance": rng.choice(SS),
            }
        )
        enh.append(
            {
                "ref": f"{tag}E{i}",
                "baseline_ref": f"{tag}B{i}",
                "habitat": name,
                "condition": rng.choice(conditions(name)),
                "strategic_significance": rng.choice(SS),
            }
        )
    return {"baseline": base, "creation": create, "enhancement": enh}


def full_site() -> dict[str, Any]:
    """A site that fills every input sheet of the workbook to (nearly) its last row."""
    rng = random.Random(2024)
    rel = load()
    habitats = [h for h in rel.area_habitats.values() if h.irreplaceable != "Yes"]

    def location(tag: str) -> dict[str, Any]:
        base, create, enh = [], [], []
        for i in range(ROWS):
            h = rng.choice(habitats)
            base.append(
                {
                    "ref": f"{tag}A{i}",
                    "habitat": h.label,
                    "area_ha": 1.0,
                    "condition": rng.choice(h.allowed_conditions()),
                    "strategic_significance": rng.choice(SS),
                    "retained_ha": 0.2,
                    "enhanced_ha": 0.3,
                }
            )
            c = rng.choice(habitats)
            create.append(
                {
                    "ref": f"{tag}C{i}",
                    "habitat": c.label,
                    "area_ha": 0.5,
                    "condition": rng.choice(c.allowed_conditions()),
                    "strategic_significance": rng.choice(SS),
                }
            )
            enh.append(
                {
                    "ref": f"{tag}E{i}",
                    "baseline_ref": f"{tag}A{i}",
                    "habitat": h.label,
                    "condition": rng.choice(h.allowed_conditions()),
                    "strategic_significance": rng.choice(SS),
                }
            )
        hedges = list(rel.hedgerow_types)
        waters = [w for w in rel.watercourse_types if w != "Culvert"]
        return {
            "area": {"baseline": base, "creation": create, "enhancement": enh},
            "hedgerow": _linear(rng, hedges, lambda n: rel.hedgerow_types[n].allowed_conditions(), tag + "H"),
            "watercourse": _linear(rng, waters, lambda n: rel.watercourse_types[n].allowed_conditions(), tag + "W"),
        }

    off = location("G")
    off.update(
        gain_site="BGS-000001",
        spatial_risk="Compensation inside LPA boundary or NCA of impact site",
        spatial_risk_watercourse="Within waterbody catchment",
    )
    return {"project": {"name": "full workbook"}, "on_site": location("S"), "off_site": [off]}


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm-up: imports, reference data, page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


PEAK = """
import json, sys
from bng.metric import parse_site
from bng.workbook.check import check_workbook
from bng.workbook.reader import read_workbook
from bng.workbook.writer import export_site

def kib(key):
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(key))

what, path = sys.argv[1], sys.argv[2]
site = parse_site(json.loads(open(path).read()))[0] if what == "export" else None
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # resets the peak resident set (VmHWM) to the current one
before = kib("VmRSS:")
if what == "read":
    read_workbook(path).book.close()
elif what == "check":
    check_workbook(path)
else:
    export_site(site, sys.argv[3])
print(kib("VmHWM:") - before)
"""


def peak_mib(*args: str) -> float:
    """Peak resident memory added by one operation, in a fresh process (MiB)."""
    out = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print the figures without updating the docs")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site_json = Path(tmp) / "full.site.json"
        site_json.write_text(json.dumps(full_site()))
        site, issues = parse_site(json.loads(site_json.read_text()))
        full = Path(tmp) / "full.xlsm"
        summary = export_site(site, full)
        rows = summary.rows

        def read(path: Path) -> Callable[[], object]:
            return lambda: read_workbook(path).book.close()

        figures = [
            (
                "read, completed DEFRA workbook (31 rows)",
                timed(read(COMPLETED), args.runs),
                peak_mib("read", str(COMPLETED)),
            ),
            (f"read, full workbook ({rows:,} rows)", timed(read(full), args.runs), peak_mib("read", str(full))),
            (
                "check, completed DEFRA workbook",
                timed(lambda: check_workbook(COMPLETED), args.runs),
                peak_mib("check", str(COMPLETED)),
            ),
            (
                f"export, full site ({rows:,} rows)",
                timed(lambda: export_site(site, Path(tmp) / "again.xlsm"), max(3, args.runs // 2)),
                peak_mib("export", str(site_json), str(Path(tmp) / "peak.xlsm")),
            ),
        ]
    load = os.getloadavg()[0]
    lines = [
        "| Operation | best | median | peak memory (RSS added) |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | {best * 1000:,.0f} ms | {median * 1000:,.0f} ms | {mib:,.1f} MiB |"
            for name, (best, median), mib in figures
        ),
    ]
    body = "\n".join(
        [
            f"Command: `{COMMAND}`",
            "",
            f"Best and median of {args.runs} runs after a warm-up, on one core. The full workbook is every input "
            f"sheet filled to its last row ({rows:,} rows, {summary.cells:,} input cells), written by `export_site` "
            "into a temporary folder. Peak memory: the peak resident set a fresh process adds doing the one "
            "thing, measured by Linux's VmHWM reset after the imports (python-calamine's sheets live in Rust, out "
            "of tracemalloc's sight). Reading includes the "
            "safety checks: every part calamine reads is inflated once with a cap to prove its size and "
            "checksum, and every sheet's XML is scanned for the rows and columns it spans.",
            "",
            *lines,
            "",
            "Target: a completed workbook read in under 0.5 s.",
            "",
            f"Load average when measured: {load:.1f} on {os.cpu_count()} cores (other work on the machine slows "
            "every figure; the best of the runs is the one least disturbed).",
        ]
    )
    print(body)
    if issues:
        print(f"({len(issues)} input warnings in the generated site)")
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", SECTION, body)


if __name__ == "__main__":
    main()
