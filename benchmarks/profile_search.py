"""Profile the public searches one at a time through the Flask test client: where a unique request's time goes.

On a database loaded by ``benchmarks.bench_register.generate`` (as ``benchmarks.bench_traffic`` loads
it): the time a request, its CPU, and cProfile's slowest functions. Each request is made unique as the
benchmark's "fresh" mode makes it (an extra parameter the server ignores); ``--warm`` asks each search
once first, so that its count is kept (as it is after the first page of a search).

Run with ``.venv/bin/python -m benchmarks.profile_search --url postgresql+psycopg://… [--kind /register]``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import tempfile
import time


def main() -> None:
    """Profile ``--count`` unique searches of ``--kind`` and print the time each and cProfile's table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a database loaded by benchmarks.bench_register.generate")
    parser.add_argument("--kind", default="/api", help="the searches whose path starts so (/api or /register)")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--warm", action="store_true", help="ask each search once first (its count kept)")
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--lines", type=int, default=30)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.url
    os.environ.setdefault("BNG_VAR", tempfile.mkdtemp(prefix="bng-profile-"))

    from bng.bootstrap import create_app

    from .bench_traffic import searches

    client = create_app().test_client()
    chosen = [p for p in searches() if p.startswith(args.kind)]
    sample = random.Random(1).sample(chosen, min(args.count, len(chosen)))

    def unique(path: str, tag: str) -> str:
        return path + ("&" if "?" in path else "?") + f"_={tag}"

    for i, path in enumerate(sample[:5] if not args.warm else sample):
        client.get(unique(path, f"warm{i}"))
    profile = cProfile.Profile()
    wall, cpu = time.perf_counter(), time.process_time()
    profile.enable()
    for i, path in enumerate(sample):
        assert client.get(unique(path, str(i))).status_code == 200, path
    profile.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{len(sample)} requests: {1000 * wall / len(sample):.1f} ms each, of it CPU {1000 * cpu / len(sample):.1f} "
        f"ms; load average (1 min) {os.getloadavg()[0]:.1f}"
    )
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
