"""Fault test: kill -9 the server and PostgreSQL in the middle of submissions and allocations, start
them again, and check that nothing committed was lost and nothing half-written remains.

Run with ``.venv/bin/python -m benchmarks.crash`` (``--rounds``, ``--clients``, ``--seconds``);
``tests/db/test_crash.py`` runs a small version. It starts a throwaway PostgreSQL + PostGIS server
with PostgreSQL's durable defaults (``throwaway_server(durable=True)``: a commit is on disk before it
returns), loads the demonstration data and serves the register with ``bng serve --workers 2``. In
each round, clients through the pages keep uploading landowners' documents (an application's
ownership section, saved for later: a file and its record) and allocating a little of a demonstration
gain site's parcel (with the landowner's consent: a file, its record and the allocation), while the
round's kill comes: the server's processes, PostgreSQL's, or both, with SIGKILL. Both are started
again (the server's start-up sweeps the file store) and the checks run:

- every request the server answered as done (a redirect to the saved application or the new
  allocation) is in the database, with its file record and the file in the store;
- every file record has its file in place, every file in place has its record, no staged file is
  left over (no file without a record, no record without a file);
- each parcel's allocated size and units equal the sums of its allocation lines, and each gain
  site's units left equal the sums over its parcels (no half-written allocation).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import requests

from bng.register import samples

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
ONCE = re.compile(r'name="submission_token" value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
PASSWORD = "demo-password-2026"  # the demonstration accounts' (bng.register.demo)
SITE_NAME = "Meadow Farm"


def _csrf(text: str) -> str:
    m = CSRF.search(text)
    if not m:
        raise RuntimeError("no CSRF token on the page")
    return m.group(1) or m.group(2)


@dataclass
class Done:
    """What the server said it had done: files by name, allocations by reference."""

    files: set[str] = field(default_factory=set)
    allocations: set[str] = field(default_factory=set)
    attempts: int = 0
    failures: int = 0
    why: list[str] = field(default_factory=list)  # how each client stopped (before the kill, or cut off by it)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Register:
    """The server, its database and its file store, each started and killed on demand."""

    def __init__(self, pg: Any, var: Path) -> None:
        self.pg, self.var = pg, var
        self.url = pg.url("crash").replace("postgresql+psycopg://", "postgresql://")
        self.port = 0
        self.server: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "BNG_VAR": str(var),
            "BNG_INSECURE_COOKIES": "1",
            "BNG_SECRET_KEY": "crash-test-secret-key-0123456789abcdef",
        }
        self.bng = str(Path(sys.executable).with_name("bng"))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self) -> None:
        self.pg.psql("CREATE DATABASE crash")
        self.pg.psql("CREATE EXTENSION postgis", "crash")
        for args in (("db", "upgrade"), ("db", "demo")):
            subprocess.run([self.bng, *args], env=self.env, check=True, capture_output=True)

    def serve(self) -> None:
        from tests.db.postgres import free_port

        self.port = free_port()
        self.server = subprocess.Popen(
            [self.bng, "serve", "--port", str(self.port), "--workers", "2", "--threads", "4"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(1200):
            try:
                if requests.get(f"{self.base}/api/v1/lpas", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.server.poll() is not None:
                raise RuntimeError("bng serve ended at start-up")
            time.sleep(0.1)
        raise RuntimeError("bng serve did not start")

    def kill_server(self) -> None:
        """SIGKILL to the server's process group: gunicorn's master and its workers at once."""
        if self.server is not None:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait()
            self.server = None

    def kill_postgres(self) -> None:
        """SIGKILL to the postmaster and each of its children (as a crash of the machine's database would)."""
        pid = int((self.pg.data_dir / "postmaster.pid").read_text().split()[0])
        children = [int(p) for p in _children(pid)]
        for p in (pid, *children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
        for _ in range(200):
            if not any(Path(f"/proc/{p}").exists() and _state(p) != "Z" for p in (pid, *children)):
                break
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=60)
            self.server = None


def _start_postgres(pg: Any) -> None:
    """Start PostgreSQL again after its kill (it recovers from its write-ahead log); a few tries, as the
    killed processes may hold the port or shared memory for a moment."""
    for attempt in range(20):
        try:
            pg.start()
            return
        except subprocess.CalledProcessError:
            if attempt == 19:
                raise RuntimeError((pg.data_dir.parent / "server.log").read_text()[-3000:]) from None
            time.sleep(1)


def _children(pid: int) -> Iterator[str]:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                yield entry.name


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def _signed_in(base: str, email: str) -> requests.Session:
    s = requests.Session()
    page = s.get(f"{base}/sign-in", timeout=30).text
    r = s.post(
        f"{base}/sign-in",
        data={"csrf_token": _csrf(page), "email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    if r.status_code != 302:
        raise RuntimeError(f"sign-in as {email}: {r.status_code}")
    return s


def submitter(base: str, done: Done, stop: threading.Event, tag: str) -> None:
    """A landowner: starts an application, then keeps saving its ownership section with a new document."""
    pdf = samples.pdf("Title register", (tag,))
    n = 0
    try:
        s = _signed_in(base, "landowner@example.com")
        page = s.get(f"{base}/applications", timeout=30).text
        data = {"csrf_token": _csrf(page)}
        once = ONCE.search(page)
        if once:
            data["submission_token"] = once.group(1)
        r = s.post(f"{base}/applications", data=data, allow_redirects=False, timeout=30)
        reference = r.headers["Location"].rstrip("/").split("/")[-1]
        section = f"{base}/applications/{reference}/ownership"
        csrf = _csrf(s.get(section, timeout=30).text)
    except (requests.RequestException, RuntimeError, KeyError) as err:
        done.why.append(f"submitter {tag}: {type(err).__name__}: {err}")
        return
    while not stop.is_set():
        n += 1
        name = f"title-{tag}-{n}.pdf"
        try:
            r = s.post(
                section,
                data={"csrf_token": csrf, "action": "later"},
                files={"ownership_file": (name, pdf, "application/pdf")},
                allow_redirects=False,
                timeout=30,
            )
            ok = r.status_code == 302
            why = f"submitter {tag}: {r.status_code} {r.headers.get('Location', '')}"
        except requests.RequestException as err:
            ok, why = False, f"submitter {tag}: {type(err).__name__}"
        with done.lock:
            done.attempts += 1
            if ok:
                done.files.add(name)
            else:
                done.failures += 1
                done.why.append(why)
        if not ok:
            return


def allocator(base: str, site: str, done: Done, stop: threading.Event, tag: str) -> None:
    """A developer: keeps allocating 0.001 ha of the site's first area parcel, the landowner's consent attached."""
    pdf = samples.pdf("Consent of the landowner", (tag,))
    n = 0
    try:
        s = _signed_in(base, "developer@example.com")
        start = f"{base}/register/{site}/allocate"
        form = s.get(start, timeout=30).text
        parcel = re.search(r'name="(parcel-\d+)"', form)
        lpa = re.search(r'<option value="(\d+)"[^>]*>Cambridge LPA</option>', form)
        if not parcel or not lpa:
            done.why.append(f"allocator {tag}: no parcel or LPA on the form")
            return
        answers = {
            "lpa_id": lpa.group(1),
            "planning_reference": f"26/{tag}/FUL",
            "development_name": f"Homes {tag}",
            "grid_reference": "545000, 258000",
            "method": "parcels",
            parcel.group(1): "0.001",
        }
        check = s.post(start, data={"csrf_token": _csrf(form), **answers}, timeout=60)
        hidden = dict(HIDDEN.findall(check.text))
        if check.status_code != 200 or "submission_token" not in hidden:
            done.why.append(f"allocator {tag}: check page {check.status_code}")
            return
    except (requests.RequestException, RuntimeError) as err:
        done.why.append(f"allocator {tag}: {type(err).__name__}: {err}")
        return
    while not stop.is_set():
        n += 1
        try:
            again = s.post(start, data={"csrf_token": hidden["csrf_token"], **answers}, timeout=60)
            fresh = dict(HIDDEN.findall(again.text))
            r = s.post(
                f"{start}/confirm",
                data=fresh,
                files={"consent_file": (f"consent-{tag}-{n}.pdf", pdf, "application/pdf")},
                allow_redirects=False,
                timeout=60,
            )
            ok = r.status_code == 302 and "/allocations/" in r.headers.get("Location", "")
            why = f"allocator {tag}: {r.status_code} {r.headers.get('Location', '')}"
        except requests.RequestException as err:
            ok, why = False, f"allocator {tag}: {type(err).__name__}"
        with done.lock:
            done.attempts += 1
            if ok:
                done.allocations.add(r.headers["Location"].rstrip("/").split("/")[-1])
            else:
                done.failures += 1
                done.why.append(why)
        if not ok:
            return


def check(reg: Register, done: Done) -> list[str]:
    """Every problem found (none: nothing lost, nothing half-written)."""
    problems: list[str] = []
    with psycopg.connect(reg.url) as conn:
        stored = conn.execute("SELECT name, key FROM stored_file").fetchall()
        files, keys = {r[0] for r in stored}, {r[1] for r in stored}
        allocations = {r[0]: r[1] for r in conn.execute("SELECT reference, consent_file_id FROM allocation").fetchall()}
        lost_files = sorted(done.files - set(files))
        lost_allocations = sorted(done.allocations - set(allocations))
        without_consent = [ref for ref in done.allocations if ref in allocations and allocations[ref] is None]
        parcels = conn.execute(
            "SELECT p.id, p.allocated_size_micro, p.allocated_units_micro,"
            " coalesce(sum(l.size_micro), 0), coalesce(sum(l.units_micro), 0)"
            " FROM habitat_parcel p LEFT JOIN allocation_line l ON l.parcel_id = p.id GROUP BY p.id"
        ).fetchall()
        sites = conn.execute(
            "SELECT g.reference, g.remaining_area_units_micro, coalesce(sum(p.units_micro - p.allocated_units_micro)"
            " FILTER (WHERE p.module = 'area' AND p.stage <> 'baseline'), 0) FROM gain_site g"
            " LEFT JOIN habitat_parcel p ON p.gain_site_id = g.id GROUP BY g.id"
        ).fetchall()
        empty = conn.execute(
            "SELECT count(*) FROM allocation a WHERE NOT EXISTS (SELECT 1 FROM allocation_line l"
            " WHERE l.allocation_id = a.id)"
        ).fetchone()
    if lost_files:
        problems.append(f"{len(lost_files)} documents saved but lost: {lost_files[:5]}")
    if lost_allocations:
        problems.append(f"{len(lost_allocations)} allocations recorded but lost: {lost_allocations[:5]}")
    if without_consent:
        problems.append(f"allocations without their consent: {without_consent[:5]}")
    if empty and empty[0]:
        problems.append(f"{empty[0]} allocations without lines")
    problems += [f"parcel {p[0]}: allocated {p[1]}/{p[2]}, lines {p[3]}/{p[4]}" for p in parcels if p[1:3] != p[3:5]]
    problems += [f"gain site {s[0]}: {s[1]} units left, parcels say {s[2]}" for s in sites if s[1] != s[2]]
    store = reg.var / "files"
    placed = {f"{d.name}/{f.name}" for d in store.iterdir() if len(d.name) == 2 for f in d.iterdir()}
    staged = list((store / "staging").iterdir()) if (store / "staging").exists() else []
    if keys - placed:
        problems.append(f"{len(keys - placed)} file records without their file: {sorted(keys - placed)[:3]}")
    if placed - keys:
        problems.append(f"{len(placed - keys)} files without a record: {sorted(placed - keys)[:3]}")
    if staged:
        problems.append(f"{len(staged)} staged files left over")
    return problems


def run(rounds: int, clients: int, seconds: float, log: Any = print, tamper: bool = False) -> dict[str, Any]:
    """``tamper``: at the end, also plant a file without a record and remove a recorded file, and return
    what the checks then say (``tampered``), to show that they see what they look for."""
    from tests.db.postgres import throwaway_server

    done = Done()
    results = []
    with throwaway_server(durable=True) as pg, tempfile.TemporaryDirectory(prefix="bng-crash-") as tmp:
        reg = Register(pg, Path(tmp) / "var")
        reg.prepare()
        with psycopg.connect(reg.url) as conn:
            row = conn.execute("SELECT reference FROM gain_site WHERE name = %s", (SITE_NAME,)).fetchone()
        assert row is not None
        site = row[0]
        try:
            reg.serve()
            kills = ("server", "postgres", "both")
            for r in range(rounds):
                kill = kills[r % len(kills)]
                stop = threading.Event()
                before = (len(done.files), len(done.allocations))
                workers = [
                    threading.Thread(
                        target=submitter if i % 2 == 0 else allocator,
                        args=(reg.base, done, stop, f"r{r}c{i}")
                        if i % 2 == 0
                        else (reg.base, site, done, stop, f"r{r}c{i}"),
                    )
                    for i in range(clients)
                ]
                for w in workers:
                    w.start()
                # the kill comes in the middle: after ``seconds`` and once both kinds of request have been
                # confirmed this round (a loaded machine is slow to start the clients), at most 5 minutes
                began = time.monotonic()
                while time.monotonic() - began < 300 and (
                    time.monotonic() - began < seconds
                    or len(done.files) == before[0]
                    or len(done.allocations) == before[1]
                ):
                    time.sleep(0.2)
                if kill in ("server", "both"):
                    reg.kill_server()
                if kill in ("postgres", "both"):
                    reg.kill_postgres()
                stop.set()
                for w in workers:
                    w.join(120)
                if reg.server is not None:
                    reg.kill_server()  # (after a kill of PostgreSQL alone, the server too must start again to sweep)
                if kill != "server":
                    _start_postgres(pg)
                reg.serve()  # its start-up sweeps the file store
                problems = check(reg, done)
                made = (len(done.files) - before[0], len(done.allocations) - before[1])
                results.append(
                    {"round": r + 1, "kill": kill, "documents": made[0], "allocations": made[1], "problems": problems}
                )
                log(
                    f"round {r + 1}: killed {kill}; {made[0]} documents and {made[1]} allocations confirmed "
                    f"before the kill; problems: {problems or 'none'}; how clients stopped: {done.why}"
                )
                done.why.clear()
        finally:
            if reg.server is not None:  # interrupted: no server left behind
                reg.kill_server()
        reg.stop()
        tampered: list[str] = []
        if tamper:
            store = reg.var / "files"
            recorded = next(f for d in sorted(store.iterdir()) if len(d.name) == 2 for f in sorted(d.iterdir()))
            recorded.unlink()
            stray = store / "ab" / ("ab" + "0" * 38)
            stray.parent.mkdir(exist_ok=True)
            stray.write_bytes(b"half-written")
            tampered = check(reg, done)
    return {"rounds": results, "attempts": done.attempts, "failures": done.failures, "tampered": tampered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0, help="load before each kill")
    args = parser.parse_args()
    began = time.perf_counter()
    result = run(args.rounds, args.clients, args.seconds)
    bad = [r for r in result["rounds"] if r["problems"]]
    print(
        f"{len(result['rounds'])} rounds, {result['attempts']} requests ({result['failures']} cut off by the kills), "
        f"{time.perf_counter() - began:.0f} s: {'FAILED' if bad else 'nothing lost, nothing half-written'}"
    )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
