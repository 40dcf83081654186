"""Benchmark: the CLI as a user meets it, whole processes from start to exit.

Run with ``.venv/bin/python -m benchmarks.bench_startup`` (add ``--no-write`` to only print,
``--runs N`` for another number of runs). It times, as separate processes started by this script:

* ``bng --help``;
* ``bng metric calculate`` of the 10,000-parcel site of ``benchmarks/bench_metric.py`` (written to a
  temporary JSON file; its enhancement rows include some the workbook flags, so it prints a list of
  problems and exits 1, as a user would see it);
* ``bng metric check`` of DEFRA's completed off-site workbook (``../shared/spec/metric-files/``);
* and, as the floor under them, ``python -c pass`` and ``python -c "import typer"``.

The commands run in turn (one of each, then again), after two warm-up rounds, so that a change in
the machine's load touches all alike; wall time is measured around each process, CPU time
(user + system) from the operating system's account of the finished child. The median of the
runs is the figure; targets are on the median wall time: ``--help`` < 0.25 s, ``calculate`` < 0.4 s,
``check`` < 0.6 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .report import write_section

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BNG_SHARED", ROOT.parent / "shared"))
COMPLETED = SHARED / "spec" / "metric-files" / "statutory-2024-02__completed-offsite.xlsm"
SECTION = "CLI start-up: whole processes"
COMMAND = ".venv/bin/python -m benchmarks.bench_startup"
RUNS = 21
WARM_UP = 2


def _site_file(folder: Path) -> Path:
    from bng.metric import site_to_dict

    from .bench_metric import build_site

    path = folder / "site-10000.json"
    path.write_text(json.dumps(site_to_dict(build_site())))
    return path


def _run(argv: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def bytecode_missing() -> list[str]:
    """Modules the commands import that have no cached bytecode: each run would compile them from source.

    ``scripts/setup.sh`` compiles it (``uv sync --compile-bytecode`` and ``compileall src``); without
    that, where ``PYTHONDONTWRITEBYTECODE`` is set, every process compiles every module it imports.
    """
    import importlib.util

    names = ("typer.main", "bng.cli", "bng.metric.engine", "bng.workbook.reader", "bng.workbook.check")
    missing = []
    for name in names:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin and origin.endswith(".py") and not Path(importlib.util.cache_from_source(origin)).exists():
            missing.append(name)
    return missing


def measure(runs: int) -> tuple[list[tuple[str, float | None, list[float], list[float]]], float, float]:
    bng = str(Path(sys.executable).with_name("bng"))
    with tempfile.TemporaryDirectory() as tmp:
        site = _site_file(Path(tmp))
        cases: list[tuple[str, float | None, list[str]]] = [
            ("`python -c pass` (the floor)", None, [sys.executable, "-c", "pass"]),
            ('`python -c "import typer"`', None, [sys.executable, "-c", "import typer"]),
            ("`bng --help`", 0.25, [bng, "--help"]),
            ("`bng metric calculate` of the 10,000-parcel site", 0.4, [bng, "metric", "calculate", str(site)]),
            ("`bng metric check` of the completed off-site workbook", 0.6, [bng, "metric", "check", str(COMPLETED)]),
        ]
        walls: list[list[float]] = [[] for _ in cases]
        cpus: list[list[float]] = [[] for _ in cases]
        load_before = os.getloadavg()[0]
        for round_ in range(WARM_UP + runs):
            for i, (_, _, argv) in enumerate(cases):
                wall, cpu = _run(argv)
                if round_ >= WARM_UP:
                    walls[i].append(wall)
                    cpus[i].append(cpu)
        load_after = os.getloadavg()[0]
    return [(c[0], c[1], w, u) for c, w, u in zip(cases, walls, cpus, strict=True)], load_before, load_after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs of each command (default {RUNS})")
    parser.add_argument("--no-write", action="store_true", help="print only; do not update docs/performance.md")
    args = parser.parse_args()
    missing = bytecode_missing()
    results, load_before, load_after = measure(args.runs)
    bytecode = (
        "Bytecode: cached for every module the commands import (`scripts/setup.sh` compiles it)."
        if not missing
        else f"Bytecode: NOT cached for {', '.join(missing)}: each run compiled them from source "
        "(run `scripts/setup.sh`)."
    )
    lines = [
        f"Command: `{COMMAND}`",
        "",
        f"Whole processes started by the benchmark, in turn, {args.runs} timed runs of each after {WARM_UP} "
        f"warm-up rounds; wall time around each process, CPU time (user + system) as the system accounts the "
        f"finished child. Load average (1 min) {load_before:.1f} when the runs began and {load_after:.1f} when "
        f"they ended, on {os.cpu_count()} cores shared with other work: wall times above the CPU time are time "
        f"spent waiting for a core. {bytecode}",
        "",
        "| command | median wall | min–max wall | median CPU | target (median wall) |",
        "|---|---:|---:|---:|---|",
    ]
    for name, target, walls, cpus in results:
        median = statistics.median(walls)
        verdict = "" if target is None else f"< {target} s: {'met' if median < target else 'NOT met'}"
        lines.append(
            f"| {name} | {median * 1000:.0f} ms | {min(walls) * 1000:.0f}–{max(walls) * 1000:.0f} ms | "
            f"{statistics.median(cpus) * 1000:.0f} ms | {verdict} |"
        )
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", SECTION, text)


if __name__ == "__main__":
    main()
