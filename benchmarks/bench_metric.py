"""Benchmark: the metric engine on a 10,000-parcel site across all three modules.

Run with ``.venv/bin/python -m benchmarks.bench_metric`` (add ``--no-write`` to only print).
It builds a deterministic site — area habitat, hedgerow and watercourse rows, on-site and at
four off-site gain sites, baseline, creation and enhancement — times ``calculate`` on one core
(best and median of 15 runs, after a warm-up), measures peak memory with tracemalloc, and records the
figures in ``docs/performance.md`` with the machine and this command.

The official workbook stops at about 250 rows a sheet; the target here is 10,000 parcels in
under 0.1 s.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bng.metric import calculate, load, parse_site
from bng.metric.model import Site

from .report import write_section

PARCELS = 10_000
SECTION = "Metric engine: 10,000-parcel site"
COMMAND = ".venv/bin/python -m benchmarks.bench_metric"
SPATIAL_RISK = [
    "Compensation inside LPA boundary or NCA of impact site",
    "Compensation outside LPA or NCA of impact site, but in neighbouring LPA or NCA",
    "Compensation outside LPA or NCA of impact site and neighbouring LPA or NCA",
    "This metric is being used by an off-site provider",
]


def _location(rng: random.Random, n: int, tag: str) -> dict[str, Any]:
    """About ``n`` rows: half area habitats, a quarter each hedgerows and watercourses."""
    rel = load()
    habitats = [h for h in rel.area_habitats.values() if h.irreplaceable != "Yes"]
    area_b: list[dict[str, Any]] = []
    area_c: list[dict[str, Any]] = []
    area_e: list[dict[str, Any]] = []
    for i in range(n // 4):
        h = rng.choice(habitats)
        cond = rng.choice(h.allowed_conditions())
        enhanced = 0.2 if i % 3 == 0 else 0.0
        area_b.append(
            {
                "ref": f"{tag}B{i}",
                "habitat": h.label,
                "area_ha": round(rng.uniform(0.25, 3), 4),
                "condition": cond,
                "strategic_significance": rng.choice(["Low", "Medium", "High"]),
                "retained_ha": 0.01,
                "enhanced_ha": enhanced,
            }
        )
        if enhanced:
            area_e.append(
                {
                    "ref": f"{tag}E{i}",
                    "baseline_ref": f"{tag}B{i}",
                    "habitat": h.label,
                    "condition": h.allowed_conditions()[0],
                    "strategic_significance": "Medium",
                    "advance_years": rng.choice([0, 2]),
                }
            )
    for i in range(n // 4):
        h = rng.choice(habitats)
        area_c.append(
            {
                "ref": f"{tag}C{i}",
                "habitat": h.label,
                "area_ha": round(rng.uniform(0.05, 2), 4),
                "condition": rng.choice(h.allowed_conditions()),
                "strategic_significance": "High",
                "delay_years": rng.choice([0, 1, 5]),
            }
        )
    hedges = list(rel.hedgerow_types.values())
    hb: list[dict[str, Any]] = []
    hc: list[dict[str, Any]] = []
    he: list[dict[str, Any]] = []
    for i in range(n // 12):
        t = rng.choice(hedges)
        hb.append(
            {
                "ref": f"{tag}H{i}",
                "habitat": t.name,
                "length_km": 0.3,
                "condition": t.allowed_conditions()[-1],
                "strategic_significance": "Low",
                "retained_km": 0.1,
                "enhanced_km": 0.1,
            }
        )
        he.append(
            {
                "ref": f"{tag}HE{i}",
                "baseline_ref": f"{tag}H{i}",
                "habitat": t.name,
                "condition": t.allowed_conditions()[0],
                "strategic_significance": "Low",
            }
        )
        hc.append(
            {
                "ref": f"{tag}HC{i}",
                "habitat": t.name,
                "length_km": 0.2,
                "condition": t.allowed_conditions()[0],
                "strategic_significance": "Medium",
            }
        )
    wb: list[dict[str, Any]] = []
    wc: list[dict[str, Any]] = []
    we: list[dict[str, Any]] = []
    for i in range(n // 12):
        wb.append(
            {
                "ref": f"{tag}W{i}",
                "habitat": "Ditches",
                "length_km": 0.2,
                "condition": "Moderate",
                "strategic_significance": "Low",
                "retained_km": 0.1,
                "enhanced_km": 0.1,
                "encroachment": "Minor",
                "riparian_encroachment": "Minor/ No Encroachment",
            }
        )
        we.append(
            {
                "ref": f"{tag}WE{i}",
                "baseline_ref": f"{tag}W{i}",
                "habitat": "Ditches",
                "condition": "Good",
                "strategic_significance": "Low",
            }
        )
        wc.append(
            {
                "ref": f"{tag}WC{i}",
                "habitat": "Other rivers and streams",
                "length_km": 0.1,
                "condition": "Good",
                "strategic_significance": "Low",
            }
        )
    return {
        "area": {"baseline": area_b, "creation": area_c, "enhancement": area_e},
        "hedgerow": {"baseline": hb, "creation": hc, "enhancement": he},
        "watercourse": {"baseline": wb, "creation": wc, "enhancement": we},
    }


def build_site(parcels: int = PARCELS, seed: int = 2024) -> Site:
    rng = random.Random(seed)
    on_share = parcels * 6 // 10
    off_each = (parcels - on_share) // 4
    data: dict[str, Any] = {
        "project": {"name": f"Benchmark site ({parcels} parcels)"},
        "on_site": _location(rng, on_share, "S"),
        "off_site": [
            {
                "gain_site": f"BGS-BENCH-{k}",
                "spatial_risk": SPATIAL_RISK[k],
                "spatial_risk_watercourse": "Within waterbody catchment",
                **_location(rng, off_each, f"G{k}"),
            }
            for k in range(4)
        ],
    }
    site, issues = parse_site(data)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise SystemExit(f"benchmark site has input errors: {errors[:3]}")
    return site


REPEATS = 15


def run(repeats: int = REPEATS) -> dict[str, float]:
    site = build_site()
    rows = site.on_site.row_count() + site.off_site.row_count()
    calculate(site)  # warm-up: loads the reference data once
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        calculate(site)
        times.append(time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    calculate(site)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    best = min(times)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "load": load,
        "rows": rows,
        "best_s": best,
        "median_s": sorted(times)[len(times) // 2],
        "rows_per_s": rows / best,
        "peak_mib": peak / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; do not update docs/performance.md")
    args = parser.parse_args()
    r = run()
    lines = [
        f"Command: `{COMMAND}`",
        "",
        f"A generated site of {int(r['rows']):,} input rows (parcels, hedgerows and watercourses; baseline, "
        "creation and enhancement; on-site and at four off-site gain sites), calculated in one process "
        f"on one core; the best and the median of {REPEATS} runs after a warm-up, peak memory by tracemalloc. "
        f"Load average (1 min) when the runs ended: {r['load']:.1f} on {os.cpu_count()} cores (other work on the "
        "machine slows every figure; the best run is the one least disturbed).",
        "",
        "| rows | best | median | rows per second | peak memory |",
        "|---:|---:|---:|---:|---:|",
        f"| {int(r['rows']):,} | {r['best_s'] * 1000:.1f} ms | {r['median_s'] * 1000:.1f} ms | "
        f"{r['rows_per_s']:,.0f} | {r['peak_mib']:.1f} MiB |",
        "",
        "Target: the 10,000-parcel site in under 0.1 s on one core.",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section(Path("docs/performance.md"), SECTION, text)


if __name__ == "__main__":
    main()
