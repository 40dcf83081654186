"""Benchmark: the public register's search under load, with 100,000 gain sites on PostgreSQL + PostGIS.

Run with ``.venv/bin/python -m benchmarks.bench_register`` (add ``--no-write`` to only print).
It starts a throwaway PostgreSQL + PostGIS server (the tests' own, ``tests/db/postgres.py``),
migrates it, generates registered gain sites with COPY (a square boundary around a random point in
England, the LPA, National Character Area and LNRS area that point lies in, three to four habitat
parcels and the units left to allocate), serves the application with ``bng serve`` (waitress, 8
threads) on loopback, then runs a bounded load: ``--clients`` keep-alive HTTP clients (threads of
this process, standard library only) send a fixed mix of searches, page and API, for ``--seconds``.
Latencies are exact (every request timed, no histogram buckets). Server and clients share the
machine's cores, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import shapely

from bng.db.database import Database
from bng.register.applications.boundary import grid_reference
from bng.register.core.places import places

from .report import write_section

SITES = 100_000
SECTION = "Register: public search under load, 100,000 gain sites on PostgreSQL"
COMMAND = ".venv/bin/python -m benchmarks.bench_register"
AREA_HABITATS = (
    "Grassland - Other neutral grassland",
    "Grassland - Lowland meadows",
    "Woodland and forest - Other woodland; broadleaved",
    "Heathland and shrub - Mixed scrub",
    "Wetland - Reedbeds",
    "Lakes - Ponds (non-priority habitat)",
)
BASELINE_HABITATS = ("Cropland - Cereal crops", "Grassland - Modified grassland")
MICRO = 1_000_000


def _points(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Random points inside England (EPSG:27700)."""
    england = places().england
    x0, y0, x1, y1 = england.bounds
    shapely.prepare(england)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    have = 0
    while have < count:
        x = rng.uniform(x0, x1, count * 3)
        y = rng.uniform(y0, y1, count * 3)
        inside = shapely.contains_xy(england, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        have += int(inside.sum())
    return np.concatenate(xs)[:count], np.concatenate(ys)[:count]


def _area_names(kind: str, x: np.ndarray, y: np.ndarray) -> list[str]:
    """The name of the area of ``kind`` each point lies in (the nearest one if in none)."""
    areas = places().areas[kind]
    points = shapely.points(x, y)
    inside, shape = areas.tree.query(points, predicate="within")
    found = np.full(len(x), -1)
    found[inside[::-1]] = shape[::-1]  # the first match wins
    missing = np.flatnonzero(found < 0)
    if len(missing):
        _, nearest = areas.tree.query_nearest(points[missing], return_distance=False, all_matches=False)
        found[missing] = nearest
    return [areas.names[i] for i in found]


def _copy(conn: psycopg.Connection[Any], table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def generate(url: str, sites: int, seed: int = 1, parcels: int = 0) -> dict[str, float]:
    """Migrate the database at ``url`` and fill it with ``sites`` registered gain sites; timings in s.

    Each site has three or four parcels (a baseline, an area and a hedgerow creation, sometimes a
    watercourse enhancement); ``parcels``, if more, is made up with further baseline parcels spread
    evenly over the sites (which change no totals)."""
    t0 = time.perf_counter()
    Database(url).upgrade()
    t_migrate = time.perf_counter() - t0
    rng = np.random.default_rng(seed)
    t1 = time.perf_counter()
    x, y = _points(rng, sites)
    names = {kind: _area_names(kind, x, y) for kind in ("lpa", "nca", "lnrs")}
    area_ha = np.round(rng.uniform(1, 60, sites), 2)
    half = np.sqrt(area_ha * 10_000) / 2
    boxes = shapely.box(x - half, y - half, x + half, y + half)
    outlines = shapely.set_srid(shapely.multipolygons(boxes.reshape(-1, 1)), 27700)
    wkb = shapely.to_wkb(outlines, hex=True, include_srid=True)
    days = rng.integers(0, 900, sites)
    habitat = rng.integers(0, len(AREA_HABITATS), sites)
    units = np.round(area_ha * rng.uniform(2, 8, sites), 4)
    allocated = np.round(units * rng.choice([0, 0, 0.3, 0.8, 1.0], sites), 4)
    hedge_km = np.round(rng.uniform(0, 3, sites), 3)
    hedge_units = np.round(hedge_km * rng.uniform(2, 6, sites), 4)
    water = rng.random(sites) < 0.15
    units_m = np.rint(units * MICRO).astype(np.int64)
    allocated_m = np.rint(allocated * MICRO).astype(np.int64)
    left_area = units_m - allocated_m
    left_hedge = np.rint(hedge_units * MICRO).astype(np.int64)
    base = 3 * sites + int(water.sum())
    extra = np.full(sites, max(0, parcels - base) // sites)
    extra[: max(0, parcels - base) % sites] += 1
    t_draw = time.perf_counter() - t1

    t2 = time.perf_counter()
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        conn.execute("SET session_replication_role = replica")  # no triggers: the generator sets the totals
        conn.execute(
            "INSERT INTO account (id, email, name, role, password_hash, organisation, active, failed_logins,"
            " created_at) VALUES (1, 'bench@example.com', 'Bench Owner', 'landowner', 'x', '', true, 0, now())"
        )
        start = date(2024, 2, 12)
        now = datetime(2026, 1, 1)
        _copy(
            conn,
            "application",
            ["id", "reference", "kind", "status", "owner_id", "answers", "created_at", "updated_at", "gain_site_id",
             "version"],
            ((i + 1, f"APP-B{i:08d}", "registration", "accepted", 1, "{}", now, now, i + 1, 1) for i in range(sites)),
        )  # fmt: skip
        body_ids = [r[0] for r in conn.execute("SELECT id FROM responsible_body ORDER BY id").fetchall()]

        def site_rows() -> Iterator[tuple[Any, ...]]:
            for i in range(sites):
                covenant = i % 3 == 0 and body_ids
                registered = start + timedelta(days=int(days[i]))
                works = registered + timedelta(days=365)
                e, n, h = float(x[i]), float(y[i]), float(half[i])
                yield (
                    i + 1, f"BGS-{100_000_000 + i}", i + 1, f"Bench site {i}", "registered", registered,
                    float(area_ha[i]), grid_reference(e, n), e, n, e - h, n - h, e + h, n + h, wkb[i],
                    "conservation_covenant" if covenant else "s106", registered, works,
                    works + timedelta(days=365 * 31), True, body_ids[i % len(body_ids)] if covenant else None,
                    names["lpa"][i], names["nca"][i], names["lnrs"][i], "4.0", now, 1,
                    int(left_area[i]), int(left_hedge[i]), int(1.5 * MICRO) if water[i] else 0, "0" * 64,
                )  # fmt: skip

        _copy(
            conn,
            "gain_site",
            ["id", "reference", "application_id", "name", "status", "registered_on", "area_ha", "grid_reference",
             "easting", "northing", "min_e", "min_n", "max_e", "max_n", "boundary", "agreement_type",
             "agreement_date", "works_completion_date", "secured_until", "hmmp_in_agreement", "responsible_body_id",
             "lpa_name", "nca_name", "lnrs_name", "metric_release", "updated_at", "version",
             "remaining_area_units_micro", "remaining_hedgerow_units_micro", "remaining_watercourse_units_micro",
             "agreement_sha256"],
            site_rows(),
        )  # fmt: skip
        _copy(
            conn,
            "gain_site_area",
            ["gain_site_id", "kind", "name", "share"],
            ((i + 1, kind, names[kind][i], 1.0) for i in range(sites) for kind in ("lpa", "nca", "lnrs")),
        )

        def parcel_rows() -> Iterator[tuple[Any, ...]]:
            for i in range(sites):
                size = int(area_ha[i] * MICRO)
                yield (i + 1, "area", "baseline", "B1", BASELINE_HABITATS[i % 2], "Low", "Poor", size,
                       int(area_ha[i] * 2 * MICRO), 0, 0, "", "")  # fmt: skip
                yield (i + 1, "area", "creation", "C1", AREA_HABITATS[habitat[i]], "Medium", "Good", size,
                       int(units_m[i]), int(size * allocated[i] / max(units[i], 1e-9)),
                       int(allocated_m[i]), "", "B1")  # fmt: skip
                yield (i + 1, "hedgerow", "creation", "H1", "Native hedgerow", "Low", "Good",
                       int(hedge_km[i] * MICRO), int(left_hedge[i]), 0, 0, "", "")  # fmt: skip
                if water[i]:
                    yield (i + 1, "watercourse", "enhancement", "W1", "Other rivers and streams", "Medium",
                           "Moderate", int(0.5 * MICRO), int(1.5 * MICRO), 0, 0, "", "W0")  # fmt: skip
                for k in range(int(extra[i])):
                    yield (i + 1, "area", "baseline", f"B{k + 2}", BASELINE_HABITATS[(i + k + 1) % 2], "Low", "Poor",
                           MICRO // 10, MICRO // 5, 0, 0, "", "")  # fmt: skip

        _copy(
            conn,
            "habitat_parcel",
            ["gain_site_id", "module", "stage", "ref", "habitat", "distinctiveness", "condition", "size_micro",
             "units_micro", "allocated_size_micro", "allocated_units_micro", "strategic_significance", "baseline_ref"],
            parcel_rows(),
        )  # fmt: skip
        for table in ("account", "application", "gain_site", "gain_site_area", "habitat_parcel"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.execute("SET session_replication_role = origin")
        conn.commit()
    t_copy = time.perf_counter() - t2
    t3 = time.perf_counter()
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {"migrate": t_migrate, "draw": t_draw, "copy": t_copy, "analyze": time.perf_counter() - t3}


def request_mix(seed: int = 2, count: int = 400) -> list[str]:
    """A fixed list of searches: the page and the API, no filters, by LPA, habitat, units, place, box."""
    rng = random.Random(seed)
    lpas = list(places().names("lpa"))
    x, y = _points(np.random.default_rng(seed), count)
    paths = []
    for i in range(count):
        e, n = int(x[i]), int(y[i])
        lpa = rng.choice(lpas).replace(" ", "+")
        near = grid_reference(e, n, 8).replace(" ", "+")
        paths += [
            "/register",
            f"/register?lpa={lpa}",
            f"/register?near={near}&distance_km=10&min_units=5&module=area",
            "/register?habitat=woodland",
            "/api/v1/sites",
            f"/api/v1/sites?bbox={e - 10_000},{n - 10_000},{e + 10_000},{n + 10_000}",
            "/api/v1/sites?min_units=8&module=hedgerow",
            f"/api/v1/sites?near={e},{n}&distance_km=5",
        ]
    return paths


def kind_of(path: str) -> str:
    base, _, query = path.partition("?")
    keys = sorted({p.split("=")[0] for p in query.split("&") if p} - {"distance_km", "module"})
    return f"{base}" + (f"?{'&'.join(keys)}" if keys else "")


def load(port: int, paths: list[str], clients: int, seconds: float) -> dict[str, Any]:
    """``clients`` keep-alive clients send ``paths`` round robin for ``seconds``; every latency kept."""
    stop = time.perf_counter() + seconds
    results: list[list[tuple[str, float, int]]] = [[] for _ in range(clients)]

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = k * 7
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            results[k].append((path, time.perf_counter() - t, response.status))
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    done = [r for rs in results for r in rs]
    return {"elapsed": elapsed, "done": done}


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    a = np.array(latencies) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


def explain(url: str) -> list[tuple[str, float]]:
    """EXPLAIN ANALYZE of the searches the mix sends, through the register's own query code."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from bng.db.uow import Sites
    from bng.register.core.ports import SiteQuery

    engine = create_engine(url)
    queries = {
        "all": SiteQuery(),
        "lpa": SiteQuery(lpa="Cambridge LPA"),
        "habitat": SiteQuery(habitat="woodland"),
        "units": SiteQuery(min_units=8, units_module="hedgerow"),
        "near": SiteQuery(near=(545_000, 258_000, 10_000), min_units=5),
        "bbox": SiteQuery(bbox=(535_000, 248_000, 555_000, 268_000)),
    }
    out = []
    with Session(engine) as session:
        for name, query in queries.items():
            t = time.perf_counter()
            for _ in range(5):
                Sites(session).search(query)
            out.append((name, (time.perf_counter() - t) / 5 * 1000))
    engine.dispose()
    return out


@contextmanager
def served(url: str, threads: int) -> Iterator[int]:
    from tests.db.postgres import free_port

    port = free_port()
    var = Path(tempfile.mkdtemp(prefix="bng-bench-"))
    env = {**os.environ, "DATABASE_URL": url, "BNG_VAR": str(var)}
    bng = Path(sys.executable).with_name("bng")
    server = subprocess.Popen(
        [str(bng), "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/v1/lpas")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"bng serve did not start: {server.stderr.read() if server.stderr else ''}")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(sites: int, clients: int, seconds: float, threads: int) -> dict[str, Any]:
    from tests.db.postgres import throwaway_server

    with throwaway_server() as pg:
        pg.psql("CREATE DATABASE bench")
        pg.psql("CREATE EXTENSION postgis", "bench")
        url = pg.url("bench")
        timings = generate(url, sites)
        queries = explain(url)
        paths = request_mix()
        with served(url, threads) as port:
            load(port, paths[:16], 2, 3)  # warm-up: connections, caches, templates
            busy_before = os.getloadavg()[0]
            measured = load(port, paths, clients, seconds)
            busy_after = os.getloadavg()[0]
    done = measured["done"]
    by_kind: dict[str, list[float]] = {}
    for path, latency, _ in done:
        by_kind.setdefault(kind_of(path), []).append(latency)
    errors = sum(1 for _, _, status in done if status != 200)
    return {
        "sites": sites,
        "clients": clients,
        "seconds": measured["elapsed"],
        "threads": threads,
        "timings": timings,
        "queries": queries,
        "requests": len(done),
        "errors": errors,
        "rps": len(done) / measured["elapsed"],
        "loadavg": (busy_before, busy_after),
        "overall": _percentiles([d[1] for d in done]),
        "by_kind": {k: (len(v), *_percentiles(v)) for k, v in by_kind.items()},
    }


def section(r: dict[str, Any]) -> str:
    t = r["timings"]
    out = io.StringIO()
    out.write(
        f"Command: `{COMMAND}` (defaults: {r['sites']:,} sites, {r['clients']} clients, "
        f"{r['seconds']:.0f} s; `bng serve` with {r['threads']} threads).\n\n"
        f"Generation: migrations {t['migrate']:.1f} s, drawing the sites {t['draw']:.1f} s, COPY of "
        f"{r['sites']:,} gain sites with their areas and parcels {t['copy']:.1f} s, VACUUM ANALYZE "
        f"{t['analyze']:.1f} s.\n\n"
        f"Load: **{r['rps']:.0f} requests/s**, p50 **{r['overall'][0]:.0f} ms**, p95 **{r['overall'][1]:.0f} ms** "
        f"over {r['requests']:,} requests ({r['errors']} not 200), server and clients on the same machine. "
        f"Load average (1 min) {r['loadavg'][0]:.1f} when the load began, {r['loadavg'][1]:.1f} when it ended, "
        f"on {os.cpu_count()} cores.\n\n"
        "| Request | Count | p50 ms | p95 ms |\n|---|---:|---:|---:|\n"
    )
    for kind, (count, p50, p95) in sorted(r["by_kind"].items()):
        out.write(f"| `{kind}` | {count:,} | {p50:.0f} | {p95:.0f} |\n")
    out.write(
        "\nThe search itself (the register's query code on one connection, mean of 5, a page of 20 and its count):\n\n"
        "| Filter | ms |\n|---|---:|\n"
    )
    for name, ms in r["queries"]:
        out.write(f"| {name} | {ms:.1f} |\n")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=SITES)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    args = parser.parse_args()
    result = run(args.sites, args.clients, args.seconds, args.threads)
    text = section(result)
    print(text)
    if not args.no_write:
        write_section(Path(__file__).resolve().parent.parent / "docs" / "performance.md", SECTION, text)


if __name__ == "__main__":
    main()
