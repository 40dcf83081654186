"""Benchmark: what the OS Maps tiles proxy's guards cost a worker (issue 13's defect, fixed 2026-12-07).

Run with ``.venv/bin/python -m benchmarks.bench_tiles`` (``--no-write`` to only print). It fills the per-client
limit's table (``bng.web.tile_limit.TileLimit``) to its bound with distinct IPv6 /64 clients, as an attacker
rotating addresses would, and measures its memory (tracemalloc) and the time of one check, the client's
address worked out included (``client_of``); then the tile cache's (``bng.web.tile_cache.TileCache``) time
for a kept tile and its memory when full of 20 kB tiles.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from pathlib import Path

from bng.web.tile_cache import DEFAULT_BYTES, TileCache
from bng.web.tile_limit import CLIENTS, TileLimit, client_of

from .report import write_section

SECTION = "Maps: the tiles proxy's limit and cache (`/maps/tiles/…`)"
COMMAND = ".venv/bin/python -m benchmarks.bench_tiles"
ROOT = Path(__file__).resolve().parent.parent


def _addresses(n: int) -> list[str]:
    return [f"2001:db8:{i >> 16:x}:{i & 0xFFFF:x}::1" for i in range(n)]


def measure() -> dict[str, float]:
    """The table's memory when full, a check's time, a kept tile's time and the cache's memory when full."""
    addresses = _addresses(CLIENTS)
    tracemalloc.start()
    limit = TileLimit()
    for address in addresses:
        limit.wait(client_of(address))
    table = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(limit) == CLIENTS
    rounds = 5
    start = time.perf_counter()
    for _ in range(rounds):
        for address in addresses:
            limit.wait(client_of(address))
    check = (time.perf_counter() - start) / (rounds * len(addresses))

    tile = (b"\x89PNG" + os.urandom(20_000), "image/png")
    tracemalloc.start()
    cache = TileCache()
    count = DEFAULT_BYTES // len(tile[0]) + 10
    for i in range(count):
        cache.get((15, i, 0), lambda i=i: (i.to_bytes(4, "big") + tile[0], tile[1]))  # each tile its own bytes
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    kept = cache.stats()["tiles"]
    start = time.perf_counter()
    for _ in range(20):
        for i in range(count - kept, count):
            cache.get((15, i, 0), lambda: tile)
    hit = (time.perf_counter() - start) / (20 * kept)
    return {"table": table, "check": check, "held": held, "kept": kept, "hit": hit, "load": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    args = parser.parse_args()
    r = measure()
    text = (
        f"Command: `{COMMAND}` (load average, 1 min, {r['load']:.1f} at the end).\n\n"
        "| What | Measured |\n|---|---|\n"
        f"| The per-client table full ({CLIENTS:,} IPv6 /64 clients, tracemalloc) | {r['table'] / 1e6:.1f} MB |\n"
        f"| One check, the client's address worked out included | {r['check'] * 1e6:.1f} µs |\n"
        f"| The tile cache full ({r['kept']:,} tiles of 20 kB, 16 MiB bound, tracemalloc) | "
        f"{r['held'] / 1e6:.1f} MB |\n"
        f"| A kept tile answered from the cache | {r['hit'] * 1e6:.1f} µs |\n"
    )
    print(text)
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", SECTION, text)


if __name__ == "__main__":
    main()
