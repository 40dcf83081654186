"""locust users for ``benchmarks.bench_traffic``: the public register's JSON API and search page.

Each user sends the searches of a fixed list (``BNG_PATHS``, one path a line, written by the
benchmark) in a random order, grouped in locust's statistics by the filters they use. ``BNG_MODE``:
``repeat``, the list as it is (the server answers a search it has answered before from its kept
responses); ``fresh``, each request made unique by an extra parameter the server ignores (so that
every request is answered afresh: searched, counted and rendered); ``revalidate``, as ``repeat`` but
each response's ETag is kept and sent back in If-None-Match, as a browser or a cache in front of the
API does; ``paced``, unique requests as in ``fresh``, but each user sends at most ``BNG_RATE``
requests a second on average, at intervals drawn at random (:func:`poisson_throughput`), so that the
users together offer a fixed rate as a Poisson stream and the latency is measured *at* that rate, not
at the most the server can answer.

The other modes are closed loops: each user sends its next request as soon as its last is answered,
so they measure the ceiling (the most answers a second), and their latency is mostly the queue. A
paced user starts at a random moment of its first interval, so that the users' requests are spread
evenly over time rather than sent in bursts together.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, events, task

PATHS = [p for p in Path(os.environ.get("BNG_PATHS", "/dev/null")).read_text().splitlines() if p]
MODE = os.environ.get("BNG_MODE", "repeat")
REVALIDATE = MODE == "revalidate"
UNIQUE = MODE in ("fresh", "paced")
RATE = float(os.environ.get("BNG_RATE", "0")) if MODE == "paced" else 0.0
"""Requests a second each user sends at most (``paced``); 0: as fast as the answers come."""
CACHE: Counter[str] = Counter()
"""X-Cache of the answers: hit, miss, or none (not a kept kind of request)."""


@events.quitting.add_listener
def _write_cache_counts(**_: Any) -> None:
    out = os.environ.get("BNG_CACHE_OUT")
    if out:
        Path(out).write_text(json.dumps(CACHE))


def kind_of(path: str) -> str:
    """``/api/v1/sites?bbox`` for ``/api/v1/sites?bbox=…``: the statistics' name of a request."""
    base, _, query = path.partition("?")
    keys = sorted({p.split("=")[0] for p in query.split("&") if p} - {"distance_km", "module", "_"})
    return base + (f"?{'&'.join(keys)}" if keys else "")


def poisson_throughput(rate: float) -> Callable[[Any], float]:
    """Like locust's ``constant_throughput``, but each interval drawn from an exponential distribution.

    With fixed intervals the users fall into step: a burst makes every answer late, each user then waits
    the same short time and they send again together, so the server meets bursts of all the users at once
    however low the rate (measured: 40 users at 60 a second, p50 140 ms; 8 users at the same rate, 44 ms).
    Intervals drawn afresh each time (mean ``1 / rate``) keep the requests a Poisson stream, as independent
    visitors' are, and the offered rate is the same.
    """

    def wait_time(user: Any) -> float:
        now = time.monotonic()
        start = max(getattr(user, "_pt_last_start", now) + random.expovariate(rate), now)  # late: at once
        user._pt_last_start = start
        return start - now

    return wait_time


class Searcher(FastHttpUser):
    """A client of the public register that searches, over and over, as ``BNG_MODE`` says."""

    abstract = True
    wait_time = poisson_throughput(RATE) if RATE else constant(0)
    prefix = ""

    def on_start(self) -> None:
        """Pick this user's searches; a paced user first waits a random part of its interval."""
        self.mine = [p for p in PATHS if p.startswith(self.prefix)]
        self.etags: dict[str, str] = {}
        if RATE:
            time.sleep(random.uniform(0, 1 / RATE))  # locust patches it to yield to the other users

    @task
    def search(self) -> None:
        """One search, its answer checked (200, or 304 to a revalidation) and its X-Cache counted."""
        path = random.choice(self.mine)
        if UNIQUE:
            path += f"&_={random.getrandbits(64):x}" if "?" in path else f"?_={random.getrandbits(64):x}"
        headers = {"If-None-Match": self.etags[path]} if REVALIDATE and path in self.etags else {}
        with self.client.get(path, name=kind_of(path), headers=headers, catch_response=True) as response:
            CACHE[response.headers.get("X-Cache") or "none"] += 1
            if response.status_code == 200:
                etag = response.headers.get("ETag")
                if etag:
                    self.etags[path] = etag
                response.success()
            elif response.status_code == 304 and headers:
                response.success()
            else:
                response.failure(f"status {response.status_code}")


class ApiUser(Searcher):
    """The JSON API's searches (``/api/v1/sites``)."""

    prefix = "/api/v1/sites"


class PageUser(Searcher):
    """The HTML search page's searches (``/register``)."""

    prefix = "/register"
