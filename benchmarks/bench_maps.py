"""The offline base map's GeoJSON (``/maps/areas/<kind>.geojson``): time and size of one answer, by box.

Run: ``.venv/bin/python -m benchmarks.bench_maps``. Prints a Markdown table for docs/performance.md: the
best of 5 calls after a warm-up (each simplification level is made once per process), with the JSON's
size as served."""

from __future__ import annotations

import json
import os
import time

from bng.web.map_data import KINDS, areas_geojson

BOXES = {
    "England (580 × 660 km)": (80_000, 0, 660_000, 660_000),
    "a county (50 km)": (400_000, 200_000, 450_000, 250_000),
    "a town (5 km)": (540_000, 253_000, 545_000, 258_000),
    "a field (200 m)": (545_000, 258_000, 545_200, 258_200),
}


def main() -> None:
    started = time.perf_counter()
    areas_geojson("lpa", (0, 0, 10, 10))
    print(f"first call (loads the boundaries): {time.perf_counter() - started:.2f} s")
    for kind in KINDS:
        for box in BOXES.values():
            areas_geojson(kind, box)
    print("| box | " + " | ".join(KINDS) + " |")
    print("|---|" + "---:|" * len(KINDS))
    for name, box in BOXES.items():
        cells = []
        for kind in KINDS:
            best, size = float("inf"), 0
            for _ in range(5):
                t = time.perf_counter()
                size = len(json.dumps(areas_geojson(kind, box), separators=(",", ":")))
                best = min(best, time.perf_counter() - t)
            cells.append(f"{best * 1000:.0f} ms, {size / 1000:.0f} kB")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
