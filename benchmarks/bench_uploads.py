"""Benchmark: hostile and huge map uploads, refused (issue 10, items 1, 3 and 4).

Run with ``.venv/bin/python -m benchmarks.bench_uploads`` (``--no-write`` to print without
updating ``docs/performance.md``). The files are made in a temporary folder from a valid GeoPackage
of the shared examples (``tests/gis/hostile.py``): its Habitats or Red Line Boundary layer as a
self-recursive SQL view, or given a polygon of a million vertices. Each is timed where a user meets
it: ``bng gis validate`` (in-process, and as a command in its own process), the boundary reader and
a section saved through the register's services on SQLite; peak memory is measured in a fresh
process per case. Then a 50,000-vertex boundary is saved twice, to size what the audit log keeps.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from tests.gis import hostile

from bng.bootstrap import Config, wire
from bng.db.database import Database
from bng.register import samples
from bng.register.accounts.service import NewAccount, actor_of
from bng.register.core.errors import Invalid
from bng.register.core.uploads import Upload

from .report import write_section

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "performance.md"
SECTION = "Uploads: hostile and huge maps refused (`bng gis validate`, the register's boundary and habitats)"
RUNS = 5
PASSWORD = "a long enough password 42"


def timed(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, list[float]]:
    """Median wall-clock seconds of ``runs`` calls (each may raise the refusal it is meant to)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with contextlib.suppress(Invalid):
            fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def peak_mb(code: str) -> float:
    """Peak resident memory of a fresh Python process running ``code`` (its imports included)."""
    script = code + "\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    return int(out.stdout.split()[-1]) / 1024


def ring(vertices: int, radius: float = 100.0) -> list[list[float]]:
    t = np.linspace(0, 2 * np.pi, vertices)
    r = np.column_stack([545_000 + radius * np.cos(t), 258_000 + radius * np.sin(t)])
    r[-1] = r[0]
    return r.tolist()


def files(tmp: Path) -> dict[str, Path]:
    out = {
        "view": hostile.recursive_view(tmp / "Baseline - view.gpkg"),
        "view_rlb": hostile.recursive_view(tmp / "boundary-view.gpkg", layer="Red Line Boundary"),
        "million": hostile.many_vertices(tmp / "Baseline - million.gpkg", 1_000_001),
        "200k_rlb": hostile.many_vertices(tmp / "boundary-200k.gpkg", 200_001, layer="Red Line Boundary"),
    }
    big = ring(1_000_001)
    (tmp / "million.geojson").write_bytes(samples.boundary_geojson(big))
    out["million_geojson"] = tmp / "million.geojson"
    return out


def cli(paths: dict[str, Path]) -> dict[str, Any]:
    from bng.gis.validate import validate

    rows: dict[str, Any] = {}
    for name in ("view", "million"):
        rows[f"validate {name}"] = timed(lambda p=paths[name]: validate(p))  # type: ignore[misc]
        command = [sys.executable, "-m", "bng.cli", "gis", "validate", str(paths[name])]
        walls = []
        for _ in range(3):
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
            walls.append(time.perf_counter() - started)
            assert done.returncode in (1, 2), done.stdout + done.stderr  # refused: unreadable, or a rule fails
        rows[f"command {name}"] = (statistics.median(walls), walls)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bng.cli", "--help"], capture_output=True, cwd=ROOT, check=True)
    rows["command startup"] = time.perf_counter() - started
    rows["peak validate million"] = peak_mb(
        f"from bng.gis.validate import validate; validate({str(paths['million'])!r})"
    )
    rows["peak import"] = peak_mb("from bng.gis.validate import validate")
    return rows


def boundary(paths: dict[str, Path]) -> dict[str, Any]:
    from bng.register.applications.boundary import read_boundary_file
    from bng.register.core.filetypes import FileType

    rows: dict[str, Any] = {}
    gj = paths["million_geojson"].read_bytes()
    rows["boundary geojson"] = timed(lambda: read_boundary_file(gj, FileType.GEOJSON))
    rows["boundary geojson bytes"] = len(gj)
    gp = paths["200k_rlb"].read_bytes()
    rows["boundary 200k gpkg"] = timed(lambda: read_boundary_file(gp, FileType.GEOPACKAGE))
    view = paths["view_rlb"].read_bytes()
    rows["boundary view"] = timed(lambda: read_boundary_file(view, FileType.GEOPACKAGE))
    rows["peak boundary geojson"] = peak_mb(
        "from pathlib import Path\nfrom bng.register.applications.boundary import read_boundary_file\n"
        "from bng.register.core.filetypes import FileType\nfrom bng.register.core.errors import Invalid\n"
        f"try: read_boundary_file(Path({str(paths['million_geojson'])!r}).read_bytes(), FileType.GEOJSON)\n"
        "except Invalid: pass"
    )
    return rows


class Register:
    """A fresh SQLite register with a landowner's draft application and a developer who signs in."""

    def __init__(self, tmp: Path) -> None:
        url = f"sqlite:///{tmp / 'register.sqlite3'}"
        Database(url).upgrade()
        self.wired = wire(Config(url, tmp / "files", "benchmark-secret"))
        s = self.services = self.wired.services
        owner = s.accounts.create_trusted(NewAccount("owner@example.com", "Owner", PASSWORD, "landowner"))
        s.accounts.create_trusted(NewAccount("developer@example.com", "Developer", PASSWORD, "developer"))
        self.owner = actor_of(owner)
        self.reference = s.applications.start(self.owner).reference

    def save(self, key: str, values: dict[str, Any], uploads: dict[str, bytes]) -> None:
        ups = {n: Upload(n, f"{n}.bin", d) for n, d in uploads.items()}
        self.services.applications.save_section(self.owner, self.reference, key, values, ups)


def register(tmp: Path, paths: dict[str, Path]) -> dict[str, Any]:
    reg = Register(tmp)
    post = (hostile.VALID.parent / "Post-intervention - complete.gpkg").read_bytes()
    rows: dict[str, Any] = {}
    rows["save habitats view"] = timed(
        lambda: reg.save("habitats", {}, {"habitat_baseline_map": paths["view"].read_bytes(), "habitat_post_map": post})
    )
    rows["save habitats million"] = timed(
        lambda: reg.save(
            "habitats", {}, {"habitat_baseline_map": paths["million"].read_bytes(), "habitat_post_map": post}
        )
    )
    method = {"method": "map", "site_name": "Benchmark"}
    rows["save boundary view"] = timed(
        lambda: reg.save("boundary", method, {"boundary_file": paths["view_rlb"].read_bytes()})
    )
    rows["save boundary 200k"] = timed(
        lambda: reg.save("boundary", method, {"boundary_file": paths["200k_rlb"].read_bytes()})
    )
    # a legitimate boundary at the limit, saved while a developer signs in again and again
    limit = samples.boundary_geojson(ring(100_000, 300.0))
    signs: list[float] = []
    stop = threading.Event()

    def signing_in() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            reg.services.accounts.sign_in("developer@example.com", PASSWORD)
            signs.append(time.perf_counter() - started)

    alone, _ = timed(lambda: reg.services.accounts.sign_in("developer@example.com", PASSWORD))
    thread = threading.Thread(target=signing_in)
    thread.start()
    rows["save boundary 100k"] = timed(lambda: reg.save("boundary", method, {"boundary_file": limit}), runs=3)
    stop.set()
    thread.join()
    rows["sign-in alone"] = alone
    rows["sign-in during"] = (statistics.median(signs), max(signs), len(signs))
    # what the answers and the audit log keep of a 50,000-vertex boundary saved twice
    fifty = samples.boundary_geojson(ring(50_000, 300.0))
    wkt = len(shapely.Polygon(ring(50_000, 300.0)).wkt)
    with reg.wired.database() as uow:
        before = uow.audit.recent(1, 1).total
    reg.save("boundary", method, {"boundary_file": fifty})
    reg.save("boundary", method, {"boundary_file": fifty})
    with reg.wired.database() as uow:
        page = uow.audit.recent(1, 50)
        sizes = [
            len(json.dumps([e.before, e.after]))
            for e in page.items[: page.total - before]
            if e.action == "application.section_saved"
        ]
        app = uow.applications.by_reference(reg.reference)
        assert app is not None
        answers = len(json.dumps(app.answers["boundary"]))
    rows["wkt 50k"] = wkt
    rows["audit 50k"] = sizes
    rows["answers 50k"] = answers
    reg.wired.database.dispose()
    return rows


def fmt(v: Any) -> str:
    median, runs = v
    return f"{median:.3f} s (runs: {', '.join(f'{r:.3f}' for r in runs)})"


def section(rows: dict[str, Any]) -> str:
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    r = rows
    peak_million = f"{r['peak validate million']:.0f} MB (the imports alone: {r['peak import']:.0f} MB)"
    peak_geojson = f"{r['peak boundary geojson']:.0f} MB"
    cases = [
        ("`validate()` of a map whose Habitats is a self-recursive view (`GPKG_UNSAFE_SCHEMA`)", "validate view", ""),
        ("`validate()` of a map with a 1,000,001-vertex habitat (16 MB; `TOO_MANY_VERTICES`)", "validate million",
         peak_million),
        ("`bng gis validate` of the view, as a command (process start included)", "command view", ""),
        ("`bng gis validate` of the million-vertex map, as a command", "command million", ""),
        (f"Boundary reader: 1,000,001-vertex GeoJSON ({r['boundary geojson bytes'] / 2**20:.0f} MB; positions "
         "counted in the text)", "boundary geojson", peak_geojson),
        ("Boundary reader: 200,001-vertex GeoPackage", "boundary 200k gpkg", ""),
        ("Boundary reader: Red Line Boundary as a self-recursive view", "boundary view", ""),
        ("Register, habitats section saved with the view as the baseline map (SQLite)", "save habitats view", ""),
        ("Register, habitats section saved with the million-vertex baseline map", "save habitats million", ""),
        ("Register, boundary section saved with the view", "save boundary view", ""),
        ("Register, boundary section saved with the 200,001-vertex GeoPackage", "save boundary 200k", ""),
    ]  # fmt: skip
    table = "\n".join(f"| {what} | {fmt(r[key])} | {peak} |" for what, key, peak in cases)
    startup = f"| (`bng --help`, the command's start-up alone) | {r['command startup']:.3f} s | |"

    return f"""
Command: `.venv/bin/python -m benchmarks.bench_uploads` (median of {RUNS} runs unless said; the machine
is shared: load average {" ".join(load)} when it finished). Before these changes, the self-recursive view
never finished (killed after 20 s: `bng gis validate` spun for ever; over the web the section save held
SQLite's write lock, and every sign-in answered 409 after 30 s), and one 1,000,001-vertex polygon took
85 s and 1.9 GB in the server (issue 10).

| Case | Refused in | Peak memory |
|---|---|---|
{table}
{startup}

A legitimate boundary at the limit (100,000 vertices, GeoJSON) is saved in {fmt(r["save boundary 100k"])},
while a developer signs in again and again on another thread: {r["sign-in during"][2]} sign-ins, median
{r["sign-in during"][0]:.3f} s, slowest {r["sign-in during"][1]:.3f} s (alone: {r["sign-in alone"]:.3f} s);
the boundary is read before the write transaction opens.

A 50,000-vertex boundary saved twice: its WKT is {r["wkt 50k"] / 2**20:.2f} MB, which the answers held and each
audit entry held twice (before and after); now the boundary's answers are {r["answers 50k"]} bytes and the two
audit entries {", ".join(str(s) for s in r["audit 50k"])} bytes, and the geometry is stored once (800,013 bytes of WKB).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bng-bench-uploads-") as tmp:
        paths = files(Path(tmp))
        rows = cli(paths) | boundary(paths) | register(Path(tmp), paths)
    text = section(rows)
    print(text)
    if not args.no_write:
        write_section(DOC, SECTION, text)
        print(f"updated {DOC}")


if __name__ == "__main__":
    main()
