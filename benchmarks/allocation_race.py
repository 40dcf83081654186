"""500 allocation attempts against one parcel from 64 clients, through the allocation journey's own
pages on a running server (``benchmarks.bench_traffic`` calls :func:`race` with gunicorn on the loaded
database; the server must run with ``BNG_INSECURE_COOKIES=1``, being on plain http).

Each client signs in with its own session (all as one developer), opens the allocation form of the
same gain site, asks for a fixed share of one area parcel and gets the check page; then the clients
confirm, each attempt a new confirmation (its own submission token) with the landowner's consent
attached, all starting together. The parcel has room for exactly ``ROOM`` of the shares. Afterwards
the database is read: the parcel's allocated size must be what it was plus one share per recorded
allocation, never more than its size (zero over-allocation), every recorded allocation must have its
line, and every attempt must have been answered, recorded or refused (none
lost).
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import threading
import time
from collections import Counter
from typing import Any

import psycopg
import requests

from bng.register import samples

CLIENTS = 64
ATTEMPTS = 500
ROOM = 100  # shares the parcel can still give
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
EMAIL, PASSWORD = "racer@example.com", "a long racing password 1"


def _csrf(text: str) -> str:
    m = CSRF.search(text)
    assert m, "no CSRF token on the page"
    return m.group(1) or m.group(2)


def _setup(url: str) -> dict[str, Any]:
    """A developer account, and the parcel: its room set to ROOM shares (all else allocated)."""
    from bng.bootstrap import load_config, wire
    from bng.register.accounts.service import NewAccount

    with tempfile.TemporaryDirectory() as var:
        wired = wire(load_config({**os.environ, "DATABASE_URL": url, "BNG_VAR": var}))
        wired.services.accounts.create_trusted(NewAccount(EMAIL, "Racing Developer", PASSWORD, "developer"))
        wired.database.dispose()
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        site = conn.execute(
            "SELECT g.id, g.reference, g.easting, g.northing, l.id FROM gain_site g JOIN lpa l ON l.name = g.lpa_name"
            " WHERE g.status = 'registered' ORDER BY g.id LIMIT 1"
        ).fetchone()
        assert site is not None
        parcel = conn.execute(
            "SELECT id, size_micro, allocated_size_micro FROM habitat_parcel WHERE gain_site_id = %s"
            " AND module = 'area' AND stage = 'creation' ORDER BY id LIMIT 1",
            (site[0],),
        ).fetchone()
        assert parcel is not None
        share = max(1, (parcel[1] - parcel[2]) // (ROOM + 1))
        share -= share % 10  # a whole number of hundredths of a hectare... of micro-hectares, printable
        return {"site": site, "parcel": parcel[0], "size": parcel[1], "before": parcel[2], "share": share}


def _state(url: str, parcel: int) -> dict[str, int]:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        row = conn.execute("SELECT size_micro, allocated_size_micro FROM habitat_parcel WHERE id = %s", (parcel,))
        size, allocated = row.fetchone()  # type: ignore[misc]
        lines = conn.execute(
            "SELECT count(*), coalesce(sum(size_micro), 0) FROM allocation_line WHERE parcel_id = %s", (parcel,)
        ).fetchone()
        allocations = conn.execute(
            "SELECT count(*) FROM allocation a WHERE EXISTS (SELECT 1 FROM allocation_line l"
            " WHERE l.allocation_id = a.id AND l.parcel_id = %s)",
            (parcel,),
        ).fetchone()
    assert lines is not None and allocations is not None
    return {
        "size": size,
        "allocated": allocated,
        "lines": lines[0],
        "lined": int(lines[1]),
        "allocations": allocations[0],
    }


def race(base: str, url: str, clients: int = CLIENTS, attempts: int = ATTEMPTS) -> dict[str, Any]:
    s = _setup(url)
    _, reference, easting, northing, lpa_id = s["site"]
    share = s["share"]
    room = (s["size"] - s["before"]) // share
    start = f"{base}/register/{reference}/allocate"
    answers = {
        "lpa_id": str(lpa_id),
        "planning_reference": "26/00500/FUL",
        "development_name": "Racing homes",
        "grid_reference": f"{int(easting)}, {int(northing)}",
        "method": "parcels",
        f"parcel-{s['parcel']}": f"{share / 1_000_000:.6f}".rstrip("0").rstrip("."),
    }
    sessions: list[requests.Session] = []
    checks: list[dict[str, str]] = []
    for _ in range(clients):
        session = requests.Session()
        page = session.get(f"{base}/sign-in").text
        signed = session.post(
            f"{base}/sign-in",
            data={"csrf_token": _csrf(page), "email": EMAIL, "password": PASSWORD},
            allow_redirects=False,
        )
        assert signed.status_code == 302, f"sign-in: {signed.status_code}"
        form = session.get(start).text
        check = session.post(start, data={"csrf_token": _csrf(form), **answers})
        assert check.status_code == 200, f"check page: {check.status_code} {check.text[:2000]}"
        sessions.append(session)
        checks.append(dict(HIDDEN.findall(check.text)))
    consent = samples.pdf("Consent of the landowner")
    barrier = threading.Barrier(clients)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    latencies: list[float] = []
    todo = iter(range(attempts))

    def client(i: int) -> None:
        barrier.wait()
        while True:
            with lock:
                n = next(todo, None)
            if n is None:
                return
            data = {**checks[i], "submission_token": secrets.token_urlsafe(24)}
            t = time.perf_counter()
            try:
                r = sessions[i].post(
                    f"{start}/confirm",
                    data=data,
                    files={"consent_file": (f"c{n}.pdf", consent, "application/pdf")},
                    allow_redirects=False,
                    timeout=300,
                )
                result = (
                    "recorded"
                    if r.status_code == 302
                    else "refused"
                    if r.status_code == 400 and "remains to be allocated" in r.text
                    else f"other {r.status_code}"
                )
            except requests.RequestException as err:
                result = f"error {type(err).__name__}"
            with lock:
                outcomes[result] += 1
                latencies.append(time.perf_counter() - t)

    load_before = os.getloadavg()[0]
    began = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    load_after = os.getloadavg()[0]
    after = _state(url, s["parcel"])
    recorded = outcomes["recorded"]
    over = after["allocated"] - after["size"]
    ok = (
        sum(outcomes.values()) == attempts
        and set(outcomes) <= {"recorded", "refused"}
        and recorded == min(room, attempts)
        and after["allocated"] == s["before"] + recorded * share
        and after["lines"] == recorded == after["allocations"]
        and over <= 0
    )
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else 0.0
    text = (
        f"**Allocation race**: {attempts} attempts by {clients} clients (each signed in, through the journey's "
        f"confirm page, consent attached) for one parcel with room for {room} shares: "
        f"{dict(outcomes)} in {elapsed:.1f} s ({attempts / elapsed:.1f} attempts/s, p95 {p95:.0f} ms); afterwards "
        f"the parcel's allocated size is {after['allocated']:,} of {after['size']:,} micro-ha (before: "
        f"{s['before']:,}, share {share:,}), {after['lines']} allocation lines on it, {after['allocations']} "
        f"allocations: over-allocation {max(0, over)}, attempts unanswered {attempts - sum(outcomes.values())}: "
        f"**{'all checks passed' if ok else 'CHECKS FAILED'}**. Load average (1 min) {load_before:.1f} at the "
        f"start, {load_after:.1f} at the end.\n"
    )
    return {"ok": ok, "outcomes": dict(outcomes), "after": after, "text": text, "elapsed": elapsed}
